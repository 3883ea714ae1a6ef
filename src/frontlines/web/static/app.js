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
  // Off loopback the server may require a token for reads too (unless run with --open-reads).
  const t = token();
  const r = await fetch(url, t ? { headers: { Authorization: `Bearer ${t}` } } : undefined);
  if (!r.ok) throw new Error(`${url}: HTTP ${r.status}`);
  return r.json();
}

const app = {
  map: null, districtLayers: new Map(), eventLayer: null, events: [], days: [], controlReq: 0,
  countsData: [], selectedDay: null, current: null,
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
  setupReview();
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
  $("show-rejected").addEventListener("change", () => hasLeaflet && loadEvents());
  $("claims-conflicts").addEventListener("change", renderClaims);
  $("play").addEventListener("click", replay);
  // #event=ROW_ID (set whenever an event is opened) reopens it after a reload or from a shared link.
  const openLinked = async () => {
    const linked = /^#event=(\d+)$/.exec(location.hash);
    if (linked && (!app.current || app.current.id !== Number(linked[1]))) await showEvent(Number(linked[1]));
  };
  window.addEventListener("hashchange", openLinked);
  await openLinked();
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

// Leaflet puts string tooltip content in with innerHTML: hand it a text-only node instead.
const textNode = (text) => el("span", {}, text);

function districtTooltip(p) {
  const holder = p.holder ? ` (${p.holder})` : "";
  const since = p.since ? `, since ${p.since}` : "";
  return textNode(`${p.name || p.code}, ${p.admin1 || ""}: ${p.state}${holder}${since}`);
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
  if ($("show-rejected").checked) params.set("include_rejected", "true");
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
    const rejected = ev.review_status === "rejected";
    const m = L.circleMarker([ev.latitude, ev.longitude], {
      radius: 4 + Math.min(6, Math.sqrt(ev.fatalities || 0)), color: "#212121", weight: 1,
      fillColor: rejected ? "#ffffff" : TYPE_COLOURS[ev.event_type] || "#607d8b",
      fillOpacity: recent ? 0.9 : 0.3, opacity: recent ? 1 : 0.4,
      className: rejected ? "event-marker rejected" : "event-marker", dashArray: rejected ? "2,2" : null,
    });
    const status = ev.review_status && ev.review_status !== "unreviewed" ? ` · ${ev.review_status}` : "";
    m.bindTooltip(textNode(`${ev.event_date} · ${ev.sub_event_type || ev.event_type} · ${ev.location || ""}${status}`));
    m.on("click", () => showEvent(ev.id));
    m.addTo(app.eventLayer);
    const e = m.getElement();
    if (e) e.setAttribute("data-event-id", String(ev.id));
    shown += 1;
  }
  document.body.dataset.eventsShown = String(shown);
}

const DETAIL_FIELDS = [
  "event_date", "date_earliest", "date_latest", "time_precision", "event_type", "sub_event_type",
  "actor1", "assoc_actor_1", "inter1", "actor2", "assoc_actor_2", "inter2", "location", "admin2", "admin1",
  "latitude", "longitude", "geo_precision", "fatalities", "certainty", "confidence", "attribution", "notes", "event_id",
];

async function showEvent(id) {
  let ev;
  try {
    ev = await getJSON(`/api/events/${encodeURIComponent(id)}`);
  } catch (err) {
    setStatus("event " + id + ": " + err.message);
    return;
  }
  if (app.current && app.current.id !== ev.id) $("correct-form").hidden = true;
  renderEvent(ev);
  history.replaceState(null, "", `${location.pathname}${location.search}#event=${ev.id}`);
  loadAudit();
}

