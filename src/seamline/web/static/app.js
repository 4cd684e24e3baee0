// Seamline dashboard: a single page over the REST API (same origin, Bearer key).
// Pages: overview, data quality, segments, user explorer, campaigns, campaign plans,
// experiments.
"use strict";

import { barChart, fmt, intervalChart, lineChart } from "./charts.js";
import { plansPage } from "./plans.js";

const KEY = "seamline-key";
const main = document.getElementById("main");

// Each navigation takes a new token; a page whose fetch finishes after the user has moved
// on finds its token stale and draws nothing (it would overwrite the page now shown).
let navigation = 0;
class Stale extends Error {}
function current(token) {
  if (token !== navigation) throw new Stale();
}
function paint(token, ...nodes) {
  current(token);
  main.replaceChildren(...nodes);
}

// ---- DOM helpers (text always via textContent) -------------------------------------------
function h(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === "onclick" || k === "onsubmit" || k === "oninput") node[k] = v;
    else if (v !== null && v !== undefined && v !== false) node.setAttribute(k, v === true ? "" : String(v));
  }
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) continue;
    node.appendChild(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return node;
}

function num(v, digits) {
  if (v === null || v === undefined || Number.isNaN(v)) return "–";
  if (digits !== undefined) return Number(v).toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits });
  return Number(v).toLocaleString("en-US", { maximumFractionDigits: 2 });
}
const pct = (v) => (v === null || v === undefined ? "–" : (100 * v).toFixed(1) + "%");

function card(label, value, note) {
  return h("div", { class: "card" }, h("div", { class: "card-value" }, value), h("div", { class: "card-label" }, label), note ? h("div", { class: "card-note" }, note) : null);
}

function table(columns, rows, opts = {}) {
  const head = h("tr", {}, columns.map((c) => h("th", { class: c.num ? "num" : "" }, c.label)));
  const body = rows.map((r) => h("tr", {}, columns.map((c) => h("td", { class: c.num ? "num" : "" }, c.render ? c.render(r) : r[c.key] ?? "–"))));
  return h("table", { class: "data" + (opts.cls ? " " + opts.cls : "") }, h("thead", {}, head), h("tbody", {}, body));
}

function section(title, ...children) {
  return h("section", { class: "panel" }, h("h2", {}, title), ...children);
}

function empty(text) {
  return h("p", { class: "empty" }, text);
}

// ---- API -----------------------------------------------------------------------------
class AuthError extends Error {}

async function api(path, init = {}) {
  const key = sessionStorage.getItem(KEY);
  if (!key) throw new AuthError("no key");
  const res = await fetch(path, { ...init, headers: { ...(init.headers || {}), Authorization: `Bearer ${key}` } });
  if (res.status === 401) throw new AuthError("key refused");
  const body = await res.json();
  if (!res.ok) throw new Error(Array.isArray(body.detail) ? body.detail.map((d) => `${(d.loc || []).join(".")}: ${d.msg}`).join("; ") : body.detail || res.statusText);
  return body;
}

let stagesCache = null;
async function stages() {
  if (!stagesCache) stagesCache = await api("/v1/stages");
  return stagesCache;
}

