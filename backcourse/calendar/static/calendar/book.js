/* Booking form: when a client is picked, offer their active courses (newest first,
   preselected). */
(function () {
  "use strict";
  var form = document.getElementById("calendar-book");
  if (!form) return;
  var course = form.elements.course;
  var url = form.getAttribute("data-courses-url");
  var noCourse = form.getAttribute("data-no-course");

  form.addEventListener("clientpicked", function (e) {
    fetch(url.replace("/0/", "/" + e.detail.id + "/"), { credentials: "same-origin" })
      .then(function (r) { return r.json(); })
      .then(function (data) {
        course.innerHTML = "";
        var none = document.createElement("option");
        none.value = "";
        none.textContent = noCourse;
        course.appendChild(none);
        data.courses.forEach(function (c, i) {
          var o = document.createElement("option");
          o.value = c.id;
          o.textContent = c.label;
          if (i === 0) o.selected = true;
          course.appendChild(o);
        });
      });
  });
})();