function renderEvent(ev) {
  app.current = ev;
  $("detail-hint").hidden = true;
  const analyst = new Set(ev.analyst_fields || []);
  const badge = $("review-badge");
  const status = ev.review_status || "unreviewed";
  badge.textContent = status;
  badge.className = `badge status-${status}`;
  badge.hidden = false;
  const dl = $("detail-fields");
  dl.replaceChildren();
  const fields = [...DETAIL_FIELDS, ...[...analyst].filter((f) => !DETAIL_FIELDS.includes(f))];
  for (const f of fields) {
    let v = ev[f];
    if ((v === null || v === undefined || v === "") && !analyst.has(f)) continue;
    if (f === "fatalities" && ev.fatalities_low != null && ev.fatalities_high != null
        && ev.fatalities_low !== ev.fatalities_high && !analyst.has(f)) v = `${v} (${ev.fatalities_low}–${ev.fatalities_high})`;
    const dt = el("dt", { "data-field": f }, f);
    const dd = el("dd", { "data-field": f }, v === null || v === undefined || v === "" ? "—" : v);
    if (analyst.has(f)) {
      dt.classList.add("analyst");
      dd.classList.add("analyst");
      dd.appendChild(el("span", { class: "analyst-tag", title: "set by an analyst; survives re-extraction" }, "analyst"));
    }
    dl.append(dt, dd);
  }
  const doc = ev.document;
  const title = doc ? [doc.title, doc.source, doc.published].filter(Boolean).join(" · ") : "(source not stored)";
  $("doc-title").textContent = title;
  renderHighlighted($("doc-text"), doc ? doc.text : "", ev.evidence);
  $("review").hidden = false;
  if (!$("correct-form").hidden) fillCorrectForm(ev);
  $("detail").dataset.eventId = String(ev.id);
  $("detail").dataset.reviewStatus = status;
}

// ------------------------------------------------------------------------------------------- review

// ACLED's taxonomy, mirrored from frontlines/acled.py (tests/test_web_review.py checks they agree), so the
// sub-event type offered always belongs to the chosen event type.
const TAXONOMY = {
  "Battles": ["Government regains territory", "Non-state actor overtakes territory", "Armed clash"],
  "Protests": ["Excessive force against protesters", "Protest with intervention", "Peaceful protest"],
  "Riots": ["Violent demonstration", "Mob violence"],
  "Explosions/Remote violence": [
    "Chemical weapon", "Air/drone strike", "Suicide bomb", "Shelling/artillery/missile attack",
    "Remote explosive/landmine/IED", "Grenade",
  ],
  "Violence against civilians": ["Sexual violence", "Attack", "Abduction/forced disappearance"],
  "Strategic developments": [
    "Agreement", "Arrests", "Change to group/activity", "Disrupted weapons use", "Headquarters or base established",
    "Looting/property destruction", "Non-violent transfer of territory", "Other",
  ],
};
const INTER_CATEGORIES = [
  "State forces", "Rebel group", "Political militia", "Identity militia", "Rioters", "Protesters", "Civilians",
  "External/Other forces",
];
const CERTAINTY = ["reported", "claimed", "disputed"];
const PRECISION = ["1", "2", "3"];

// The fields an analyst may correct, in form order. kind: how the form value is typed before sending.
const EDITABLE = [
  { name: "event_date", input: "date", required: true },
  { name: "date_earliest", input: "date" },
  { name: "date_latest", input: "date" },
  { name: "time_precision", options: PRECISION, kind: "int" },
  { name: "event_type", options: Object.keys(TAXONOMY), required: true },
  { name: "sub_event_type", options: [], required: true },
  { name: "actor1" }, { name: "assoc_actor_1" }, { name: "inter1", options: INTER_CATEGORIES },
  { name: "actor2" }, { name: "assoc_actor_2" }, { name: "inter2", options: INTER_CATEGORIES },
  { name: "admin1" }, { name: "admin2" }, { name: "location" },
  { name: "latitude", input: "number", kind: "float", min: "-90", max: "90", step: "any" },
  { name: "longitude", input: "number", kind: "float", min: "-180", max: "180", step: "any" },
  { name: "geo_precision", options: PRECISION, kind: "int" },
  { name: "fatalities", input: "number", kind: "int", min: "0", step: "1", required: true },
  { name: "attribution" },
  { name: "certainty", options: CERTAINTY, required: true },
  { name: "notes", input: "textarea" },
];

const TOKEN_KEY = "frontlines.token"; // sessionStorage: gone when the tab closes, never put in a URL
const NO_TOKEN = "Writes need an API token: create one with `frontlines token create NAME` and paste it in the token field.";

function token() { return sessionStorage.getItem(TOKEN_KEY) || ""; }

function setupReview() {
  const input = $("review-token");
  input.value = token();
  const sync = () => {
    const v = input.value.trim();
    if (v) sessionStorage.setItem(TOKEN_KEY, v); else sessionStorage.removeItem(TOKEN_KEY);
    $("token-hint").hidden = Boolean(v);
  };
  input.addEventListener("input", sync);
  $("token-forget").addEventListener("click", () => { input.value = ""; sync(); });
  sync();
  $("review-confirm").addEventListener("click", () => review("confirm"));
  $("review-reject").addEventListener("click", () => review("reject"));
  $("review-correct").addEventListener("click", toggleCorrectForm);
  $("correct-cancel").addEventListener("click", () => { $("correct-form").hidden = true; });
  $("correct-form").addEventListener("submit", (e) => { e.preventDefault(); submitCorrection(); });
  buildCorrectForm();
}

