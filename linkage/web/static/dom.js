/* Linkage DOM helpers, shared by the case-manager page (linkage.js) and the search widget
 * (widget.js): building elements, calling the JSON API, and drawing a search result.
 *
 * The page loads this file as a script of its own, before linkage.js, and so has one global,
 * LinkageDom. The widget never loads it: /widget.js is served with this file inside the
 * widget's closure (linkage/web/pages.py, widget_script), so a partner still includes one file
 * and the widget adds nothing to the partner's `window`. Plain JavaScript, no build chain.
 */
var LinkageDom = (function () {
  "use strict";

  // --- Elements -------------------------------------------------------------------------------

  // A new element: attrs are attributes, except text (its text), className, and onclick (a click
  // listener); a null, undefined or false attribute or child is left out.
  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      var v = attrs[k];
      if (v === null || v === undefined || v === false) return;
      if (k === "text") node.textContent = v;
      else if (k === "className") node.className = v;
      else if (k === "onclick") node.addEventListener("click", v);
      else node.setAttribute(k, v === true ? "" : v);
    });
    (children || []).forEach(function (c) {
      if (c === null || c === undefined || c === false) return;
      node.appendChild(typeof c === "string" ? document.createTextNode(c) : c);
    });
    return node;
  }

  function clear(node) {
    while (node.firstChild) node.removeChild(node.firstChild);
  }

  // --- Words in the reader's language ---------------------------------------------------------

  // English text -> its translation, from the same gettext catalog as the templates
  // (linkage/web/i18n.py). Empty means English.
  var catalog = {};

  function useCatalog(messages) {
    catalog = messages || {};
  }

  // `text` (the English source, also the catalog key) translated, with {name} filled from values.
  function t(text, values) {
    var out = catalog[text] || text;
    if (values) {
      out = out.replace(/\{(\w+)\}/g, function (all, name) {
        return Object.prototype.hasOwnProperty.call(values, name) ? String(values[name]) : all;
      });
    }
    return out;
  }

  // --- The API --------------------------------------------------------------------------------

  function ApiError(message, status) {
    this.message = message;
    this.status = status;
  }

  // What a caller says about the API, in its own words:
  //   fields      field name -> its label, for the API's field errors
  //   errors      HTTP status -> function ({message, details, later}) -> text; other statuses
  //               get a general line
  //   unreachable when there is no answer at all
  //   unreadable  when the answer is not what `readable(body)` expects
  //   failed      when something else went wrong (a bug, not the API)

  function fieldErrors(errors, labels) {
    // {location: {field: [messages]}} -> ["Field: message", ...]
    var lines = [];
    if (!errors || typeof errors !== "object") return lines;
    Object.keys(errors).forEach(function (where) {
      var fields = errors[where];
      if (!fields || typeof fields !== "object") return;
      Object.keys(fields).forEach(function (name) {
        var messages = Array.isArray(fields[name]) ? fields[name] : [String(fields[name])];
        messages.forEach(function (m) {
          lines.push((labels[name] || name) + ": " + (typeof m === "string" ? m : JSON.stringify(m)));
        });
      });
    });
    return lines;
  }

  function describeError(response, body, words) {
    // The API answers {code, status, message, errors?}; say it in plain words.
    var retry = response.headers.get("Retry-After");
    var said = {
      message: body && typeof body.message === "string" ? body.message : "",
      details: fieldErrors(body && body.errors, words.fields).join(". "),
      later: retry ? " Try again in " + retry + " seconds." : " Try again in a moment.",
    };
    var word = words.errors[response.status];
    if (word) return word(said);
    return "Something went wrong (" + response.status + ")" + (said.message ? ": " + said.message : "") + "." + said.later;
  }

  // fetch(url, init): the JSON body it answers, or an ApiError in the caller's words.
  function requestJson(url, init, words) {
    return fetch(url, init).then(
      function (response) {
        return response
          .json()
          .catch(function () {
            return null;
          })
          .then(function (body) {
            if (!response.ok) throw new ApiError(describeError(response, body, words), response.status);
            if (!words.readable(body)) throw new ApiError(words.unreadable, 0);
            return body;
          });
      },
      function () {
        throw new ApiError(words.unreachable, 0);
      }
    );
  }

  function errorText(err, words) {
    return err instanceof ApiError ? err.message : words.failed;
  }

  // --- Requests that overlap ------------------------------------------------------------------

  // Only the latest of overlapping requests is shown: one that answers after a newer one was
  // started is dropped. latest.run(promise, {shown, failed, settled}) calls shown(data, current)
  // or failed(err), then settled(), each only while the run is the latest; current() says
  // whether it still is (for the requests that follow from it).
  function Latest() {
    this.seq = 0;
  }

  Latest.prototype.run = function (promise, on) {
    var self = this;
    var seq = ++this.seq;
    function current() {
      return seq === self.seq;
    }
    function only(f) {
      return function (x) {
        if (f && current()) return f(x, current);
      };
    }
    return promise.then(only(on.shown)).catch(only(on.failed)).then(only(on.settled));
  };

  // --- A result's facts -----------------------------------------------------------------------

  function telHref(phone) {
    var digits = String(phone.number || "").replace(/[^0-9+]/g, "");
    if (/^[0-9]{10}$/.test(digits)) digits = "+1" + digits;
    else if (/^1[0-9]{10}$/.test(digits)) digits = "+" + digits;
    var href = "tel:" + digits;
    if (phone.extension) href += ";ext=" + String(phone.extension).replace(/[^0-9]/g, "");
    return href;
  }

  function phoneText(phone) {
    return phone.number + (phone.extension ? " ext. " + phone.extension : "");
  }

  function phoneLink(phone) {
    return el("a", { href: telHref(phone), className: "tel", text: phoneText(phone) });
  }

  // Every phone as a link to call, with what each is for.
  function phoneLinks(phones) {
    var span = el("span", { className: "phones" });
    phones.forEach(function (p, i) {
      if (i) span.appendChild(document.createTextNode(", "));
      span.appendChild(phoneLink(p));
      if (p.description) span.appendChild(document.createTextNode(" (" + p.description + ")"));
    });
    return span;
  }

  function addressText(address) {
    if (!address) return "";
    var line = [address.street, address.city].filter(Boolean).join(", ");
    var region = [address.state, address.postal_code].filter(Boolean).join(" ");
    return [line, region].filter(Boolean).join(", ");
  }

  function distanceText(r) {
    if (r.distance && typeof r.distance.miles === "number") return r.distance.miles.toFixed(1) + " mi away";
    if (r.serves_area) return "Serves " + r.serves_area;
    return "";
  }

  function whereText(r) {
    // The API sends no address for a confidential location.
    if (r.confidential_address) return "Confidential location: call for directions";
    if (r.address) return addressText(r.address);
    if (r.serves_area) return "No walk-in address; serves " + r.serves_area;
    return "No walk-in address";
  }

  // --- A result -------------------------------------------------------------------------------

  function orgLine(r) {
    return r.organization_name && r.organization_name !== r.service_name
      ? el("p", { className: "org", text: r.organization_name })
      : null;
  }

  function openBadge(r) {
    if (r.open_now === true) return el("span", { className: "badge open", text: "Open now" });
    if (r.open_now === false) return el("span", { className: "badge closed", text: "Closed now" });
    return null;
  }

  // A <dl> of [name, value] rows (a row with no value is left out); grouped: each pair in a
  // <div class="fact">.
  function factList(rows, className, grouped) {
    var list = el("dl", { className: className });
    rows.forEach(function (row) {
      if (!row[1]) return;
      var pair = [el("dt", { text: row[0] }), el("dd", null, [row[1]])];
      if (grouped) list.appendChild(el("div", { className: "fact" }, pair));
      else {
        list.appendChild(pair[0]);
        list.appendChild(pair[1]);
      }
    });
    return list;
  }

  // One search result, <li><article>: its name (an <h3> with the id the article is labelled
  // by), organization, badges, the `lead` nodes, its facts (distance, today's hours, phones,
  // address, then `facts`), why it matched, and the `tail` nodes. Options:
  //   id, headingClass, attrs (more attributes of the article), badges (a node or null),
  //   distance(r) (default distanceText), facts, factsClass, groupFacts, lead, tail.
  function resultCard(r, o) {
    var rows = [
      ["Distance", (o.distance || distanceText)(r)],
      ["Today", r.hours_today || "Hours not listed"],
      ["Phone", (r.phones || []).length ? phoneLinks(r.phones) : "No phone listed"],
      ["Address", whereText(r)],
    ].concat(o.facts || []);
    var why = (r.why || []).map(function (w) {
      return el("li", { text: w });
    });
    var attrs = { className: "result", "aria-labelledby": o.id, "data-id": r.id };
    Object.keys(o.attrs || {}).forEach(function (k) {
      attrs[k] = o.attrs[k];
    });
    var parts = [el("h3", { id: o.id, className: o.headingClass, text: r.service_name }), orgLine(r), o.badges]
      .concat(o.lead || [])
      .concat([
        factList(rows, o.factsClass, o.groupFacts),
        why.length ? el("p", { className: "why-title", text: "Why it matched" }) : null,
        why.length ? el("ul", { className: "why" }, why) : null,
      ])
      .concat(o.tail || []);
    return el("li", null, [el("article", attrs, parts)]);
  }

  return {
    t: t,
    useCatalog: useCatalog,
    el: el,
    clear: clear,
    ApiError: ApiError,
    requestJson: requestJson,
    errorText: errorText,
    Latest: Latest,
    telHref: telHref,
    phoneText: phoneText,
    phoneLink: phoneLink,
    addressText: addressText,
    distanceText: distanceText,
    whereText: whereText,
    orgLine: orgLine,
    openBadge: openBadge,
    factList: factList,
    resultCard: resultCard,
  };
})();
