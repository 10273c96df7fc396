// Handoff latency chart for the benchmark suite (docs/benchmarks.md): reads the JSON summary lines that
// pavilion-bench.js prints ({"type":"handoff-summary", workers, sessions, p50_ms, p99_ms, label, ok, ...})
// and writes a self-contained SVG (no dependencies): x = connected workers, y = handoff latency in ms,
// both logarithmic; one colour per (database, sessions) series, p99 solid and p50 dashed; the p99 goals
// (2 ms at 100, 5 ms at 1,000, 20 ms at 5,000 connected workers) drawn as points.
//
// Usage: node bench-chart.js <summary.jsonl> <out.svg> [title]
// The database is read from the label (db=h2 or db=pg; anything else is shown as given or as "db=?").
// Other lines of the file (other summary types, progress text) are ignored; runs with ok=false are left
// out and counted in a note under the chart. Repeated runs of one (db, sessions, workers) point are
// drawn at their median.
'use strict';

const fs = require('fs');

const [input, output, ...titleWords] = process.argv.slice(2);
if (!input || !output) {
  console.error('usage: node bench-chart.js <summary.jsonl> <out.svg> [title]');
  process.exit(2);
}
const TITLE = titleWords.length ? titleWords.join(' ') : 'Pavilion handoff latency';
const GOALS = [{workers: 100, ms: 2}, {workers: 1000, ms: 5}, {workers: 5000, ms: 20}];

// ---- data -------------------------------------------------------------------------------------------------

const runs = [];
let notOk = 0;
let unreadable = 0;
let text;
try {
  text = fs.readFileSync(input, 'utf8');
} catch (e) {
  console.error(`bench-chart: cannot read ${input}: ${e.message}`);
  process.exit(2);
}
for (const line of text.split('\n')) {
  const trimmed = line.trim();
  if (!trimmed.startsWith('{')) continue;
  let j;
  try {
    j = JSON.parse(trimmed);
  } catch (e) {
    unreadable += 1;
    continue;
  }
  if (j.type !== 'handoff-summary') continue;
  if (j.ok !== true) {
    notOk += 1;
    continue;
  }
  if (!(j.workers > 0) || !(j.p50_ms > 0) || !(j.p99_ms > 0)) {
    unreadable += 1;
    continue;
  }
  const m = /\bdb=([A-Za-z0-9_-]+)/.exec(String(j.label || ''));
  runs.push({db: m ? m[1] : '?', sessions: j.sessions || 1, workers: j.workers, p50: j.p50_ms, p99: j.p99_ms});
}
if (unreadable) console.error(`bench-chart: ${unreadable} handoff line(s) could not be read`);
if (notOk) console.error(`bench-chart: ${notOk} run(s) with ok=false left out`);
if (runs.length === 0) console.error('bench-chart: no usable handoff-summary lines; drawing the goals only');

const median = (xs) => {
  const s = xs.slice().sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const seriesMap = new Map();
for (const r of runs) {
  const key = `${r.db}|${r.sessions}`;
  if (!seriesMap.has(key)) seriesMap.set(key, {db: r.db, sessions: r.sessions, byWorkers: new Map()});
  const s = seriesMap.get(key);
  if (!s.byWorkers.has(r.workers)) s.byWorkers.set(r.workers, []);
  s.byWorkers.get(r.workers).push(r);
}
const series = [...seriesMap.values()].sort((a, b) => (a.db < b.db ? -1 : a.db > b.db ? 1 : a.sessions - b.sessions));
for (const s of series) {
  s.points = [...s.byWorkers.entries()].sort((a, b) => a[0] - b[0]).map(([workers, rs]) => ({
    workers, p50: median(rs.map((r) => r.p50)), p99: median(rs.map((r) => r.p99)), n: rs.length,
  }));
}

// ---- scales --------------------------------------------------------------------------------------------------

const W = 900;
const H = 600;
const M = {left: 80, right: 230, top: 56, bottom: 78};
const PW = W - M.left - M.right;
const PH = H - M.top - M.bottom;

const xs = [100, 5000, ...runs.map((r) => r.workers)];
const ys = [...GOALS.map((g) => g.ms), ...runs.flatMap((r) => [r.p50, r.p99])];
const xMin = Math.min(...xs) / 1.35;
const xMax = Math.max(...xs) * 1.35;
// y range: the 1-2-5 steps just outside the data and the goals
const step125 = (v, down) => {
  const d = 10 ** Math.floor(Math.log10(v));
  const c = [1, 2, 5, 10].map((k) => k * d);
  return down ? Math.max(...c.filter((x) => x <= v * 1.000001)) : Math.min(...c.filter((x) => x >= v / 1.000001));
};
const yMin = step125(Math.min(...ys) / 1.15, true);
const yMax = step125(Math.max(...ys) * 1.15, false);
const lx = (v) => M.left + ((Math.log10(v) - Math.log10(xMin)) / (Math.log10(xMax) - Math.log10(xMin))) * PW;
const ly = (v) => M.top + PH - ((Math.log10(v) - Math.log10(yMin)) / (Math.log10(yMax) - Math.log10(yMin))) * PH;
const f = (v) => (Math.round(v * 10) / 10).toString();

function label(v) {
  return v >= 1 ? Math.round(v).toLocaleString('en-US') : String(Number(v.toPrecision(2)));
}
const esc = (s) => String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

// ---- drawing ------------------------------------------------------------------------------------------------

const PALETTE = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e', '#17becf', '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22'];
const out = [];
out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" `
  + `font-family="Helvetica, Arial, sans-serif" font-size="12">`);
