/* Linkage search widget: a search box and results for any web page, over the Linkage API.
 *
 *   <script src="https://linkage.example/widget.js" data-key="PARTNER-KEY" defer></script>
 *   <div id="linkage-widget"></div>
 *
 * Attributes of the <script> tag:
 *   data-key       the partner key (sent as X-API-Key; the key must list the page's origin)
 *   data-target    a CSS selector of the element to fill; default: the <div> right after the
 *                  script, else the element with id "linkage-widget"
 *   data-zip       a ZIP code to start with
 *   data-per-page  results per page (1-20, default 5)
 *   data-radius    miles around the ZIP code (default: the service's own)
 *
 * Everything is drawn inside a shadow root of the target, styles included: nothing is added to
 * the host page's styles or to `window`. The host themes the widget with CSS custom properties
 * set on the target (or any ancestor), for example
 *   #linkage-widget { --linkage-accent: #6a1b9a; --linkage-radius: 0; }
 * --linkage-accent, --linkage-accent-text, --linkage-text, --linkage-muted, --linkage-bg,
 * --linkage-card-bg, --linkage-border, --linkage-focus, --linkage-font, --linkage-font-size,
 * --linkage-radius; parts (::part) are named form, input, button, result and more.
 * The API's origin is the origin this script was loaded from; no other host is contacted.
 *
 * This file is the widget's own code; /widget.js serves it with the DOM helpers it shares with
 * the case-manager page (dom.js, LinkageDom) in one closure around both (see
 * linkage/web/pages.py, widget_script), so LinkageDom is no global on the partner's page.
 */
