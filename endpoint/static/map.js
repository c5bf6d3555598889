/* riikg maps: infrastructures as points over NUTS outlines, with Leaflet served by riikg.
 * No background tiles unless the server configures a tile URL (data-tiles); no inline
 * script (CSP); every text from the data is inserted with textContent, never as HTML. */
(function () {
  "use strict";
  var el = document.getElementById("map");
  if (!el) { return; }
  if (typeof L === "undefined") {
    el.textContent = "The map library is not installed on this server.";
    el.className += " map-missing";
    return;
  }
  var map = L.map(el, { zoomSnap: 0.5, scrollWheelZoom: false });
  map.setView([50, 10], 4);
  if (el.dataset.tiles) {
    L.tileLayer(el.dataset.tiles, { maxZoom: 18, attribution: "Map tiles" }).addTo(map);
  }
  var bounds = L.latLngBounds([]);      /* the points */
  var area = L.latLngBounds([]);        /* the outlines (or the focused region's) */
  var focus = el.dataset.focus || "";
  var EUROPE = L.latLngBounds([[34, -12], [71, 35]]);
  var pending = 0;

  function safeHref(h) {
    if (typeof h !== "string") { return null; }
    if (h.charAt(0) === "/" && h.charAt(1) !== "/") { return h; }
    return /^https?:\/\//i.test(h) ? h : null;
  }

  function linkNode(text, href) {
    var safe = safeHref(href);
    var node = document.createElement(safe ? "a" : "span");
    node.textContent = text || "";
    if (safe) { node.setAttribute("href", safe); }
    return node;
  }

  function done() {
    pending -= 1;
    if (pending > 0) { return; }
    var target = bounds;
    /* a focused region, or points spread wider than the outlines (a lab in Chile),
       show the outlines' extent; the far points stay one zoom-out away */
    if (area.isValid() && (focus || !bounds.isValid() || !area.pad(0.5).contains(bounds))) {
      target = area;
    }
    /* overseas regions and labs (Reunion, Chile) would shrink Europe to a dot */
    if (!focus && target.isValid() && !EUROPE.pad(0.2).contains(target) &&
        EUROPE.intersects(target)) {
      target = EUROPE;
    }
    if (target.isValid()) {
      map.fitBounds(target.pad(0.05), { maxZoom: 11, animate: false });
    }
    el.setAttribute("data-ready", "1");
  }

  function load(url, onData) {
    if (!url) { return; }
    pending += 1;
    fetch(url, { headers: { Accept: "application/geo+json" } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) { if (data) { onData(data); } })
      .catch(function () { /* the map is an extra; lists carry the data */ })
      .then(done);
  }

  if (el.dataset.lat && el.dataset.lon) {
    var here = [parseFloat(el.dataset.lat), parseFloat(el.dataset.lon)];
    L.circleMarker(here, { radius: 9, className: "pt-self" }).addTo(map);
    bounds.extend(here);
    map.setView(here, 10, { animate: false });
  }

  load(el.dataset.outlines, function (data) {
    var layer = L.geoJSON(data, {
      style: function (feature) {
        var id = (feature.properties && feature.properties.NUTS_ID) || "";
        var inFocus = focus && id.indexOf(focus) === 0;
        return { className: inFocus ? "nuts-outline nuts-focus" : "nuts-outline", weight: 1 };
      },
      onEachFeature: function (feature, lyr) {
        var p = feature.properties || {};
        var box = document.createElement("div");
        box.appendChild(linkNode((p.NAME_LATN || "") + " (" + (p.NUTS_ID || "") + ")", p.href));
        lyr.bindPopup(box);
      }
    }).addTo(map);
    layer.bringToBack();
    layer.eachLayer(function (lyr) {
      var id = (lyr.feature && lyr.feature.properties && lyr.feature.properties.NUTS_ID) || "";
      if (!focus || id.indexOf(focus) === 0) { area.extend(lyr.getBounds()); }
    });
  });

  load(el.dataset.points, function (data) {
    var count = 0;
    L.geoJSON(data, {
      pointToLayer: function (feature, latlng) {
        bounds.extend(latlng);
        count += 1;
        return L.circleMarker(latlng, { radius: 6, className: "pt" });
      },
      onEachFeature: function (feature, lyr) {
        var p = feature.properties || {};
        var box = document.createElement("div");
        box.appendChild(linkNode(p.label, p.href));
        lyr.bindPopup(box);
      }
    }).addTo(map);
    el.setAttribute("data-points-shown", String(count));
  });
  if (pending === 0) { el.setAttribute("data-ready", "1"); }
}());
