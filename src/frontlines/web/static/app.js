// frontlines dashboard: district control choropleth, event markers, evidence viewer, charts and claims.
// Data always enters the DOM through textContent / createTextNode / setAttribute, never innerHTML (XSS-safe).
"use strict";

const STATE_COLOURS = {
  government: "#1e88e5", held: "#d32f2f", contested: "#ff9800", unconfirmed: "#9575cd", unknown: "#eeeeee",
};
const TYPE_COLOURS = {
  "Battles": "#b71c1c", "Explosions/Remote violence": "#f57c00", "Violence against civilians": "#6a1b9a",
  "Strategic developments": "#2e7d32", "Protests": "#0277bd", "Riots": "#5d4037",
};
const RECENT_DAYS = 14; // events newer than this (relative to the slider) are drawn at full opacity
const DAY_MS = 86400000;

const $ = (id) => document.getElementById(id);
const el = (tag, attrs = {}, text) => {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  if (text !== undefined && text !== null) e.textContent = String(text);
  return e;
};
const svgEl = (tag, attrs = {}, text) => {
  const e = document.createElementNS("http://www.w3.org/2000/svg", tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  if (text !== undefined) e.textContent = String(text);
  return e;
};
const isoDay = (d) => d.toISOString().slice(0, 10);
const parseDay = (s) => new Date(s + "T00:00:00Z");

async function getJSON(url) {
  const r = await fetch(url);
  if (!r.ok) throw new Error(`${url}: HTTP ${r.status}`);
  return r.json();
}

const app = {
  map: null, districtLayers: new Map(), eventLayer: null, events: [], days: [], controlReq: 0,
  countsData: [], selectedDay: null,
};

function setStatus(text) { $("status").textContent = text; }

// ------------------------------------------------------------------------------------------- start up

async function main() {
  const hasLeaflet = typeof window.L !== "undefined";
  if (!hasLeaflet) $("vendor-missing").hidden = false;
  let facets;
  try {
    facets = await getJSON("/api/facets");
  } catch (err) {
    setStatus("API unavailable: " + err.message);
    return;
  }
  fillSelect($("filter-type"), Object.keys(facets.event_types));
  fillSelect($("filter-actor"), Object.keys(facets.actors));
  setupSlider(facets);
  loadClaims();
  loadCasualties();
  loadCounts();
  if (hasLeaflet) {
    initMap();
    await loadDistricts();
    await loadEvents();
  }
  $("date-slider").addEventListener("input", onSlider);
  $("filter-type").addEventListener("change", () => hasLeaflet && loadEvents());
  $("filter-actor").addEventListener("change", () => hasLeaflet && loadEvents());
  $("claims-conflicts").addEventListener("change", renderClaims);
  $("play").addEventListener("click", replay);
  document.body.dataset.ready = "1";
}

function fillSelect(select, values) {
  for (const v of values) select.appendChild(el("option", { value: v }, v));
}

function setupSlider(facets) {
  // Default window: from the first of the month ~100 days before the last event to the last event
  // (May-Aug 2021 on the demo corpus); ?from=YYYY-MM-DD&to=YYYY-MM-DD overrides.
  const params = new URLSearchParams(location.search);
  const max = parseDay(params.get("to") || facets.date_max || isoDay(new Date()));
  let min;
  if (params.get("from")) min = parseDay(params.get("from"));
  else {
    min = new Date(max.getTime() - 100 * DAY_MS);
    min.setUTCDate(1);
    if (facets.date_min && parseDay(facets.date_min) > min) min = parseDay(facets.date_min);
  }
  app.days = [];
  for (let t = min.getTime(); t <= max.getTime(); t += DAY_MS) app.days.push(isoDay(new Date(t)));
  const s = $("date-slider");
  s.max = String(app.days.length - 1);
  s.value = s.max;
  app.selectedDay = app.days[app.days.length - 1];
  $("date-label").textContent = app.selectedDay;
}

// ------------------------------------------------------------------------------------------- map

function initMap() {
  app.map = L.map("map", { preferCanvas: false, zoomSnap: 0.25 }).setView([34.0, 66.0], 6);
  const osm = L.tileLayer("https://tile.openstreetmap.org/{z}/{x}/{y}.png", {
    maxZoom: 18, attribution: "© OpenStreetMap contributors",
  });
  $("osm").addEventListener("change", (e) => {
    if (e.target.checked) osm.addTo(app.map); else app.map.removeLayer(osm);
  });
  const legend = $("legend");
  legend.appendChild(el("strong", {}, "District control"));
  for (const [state, colour] of Object.entries(STATE_COLOURS)) {
    const row = el("div");
    row.appendChild(el("span", { class: "swatch", style: `background:${colour}` }));
    row.appendChild(document.createTextNode(state));
    legend.appendChild(row);
  }
  legend.appendChild(el("strong", {}, "Events"));
  for (const [type, colour] of Object.entries(TYPE_COLOURS)) {
    const row = el("div");
    row.appendChild(el("span", { class: "dot", style: `background:${colour}` }));
    row.appendChild(document.createTextNode(type));
    legend.appendChild(row);
  }
}

function districtStyle(props) {
  return {
    fillColor: STATE_COLOURS[props.state] || "#ffffff", fillOpacity: 0.55, color: "#546e7a", weight: 0.6,
    className: "district",
  };
}

function districtTooltip(p) {
  const holder = p.holder ? ` (${p.holder})` : "";
  const since = p.since ? `, since ${p.since}` : "";
  return `${p.name || p.code}, ${p.admin1 || ""}: ${p.state}${holder}${since}`;
}

async function loadDistricts() {
  const fc = await getJSON(`/api/control?as_of=${app.selectedDay}`);
  const group = L.featureGroup();
  for (const f of fc.features) {
    if (!f.geometry) continue;
    let layer;
    if (f.geometry.type === "Point") {
      // No boundary layer imported: proportional points at district centres.
      const [lon, lat] = f.geometry.coordinates;
      layer = L.circleMarker([lat, lon], { ...districtStyle(f.properties), radius: 6 });
    } else {
      layer = L.geoJSON(f, { style: () => districtStyle(f.properties) });
    }
    layer.bindTooltip(districtTooltip(f.properties), { sticky: true });
    layer.addTo(group);
    app.districtLayers.set(f.properties.code, layer);
  }
  group.addTo(app.map);
  tagDistrictElements();
  if (group.getLayers().length) app.map.fitBounds(group.getBounds(), { padding: [10, 10] });
  showCounts(fc.metadata);
}

function tagDistrictElements() {
  // data-code on each SVG path lets tests and users' scripts find one district's shape.
  for (const [code, layer] of app.districtLayers) {
    const each = layer.eachLayer ? (fn) => layer.eachLayer(fn) : (fn) => fn(layer);
    each((l) => { const e = l.getElement && l.getElement(); if (e) e.setAttribute("data-code", code); });
  }
}

function showCounts(meta) {
  const parts = Object.entries(meta.counts).filter(([, n]) => n).map(([s, n]) => `${s} ${n}`);
  setStatus(`${meta.as_of}: ${parts.join(", ")} · ${meta.geometry === "polygons" ? "district polygons" : "district centres"}`);
}

let sliderTimer = null;
function onSlider() {
  app.selectedDay = app.days[Number($("date-slider").value)];
  $("date-label").textContent = app.selectedDay;
  clearTimeout(sliderTimer);
  sliderTimer = setTimeout(refreshControl, 120); // debounce: one request per pause of the slider
}

async function refreshControl() {
  const day = app.selectedDay;
  drawCountsChart();
  if (!app.map) return;
  const req = ++app.controlReq;
  const fc = await getJSON(`/api/control?as_of=${day}&geometry=false`);
  if (req !== app.controlReq) return; // a newer slider position already asked
  for (const f of fc.features) {
    const layer = app.districtLayers.get(f.properties.code);
    if (!layer) continue;
    layer.setStyle(districtStyle(f.properties));
    layer.setTooltipContent(districtTooltip(f.properties));
  }
  showCounts(fc.metadata);
  document.body.dataset.controlAsOf = day;
  drawEvents();
}

async function replay() {
  const s = $("date-slider");
  for (let i = 0; i < app.days.length; i += 3) {
    s.value = String(i);
    app.selectedDay = app.days[i];
    $("date-label").textContent = app.selectedDay;
    await refreshControl();
    await new Promise((r) => setTimeout(r, 60));
  }
}

// ------------------------------------------------------------------------------------------- events

async function loadEvents() {
  const params = new URLSearchParams({ limit: "1000" });
  if ($("filter-type").value) params.set("event_type", $("filter-type").value);
  if ($("filter-actor").value) params.set("actor", $("filter-actor").value);
  const out = [];
  for (let offset = 0; ; offset += 1000) {
    params.set("offset", String(offset));
    const page = await getJSON(`/api/events?${params}`);
    out.push(...page.items);
    if (out.length >= page.total || page.items.length === 0 || out.length >= 20000) break;
  }
  app.events = out;
  drawEvents();
}

function drawEvents() {
  if (!app.map) return;
  if (app.eventLayer) app.map.removeLayer(app.eventLayer);
  app.eventLayer = L.layerGroup().addTo(app.map); // on the map first, so each marker has its element
  const day = parseDay(app.selectedDay).getTime();
  let shown = 0;
  for (const ev of app.events) {
    if (ev.latitude == null || ev.longitude == null || !ev.event_date) continue;
    const t = parseDay(ev.event_date).getTime();
    if (t > day) continue;
    const recent = day - t <= RECENT_DAYS * DAY_MS;
    const m = L.circleMarker([ev.latitude, ev.longitude], {
      radius: 4 + Math.min(6, Math.sqrt(ev.fatalities || 0)), color: "#212121", weight: 1,
      fillColor: TYPE_COLOURS[ev.event_type] || "#607d8b", fillOpacity: recent ? 0.9 : 0.3,
      opacity: recent ? 1 : 0.4, className: "event-marker",
    });
    m.bindTooltip(`${ev.event_date} · ${ev.sub_event_type || ev.event_type} · ${ev.location || ""}`);
    m.on("click", () => showEvent(ev.id));
    m.addTo(app.eventLayer);
    const e = m.getElement();
    if (e) e.setAttribute("data-event-id", String(ev.id));
    shown += 1;
  }
  document.body.dataset.eventsShown = String(shown);
}

const DETAIL_FIELDS = [
  "event_date", "event_type", "sub_event_type", "actor1", "assoc_actor_1", "actor2", "assoc_actor_2",
  "location", "admin2", "admin1", "fatalities", "certainty", "confidence", "attribution", "notes", "event_id",
];

async function showEvent(id) {
  const ev = await getJSON(`/api/events/${encodeURIComponent(id)}`);
  $("detail-hint").hidden = true;
  const dl = $("detail-fields");
  dl.replaceChildren();
  for (const f of DETAIL_FIELDS) {
    let v = ev[f];
    if (v === null || v === undefined || v === "") continue;
    if (f === "fatalities" && ev.fatalities_low != null && ev.fatalities_high != null
        && ev.fatalities_low !== ev.fatalities_high) v = `${v} (${ev.fatalities_low}–${ev.fatalities_high})`;
    dl.appendChild(el("dt", {}, f));
    dl.appendChild(el("dd", {}, v));
  }
  const doc = ev.document;
  const title = doc ? [doc.title, doc.source, doc.published].filter(Boolean).join(" · ") : "(source not stored)";
  $("doc-title").textContent = title;
  renderHighlighted($("doc-text"), doc ? doc.text : "", ev.evidence);
  $("detail").dataset.eventId = String(id);
}

// Source text with every evidence span marked; spans may overlap (a sentence for notes and a word inside it
// for the event type), so the text is cut at every span boundary and each piece marked by what covers it.
function renderHighlighted(container, text, spans) {
  container.replaceChildren();
  const cuts = new Set([0, text.length]);
  for (const s of spans) {
    if (s.start >= 0 && s.end <= text.length && s.end > s.start) { cuts.add(s.start); cuts.add(s.end); }
  }
  const points = [...cuts].sort((a, b) => a - b);
  let first = null;
  for (let i = 0; i + 1 < points.length; i++) {
    const [a, b] = [points[i], points[i + 1]];
    const piece = text.slice(a, b);
    const covering = spans.filter((s) => s.start <= a && s.end >= b);
    if (!covering.length) { container.appendChild(document.createTextNode(piece)); continue; }
    const fields = [...new Set(covering.flatMap((s) => s.fields || []))];
    const primary = fields.some((f) => f !== "notes");
    const mark = el("mark", { class: primary ? "evidence primary" : "evidence", title: fields.join(", ") }, piece);
    container.appendChild(mark);
    if (!first && primary) first = mark;
    if (!first) first = mark;
  }
  if (first) container.scrollTop = Math.max(0, first.offsetTop - container.offsetTop - 20);
}

// ------------------------------------------------------------------------------------------- charts

async function loadCounts() {
  const from = app.days[0], to = app.days[app.days.length - 1];
  app.countsData = await getJSON(`/api/control/counts?start=${from}&end=${to}&step_days=3`);
  drawCountsChart();
}

function drawCountsChart() {
  const svg = $("chart-control");
  svg.replaceChildren();
  const data = app.countsData;
  if (!data.length) return;
  const W = 360, H = 160, L0 = 30, R0 = 8, T0 = 8, B0 = 30;
  const shown = ["held", "contested", "unconfirmed"];
  const ymax = Math.max(1, ...data.map((d) => Math.max(...shown.map((s) => d.counts[s]))));
  const t0 = parseDay(data[0].date).getTime(), t1 = parseDay(data[data.length - 1].date).getTime();
  const x = (d) => L0 + ((parseDay(d).getTime() - t0) / Math.max(1, t1 - t0)) * (W - L0 - R0);
  const y = (v) => H - B0 - (v / ymax) * (H - T0 - B0);
  svg.appendChild(svgEl("line", { x1: L0, y1: y(0), x2: W - R0, y2: y(0), stroke: "#999" }));
  svg.appendChild(svgEl("text", { x: 2, y: y(ymax) + 4 }, ymax));
  svg.appendChild(svgEl("text", { x: 2, y: y(0) }, 0));
  svg.appendChild(svgEl("text", { x: L0, y: H - B0 + 12 }, data[0].date));
  svg.appendChild(svgEl("text", { x: W - R0, y: H - B0 + 12, "text-anchor": "end" }, data[data.length - 1].date));
  for (const s of shown) {
    const pts = data.map((d) => `${x(d.date).toFixed(1)},${y(d.counts[s]).toFixed(1)}`).join(" ");
    svg.appendChild(svgEl("polyline", { points: pts, fill: "none", stroke: STATE_COLOURS[s], "stroke-width": 2 }));
  }
  shown.forEach((s, i) => {
    svg.appendChild(svgEl("rect", { x: L0 + i * 95, y: H - 12, width: 8, height: 8, fill: STATE_COLOURS[s] }));
    svg.appendChild(svgEl("text", { x: L0 + 11 + i * 95, y: H - 4 }, s));
  });
  if (app.selectedDay) {
    const sx = x(app.selectedDay);
    svg.appendChild(svgEl("line", { x1: sx, y1: T0, x2: sx, y2: y(0), stroke: "#263238", "stroke-dasharray": "3,2" }));
    const near = data.reduce((a, b) => (Math.abs(parseDay(b.date) - parseDay(app.selectedDay))
      < Math.abs(parseDay(a.date) - parseDay(app.selectedDay)) ? b : a));
    svg.appendChild(svgEl("text", { x: L0 + 4, y: T0 + 8 }, `government ${near.counts.government} of ${near.total} (${near.date})`));
  }
}

async function loadCasualties() {
  const rows = (await getJSON("/api/casualties?by=month")).filter((r) => r.key && /^\d{4}-\d{2}$/.test(r.key));
  const svg = $("chart-casualties");
  svg.replaceChildren();
  if (!rows.length) return;
  const W = 360, H = 140, L0 = 30, B0 = 20, T0 = 10;
  const ymax = Math.max(1, ...rows.map((r) => r.fatalities));
  const bw = (W - L0 - 8) / rows.length;
  rows.forEach((r, i) => {
    const h = (r.fatalities / ymax) * (H - B0 - T0);
    const bar = svgEl("rect", { x: L0 + i * bw + 2, y: H - B0 - h, width: Math.max(1, bw - 4), height: h, fill: "#c62828" });
    bar.appendChild(svgEl("title", {}, `${r.key}: ${r.fatalities} fatalities in ${r.events} events; ${r.claims.length} claims`));
    svg.appendChild(bar);
    svg.appendChild(svgEl("text", { x: L0 + i * bw + 2, y: H - 6 }, r.key.slice(2)));
    svg.appendChild(svgEl("text", { x: L0 + i * bw + 2, y: H - B0 - h - 2 }, r.fatalities));
  });
  svg.appendChild(svgEl("text", { x: 2, y: T0 + 4 }, ymax));
}

// ------------------------------------------------------------------------------------------- claims

let claimGroups = [];
async function loadClaims() {
  claimGroups = await getJSON("/api/claims");
  renderClaims();
}

function figure(c) {
  let v = c.value != null ? c.value : c.low != null && c.high != null ? `${c.low}–${c.high}` : "?";
  if (c.share_percent != null) v = `${c.share_percent}%`;
  return [c.qualifier, v, c.unit, c.of != null ? `of ${c.of}` : null].filter((p) => p != null && p !== "").join(" ");
}

function renderClaims() {
  const onlyConflicts = $("claims-conflicts").checked;
  const box = $("claims");
  box.replaceChildren();
  const groups = claimGroups.filter((g) => !onlyConflicts || g.disagree);
  if (!groups.length) box.appendChild(el("p", { class: "hint" }, "No claims to show."));
  for (const g of groups) {
    const div = el("div", { class: g.disagree ? "claim-group disagree" : "claim-group" });
    div.appendChild(el("h4", {}, `${g.metric} · ${g.period}${g.disagree ? " · figures conflict" : ""}`));
    const conflicted = new Set(g.disagreements.flat());
    g.claims.forEach((c, i) => {
      const row = el("div", { class: conflicted.has(i) ? "claim-row conflict" : "claim-row" });
      row.appendChild(el("span", { class: "claim-value" }, figure(c)));
      const who = el("span", {}, `${c.claimant || "unattributed"}${c.subject ? " on " + c.subject : ""} — ${c.doc_id}`);
      if (c.evidence && c.evidence.length) who.title = c.evidence.join(" … ");
      row.appendChild(who);
      div.appendChild(row);
    });
    box.appendChild(div);
  }
}

main().catch((err) => setStatus("error: " + err.message));