(function () {
  "use strict";

  var dom = LinkageDom;
  var el = dom.el;

  var script = document.currentScript || lastWidgetScript();
  if (!script || !script.src) return;

  var API = new URL(script.src, document.baseURI).origin;
  var KEY = script.getAttribute("data-key") || "";
  var START_ZIP = script.getAttribute("data-zip") || "";
  var PER_PAGE = clamp(parseInt(script.getAttribute("data-per-page"), 10) || 5, 1, 20);
  var RADIUS = parseFloat(script.getAttribute("data-radius")) || 0;

  // What the widget says about the API's answers (dom.js, requestJson).
  var WORDS = {
    fields: { q: "Need or keyword", near: "ZIP code", radius: "Distance", page: "Page" },
    errors: {
      400: invalid,
      422: invalid,
      401: function (s) {
        return "This search box is not set up correctly: " + (s.message || "its key was not accepted") + ".";
      },
      403: function (s) {
        return "This site may not use this search: " + (s.message || "access was refused") + ".";
      },
      429: function (s) {
        return "Too many searches right now." + s.later;
      },
      503: function (s) {
        return "Search is unavailable right now." + s.later;
      },
    },
    unreachable:
      "The search could not be reached. Check the connection and try again; if this keeps " +
      "happening, this site may not be set up to use it.",
    unreadable: "The search sent an unreadable answer.",
    failed: "Something went wrong in the search box. Reload the page and try again.",
    readable: function (body) {
      return Boolean(body) && Array.isArray(body.results);
    },
  };

  function invalid(s) {
    return "Please check the search. " + (s.details || s.message || "It was not accepted.");
  }

  var CSS = [
    ":host {",
    "  all: initial; display: block;",
    "  font-family: var(--linkage-font, system-ui, -apple-system, 'Segoe UI', Roboto, 'DejaVu Sans', Arial, sans-serif);",
    "  font-size: var(--linkage-font-size, 16px); line-height: 1.5;",
    "  color: var(--linkage-text, #1a1a1a); overflow-wrap: break-word;",
    "}",
    ":host([hidden]) { display: none; }",
    "*, *::before, *::after { box-sizing: border-box; }",
    "[hidden] { display: none !important; }",
    ".widget { background: var(--linkage-bg, #ffffff); border: 1px solid var(--linkage-border, #c9d1da);",
    "  border-radius: var(--linkage-radius, 8px); padding: 1em; }",
    "form { margin: 0; }",
    ".fields { display: flex; flex-wrap: wrap; gap: 0.75em; align-items: flex-end; }",
    ".field { display: flex; flex-direction: column; gap: 0.25em; flex: 3 1 12em; min-width: 0; }",
    ".field.zip { flex: 1 1 7em; }",
    "label { font-weight: 600; font-size: 0.9em; }",
    "input { font: inherit; color: inherit; background: var(--linkage-card-bg, #ffffff); width: 100%;",
    "  padding: 0.5em 0.6em; border: 1px solid var(--linkage-border, #8a94a0);",
    "  border-radius: var(--linkage-radius, 8px); margin: 0; }",
    "button { font: inherit; cursor: pointer; margin: 0; border-radius: var(--linkage-radius, 8px); }",
    "button.search { flex: 0 0 auto; padding: 0.5em 1.25em; font-weight: 600; border: 2px solid var(--linkage-accent, #0b5394);",
    "  background: var(--linkage-accent, #0b5394); color: var(--linkage-accent-text, #ffffff); }",
    "button.more { margin-top: 0.75em; padding: 0.4em 1em; background: transparent;",
    "  color: var(--linkage-accent, #0b5394); border: 2px solid var(--linkage-accent, #0b5394); }",
    "button:disabled { opacity: 0.6; cursor: progress; }",
    ":focus-visible { outline: 3px solid var(--linkage-focus, #ffbf47); outline-offset: 2px; }",
    "a { color: var(--linkage-accent, #0b5394); }",
    ".status { margin: 0.75em 0 0; color: var(--linkage-muted, #4a5563); font-size: 0.95em; }",
    ".status:empty { display: none; }",
    ".error { margin: 0.75em 0 0; padding: 0.5em 0.75em; color: #8a1c1c; background: #fbe9e9;",
    "  border-left: 4px solid #8a1c1c; border-radius: var(--linkage-radius, 8px); }",
    "ol.results { list-style: none; margin: 0.75em 0 0; padding: 0; display: grid; gap: 0.75em; }",
    "article { background: var(--linkage-card-bg, #ffffff); border: 1px solid var(--linkage-border, #c9d1da);",
    "  border-left: 4px solid var(--linkage-accent, #0b5394); border-radius: var(--linkage-radius, 8px); padding: 0.75em 1em; }",
    "h3 { margin: 0; font-size: 1.1em; line-height: 1.3; }",
    ".org { margin: 0.1em 0 0; color: var(--linkage-muted, #4a5563); }",
    ".badge { display: inline-block; margin-top: 0.35em; padding: 0 0.5em; border-radius: 999px; font-size: 0.85em; font-weight: 600; }",
    ".badge.open { color: #1e6b34; background: #e3f3e7; }",
    ".badge.closed { color: #8a1c1c; background: #fbe9e9; }",
    "dl { margin: 0.5em 0 0; display: grid; grid-template-columns: max-content 1fr; gap: 0.15em 0.75em; }",
    "dt { font-weight: 600; color: var(--linkage-muted, #4a5563); }",
    "dd { margin: 0; min-width: 0; }",
    ".why-title { margin: 0.5em 0 0; font-weight: 600; font-size: 0.9em; }",
    "ul.why { margin: 0.15em 0 0; padding-left: 1.25em; font-size: 0.9em; color: var(--linkage-muted, #4a5563); }",
    "@media (max-width: 420px) { dl { grid-template-columns: 1fr; } dt { margin-top: 0.25em; } }",
  ].join("\n");

  function clamp(n, low, high) {
    return Math.max(low, Math.min(high, n));
  }

  function lastWidgetScript() {
    // Only when document.currentScript is unavailable: the last widget script on the page.
    var found = document.querySelectorAll("script[src*='widget.js']");
    return found.length ? found[found.length - 1] : null;
  }

  function findTarget() {
    var selector = script.getAttribute("data-target");
    if (selector) return document.querySelector(selector);
    var next = script.nextElementSibling;
    if (next && next.tagName === "DIV") return next;
    return document.getElementById("linkage-widget");
  }

  function start() {
    var host = findTarget();
    if (!host) {
      if (window.console) window.console.warn("Linkage widget: no element to draw in (data-target)");
      return;
    }
    if (host.shadowRoot) return; // already drawn by another copy of this script
    draw(host.attachShadow({ mode: "open" }));
  }

  // --- Styles and the API ---------------------------------------------------------------------

  function addStyles(root) {
    // A constructed sheet adopted by the shadow root; a <style> inside it on older browsers.
    try {
      var sheet = new CSSStyleSheet();
      sheet.replaceSync(CSS);
      root.adoptedStyleSheets = [sheet];
      return;
    } catch (e) {
      root.appendChild(el("style", { text: CSS }));
    }
  }

  function search(params) {
    var headers = { Accept: "application/json" };
    if (KEY) headers["X-API-Key"] = KEY;
    var init = {
      method: "GET",
      headers: headers,
      mode: "cors",
      credentials: "omit",
      cache: "no-store",
      referrerPolicy: "no-referrer",
    };
    return dom.requestJson(API + "/v1/search?" + params.toString(), init, WORDS);
  }

  // --- The widget -----------------------------------------------------------------------------

  function draw(root) {
    addStyles(root);
    var cards = 0;
    var q = el("input", { id: "q", name: "q", type: "search", maxlength: "200", autocomplete: "off",
      placeholder: "food bank, rent help, shelter", part: "input" });
    var near = el("input", { id: "near", name: "near", type: "text", maxlength: "10", inputmode: "numeric",
      autocomplete: "postal-code", part: "input" });
    near.value = START_ZIP;
    var submit = el("button", { type: "submit", className: "search", text: "Search", part: "button" });
    var form = el("form", { role: "search", "aria-label": "Find community resources", novalidate: true, part: "form" }, [
      el("div", { className: "fields" }, [
        el("div", { className: "field" }, [el("label", { for: "q", text: "Need or keyword" }), q]),
        el("div", { className: "field zip" }, [el("label", { for: "near", text: "ZIP code" }), near]),
        submit,
      ]),
    ]);
    var status = el("p", { className: "status", role: "status", "aria-live": "polite" });
    var error = el("p", { className: "error", role: "alert", hidden: true });
    var results = el("ol", { className: "results", "aria-label": "Search results" });
    var more = el("button", { type: "button", className: "more", text: "More results", hidden: true, part: "more" });
    root.appendChild(el("div", { className: "widget" }, [form, status, error, results, more]));

    var state = { params: null, page: 1, shown: 0, summary: "" };
    var latest = new dom.Latest();

    function showError(text) {
      error.textContent = text || "";
      error.hidden = !text;
    }

    function card(r) {
      return dom.resultCard(r, { id: "result-" + ++cards, attrs: { part: "result" }, badges: dom.openBadge(r) });
    }

    function summary(data) {
      var place = data.place ? " within " + data.radius_miles + " mi of " + data.place.label : "";
      if (!data.total) return "No resources found" + place + ". Try other words or another ZIP code.";
      return data.total + (data.total === 1 ? " resource" : " resources") + " found" + place + ".";
    }

    function run(page) {
      showError("");
      submit.disabled = true;
      more.disabled = true;
      results.setAttribute("aria-busy", "true");
      status.textContent = "Searching…";
      var params = new URLSearchParams(state.params.toString());
      params.set("page", String(page));
      latest.run(search(params), {
        shown: function (data) {
          if (page === 1) {
            dom.clear(results);
            state.shown = 0;
            state.summary = summary(data);
          }
          data.results.forEach(function (r) {
            results.appendChild(card(r));
          });
          state.page = data.page;
          state.shown += data.results.length;
          more.hidden = data.page >= data.pages;
          var text = state.summary;
          if (data.total > state.shown) text += " Showing " + state.shown + ".";
          status.textContent = text;
        },
        failed: function (err) {
          if (page === 1) {
            dom.clear(results);
            more.hidden = true;
          }
          status.textContent = "";
          showError(dom.errorText(err, WORDS));
        },
        settled: function () {
          submit.disabled = false;
          more.disabled = false;
          results.removeAttribute("aria-busy");
        },
      });
    }

    form.addEventListener("submit", function (e) {
      e.preventDefault();
      var words = q.value.trim();
      var zip = near.value.trim();
      if (!words && !zip) {
        showError("Please enter a need or keyword, or a ZIP code.");
        q.focus();
        return;
      }
      var params = new URLSearchParams();
      if (words) params.set("q", words);
      if (zip) {
        params.set("near", zip);
        if (RADIUS > 0) params.set("radius", String(RADIUS));
      }
      params.set("per_page", String(PER_PAGE));
      state.params = params;
      run(1);
    });
    more.addEventListener("click", function () {
      if (state.params) run(state.page + 1);
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start, { once: true });
  } else {
    start();
  }
})();
