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

  // --- Small DOM helpers ---------------------------------------------------------------------

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    if (attrs) {
      Object.keys(attrs).forEach(function (k) {
        var v = attrs[k];
        if (v === null || v === undefined || v === false) return;
        if (k === "text") node.textContent = v;
        else if (k === "className") node.className = v;
        else if (k === "onclick") node.addEventListener("click", v);
        else node.setAttribute(k, v === true ? "" : v);
      });
    }
    (children || []).forEach(function (c) {
      if (c === null || c === undefined || c === false) return;
      node.appendChild(typeof c === "string" ? document.createTextNode(c) : c);
    });
    return node;
  }

  function clear(node) {
    while (node.firstChild) node.removeChild(node.firstChild);
  }

  function say(node, text) {
    node.textContent = text || "";
  }

  // --- The API -------------------------------------------------------------------------------

  function ApiError(message, status) {
    this.message = message;
    this.status = status;
  }

  function fieldErrors(errors) {
    // {location: {field: [messages]}} -> ["Field: message", ...]
    var lines = [];
    if (!errors || typeof errors !== "object") return lines;
    Object.keys(errors).forEach(function (where) {
      var fields = errors[where];
      if (!fields || typeof fields !== "object") return;
      Object.keys(fields).forEach(function (name) {
        var messages = fields[name];
        if (!Array.isArray(messages)) messages = [String(messages)];
        var label = FIELD_NAMES[name] || name;
        messages.forEach(function (m) {
          lines.push(label + ": " + (typeof m === "string" ? m : JSON.stringify(m)));
        });
      });
    });
    return lines;
  }

  function describeError(response, body) {
    var status = response.status;
    var message = body && typeof body.message === "string" ? body.message : "";
    var retry = response.headers.get("Retry-After");
    var later = retry ? " Try again in " + retry + " seconds." : " Try again in a moment.";
    var details = fieldErrors(body && body.errors);
    if (status === 400 || status === 422) {
      var text = details.length ? details.join(". ") : message;
      return "Please check the form. " + (text || "The request was not accepted.");
    }
    if (status === 401 || status === 403) {
      return "Not allowed: " + (message || "access was refused") + ".";
    }
    if (status === 413) return "The request is too large to send.";
    if (status === 429) return "Too many requests right now." + later;
    if (status === 503) {
      return "Search is unavailable right now" + (message ? ": " + message : "") + "." + later;
    }
    return "Something went wrong (" + status + ")" + (message ? ": " + message : "") + "." + later;
  }

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
    return fetch(path, init).then(
      function (response) {
        return response
          .json()
          .catch(function () {
            return null;
          })
          .then(function (body) {
            if (!response.ok) throw new ApiError(describeError(response, body), response.status);
            if (body === null) throw new ApiError("The server sent an unreadable answer.", 0);
            return body;
          });
      },
      function () {
        throw new ApiError(
          "Linkage could not be reached. Check the network connection and try again.",
          0
        );
      }
    );
  }

  function errorText(err) {
    return err instanceof ApiError ? err.message : "Something went wrong in this page. Reload it and try again.";
  }

  // --- Formatting ----------------------------------------------------------------------------

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

  function addressText(address) {
    if (!address) return "";
    var line = [address.street, address.city].filter(Boolean).join(", ");
    var region = [address.state, address.postal_code].filter(Boolean).join(" ");
    return [line, region].filter(Boolean).join(", ");
  }

  function languageNames(codes) {
    return (codes || [])
      .map(function (c) {
        return LANGUAGES[c] || c;
      })
      .join(", ");
  }

  function distanceText(r) {
    if (r.distance && typeof r.distance.miles === "number") return r.distance.miles.toFixed(1) + " mi away";
    if (r.serves_area) return "Serves " + r.serves_area;
    if ((r.delivery || []).length) return "By " + r.delivery.map(deliveryName).join(", ");
    return "";
  }

  function deliveryName(d) {
    return { in_person: "visit", phone: "phone", online: "online", home: "home visit" }[d] || d.replace(/_/g, " ");
  }

  function whereText(r) {
    if (r.address) return addressText(r.address);
    if (r.confidential_address) return "Confidential location: call for directions";
    if (r.serves_area) return "No walk-in address; serves " + r.serves_area;
    return "No walk-in address";
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
    var id = "card-" + ++cardCount;
    var facts = el("dl", { className: "facts" });
    function fact(name, value) {
      if (!value) return;
      facts.appendChild(el("div", { className: "fact" }, [el("dt", { text: name }), el("dd", null, [value])]));
    }
    fact("Distance", distanceText(r));
    fact("Today", r.hours_today || "Hours not listed");
    if ((r.phones || []).length) {
      var phones = el("span", { className: "phones" });
      r.phones.forEach(function (p, i) {
        if (i) phones.appendChild(document.createTextNode(", "));
        phones.appendChild(el("a", { href: telHref(p), className: "tel", text: phoneText(p) }));
        if (p.description) phones.appendChild(document.createTextNode(" (" + p.description + ")"));
      });
      fact("Phone", phones);
    } else {
      fact("Phone", "No phone listed");
    }
    fact("Address", whereText(r));
    fact("Languages", languageNames(r.languages) || "Not listed");
    if (r.fees) fact("Cost", r.fees === "free" ? "Free" : r.fees.replace(/_/g, " "));

    var badges = el("p", { className: "badges" });
    if (r.open_now === true) badges.appendChild(el("span", { className: "badge open", text: "Open now" }));
    else if (r.open_now === false) badges.appendChild(el("span", { className: "badge closed", text: "Closed now" }));
    if (extra.further) badges.appendChild(el("span", { className: "badge further", text: "Further away" }));
    if (r.eligible === false) badges.appendChild(el("span", { className: "badge closed", text: "May not be eligible" }));

    var why = el("ul", { className: "why" });
    (r.why || []).forEach(function (w) {
      why.appendChild(el("li", { text: w }));
    });

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

    var button = el("button", { type: "button", className: "add", "data-id": r.id, "aria-describedby": id + "-name" });
    button.addEventListener("click", function () {
      toggleReferral(r);
    });
    renderAddButton(button, r.id);

    return el("li", null, [
      el("article", { className: "result", "aria-labelledby": id + "-name", "data-id": r.id }, [
        el("h3", { id: id + "-name", className: "name", text: r.service_name }),
        r.organization_name && r.organization_name !== r.service_name
          ? el("p", { className: "org", text: r.organization_name })
          : null,
        badges.childNodes.length ? badges : null,
        r.description ? el("p", { className: "desc", text: r.description }) : null,
        facts,
        (r.why || []).length ? el("p", { className: "why-title", text: "Why it matched" }) : null,
        (r.why || []).length ? why : null,
      ].concat(notes, [el("div", { className: "card-actions" }, [button])])),
    ]);
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

  var searchState = { page: 1, seq: 0 };

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
    var seq = ++searchState.seq;
    var params = searchParams(page);
    $("search-submit").disabled = true;
    results.setAttribute("aria-busy", "true");
    say(status, "Searching…");
    api("/v1/search?" + params.toString())
      .then(function (data) {
        if (seq !== searchState.seq) return;
        searchState.page = data.page;
        showResults(data, params);
      })
      .catch(function (err) {
        if (seq !== searchState.seq) return;
        clear(results);
        $("search-pager").hidden = true;
        $("search-further").hidden = true;
        say(status, "");
        say(error, errorText(err));
      })
      .then(function () {
        if (seq !== searchState.seq) return;
        $("search-submit").disabled = false;
        results.removeAttribute("aria-busy");
      });
  }

  function placeText(data) {
    if (!data.place) return "";
    return " within " + data.radius_miles + " mi of " + data.place.label;
  }

  function showResults(data, params) {
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

    if (data.total === 0 && data.place) searchFurther(params, data.radius_miles, searchState.seq);
  }

  function searchFurther(params, radius, seq) {
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
        if (seq !== searchState.seq) return;
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
        if (seq !== searchState.seq) return;
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
          phone ? el("p", null, [el("a", { href: telHref(phone), className: "tel", text: phoneText(phone) })]) : null,
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
      var dl = el("dl");
      function row(name, value) {
        dl.appendChild(el("div", { className: "fact" }, [el("dt", { text: name }), el("dd", null, [value])]));
      }
      var phones = (r.phones || []).map(phoneText).join(", ");
      row("Phone", phones || "No phone listed");
      row("Address", whereText(r));
      row("Today's hours", r.hours_today || "Hours not listed");
      if ((r.languages || []).length) row("Languages", languageNames(r.languages));
      row("Next steps", nextStep(entry));
      items.appendChild(
        el("li", { className: "print-item" }, [
          el("h2", { text: r.service_name }),
          r.organization_name && r.organization_name !== r.service_name ? el("p", { className: "org", text: r.organization_name }) : null,
          dl,
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