// ---- pages ---------------------------------------------------------------------------
async function overviewPage(token) {
  const d = await api("/v1/overview");
  current(token);
  const all = d.kpis.all || {};
  const cards = h("div", { class: "cards" },
    card("events", num(d.events)), card("users", num(d.users)), card("items", num(d.items)),
    card("cross-domain users", num(d.cross_domain_users), d.active_users ? pct(d.cross_domain_users / d.active_users) + " of active" : null),
    card("conversion", pct(all.conversion), "buyers / active users"), card("revenue", num(all.revenue, 0)), card("ARPU", num(all.arpu)), card("CTR", pct(all.ctr)));
  const domains = Object.keys(d.kpis).filter((k) => k !== "all");
  const rows = domains.map((k) => ({ domain: k, ...d.kpis[k] }));
  const charts = h("div", { class: "charts" });
  const series = domains.map((dom) => ({ name: dom, points: d.daily.filter((r) => r.domain === dom).map((r) => [r.day, r.events]) }));
  const out = [h("h1", {}, "Overview"), cards, section("KPIs by domain", table([
    { label: "domain", key: "domain" }, { label: "active users", num: true, render: (r) => num(r.active_users) },
    { label: "views", num: true, render: (r) => num(r.views) }, { label: "CTR", num: true, render: (r) => pct(r.ctr) },
    { label: "conversion", num: true, render: (r) => pct(r.conversion) }, { label: "orders", num: true, render: (r) => num(r.orders) },
    { label: "revenue", num: true, render: (r) => num(r.revenue, 0) }, { label: "ARPU", num: true, render: (r) => num(r.arpu) },
    { label: "D7 retention", num: true, render: (r) => pct(r.d7_retention) }, { label: "completion", num: true, render: (r) => pct(r.completion) },
  ], rows)), section("Activity", charts)];
  paint(token, ...out);
  if (series.length) {
    lineChart(charts, "Events per day by domain", series);
    barChart(charts, "Revenue by domain", rows.map((r) => ({ label: r.domain, value: r.revenue })));
  } else charts.appendChild(empty("No events yet: ingest files with `seamline ingest` or POST /v1/events."));
}

async function qualityPage(token, offset = 0) {
  const limit = 15;
  const q = await api(`/v1/quality?offset=${offset}&limit=${limit}`);
  const cards = h("div", { class: "cards" },
    card("events", num(q.events)), card("items", num(q.items)), card("users", num(q.users)),
    card("rejected rows", num(q.rejected)), card("duplicates skipped", num(q.duplicates)),
    card("bot-flagged users", num(q.bot_flagged_users)), card("events without catalog item", num(q.events_without_catalog_item)),
    card("first event", (q.date_range.first || "–").slice(0, 10)), card("last event", (q.date_range.last || "–").slice(0, 10)));
  const charts = h("div", { class: "charts" });
  const missing = [];
  for (const [t, cols] of Object.entries(q.missing_share)) for (const [c, v] of Object.entries(cols)) if (v > 0) missing.push({ table: t, column: c, share: v });
  const b = q.batches;
  const pager = h("p", { class: "pager" },
    b.offset > 0 ? h("button", { type: "button", id: "batches-newer", onclick: () => qualityPage(token, Math.max(0, b.offset - limit)).catch(show) }, "newer") : null,
    ` ${b.total ? b.offset + 1 : 0}–${b.offset + b.items.length} of ${b.total} `,
    b.offset + b.items.length < b.total ? h("button", { type: "button", id: "batches-older", onclick: () => qualityPage(token, b.offset + limit).catch(show) }, "older") : null);
  paint(token, h("h1", {}, "Data quality"), cards, section("Charts", charts),
    section("By domain", table([{ label: "domain", key: "domain" }, { label: "events", num: true, render: (r) => num(r.events) }, { label: "users", num: true, render: (r) => num(r.users) }, { label: "items", num: true, render: (r) => num(r.items) }, { label: "conversions", num: true, render: (r) => num(r.conversions) }, { label: "revenue", num: true, render: (r) => num(r.revenue, 0) }, { label: "first", render: (r) => (r.first || "").slice(0, 10) }, { label: "last", render: (r) => (r.last || "").slice(0, 10) }], q.by_domain)),
    section("Missing values", missing.length ? table([{ label: "table", key: "table" }, { label: "column", key: "column" }, { label: "missing", num: true, render: (r) => pct(r.share) }], missing) : empty("No missing values in optional columns.")),
    section("Ingests by source and day", table([{ label: "day", key: "day" }, { label: "source", key: "source" }, { label: "table", key: "table" }, { label: "batches", num: true, render: (r) => num(r.batches) }, { label: "rows", num: true, render: (r) => num(r.rows) }, { label: "accepted", num: true, render: (r) => num(r.accepted) }, { label: "rejected", num: true, render: (r) => num(r.rejected) }, { label: "duplicates", num: true, render: (r) => num(r.duplicates) }], b.items, { cls: "batches" }), pager));
  const reasons = Object.entries(q.rejected_by_reason);
  if (reasons.length) barChart(charts, "Rejected rows by reason", reasons.map(([k, v]) => ({ label: k, value: v })), { colorIndex: 3 });
  else charts.appendChild(h("p", { class: "ok" }, "No rejected rows."));
  const domains = [...new Set(q.events_per_day.map((r) => r.domain))];
  if (domains.length) lineChart(charts, "Events per day", domains.map((d) => ({ name: d, points: q.events_per_day.filter((r) => r.domain === d).map((r) => [r.day, r.events]) })));
  const types = q.by_event_type;
  if (types.length) barChart(charts, "Events by type", [...new Set(types.map((t) => t.event_type))].map((t) => ({ label: t, values: domains.map((d) => (types.find((x) => x.event_type === t && x.domain === d) || { events: 0 }).events) })), { series: domains });
}

