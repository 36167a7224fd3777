/* The intake's body chart. Each region is a checkbox (tap, or Tab to it and press Space
   or Enter); the list in "Or choose from a list" holds the values that are posted and
   stays in step. A static file: the Content-Security-Policy allows no inline script. */
(function () {
  "use strict";
  function showRegion(p, on) {
    if (!p) { return; }
    p.classList.toggle("on", on);
    p.setAttribute("aria-checked", on ? "true" : "false");
  }
  document.querySelectorAll(".body-chart .region").forEach(function (p) {
    function toggle() {
      var box = document.getElementById("region-" + p.dataset.region);
      box.checked = !box.checked;
      showRegion(p, box.checked);
    }
    p.addEventListener("click", toggle);
    p.addEventListener("keydown", function (event) {
      if (event.key === " " || event.key === "Enter") { event.preventDefault(); toggle(); }
    });
  });
  document.querySelectorAll(".region-list input").forEach(function (box) {
    box.addEventListener("change", function () {
      showRegion(document.querySelector('.body-chart [data-region="' + box.value + '"]'), box.checked);
    });
  });
})();