out.push(`<title>${esc(TITLE)}</title>`);
out.push(`<rect x="0" y="0" width="${W}" height="${H}" fill="#ffffff"/>`);
out.push(`<text x="${M.left + PW / 2}" y="30" text-anchor="middle" font-size="17" font-weight="bold">${esc(TITLE)}</text>`);

// grid and ticks: y at 1-2-5 per decade, x at the decades and every measured worker count
out.push('<g stroke="#e4e4e4" stroke-width="1">');
const yTicks = [];
for (let d = Math.floor(Math.log10(yMin) + 1e-9); d <= Math.ceil(Math.log10(yMax)); d++) {
  for (const k of [1, 2, 5]) {
    const v = k * 10 ** d;
    if (v >= yMin * 0.999 && v <= yMax * 1.001) yTicks.push({v, major: k === 1});
  }
}
for (const t of yTicks) {
  out.push(`<line x1="${M.left}" x2="${M.left + PW}" y1="${f(ly(t.v))}" y2="${f(ly(t.v))}"${t.major ? ' stroke="#cfcfcf"' : ''}/>`);
}
const xTickSet = new Set([100, 1000, 5000, ...runs.map((r) => r.workers)]);
for (let d = Math.ceil(Math.log10(xMin)); d <= Math.floor(Math.log10(xMax)); d++) xTickSet.add(10 ** d);
const xTicks = [...xTickSet].filter((v) => v >= xMin && v <= xMax).sort((a, b) => a - b);
for (const v of xTicks) out.push(`<line x1="${f(lx(v))}" x2="${f(lx(v))}" y1="${M.top}" y2="${M.top + PH}"/>`);
out.push('</g>');

out.push(`<rect x="${M.left}" y="${M.top}" width="${PW}" height="${PH}" fill="none" stroke="#333" stroke-width="1"/>`);
out.push('<g fill="#222">');
for (const t of yTicks) {
  out.push(`<text x="${M.left - 8}" y="${f(ly(t.v) + 4)}" text-anchor="end"${t.major ? '' : ' fill="#777"'}>${label(t.v)}</text>`);
}
let lastX = -Infinity;
for (const v of xTicks) {
  const x = lx(v);
  if (x - lastX < 34) continue; // keep labels apart
  lastX = x;
  out.push(`<text x="${f(x)}" y="${M.top + PH + 18}" text-anchor="middle">${v.toLocaleString('en-US')}</text>`);
}
out.push('</g>');
out.push(`<text x="${M.left + PW / 2}" y="${H - 34}" text-anchor="middle" font-size="13">connected workers (log scale)</text>`);
out.push(`<text transform="translate(22 ${M.top + PH / 2}) rotate(-90)" text-anchor="middle" font-size="13">`
  + 'handoff latency, ms (log scale)</text>');

// One point marker; `title` becomes its tooltip.
function marker(shape, x, y, color, filled = true, title = null) {
  const fill = filled ? color : '#ffffff';
  let tag;
  let attrs;
  if (shape === 'square') {
    tag = 'rect';
    attrs = `x="${f(x - 4)}" y="${f(y - 4)}" width="8" height="8" fill="${fill}" stroke="${color}" stroke-width="1.5"`;
  } else if (shape === 'triangle') {
    tag = 'path';
    attrs = `d="M${f(x)} ${f(y - 5)} L${f(x + 5)} ${f(y + 4)} L${f(x - 5)} ${f(y + 4)} Z" fill="${fill}" stroke="${color}" stroke-width="1.5"`;
  } else if (shape === 'star') {
    const pts = [];
    for (let i = 0; i < 10; i++) {
      const r = i % 2 ? 3.2 : 8;
      const a = -Math.PI / 2 + (i * Math.PI) / 5;
      pts.push(`${f(x + r * Math.cos(a))},${f(y + r * Math.sin(a))}`);
    }
    tag = 'polygon';
    attrs = `points="${pts.join(' ')}" fill="${fill}" stroke="#000" stroke-width="0.8"`;
  } else {
    tag = 'circle';
    attrs = `cx="${f(x)}" cy="${f(y)}" r="4" fill="${fill}" stroke="${color}" stroke-width="1.5"`;
  }
  return title ? `<${tag} ${attrs}><title>${esc(title)}</title></${tag}>` : `<${tag} ${attrs}/>`;
}
const shapeOf = (db) => (db === 'h2' ? 'circle' : db === 'pg' ? 'square' : 'triangle');