function profileFacts(profile) {
  const facts = [];
  for (const [k, v] of Object.entries(profile || {})) {
    if (v === null || typeof v === "object") continue;
    facts.push(h("li", {}, h("span", { class: "fact-key" }, k.replaceAll("_", " ")), " ", typeof v === "number" ? num(v) : String(v)));
    if (facts.length >= 8) break;
  }
  return h("ul", { class: "facts" }, facts);
}

function segmentFacts(p) {
  const dem = p.demographics || {}, dom = p.domains || {}, spend = p.spend || {};
  const cats = (d) => ((p.top_categories || {})[d] || []).slice(0, 3).map((c) => c.category).join(", ");
  const facts = [
    ["age", dem.age_mean !== undefined ? num(dem.age_mean, 0) : null],
    ["women", dem.female_share !== undefined ? pct(dem.female_share) : null],
    ["fashion activity", dom.fashion ? pct(dom.fashion.activity_share) : null],
    ["knowledge activity", dom.knowledge ? pct(dom.knowledge.activity_share) : null],
    ["fashion likes", cats("fashion")],
    ["knowledge likes", cats("knowledge")],
    ["spend / user", spend.monetary !== undefined ? num(spend.monetary, 0) : null],
    ["buyers", spend.buyer_share !== undefined ? pct(spend.buyer_share) : null],
  ].filter(([, v]) => v);
  return h("ul", { class: "facts" }, facts.map(([k, v]) => h("li", {}, h("span", { class: "fact-key" }, k), " ", v)));
}

async function segmentsPage(token) {
  const st = await stages();
  if (!st.segments.available) {
    paint(token, h("h1", {}, "Segments"), section("No segments yet", empty(st.segments.reason || "Run the segmentation stage (`seamline segment`) to see segments here.")));
    return;
  }
  const segs = await api("/v1/segments");
  const charts = h("div", { class: "charts" });
  const total = segs.reduce((a, s) => a + (s.size || 0), 0);
  const list = h("div", { class: "segment-cards" }, segs.map((s) => h("div", { class: "card segment" },
    h("h3", {}, s.name_en || `segment ${s.id}`), s.name_zh ? h("div", { class: "zh" }, s.name_zh) : null,
    h("div", { class: "card-note" }, `${num(s.size)} users · ${pct(total ? s.size / total : null)}`),
    s.profile.description_en ? h("p", { class: "description" }, s.profile.description_en) : null, segmentFacts(s.profile))));
  paint(token, h("h1", {}, "Segments"), section("Sizes", charts), section("Profiles", list));
  barChart(charts, "Users per segment", segs.map((s) => ({ label: s.name_en || String(s.id), value: s.size })));
  const doms = ["fashion", "knowledge"];
  barChart(charts, "Activity share by domain", segs.map((s) => ({ label: s.name_en || String(s.id), values: doms.map((d) => ((s.profile.domains || {})[d] || {}).activity_share ?? null) })), { series: doms });
}

