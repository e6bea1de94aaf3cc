/* The search results on a map, for the case-manager page (Leaflet, which the app serves at
 * /static/vendor/leaflet/; the page loads this file after dom.js, and only when Leaflet is
 * installed).
 *
 *   LinkageMap.show(container, {results, center, radius})
 *
 * results: the results as numbered on the page (each with `number`, `name` or `service_name`
 * and `location: {lat, lon}`; a confidential location has none and is never drawn, nor is a
 * remote one: its point is a head office, often far away, not where the help is); center:
 * the client's point {lat, lon, label}; radius: miles. Each result is a numbered marker, a
 * button that takes the reader to its card (the card whose .card-number reads N, in the map's
 * tab panel). Tiles come only from the deployer's template (<meta name="linkage-map-tiles">,
 * LINKAGE_MAP_TILES) with its attribution; without one the markers sit on a plain background
 * and the page contacts no other host.
 * On a narrow screen the map stays folded behind its "Show map" button (linkage.css), so the
 * results come first. Plain JavaScript, no build chain.
 */
var LinkageMap = (function () {
  "use strict";

  var t = LinkageDom.t;
  var METRES_PER_MILE = 1609.344;

  function meta(name) {
    var node = document.querySelector('meta[name="' + name + '"]');
    return node ? node.getAttribute("content") : "";
  }

  function hasPoint(p) {
    return !!p && typeof p.lat === "number" && typeof p.lon === "number";
  }

  // The result's card on the page, for its marker: the one whose number (dom.js) reads N.
  function cardOf(number, scope) {
    var spans = scope.querySelectorAll(".card-number");
    for (var i = 0; i < spans.length; i++) {
      if (spans[i].textContent.trim() === String(number)) {
        return spans[i].closest("article") || spans[i].closest("li");
      }
    }
    return null;
  }

  function goToCard(number, scope) {
    var card = cardOf(number, scope);
    if (!card) return;
    if (!card.hasAttribute("tabindex")) card.setAttribute("tabindex", "-1");
    card.scrollIntoView({ block: "start" });
    card.focus({ preventScroll: true });
  }

  function numberedMarker(r, scope) {
    var name = r.name || r.service_name || "";
    var marker = L.marker([r.location.lat, r.location.lon], {
      icon: L.divIcon({
        className: "map-marker",
        html: '<span aria-hidden="true">' + Number(r.number) + "</span>",
        iconSize: [28, 28],
        iconAnchor: [14, 14],
      }),
      keyboard: true,
      title: name,
      riseOnHover: true,
    });
    marker.on("add", function () {
      var node = marker.getElement();
      node.setAttribute("aria-label", t("{n}. {name}: go to its card", { n: r.number, name: name }));
      node.addEventListener("click", function () {
        goToCard(r.number, scope);
      });
      node.addEventListener("keydown", function (event) {
        if (event.key === "Enter" || event.key === " ") {
          event.preventDefault();
          goToCard(r.number, scope);
        }
      });
    });
    return marker;
  }

  function clientMarker(center) {
    var marker = L.marker([center.lat, center.lon], {
      icon: L.divIcon({ className: "map-center", html: "", iconSize: [18, 18], iconAnchor: [9, 9] }),
      interactive: false,
      keyboard: false,
      zIndexOffset: -1000, // under the numbered markers: it never hides one
    });
    marker.on("add", function () {
      var node = marker.getElement();
      node.setAttribute("role", "img");
      node.setAttribute("aria-label", center.label ? t("The client's location: {place}", { place: center.label }) : t("The client's location"));
    });
    return marker;
  }

  // One Leaflet map per container, made on first use and redrawn by every show().
  function mapOf(container) {
    if (container.linkageMap) return container.linkageMap;
    var map = L.map(container, {
      attributionControl: false,
      scrollWheelZoom: false, // the page scrolls under the pointer, not the map
      zoomControl: false,
      zoomSnap: 0.25, // the radius fills the map, not a whole zoom level less
    });
    L.control.zoom({ zoomInTitle: t("Zoom in"), zoomOutTitle: t("Zoom out") }).addTo(map);
    var tiles = meta("linkage-map-tiles");
    if (tiles) {
      L.control.attribution({ prefix: false }).addTo(map);
      L.tileLayer(tiles, { attribution: meta("linkage-map-attribution"), maxZoom: 19 }).addTo(map);
    } else {
      container.classList.add("map-plain");
    }
    var state = { map: map, layers: L.layerGroup().addTo(map), markers: [], bounds: null };
    container.linkageMap = state;
    map.on("zoomend", function () {
      spread(state);
    });
    foldOnNarrowScreens(container, state);
    return state;
  }

  // The "Show map" button beside the map (index.html), seen on narrow screens only.
  function foldOnNarrowScreens(container, state) {
    var section = container.closest(".map-section");
    var toggle = section && section.querySelector(".map-toggle");
    if (!toggle) return;
    toggle.addEventListener("click", function () {
      var open = section.classList.toggle("open");
      toggle.setAttribute("aria-expanded", open ? "true" : "false");
      toggle.textContent = open ? t("Hide map") : t("Show map");
      if (open) fit(state);
    });
  }

  // Markers at one address (or a few streets apart when zoomed out) would hide each other's
  // numbers and leave targets too small to tap: each one that would overlap a marker drawn before
  // it moves to the nearest free place on rings around its point.
  var MARKER_GAP = 30; // px between markers' centres: their 28 px and a little air

  function spread(state) {
    var taken = [];
    function free(p) {
      return taken.every(function (q) {
        return Math.abs(p.x - q.x) >= MARKER_GAP || Math.abs(p.y - q.y) >= MARKER_GAP;
      });
    }
    state.markers.forEach(function (marker) {
      var node = marker.getElement();
      if (!node) return;
      var at = state.map.latLngToLayerPoint(marker.getLatLng());
      var shift = L.point(0, 0);
      for (var ring = 1; !free(at.add(shift)) && ring <= 6; ring++) {
        for (var k = 0, n = 6 * ring; k < n; k++) {
          var angle = (2 * Math.PI * k) / n;
          shift = L.point(Math.round(Math.cos(angle) * MARKER_GAP * ring), Math.round(Math.sin(angle) * MARKER_GAP * ring));
          if (free(at.add(shift))) break;
        }
      }
      taken.push(at.add(shift));
      node.style.marginLeft = shift.x - 14 + "px"; // 14: half the icon, its anchor
      node.style.marginTop = shift.y - 14 + "px";
    });
  }

  function fit(state) {
    // A folded map has no size to fit to: it is fitted when its button opens it.
    if (!state.map.getContainer().offsetWidth) return;
    state.map.invalidateSize();
    if (state.bounds) state.map.fitBounds(state.bounds, { padding: [16, 16], maxZoom: 15 });
    spread(state);
  }

  function show(container, options) {
    var o = options || {};
    var center = hasPoint(o.center) ? o.center : null;
    // A remote service (phone, online, nationwide) is no place to go: its office is left off.
    var placed = (o.results || []).filter(function (r) {
      return r.reach !== "remote" && hasPoint(r.location);
    });
    var section = container.closest(".map-section") || container;
    section.hidden = !placed.length && !center;
    if (section.hidden) return;

    var state = mapOf(container);
    var within = center && o.radius > 0;
    // The view first (Leaflet draws layers once a map has one): the radius frames it, so a far
    // programme's marker stays off it; without a radius, every marker and the client's point.
    var bounds = within
      ? L.latLng(center.lat, center.lon).toBounds(2 * o.radius * METRES_PER_MILE)
      : L.latLngBounds(
          placed.map(function (r) {
            return [r.location.lat, r.location.lon];
          })
        );
    if (center) bounds.extend([center.lat, center.lon]);
    state.bounds = bounds;
    fit(state);

    state.layers.clearLayers();
    if (within) {
      L.circle([center.lat, center.lon], {
        radius: o.radius * METRES_PER_MILE,
        className: "map-radius",
        interactive: false,
      }).addTo(state.layers);
    }
    if (center) clientMarker(center).addTo(state.layers);
    var scope = container.closest("[role=tabpanel]") || document;
    state.markers = placed.map(function (r) {
      return numberedMarker(r, scope).addTo(state.layers);
    });
    spread(state);
    container.setAttribute("aria-label", center && center.label ? t("Map of the results near {place}", { place: center.label }) : t("Map of the results"));
  }

  return { show: show };
})();
