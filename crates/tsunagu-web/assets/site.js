// tsunagu: small enhancements only. Every page works without this file:
// search, details, forms and printing are plain HTML.
(function () {
  "use strict";

  // Print buttons (the print stylesheet does the rest).
  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () { window.print(); });
  });

  // The photo of 様式第2号: shown on the page to print, never sent.
  var photo = document.getElementById("photo");
  var preview = document.getElementById("photo-preview");
  if (photo && preview) {
    photo.addEventListener("change", function () {
      var file = photo.files && photo.files[0];
      if (!file) return;
      preview.src = URL.createObjectURL(file);
      preview.alt = "写真";
      preview.hidden = false;
      var label = photo.parentNode.querySelector("label");
      if (label) label.hidden = true;
      photo.hidden = true;
    });
  }

  // Maps: an element with data-points='[[lat, lon, "name"], ...]' becomes a
  // Leaflet map, loaded from this server only when a page has one. The tile
  // URL comes from the server's configuration; without one the points are
  // drawn on a plain background.
  var maps = document.querySelectorAll("[data-points]");
  var pick = document.querySelector("[data-pick]");
  if (maps.length === 0 && !pick) return;
  var config = document.querySelector('meta[name="tsunagu-map"]');
  if (!config) return;
  var css = document.createElement("link");
  css.rel = "stylesheet";
  css.href = config.dataset.css;
  document.head.appendChild(css);
  var script = document.createElement("script");
  script.src = config.dataset.js;
  script.onload = function () {
    maps.forEach(draw);
    if (pick) picker(pick);
  };
  document.head.appendChild(script);

  function base(el) {
    var map = L.map(el, { scrollWheelZoom: false, attributionControl: true });
    var tiles = config.dataset.tiles;
    if (tiles) {
      L.tileLayer(tiles, {
        maxZoom: 18,
        attribution: config.dataset.attribution || ""
      }).addTo(map);
    }
    return map;
  }

  // The match form's map: choosing a point fills the hidden `point` field
  // (`LAT,LON`), which the server prefers to the address. Clicking picks
  // where clicked; the keyboard moves the map and picks its centre.
  function picker(el) {
    var field = document.getElementById("point");
    var status = document.getElementById("point-status");
    var address = document.getElementById("address");
    if (!field || !window.L) return;
    el.closest(".pick-map").hidden = false;
    var start = el.dataset.pick.split(",").map(Number);
    var map = base(el);
    var marker = null;
    function show(lat, lon) {
      var text = lat.toFixed(5) + "," + lon.toFixed(5);
      field.value = text;
      if (marker) marker.setLatLng([lat, lon]);
      else marker = L.circleMarker([lat, lon], { radius: 9, color: "#b00000", weight: 3, fillOpacity: 0.6 }).addTo(map);
      status.textContent = "地図で選んだ地点（緯度 " + lat.toFixed(5) + "・経度 " + lon.toFixed(5) + "）から探します。住所より優先します。";
      if (address) address.removeAttribute("aria-invalid");
    }
    var chosen = field.value.split(",").map(Number);
    if (chosen.length === 2 && isFinite(chosen[0]) && isFinite(chosen[1]) && field.value) {
      map.setView(chosen, 15);
      show(chosen[0], chosen[1]);
    } else {
      map.setView(start, 12);
    }
    map.on("click", function (e) { show(e.latlng.lat, e.latlng.lng); });
    document.getElementById("pick-centre").addEventListener("click", function () {
      var c = map.getCenter();
      show(c.lat, c.lng);
    });
    document.getElementById("pick-clear").addEventListener("click", function () {
      field.value = "";
      if (marker) { map.removeLayer(marker); marker = null; }
      status.textContent = "地図の選択を消しました。住所から探します。";
    });
  }

  function draw(el) {
    var points;
    try { points = JSON.parse(el.dataset.points); } catch (e) { return; }
    if (!points.length || !window.L) return;
    var fallback = el.querySelector(".map-fallback");
    if (fallback) fallback.remove();
    var map = base(el);
    var bounds = [];
    points.forEach(function (p) {
      var marker = L.circleMarker([p[0], p[1]], {
        radius: p[3] ? 9 : 7, color: p[3] ? "#b00000" : "#0017c1", weight: 3, fillOpacity: 0.6
      }).addTo(map);
      if (p[2]) marker.bindTooltip(p[2]);
      bounds.push([p[0], p[1]]);
    });
    if (bounds.length === 1) map.setView(bounds[0], 16);
    else map.fitBounds(bounds, { padding: [24, 24], maxZoom: 16 });
  }
})();
