/* Linkage case-manager page: search, screening and the referral list, over the JSON API.
 *
 * Plain JavaScript, no build step, no outside host. Privacy: screening answers go only in the
 * JSON body of POST /v1/match; nothing is written to the URL, localStorage, sessionStorage,
 * cookies or the console. The referral list lives in this page's memory only.
 */
(function () {
  "use strict";

  var PER_PAGE = 10;
  var FURTHER_RADII = [50, 200, 500]; // miles tried, in turn, when a search finds nothing
  var TOKEN = (document.querySelector('meta[name="linkage-page-token"]') || {}).content || "";

  var FIELD_NAMES = {
    q: "Need or keywords",
    near: "ZIP code or address",
    radius: "Distance",
    category: "Category",
    language: "Language",
    age: "Age",
    sort: "Sort",
    page: "Page",
    "client.near": "Client's ZIP code",
    "client.age": "Client's age",
    "client.languages": "Preferred language",
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
    return "Please check the form. " + (s.details || s.message || "The request was not accepted.");
  }

  function refused(s) {
    return "Not allowed: " + (s.message || "access was refused") + ".";
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
        return "The request is too large to send.";
      },
      429: function (s) {
        return "Too many requests right now." + s.later;
      },
      503: function (s) {
        return "Search is unavailable right now" + (s.message ? ": " + s.message : "") + "." + s.later;
      },
    },
    unreachable: "Linkage could not be reached. Check the network connection and try again.",
    unreadable: "The server sent an unreadable answer.",
    failed: "Something went wrong in this page. Reload it and try again.",
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

  function distanceText(r) {
    // Also, for a service with no distance or area, how it is given.
    var far = dom.distanceText(r);
    if (far || !(r.delivery || []).length) return far;
    return "By " + r.delivery.map(deliveryName).join(", ");
  }

  function deliveryName(d) {
    return { in_person: "visit", phone: "phone", online: "online", home: "home visit" }[d] || d.replace(/_/g, " ");
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
      extra.further ? el("span", { className: "badge further", text: "Further away" }) : null,
      r.eligible === false ? el("span", { className: "badge closed", text: "May not be eligible" }) : null,
    ]);

    var notes = [];
    if ((r.check_eligibility || []).length) {
      notes.push(el("p", { className: "elig" }, [el("strong", { text: "Check eligibility: " }), r.check_eligibility.join("; ")]));
    }
    if ((r.excluded_because || []).length) {
      notes.push(el("p", { className: "elig" }, [el("strong", { text: "Not eligible: " }), r.excluded_because.join("; ")]));
    }
    if ((r.also_addresses || []).length) {
      notes.push(el("p", { className: "also" }, [el("strong", { text: "Also helps with: " }), r.also_addresses.join(", ")]));
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
      lead: [r.description ? el("p", { className: "desc", text: r.description }) : null],
      distance: distanceText,
      facts: [
        ["Languages", languageNames(r.languages) || "Not listed"],
        ["Cost", r.fees ? (r.fees === "free" ? "Free" : r.fees.replace(/_/g, " ")) : ""],
      ],
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

  // --- Categories ----------------------------------------------------------------------------

  api("/v1/categories").then(
    function (categories) {
      var select = $("category");
      categories.forEach(function (c) {
        var group = el("optgroup", { label: c.name });
        group.appendChild(el("option", { value: c.code, text: "All " + c.name.toLowerCase() }));
        (c.children || []).forEach(function (child) {
          group.appendChild(el("option", { value: child.code, text: child.name }));
        });
        select.appendChild(group);
      });
    },
    function (err) {
      say($("search-error"), "Categories could not be loaded. " + errorText(err));
    }
  );

  // --- Search --------------------------------------------------------------------------------

  var searchState = { page: 1 };
  var latestSearch = new dom.Latest();

  function searchParams(page) {
    var p = new URLSearchParams();
    var q = $("q").value.trim();
    var near = $("near").value.trim();
    if (q) p.set("q", q);
    if (near) {
      p.set("near", near);
      p.set("radius", $("radius").value);
    }
    if ($("category").value) p.set("category", $("category").value);
    if ($("language").value) p.set("language", $("language").value);
    if ($("age").value.trim()) p.set("age", $("age").value.trim());
    if ($("open_now").checked) p.set("open_now", "true");
    if ($("free").checked) p.set("free", "true");
    p.set("sort", $("sort").value);
    p.set("page", String(page));
    p.set("per_page", String(PER_PAGE));
    return p;
  }

  function runSearch(page) {
    var status = $("search-status");
    var error = $("search-error");
    var results = $("search-results");
    var near = $("near").value.trim();
    say(error, "");
    if ($("sort").value === "distance" && !near) {
      say(error, "Please check the form. Sorting by distance needs a ZIP code.");
      $("near").focus();
      return;
    }
    var params = searchParams(page);
    $("search-submit").disabled = true;
    results.setAttribute("aria-busy", "true");
    say(status, "Searching…");
    latestSearch.run(api("/v1/search?" + params.toString()), {
      shown: function (data, current) {
        searchState.page = data.page;
        showResults(data, params, current);
      },
      failed: function (err) {
        clear(results);
        $("search-pager").hidden = true;
        $("search-further").hidden = true;
        say(status, "");
        say(error, errorText(err));
      },
      settled: function () {
        $("search-submit").disabled = false;
        results.removeAttribute("aria-busy");
      },
    });
  }

  function placeText(data) {
    if (!data.place) return "";
    return " within " + data.radius_miles + " mi of " + data.place.label;
  }

  function showResults(data, params, current) {
    var results = $("search-results");
    clear(results);
    $("search-further").hidden = true;
    data.results.forEach(function (r) {
      results.appendChild(resultCard(r));
    });
    var recognised = (data.recognised || [])
      .map(function (m) {
        return m.name + " (from “" + m.term + "”)";
      })
      .join(", ");
    var text;
    if (data.total === 0) {
      text = "No resources found" + placeText(data) + ".";
      if (!data.place) text += " Try other words or fewer filters.";
    } else {
      text =
        data.total + (data.total === 1 ? " resource" : " resources") + " found" + placeText(data) + ".";
      if (data.pages > 1) text += " Page " + data.page + " of " + data.pages + ".";
    }
    if (recognised) text += " Looking for: " + recognised + ".";
    say($("search-status"), text);

    var pager = $("search-pager");
    pager.hidden = data.pages <= 1;
    $("page-prev").disabled = data.page <= 1;
    $("page-next").disabled = data.page >= data.pages;
    say($("page-info"), "Page " + data.page + " of " + Math.max(1, data.pages));

    if (data.total === 0 && data.place) searchFurther(params, data.radius_miles, current);
  }

  // current(): whether the search that found nothing is still the latest.
  function searchFurther(params, radius, current) {
    var radii = FURTHER_RADII.filter(function (r) {
      return r > radius;
    });
    var section = $("search-further");
    var list = $("further-results");
    function attempt(i) {
      if (i >= radii.length) {
        clear(list);
        section.hidden = false;
        var none = "Nothing found within " + radii[radii.length - 1] + " mi either. Try other words or fewer filters.";
        say($("further-note"), none);
        say($("search-status"), $("search-status").textContent + " " + none);
        return;
      }
      var p = new URLSearchParams(params.toString());
      p.set("radius", String(radii[i]));
      p.set("sort", "distance");
      p.set("page", "1");
      p.set("per_page", "5");
      api("/v1/search?" + p.toString()).then(function (data) {
        if (!current()) return;
        if (!data.results.length) return attempt(i + 1);
        clear(list);
        data.results.forEach(function (r) {
          list.appendChild(resultCard(r, { further: true }));
        });
        section.hidden = false;
        say(
          $("further-note"),
          "Nothing was within " + radius + " mi. These are the nearest within " + radii[i] + " mi: further away than you asked."
        );
        var n = data.results.length;
        say(
          $("search-status"),
          $("search-status").textContent + " The " + (n === 1 ? "nearest one" : n + " nearest") +
            " within " + radii[i] + " mi " + (n === 1 ? "is" : "are") + " shown below, further away."
        );
      }, function (err) {
        if (!current()) return;
        say($("search-error"), errorText(err));
      });
    }
    if (radii.length) attempt(0);
    else say($("search-status"), $("search-status").textContent + " Try other words or fewer filters.");
  }

  $("search-form").addEventListener("submit", function (e) {
    e.preventDefault();
    runSearch(1);
  });
  $("page-prev").addEventListener("click", function () {
    runSearch(Math.max(1, searchState.page - 1));
    $("search-status").scrollIntoView({ block: "start" });
  });
  $("page-next").addEventListener("click", function () {
    runSearch(searchState.page + 1);
    $("search-status").scrollIntoView({ block: "start" });
  });

  // --- Screening -----------------------------------------------------------------------------

  var instruments = [];

  api("/v1/instruments").then(
    function (list) {
      instruments = list;
      var select = $("instrument");
      clear(select);
      list.forEach(function (ins) {
        select.appendChild(el("option", { value: ins.id, text: ins.short_name + ": " + ins.name }));
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
      say($("screening-error"), "The screening questions could not be loaded. " + errorText(err));
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
      fieldset.appendChild(el("legend", { text: item.text }));
      if (item.type === "integer") {
        var id = name + "-value";
        fieldset.appendChild(
          el("div", { className: "field" }, [
            el("label", { for: id, className: "visually-hidden", text: item.text }),
            el("input", { id: id, type: "number", min: "0", step: "1", inputmode: "numeric", autocomplete: "off" }),
          ])
        );
      } else if (!(item.answers || []).length) {
        fieldset.appendChild(el("p", { className: "hint", text: "Answer choices for this question are not available here." }));
      } else {
        var multi = item.type === "multi-choice";
        if (!multi) {
          var noneId = name + "-none";
          fieldset.appendChild(
            el("div", { className: "check" }, [
              el("input", { type: "radio", id: noneId, name: name, value: "", checked: true }),
              el("label", { for: noneId, text: "Not answered" }),
            ])
          );
        }
        item.answers.forEach(function (a, k) {
          var aid = name + "-" + k;
          fieldset.appendChild(
            el("div", { className: "check" }, [
              el("input", { type: multi ? "checkbox" : "radio", id: aid, name: name, value: a.code }),
              el("label", { for: aid, text: a.label }),
            ])
          );
        });
        if (!item.answers_complete) {
          fieldset.appendChild(el("p", { className: "hint", text: "Only the answers that show a need are listed; leave it unanswered otherwise." }));
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

  $("screening-form").addEventListener("submit", function (e) {
    e.preventDefault();
    var error = $("screening-error");
    var status = $("screening-status");
    say(error, "");
    var answers = collectAnswers();
    if (!Object.keys(answers).length) {
      say(error, "Please answer at least one question.");
      return;
    }
    var client = {};
    var near = $("client-near").value.trim();
    var age = $("client-age").value.trim();
    var language = $("client-language").value;
    if (near) client.near = near;
    if (age) client.age = Number(age);
    if (language) client.languages = [language];
    var body = {
      assessment: { instrument: $("instrument").value, answers: answers },
      client: client,
      per_need: 5,
    };
    $("screening-submit").disabled = true;
    say(status, "Finding referrals…");
    api("/v1/match", { body: body })
      .then(function (data) {
        showMatch(data, Boolean(near));
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
    say($("screening-status"), "");
    say($("screening-error"), "");
    // Rebuild after the browser has reset the fields (radios back to "Not answered").
    setTimeout(buildScreeningForm, 0);
  });

  function showMatch(data, hasPlace) {
    var box = $("screening-results");
    clear(box);
    var needs = data.needs || [];
    var referrals = data.referrals || [];
    if (!needs.length) {
      say($("screening-status"), data.message || "No social need was found in these answers.");
      return;
    }
    say(
      $("screening-status"),
      needs.length + (needs.length === 1 ? " need found: " : " needs found: ") +
        needs.map(function (n) { return n.label; }).join(", ") + "." +
        (hasPlace ? "" : " Give the client's ZIP code to rank referrals by distance.")
    );
    var byNeed = {};
    referrals.forEach(function (r) {
      byNeed[r.need_code || r.need] = r;
    });
    needs.forEach(function (need, i) {
      var ref = byNeed[need.code] || { resources: [], nearest_outside_radius: [] };
      var headingId = "need-" + i;
      var section = el("section", { className: "need card", "aria-labelledby": headingId, "data-need": need.code });
      section.appendChild(el("h3", { id: headingId, text: need.label + (need.urgency === 1 ? " (urgent)" : "") }));
      var evidence = (need.evidence || []).map(function (ev) {
        return ev.question + " — " + (ev.answer_label || String(ev.answer));
      });
      if (evidence.length) {
        var ul = el("ul", { className: "evidence" });
        evidence.forEach(function (t) {
          ul.appendChild(el("li", { text: t }));
        });
        section.appendChild(el("p", { className: "why-title", text: "Because the client answered" }));
        section.appendChild(ul);
      }
      var list = el("ol", { className: "results" });
      (ref.resources || []).forEach(function (r) {
        list.appendChild(resultCard(r));
      });
      var shown = (ref.resources || []).length;
      section.appendChild(
        el("p", {
          className: "count",
          text: shown
            ? shown + " referral" + (shown === 1 ? "" : "s") + " shown" + (ref.total > shown ? " of " + ref.total + " found" : "") + "."
            : ref.message || "No referral found for this need.",
        })
      );
      if (shown) section.appendChild(list);
      if ((ref.nearest_outside_radius || []).length) {
        var further = el("ol", { className: "results" });
        ref.nearest_outside_radius.forEach(function (r) {
          further.appendChild(resultCard(r, { further: true }));
        });
        section.appendChild(el("p", { className: "why-title", text: "Nearest further away" }));
        section.appendChild(further);
      }
      box.appendChild(section);
    });
    if ((data.not_assessed || []).length) {
      var details = el("details", { className: "not-assessed" });
      details.appendChild(el("summary", { text: "Not assessed (" + data.not_assessed.length + ")" }));
      var ul2 = el("ul");
      data.not_assessed.forEach(function (n) {
        ul2.appendChild(el("li", { text: n.need.replace(/-/g, " ") + ": " + n.reason }));
      });
      details.appendChild(ul2);
      box.appendChild(details);
    }
  }

  // --- Referral list -------------------------------------------------------------------------

  var referralList = []; // [{resource, nextStep}] in the order added; in memory only

  function findReferral(id) {
    for (var i = 0; i < referralList.length; i++) if (referralList[i].resource.id === id) return i;
    return -1;
  }

  function renderAddButton(button, id) {
    var added = findReferral(id) >= 0;
    button.textContent = added ? "Remove from referral list" : "Add to referral list";
    button.setAttribute("aria-pressed", added ? "true" : "false");
    button.classList.toggle("added", added);
  }

  function refreshAddButtons() {
    Array.prototype.forEach.call(document.querySelectorAll("button.add"), function (b) {
      renderAddButton(b, b.getAttribute("data-id"));
    });
  }

  function toggleReferral(resource) {
    var i = findReferral(resource.id);
    if (i >= 0) {
      referralList.splice(i, 1);
      say($("referral-status"), "Removed " + resource.service_name + ". " + countText());
    } else {
      var entry = { resource: resource, nextStep: null };
      referralList.push(entry);
      say($("referral-status"), "Added " + resource.service_name + ". " + countText());
      // The full record says how to apply; the list works without it ("Call first").
      api("/v1/resources/" + encodeURIComponent(resource.id)).then(
        function (full) {
          entry.nextStep = full.application_process || null;
          renderReferrals();
        },
        function () {}
      );
    }
    renderReferrals();
  }

  function countText() {
    var n = referralList.length;
    return n + (n === 1 ? " resource" : " resources") + " on the referral list.";
  }

  function nextStep(entry) {
    return entry.nextStep || "Call first";
  }

  function renderReferrals() {
    var list = $("referral-items");
    clear(list);
    referralList.forEach(function (entry) {
      var r = entry.resource;
      var phone = (r.phones || [])[0];
      list.appendChild(
        el("li", { className: "referral", "data-id": r.id }, [
          el("p", { className: "name", text: r.service_name }),
          phone ? el("p", null, [dom.phoneLink(phone)]) : null,
          el("p", { className: "hint", text: whereText(r) }),
          el("button", {
            type: "button",
            className: "remove link",
            "aria-label": "Remove " + r.service_name + " from the referral list",
            text: "Remove",
            onclick: function () {
              toggleReferral(r);
            },
          }),
        ])
      );
    });
    var n = referralList.length;
    Array.prototype.forEach.call(document.querySelectorAll(".referral-count"), function (c) {
      c.textContent = String(n);
    });
    $("referral-empty").hidden = n > 0;
    $("print-list").disabled = n === 0;
    $("copy-list").disabled = n === 0;
    $("clear-list").disabled = n === 0;
    document.body.classList.toggle("has-referrals", n > 0);
    if (n === 0) $("copy-output").hidden = true;
    else if (!$("copy-output").hidden) $("copy-text").value = referralText();
    renderPrintSheet();
    refreshAddButtons();
  }

  function today() {
    return new Date().toLocaleDateString("en-US", { weekday: "long", year: "numeric", month: "long", day: "numeric" });
  }

  function renderPrintSheet() {
    var items = $("print-items");
    clear(items);
    say($("print-date"), "Prepared " + today() + ".");
    referralList.forEach(function (entry) {
      var r = entry.resource;
      var facts = [
        ["Phone", (r.phones || []).map(phoneText).join(", ") || "No phone listed"],
        ["Address", whereText(r)],
        ["Today's hours", r.hours_today || "Hours not listed"],
        ["Languages", languageNames(r.languages)],
        ["Next steps", nextStep(entry)],
      ];
      items.appendChild(
        el("li", { className: "print-item" }, [
          el("h2", { text: r.service_name }),
          dom.orgLine(r),
          dom.factList(facts, null, true),
        ])
      );
    });
  }

  function referralText() {
    var lines = ["Community resources (" + today() + ")", ""];
    referralList.forEach(function (entry, i) {
      var r = entry.resource;
      var title = r.service_name + (r.organization_name && r.organization_name !== r.service_name ? " - " + r.organization_name : "");
      lines.push(i + 1 + ". " + title);
      var phones = (r.phones || []).map(phoneText).join(", ");
      lines.push("   Phone: " + (phones || "none listed"));
      lines.push("   Address: " + whereText(r));
      lines.push("   Today: " + (r.hours_today || "hours not listed"));
      lines.push("   Next step: " + nextStep(entry));
      lines.push("");
    });
    lines.push("Call before you go: hours and services can change.");
    return plain(lines.join("\n"));
  }

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
        ok ? "Copied the referral list as text. It is also shown below." : "Could not copy automatically: select the text below and copy it."
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
    renderReferrals();
    say($("referral-status"), "The referral list is empty.");
  });

  var printReturnFocus = null;

  function openPrintSheet() {
    renderPrintSheet();
    printReturnFocus = document.activeElement;
    $("app").hidden = true;
    $("print-sheet").hidden = false;
    document.body.classList.add("printing");
    $("print-sheet").focus();
    window.print();
  }

  function closePrintSheet() {
    $("print-sheet").hidden = true;
    $("app").hidden = false;
    document.body.classList.remove("printing");
    if (printReturnFocus && printReturnFocus.focus) printReturnFocus.focus();
  }

  $("print-list").addEventListener("click", openPrintSheet);
  $("print-again").addEventListener("click", function () {
    window.print();
  });
  $("print-close").addEventListener("click", closePrintSheet);
  document.addEventListener("keydown", function (e) {
    if (e.key === "Escape" && !$("print-sheet").hidden) closePrintSheet();
  });

  renderReferrals();
})();
