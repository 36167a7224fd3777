/* Small page behaviours, without inline scripts (the Content-Security-Policy allows
   scripts from this site only). Each is switched on by a data attribute:
   - <select data-autosubmit>            submits its form when changed
   - <input data-select-on-click>        selects its text when clicked
   - <form data-confirm="Question?">     asks before submitting
   - <button class="copy" data-copy="…" data-copied="Copied">  copies the text */
(function () {
  "use strict";
  document.querySelectorAll("select[data-autosubmit]").forEach(function (el) {
    el.addEventListener("change", function () { el.form.submit(); });
  });
  document.querySelectorAll("[data-select-on-click]").forEach(function (el) {
    el.addEventListener("click", function () { el.select(); });
  });
  document.querySelectorAll("form[data-confirm]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (!window.confirm(form.dataset.confirm)) { event.preventDefault(); }
    });
  });
  document.querySelectorAll("button.copy").forEach(function (b) {
    b.addEventListener("click", function () {
      var input = b.parentNode.querySelector("input");
      if (input) { input.select(); }
      if (navigator.clipboard) { navigator.clipboard.writeText(b.dataset.copy); }
      else { document.execCommand("copy"); }
      if (b.dataset.copied) { b.textContent = b.dataset.copied; }
    });
  });
})();
