// The public maps: every element with data-map gets a Leaflet map of the places in the JSON
// script it names (data-map="<id of a script type=application/json>") or, with data-src, of
// those that address answers: [{name, lat, lng, url, detail}]. The same places are always listed in the page, so nothing depends on this script
// or on the tile server answering.
(function () {
  "use strict";
  function escape(text) {
    var span = document.createElement("span");
    span.textContent = text == null ? "" : String(text);
    return span.innerHTML;
  }
  function load(element) {
    if (typeof L === "undefined") return;
    if (element.dataset.src) {
      // A page with many places names the address of their list instead of carrying it.
      fetch(element.dataset.src, { headers: { Accept: "application/json" } })
        .then(function (response) {
          if (!response.ok) throw new Error(response.status);
          return response.json();
        })
        .then(function (places) {
          draw(element, places);
        })
        .catch(function () {
          /* the list in the page stays: nothing else to do */
        });
      return;
    }
    var source = document.getElementById(element.dataset.map);
    if (source) draw(element, JSON.parse(source.textContent));
  }
  function draw(element, all) {
    var places = all.filter(function (p) {
      return p.lat !== null && p.lng !== null;
    });
    if (!places.length) return;
    element.hidden = false;
    var map = L.map(element, { scrollWheelZoom: false });
    L.tileLayer(element.dataset.tiles, {
      attribution: element.dataset.attribution,
      maxZoom: 18,
    }).addTo(map);
    var bounds = [];
    places.forEach(function (place) {
      var popup = place.url
        ? '<a href="' + escape(place.url) + '">' + escape(place.name) + "</a>"
        : "<strong>" + escape(place.name) + "</strong>";
      if (place.detail) popup += "<br>" + escape(place.detail);
      L.marker([place.lat, place.lng], { title: place.name, alt: place.name })
        .addTo(map)
        .bindPopup(popup);
      bounds.push([place.lat, place.lng]);
    });
    if (bounds.length === 1) map.setView(bounds[0], 8);
    else map.fitBounds(bounds, { padding: [24, 24], maxZoom: 9 });
    element.dataset.ready = "true";
  }
  function start() {
    document.querySelectorAll("[data-map]").forEach(load);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
