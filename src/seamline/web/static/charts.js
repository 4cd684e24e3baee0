// Small SVG charts for the dashboard: bars, lines and interval (forest) plots.
// Drawn in the browser from the API's JSON; no library and nothing fetched from elsewhere.
// Every label goes in through textContent, so data can never inject markup.
"use strict";

const SVG_NS = "http://www.w3.org/2000/svg";
const PALETTE = ["#2563eb", "#db2777", "#16a34a", "#ea580c", "#7c3aed", "#0891b2", "#ca8a04"];

function el(name, attrs, text) {
  const node = document.createElementNS(SVG_NS, name);
  for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, String(v));
  if (text !== undefined) node.textContent = String(text);
  return node;
}

function fmt(v) {
  if (v === null || v === undefined || Number.isNaN(v)) return "–";
  const a = Math.abs(v);
  if (a >= 1e6) return (v / 1e6).toFixed(1) + "M";
  if (a >= 1e4) return (v / 1e3).toFixed(0) + "k";
  if (a >= 100 || Number.isInteger(v)) return v.toFixed(0);
  if (a >= 1) return v.toFixed(2);
  return v.toPrecision(2);
}

function ticks(lo, hi, n) {
  if (hi === lo) { hi = lo + 1; }
  const step0 = (hi - lo) / n;
  const mag = Math.pow(10, Math.floor(Math.log10(step0)));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= step0) || step0;
  const out = [];
  // Integer multiples of the step: no drift (0.1 + 0.2) and an exact zero.
  for (let i = Math.ceil(lo / step - 1e-9); i * step <= hi + step * 1e-9; i++) out.push(+(i * step).toPrecision(12));
  return out;
}

function frame(container, title, width, height) {
  const fig = document.createElement("figure");
  fig.className = "chart";
  const svg = el("svg", { viewBox: `0 0 ${width} ${height}`, role: "img", width: "100%" });
  svg.appendChild(el("title", {}, title));
  fig.appendChild(svg);
  const cap = document.createElement("figcaption");
  cap.textContent = title;
  fig.appendChild(cap);
  container.appendChild(fig);
  return svg;
}

function legend(svg, names, x, y) {
  names.forEach((name, i) => {
    svg.appendChild(el("rect", { x, y: y + i * 16, width: 10, height: 10, fill: PALETTE[i % PALETTE.length] }));
    svg.appendChild(el("text", { x: x + 14, y: y + i * 16 + 9, class: "legend" }, name));
  });
}

// Vertical bars: data = [{label, value}], or grouped with series = [names] and value arrays.
export function barChart(container, title, data, opts = {}) {
  const series = opts.series || null;
  const W = 560, H = 270, L = 84, R = series ? 110 : 16, T = 12, B = 70;
  const svg = frame(container, title, W, H);
  svg.classList.add("bar-chart");
  const values = data.flatMap((d) => (series ? d.values : [d.value])).filter((v) => v !== null);
  const lo = Math.min(0, ...values), hi = Math.max(0, ...values);
  const ys = ticks(lo, hi, 4);
  const y0 = Math.min(lo, ys[0]), y1 = Math.max(hi, ys[ys.length - 1]);
  const y = (v) => T + (H - T - B) * (1 - (v - y0) / (y1 - y0 || 1));
  for (const t of ys) {
    svg.appendChild(el("line", { x1: L, x2: W - R, y1: y(t), y2: y(t), class: "grid" }));
    svg.appendChild(el("text", { x: L - 6, y: y(t) + 4, class: "axis", "text-anchor": "end" }, fmt(t)));
  }
  const band = (W - L - R) / Math.max(data.length, 1);
  const k = series ? series.length : 1;
  data.forEach((d, i) => {
    const vals = series ? d.values : [d.value];
    vals.forEach((v, j) => {
      if (v === null || v === undefined) return;
      const w = (band * 0.8) / k;
      const x = L + i * band + band * 0.1 + j * w;
      const bar = el("rect", {
        x, y: Math.min(y(v), y(0)), width: Math.max(w - 1, 1), height: Math.abs(y(v) - y(0)),
        fill: PALETTE[(series ? j : opts.colorIndex || 0) % PALETTE.length], class: "bar",
      });
      bar.appendChild(el("title", {}, `${d.label}${series ? " · " + series[j] : ""}: ${fmt(v)}`));
      svg.appendChild(bar);
    });
    const label = String(d.label);
    svg.appendChild(el("text", {
      x: L + i * band + band / 2, y: H - B + 14, class: "axis", "text-anchor": "end",
      transform: `rotate(-25 ${L + i * band + band / 2} ${H - B + 14})`,
    }, label.length > 16 ? label.slice(0, 15) + "…" : label));
  });
  svg.appendChild(el("line", { x1: L, x2: W - R, y1: y(0), y2: y(0), class: "zero" }));
  if (series) legend(svg, series, W - R + 10, T);
  return svg;
}