async function usersPage(token, userId) {
  const input = h("input", { id: "user-search", type: "search", placeholder: "user id, e.g. U00001", autocomplete: "off", value: userId || "" });
  const results = h("ul", { id: "user-results", class: "results" });
  const detail = h("div", { id: "user-detail" });
  const run = async () => {
    const q = input.value.trim();
    const found = await api(`/v1/users?q=${encodeURIComponent(q)}&limit=20`);
    current(token);
    results.dataset.q = q;  // which query the list answers (tests wait on it)
    results.replaceChildren(...(found.length ? found.map((u) => h("li", {}, h("a", { href: `#/users/${encodeURIComponent(u.user_id)}`, class: "user-link" }, u.user_id), ` · ${num(u.events)} events · ${u.domains} domain${u.domains === 1 ? "" : "s"}`)) : [h("li", { class: "empty" }, "No user id starts with that.")]));
  };
  const form = h("form", { class: "search", onsubmit: (e) => { e.preventDefault(); run().catch(show); } }, input, h("button", { type: "submit", id: "user-search-go" }, "Search"));
  paint(token, h("h1", {}, "User explorer"), form, results, detail);
  if (!userId) { await run(); return; }
  await userDetail(token, detail, userId);
}

async function userDetail(token, detail, userId) {
  const [u, st] = await Promise.all([api(`/v1/users/${encodeURIComponent(userId)}`), stages()]);
  current(token);
  const titles = new Map();
  for (const rows of Object.values(u.history)) for (const r of rows) titles.set(r.item_id, r.title || r.item_id);
  const cols = Object.entries(u.history).map(([dom, rows]) => h("div", { class: "history" }, h("h3", {}, dom),
    table([{ label: "when", render: (r) => (r.timestamp || "").slice(0, 16).replace("T", " ") }, { label: "event", key: "event_type" }, { label: "item", render: (r) => r.title || r.item_id }, { label: "value", num: true, render: (r) => (r.value === null ? "" : num(r.value)) }], rows, { cls: "compact" })));
  const recBox = h("div", { class: "recs" });
  const parts = [h("h2", { id: "user-title" }, `User ${u.user_id}`),
    h("div", { class: "two" }, section("Profile", u.profile ? profileFacts(u.profile) : empty("No profile row for this user.")),
      section("Activity by domain", table([{ label: "domain", key: "domain" }, { label: "events", num: true, key: "events" }, { label: "items", num: true, key: "items" }, { label: "conversions", num: true, key: "conversions" }, { label: "spend", num: true, render: (r) => num(r.spend) }], u.by_domain))),
    section("History in both domains", h("div", { class: "histories" }, cols)), section("Recommendations", recBox)];
  if (st.segments.available) {
    const seg = await api(`/v1/users/${encodeURIComponent(userId)}/segment`).catch(() => null);
    current(token);
    if (seg) parts.splice(1, 0, h("p", { class: "segment-badge" }, `Segment: ${seg.name_en || seg.segment}${seg.name_zh ? " · " + seg.name_zh : ""}`));
  }
  detail.replaceChildren(...parts);
  if (!st.recommender.available) { recBox.appendChild(empty(`No recommender to ask: ${st.recommender.reason}. Fit one with \`seamline fit\`.`)); return; }
  for (const dom of ["knowledge", "fashion"]) {
    const r = await api(`/v1/users/${encodeURIComponent(userId)}/recommendations?domain=${dom}&k=8`);
    current(token);
    const list = r.items.map((it) => h("li", { class: "rec" }, h("span", { class: "rec-title" }, it.title || it.item_id), h("span", { class: "rec-meta" }, ` ${it.category || ""} · score ${fmt(it.score)}${it.price !== null && it.price !== undefined ? " · ¥" + num(it.price) : ""}`),
      it.because.length ? h("div", { class: "because" }, "because: " + it.because.map((b) => titles.get(b) || b).join(", ")) : null));
    // The service answers a user with little history in this domain from the transfer model.
    const carried = r.model === "transfer" ? h("p", { class: "note transfer-note" }, `Little ${dom} history: interest carried over from the other domain; "because" names the items that carried it.`) : null;
    recBox.appendChild(h("div", { class: "rec-col" }, h("h3", {}, `${dom} (${r.model})`), carried, list.length ? h("ol", { class: "rec-list" }, list) : empty("Nothing to recommend in this domain.")));
  }
}

