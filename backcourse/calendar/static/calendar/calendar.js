/* The front desk's calendar grid (EventCalendar, vendored). Configuration comes from the
   JSON script tag #calendar-config; nothing here is inline in the page (CSP).

   Times travel as the practice's wall clock without an offset ("2026-11-30T09:00"):
   the server turns them into UTC in the practice's time zone, so the tablet's own time
   zone never matters. */
(function () {
  "use strict";

  var config = JSON.parse(document.getElementById("calendar-config").textContent);
  var el = document.getElementById("calendar");
  var statusEl = document.getElementById("calendar-status");
  var dialog = document.getElementById("session-dialog");
  var csrf = document.querySelector("[name=csrfmiddlewaretoken]").value;
  var L = config.labels;

  function pad(n) { return (n < 10 ? "0" : "") + n; }
  function wall(d) {  // a Date from the library (local getters hold the wall time)
    return d.getFullYear() + "-" + pad(d.getMonth() + 1) + "-" + pad(d.getDate()) +
      "T" + pad(d.getHours()) + ":" + pad(d.getMinutes());
  }

  function say(text, kind) {
    statusEl.textContent = text;
    statusEl.className = "calendar-status " + (kind || "");
  }

  function postMove(sessionId, start, resource, overrides) {
    return fetch(config.moveUrl.replace("/0/", "/" + sessionId + "/"), {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf, "Accept": "application/json" },
      body: JSON.stringify({ start: start, resource: resource || "", by: config.by, overrides: overrides || [] })
    }).then(function (r) { return r.json(); });
  }

  function content(info) {
    var ev = info.event, p = ev.extendedProps;
    if (ev.display === "background") return { html: "" };
    var box = document.createElement("div");
    box.className = "ev-body";
    var time = document.createElement("span");
    time.className = "ev-time";
    time.textContent = info.timeText;
    box.appendChild(time);
    var title = document.createElement("strong");
    title.className = "ev-title";
    title.textContent = ev.title;
    box.appendChild(title);
    (p.badges || []).forEach(function (b) {
      var badge = document.createElement("span");
      badge.className = "ev-badge ev-badge-" + b;
      badge.textContent = b === "red_flag" ? "⚑ " + L.redFlag : b === "unpaid" ? L.unpaid : b;
      if (b === "red_flag" && p.flagTitles && p.flagTitles.length) badge.title = p.flagTitles.join("\n");
      box.appendChild(badge);
    });
    var meta = document.createElement("span");
    meta.className = "ev-meta";
    meta.textContent = [p.statusLabel, p.type, config.by === "room" ? p.therapist : p.room]
      .filter(Boolean).join(" · ");
    box.appendChild(meta);
    return { domNodes: [box] };
  }

  var options = {
    view: config.view,
    date: config.date,
    locale: config.locale,
    resources: config.resources,
    firstDay: 1,
    allDaySlot: false,
    nowIndicator: true,
    slotMinTime: config.slotMinTime,
    slotMaxTime: config.slotMaxTime,
    slotDuration: "00:15:00",
    slotLabelInterval: "01:00",
    scrollTime: config.slotMinTime,
    height: "auto",
    editable: true,
    eventStartEditable: true,
    eventDurationEditable: false,
    longPressDelay: 400,
    eventLongPressDelay: 400,
    headerToolbar: { start: "prev,next today", center: "title", end: "" },
    buttonText: function (text) { text.today = L.today; return text; },
    // A phone shows seven narrow columns: one letter and the day number.
    dayHeaderFormat: window.matchMedia("(max-width: 600px)").matches
      ? { weekday: "narrow", day: "numeric" }
      : { weekday: "short", day: "numeric", month: "numeric" },
    slotLabelFormat: { hour: "2-digit", minute: "2-digit", hour12: false },
    eventTimeFormat: { hour: "2-digit", minute: "2-digit", hour12: false },
    eventSources: [{
      url: config.eventsUrl,
      extraParams: function () { return { therapist: config.therapist, by: config.by }; }
    }],
    eventContent: content,
    loading: function (busy) { el.setAttribute("data-loading", busy ? "1" : "0"); },
    dateClick: function (info) {
      var params = new URLSearchParams({ start: wall(info.date) });
      if (config.by === "room" && info.resource) params.set("room", info.resource.id);
      else if (info.resource) params.set("therapist", info.resource.id);
      else if (config.therapist) params.set("therapist", config.therapist);
      if (config.client) params.set("client", config.client);
      window.location.assign(config.bookUrl + "?" + params.toString());
    },
    eventDrop: function (info) {
      var resource = info.newResource ? info.newResource.id : (info.event.resourceIds || [])[0];
      say("…");
      var start = wall(info.event.start);
      function done(data) {
        if (data.ok) { say(data.message, "ok"); ec.refetchEvents(); return; }
        // Staff may knowingly move around some rules (e.g. outside working hours): ask.
        if (data.overridable && window.confirm(data.message + "\n" + L.anyway)) {
          postMove(info.event.id, start, resource, [data.code]).then(done).catch(fail);
          return;
        }
        info.revert(); say(L.refused + " " + data.message, "refused");
      }
      function fail() { info.revert(); say(L.failed, "refused"); }
      postMove(info.event.id, start, resource).then(done).catch(fail);
    },
    eventClick: function (info) { openDialog(info.event); },
    datesSet: function (info) {
      // Keep the address in step with the grid, so reload and "back" land here.
      var url = new URL(window.location.href);
      url.searchParams.set("date", wall(info.start).substring(0, 10));
      window.history.replaceState(null, "", url);
    }
  };
  var ec = EventCalendar.create(el, options);

  /* The keyboard and screen-reader path: Enter on a session opens this dialog, which
     can move it by typing a date and time (same service, same messages as a drag). */
  var current = null;
  function openDialog(ev) {
    current = ev;
    var p = ev.extendedProps;
    dialog.querySelector("[data-d=title]").textContent = ev.title;
    dialog.querySelector("[data-d=when]").textContent = wall(ev.start).replace("T", " ") + "–" + wall(ev.end).substring(11);
    dialog.querySelector("[data-d=meta]").textContent = [p.statusLabel, p.therapist, p.room, p.type, p.course].filter(Boolean).join(" · ");
    var client = dialog.querySelector("[data-d=client]");
    client.href = p.clientUrl;
    var record = dialog.querySelector("[data-d=record]");
    record.hidden = !p.recordUrl;
    if (p.recordUrl) record.href = p.recordUrl;
    var form = dialog.querySelector("form[data-d=move]");
    form.hidden = p.status !== "booked";
    form.elements.date.value = wall(ev.start).substring(0, 10);
    form.elements.time.value = wall(ev.start).substring(11, 16);
    dialog.querySelector("[data-d=message]").textContent = "";
    dialog.showModal();
  }
  dialog.querySelector("form[data-d=move]").addEventListener("submit", function (e) {
    e.preventDefault();
    var f = e.target;
    var msg = dialog.querySelector("[data-d=message]");
    postMove(current.id, f.elements.date.value + "T" + f.elements.time.value, (current.resourceIds || [])[0])
      .then(function (data) {
        if (data.ok) { dialog.close(); say(data.message, "ok"); ec.refetchEvents(); }
        else { msg.textContent = L.refused + " " + data.message; }
      }).catch(function () { msg.textContent = L.failed; });
  });
  dialog.querySelector("[data-d=close]").addEventListener("click", function () { dialog.close(); });

  /* The week view's therapist choice reloads the page (no submit button needed). */
  var pick = document.getElementById("week-therapist");
  if (pick) pick.addEventListener("change", function () { pick.form.submit(); });
})();
