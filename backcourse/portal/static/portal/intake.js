/* The intake's body chart: tapping a region ticks its box, and the other way round. */
(function () {
  "use strict";
  document.querySelectorAll(".body-chart .region").forEach(function (p) {
    p.addEventListener("click", function () {
      var box = document.getElementById("region-" + p.dataset.region);
      box.checked = !box.checked;
      p.classList.toggle("on", box.checked);
    });
  });
  document.querySelectorAll(".region-list input").forEach(function (box) {
    box.addEventListener("change", function () {
      var region = document.querySelector('.body-chart [data-region="' + box.value + '"]');
      if (region) { region.classList.toggle("on", box.checked); }
    });
  });
})();
