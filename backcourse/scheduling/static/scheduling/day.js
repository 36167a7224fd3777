// The all-therapists day: a therapist's section loads its sessions when it is opened.
// Without JavaScript the section links to that therapist's own day.
document.querySelectorAll("details[data-src]").forEach(function (section) {
  section.addEventListener("toggle", function () {
    var src = section.dataset.src;
    if (!section.open || !src) return;
    section.dataset.src = "";
    var list = section.querySelector(".session-list");
    fetch(src, { credentials: "same-origin", headers: { "X-Requested-With": "fetch" } })
      .then(function (r) { return r.ok ? r.text() : Promise.reject(r.status); })
      .then(function (html) { list.innerHTML = html; })
      .catch(function () { section.dataset.src = src; });
  });
});