function reviewMessage(text, kind = "info") {
  const p = $("review-msg");
  p.textContent = text;
  p.className = `review-msg ${kind}`;
}

function buildCorrectForm() {
  const box = $("correct-fields");
  for (const f of EDITABLE) {
    const id = `fix-${f.name}`;
    let input;
    if (f.options) {
      input = el("select", { id, name: f.name });
      if (!f.required) input.appendChild(el("option", { value: "" }, "—"));
      for (const o of f.options) input.appendChild(el("option", { value: o }, o));
    } else if (f.input === "textarea") {
      input = el("textarea", { id, name: f.name, rows: "3" });
    } else {
      input = el("input", { id, name: f.name, type: f.input || "text" });
      for (const a of ["min", "max", "step"]) if (f[a]) input.setAttribute(a, f[a]);
    }
    if (f.required) input.required = true;
    box.append(el("label", { for: id }, f.name), input);
  }
  $("fix-event_type").addEventListener("change", () => fillSubTypes($("fix-event_type").value, null));
}

function fillSubTypes(eventType, current) {
  const select = $("fix-sub_event_type");
  select.replaceChildren();
  for (const s of TAXONOMY[eventType] || []) select.appendChild(el("option", { value: s }, s));
  if (current && (TAXONOMY[eventType] || []).includes(current)) select.value = current;
}

function fillCorrectForm(ev) {
  const analyst = new Set(ev.analyst_fields || []);
  for (const f of EDITABLE) {
    const input = $(`fix-${f.name}`);
    const v = ev[f.name];
    if (f.name === "sub_event_type") fillSubTypes(ev.event_type, v);
    else input.value = v === null || v === undefined ? "" : String(v);
    input.classList.toggle("analyst", analyst.has(f.name));
  }
}

function toggleCorrectForm() {
  if (!app.current) return;
  if (!token()) { reviewMessage(NO_TOKEN, "error"); return; }
  const form = $("correct-form");
  form.hidden = !form.hidden;
  if (!form.hidden) { fillCorrectForm(app.current); $("fix-fatalities").focus(); }
}

function formValue(f) {
  const raw = $(`fix-${f.name}`).value;
  const v = f.input === "textarea" ? raw : raw.trim();
  if (v === "") return null;
  if (f.kind === "int") return Number.parseInt(v, 10);
  if (f.kind === "float") return Number(v);
  return v;
}

function sameValue(a, b) {
  if (a === undefined || a === "") a = null; // an empty input stands for "no value", as null does
  if (b === undefined || b === "") b = null;
  if (typeof a === "number" && typeof b === "number") return Math.abs(a - b) < 1e-9;
  return a === b;
}

async function submitCorrection() {
  const ev = app.current;
  const fields = {};
  for (const f of EDITABLE) {
    const v = formValue(f);
    if (!sameValue(v, ev[f.name])) fields[f.name] = v;
  }
  // The API validates the type pair together, so a change to either sends both.
  if ("event_type" in fields || "sub_event_type" in fields) {
    fields.event_type = formValue(EDITABLE.find((f) => f.name === "event_type"));
    fields.sub_event_type = formValue(EDITABLE.find((f) => f.name === "sub_event_type"));
  }
  if (!Object.keys(fields).length) { reviewMessage("Nothing changed: edit a field first.", "error"); return; }
  if (await review("correct", fields)) $("correct-form").hidden = true;
}

// FastAPI's error detail is a string or a list of {loc, msg}; either way, one readable line.
function describeDetail(detail) {
  if (typeof detail === "string") return detail;
  if (Array.isArray(detail)) {
    return detail.map((d) => (d && d.msg ? `${(d.loc || []).filter((p) => p !== "body").join(".")}: ${d.msg}` : JSON.stringify(d))).join("; ");
  }
  return detail ? JSON.stringify(detail) : "";
}

