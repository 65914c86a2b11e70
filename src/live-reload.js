// Added to pages by `opsbook serve` only: reloads the page when the site is rebuilt, and shows
// the problems of a build that failed in an overlay (the last good pages stay on screen).
// src/serve.rs calls this function with the events' address, the rebuild the page came from
// and the problems of the last build: arguments, not globals, which an element of a doc with
// the same id would shadow.
(function (events, generation, problems) {
  "use strict";
  var overlay = null;

  function showProblems(problems) {
    if (overlay) overlay.remove();
    overlay = null;
    if (!problems || !problems.length) return;
    overlay = document.createElement("div");
    overlay.id = "opsbook-problems";
    overlay.setAttribute("role", "alert");
    overlay.style.cssText = "position:fixed;inset:auto 1rem 1rem 1rem;max-height:60vh;overflow:auto;z-index:99999;" +
      "background:#2b0d0b;color:#ffe9e6;border:2px solid #e5534b;border-radius:8px;padding:1rem 1.25rem;" +
      "font:13px/1.5 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;box-shadow:0 8px 30px rgba(0,0,0,.4)";
    var title = document.createElement("strong");
    title.textContent = "opsbook: the last change broke the build; showing the last good site";
    overlay.appendChild(title);
    var list = document.createElement("ul");
    list.style.cssText = "margin:.5rem 0 0;padding-left:1.2rem";
    problems.forEach(function (p) {
      var item = document.createElement("li");
      var where = p.path + (p.line ? ":" + p.line + ":" + (p.column || 1) : "");
      item.textContent = where + ": " + p.severity + (p.code ? "[" + p.code + "]" : "") + ": " + p.message + (p.help ? "  (help: " + p.help + ")" : "");
      list.appendChild(item);
    });
    overlay.appendChild(list);
    document.body.appendChild(overlay);
  }

  showProblems(problems);
  var source = new EventSource(events);
  // On (re)connecting the server says which rebuild it serves: reload if this page is older.
  source.addEventListener("hello", function (event) {
    if (JSON.parse(event.data).generation > generation) location.reload();
  });
  source.addEventListener("reload", function () { location.reload(); });
  // A page left for another may stay in the back-forward cache with its stream open; a
  // browser opens six connections to one server, so after a few pages the next one would
  // wait. The stream closes with the page; a page brought back reloads, as it missed news.
  window.addEventListener("pagehide", function () { source.close(); });
  window.addEventListener("pageshow", function (event) {
    if (event.persisted) location.reload();
  });
  source.addEventListener("problems", function (event) {
    showProblems(JSON.parse(event.data).problems);
  });
})
