// Progress of a running invoice run: polls the status URL and reloads when the run is done.
(function () {
  "use strict";
  var box = document.getElementById("run-progress");
  if (!box) { return; }
  var url = box.getAttribute("data-status-url");
  var bar = document.getElementById("progress-bar");
  var text = document.getElementById("progress-text");
  var label = document.getElementById("progress-label");
  function poll() {
    fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (response) { return response.json(); })
      .then(function (data) {
        bar.value = data.percent;
        text.textContent = data.percent + " %";
        if (data.label) { label.textContent = data.label; }
        if (data.busy) { window.setTimeout(poll, 1500); } else { window.location.reload(); }
      })
      .catch(function () { window.setTimeout(poll, 5000); });
  }
  window.setTimeout(poll, 1000);
})();
