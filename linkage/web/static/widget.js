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
 *   data-lang      its language, "en" or "es"; default: the host page's <html lang>, else
 *                  English (a language's words come from /embed/messages/<lang>.json on the
 *                  API's origin, so this file's URL is the same in every language)
 *   data-lang-switch  buttons to change the widget's language, above the search; with the
 *                  value "address", a button sets the page's own ?lang= instead (a page that
 *                  follows it, as /embed/frame does, is then drawn again in that language)
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
 * the case-manager page (dom.js, LinkageDom) and what the service tells it (SERVICE: its
 * directions link template and languages) in one closure around them (see
 * linkage/web/pages.py, widget_script), so neither is a global on the partner's page.
 */
(function () {
  "use strict";

  var dom = LinkageDom;
  var el = dom.el;
  var t = dom.t;

  var script = document.currentScript || lastWidgetScript();
  if (!script || !script.src) return;

  var API = new URL(script.src, document.baseURI).origin;
  var KEY = script.getAttribute("data-key") || "";
  var START_ZIP = script.getAttribute("data-zip") || "";
  var PER_PAGE = clamp(parseInt(script.getAttribute("data-per-page"), 10) || 5, 1, 20);
  var RADIUS = parseFloat(script.getAttribute("data-radius")) || 0;
  var SWITCH = script.hasAttribute("data-lang-switch");
  var SWITCH_BY_ADDRESS = script.getAttribute("data-lang-switch") === "address";
  // The primary subtag of data-lang, else of the host page's language ("es-MX" is "es").
  var LANG = (script.getAttribute("data-lang") || document.documentElement.lang || "en")
    .split("-")[0]
    .toLowerCase();

  // What the widget says about the API's answers (dom.js, requestJson).
  // Built once the widget's catalog is in use (words()): each t() below reads it.
  var WORDS = null;

  function words() {
    return {
      fields: { q: t("Need or keyword"), near: t("ZIP code"), radius: t("Distance"), page: t("Page") },
      errors: {
        400: invalid,
        422: invalid,
        401: function (s) {
          // (A t() inside another's arguments is not extracted: each stands alone.)
          var reason = s.message || t("its key was not accepted");
          return t("This search box is not set up correctly: {reason}.", { reason: reason });
        },
        403: function (s) {
          var reason = s.message || t("access was refused");
          return t("This site may not use this search: {reason}.", { reason: reason });
        },
        429: function (s) {
          return t("Too many searches right now.") + s.later;
        },
        503: function (s) {
          return t("Search is unavailable right now.") + s.later;
        },
      },
      unreachable: t(
        "The search could not be reached. Check the connection and try again; if this keeps happening, this site may not be set up to use it."
      ),
      unreadable: t("The search sent an unreadable answer."),
      failed: t("Something went wrong in the search box. Reload the page and try again."),
      readable: function (body) {
        return Boolean(body) && Array.isArray(body.results);
      },
    };
  }

  function invalid(s) {
    return t("Please check the search.") + " " + (s.details || s.message || t("It was not accepted."));
  }

  var CSS = [
    ":host {",
    "  all: initial; display: block;",
    "  font-family: var(--linkage-font, system-ui, -apple-system, 'Segoe UI', Roboto, 'DejaVu Sans', Arial, sans-serif);",
    "  font-size: var(--linkage-font-size, 16px); line-height: 1.5;",
    "  color: var(--linkage-text, #1a1a1a); overflow-wrap: break-word;",
    "}",
    ":host([hidden]) { display: none; }",
    ".lang-switch { display: flex; justify-content: flex-end; gap: 0.5em; margin: 0 0 0.5em; }",
    ".lang-switch button { padding: 0.15em 0.6em; font-size: 0.9em; background: transparent;",
    "  color: var(--linkage-accent, #0b5394); border: 1px solid var(--linkage-accent, #0b5394); }",
    ".lang-switch button[aria-pressed='true'] { background: var(--linkage-accent, #0b5394);",
    "  color: var(--linkage-accent-text, #ffffff); }",
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
    "button.more-results { margin-top: 0.75em; padding: 0.4em 1em; background: transparent;",
    "  color: var(--linkage-accent, #0b5394); border: 2px solid var(--linkage-accent, #0b5394); }",
    "button:disabled { opacity: 0.6; cursor: progress; }",
    ":focus-visible { outline: 3px solid var(--linkage-focus, #ffbf47); outline-offset: 2px; }",
    "a { color: var(--linkage-accent, #0b5394); }",
    ".status { margin: 0.75em 0 0; color: var(--linkage-muted, #4a5563); font-size: 0.95em; }",
    ".status:empty { display: none; }",
    ".error { margin: 0.75em 0 0; padding: 0.5em 0.75em; color: #8a1c1c; background: #fbe9e9;",
    "  border-left: 4px solid #8a1c1c; border-radius: var(--linkage-radius, 8px); }",
    "ol.results { list-style: none; margin: 0.75em 0 0; padding: 0; display: grid; gap: 0.75em; }",
    "h2.reach { margin: 1em 0 0; font-size: 1em; line-height: 1.3; }",
    ".reach-note { margin: 0.1em 0 0; color: var(--linkage-muted, #4a5563); font-size: 0.9em; }",
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
    ".current-notice { margin: 0.4em 0; padding: 0.35em 0.6em; color: #7a4a00; background: #fff4e0; border-left: 4px solid #7a4a00; }",
    ".desc { margin: 0.4em 0 0; white-space: pre-line; overflow-wrap: anywhere; font-size: 0.95em; }",
    ".desc.trimmed { display: -webkit-box; -webkit-box-orient: vertical; -webkit-line-clamp: 3; line-clamp: 3; overflow: hidden; }",
    "button.link { padding: 0.1em 0.3em; background: transparent; border: 0; color: var(--linkage-accent, #0b5394); text-decoration: underline; }",
    ".week, .phones, .plain-list { list-style: none; margin: 0; padding: 0; }",
    ".week li { display: flex; gap: 0.4em; }",
    ".week .day { flex: 0 0 2.6em; font-weight: 600; }",
    ".week .today { font-weight: 700; }",
    ".today-mark { font-size: 0.8em; font-weight: 600; padding: 0 0.4em; border-radius: 999px; color: #1e6b34; background: #e3f3e7; }",
    ".hours-text { margin: 0.15em 0 0; }",
    ".phone-label { color: var(--linkage-muted, #4a5563); }",
    ".more-phones summary { cursor: pointer; color: var(--linkage-accent, #0b5394); }",
    ".website { overflow-wrap: anywhere; }",
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
    var root = host.attachShadow({ mode: "open" });
    addStyles(root);
    var drawn = null;
    // Draw the widget in `lang`, in place of the one drawn before (the switch), keeping what
    // was typed and searched.
    function show(lang, kept) {
      loadCatalog(lang).then(function (used) {
        WORDS = words();
        if (drawn) root.removeChild(drawn.node);
        drawn = draw(root, used, kept, show);
      });
    }
    show(LANG, null);
  }

  // The widget's words in `lang` from the API's origin; resolves to the language drawn in:
  // English when asked for or when the words cannot be had.
  function loadCatalog(lang) {
    dom.useCatalog({}, "en");
    if (lang === "en") return Promise.resolve("en");
    var init = { method: "GET", mode: "cors", credentials: "omit", referrerPolicy: "no-referrer" };
    return fetch(API + "/embed/messages/" + encodeURIComponent(lang) + ".json", init)
      .then(function (response) {
        if (!response.ok) throw new Error(String(response.status));
        return response.json();
      })
      .then(
        function (messages) {
          dom.useCatalog(messages, lang);
          return lang;
        },
        function () {
          return "en";
        }
      );
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

  // The results by reach (the API's `reach`, with a place): local ones first, in a list of
  // their own; then those serving the area from further away, then phone and online ones.
  function reachSections() {
    return [
      { reach: "local" },
      { reach: "area", title: t("Serves your area"), note: t("Not nearby, but they serve where you are.") },
      { reach: "remote", title: t("Phone and online"), note: t("Help by phone, online or at home, wherever you are.") },
    ];
  }

  function section(s) {
    var id = "reach-" + s.reach;
    if (!s.title) {
      var only = el("ol", { className: "results", "aria-label": t("Search results") });
      return { reach: s.reach, list: only, node: only };
    }
    var list = el("ol", { className: "results", "aria-labelledby": id });
    var node = el("div", { className: "reach-section", hidden: true }, [
      el("h2", { id: id, className: "reach", text: s.title }),
      el("p", { className: "reach-note", text: s.note }),
      list,
    ]);
    return { reach: s.reach, list: list, node: node };
  }

  // The language switch (data-lang-switch): a button for each of the service's languages.
  function languageSwitch(lang, choose) {
    var buttons = Object.keys(SERVICE.languages).map(function (code) {
      var button = el("button", { type: "button", lang: code, "aria-pressed": code === lang ? "true" : "false",
        text: SERVICE.languages[code] });
      button.addEventListener("click", function () {
        if (code !== lang) choose(code);
      });
      return button;
    });
    return el("div", { className: "lang-switch", role: "group", "aria-label": t("Language") }, buttons);
  }

  // The widget in `lang`, added to `root`: {node}. `kept`: what the one it replaces held (the
  // words, the ZIP code, the search made, the switch's button to focus), or null;
  // `show(lang, kept)` draws it again in another language.
  function draw(root, lang, kept, show) {
    var cards = 0;
    var q = el("input", { id: "q", name: "q", type: "search", maxlength: "200", autocomplete: "off",
      placeholder: t("food bank, rent help, shelter"), part: "input" });
    var near = el("input", { id: "near", name: "near", type: "text", maxlength: "10", inputmode: "numeric",
      autocomplete: "postal-code", part: "input" });
    near.value = kept ? kept.near : START_ZIP;
    if (kept) q.value = kept.q;
    var submit = el("button", { type: "submit", className: "search", text: t("Search"), part: "button" });
    var form = el("form", { role: "search", "aria-label": t("Find community resources"), novalidate: true, part: "form" }, [
      el("div", { className: "fields" }, [
        el("div", { className: "field" }, [el("label", { for: "q", text: t("Need or keyword") }), q]),
        el("div", { className: "field zip" }, [el("label", { for: "near", text: t("ZIP code") }), near]),
        submit,
      ]),
    ]);
    var status = el("p", { className: "status", role: "status", "aria-live": "polite" });
    var error = el("p", { className: "error", role: "alert", hidden: true });
    var sections = reachSections().map(section);
    var more = el("button", { type: "button", className: "more-results", text: t("More results"), hidden: true, part: "more" });
    var box = el("div", { className: "widget", lang: lang }, [
      SWITCH ? languageSwitch(lang, function (code) {
        if (SWITCH_BY_ADDRESS) {
          var address = new URLSearchParams(location.search);
          address.set("lang", code);
          location.search = address.toString();
        } else {
          show(code, { q: q.value, near: near.value, params: state.params, focus: code });
        }
      }) : null,
      form, status, error]
      .concat(sections.map(function (s) {
        return s.node;
      }))
      .concat([more]));
    root.appendChild(box);

    function clearResults() {
      sections.forEach(function (s) {
        dom.clear(s.list);
        if (s.node !== s.list) s.node.hidden = true;
      });
    }

    function add(r) {
      // A result without a reach (no place given) goes with the local ones.
      var into = sections[0];
      sections.forEach(function (s) {
        if (s.reach === r.reach) into = s;
      });
      into.list.appendChild(card(r));
      into.node.hidden = false;
    }

    function busy(on) {
      sections.forEach(function (s) {
        if (on) s.list.setAttribute("aria-busy", "true");
        else s.list.removeAttribute("aria-busy");
      });
    }

    var state = { params: null, page: 1, shown: 0, summary: "" };
    var latest = new dom.Latest();

    function showError(text) {
      error.textContent = text || "";
      error.hidden = !text;
    }

    function card(r) {
      return dom.resultCard(r, {
        id: "result-" + ++cards,
        attrs: { part: "result" },
        badges: dom.openBadge(r),
        directionsUrl: SERVICE.directions_url,
      });
    }

    function summary(data) {
      var n = data.total;
      if (data.place) {
        var where = { n: n, miles: data.radius_miles, place: data.place.label };
        if (!n) return t("No resources found within {miles} mi of {place}. Try other words or another ZIP code.", where);
        return n === 1 ? t("1 resource found within {miles} mi of {place}.", where) : t("{n} resources found within {miles} mi of {place}.", where);
      }
      if (!n) return t("No resources found. Try other words or another ZIP code.");
      return n === 1 ? t("1 resource found.") : t("{n} resources found.", { n: n });
    }

    function run(page) {
      showError("");
      submit.disabled = true;
      more.disabled = true;
      busy(true);
      status.textContent = t("Searching…");
      var params = new URLSearchParams(state.params.toString());
      params.set("page", String(page));
      // The words of the results (categories, why) in the widget's language; codes stay.
      params.set("lang", lang === "es" ? "es" : "en");
      latest.run(search(params), {
        shown: function (data) {
          if (page === 1) {
            clearResults();
            state.shown = 0;
            state.summary = summary(data);
          }
          data.results.forEach(add);
          state.page = data.page;
          state.shown += data.results.length;
          more.hidden = data.page >= data.pages;
          var text = state.summary;
          if (data.total > state.shown) text += " " + t("Showing {n}.", { n: state.shown });
          status.textContent = text;
        },
        failed: function (err) {
          if (page === 1) {
            clearResults();
            more.hidden = true;
          }
          status.textContent = "";
          showError(dom.errorText(err, WORDS));
        },
        settled: function () {
          submit.disabled = false;
          more.disabled = false;
          busy(false);
        },
      });
    }

    form.addEventListener("submit", function (e) {
      e.preventDefault();
      var words = q.value.trim();
      var zip = near.value.trim();
      if (!words && !zip) {
        showError(t("Please enter a need or keyword, or a ZIP code."));
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

    if (kept && kept.params) {
      state.params = kept.params;
      run(1);
    }
    if (kept && kept.focus) box.querySelector(".lang-switch [lang='" + kept.focus + "']").focus();
    return { node: box };
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start, { once: true });
  } else {
    start();
  }
})();
