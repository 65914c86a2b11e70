// opsbook default theme: sortable tables, the services filter and copy buttons.
// No dependencies, no network: works from file:// as well as from any web server.
(function () {
  "use strict";

  // ---------- sorting: <table class="sortable"> with <th data-sort="text|num"> ----------
  // A cell's sort key is its data-sort-value attribute when present, else its text.
  function cellKey(row, index, numeric) {
    var cell = row.cells[index];
    if (!cell) return numeric ? -Infinity : "";
    var raw = cell.hasAttribute("data-sort-value") ? cell.getAttribute("data-sort-value") : cell.textContent;
    raw = raw.trim();
    if (numeric) {
      var n = parseFloat(raw);
      return isNaN(n) ? -Infinity : n;
    }
    return raw.toLowerCase();
  }

  function compareKeys(a, b) {
    if (typeof a === "number") return a - b;
    return a.localeCompare(b, undefined, { numeric: true });
  }

  function sortTable(table, th, direction) {
    var headers = table.tHead.rows[0].cells;
    var index = Array.prototype.indexOf.call(headers, th);
    var numeric = th.getAttribute("data-sort") === "num";
    var body = table.tBodies[0];
    var rows = Array.prototype.slice.call(body.rows);
    var keyed = rows.map(function (row, position) {
      return { row: row, key: cellKey(row, index, numeric), position: position };
    });
    keyed.sort(function (x, y) {
      var c = compareKeys(x.key, y.key);
      if (c === 0) return x.position - y.position; // stable
      return direction === "ascending" ? c : -c;
    });
    var fragment = document.createDocumentFragment();
    keyed.forEach(function (k) { fragment.appendChild(k.row); });
    body.appendChild(fragment);
    Array.prototype.forEach.call(headers, function (h) {
      if (h !== th) h.removeAttribute("aria-sort");
    });
    th.setAttribute("aria-sort", direction);
  }

  function initSortable(table) {
    if (!table.tHead || !table.tBodies.length) return;
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th) {
      if (!th.hasAttribute("data-sort")) return;
      th.tabIndex = 0;
      th.title = "Sort by " + th.textContent.trim().toLowerCase();
      function activate() {
        var current = th.getAttribute("aria-sort");
        // Numbers (levels, scores, failing counts) are most useful worst-first or best-first:
        // the first click sorts text ascending and numbers descending.
        var first = th.getAttribute("data-sort") === "num" ? "descending" : "ascending";
        var next = current ? (current === "ascending" ? "descending" : "ascending") : first;
        sortTable(table, th, next);
      }
      th.addEventListener("click", activate);
      th.addEventListener("keydown", function (event) {
        if (event.key === "Enter" || event.key === " ") {
          event.preventDefault();
          activate();
        }
      });
    });
  }

  // ---------- filtering: <form class="filters" data-filter-for="table-id"> ----------
  function initFilters(form) {
    var table = document.getElementById(form.getAttribute("data-filter-for"));
    if (!table) return;
    var rows = Array.prototype.slice.call(table.tBodies[0].rows);
    var count = form.querySelector(".filter-count");
    var noMatch = table.closest("section") && table.closest("section").querySelector(".no-match");
    var fields = {
      q: form.elements.q, team: form.elements.team, tier: form.elements.tier,
      level: form.elements.level, below: form.elements.below
    };

    function state() {
      return {
        q: fields.q ? fields.q.value.trim().toLowerCase() : "",
        team: fields.team ? fields.team.value : "",
        tier: fields.tier ? fields.tier.value : "",
        level: fields.level ? fields.level.value : "",
        below: fields.below ? fields.below.checked : false
      };
    }

    function apply() {
      var s = state();
      var terms = s.q ? s.q.split(/\s+/) : [];
      var shown = 0;
      rows.forEach(function (row) {
        var text = (row.getAttribute("data-search") || row.textContent).toLowerCase();
        var ok = terms.every(function (t) { return text.indexOf(t) !== -1; }) &&
          (!s.team || row.getAttribute("data-team") === s.team) &&
          (!s.tier || row.getAttribute("data-tier") === s.tier) &&
          (!s.level || row.getAttribute("data-level") === s.level) &&
          (!s.below || row.getAttribute("data-below") === "1");
        row.hidden = !ok;
        if (ok) shown += 1;
      });
      if (count) {
        count.textContent = shown === rows.length
          ? rows.length + " services"
          : "showing " + shown + " of " + rows.length + " services";
      }
      if (noMatch) noMatch.hidden = shown !== 0;
      saveToHash(s);
    }

    // The filter lives in the URL fragment (#team=payments&below=1), so a filtered view can be
    // bookmarked or shared. Only keys we know are read back.
    function saveToHash(s) {
      var parts = [];
      if (s.q) parts.push("q=" + encodeURIComponent(s.q));
      ["team", "tier", "level"].forEach(function (k) {
        if (s[k]) parts.push(k + "=" + encodeURIComponent(s[k]));
      });
      if (s.below) parts.push("below=1");
      var hash = parts.length ? "#" + parts.join("&") : "";
      if (hash === location.hash || (!hash && (location.hash === "" || location.hash === "#services"))) return;
      try {
        history.replaceState(null, "", hash || location.pathname + location.search);
      } catch (e) { /* some browsers refuse replaceState on file:// */ }
    }

    function loadFromHash() {
      var hash = location.hash.replace(/^#/, "");
      if (!hash || hash.indexOf("=") === -1) return;
      hash.split("&").forEach(function (pair) {
        var i = pair.indexOf("=");
        var key = pair.slice(0, i);
        var value;
        try { value = decodeURIComponent(pair.slice(i + 1)); } catch (e) { return; }
        var field = fields[key];
        if (!field) return;
        if (field.type === "checkbox") field.checked = value === "1";
        else if (field.tagName === "SELECT") {
          if (Array.prototype.some.call(field.options, function (o) { return o.value === value; })) field.value = value;
        } else field.value = value;
      });
    }

    // Enter in the search field would submit the form and reload the page. Here, not in an
    // onsubmit attribute: the pages' content security policy runs no inline script.
    form.addEventListener("submit", function (event) { event.preventDefault(); });
    form.addEventListener("input", apply);
    form.addEventListener("change", apply);
    form.addEventListener("reset", function () { setTimeout(apply, 0); });

    // Level cards on the overview filter the table by level.
    Array.prototype.forEach.call(document.querySelectorAll("[data-filter-level]"), function (card) {
      card.addEventListener("click", function (event) {
        if (!fields.level) return;
        event.preventDefault();
        var level = card.getAttribute("data-filter-level");
        fields.level.value = fields.level.value === level ? "" : level;
        apply();
        form.scrollIntoView({ block: "start" });
      });
    });

    loadFromHash();
    apply();
  }

  // Printing shows everything: open collapsed details first, restore them afterwards.
  var openedForPrint = [];
  window.addEventListener("beforeprint", function () {
    Array.prototype.forEach.call(document.querySelectorAll("details:not([open])"), function (d) {
      d.open = true;
      openedForPrint.push(d);
    });
  });
  window.addEventListener("afterprint", function () {
    openedForPrint.forEach(function (d) { d.open = false; });
    openedForPrint = [];
  });

  // ---------- copy buttons: <button data-copy="#field"> copies the field's value ----------
  // The clipboard API needs a secure context (not file://): fall back to selecting the text.
  function initCopy(button) {
    var field = document.querySelector(button.getAttribute("data-copy"));
    if (!field) return;
    button.addEventListener("click", function () {
      field.select();
      var done = function () {
        button.textContent = "Copied";
        setTimeout(function () { button.textContent = "Copy"; }, 1500);
      };
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(field.value).then(done, function () {});
      } else if (document.execCommand && document.execCommand("copy")) {
        done();
      }
    });
  }

  function init() {
    Array.prototype.forEach.call(document.querySelectorAll("button[data-copy]"), initCopy);
    Array.prototype.forEach.call(document.querySelectorAll("table.sortable"), initSortable);
    Array.prototype.forEach.call(document.querySelectorAll("form.filters[data-filter-for]"), initFilters);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
