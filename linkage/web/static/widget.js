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
 */
(function () {
  "use strict";

  var script = document.currentScript || lastWidgetScript();
  if (!script || !script.src) return;

  var API = new URL(script.src, document.baseURI).origin;
  var KEY = script.getAttribute("data-key") || "";
  var START_ZIP = script.getAttribute("data-zip") || "";
  var PER_PAGE = clamp(parseInt(script.getAttribute("data-per-page"), 10) || 5, 1, 20);
  var RADIUS = parseFloat(script.getAttribute("data-radius")) || 0;
  var FIELD_NAMES = { q: "Need or keyword", near: "ZIP code", radius: "Distance", page: "Page" };

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

  // --- DOM helpers ----------------------------------------------------------------------------

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      var v = attrs[k];
      if (v === null || v === undefined || v === false) return;
      if (k === "text") node.textContent = v;
      else if (k === "className") node.className = v;
      else node.setAttribute(k, v === true ? "" : v);
    });
    (children || []).forEach(function (c) {
      if (c === null || c === undefined || c === false) return;
      node.appendChild(typeof c === "string" ? document.createTextNode(c) : c);
    });
    return node;
  }

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

  // --- The API --------------------------------------------------------------------------------

  function ApiError(message) {
    this.message = message;
  }

  function fieldErrors(errors) {
    var lines = [];
    if (!errors || typeof errors !== "object") return lines;
    Object.keys(errors).forEach(function (where) {
      var fields = errors[where] || {};
      if (typeof fields !== "object") return;
      Object.keys(fields).forEach(function (name) {
        var messages = Array.isArray(fields[name]) ? fields[name] : [String(fields[name])];
        messages.forEach(function (m) {
          lines.push((FIELD_NAMES[name] || name) + ": " + (typeof m === "string" ? m : JSON.stringify(m)));
        });
      });
    });
    return lines;
  }

  function describeError(response, body) {
    // The API answers {code, status, message, errors?}; say it in plain words.
    var status = response.status;
    var message = body && typeof body.message === "string" ? body.message : "";
    var retry = response.headers.get("Retry-After");
    var later = retry ? " Try again in " + retry + " seconds." : " Try again in a moment.";
    if (status === 400 || status === 422) {
      var details = fieldErrors(body && body.errors);
      return "Please check the search. " + (details.length ? details.join(". ") : message || "It was not accepted.");
    }
    if (status === 401) {
      return "This search box is not set up correctly: " + (message || "its key was not accepted") + ".";
    }
    if (status === 403) {
      return "This site may not use this search: " + (message || "access was refused") + ".";
    }
    if (status === 429) return "Too many searches right now." + later;
    if (status === 503) return "Search is unavailable right now." + later;
    return "Something went wrong (" + status + ")" + (message ? ": " + message : "") + "." + later;
  }

  function search(params) {
    var headers = { Accept: "application/json" };
    if (KEY) headers["X-API-Key"] = KEY;
    return fetch(API + "/v1/search?" + params.toString(), {
      method: "GET",
      headers: headers,
      mode: "cors",
      credentials: "omit",
      cache: "no-store",
      referrerPolicy: "no-referrer",
    }).then(
      function (response) {
        return response
          .json()
          .catch(function () {
            return null;
          })
          .then(function (body) {
            if (!response.ok) throw new ApiError(describeError(response, body));
            if (!body || !Array.isArray(body.results)) throw new ApiError("The search sent an unreadable answer.");
            return body;
          });
      },
      function () {
        throw new ApiError(
          "The search could not be reached. Check the connection and try again; if this keeps " +
            "happening, this site may not be set up to use it."
        );
      }
    );
  }

  // --- Formatting -----------------------------------------------------------------------------

  function telHref(phone) {
    var digits = String(phone.number || "").replace(/[^0-9+]/g, "");
    if (/^[0-9]{10}$/.test(digits)) digits = "+1" + digits;
    else if (/^1[0-9]{10}$/.test(digits)) digits = "+" + digits;
    var href = "tel:" + digits;
    if (phone.extension) href += ";ext=" + String(phone.extension).replace(/[^0-9]/g, "");
    return href;
  }

  function addressText(a) {
    var line = [a.street, a.city].filter(Boolean).join(", ");
    var region = [a.state, a.postal_code].filter(Boolean).join(" ");
    return [line, region].filter(Boolean).join(", ");
  }

  function distanceText(r) {
    if (r.distance && typeof r.distance.miles === "number") return r.distance.miles.toFixed(1) + " mi away";
    if (r.serves_area) return "Serves " + r.serves_area;
    return "";
  }

  function whereText(r) {
    if (r.confidential_address) return "Confidential location: call for directions";
    if (r.address) return addressText(r.address);
    if (r.serves_area) return "No walk-in address; serves " + r.serves_area;
    return "No walk-in address";
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

    var state = { seq: 0, params: null, page: 1, shown: 0, summary: "" };

    function showError(text) {
      error.textContent = text || "";
      error.hidden = !text;
    }

    function card(r) {
      var id = "result-" + ++cards;
      var facts = el("dl");
      function fact(name, value) {
        if (!value) return;
        facts.appendChild(el("dt", { text: name }));
        facts.appendChild(el("dd", null, [value]));
      }
      fact("Distance", distanceText(r));
      fact("Today", r.hours_today || "Hours not listed");
      if ((r.phones || []).length) {
        var phones = el("span");
        r.phones.forEach(function (p, i) {
          if (i) phones.appendChild(document.createTextNode(", "));
          phones.appendChild(el("a", { href: telHref(p), text: p.number + (p.extension ? " ext. " + p.extension : "") }));
          if (p.description) phones.appendChild(document.createTextNode(" (" + p.description + ")"));
        });
        fact("Phone", phones);
      } else {
        fact("Phone", "No phone listed");
      }
      fact("Address", whereText(r));
      var why = (r.why || []).map(function (w) {
        return el("li", { text: w });
      });
      var badge = null;
      if (r.open_now === true) badge = el("span", { className: "badge open", text: "Open now" });
      else if (r.open_now === false) badge = el("span", { className: "badge closed", text: "Closed now" });
      return el("li", null, [
        el("article", { className: "result", "aria-labelledby": id, "data-id": r.id, part: "result" }, [
          el("h3", { id: id, text: r.service_name }),
          r.organization_name && r.organization_name !== r.service_name
            ? el("p", { className: "org", text: r.organization_name })
            : null,
          badge,
          facts,
          why.length ? el("p", { className: "why-title", text: "Why it matched" }) : null,
          why.length ? el("ul", { className: "why" }, why) : null,
        ]),
      ]);
    }

    function summary(data) {
      var place = data.place ? " within " + data.radius_miles + " mi of " + data.place.label : "";
      if (!data.total) return "No resources found" + place + ". Try other words or another ZIP code.";
      return data.total + (data.total === 1 ? " resource" : " resources") + " found" + place + ".";
    }

    function run(page) {
      var seq = ++state.seq;
      showError("");
      submit.disabled = true;
      more.disabled = true;
      results.setAttribute("aria-busy", "true");
      status.textContent = "Searching…";
      var params = new URLSearchParams(state.params.toString());
      params.set("page", String(page));
      search(params)
        .then(function (data) {
          if (seq !== state.seq) return;
          if (page === 1) {
            while (results.firstChild) results.removeChild(results.firstChild);
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
        })
        .catch(function (err) {
          if (seq !== state.seq) return;
          if (page === 1) {
            while (results.firstChild) results.removeChild(results.firstChild);
            more.hidden = true;
          }
          status.textContent = "";
          showError(err instanceof ApiError ? err.message : "Something went wrong in the search box. Reload the page and try again.");
        })
        .then(function () {
          if (seq !== state.seq) return;
          submit.disabled = false;
          more.disabled = false;
          results.removeAttribute("aria-busy");
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