async function writeRequest(url, body) {
  if (!token()) { reviewMessage(NO_TOKEN, "error"); return null; }
  for (const b of document.querySelectorAll("#review button")) b.disabled = true;
  reviewMessage("Saving…");
  try {
    const r = await fetch(url, {
      method: "POST",
      headers: { "Content-Type": "application/json", Authorization: `Bearer ${token()}` },
      body: JSON.stringify(body),
    });
    let data = null;
    try { data = await r.json(); } catch { /* empty or non-JSON body */ }
    if (r.ok) return data;
    const detail = describeDetail(data && data.detail);
    const why = {
      401: `Token refused (401): ${detail || "missing or revoked"}. Create one with \`frontlines token create NAME\`.`,
      403: `Not allowed (403): ${detail}`,
      404: `Not found (404): ${detail || "the event or change no longer exists"}`,
      409: `Conflict (409): ${detail || "this change was already reverted"}`,
      413: "Too large (413): the request body is over 64 KiB.",
      422: `Invalid value (422): ${detail}`,
    }[r.status] || `Server error (HTTP ${r.status})${detail ? ": " + detail : ""}`;
    reviewMessage(why, "error");
    return null;
  } catch (err) {
    reviewMessage("Network error: " + err.message, "error");
    return null;
  } finally {
    for (const b of document.querySelectorAll("#review button")) b.disabled = false;
  }
}

async function review(action, fields) {
  if (!app.current) return false;
  const body = { action };
  if (fields) body.fields = fields;
  const note = $("review-note").value.trim();
  if (note) body.note = note;
  const ev = await writeRequest(`/api/events/${encodeURIComponent(app.current.id)}/review`, body);
  if (!ev) return false;
  $("review-note").value = "";
  reviewMessage(action === "correct" ? `Saved: ${Object.keys(fields).join(", ")}.` : `Saved: ${action}ed.`, "ok");
  await afterWrite(ev);
  return true;
}

async function revert(auditId) {
  const ev = await writeRequest(`/api/audit/${encodeURIComponent(auditId)}/revert`, {});
  if (!ev) return;
  reviewMessage(`Change #${auditId} reverted.`, "ok");
  await afterWrite(ev);
}

async function afterWrite(ev) {
  renderEvent(ev);
  await Promise.allSettled([loadAudit(), app.map ? loadEvents() : null, loadCasualties()]);
}

async function loadAudit() {
  const ev = app.current;
  if (!ev) return;
  const list = $("audit-list");
  let data;
  try {
    data = await getJSON(`/api/audit?${new URLSearchParams({ event_id: ev.event_id, limit: "100" })}`);
  } catch (err) {
    list.replaceChildren(el("li", { class: "hint" }, "Audit log unavailable: " + err.message));
    $("audit").hidden = false;
    return;
  }
  if (!app.current || app.current.event_id !== ev.event_id) return; // another event was opened meanwhile
  list.replaceChildren();
  if (!data.items.length) list.appendChild(el("li", { class: "hint" }, "No review yet."));
  for (const item of data.items) list.appendChild(auditEntry(item));
  if (data.total > data.items.length) list.appendChild(el("li", { class: "hint" }, `… ${data.total - data.items.length} older changes`));
  $("audit").hidden = false;
  $("audit").dataset.total = String(data.total);
}

function showValue(v) {
  if (v === null || v === undefined || v === "") return "—";
  return typeof v === "object" ? JSON.stringify(v) : String(v);
}

function auditEntry(item) {
  const li = el("li", { class: item.reverted_by != null ? "audit-entry reverted" : "audit-entry", "data-audit-id": String(item.id) });
  const when = (item.at || "").replace("T", " ").replace(/(\.\d+)?(\+00:00|Z)$/, " UTC");
  const head = el("div", { class: "audit-head" });
  head.append(el("strong", {}, item.action), document.createTextNode(` by ${item.reviewer} · ${when} · #${item.id}`));
  if (item.reverted_by != null) head.appendChild(el("span", { class: "audit-reverted" }, ` · reverted by #${item.reverted_by}`));
  li.appendChild(head);
  for (const f of item.fields || []) {
    const row = el("div", { class: "audit-change" });
    row.append(el("code", {}, f), document.createTextNode(": "), el("span", { class: "before" }, showValue((item.before || {})[f])),
      document.createTextNode(" → "), el("span", { class: "after" }, showValue((item.after || {})[f])));
    li.appendChild(row);
  }
  if (item.note) li.appendChild(el("div", { class: "audit-note" }, item.note));
  if (item.reverted_by == null) {
    const b = el("button", { type: "button", class: "audit-revert" }, "Revert");
    b.addEventListener("click", () => revert(item.id));
    li.appendChild(b);
  }
  return li;
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