// series
out.push(`<g clip-path="url(#plot)">`);
series.forEach((s, i) => {
  s.color = PALETTE[i % PALETTE.length];
  for (const [key, dash] of [['p99', ''], ['p50', ' stroke-dasharray="6 4"']]) {
    const d = s.points.map((p, k) => `${k ? 'L' : 'M'}${f(lx(p.workers))} ${f(ly(p[key]))}`).join(' ');
    if (s.points.length > 1) out.push(`<path d="${d}" fill="none" stroke="${s.color}" stroke-width="2"${dash}/>`);
    for (const p of s.points) {
      out.push(marker(shapeOf(s.db), lx(p.workers), ly(p[key]), s.color, key === 'p99',
        `db=${s.db} sessions=${s.sessions} workers=${p.workers}: ${key} ${p[key]} ms${p.n > 1 ? ` (median of ${p.n} runs)` : ''}`));
    }
  }
});
out.push('</g>');
// goals, drawn over the series
for (const g of GOALS) {
  const x = lx(g.workers);
  const right = x + 80 < M.left + PW;
  out.push(marker('star', x, ly(g.ms), '#ffd400', true, `p99 goal: ${g.ms} ms at ${g.workers.toLocaleString('en-US')} workers`));
  out.push(`<text x="${f(right ? x + 11 : x - 11)}" y="${f(ly(g.ms) + 4)}" font-size="11" fill="#444" stroke="#fff" stroke-width="3" paint-order="stroke"`
    + `${right ? '' : ' text-anchor="end"'}>p99 goal ${g.ms} ms</text>`);
}
out.push(`<defs><clipPath id="plot"><rect x="${M.left - 10}" y="${M.top - 10}" width="${PW + 20}" height="${PH + 20}"/></clipPath></defs>`);

// legend
const LX = M.left + PW + 24;
let LY = M.top + 8;
out.push(`<g font-size="12">`);
out.push(`<text x="${LX}" y="${LY}" font-weight="bold">series (db, sessions)</text>`);
LY += 20;
for (const s of series) {
  out.push(`<line x1="${LX}" x2="${LX + 30}" y1="${LY - 4}" y2="${LY - 4}" stroke="${s.color}" stroke-width="2"/>`);
  out.push(marker(shapeOf(s.db), LX + 15, LY - 4, s.color));
  out.push(`<text x="${LX + 38}" y="${LY}">db=${esc(s.db)}, ${s.sessions} session${s.sessions === 1 ? '' : 's'}</text>`);
  LY += 20;
}
if (series.length === 0) {
  out.push(`<text x="${LX}" y="${LY}" fill="#777">(no runs)</text>`);
  LY += 20;
}
LY += 8;
out.push(`<line x1="${LX}" x2="${LX + 30}" y1="${LY - 4}" y2="${LY - 4}" stroke="#444" stroke-width="2"/>`);
out.push(`<text x="${LX + 38}" y="${LY}">p99 (solid, filled)</text>`);
LY += 20;
out.push(`<line x1="${LX}" x2="${LX + 30}" y1="${LY - 4}" y2="${LY - 4}" stroke="#444" stroke-width="2" stroke-dasharray="6 4"/>`);
out.push(`<text x="${LX + 38}" y="${LY}">p50 (dashed, open)</text>`);
LY += 20;
out.push(marker('star', LX + 15, LY - 4, '#ffd400'));
out.push(`<text x="${LX + 38}" y="${LY}">p99 goal</text>`);
LY += 20;
out.push(marker('circle', LX + 8, LY - 4, '#444'));
out.push(`<text x="${LX + 18}" y="${LY}">H2</text>`);
out.push(marker('square', LX + 58, LY - 4, '#444'));
out.push(`<text x="${LX + 68}" y="${LY}">PostgreSQL</text>`);
if (series.some((x) => shapeOf(x.db) === 'triangle')) {
  LY += 20;
  out.push(marker('triangle', LX + 8, LY - 4, '#444'));
  out.push(`<text x="${LX + 18}" y="${LY}">other database</text>`);
}
out.push('</g>');

const notes = [`${runs.length} run${runs.length === 1 ? '' : 's'}`];
if (notOk) notes.push(`${notOk} run${notOk === 1 ? '' : 's'} with ok=false left out`);
if (runs.some((r, i) => runs.findIndex((q) => q.db === r.db && q.sessions === r.sessions && q.workers === r.workers) !== i)) {
  notes.push('repeated runs drawn at their median');
}
out.push(`<text x="${M.left}" y="${H - 12}" font-size="11" fill="#666">${esc(notes.join('; '))}</text>`);
out.push('</svg>');
fs.writeFileSync(output, out.join('\n') + '\n');
console.error(`bench-chart: ${series.length} series, ${runs.length} runs -> ${output}`);
