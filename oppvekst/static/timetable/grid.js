/* Moving lessons in a draft timetable: drag and drop, or select + arrow keys + Enter.
 * Every candidate target is checked by the server (GET …/mal/?plassering=ID) and marked
 * ok / warn / conflict (with text, not colour alone). A move is sent to …/flytt/; a refused
 * move changes nothing and its reason is announced. Without this script every lesson is a
 * link to a page that lists the free times. */
(function () {
  "use strict";
  var grid = document.getElementById("tt-grid");
  if (!grid || grid.dataset.editable !== "1") { return; }
  var panel = document.getElementById("tt-panel");
  var status = document.getElementById("tt-status");
  var selectedText = document.getElementById("tt-selected");
  var lockButton = document.getElementById("tt-lock");
  var cancelButton = document.getElementById("tt-cancel");
  var csrfInput = document.querySelector("#tt-csrf input[name=csrfmiddlewaretoken]");
  var text = panel.dataset;
  var state = { lesson: null, targets: {}, cursor: null, busy: false, revision: grid.dataset.revision };

  var cells = Array.prototype.slice.call(grid.querySelectorAll("td[data-day]"));
  var days = 0, periods = [];
  cells.forEach(function (td) {
    days = Math.max(days, Number(td.dataset.day) + 1);
    var p = Number(td.dataset.period);
    if (periods.indexOf(p) < 0) { periods.push(p); }
  });
  periods.sort(function (a, b) { return a - b; });

  function cell(day, period) {
    return grid.querySelector('td[data-day="' + day + '"][data-period="' + period + '"]');
  }
  function key(day, period) { return day + ":" + period; }

  function say(message, isError) {
    status.textContent = message || "";
    status.classList.toggle("is-error", Boolean(isError));
  }

  function clearMarks() {
    cells.forEach(function (td) {
      td.classList.remove("tt-ok", "tt-warn", "tt-conflict", "tt-current", "tt-cursor");
      td.removeAttribute("data-mark");
      td.removeAttribute("title");
      td.removeAttribute("tabindex");
      td.removeAttribute("aria-label");
    });
  }

  function deselect(keepMessage) {
    if (state.lesson) { state.lesson.classList.remove("tt-selected"); }
    var previous = state.lesson;
    state.lesson = null; state.targets = {}; state.cursor = null;
    clearMarks();
    panel.hidden = true;
    if (!keepMessage) { say(""); }
    if (previous) { previous.focus(); }
  }

  function markTargets(data) {
    clearMarks();
    data.targets.forEach(function (t) {
      state.targets[key(t.day, t.period)] = t;
      var td = cell(t.day, t.period);
      if (!td) { return; }
      td.setAttribute("tabindex", "-1");
      td.setAttribute("title", t.message);
      var mark = t.swap ? "⇄ " + text.textSwap : "✓ " + text.textOk;
      if (t.status === "ok") { td.classList.add("tt-ok"); td.setAttribute("data-mark", mark); }
      else if (t.status === "warn") { td.classList.add("tt-warn"); td.setAttribute("data-mark", "! " + mark); }
      else if (t.status === "current") { td.classList.add("tt-current"); }
      else { td.classList.add("tt-conflict"); }
    });
  }

  function headers(json) {
    var h = { "X-CSRFToken": csrfInput ? csrfInput.value : "", "Accept": "application/json" };
    if (json) { h["Content-Type"] = "application/x-www-form-urlencoded"; }
    return h;
  }

  function select(lesson) {
    if (state.lesson === lesson) { deselect(); return Promise.resolve(); }
    if (state.lesson) { state.lesson.classList.remove("tt-selected"); }
    state.lesson = lesson;
    lesson.classList.add("tt-selected");
    panel.hidden = false;
    var label = lesson.textContent.replace(/\s+/g, " ").trim();
    selectedText.textContent = text.textSelected + ": " + label + ". " + text.textHelp;
    lockButton.textContent = lesson.dataset.locked === "1" ? text.textUnlock : text.textLock;
    say(text.textLoading);
    var url = grid.dataset.targetsUrl + "?plassering=" + encodeURIComponent(lesson.dataset.placement);
    return fetch(url, { headers: headers(false), credentials: "same-origin" })
      .then(function (r) { return r.json(); })
      .then(function (data) {
        if (state.lesson !== lesson) { return; }
        if (!data.targets) { say(data.message || "", true); return; }
        state.revision = data.revision;
        markTargets(data);
        say(selectedText.textContent);
        moveCursor(Number(lesson.dataset.day), Number(lesson.dataset.period));
      })
      .catch(function () { say("", false); });
  }

  function moveCursor(day, period) {
    var td = cell(day, period);
    if (!td) { return; }
    if (state.cursor) {
      var old = cell(state.cursor[0], state.cursor[1]);
      if (old) { old.classList.remove("tt-cursor"); }
    }
    state.cursor = [day, period];
    td.classList.add("tt-cursor");
    td.focus();
    var t = state.targets[key(day, period)];
    var header = grid.querySelectorAll("thead th")[day + 1];
    var rowHeader = td.parentNode.querySelector("th");
    var where = (header ? header.textContent : "") + " " + (rowHeader ? rowHeader.querySelector(".tt-plabel").textContent : "");
    if (t) {
      // A refusal already names the time; a free target gets its place in front.
      say(t.status === "conflict" ? t.message : where.trim() + ": " + t.message, t.status === "conflict");
    }
  }

  function attempt(day, period) {
    if (!state.lesson || state.busy) { return; }
    var lesson = state.lesson;
    if (Number(lesson.dataset.day) === day && Number(lesson.dataset.period) === period) { return; }
    state.busy = true;
    say(text.textMoving);
    var body = new URLSearchParams();
    body.set("plassering", lesson.dataset.placement);
    body.set("day", String(day));
    body.set("period", String(period));
    body.set("revision", String(state.revision));
    fetch(grid.dataset.moveUrl, { method: "POST", headers: headers(true), body: body, credentials: "same-origin" })
      .then(function (r) { return r.json(); })
      .then(function (data) {
        state.busy = false;
        if (data.ok) { window.location.reload(); return; }
        say(data.message, true);
        if (state.cursor) { var td = cell(state.cursor[0], state.cursor[1]); if (td) { td.focus(); } }
      })
      .catch(function () { state.busy = false; });
  }

  function toggleLock() {
    if (!state.lesson) { return; }
    var body = new URLSearchParams();
    body.set("plassering", state.lesson.dataset.placement);
    body.set("locked", state.lesson.dataset.locked === "1" ? "0" : "1");
    body.set("revision", String(state.revision));
    fetch(grid.dataset.lockUrl, { method: "POST", headers: headers(true), body: body, credentials: "same-origin" })
      .then(function (r) { return r.json(); })
      .then(function (data) {
        if (data.ok) { window.location.reload(); return; }
        say(data.message, true);
      });
  }

  grid.addEventListener("click", function (event) {
    var lesson = event.target.closest("a.tt-lesson");
    if (lesson) {
      event.preventDefault();
      if (state.lesson && state.lesson !== lesson) {
        var td = lesson.closest("td");
        attempt(Number(td.dataset.day), Number(td.dataset.period));
        return;
      }
      select(lesson);
      return;
    }
    var target = event.target.closest("td[data-day]");
    if (target && state.lesson) {
      attempt(Number(target.dataset.day), Number(target.dataset.period));
    }
  });

  grid.addEventListener("keydown", function (event) {
    if (!state.lesson) {
      var lesson = event.target.closest && event.target.closest("a.tt-lesson");
      if (lesson && (event.key === " " || event.key === "Spacebar")) { event.preventDefault(); select(lesson); }
      return;
    }
    var c = state.cursor || [Number(state.lesson.dataset.day), Number(state.lesson.dataset.period)];
    var i = periods.indexOf(c[1]);
    if (event.key === "ArrowLeft") { event.preventDefault(); moveCursor(Math.max(0, c[0] - 1), c[1]); }
    else if (event.key === "ArrowRight") { event.preventDefault(); moveCursor(Math.min(days - 1, c[0] + 1), c[1]); }
    else if (event.key === "ArrowUp") { event.preventDefault(); moveCursor(c[0], periods[Math.max(0, i - 1)]); }
    else if (event.key === "ArrowDown") { event.preventDefault(); moveCursor(c[0], periods[Math.min(periods.length - 1, i + 1)]); }
    else if (event.key === "Enter" || event.key === " ") { event.preventDefault(); attempt(c[0], c[1]); }
    else if (event.key === "Escape") { event.preventDefault(); deselect(); }
  });

  grid.addEventListener("dragstart", function (event) {
    var lesson = event.target.closest && event.target.closest("a.tt-lesson");
    if (!lesson) { return; }
    event.dataTransfer.setData("text/plain", lesson.dataset.placement);
    event.dataTransfer.effectAllowed = "move";
    if (state.lesson !== lesson) { select(lesson); }
  });
  grid.addEventListener("dragover", function (event) {
    if (event.target.closest && event.target.closest("td[data-day]") && state.lesson) {
      event.preventDefault();
      event.dataTransfer.dropEffect = "move";
    }
  });
  grid.addEventListener("drop", function (event) {
    var td = event.target.closest && event.target.closest("td[data-day]");
    if (!td || !state.lesson) { return; }
    event.preventDefault();
    attempt(Number(td.dataset.day), Number(td.dataset.period));
  });

  lockButton.addEventListener("click", toggleLock);
  cancelButton.addEventListener("click", function () { deselect(); });
}());