// One interval chart per metric (metrics differ in scale), arms as rows.
function intervalsByMetric(charts, results) {
  for (const metric of [...new Set(results.map((r) => r.metric))]) {
    const rows = results.filter((r) => r.metric === metric).map((r) => ({ label: r.arm, estimate: r.estimate, low: r.ci_low, high: r.ci_high, significant: r.significant }));
    intervalChart(charts, `${metric}: lift vs control (95% interval)`, rows);
  }
}

function resultsTable(results) {
  return table([{ label: "metric", render: (r) => (r.metric === "conversion" ? "conversion (of exposed users)" : r.metric) }, { label: "arm", key: "arm" }, { label: "control", num: true, render: (r) => fmt(r.control_mean) }, { label: "treatment", num: true, render: (r) => fmt(r.treatment_mean) },
    { label: "lift", num: true, render: (r) => fmt(r.estimate) }, { label: "95% CI", render: (r) => `[${fmt(r.ci_low)}, ${fmt(r.ci_high)}]` }, { label: "p (adj.)", num: true, render: (r) => fmt(r.p_value_adjusted ?? r.p_value) }, { label: "chance to win", num: true, render: (r) => pct(r.chance_to_win) }], results);
}

async function campaignsPage(token) {
  const c = await api("/v1/campaigns");
  current(token);
  const out = [h("h1", {}, "Campaigns")];
  if (!c.coupons.length && !c.campaigns.length) {
    out.push(section("No campaign data", empty("This workspace has no coupon events and no campaign experiment. Events that carry a coupon_id, and an experiment recording who got the offer (e.g. `seamline ab import-campaign`), show up here with uplift and ROI.")));
    paint(token, ...out);
    return;
  }
  out.push(section("Coupons redeemed", c.coupons.length ? table([{ label: "coupon", key: "coupon_id" }, { label: "redemptions", num: true, render: (r) => num(r.redemptions) }, { label: "users", num: true, render: (r) => num(r.users) }, { label: "revenue", num: true, render: (r) => num(r.revenue, 0) }, { label: "domains", render: (r) => r.domains.join(", ") }, { label: "from", render: (r) => (r.first || "").slice(0, 10) }, { label: "to", render: (r) => (r.last || "").slice(0, 10) }], c.coupons) : empty("No events carry a coupon_id.")));
  const pending = [];
  for (const camp of c.campaigns) {
    const charts = h("div", { class: "charts" });
    const arms = Object.keys(camp.kpis);
    const kpiRows = arms.map((a) => ({ arm: a, ...camp.kpis[a] }));
    out.push(section(`${camp.description || camp.name} (${camp.coupon_id}${camp.discount ? ", " + Math.round(camp.discount * 100) + "% off" : ""})`,
      h("p", { class: "note" }, `Window ${(camp.window.start || "").slice(0, 10)} – ${(camp.window.end || "").slice(0, 10)}; control arm: ${camp.control}. Uplift is each arm minus control with its 95% interval; ROI counts the discount given as the offer's cost.`),
      charts, resultsTable(camp.results),
      table([{ label: "arm", key: "arm" }, { label: "exposed users", num: true, render: (r) => num(r.users) }, { label: "active users", num: true, render: (r) => num(r.active_users) },
        { label: "conversion of exposed users", num: true, render: (r) => pct(r.users ? r.converters / r.users : null) }, { label: "conversion of active users", num: true, render: (r) => pct(r.conversion) }, { label: "revenue / user", num: true, render: (r) => num(r.revenue_per_user) }, { label: "offer cost", num: true, render: (r) => num(r.offer_cost, 0) }, { label: "incremental revenue", num: true, render: (r) => num(r.incremental_revenue, 0) }, { label: "incremental ROI", num: true, render: (r) => fmt(r.incremental_roi) }], kpiRows)));
    pending.push(() => {
      intervalsByMetric(charts, camp.results);
      const treated = arms.filter((a) => a !== camp.control);
      lineChart(charts, "Cumulative incremental revenue", treated.map((a) => ({ name: a, points: camp.curve.map((p) => [p.day, p.incremental[a] ?? null]) })), { zero: true });
      lineChart(charts, "Cumulative incremental ROI", treated.map((a) => ({ name: a, points: camp.curve.map((p) => [p.day, p.roi[a] ?? null]) })), { zero: true });
      barChart(charts, "Revenue per user by arm", kpiRows.map((r) => ({ label: r.arm, value: r.revenue_per_user })), { colorIndex: 2 });
    });
  }
  paint(token, ...out);
  pending.forEach((f) => f());
}

