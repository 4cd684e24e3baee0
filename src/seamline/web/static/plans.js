// Campaign plans: pick a spec (and edit its YAML), plan it, read the audience, expected ROI
// against budget and the message previews in the brand's style, then launch the plan.
// Planning and launching need a key with the admin scope; reading needs the read scope.
"use strict";

import { lineChart } from "./charts.js";

// `ui` carries the dashboard's helpers (h, api, section, table, card, empty, paint, current,
// num, pct, show) so this module does not import app.js back.
export async function plansPage(ui, token, planId) {
  const { h, api, section, paint, current } = ui;
  const [specs, plans] = await Promise.all([api("/v1/campaigns/specs"), api("/v1/campaigns/plans")]);
  current(token);
  const detail = h("div", { id: "plan-detail" });
  paint(token, h("h1", {}, "Campaign plans"), planForm(ui, specs), section("Plans", plansTable(ui, plans)), detail);
  if (planId !== undefined) await planDetail(ui, token, detail, planId);
}

function planForm(ui, specs) {
  const { h, section, api } = ui;
  const text = h("textarea", { id: "spec-text", rows: 14, spellcheck: "false", placeholder: "name: my-campaign\ngoal: {sell: fashion, to: knowledge}\n…" });
  const about = h("p", { id: "spec-about", class: "note" });
  const status = h("p", { id: "plan-status", role: "status" });
  const pick = h("select", { id: "spec-pick" }, h("option", { value: "" }, specs.length ? "— pick a spec —" : "no specs in the spec folder"),
    specs.map((s, i) => h("option", { value: String(i), disabled: s.error ? true : null }, s.error ? `${s.file} (does not load)` : `${s.name} · ${s.file}`)));
  pick.onchange = () => {
    const s = specs[Number(pick.value)];
    if (!s) return;
    text.value = s.text || "";
    about.textContent = `Sell ${s.goal.sell} to ${s.goal.to}${s.goal.description ? ": " + s.goal.description : ""} · budget ¥${ui.num(s.budget, 0)} · voice ${s.voice} · ${s.languages.join(", ")} · ${s.channels.join(", ")} · offers ${s.offers.map((o) => `${o.id} (${o.kind})`).join(", ")} · holdout ${ui.pct(s.holdout_share)}`;
  };
  const broken = specs.filter((s) => s.error);
  const go = h("button", { type: "submit", id: "plan-go" }, "Plan");
  const form = h("form", { class: "plan-form", onsubmit: async (e) => {
    e.preventDefault();
    status.className = "note";
    status.textContent = "Planning…";
    go.disabled = true;
    try {
      const plan = await api("/v1/campaigns/plans", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ spec: text.value }) });
      status.textContent = `Planned: plan ${plan.plan_id}.`;
      location.hash = `#/plans/${plan.plan_id}`;
    } catch (err) {
      status.className = "error";
      status.setAttribute("role", "alert");
      status.textContent = `Not planned: ${err.message}`;
    } finally {
      go.disabled = false;
    }
  } }, h("label", { for: "spec-pick" }, "Spec "), pick, about, text, h("div", {}, go, " ", h("span", { class: "note" }, "needs a key with the admin scope")), status);
  return section("Plan a campaign", form, broken.length ? h("ul", { class: "warn" }, broken.map((s) => h("li", {}, s.error))) : null);
}

function plansTable(ui, plans) {
  const { h, table, empty, num } = ui;
  if (!plans.length) return empty("No plans yet: pick a spec above and plan it (or `seamline campaign plan`).");
  const t = (p) => p.totals || {};
  return table([
    { label: "plan", render: (p) => h("a", { href: `#/plans/${p.plan_id}`, class: "plan-link" }, `${p.plan_id} · ${p.name}`) },
    { label: "created", render: (p) => (p.created_at || "").slice(0, 16).replace("T", " ") },
    { label: "audience", num: true, render: (p) => num(t(p).audience) },
    { label: "planned users", num: true, render: (p) => num(t(p).users) },
    { label: "spend / budget", num: true, render: (p) => `${num(t(p).spend, 0)} / ${num(t(p).budget, 0)}` },
    { label: "expected incremental profit", num: true, render: (p) => num(t(p).expected_incremental_profit, 0) },
    { label: "ROI", num: true, render: (p) => num(t(p).roi) },
  ], plans, { cls: "plans" });
}

