/* Client picker: type-ahead search against clients:search (scoped and paged on the
   server). Keyboard: arrows move, Enter picks, Escape closes. Fires "clientpicked"
   (detail: {id, label}) on the picker element when a client is chosen. */
(function () {
  "use strict";

  function setup(root) {
    var hidden = root.querySelector("[data-picker-value]");
    var input = root.querySelector("[data-picker-input]");
    var list = root.querySelector("[data-picker-list]");
    var status = root.querySelector("[data-picker-status]");
    var url = root.getAttribute("data-search-url");
    var timer = null, active = -1, query = "", page = 1, seq = 0;

    function options() { return Array.prototype.slice.call(list.querySelectorAll("[role=option]")); }

    function close() {
      list.hidden = true;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
      active = -1;
    }

    function highlight(i) {
      var opts = options();
      if (!opts.length) return;
      active = (i + opts.length) % opts.length;
      opts.forEach(function (o, j) { o.setAttribute("aria-selected", j === active ? "true" : "false"); });
      input.setAttribute("aria-activedescendant", opts[active].id);
      opts[active].scrollIntoView({ block: "nearest" });
    }

    function pick(opt) {
      if (opt.getAttribute("data-more")) { load(query, page + 1); return; }
      hidden.value = opt.getAttribute("data-id");
      input.value = opt.getAttribute("data-label");
      close();
      status.textContent = "";
      root.dispatchEvent(new CustomEvent("clientpicked", {
        bubbles: true, detail: { id: hidden.value, label: input.value }
      }));
    }

    function render(data, append) {
      if (!append) list.innerHTML = "";
      var more = list.querySelector("[data-more]");
      if (more) more.remove();
      data.results.forEach(function (r) {
        var li = document.createElement("li");
        li.setAttribute("role", "option");
        li.id = input.id + "_opt_" + r.id;
        li.setAttribute("data-id", r.id);
        li.setAttribute("data-label", r.label);
        var strong = document.createElement("strong");
        strong.textContent = r.label;
        li.appendChild(strong);
        if (r.detail) {
          var span = document.createElement("span");
          span.className = "muted";
          span.textContent = " " + r.detail;
          li.appendChild(span);
        }
        list.appendChild(li);
      });
      if (data.has_more) {
        var m = document.createElement("li");
        m.setAttribute("role", "option");
        m.id = input.id + "_more";
        m.setAttribute("data-more", "1");
        m.className = "client-picker-more";
        m.textContent = root.getAttribute("data-more-label") || "More…";
        list.appendChild(m);
      }
      var n = options().filter(function (o) { return !o.getAttribute("data-more"); }).length;
      status.textContent = n ? "" : (root.getAttribute("data-none-label") || "No client found.");
      list.hidden = n === 0;
      input.setAttribute("aria-expanded", n ? "true" : "false");
    }

    function load(q, p) {
      var mine = ++seq;
      query = q; page = p;
      fetch(url + "?q=" + encodeURIComponent(q) + "&page=" + p, {
        headers: { "Accept": "application/json" }, credentials: "same-origin"
      }).then(function (r) { return r.json(); }).then(function (data) {
        if (mine !== seq) return;  // an answer to an older query
        render(data, p > 1);
        if (p > 1) highlight(options().length - data.results.length - (data.has_more ? 1 : 0));
      });
    }

    input.addEventListener("input", function () {
      hidden.value = "";
      clearTimeout(timer);
      var q = input.value.trim();
      if (!q) { close(); list.innerHTML = ""; return; }
      timer = setTimeout(function () { load(q, 1); }, 200);
    });
    input.addEventListener("keydown", function (e) {
      if (e.key === "ArrowDown") { e.preventDefault(); if (list.hidden && options().length) { list.hidden = false; } highlight(active + 1); }
      else if (e.key === "ArrowUp") { e.preventDefault(); highlight(active - 1); }
      else if (e.key === "Enter" && !list.hidden && active >= 0) { e.preventDefault(); pick(options()[active]); }
      else if (e.key === "Escape") { close(); }
    });
    list.addEventListener("mousedown", function (e) { e.preventDefault(); });  // keep focus
    list.addEventListener("click", function (e) {
      var opt = e.target.closest("[role=option]");
      if (opt) pick(opt);
    });
    input.addEventListener("blur", function () { setTimeout(close, 150); });
  }

  function init() {
    document.querySelectorAll("[data-client-picker]").forEach(setup);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
