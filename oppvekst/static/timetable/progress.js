/* Live progress of a timetable solve: the form is sent in the background and the job's small
 * JSON status (…/status/?nokkel=KEY) is polled until it is finished. Without this script the
 * form posts normally and the page shows the latest status. */
(function () {
  "use strict";
  var box = document.getElementById("fremdrift");
  if (!box) { return; }
  var form = document.getElementById("solve-form");
  var out = document.getElementById("progress-status");
  var bar = document.getElementById("progress-bar");
  var t = box.dataset;
  var timer = null;

  function el(tag, content, cls) {
    var node = document.createElement(tag);
    if (content) { node.textContent = content; }
    if (cls) { node.className = cls; }
    return node;
  }

  function fmt(n, digits) {
    return Number(n).toLocaleString("nb-NO", { minimumFractionDigits: digits, maximumFractionDigits: digits });
  }

  function render(job) {
    out.textContent = "";
    if (job.status === "waiting") { out.appendChild(el("p", t.textWaiting)); return; }
    var line = job.status_text;
    if (job.solutions) { line += " – " + job.solutions + " " + t.textSolutions; }
    if (job.best_penalty !== null && job.best_penalty !== undefined) {
      line += ", " + t.textPenalty + " " + fmt(job.best_penalty, 2);
    }
    line += " (" + fmt(job.elapsed, 1) + " / " + job.time_limit + " " + t.textSeconds + ")";
    var p = el("p"); p.appendChild(el("strong", line)); out.appendChild(p);
    bar.hidden = job.finished;
    bar.value = Math.min(100, Math.round(100 * job.elapsed / Math.max(1, job.time_limit)));
    if (job.finished) {
      if (job.status === "solved" && job.version_url) {
        var a = el("a", t.textOpen); a.href = job.version_url; a.id = "open-version";
        var pa = el("p"); pa.appendChild(a); out.appendChild(pa);
      }
      if (job.status === "failed") { out.appendChild(el("p", t.textFailed, "error")); }
      else if (job.message) { out.appendChild(el("p", job.message)); }
      if (job.conflict && job.conflict.length) {
        out.appendChild(el("p", t.textConflict));
        var ul = el("ul", null, "tt-conflicts");
        job.conflict.forEach(function (c) { ul.appendChild(el("li", c)); });
        out.appendChild(ul);
      }
    }
  }

  function poll(nokkel) {
    var url = t.statusUrl + (nokkel ? "?nokkel=" + encodeURIComponent(nokkel) : "");
    fetch(url, { headers: { "Accept": "application/json" }, credentials: "same-origin" })
      .then(function (r) { return r.json(); })
      .then(function (job) {
        render(job);
        if (!job.finished) { timer = window.setTimeout(function () { poll(nokkel); }, 700); }
      })
      .catch(function () { timer = window.setTimeout(function () { poll(nokkel); }, 1500); });
  }

  if (box.dataset.running === "1") { poll(""); }

  if (form) {
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var data = new FormData(form);
      var nokkel = data.get("idempotency_key");
      var button = form.querySelector("button[type=submit]");
      button.disabled = true;
      if (timer) { window.clearTimeout(timer); }
      render({ status: "waiting" });
      box.focus();
      poll(nokkel);
      fetch(form.action, {
        method: "POST",
        body: data,
        headers: { "Accept": "application/json" },
        credentials: "same-origin"
      })
        .then(function (r) { return r.json(); })
        .then(function (answer) {
          if (!answer.ok) {
            if (timer) { window.clearTimeout(timer); }
            out.textContent = "";
            out.appendChild(el("p", answer.message || Object.values(answer.fields || {}).join(" "), "error"));
          }
          button.disabled = false;
          var fresh = form.querySelector("input[name=idempotency_key]");
          fresh.value = String(Date.now()) + Math.random().toString(16).slice(2);
        })
        .catch(function () { button.disabled = false; });
    });
  }
}());