async function planDetail(ui, token, box, planId) {
  const { h, api, section, card, num, empty, current } = ui;
  const [plan, prev] = await Promise.all([api(`/v1/campaigns/plans/${encodeURIComponent(planId)}`), api(`/v1/campaigns/plans/${encodeURIComponent(planId)}/previews`)]);
  current(token);
  const t = plan.summary.totals || {};
  const ci = (k) => (t[k] ? `95% interval ${num(t[k][0], 0)} – ${num(t[k][1], 0)}` : null);
  const cards = h("div", { class: "cards", id: "plan-cards" },
    card("audience", num(t.audience), "users matching the spec"), card("planned users", num(t.users), `${num(t.holdout_users)} held out`),
    card("budget", num(t.budget, 0)), card("expected spend", num(t.spend, 0)),
    card("expected incremental profit", num(t.expected_incremental_profit, 0), ci("expected_incremental_profit_ci")),
    card("expected ROI", num(t.roi)), card("incremental conversions", num(t.expected_incremental_conversions, 1), ci("expected_incremental_conversions_ci")),
    card("languages", (t.languages || []).join(", ") || "–"));
  const charts = h("div", { class: "charts" });
  const launched = (plan.results || {}).launch;
  const status = h("p", { id: "launch-status", class: launched ? "ok" : "note" }, launched ? `Launched ${launched.launched_at.slice(0, 16).replace("T", " ")} UTC by key ${launched.by}.` : `Not launched. Launching sends the campaign arm's messages; the holdout is measured by experiment ${plan.experiment}.`);
  const go = h("button", { type: "button", id: "launch-go", disabled: launched ? true : null, onclick: async () => {
    go.disabled = true;
    try {
      const r = await api(`/v1/campaigns/plans/${plan.plan_id}/launch`, { method: "POST" });
      status.className = "ok";
      status.textContent = `Launched ${r.launched_at.slice(0, 16).replace("T", " ")} UTC by key ${r.by}.`;
    } catch (err) {
      go.disabled = false;
      status.className = "error";
      status.setAttribute("role", "alert");
      status.textContent = `Not launched: ${err.message}`;
    }
  } }, "Launch");
  const download = h("button", { type: "button", id: "preview-download", onclick: async () => {
    const page = await api(`/v1/campaigns/plans/${plan.plan_id}/preview-page`);
    const url = URL.createObjectURL(new Blob([page.html], { type: "text/html" }));
    const a = h("a", { href: url, download: page.file });
    a.click();
    setTimeout(() => URL.revokeObjectURL(url), 1000);
  } }, "Download the previews page");
  box.replaceChildren(h("h2", { id: "plan-title" }, `Plan ${plan.plan_id}: ${plan.name}`), cards,
    section("Expected return against budget", charts), section("Message previews", previews(ui, prev), h("p", {}, download)), section("Launch", status, go));
  const curve = plan.summary.roi_curve || [];
  if (curve.length) {
    lineChart(charts, "Expected ROI against budget (¥)", [{ name: "ROI", points: curve.map((p) => [p.budget, p.roi]) }], { numeric: true });
    lineChart(charts, "Expected incremental profit against budget (¥)", [{ name: "profit", points: curve.map((p) => [p.budget, p.profit]) }], { numeric: true });
  } else charts.appendChild(empty("This plan has no ROI curve."));
}

// Cards in the brand's style: colours and fonts go in through the CSSOM (style properties),
// which the page's Content-Security-Policy allows; every text through textContent.
function previews(ui, prev) {
  const { h, empty } = ui;
  const style = prev.style || {};
  const pal = style.palette || {};
  const box = h("div", { class: "brand-previews", id: "plan-previews" });
  for (const [k, v] of Object.entries(pal)) if (/^#[0-9a-f]{6}$/i.test(v)) box.style.setProperty(`--brand-${k}`, v);
  if (style.fonts) box.style.fontFamily = style.fonts.map((f) => (/^(serif|sans-serif|monospace)$/.test(f) ? f : `"${f.replaceAll('"', "")}"`)).join(", ");
  const brand = prev.voice.brand || {};
  box.appendChild(h("div", { class: "brand-head" }, style.logo && style.logo.startsWith("data:image/") ? h("img", { src: style.logo, alt: brand.en || prev.voice.name, class: "brand-logo" }) : null,
    h("div", {}, h("strong", {}, [brand.zh, brand.en].filter(Boolean).join(" · ")), h("div", { class: "note" }, prev.voice.tone))));
  if (!prev.messages.length) { box.appendChild(empty("No messages in this plan.")); return box; }
  const grid = h("div", { class: "preview-grid" });
  for (const m of prev.messages) {
    grid.appendChild(h("div", { class: `preview ${m.channel}`, "data-ok": m.violations.length ? "false" : "true" },
      h("div", { class: "preview-meta" }, `${m.channel} · ${m.language} · ${m.offer_id || "–"} (${m.offer_kind || "content"})`),
      m.title ? h("div", { class: "preview-title" }, m.title) : null, h("div", { class: "preview-body" }, m.body),
      m.violations.length ? h("ul", { class: "violations" }, m.violations.map((v) => h("li", {}, `${v.rule}: ${v.detail}`))) : h("div", { class: "ok preview-ok" }, "passes the voice's rules")));
  }
  box.appendChild(grid);
  return box;
}
