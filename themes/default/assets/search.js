// opsbook default theme: the search box in the header.
// The index (search-index.js at the site root, written by src/site/search.rs) is loaded the
// first time the box is used, as a <script> rather than with fetch(): browsers refuse fetch()
// of files opened from disk, and the site must work there too.
(function () {
  "use strict";

  var MAX_RESULTS = 12;
  // Must match LONGEST_TERM in src/site/search.rs: longer words are not in the index.
  var LONGEST_TERM = 32;
  // A word that only starts a term counts for less than the whole term typed out.
  var PREFIX_WEIGHT = 0.5;

  var box = document.querySelector(".site-search");
  if (!box) return;
  var input = box.querySelector(".search-input");
  var list = box.querySelector(".search-results");
  var status = box.querySelector(".search-status");
  var root = box.getAttribute("data-root") || "";
  var index = null;
  var loading = false;
  var results = [];
  var active = -1;
  box.hidden = false;

  // The index, once search-index.js has run. Read as the window's own property: a global
  // that is not set yet reads as any element of the page with that id (a doc's
  // `<a id="opsbookSearchIndex">`), and the index script's assignment is what makes it own.
  function loadedIndex() {
    if (!Object.prototype.hasOwnProperty.call(window, "opsbookSearchIndex")) return null;
    var loaded = window.opsbookSearchIndex;
    return loaded && Array.isArray(loaded.terms) ? loaded : null;
  }

  function load() {
    if (index || loading) return;
    index = loadedIndex();
    if (index) return;
    loading = true;
    say("Loading the search index…");
    var script = document.createElement("script");
    script.src = root + "search-index.js";
    script.onload = function () {
      loading = false;
      index = loadedIndex();
      if (index) update();
      else say("The search index could not be loaded.");
    };
    script.onerror = function () {
      loading = false;
      say("The search index could not be loaded.");
    };
    document.head.appendChild(script);
  }

  // The same words src/site/search.rs indexes: lower-case runs of letters and digits.
  function words(text) {
    return text.toLowerCase().split(/[^\p{Alphabetic}\p{N}]+/u).filter(function (w) {
      return w.length > 0;
    });
  }

  // Documents with a term that `word` starts, each with its best such term's score.
  function lookup(word) {
    var terms = index.terms;
    var low = 0;
    var high = terms.length;
    while (low < high) {
      var middle = (low + high) >> 1;
      if (terms[middle] < word) low = middle + 1;
      else high = middle;
    }
    var scores = new Map();
    for (var t = low; t < terms.length && terms[t].lastIndexOf(word, 0) === 0; t++) {
      var postings = index.postings[t];
      // Rare terms say more about a document than ones found everywhere.
      var rarity = Math.log(1 + index.docs.length / (postings.length / 2));
      var weight = (terms[t] === word ? 1 : PREFIX_WEIGHT) * rarity;
      var doc = 0;
      for (var p = 0; p < postings.length; p += 2) {
        doc += postings[p];
        var score = postings[p + 1] * weight;
        if (!(scores.get(doc) >= score)) scores.set(doc, score);
      }
    }
    return scores;
  }

  // Documents that have every word of the query, best first. The last word may still be
  // being typed, so stop words count there (as prefixes) but are skipped before it.
  function search(query) {
    var typed = words(query);
    var wanted = typed.filter(function (word, i) {
      return i === typed.length - 1 || index.stop.indexOf(word) < 0;
    });
    if (!wanted.length) return [];
    var total = null;
    for (var w = 0; w < wanted.length; w++) {
      if (wanted[w].length > LONGEST_TERM) return [];
      var scores = lookup(wanted[w]);
      if (total === null) {
        total = scores;
        continue;
      }
      var both = new Map();
      total.forEach(function (score, doc) {
        if (scores.has(doc)) both.set(doc, score + scores.get(doc));
      });
      total = both;
    }
    var hits = [];
    total.forEach(function (score, doc) {
      hits.push({ doc: doc, score: score });
    });
    hits.sort(function (a, b) {
      return b.score - a.score || a.doc - b.doc;
    });
    return hits.slice(0, MAX_RESULTS).map(function (hit) {
      var d = index.docs[hit.doc];
      return { kind: d[0], title: d[1], url: root + d[2], context: d[3] };
    });
  }

  function say(text) {
    status.textContent = text;
  }

  function span(className, text) {
    var element = document.createElement("span");
    element.className = className;
    // Text, never HTML: titles come from users' files.
    element.textContent = text;
    return element;
  }

  function show() {
    list.textContent = "";
    results.forEach(function (result, i) {
      var option = document.createElement("li");
      option.id = "search-result-" + i;
      option.setAttribute("role", "option");
      option.setAttribute("aria-selected", "false");
      var link = document.createElement("a");
      link.href = result.url;
      link.tabIndex = -1;
      link.appendChild(span("search-title", result.title));
      link.appendChild(span("search-kind", result.kind));
      if (result.context) link.appendChild(span("search-context", result.context));
      option.appendChild(link);
      list.appendChild(option);
    });
    list.hidden = results.length === 0;
    input.setAttribute("aria-expanded", results.length ? "true" : "false");
    select(-1);
  }

  function update() {
    var query = input.value.trim();
    if (!query) {
      results = [];
      say("");
      show();
      return;
    }
    if (!index) {
      load();
      return;
    }
    results = search(query);
    say(results.length
      ? results.length + " result" + (results.length === 1 ? "" : "s")
      : "No results for “" + query + "”");
    show();
  }

  function select(i) {
    active = i;
    Array.prototype.forEach.call(list.children, function (option, n) {
      option.setAttribute("aria-selected", n === i ? "true" : "false");
    });
    if (i >= 0) {
      input.setAttribute("aria-activedescendant", "search-result-" + i);
      list.children[i].scrollIntoView({ block: "nearest" });
    } else {
      input.removeAttribute("aria-activedescendant");
    }
  }

  function close() {
    list.hidden = true;
    input.setAttribute("aria-expanded", "false");
    say("");
    select(-1);
  }

  input.addEventListener("focus", function () {
    load();
    if (input.value.trim()) update();
  });
  input.addEventListener("input", update);
  input.addEventListener("keydown", function (event) {
    var open = !list.hidden && results.length > 0;
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      if (!results.length) return;
      event.preventDefault();
      if (!open) show();
      var last = results.length - 1;
      if (event.key === "ArrowDown") select(active >= last ? 0 : active + 1);
      else select(active <= 0 ? last : active - 1);
    } else if (event.key === "Enter") {
      if (!results.length) return;
      event.preventDefault();
      var chosen = results[active >= 0 ? active : 0];
      close();
      window.location.href = chosen.url;
    } else if (event.key === "Escape") {
      event.preventDefault();
      if (open || status.textContent) close();
      else input.value = "";
    }
  });
  // Leaving the box (by Tab or a click elsewhere) closes the results; clicking one of them
  // moves focus inside the box, so the click still lands.
  box.addEventListener("focusout", function (event) {
    if (!box.contains(event.relatedTarget)) close();
  });

  // "/" from anywhere on the page, unless the reader is typing somewhere.
  document.addEventListener("keydown", function (event) {
    if (event.key !== "/" || event.ctrlKey || event.metaKey || event.altKey || event.defaultPrevented) return;
    var target = event.target;
    if (target && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName))) return;
    event.preventDefault();
    input.focus();
    input.select();
  });
})();
