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
  // (linkage/web/i18n.py). Empty means English. `language`: the catalog's language code, for
  // dates; by default the document's (the widget's may differ from its host page's).
  var catalog = {};
  var language = "";

  function useCatalog(messages, lang) {
    catalog = messages || {};
    language = lang || "";
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
      later: " " + (retry ? t("Try again in {n} seconds.", { n: retry }) : t("Try again in a moment.")),
    };
    var word = words.errors[response.status];
    if (word) return word(said);
    var failed = said.message
      ? t("Something went wrong ({status}): {reason}.", { status: response.status, reason: said.message })
      : t("Something went wrong ({status}).", { status: response.status });
    return failed + said.later;
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

  // The same number is often listed twice (as the organisation's and the service's): keyed by
  // its digits (without the country code) and extension.
  function phoneKey(phone) {
    var digits = String(phone.number || "").replace(/[^0-9]/g, "").replace(/^1(?=[0-9]{10}$)/, "");
    return digits + "x" + String(phone.extension || "").replace(/[^0-9]/g, "");
  }

  function isMainLine(phone) {
    return phone.type === "main" || /\bmain\b/i.test(phone.description || "");
  }

  // Each number once (the listing that says what it is for, where one does), the main line
  // first (the first the directory calls main, else its first).
  function uniquePhones(phones) {
    var at = {};
    var out = [];
    (phones || []).forEach(function (p) {
      var key = phoneKey(p);
      if (!(key in at)) {
        at[key] = out.length;
        out.push(p);
      } else if (!out[at[key]].description && p.description) {
        out[at[key]] = p;
      }
    });
    var main = out.filter(isMainLine)[0];
    return main ? [main].concat(out.filter(function (p) { return p !== main; })) : out;
  }

  // What a number is for: the directory's words, else a kind that is not a plain voice line.
  function phoneLabel(phone) {
    if (phone.description) return phone.description;
    return { fax: t("Fax"), text: t("Text only"), sms: t("Text only"), tty: t("TTY"), textphone: t("TTY") }[phone.type] || "";
  }

  var PHONES_SHOWN = 3; // more behind "n more numbers": cards once listed up to 8

  // Every phone once, as a link to call, with what each is for.
  function phoneLinks(phones) {
    var items = uniquePhones(phones).map(function (p) {
      var label = phoneLabel(p);
      return el("li", null, [phoneLink(p), label ? el("span", { className: "phone-label", text: " (" + label + ")" }) : null]);
    });
    var list = el("ul", { className: "phones" }, items.slice(0, PHONES_SHOWN));
    if (items.length <= PHONES_SHOWN) return list;
    var rest = items.length - PHONES_SHOWN;
    return el("div", null, [
      list,
      el("details", { className: "more-phones" }, [
        el("summary", { text: rest === 1 ? t("1 more number") : t("{n} more numbers", { n: rest }) }),
        el("ul", { className: "phones" }, items.slice(PHONES_SHOWN)),
      ]),
    ]);
  }

  function addressText(address) {
    if (!address) return "";
    var line = [address.street, address.city].filter(Boolean).join(", ");
    var region = [address.state, address.postal_code].filter(Boolean).join(" ");
    return [line, region].filter(Boolean).join(", ");
  }

  // How far, for a place the client may go to; a remote one (phone, online, nationwide) says
  // how it is reached instead, never its miles from a head office far away.
  function distanceText(r) {
    if (r.reach === "remote") return deliveryText(r.delivery, true);
    var far = r.distance && typeof r.distance.miles === "number" ? t("{miles} mi away", { miles: r.distance.miles.toFixed(1) }) : "";
    var serves = r.serves_area ? t("Serves {area}", { area: r.serves_area }) : "";
    return [serves, far].filter(Boolean).join(" · ") || deliveryText(r.delivery, false);
  }

  function deliveryName(d) {
    return { in_person: t("in person"), phone: t("by phone"), virtual: t("online"), online: t("online"), home: t("home visits") }[d] || d.replace(/_/g, " ");
  }

  // "By phone, online": how a service is given (`remote`: not in person, which is elsewhere).
  function deliveryText(delivery, remote) {
    var ways = (delivery || []).filter(function (d) {
      return !(remote && d === "in_person");
    });
    if (!ways.length) return remote ? t("By phone or online") : "";
    var text = ways.map(deliveryName).join(", ");
    return text.charAt(0).toUpperCase() + text.slice(1);
  }

  function whereText(r) {
    // The API sends no address for a confidential location.
    if (r.confidential_address) return t("Confidential location: call for directions");
    if (r.address) return addressText(r.address);
    if (r.serves_area) return t("No walk-in address; serves {area}", { area: r.serves_area });
    return t("No walk-in address");
  }

  // --- A result -------------------------------------------------------------------------------

  function orgLine(r) {
    return r.organization_name && r.organization_name !== r.service_name
      ? el("p", { className: "org", text: r.organization_name })
      : null;
  }

  function openBadge(r) {
    if (r.open_now === true) return el("span", { className: "badge open", text: t("Open now") });
    if (r.open_now === false) return el("span", { className: "badge closed", text: t("Closed now") });
    return null;
  }

  // --- Hours, fees, links and dates -------------------------------------------------------------

  var DAYS = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"];

  function dayName(code) {
    return { MO: t("Mon"), TU: t("Tue"), WE: t("Wed"), TH: t("Thu"), FR: t("Fri"), SA: t("Sat"), SU: t("Sun") }[code];
  }

  // Today's weekday code where the service is (its time zone), else where the reader is.
  function todayCode(timezone) {
    var now = new Date();
    try {
      var short = new Intl.DateTimeFormat("en-US", { weekday: "short", timeZone: timezone || undefined }).format(now);
      return { Mon: "MO", Tue: "TU", Wed: "WE", Thu: "TH", Fri: "FR", Sat: "SA", Sun: "SU" }[short];
    } catch (e) {
      return DAYS[(now.getDay() + 6) % 7];
    }
  }

  // "17:30" -> "5:30 PM", as the API words hours_today.
  function clockText(hhmm) {
    var m = /^([0-9]{1,2}):([0-9]{2})/.exec(hhmm || "");
    if (!m) return hhmm;
    var h = Number(m[1]) % 24;
    return (h % 12 || 12) + ":" + m[2] + " " + (h < 12 ? "AM" : "PM");
  }

  // One day's periods in words, "9:00 AM–12:00 PM, 1:00 PM–5:00 PM"; a period that closes when it
  // opens is the whole day (linkage/hours.py's rule), said as `open24`.
  function dayTimes(periods, open24) {
    return periods
      .slice()
      .sort(function (a, b) {
        return a.opens < b.opens ? -1 : a.opens > b.opens ? 1 : 0;
      })
      .map(function (p) {
        return p.opens === p.closes ? open24 : clockText(p.opens) + "–" + clockText(p.closes);
      })
      .join(", ");
  }

  // The week, Monday to Sunday, in runs of days with the same hours, for the card (each day of
  // it) and the printed and texted list (each run): [{from: "MO", to: "FR", days: [...], times:
  // "9:00 AM–5:00 PM"}, {from: "SA", to: "SU", days: [...], times: ""}] ("": no hours that day).
  // `open24`: the words for a whole day (default the page's).
  function weekRuns(schedule, open24) {
    var runs = [];
    DAYS.forEach(function (day) {
      var periods = (schedule || []).filter(function (p) {
        return p.day === day;
      });
      var times = periods.length ? dayTimes(periods, open24 || t("Open 24 hours")) : "";
      var last = runs[runs.length - 1];
      if (last && last.times === times) {
        last.to = day;
        last.days.push(day);
      } else {
        runs.push({ from: day, to: day, days: [day], times: times });
      }
    });
    return runs;
  }

  // The week, Monday to Sunday, today marked; the directory's own words for its hours as given.
  function weekHours(r) {
    var schedule = r.schedule || [];
    var parts = [];
    if (schedule.length) {
      var today = todayCode(r.timezone);
      var days = [];
      weekRuns(schedule).forEach(function (run) {
        run.days.forEach(function (day) {
          days.push(
            el("li", { className: day === today ? "today" : null, "data-day": day }, [
              el("span", { className: "day", text: dayName(day) }),
              el("span", { className: "times", text: run.times || t("Closed") }),
              day === today ? el("span", { className: "today-mark", text: t("Today") }) : null,
            ])
          );
        });
      });
      parts.push(el("ul", { className: "week" }, days));
    }
    if (r.hours_text) parts.push(el("p", { className: "hours-text", text: r.hours_text }));
    return parts.length ? el("div", { className: "hours" }, parts) : t("Hours not listed");
  }

  function feesText(fees) {
    if (!fees) return "";
    return { free: t("Free"), "sliding-scale": t("Sliding scale: the cost depends on income"), fee: t("There is a fee") }[fees] || fees.replace(/[-_]/g, " ");
  }

  // Only web addresses: a directory's field could hold anything, a javascript: URL included.
  function webUrl(url) {
    return /^https?:\/\/[^\s]+$/i.test(url || "") ? url : null;
  }

  function websiteLink(r) {
    var url = webUrl(r.url);
    if (!url) return null;
    var shown = url.replace(/^https?:\/\/(www\.)?/i, "").replace(/[/?#].*$/, ""); // its host: short
    return el("a", { href: url, className: "website", rel: "noopener noreferrer", text: shown });
  }

  // The directions link from the deployer's template (LINKAGE_DIRECTIONS_URL): {lat}, {lon},
  // {address}, {destination} (the point, else the address: a ZIP centroid is no destination).
  // Never for a confidential location, nor for a remote service (its office is not the help).
  function directionsHref(r, template) {
    if (!template || r.confidential_address || r.reach === "remote") return null;
    var point = r.location && r.location_precision !== "zip" ? r.location : null;
    var address = addressText(r.address);
    var values = {
      lat: point ? String(point.lat) : "",
      lon: point ? String(point.lon) : "",
      address: address,
      destination: point ? point.lat + "," + point.lon : address,
    };
    var missing = false;
    var href = template.replace(/\{(lat|lon|address|destination)\}/g, function (all, name) {
      if (!values[name]) missing = true;
      return encodeURIComponent(values[name]);
    });
    return missing ? null : webUrl(href);
  }

  function whereNode(r, o) {
    var href = directionsHref(r, o.directionsUrl);
    if (!href) return whereText(r);
    return el("span", null, [
      whereText(r),
      " ",
      el("a", { href: href, className: "directions", rel: "noopener noreferrer", "aria-describedby": o.id, text: t("Directions") }),
    ]);
  }

  // "2026-03-04" -> "March 4, 2026" in the page's language.
  function dateText(iso) {
    var m = /^([0-9]{4})-([0-9]{2})-([0-9]{2})/.exec(iso || "");
    if (!m) return "";
    var date = new Date(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
    return date.toLocaleDateString(language || document.documentElement.lang || "en", { year: "numeric", month: "long", day: "numeric" });
  }

  function listOrText(items) {
    items = (items || []).filter(Boolean);
    if (items.length <= 1) return items[0] || "";
    return el(
      "ul",
      { className: "plain-list" },
      items.map(function (i) {
        return el("li", { text: i });
      })
    );
  }

  var DESCRIPTION_SHORT = 160; // characters always shown whole; a longer one may be trimmed

  // The description, trimmed to a few lines with a "More" button when long (pasted ones hold
  // headings and income tables); its id follows the card's heading id.
  function descriptionNode(r, id) {
    if (!r.description) return null;
    var text = el("p", { className: "desc", id: id + "-desc", text: r.description });
    if (r.description.length <= DESCRIPTION_SHORT) return text;
    text.classList.add("trimmed");
    var button = el("button", {
      type: "button",
      className: "more link",
      "aria-expanded": "false",
      "aria-controls": text.id,
      "aria-describedby": id,
      text: t("More"),
    });
    button.addEventListener("click", function () {
      var open = button.getAttribute("aria-expanded") !== "true";
      button.setAttribute("aria-expanded", open ? "true" : "false");
      text.classList.toggle("trimmed", !open);
      button.textContent = open ? t("Less") : t("More");
    });
    // Once drawn: a description its few lines hold whole needs no "More".
    requestAnimationFrame(function () {
      if (text.isConnected && text.scrollHeight <= text.clientHeight + 1) {
        text.classList.remove("trimmed");
        button.hidden = true;
      }
    });
    return el("div", { className: "desc-box" }, [text, button]);
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

  // One search result, <li><article>: its number (when given), its name (an <h3> with the id
  // the article is labelled by), organization, badges, a current notice, its description, the
  // `lead` nodes, its facts (distance, the week's hours, phones, address and directions,
  // website, fees, accessibility, how to apply, what to bring, then `facts`, then when it was
  // last verified), why it matched, and the `tail` nodes. Options:
  //   id, number, headingClass, attrs (more attributes of the article), badges (a node or null),
  //   distance(r) (default distanceText), directionsUrl (a LINKAGE_DIRECTIONS_URL template),
  //   facts, factsClass, groupFacts, lead, tail.
  function resultCard(r, o) {
    var remote = r.reach === "remote";
    var rows = [
      [remote ? t("How to reach") : t("Distance"), (o.distance || distanceText)(r)],
      [t("Hours"), weekHours(r)],
      [t("Phone"), (r.phones || []).length ? phoneLinks(r.phones) : t("No phone listed")],
      // A remote service's address is its office, not where the client goes.
      [t("Address"), remote && !r.confidential_address ? "" : whereNode(r, o)],
      [t("Website"), websiteLink(r)],
      [t("Cost"), feesText(r.fees)],
      [t("Accessibility"), (r.accessibility || []).join(", ")],
      [t("How to apply"), r.application_process],
      [t("What to bring"), listOrText(r.required_documents)],
    ]
      .concat(o.facts || [])
      .concat([[t("Last verified"), dateText(r.last_verified)]]);
    var why = (r.why || []).map(function (w) {
      return el("li", { text: w });
    });
    var attrs = { className: "result", "aria-labelledby": o.id, "data-id": r.id };
    Object.keys(o.attrs || {}).forEach(function (k) {
      attrs[k] = o.attrs[k];
    });
    var heading = el("h3", { id: o.id, className: o.headingClass, text: r.service_name });
    var notice = r.notice ? el("p", { className: "current-notice" }, [el("strong", { text: t("Notice:") }), " ", r.notice]) : null;
    var parts = [
      o.number ? el("div", { className: "card-head" }, [el("span", { className: "card-number", text: String(o.number) }), heading]) : heading,
      orgLine(r),
      o.badges,
      notice,
      descriptionNode(r, o.id),
    ]
      .concat(o.lead || [])
      .concat([
        factList(rows, o.factsClass, o.groupFacts),
        why.length ? el("p", { className: "why-title", text: t("Why it matched") }) : null,
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
    weekRuns: weekRuns,
    whereText: whereText,
    orgLine: orgLine,
    openBadge: openBadge,
    factList: factList,
    resultCard: resultCard,
  };
})();
