/* Progressive enhancement for every page: the phone menu, scroll boxes for wide tables and copy
   buttons. Everything works without it; the CSP forbids inline script, so it lives here. */
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  function ready(fn) {
    if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", fn);
    else fn();
  }

  function setUpMenu() {
    var button = document.querySelector(".menu-toggle");
    var menu = document.getElementById("site-menu");
    if (!button || !menu) return;
    button.hidden = false;
    button.addEventListener("click", function () {
      var open = menu.classList.toggle("open");
      button.setAttribute("aria-expanded", open ? "true" : "false");
    });
    document.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && menu.classList.contains("open")) {
        menu.classList.remove("open");
        button.setAttribute("aria-expanded", "false");
        button.focus();
      }
    });
  }

  function labelFor(table) {
    var caption = table.querySelector("caption");
    if (caption && caption.textContent.trim()) return caption.textContent.trim();
    if (table.getAttribute("aria-label")) return table.getAttribute("aria-label");
    var node = table;
    while (node && node !== document.body) {
      var prev = node.previousElementSibling;
      while (prev) {
        if (/^H[1-6]$/.test(prev.tagName)) return prev.textContent.trim();
        var inner = prev.querySelectorAll ? prev.querySelectorAll("h1,h2,h3,h4,h5,h6") : [];
        if (inner.length) return inner[inner.length - 1].textContent.trim();
        prev = prev.previousElementSibling;
      }
      node = node.parentElement;
    }
    return document.title;
  }

  /* A scroll box must be reachable by keyboard (WCAG 2.1.1): it gets tabindex and a name. */
  function makeScrollable(box, table) {
    box.setAttribute("tabindex", "0");
    box.setAttribute("role", "region");
    if (!box.getAttribute("aria-label") && !box.getAttribute("aria-labelledby")) {
      box.setAttribute("aria-label", labelFor(table));
    }
  }

  function wrapTables() {
    var tables = document.querySelectorAll("main table");
    Array.prototype.forEach.call(tables, function (table) {
      var parent = table.parentElement;
      if (parent.classList.contains("table-scroll") || parent.classList.contains("tt-scroll")) {
        makeScrollable(parent, table);
        return;
      }
      var box = document.createElement("div");
      box.className = "table-scroll";
      parent.insertBefore(box, table);
      box.appendChild(table);
      makeScrollable(box, table);
    });
  }

  function setUpCopyButtons() {
    var buttons = document.querySelectorAll("button[data-copy]");
    Array.prototype.forEach.call(buttons, function (button) {
      var source = document.getElementById(button.getAttribute("data-copy"));
      if (!source) return;
      button.hidden = false;
      var status = document.getElementById(button.getAttribute("data-copy") + "-status");
      button.addEventListener("click", function () {
        var text = source.value !== undefined ? source.value : source.textContent;
        var done = function () {
          if (status) status.textContent = button.getAttribute("data-copied") || "";
        };
        if (navigator.clipboard && navigator.clipboard.writeText) {
          navigator.clipboard.writeText(text.trim()).then(done, function () {
            if (source.select) { source.select(); document.execCommand("copy"); done(); }
          });
        } else if (source.select) {
          source.select();
          document.execCommand("copy");
          done();
        }
      });
    });
  }

  ready(function () {
    setUpMenu();
    wrapTables();
    setUpCopyButtons();
  });
})();
