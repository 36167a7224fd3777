/* Body chart of the back: tap a region to cycle its tension 0 → 1 → 2 → 3 → 0.
 *
 * Without JavaScript the form posts the selects of the "Tension as a list" fallback.
 * With it, each region's hidden input `tension_<code>` carries the value and the
 * selects (kept in sync both ways) lose their name, so every value is posted once.
 */
(function () {
  "use strict";

  var LEVEL_NAMES = ["none", "mild", "moderate", "marked"];

  function levelName(chart, level) {
    var names = (chart.getAttribute("data-level-names") || "").split("|");
    return names[level] || LEVEL_NAMES[level];
  }

  function setup(chart) {
    var form = chart.closest("form");
    var status = chart.querySelector("[data-body-chart-status]");
    var regions = chart.querySelectorAll("[data-region]");

    function hidden(code) {
      return chart.querySelector('[data-tension-input="' + code + '"]');
    }
    function select(code) {
      return form ? form.querySelector('[data-tension-select="' + code + '"]') : null;
    }

    function show(path, level, announce) {
      var code = path.getAttribute("data-region");
      var label = path.getAttribute("data-label");
      path.setAttribute("data-level", String(level));
      path.setAttribute("class", "bc-region t" + level);
      path.setAttribute("aria-label", label + ": " + level + " " + levelName(chart, level));
      var title = path.querySelector("title");
      if (title) title.textContent = label + ": " + level + " " + levelName(chart, level);
      var input = hidden(code);
      if (input) input.value = level ? String(level) : "0";
      var sel = select(code);
      if (sel && sel.value !== String(level)) sel.value = String(level);
      if (announce && status) status.textContent = label + ": " + level + " – " + levelName(chart, level);
      syncSameAs();
    }

    function cycle(path) {
      var level = (parseInt(path.getAttribute("data-level"), 10) || 0) + 1;
      show(path, level > 3 ? 0 : level, true);
    }

    regions.forEach(function (path) {
      var input = hidden(path.getAttribute("data-region"));
      if (input) input.disabled = false;
      var sel = select(path.getAttribute("data-region"));
      if (sel) {
        sel.removeAttribute("name");
        sel.addEventListener("change", function () {
          var level = parseInt(sel.value, 10);
          if (level >= 0 && level <= 3) show(path, level, true);
        });
      }
      path.addEventListener("click", function () { cycle(path); });
      path.addEventListener("keydown", function (event) {
        if (event.key === "Enter" || event.key === " ") {
          event.preventDefault();
          cycle(path);
        }
      });
      path.addEventListener("mouseenter", function () {
        if (status) {
          var level = parseInt(path.getAttribute("data-level"), 10) || 0;
          status.textContent = path.getAttribute("data-label") + ": " + level + " – " + levelName(chart, level);
        }
      });
    });

    /* "Muscles treated: same as the tense regions" ticks those regions as you go;
     * the server applies the same rule, so this is only a preview. */
    var sameAs = form ? form.querySelector("[data-same-as-tension]") : null;
    function syncSameAs() {
      if (!sameAs || !sameAs.checked) return;
      regions.forEach(function (path) {
        var box = form.querySelector('input[name="muscles_treated"][value="' + path.getAttribute("data-region") + '"]');
        if (box && (parseInt(path.getAttribute("data-level"), 10) || 0) > 0) box.checked = true;
      });
    }
    if (sameAs) sameAs.addEventListener("change", syncSameAs);
  }

  document.querySelectorAll("[data-body-chart]").forEach(setup);
})();