async function experimentsPage(token) {
  const exps = await api("/v1/experiments/analysis");
  current(token);
  const out = [h("h1", {}, "Experiments")];
  if (!exps.length) {
    out.push(section("No experiments", empty("Create one with `seamline ab create` or POST /v1/experiments; apps get arms from POST /v1/experiments/{name}/assignments.")));
    paint(token, ...out);
    return;
  }
  const pending = [];
  for (const e of exps) {
    const charts = h("div", { class: "charts" });
    const body = [h("p", { class: "note" }, `Arms: ${Object.entries(e.arms).map(([a, w]) => `${a} (${pct(w)})`).join(", ")} · exposures: ${Object.entries(e.exposures).map(([a, n]) => `${a} ${num(n)}`).join(", ") || "none"} · status ${e.status}`)];
    if (e.report) {
      const srm = e.report.srm;
      body.push(h("p", { class: srm.flagged ? "warn" : "ok" }, srm.flagged ? `Sample-ratio mismatch (p = ${fmt(srm.p_value)}): check assignment before reading results.` : `No sample-ratio mismatch (p = ${fmt(srm.p_value)}).`));
      body.push(charts, resultsTable(e.report.results));
      pending.push(() => intervalsByMetric(charts, e.report.results));
    } else body.push(empty(e.error || "No exposures yet: nothing to analyse."));
    out.push(section(e.name, ...body));
  }
  paint(token, ...out);
  pending.forEach((f) => f());
}

// ---- shell ---------------------------------------------------------------------------
const UI = { h, api, section, table, card, empty, paint, current, num, pct };
const PAGES = { overview: overviewPage, quality: qualityPage, segments: segmentsPage, users: usersPage, campaigns: campaignsPage, plans: (token, id) => plansPage(UI, token, id), experiments: experimentsPage };

function show(err) {
  if (err instanceof Stale) return;  // the user has moved on: the page they opened stays
  if (err instanceof AuthError) { login(err.message === "key refused" ? "That key was refused (unknown, revoked, or without the read scope)." : null); return; }
  main.replaceChildren(h("div", { class: "error", role: "alert" }, `Could not load this page: ${err.message}`));
}

function login(message) {
  sessionStorage.removeItem(KEY);
  document.body.classList.add("logged-out");
  const input = h("input", { id: "api-key", type: "password", placeholder: "sl_…", autocomplete: "off" });
  const form = h("form", { id: "login", class: "login", onsubmit: (e) => {
    e.preventDefault();
    sessionStorage.setItem(KEY, input.value.trim());
    stagesCache = null;
    route();
  } }, h("h1", {}, "Seamline dashboard"), h("p", {}, "Paste an API key with the read scope (`seamline keys create --scope read`)."), input, h("button", { type: "submit", id: "login-go" }, "Open"), message ? h("p", { class: "error" }, message) : null);
  main.replaceChildren(form);
  input.focus();
}

async function route() {
  const token = ++navigation;
  const [, page = "overview", ...rest] = location.hash.replace(/^#/, "").split("/");
  const name = PAGES[page] ? page : "overview";
  for (const a of document.querySelectorAll("nav a")) a.classList.toggle("active", a.dataset.page === name);
  if (!sessionStorage.getItem(KEY)) { login(); return; }
  document.body.classList.remove("logged-out");
  main.setAttribute("aria-busy", "true");
  main.replaceChildren(h("p", { class: "loading" }, "Loading…"));
  try {
    await PAGES[name](token, rest.length ? decodeURIComponent(rest.join("/")) : undefined);
  } catch (err) {
    if (token !== navigation) return;  // the user has moved on
    show(err);
  } finally {
    if (token === navigation) {
      main.setAttribute("aria-busy", "false");
      main.dataset.page = name;
    }
  }
}

document.getElementById("logout").onclick = (e) => { e.preventDefault(); login(); };
window.addEventListener("hashchange", route);
route();
