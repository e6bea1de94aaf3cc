/* Linkage case-manager page: search, screening and the referral list, over the JSON API.
 *
 * Plain JavaScript, no build step, no outside host. Privacy: screening answers go only in the
 * JSON body of POST /v1/match, and so do the client's attributes (and a search's, in the body of
 * POST /v1/search: the URL keeps only its words, ZIP code or city, category and page); nothing
 * about the client is written to the URL, localStorage, sessionStorage, cookies or the console.
 * The one thing kept is the tab's referral list as resource ids and need codes (sessionStorage,
 * gone when the tab closes).
 */
(function () {
  "use strict";

  var PER_PAGE = 10;
  var FURTHER_RADII = [50, 200, 500]; // miles tried, in turn, when a search finds nothing
  var TOKEN = (document.querySelector('meta[name="linkage-page-token"]') || {}).content || "";

  // The page's words in its language, embedded by the server as data (linkage/web/i18n.py).
  var CATALOG = document.getElementById("linkage-catalog");
  LinkageDom.useCatalog(CATALOG ? JSON.parse(CATALOG.textContent) : {});
  var t = LinkageDom.t;

  var FIELD_NAMES = {
    q: t("Need or keywords"),
    radius: t("Distance"),
    category: t("Category"),
    language: t("Language"),
    age: t("Age"),
    sort: t("Sort"),
    page: t("Page"),
    "client.near": t("Client's ZIP code"),
    "client.age": t("Client's age"),
    "client.languages": t("Preferred language"),
  };

  var $ = function (id) {
    return document.getElementById(id);
  };

  // The API names fields as the form labels them.
  FIELD_NAMES.near = $("near").labels[0].textContent;

  var LANGUAGES = {};
  Array.prototype.forEach.call($("language").options, function (o) {
    if (o.value) LANGUAGES[o.value] = o.textContent;
  });

  // --- Small DOM helpers (dom.js, loaded before this file) ---------------------------------

  var dom = LinkageDom;
  var el = dom.el;
  var clear = dom.clear;

  function say(node, text) {
    node.textContent = text || "";
  }

  // --- The API -------------------------------------------------------------------------------

  function invalid(s) {
    if (/^near: /.test(s.message || "")) return placeMessage(s);
    return t("Please check the form.") + " " + (s.details || s.message || t("The request was not accepted."));
  }

  function refused(s) {
    var reason = s.message || t("access was refused"); // a t() of its own, to be extracted
    return t("Not allowed: {reason}.", { reason: reason });
  }

  // What the page says about the API's answers (dom.js, requestJson).
  var WORDS = {
    fields: FIELD_NAMES,
    errors: {
      400: invalid,
      422: invalid,
      401: refused,
      403: refused,
      413: function () {
        return t("The request is too large to send.");
      },
      429: function (s) {
        return t("Too many requests right now.") + s.later;
      },
      503: function (s) {
        return (s.message ? t("Search is unavailable right now: {reason}.", { reason: s.message }) : t("Search is unavailable right now.")) + s.later;
      },
    },
    unreachable: t("Linkage could not be reached. Check the network connection and try again."),
    unreadable: t("The server sent an unreadable answer."),
    failed: t("Something went wrong in this page. Reload it and try again."),
    readable: function (body) {
      return body !== null;
    },
  };

  function api(path, options) {
    options = options || {};
    var headers = { Accept: "application/json" };
    if (TOKEN) headers.Authorization = "Bearer " + TOKEN;
    var init = {
      method: options.body ? "POST" : "GET",
      headers: headers,
      credentials: "same-origin",
      cache: "no-store",
      referrerPolicy: "no-referrer",
    };
    if (options.body) {
      headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(options.body);
    }
    return dom.requestJson(path, init, WORDS);
  }

  function errorText(err) {
    return dom.errorText(err, WORDS);
  }

  // --- Formatting ----------------------------------------------------------------------------

  var phoneText = dom.phoneText;
  var whereText = dom.whereText;

  function languageNames(codes) {
    return (codes || [])
      .map(function (c) {
        return LANGUAGES[c] || c;
      })
      .join(", ");
  }

  function plain(text) {
    // For SMS and email: ASCII dashes and quotes.
    return String(text || "")
      .replace(/[\u2012-\u2015]/g, "-")
      .replace(/[\u2018\u2019]/g, "'")
      .replace(/[\u201c\u201d]/g, '"')
      .replace(/\u2192/g, "->");
  }

  // --- Result cards --------------------------------------------------------------------------

  var cardCount = 0;

  function resultCard(r, extra) {
    extra = extra || {};
    var id = "card-" + ++cardCount + "-name";

    var badges = el("p", { className: "badges" }, [
      dom.openBadge(r),
      extra.further ? el("span", { className: "badge further", text: t("Further away") }) : null,
      r.eligible === false ? el("span", { className: "badge closed", text: t("May not be eligible") }) : null,
    ]);

    var notes = [];
    if ((r.check_eligibility || []).length) {
      notes.push(el("p", { className: "elig" }, [el("strong", { text: t("Check eligibility:") }), " ", r.check_eligibility.join("; ")]));
    }
    if ((r.excluded_because || []).length) {
      notes.push(el("p", { className: "elig" }, [el("strong", { text: t("Not eligible:") }), " ", r.excluded_because.join("; ")]));
    }
    if ((r.also_addresses || []).length) {
      notes.push(el("p", { className: "also" }, [el("strong", { text: t("Also helps with:") }), " ", r.also_addresses.join(", ")]));
    }

    var button = el("button", { type: "button", className: "add", "data-id": r.id, "aria-describedby": id });
    button.addEventListener("click", function () {
      toggleReferral(r);
    });
    renderAddButton(button, r.id);

    return dom.resultCard(r, {
      id: id,
      headingClass: "name",
      badges: badges.childNodes.length ? badges : null,
      number: extra.number ? 1 : null, // numbered in the page's order by renumber()
      directionsUrl: DIRECTIONS_URL,
      facts: [[t("Languages"), languageNames(r.languages) || t("Not listed")]],
      factsClass: "facts",
      groupFacts: true,
      tail: notes.concat([el("div", { className: "card-actions" }, [button])]),
    });
  }

  // --- Tabs ----------------------------------------------------------------------------------

  var tabs = [$("tab-search"), $("tab-screening")];

  function selectTab(tab, focus) {
    tabs.forEach(function (t) {
      var on = t === tab;
      t.setAttribute("aria-selected", on ? "true" : "false");
      t.tabIndex = on ? 0 : -1;
      $(t.getAttribute("aria-controls")).hidden = !on;
    });
    if (focus) tab.focus();
  }

  tabs.forEach(function (tab, i) {
    tab.addEventListener("click", function () {
      selectTab(tab, false);
    });
    tab.addEventListener("keydown", function (e) {
      var next = null;
      if (e.key === "ArrowRight") next = tabs[(i + 1) % tabs.length];
      else if (e.key === "ArrowLeft") next = tabs[(i - 1 + tabs.length) % tabs.length];
      else if (e.key === "Home") next = tabs[0];
      else if (e.key === "End") next = tabs[tabs.length - 1];
      if (next) {
        e.preventDefault();
        selectTab(next, true);
      }
    });
  });

  // --- Language switch -----------------------------------------------------------------------

  // The other language's link keeps the search as it is now (the address may have changed
  // since the page was drawn): its query string, `lang` set.
  Array.prototype.forEach.call(document.querySelectorAll(".lang-switch a[hreflang]"), function (link) {
    link.addEventListener("click", function () {
      var params = new URLSearchParams(location.search);
      params.set("lang", link.getAttribute("hreflang"));
      link.href = "?" + params.toString() + location.hash;
    });
  });

  // --- Categories ----------------------------------------------------------------------------

  // Settled once the categories are in (or could not be): a URL's category can then be chosen.
  var categoriesLoaded = api("/v1/categories").then(
    function (categories) {
      var select = $("category");
      // In the page's language: the API names each category in English and Spanish.
      var name = function (c) {
        return (displayLang() === "es" && c.name_es) || c.name;
      };
      categories.forEach(function (c) {
        var group = el("optgroup", { label: name(c) });
        group.appendChild(el("option", { value: c.code, text: t("All {category}", { category: name(c).toLowerCase() }) }));
        (c.children || []).forEach(function (child) {
          group.appendChild(el("option", { value: child.code, text: name(child) }));
        });
        select.appendChild(group);
      });
    },
    function (err) {
      say($("search-error"), t("Categories could not be loaded.") + " " + errorText(err));
    }
  );

  // --- Search --------------------------------------------------------------------------------

  // Every search is a POST /v1/search with a JSON body, so that needs, the people a client is
  // (serves, age), their language and their location never travel in a URL. The address bar
  // keeps only what says nothing about the client: the words, the ZIP code or city typed, the
  // category and the page (so Back, reload and bookmarks work).
  var URL_KEYS = ["q", "near", "category", "page"];
  var DIRECTIONS_URL = (document.querySelector('meta[name="linkage-directions-url"]') || {}).content || "";
  var SECTION_SIZE = 5; // results a reach section shows, and adds on "Show more"
  // The reach sections after the local results, in their order on the page.
  var SECTIONS = ["area", "remote"];
  // The facets a search can be narrowed by (POST /v1/search facets), in their order on the page.
  var FACETS = [
    { name: "serves", label: t("People served") },
    { name: "accessibility", label: t("Accessibility") },
    { name: "fees", label: t("Cost") },
    { name: "delivery", label: t("How it is given") },
    { name: "open_on", label: t("Open on"), single: true },
  ];

  var searchState = { page: 1, urlKey: null, chosen: {}, data: null, lists: {} };
  var latestSearch = new dom.Latest();
  var myLocation = null; // {lat, lon} from "Use my location": in this page's memory only
  $("search-status").tabIndex = -1; // focused after a search, so a phone shows the results

  function nearText() {
    if (myLocation) return myLocation.lat.toFixed(5) + "," + myLocation.lon.toFixed(5);
    return $("near").value.trim();
  }

  // A ZIP code or a city ("Springfield, IL") may go in the URL; a street address or
  // coordinates say where the client is, and never do. Only the API tells a city from a street
  // ("N Kedzie Ave"): a ZIP code goes in at once, a city once a search's answer placed it as one
  // (runSearch), the text it confirmed kept here.
  var confirmedNear = null;

  function shareableNear() {
    var near = myLocation ? "" : $("near").value.trim();
    return /^[0-9]{5}$/.test(near) || (near && near === confirmedNear) ? near : "";
  }

  function isZipOrCity(place) {
    return !!place && (place.precision === "zip" || place.precision === "city");
  }

  function searchBody(page) {
    var body = { sort: $("sort").value, page: page, per_page: PER_PAGE };
    var q = $("q").value.trim();
    var near = nearText();
    var age = $("age").value.trim();
    if (q) body.q = q;
    if (near) {
      body.near = near;
      body.radius = Number($("radius").value);
    }
    if ($("category").value) body.category = [$("category").value];
    if ($("language").value) body.language = $("language").value;
    if (age) body.age = Number(age);
    if ($("open_now").checked) body.open_now = true;
    FACETS.forEach(function (f) {
      var values = searchState.chosen[f.name] || [];
      if (values.length) body[f.name] = f.single ? values[0] : values;
    });
    return body;
  }

  // A copy of `object` with `changes` made.
  function copy(object, changes) {
    var out = {};
    [object, changes].forEach(function (o) {
      Object.keys(o || {}).forEach(function (k) {
        out[k] = o[k];
      });
    });
    return out;
  }

  function search(body) {
    return api("/v1/search", { body: copy(body, { lang: displayLang() }) });
  }

  // The page's language, in which the API writes its words (names, why, messages): the case
  // manager's screen language, never the client's.
  function displayLang() {
    return document.documentElement.lang === "es" ? "es" : "en";
  }

  // --- The address bar ---

  function urlKey(params) {
    return URL_KEYS.map(function (k) {
      return params.get(k) || "";
    }).join("\n");
  }

  // This search's URL: the page's own parameters (its language) kept, URL_KEYS set.
  function searchUrl(page) {
    var params = new URLSearchParams(location.search);
    URL_KEYS.forEach(function (k) {
      params.delete(k);
    });
    var q = $("q").value.trim();
    if (q) params.set("q", q);
    if (shareableNear()) params.set("near", shareableNear());
    if ($("category").value) params.set("category", $("category").value);
    if (page > 1) params.set("page", String(page));
    return params;
  }

  // The search in the address bar (how: "pushState", "replaceState", or null to leave it);
  // returns its parameters.
  function remember(page, how) {
    var params = searchUrl(page);
    searchState.urlKey = urlKey(params);
    if (how) setUrl(params, how);
    return params;
  }

  function setUrl(params, how) {
    var query = params.toString();
    var url = location.pathname + (query ? "?" + query : "") + location.hash;
    if (url !== location.pathname + location.search + location.hash) history[how]({ linkage: "search" }, "", url);
  }

  // The form as the URL says, and its search (on load, and on Back and Forward).
  function restoreFromUrl() {
    var params = new URLSearchParams(location.search);
    if (urlKey(params) === searchState.urlKey) return; // only the #fragment changed
    myLocation = null;
    searchState.chosen = {}; // the URL's search is the whole search: facets are not in it
    $("q").value = params.get("q") || "";
    $("near").value = params.get("near") || "";
    $("category").value = params.get("category") || "";
    if (!$("category").value) $("category").value = ""; // a code this directory lacks
    if ($("q").value || $("near").value || $("category").value) {
      runSearch(Math.max(1, parseInt(params.get("page"), 10) || 1), { history: null });
    } else {
      searchState.urlKey = urlKey(params);
      // An answer still on its way is dropped, and with it that search's settled(): this one's
      // frees the form instead.
      latestSearch.run(Promise.resolve(null), { settled: searchSettled });
      clearResults();
      say($("search-status"), "");
      say($("search-error"), "");
    }
  }

  window.addEventListener("popstate", restoreFromUrl);

  // --- Places ---

  // The API's refusal of `near`, in the page's words (and language).
  function placeMessage(s) {
    var typed = $("near").value.trim();
    var several = /is a city in .*?: ([^;]+, [A-Z]{2})(;|$)/.exec(s.message || "");
    if (several) {
      return t("'{place}' is a city in more than one state. Add the state, for example '{example}'.", { place: typed, example: several[1] });
    }
    return t("We couldn't find '{place}'. Try a ZIP code or 'Springfield, IL'.", { place: typed });
  }

  if (navigator.geolocation && window.isSecureContext) $("use-location").hidden = false;

  $("use-location").addEventListener("click", function () {
    say($("search-error"), "");
    say($("search-status"), t("Finding your location…"));
    navigator.geolocation.getCurrentPosition(
      function (position) {
        myLocation = { lat: position.coords.latitude, lon: position.coords.longitude };
        $("near").value = t("My location");
        runSearch(1, { history: "pushState", focus: true });
      },
      function () {
        say($("search-status"), "");
        say($("search-error"), t("Your location is not available. Type a ZIP code or a city instead."));
      },
      { timeout: 15000, maximumAge: 600000 }
    );
  });

  $("near").addEventListener("input", function () {
    myLocation = null; // typing replaces the browser's location
  });

  // --- Running a search ---

  // options: history ("pushState", "replaceState" or null: the URL as it is), focus (move focus
  // and scroll to the results summary, as after Search).
  function runSearch(page, options) {
    options = options || {};
    var status = $("search-status");
    var error = $("search-error");
    var results = $("search-results");
    var near = nearText();
    say(error, "");
    if ($("sort").value === "distance" && !near) {
      say(error, t("Please check the form. Sorting by distance needs a ZIP code or city."));
      $("near").focus();
      return;
    }
    // With a place, this list holds the local results; the others have sections of their own.
    var body = copy(searchBody(page), near ? { reach: ["local"] } : null);
    var params = remember(page, options.history);
    var typed = myLocation ? "" : $("near").value.trim();
    $("search-submit").disabled = true;
    results.setAttribute("aria-busy", "true");
    say(status, t("Searching…"));
    latestSearch.run(search(body), {
      shown: function (data, current) {
        if (typed && !params.has("near") && isZipOrCity(data.place)) {
          // The API placed it as a city: it says nothing about the client's street.
          confirmedNear = typed;
          params.set("near", typed);
          searchState.urlKey = urlKey(params);
          setUrl(params, "replaceState");
        }
        searchState.page = data.page;
        showResults(data, body, current);
        if (options.focus) {
          status.focus({ preventScroll: true });
          status.scrollIntoView({ block: "start" });
        }
      },
      failed: function (err) {
        clearResults();
        say(status, "");
        say(error, errorText(err));
        if (options.focus) error.scrollIntoView({ block: "nearest" });
      },
      settled: searchSettled,
    });
  }

  // The form free again once the latest search is over (answered, failed or dropped).
  function searchSettled() {
    $("search-submit").disabled = false;
    $("search-results").removeAttribute("aria-busy");
  }

  function clearResults() {
    clear($("search-results"));
    $("search-pager").hidden = true;
    $("search-further").hidden = true;
    $("search-refine").hidden = true;
    SECTIONS.forEach(function (reach) {
      $("reach-" + reach).hidden = true;
      clear($("reach-" + reach + "-results"));
    });
    searchState.lists = {};
    showOnMap();
  }

  function placeText(data) {
    if (!data.place) return "";
    var where = myLocation ? t("your location") : data.place.label;
    return " " + t("within {miles} mi of {place}", { miles: data.radius_miles, place: where });
  }


  // Draws one list of results; `list` is its key in searchState.lists (for the numbering).
  function fillList(node, list, results, extra, append) {
    if (!append) {
      clear(node);
      searchState.lists[list] = [];
    }
    results.forEach(function (r) {
      searchState.lists[list].push(r);
      node.appendChild(resultCard(r, extra));
    });
    renumber();
  }

  // Each card a number, 1, 2, 3… in the page's order (local, further, area, remote), as the
  // map's markers; then the map is redrawn with them.
  var LIST_ORDER = ["local", "further", "area", "remote"];
  var LIST_NODES = { local: "search-results", further: "further-results", area: "reach-area-results", remote: "reach-remote-results" };

  function numbered() {
    var out = [];
    LIST_ORDER.forEach(function (list) {
      (searchState.lists[list] || []).forEach(function (r) {
        out.push(copy(r, { number: out.length + 1 }));
      });
    });
    return out;
  }

  function renumber() {
    var n = 0;
    LIST_ORDER.forEach(function (list) {
      var node = $(LIST_NODES[list]);
      node.start = n + 1; // each <ol> counts on from the one before, as a screen reader says
      Array.prototype.forEach.call(node.querySelectorAll(".card-number"), function (span) {
        span.textContent = String(++n);
      });
    });
  }

  // The map (static/map.js, when the server has it) draws the cards' numbered markers.
  function showOnMap() {
    if (!window.LinkageMap) return;
    var data = searchState.data || {};
    LinkageMap.show($("search-map"), { results: numbered(), center: data.place || null, radius: data.radius_miles || null });
  }

  function showResults(data, body, current) {
    searchState.data = data;
    searchState.lists = {};
    $("search-further").hidden = true;
    clear($("further-results"));
    fillList($("search-results"), "local", data.results, { number: true });
    showFacets(data.facets || {});

    var counts = {};
    ((data.facets || {}).reach || []).forEach(function (f) {
      counts[f.value] = f.count;
    });
    var others = data.place ? (counts.area || 0) + (counts.remote || 0) : 0;
    var recognised = (data.recognised || [])
      .map(function (m) {
        return t("{name} (from “{term}”)", { name: m.name, term: m.term });
      })
      .join(", ");
    var text;
    if (data.total === 0) {
      text = t("No resources found") + placeText(data) + ".";
      if (!data.place) text += " " + t("Try other words or fewer filters.");
    } else {
      text = (data.total === 1 ? t("1 resource found") : t("{n} resources found", { n: data.total })) + placeText(data) + ".";
      if (data.pages > 1) text += " " + t("Page {page} of {pages}.", { page: data.page, pages: data.pages });
    }
    if (others === 1) text += " " + t("1 more serves the area or helps by phone and online: see below.");
    else if (others) text += " " + t("{count} more serve the area or help by phone and online: see below.", { count: others });
    if (recognised) text += " " + t("Looking for: {what}.", { what: recognised });
    say($("search-status"), text);

    var pager = $("search-pager");
    pager.hidden = data.pages <= 1;
    $("page-prev").disabled = data.page <= 1;
    $("page-next").disabled = data.page >= data.pages;
    say($("page-info"), t("Page {page} of {pages}", { page: data.page, pages: Math.max(1, data.pages) }));

    SECTIONS.forEach(function (reach) {
      $("reach-" + reach).hidden = true;
      clear($("reach-" + reach + "-results"));
      if (data.place && data.page === 1 && counts[reach]) loadSection(reach, body, 1, current);
    });
    if (data.total === 0 && data.place) searchFurther(body, data.radius_miles, current);
    showOnMap();
  }

  // One reach section's results, page by page ("Show more").
  function loadSection(reach, body, page, current) {
    var more = $("reach-" + reach + "-more");
    var sectionBody = copy(body, { reach: [reach], page: page, per_page: SECTION_SIZE });
    more.disabled = true;
    search(sectionBody).then(
      function (data) {
        if (!current()) return;
        fillList($("reach-" + reach + "-results"), reach, data.results, { number: true }, page > 1);
        var shown = searchState.lists[reach].length;
        $("reach-" + reach).hidden = !shown;
        say($("reach-" + reach + "-note"), t("{shown} of {total} shown.", { shown: shown, total: data.total }));
        more.hidden = shown >= data.total;
        more.disabled = false;
        more.onclick = function () {
          loadSection(reach, body, page + 1, current);
        };
        showOnMap();
      },
      function (err) {
        if (!current()) return;
        more.disabled = false;
        say($("search-error"), errorText(err));
      }
    );
  }

  // --- Narrowing by facets ---

  // The API names each value in the page's language (`lang`).
  function facetValueName(bucket) {
    return bucket.name || bucket.value;
  }

  // The facets of this search, each value with its count; the chosen ones checked (and kept
  // when the search no longer counts them).
  function showFacets(facets) {
    var box = $("refine-groups");
    var focused = document.activeElement && box.contains(document.activeElement) ? document.activeElement.getAttribute("data-key") : null;
    clear(box);
    var any = false;
    FACETS.forEach(function (f) {
      var chosen = searchState.chosen[f.name] || [];
      var buckets = (facets[f.name] || []).filter(function (b) {
        return b.count > 0;
      });
      chosen.forEach(function (value) {
        if (!buckets.some(function (b) { return b.value === value; })) buckets.push({ value: value, count: 0 });
      });
      if (!buckets.length) return;
      any = true;
      var group = el("fieldset", { className: "refine-group", "data-facet": f.name }, [el("legend", { text: f.label })]);
      if (f.single) {
        var id = "refine-" + f.name;
        var select = el("select", { id: id, "data-key": f.name, "data-facet": f.name }, [el("option", { value: "", text: t("Any day") })]);
        buckets.forEach(function (b) {
          select.appendChild(el("option", { value: b.value, text: facetValueName(b) + " (" + b.count + ")", selected: chosen[0] === b.value }));
        });
        group.appendChild(el("label", { for: id, className: "visually-hidden", text: f.label }));
        group.appendChild(select);
      } else {
        buckets.forEach(function (b, i) {
          var cid = "refine-" + f.name + "-" + i;
          group.appendChild(
            el("div", { className: "check" }, [
              el("input", { type: "checkbox", id: cid, value: b.value, "data-key": f.name + ":" + b.value, "data-facet": f.name, checked: chosen.indexOf(b.value) >= 0 }),
              el("label", { for: cid, text: facetValueName(b) + " (" + b.count + ")" }),
            ])
          );
        });
      }
      box.appendChild(group);
    });
    $("search-refine").hidden = !any;
    if (focused) {
      var again = box.querySelector('[data-key="' + focused.replace(/["\\]/g, "\\$&") + '"]');
      if (again) again.focus();
    }
  }

  $("refine-groups").addEventListener("change", function (e) {
    var facet = e.target.getAttribute("data-facet");
    if (!facet) return;
    var controls = $("refine-groups").querySelectorAll('[data-facet="' + facet + '"]:not(fieldset)');
    searchState.chosen[facet] = Array.prototype.filter
      .call(controls, function (c) {
        return c.tagName === "SELECT" ? c.value : c.checked;
      })
      .map(function (c) {
        return c.value;
      });
    runSearch(1, { history: "replaceState" });
  });

  // current(): whether the search that found nothing is still the latest.
  function searchFurther(body, radius, current) {
    var radii = FURTHER_RADII.filter(function (r) {
      return r > radius;
    });
    var section = $("search-further");
    var list = $("further-results");
    function attempt(i) {
      if (i >= radii.length) {
        clear(list);
        section.hidden = false;
        var none = t("Nothing found within {miles} mi either. Try other words or fewer filters.", { miles: radii[radii.length - 1] });
        say($("further-note"), none);
        say($("search-status"), $("search-status").textContent + " " + none);
        return;
      }
      search(copy(body, { radius: radii[i], sort: "distance", page: 1, per_page: 5 })).then(
        function (data) {
          if (!current()) return;
          if (!data.results.length) return attempt(i + 1);
          fillList(list, "further", data.results, { further: true, number: true });
          section.hidden = false;
          say(
            $("further-note"),
            t("Nothing was within {radius} mi. These are the nearest within {miles} mi: further away than you asked.", { radius: radius, miles: radii[i] })
          );
          var n = data.results.length;
          say(
            $("search-status"),
            $("search-status").textContent +
              " " +
              (n === 1
                ? t("The nearest one within {miles} mi is shown below, further away.", { miles: radii[i] })
                : t("The {n} nearest within {miles} mi are shown below, further away.", { n: n, miles: radii[i] }))
          );
          showOnMap();
        },
        function (err) {
          if (!current()) return;
          say($("search-error"), errorText(err));
        }
      );
    }
    if (radii.length) attempt(0);
    else say($("search-status"), $("search-status").textContent + " " + t("Try other words or fewer filters."));
  }

  $("search-form").addEventListener("submit", function (e) {
    e.preventDefault();
    runSearch(1, { history: "pushState", focus: true });
  });
  $("page-prev").addEventListener("click", function () {
    runSearch(Math.max(1, searchState.page - 1), { history: "pushState", focus: true });
  });
  $("page-next").addEventListener("click", function () {
    runSearch(searchState.page + 1, { history: "pushState", focus: true });
  });

  // A reloaded or bookmarked search runs again (its category once the list is in).
  categoriesLoaded.then(restoreFromUrl);

  // --- Screening -----------------------------------------------------------------------------

  var instruments = [];

  // In the page's language: the API gives each instrument's name, question and answer in
  // English and Spanish (field + "_es"); English where a deployer's instrument has no Spanish.
  function inPageLanguage(thing, field) {
    return (displayLang() === "es" && thing[field + "_es"]) || thing[field];
  }

  api("/v1/instruments").then(
    function (list) {
      instruments = list;
      var select = $("instrument");
      clear(select);
      list.forEach(function (ins) {
        select.appendChild(el("option", { value: ins.id, text: ins.short_name + ": " + inPageLanguage(ins, "name") }));
      });
      select.value = list.some(function (i) {
        return i.id === "ahc-hrsn";
      })
        ? "ahc-hrsn"
        : (list[0] || {}).id || "";
      select.disabled = false;
      buildScreeningForm();
    },
    function (err) {
      var items = $("screening-items");
      clear(items);
      items.removeAttribute("aria-busy");
      say($("screening-error"), t("The screening questions could not be loaded.") + " " + errorText(err));
    }
  );

  function currentInstrument() {
    var id = $("instrument").value;
    return instruments.filter(function (i) {
      return i.id === id;
    })[0];
  }

  function hasSections(ins) {
    return ins.items.some(function (it) {
      return it.section === "supplemental";
    });
  }

  // Every item with every answer its instrument lists (data/instruments), "Not answered" first.
  function buildScreeningForm() {
    var ins = currentInstrument();
    var box = $("screening-items");
    clear(box);
    box.removeAttribute("aria-busy");
    if (!ins) return;
    $("show-supplemental").parentNode.hidden = !hasSections(ins);
    var showSupplemental = $("show-supplemental").checked;
    var shown = 0;
    ins.items.forEach(function (item, n) {
      if (item.section === "supplemental" && !showSupplemental) return;
      var name = "item-" + n;
      var fieldset = el("fieldset", { className: "item", "data-code": item.code, "data-type": item.type });
      fieldset.appendChild(el("legend", { text: inPageLanguage(item, "text") }));
      if (item.type === "integer") {
        var id = name + "-value";
        fieldset.appendChild(
          el("div", { className: "field" }, [
            el("label", { for: id, className: "visually-hidden", text: inPageLanguage(item, "text") }),
            el("input", { id: id, type: "number", min: "0", step: "1", inputmode: "numeric", autocomplete: "off" }),
          ])
        );
      } else if (!(item.answers || []).length) {
        fieldset.appendChild(el("p", { className: "hint", text: t("Answer choices for this question are not available here.") }));
      } else {
        var multi = item.type === "multi-choice";
        if (!multi) {
          var noneId = name + "-none";
          fieldset.appendChild(
            el("div", { className: "check" }, [
              el("input", { type: "radio", id: noneId, name: name, value: "", checked: true }),
              el("label", { for: noneId, text: t("Not answered") }),
            ])
          );
        }
        item.answers.forEach(function (a, k) {
          var aid = name + "-" + k;
          fieldset.appendChild(
            el("div", { className: "check" }, [
              el("input", { type: multi ? "checkbox" : "radio", id: aid, name: name, value: a.code }),
              el("label", { for: aid, text: inPageLanguage(a, "label") }),
            ])
          );
        });
        if (item.answers_complete === false) {
          // A deployer's instrument may list only the answers that flag a need.
          fieldset.appendChild(el("p", { className: "hint", text: t("Only the answers that show a need are listed; leave it unanswered otherwise.") }));
        }
      }
      box.appendChild(fieldset);
      shown++;
    });
    $("screening-submit").disabled = shown === 0;
  }

  $("instrument").addEventListener("change", buildScreeningForm);
  $("show-supplemental").addEventListener("change", buildScreeningForm);

  function collectAnswers() {
    var answers = {};
    Array.prototype.forEach.call($("screening-items").querySelectorAll("fieldset.item"), function (fs) {
      var code = fs.getAttribute("data-code");
      var type = fs.getAttribute("data-type");
      if (type === "integer") {
        var input = fs.querySelector("input");
        if (input && input.value.trim() !== "") answers[code] = Number(input.value);
      } else if (type === "multi-choice") {
        var picked = Array.prototype.filter
          .call(fs.querySelectorAll("input:checked"), function (i) {
            return i.value;
          })
          .map(function (i) {
            return i.value;
          });
        if (picked.length) answers[code] = picked;
      } else {
        var chosen = fs.querySelector("input:checked");
        if (chosen && chosen.value) answers[code] = chosen.value;
      }
    });
    return answers;
  }

  // The client section as POST /v1/match takes it. It lives in this request's body and in
  // memory for "Show more" only: never in a URL or storage.
  function collectClient() {
    var client = {};
    var near = $("client-near").value.trim();
    var age = $("client-age").value.trim();
    var household = $("client-household").value.trim();
    var income = $("client-income").value.trim();
    var veteran = $("client-veteran").value;
    var language = $("client-language").value;
    if (near) client.near = near;
    if (age) client.age = Number(age);
    if (household) client.household_size = Number(household);
    if (income) client.income = Number(income);
    if (veteran) client.veteran = veteran === "true";
    if (language) client.languages = [language];
    return client;
  }

  var PER_NEED = 5; // referrals shown a need at first, and added by each "Show more"
  var MAX_PER_NEED = 20; // the most POST /v1/match gives a need
  var lastClient = null; // the client of the referrals shown, for "Show more"

  $("screening-form").addEventListener("submit", function (e) {
    e.preventDefault();
    var error = $("screening-error");
    var status = $("screening-status");
    say(error, "");
    var answers = collectAnswers();
    if (!Object.keys(answers).length) {
      say(error, t("Please answer at least one question."));
      return;
    }
    var client = collectClient();
    var body = {
      assessment: { instrument: $("instrument").value, answers: answers },
      client: client,
      per_need: PER_NEED,
      lang: displayLang(),
    };
    $("screening-submit").disabled = true;
    say(status, t("Finding referrals…"));
    api("/v1/match", { body: body })
      .then(function (data) {
        lastClient = client;
        showMatch(data, Boolean(client.near));
        status.scrollIntoView({ block: "start" });
      })
      .catch(function (err) {
        clear($("screening-results"));
        say(status, "");
        say(error, errorText(err));
      })
      .then(function () {
        $("screening-submit").disabled = false;
      });
  });

  $("screening-form").addEventListener("reset", function () {
    clear($("screening-results"));
    lastClient = null;
    say($("screening-status"), "");
    say($("screening-error"), "");
    // Rebuild after the browser has reset the fields (radios back to "Not answered").
    setTimeout(buildScreeningForm, 0);
  });

  // The need codes each shown screening result answers, so "Add to referral list" files it
  // under them.
  var needsOfResult = {};

  function noteNeed(resourceId, code) {
    var codes = needsOfResult[resourceId] || (needsOfResult[resourceId] = []);
    if (code && codes.indexOf(code) < 0) codes.push(code);
  }

  function countLine(shown, total, message) {
    if (!shown) return message || t("No referral found for this need.");
    if (total > shown) return t("{shown} of {total} referrals found shown.", { shown: shown, total: total });
    return shown === 1 ? t("1 referral shown.") : t("{n} referrals shown.", { n: shown });
  }

  function showMatch(data, hasPlace) {
    var box = $("screening-results");
    clear(box);
    needsOfResult = {};
    var needs = data.needs || [];
    var referrals = data.referrals || [];
    if (!needs.length) {
      // In the page's words and language, not the API's message.
      say($("screening-status"), t("No social need was found in these answers."));
      return;
    }
    var labels = needs.map(needName).join(", ");
    say(
      $("screening-status"),
      (needs.length === 1
        ? t("1 need found: {needs}.", { needs: labels })
        : t("{n} needs found: {needs}.", { n: needs.length, needs: labels })) +
        (hasPlace ? "" : " " + t("Give the client's ZIP code to rank referrals by distance."))
    );
    var byNeed = {};
    referrals.forEach(function (r) {
      byNeed[r.need_code || r.need] = r;
    });
    needs.forEach(function (need, i) {
      box.appendChild(needSection(need, byNeed[need.code] || { resources: [], nearest_outside_radius: [] }, i));
    });
    if ((data.not_assessed || []).length) {
      var details = el("details", { className: "not-assessed" });
      details.appendChild(el("summary", { text: t("Not assessed ({n})", { n: data.not_assessed.length }) }));
      var ul2 = el("ul");
      data.not_assessed.forEach(function (n) {
        ul2.appendChild(el("li", { text: n.need.replace(/-/g, " ") + ": " + n.reason }));
      });
      details.appendChild(ul2);
      box.appendChild(details);
    }
  }

  // A need's name in the page's language (the page carries data/needs.json's labels); the
  // API's for a need named by its text (the unspecified code's "interpersonal safety").
  function needName(need) {
    var labels = LIST.needs[need.code];
    return (!need.text && labels && labels[displayLang()]) || need.label;
  }

  // The question and answer in the page's language, from the instrument the form was built
  // from; an item the form does not show (a computed one) keeps the API's English.
  function evidenceLine(ev) {
    var ins = instruments.filter(function (x) {
      return x.id === ev.instrument;
    })[0];
    var item = (ins ? ins.items : []).filter(function (x) {
      return x.code === ev.item;
    })[0];
    if (!item) return ev.question + " — " + (ev.answer_label || String(ev.answer));
    var answers = [].concat(ev.answer).map(function (code) {
      var a = (item.answers || []).filter(function (x) {
        return x.code === code;
      })[0];
      return a ? inPageLanguage(a, "label") : String(code);
    });
    return inPageLanguage(item, "text") + " — " + answers.join("; ");
  }

  function needSection(need, ref, i) {
    var headingId = "need-" + i;
    var section = el("section", { className: "need card", "aria-labelledby": headingId, "data-need": need.code });
    section.appendChild(el("h3", { id: headingId, text: needName(need) + (need.urgency === 1 ? " " + t("(urgent)") : "") }));
    var evidence = (need.evidence || []).map(evidenceLine);
    if (evidence.length) {
      var ul = el("ul", { className: "evidence" });
      evidence.forEach(function (line) {
        ul.appendChild(el("li", { text: line }));
      });
      section.appendChild(el("p", { className: "why-title", text: t("Because the client answered") }));
      section.appendChild(ul);
    }
    var resources = ref.resources || [];
    var list = el("ol", { className: "results" });
    resources.forEach(function (r) {
      noteNeed(r.id, need.code);
      list.appendChild(resultCard(r));
    });
    var count = el("p", { className: "count", text: countLine(resources.length, ref.total, ref.message) });
    section.appendChild(count);
    if (resources.length) section.appendChild(list);
    if (resources.length && ref.total > resources.length && resources.length < MAX_PER_NEED) {
      section.appendChild(showMoreButton(need, list, count, resources.length));
    }
    if ((ref.nearest_outside_radius || []).length) {
      var further = el("ol", { className: "results" });
      ref.nearest_outside_radius.forEach(function (r) {
        noteNeed(r.id, need.code);
        further.appendChild(resultCard(r, { further: true }));
      });
      section.appendChild(el("p", { className: "why-title", text: t("Nearest further away") }));
      section.appendChild(further);
    }
    return section;
  }

  // "Show more": this need alone, by its code, with a larger per_need. The answers are not
  // sent again (the need is named), and the client goes in the POST body as before.
  function showMoreButton(need, list, count, initiallyShown) {
    var shown = initiallyShown;
    var button = el("button", {
      type: "button",
      className: "show-more",
      text: t("Show more for {need}", { need: needName(need) }),
    });
    button.addEventListener("click", function () {
      var client = lastClient || {};
      var perNeed = Math.min(shown + PER_NEED, MAX_PER_NEED);
      button.disabled = true;
      say($("screening-status"), t("Finding more for {need}…", { need: needName(need) }));
      api("/v1/match", { body: { needs: [need.code], client: client, per_need: perNeed, lang: displayLang() } })
        .then(function (data) {
          var ref = (data.referrals || [])[0] || { resources: [] };
          var seen = {};
          Array.prototype.forEach.call(list.querySelectorAll("button.add"), function (b) {
            seen[b.getAttribute("data-id")] = true;
          });
          var added = (ref.resources || []).filter(function (r) {
            return !seen[r.id];
          });
          var first = null;
          added.forEach(function (r) {
            noteNeed(r.id, need.code);
            var card = resultCard(r);
            list.appendChild(card);
            first = first || card;
          });
          shown += added.length;
          say(count, countLine(shown, Math.max(ref.total || 0, shown)));
          say(
            $("screening-status"),
            added.length === 1
              ? t("1 more referral for {need}.", { need: needName(need) })
              : t("{n} more referrals for {need}.", { n: added.length, need: needName(need) })
          );
          if (!added.length || shown >= (ref.total || 0) || perNeed >= MAX_PER_NEED) button.remove();
          else button.disabled = false;
          // Keyboard and screen-reader users continue at the first new referral.
          var heading = first && first.querySelector("h3, h4");
          if (heading) {
            heading.tabIndex = -1;
            heading.focus();
          }
        })
        .catch(function (err) {
          button.disabled = false;
          say($("screening-error"), errorText(err));
        });
    });
    return button;
  }

  // --- Referral list -------------------------------------------------------------------------

  // [{resource, needs: [need codes], full: the full record or null}] in the order added. The tab
  // keeps the resource ids and need codes only (sessionStorage, gone when the tab closes); the
  // records are fetched again by id after a reload.
  var referralList = [];
  var STORED_LIST = "linkage.referrals";
  var LIST = JSON.parse($("list-words").textContent); // {words: {en, es}, needs: {code: {en, es}}}

  function keepList() {
    var kept = referralList.map(function (entry) {
      return { id: entry.resource.id, needs: entry.needs.slice() };
    });
    try {
      if (kept.length) window.sessionStorage.setItem(STORED_LIST, JSON.stringify(kept));
      else window.sessionStorage.removeItem(STORED_LIST);
    } catch (e) {
      // Storage refused (a private mode, a policy): the list lasts as long as the page.
    }
  }

  function keptList() {
    try {
      var kept = JSON.parse(window.sessionStorage.getItem(STORED_LIST) || "[]");
      return Array.isArray(kept) ? kept : [];
    } catch (e) {
      return [];
    }
  }

  function findReferral(id) {
    for (var i = 0; i < referralList.length; i++) if (referralList[i].resource.id === id) return i;
    return -1;
  }

  function renderAddButton(button, id) {
    var added = findReferral(id) >= 0;
    button.textContent = added ? t("Remove from referral list") : t("Add to referral list");
    button.setAttribute("aria-pressed", added ? "true" : "false");
    button.classList.toggle("added", added);
  }

  function refreshAddButtons() {
    Array.prototype.forEach.call(document.querySelectorAll("button.add"), function (b) {
      renderAddButton(b, b.getAttribute("data-id"));
    });
  }

  // The full record says how to apply and the whole week's hours; the list works without it.
  function fetchFull(entry) {
    return api("/v1/resources/" + encodeURIComponent(entry.resource.id)).then(function (full) {
      entry.full = full;
      return full;
    });
  }

  function toggleReferral(resource) {
    var i = findReferral(resource.id);
    if (i >= 0) {
      referralList.splice(i, 1);
      say($("referral-status"), t("Removed {name}.", { name: resource.service_name }) + " " + countText());
    } else {
      var entry = { resource: resource, needs: (needsOfResult[resource.id] || []).slice(), full: null };
      referralList.push(entry);
      say($("referral-status"), t("Added {name}.", { name: resource.service_name }) + " " + countText());
      fetchFull(entry).then(renderReferrals, function () {});
    }
    keepList();
    renderReferrals();
  }

  // After a reload: the kept ids, fetched again; one no longer in the directory is dropped.
  function restoreList() {
    var kept = keptList().filter(function (k) {
      return k && typeof k.id === "string";
    });
    if (!kept.length) return;
    referralList = kept.map(function (k) {
      var needs = (Array.isArray(k.needs) ? k.needs : []).filter(function (c) {
        return typeof c === "string" && LIST.needs[c];
      });
      return { resource: { id: k.id, service_name: "…" }, needs: needs, full: null, pending: true };
    });
    renderReferrals();
    var gone = 0;
    var failed = 0;
    var fetches = referralList.slice().map(function (entry) {
      return fetchFull(entry).then(
        function (full) {
          if (referralList.indexOf(entry) < 0) return; // removed meanwhile
          entry.resource = full;
          entry.pending = false;
        },
        function (err) {
          var at = referralList.indexOf(entry);
          if (at < 0) return; // removed (or the list cleared) meanwhile
          if (err.status === 404) {
            gone++;
            referralList.splice(at, 1);
          } else {
            failed++; // kept by id: a reload tries again
            entry.pending = false;
            entry.resource = { id: entry.resource.id, service_name: t("Could not be loaded") };
          }
        }
      );
    });
    Promise.all(fetches).then(function () {
      keepList();
      renderReferrals();
      say(
        $("referral-status"),
        countText() +
          (gone ? " " + t("{n} no longer in the directory, removed.", { n: gone }) : "") +
          (failed ? " " + t("{n} could not be loaded: reload the page to try again.", { n: failed }) : "")
      );
    });
  }

  function countText() {
    var n = referralList.length;
    return n === 1 ? t("1 resource on the referral list.") : t("{n} resources on the referral list.", { n: n });
  }

  // --- The list in the client's language -----------------------------------------------------

  function listLanguage() {
    return $("list-language").value === "es" ? "es" : "en";
  }

  function words() {
    return LIST.words[listLanguage()];
  }

  function fill(text, values) {
    return text.replace(/\{(\w+)\}/g, function (all, name) {
      return Object.prototype.hasOwnProperty.call(values, name) ? values[name] : all;
    });
  }

  function needLabel(code) {
    var labels = LIST.needs[code];
    return labels ? labels[listLanguage()] : code;
  }

  // Entries grouped by their first need, in the order the groups were first added; resources
  // added from a search (no need) last.
  function groups() {
    var order = [];
    var byKey = {};
    referralList.forEach(function (entry) {
      var key = entry.needs[0] || "";
      if (!byKey[key]) {
        byKey[key] = [];
        order.push(key);
      }
      byKey[key].push(entry);
    });
    order.sort(function (a, b) {
      return (a === "") - (b === "");
    });
    return order.map(function (key) {
      return { need: key, label: key ? needLabel(key) : words().other_resources, entries: byKey[key] };
    });
  }

  function record(entry) {
    return entry.full || entry.resource;
  }

  // The whole week (a handout is read on other days than today), days in a row with the same
  // hours as one (dom.js weekRuns, as on the card): "Mon–Fri 8:30 AM–4:30 PM, Sat 9:00 AM–12:00 PM".
  function hoursText(entry) {
    var r = record(entry);
    var w = words();
    var week = dom
      .weekRuns(r.schedule, w.open_24_hours)
      .filter(function (run) {
        return run.times;
      })
      .map(function (run) {
        var days = (w.days[run.from] || run.from) + (run.to !== run.from ? "–" + (w.days[run.to] || run.to) : "");
        return days + " " + run.times;
      });
    return week.join(", ") || r.hours_text || entry.resource.hours_today || w.hours_not_listed;
  }

  function where(entry) {
    var r = record(entry);
    if (r.confidential || r.confidential_address) return words().address_confidential;
    return whereText(r);
  }

  function preparedLine() {
    var w = words();
    var date = dateText();
    var who = [$("cm-name").value.trim(), $("cm-org").value.trim()].filter(Boolean).join(", ");
    return who ? fill(w.prepared_by, { who: who, date: date }) : fill(w.prepared, { date: date });
  }

  function dateText() {
    var parts = /^(\d{4})-(\d{2})-(\d{2})$/.exec($("cm-date").value);
    var day = parts ? new Date(Number(parts[1]), Number(parts[2]) - 1, Number(parts[3])) : new Date();
    return day.toLocaleDateString(listLanguage() === "es" ? "es-US" : "en-US", {
      year: "numeric",
      month: "long",
      day: "numeric",
    });
  }

  function isoToday() {
    var d = new Date();
    var pad = function (n) {
      return (n < 10 ? "0" : "") + n;
    };
    return d.getFullYear() + "-" + pad(d.getMonth() + 1) + "-" + pad(d.getDate());
  }

  function titleOf(r) {
    return r.service_name + (r.organization_name && r.organization_name !== r.service_name ? " - " + r.organization_name : "");
  }

  // The whole list as text: for email and "Copy as text".
  function referralText() {
    var w = words();
    var lines = [w.list_title, preparedLine(), ""];
    var n = 0;
    groups().forEach(function (group) {
      lines.push(group.label.toUpperCase());
      group.entries.forEach(function (entry) {
        var r = record(entry);
        lines.push(++n + ". " + titleOf(r));
        var phones = (r.phones || []).map(phoneText).join(", ");
        lines.push("   " + w.phone + ": " + (phones || w.no_phone));
        lines.push("   " + w.address + ": " + where(entry));
        lines.push("   " + w.hours + ": " + hoursText(entry));
        lines.push("   " + w.next_steps + ": " + ((entry.full && entry.full.application_process) || w.call_first));
      });
      lines.push("");
    });
    lines.push(w.call_before);
    return plain(lines.join("\n"));
  }

  // Short enough for a text message: per resource its name, main phone and address.
  function smsText() {
    var w = words();
    var lines = [w.list_title + ":"];
    groups().forEach(function (group) {
      lines.push(group.label + ":");
      group.entries.forEach(function (entry) {
        var r = record(entry);
        var phone = (r.phones || [])[0];
        lines.push("- " + [r.service_name, phone ? phoneText(phone) : null, where(entry)].filter(Boolean).join(", "));
      });
    });
    lines.push(preparedLine());
    return plain(lines.join("\n"));
  }

  function renderReferrals() {
    var box = $("referral-items");
    clear(box);
    var number = 1; // one numbering through the groups, as on the sheet and in the text
    groups().forEach(function (group, g) {
      var headingId = "referral-group-" + g;
      var list = el("ol", { className: "referral-group-items", "aria-labelledby": headingId, start: String(number) });
      number += group.entries.length;
      group.entries.forEach(function (entry) {
        var r = record(entry);
        var phone = (r.phones || [])[0];
        list.appendChild(
          el("li", { className: "referral", "data-id": r.id }, [
            el("p", { className: "name", text: entry.pending ? t("Loading…") : r.service_name }),
            phone ? el("p", null, [dom.phoneLink(phone)]) : null,
            entry.pending ? null : el("p", { className: "hint", text: whereText(r) }),
            el("button", {
              type: "button",
              className: "remove link",
              "aria-label": t("Remove {name} from the referral list", { name: r.service_name }),
              text: t("Remove"),
              onclick: function () {
                toggleReferral(r);
              },
            }),
          ])
        );
      });
      box.appendChild(
        el("section", { className: "referral-group", "data-need": group.need }, [
          el("h3", { id: headingId, text: group.need ? needLabel(group.need) : t("From a search") }),
          list,
        ])
      );
    });
    var n = referralList.length;
    Array.prototype.forEach.call(document.querySelectorAll(".referral-count"), function (c) {
      c.textContent = String(n);
    });
    $("referral-empty").hidden = n > 0;
    $("referral-kept").hidden = n === 0;
    ["print-list", "copy-list", "clear-list"].forEach(function (id) {
      $(id).disabled = n === 0;
    });
    $("fhir-download").disabled = !referralList.some(function (e) {
      return e.needs.length;
    });
    document.body.classList.toggle("has-referrals", n > 0);
    renderHandOff();
    refreshAddButtons();
  }

  // What depends on the list, its language and the case manager's line: the links, the text
  // and the print sheet.
  function renderHandOff() {
    var n = referralList.length;
    var w = words();
    $("text-list").hidden = n === 0;
    $("email-list").hidden = n === 0;
    if (n) {
      $("text-list").href = "sms:?&body=" + encodeURIComponent(smsText());
      $("email-list").href =
        "mailto:?subject=" + encodeURIComponent(w.subject) + "&body=" + encodeURIComponent(referralText());
    }
    if (n === 0) $("copy-output").hidden = true;
    else if (!$("copy-output").hidden) $("copy-text").value = referralText();
    renderPrintSheet();
  }

  function renderPrintSheet() {
    var w = words();
    var items = $("print-items");
    clear(items);
    $("print-body").setAttribute("lang", listLanguage());
    say($("print-title"), w.list_title);
    say($("print-date"), preparedLine());
    say($("print-footer"), w.call_before);
    var number = 1;
    groups().forEach(function (group) {
      var list = el("ol", { className: "print-group-items", start: String(number) });
      number += group.entries.length;
      group.entries.forEach(function (entry) {
        var r = record(entry);
        var facts = [
          [w.phone, (r.phones || []).map(phoneText).join(", ") || w.no_phone],
          [w.address, where(entry)],
          [w.hours, hoursText(entry)],
          [w.next_steps, (entry.full && entry.full.application_process) || w.call_first],
        ];
        list.appendChild(
          el("li", { className: "print-item" }, [el("h3", { text: r.service_name }), dom.orgLine(r), dom.factList(facts, null, true)])
        );
      });
      items.appendChild(el("section", { className: "print-group" }, [el("h2", { text: group.label }), list]));
    });
  }

  ["list-language", "cm-name", "cm-org", "cm-date"].forEach(function (id) {
    $(id).addEventListener("input", renderHandOff);
    $(id).addEventListener("change", renderHandOff);
  });

  function copyFallback(textarea) {
    textarea.focus();
    textarea.select();
    try {
      return document.execCommand("copy");
    } catch (e) {
      return false;
    }
  }

  $("copy-list").addEventListener("click", function () {
    var text = referralText();
    var box = $("copy-output");
    var textarea = $("copy-text");
    textarea.value = text;
    box.hidden = false;
    var done = function (ok) {
      say(
        $("referral-status"),
        ok
          ? t("Copied the referral list as text. It is also shown below.")
          : t("Could not copy automatically: select the text below and copy it.")
      );
    };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(
        function () {
          done(true);
        },
        function () {
          done(copyFallback(textarea));
        }
      );
    } else {
      done(copyFallback(textarea));
    }
  });

  $("clear-list").addEventListener("click", function () {
    referralList = [];
    keepList();
    renderReferrals();
    say($("referral-status"), t("The referral list is empty."));
  });

  // The FHIR transaction Bundle of POST /v1/referrals, saved as a file: the patient reference
  // goes in the POST body only, the file is made in the browser (a Blob), nothing in a URL.
  $("fhir-download").addEventListener("click", function () {
    var error = $("referral-error");
    say(error, "");
    var patient = $("fhir-patient").value.trim();
    if (!patient) {
      say(error, t("Please give the patient reference, for example Patient/123."));
      $("fhir-patient").focus();
      return;
    }
    var chosen = referralList.filter(function (e) {
      return e.needs.length;
    });
    var body = {
      patient: patient,
      referrals: chosen.map(function (e) {
        return { resource: e.resource.id, needs: e.needs };
      }),
    };
    $("fhir-download").disabled = true;
    api("/v1/referrals", { body: body })
      .then(function (bundle) {
        var blob = new Blob([JSON.stringify(bundle, null, 2)], { type: "application/fhir+json" });
        var url = URL.createObjectURL(blob);
        var link = el("a", { href: url, download: "referrals-" + isoToday() + ".json", hidden: true });
        document.body.appendChild(link);
        link.click();
        link.remove();
        setTimeout(function () {
          URL.revokeObjectURL(url);
        }, 0);
        var left = referralList.length - chosen.length;
        var saved = chosen.length === 1 ? t("Saved the FHIR bundle of 1 referral.") : t("Saved the FHIR bundle of {n} referrals.", { n: chosen.length });
        if (left === 1) saved += " " + t("The one added from a search names no need and is not in it.");
        else if (left) saved += " " + t("The {n} added from a search name no need and are not in it.", { n: left });
        say($("referral-status"), saved);
      })
      .catch(function (err) {
        say(error, errorText(err));
      })
      .then(function () {
        $("fhir-download").disabled = false;
      });
  });

  var printReturnFocus = null;
  var printReturnScroll = 0;

  function openPrintSheet() {
    renderPrintSheet();
    printReturnFocus = document.activeElement;
    printReturnScroll = window.scrollY;
    $("app").hidden = true;
    $("print-sheet").hidden = false;
    document.body.classList.add("printing");
    // From a scrolled page the sheet starts at the top, its toolbar in view.
    window.scrollTo(0, 0);
    $("print-sheet").focus({ preventScroll: true });
    window.print();
  }

  function closePrintSheet() {
    $("print-sheet").hidden = true;
    $("app").hidden = false;
    document.body.classList.remove("printing");
    window.scrollTo(0, printReturnScroll); // back where the case manager was
    if (printReturnFocus && printReturnFocus.focus) printReturnFocus.focus({ preventScroll: true });
  }

  $("print-list").addEventListener("click", openPrintSheet);
  $("print-again").addEventListener("click", function () {
    window.print();
  });
  $("print-close").addEventListener("click", closePrintSheet);
  document.addEventListener("keydown", function (e) {
    if (e.key === "Escape" && !$("print-sheet").hidden) closePrintSheet();
  });

  // The list's language: the page's at first, then the client's when the screening names it
  // (English or Spanish); the case manager can still choose.
  if (displayLang() === "es") $("list-language").value = "es";
  $("client-language").addEventListener("change", function () {
    var language = $("client-language").value;
    if (language === "es" || language === "en") {
      $("list-language").value = language;
      renderHandOff();
    }
  });

  $("cm-date").value = isoToday();
  renderReferrals();
  restoreList();
})();
