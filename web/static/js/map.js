// Maps (Leaflet): the grid outlines of the caller's place, from GET
// /api/v1/areas, over the tiles configured on the server (GET /api/v1/map;
// Tianditu, AMap or OpenStreetMap in production). With no tile URL, or
// none reachable, the outlines still draw, on a blank map.
import { api } from './api.js';
import { h, ref, onMounted, onBeforeUnmount, watch, L } from './ui.js';
import { lang } from './i18n.js';

let settings, outlines;
export function mapSettings() {
  if (!settings) settings = api('/map').catch(() => ({ tiles: '', attribution: '', max_zoom: 18 }));
  return settings;
}
export function loadAreas(fresh) {
  if (!outlines || fresh) outlines = api('/areas').catch(() => ({ type: 'FeatureCollection', features: [] }));
  return outlines;
}
export function forgetAreas() { outlines = undefined; settings = undefined; }

// inside says whether p ({lat, lng}) lies in a GeoJSON polygon's outer
// ring ([lng, lat] corners), by ray casting.
function inside(ring, p) {
  let in_ = false;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    const [xi, yi] = ring[i], [xj, yj] = ring[j];
    if ((yi > p.lat) !== (yj > p.lat) && p.lng < ((xj - xi) * (p.lat - yi)) / (yj - yi) + xi) in_ = !in_;
  }
  return in_;
}

// gridAt is the feature of the grid whose outline holds p, or null.
export function gridAt(fc, p) {
  for (const f of fc?.features || []) {
    if (f.geometry?.type === 'Polygon' && inside(f.geometry.coordinates[0], p)) {
      if (f.properties?.level === 'grid' || !fc.features.some((g) => g !== f && g.properties?.level === 'grid' && inside(g.geometry.coordinates[0], p))) return f;
    }
  }
  return null;
}

const featureName = (f) => (lang === 'en' && f.properties?.name_en) || f.properties?.name || f.properties?.id;

// GridMap is a map of the outlines; a tap sets the point (v-model:point)
// when pick is set. highlight names a locality to draw stronger.
export const GridMap = {
  props: ['point', 'pick', 'highlight', 'areas', 'height'],
  emits: ['update:point'],
  setup(props, { emit }) {
    const box = ref(null);
    let map, marker, layer;
    const place = (p) => {
      if (!map) return;
      if (!p) { if (marker) { marker.remove(); marker = null; } return; }
      if (!marker) marker = L.circleMarker([p.lat, p.lng], { radius: 8, color: '#d4380d', fillColor: '#ff7a45', fillOpacity: 0.9 }).addTo(map);
      else marker.setLatLng([p.lat, p.lng]);
    };
    const style = (f) => (f.properties?.id === props.highlight
      ? { color: '#1677ff', weight: 3, fillOpacity: 0.15 } : { color: '#597ef7', weight: 1.5, fillOpacity: 0.05 });
    onMounted(async () => {
      const [s, fc] = await Promise.all([mapSettings(), props.areas ? Promise.resolve(props.areas) : loadAreas()]);
      if (!box.value) return;
      map = L.map(box.value, { zoomControl: true, attributionControl: !!s.tiles, maxZoom: s.max_zoom || 18 });
      // The pages send no referrer; a tile server's usage policy (OSM's, for
      // one) asks for the site's origin, so the tiles send that and no more.
      if (s.tiles) L.tileLayer(s.tiles, { maxZoom: s.max_zoom || 18, attribution: s.attribution || '', referrerPolicy: 'strict-origin' }).addTo(map);
      layer = L.geoJSON(fc, { style, onEachFeature: (f, l) => l.bindTooltip(featureName(f), { sticky: true }) }).addTo(map);
      const b = layer.getBounds();
      if (b.isValid()) map.fitBounds(b, { padding: [8, 8] });
      else if (s.center) map.setView(s.center, s.zoom || 15);
      else map.setView([30.27, 120.16], 13);
      if (props.pick) {
        map.on('click', (e) => emit('update:point', { lat: +e.latlng.lat.toFixed(6), lng: +e.latlng.lng.toFixed(6) }));
        layer.on('click', (e) => emit('update:point', { lat: +e.latlng.lat.toFixed(6), lng: +e.latlng.lng.toFixed(6) }));
      }
      place(props.point);
    });
    watch(() => props.point, place);
    watch(() => props.highlight, () => layer?.setStyle(style));
    onBeforeUnmount(() => { map?.remove(); map = null; });
    return () => h('div', { ref: box, class: 'grid-map', style: { height: props.height || '240px' } });
  },
};