// Lines over an ordered x (dates as strings; numbers with opts.numeric):
// series = [{name, points: [[x, y], ...]}].
export function lineChart(container, title, series, opts = {}) {
  const W = 560, H = 260, L = 56, R = 120, T = 12, B = 40;
  const svg = frame(container, title, W, H);
  svg.classList.add("line-chart");
  const xs = [...new Set(series.flatMap((s) => s.points.map((p) => p[0])))].sort(opts.numeric ? (a, b) => a - b : undefined);
  const ix = new Map(xs.map((x, i) => [x, i]));
  const values = series.flatMap((s) => s.points.map((p) => p[1])).filter((v) => v !== null);
  const lo = Math.min(opts.zero === false ? Infinity : 0, ...values);
  const hi = Math.max(...values, lo + 1e-9);
  const ys = ticks(lo, hi, 4);
  const y0 = Math.min(lo, ys[0]), y1 = Math.max(hi, ys[ys.length - 1]);
  const x = (v) => L + ((W - L - R) * ix.get(v)) / Math.max(xs.length - 1, 1);
  const y = (v) => T + (H - T - B) * (1 - (v - y0) / (y1 - y0 || 1));
  for (const t of ys) {
    svg.appendChild(el("line", { x1: L, x2: W - R, y1: y(t), y2: y(t), class: "grid" }));
    svg.appendChild(el("text", { x: L - 6, y: y(t) + 4, class: "axis", "text-anchor": "end" }, fmt(t)));
  }
  if (y0 < 0 && y1 > 0) svg.appendChild(el("line", { x1: L, x2: W - R, y1: y(0), y2: y(0), class: "zero" }));
  const every = Math.max(1, Math.ceil(xs.length / 5));
  xs.forEach((v, i) => {
    if (i % every === 0) svg.appendChild(el("text", { x: x(v), y: H - B + 16, class: "axis", "text-anchor": "middle" }, opts.numeric ? fmt(v) : String(v).slice(0, 10)));
  });
  series.forEach((s, i) => {
    const pts = s.points.filter((p) => p[1] !== null && p[1] !== undefined);
    if (!pts.length) return;
    const d = pts.map((p, j) => `${j ? "L" : "M"}${x(p[0]).toFixed(1)},${y(p[1]).toFixed(1)}`).join("");
    const path = el("path", { d, fill: "none", stroke: PALETTE[i % PALETTE.length], "stroke-width": 2, class: "line" });
    path.appendChild(el("title", {}, s.name));
    svg.appendChild(path);
  });
  legend(svg, series.map((s) => s.name), W - R + 10, T);
  return svg;
}

// Interval plot: rows = [{label, estimate, low, high, significant}], a zero line for reference.
export function intervalChart(container, title, rows) {
  const W = 560, L = 170, R = 24, T = 12, rowH = 26;
  const H = T + rows.length * rowH + 34;
  const svg = frame(container, title, W, H);
  svg.classList.add("interval-chart");
  const vals = rows.flatMap((r) => [r.low, r.high, r.estimate]).filter((v) => v !== null && v !== undefined && Number.isFinite(v));
  const lo = Math.min(0, ...vals), hi = Math.max(0, ...vals);
  const pad = (hi - lo || 1) * 0.08;
  const xs = ticks(lo - pad, hi + pad, 5);
  const x0 = Math.min(lo - pad, xs[0]), x1 = Math.max(hi + pad, xs[xs.length - 1]);
  const x = (v) => L + ((W - L - R) * (v - x0)) / (x1 - x0 || 1);
  const bottom = T + rows.length * rowH;
  for (const t of xs) {
    svg.appendChild(el("line", { x1: x(t), x2: x(t), y1: T, y2: bottom, class: "grid" }));
    svg.appendChild(el("text", { x: x(t), y: bottom + 16, class: "axis", "text-anchor": "middle" }, fmt(t)));
  }
  svg.appendChild(el("line", { x1: x(0), x2: x(0), y1: T, y2: bottom, class: "zero" }));
  rows.forEach((r, i) => {
    const cy = T + i * rowH + rowH / 2;
    svg.appendChild(el("text", { x: L - 8, y: cy + 4, class: "axis", "text-anchor": "end" }, r.label));
    if (![r.low, r.high, r.estimate].every((v) => v !== null && Number.isFinite(v))) return;
    const color = r.significant ? "#16a34a" : "#64748b";
    const g = el("g", { class: "interval" });
    g.appendChild(el("line", { x1: x(r.low), x2: x(r.high), y1: cy, y2: cy, stroke: color, "stroke-width": 3 }));
    g.appendChild(el("circle", { cx: x(r.estimate), cy, r: 5, fill: color }));
    g.appendChild(el("title", {}, `${r.label}: ${fmt(r.estimate)} [${fmt(r.low)}, ${fmt(r.high)}]`));
    svg.appendChild(g);
  });
  return svg;
}

export { fmt };
