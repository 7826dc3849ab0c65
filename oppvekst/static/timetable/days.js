/* One day at a time on a phone: buttons above the grid show a single day or the whole week.
 * A read-only grid on a phone starts on today's day (Monday at the weekend); a draft being
 * edited starts on the whole week, since lessons move between days. Without this script the
 * grid scrolls sideways in its own keyboard-reachable box. */
(function () {
  "use strict";
  var grid = document.getElementById("tt-grid");
  var bar = document.getElementById("tt-days");
  if (!grid || !bar) { return; }
  var heads = Array.prototype.slice.call(grid.querySelectorAll("thead th[data-day]"));
  if (heads.length < 2) { return; }
  var buttons = [];

  function show(day) {
    grid.classList.toggle("tt-one-day", day !== null);
    Array.prototype.forEach.call(grid.rows, function (row) {
      Array.prototype.forEach.call(row.cells, function (cell, index) {
        cell.classList.toggle("tt-hidden-day", day !== null && index > 0 && index - 1 !== day);
      });
    });
    buttons.forEach(function (b) {
      var value = b.dataset.day === "" ? null : Number(b.dataset.day);
      b.setAttribute("aria-pressed", value === day ? "true" : "false");
    });
  }

  function add(label, day) {
    var b = document.createElement("button");
    b.type = "button";
    b.className = "tt-day-button";
    b.textContent = label;
    b.dataset.day = day === null ? "" : String(day);
    b.addEventListener("click", function () { show(day); });
    bar.appendChild(b);
    buttons.push(b);
  }

  heads.forEach(function (th) { add(th.textContent.trim(), Number(th.dataset.day)); });
  add(bar.dataset.weekLabel, null);
  bar.hidden = false;
  var phone = window.matchMedia && window.matchMedia("(max-width: 40rem)").matches;
  if (phone && grid.dataset.editable !== "1") {
    var today = (new Date().getDay() + 6) % 7;  // Monday = 0
    show(today < heads.length ? today : 0);
  } else {
    show(null);
  }
})();
