(function () {
'use strict';
// The data shown: one page's runs, or on a scenario page the selected scenario's (see show()).
let data = null, runs = [], fullEnd = 1, comparing = false;
const rootStyle = getComputedStyle(document.documentElement);
const cssVar = (n) => rootStyle.getPropertyValue(n).trim();
// What the Swift that writes the data defines, emitted into the page (HTMLReport+Contract.swift) rather
// than copied here: the wait reasons by raw value and the bits of a span's flags byte.
const CONTRACT = JSON.parse(document.getElementById('lanes-contract').textContent);
const WAITS = CONTRACT.waits, FLAG = CONTRACT.flags;
const C = {
  bg: cssVar('--bg'), text: cssVar('--text'), text2: cssVar('--text2'), grid: cssVar('--grid'),
  stripe: cssVar('--stripe'), group: cssVar('--group'), flow: cssVar('--flow'), counter: cssVar('--counter'),
  cpuRun: cssVar('--cpu-run'), cpuRq: cssVar('--cpu-rq'), cpuBlk: cssVar('--cpu-blk'),
};
const waitColor = WAITS.map((w) => cssVar('--wait-' + w));
// A row's first line is ROW_H tall and each deeper nesting level a LEVEL_H line under it, as in the PNG.
const ROW_H = 22, LEVEL_H = 16, STRIP_H = 6, GROUP_H = 20, RUN_H = 26, COUNTER_H = 34, RULER_H = 24, MARGIN = 14;
const FONT = '12px "DejaVu Sans", system-ui, sans-serif', SMALL = '11px "DejaVu Sans", system-ui, sans-serif';

// ---- Formatting -------------------------------------------------------------------------------

// Durations and ticks as the Swift formats them (LanesCore's formatDuration, LanesRender's TimeScale):
// tools/browser/html_check.py checks that both give the same text for the same input.
function fixed(x, digits) { const scale = Math.pow(10, digits); return (Math.round(x * scale) / scale).toFixed(digits); }
const pct = (x) => (100 * x).toFixed(1) + '%';
function formatDuration(ns) {
  const sign = ns < 0 ? '-' : '', v = Math.abs(ns);
  const sig = (x) => fixed(x, x >= 100 ? 0 : x >= 10 ? 1 : 2);
  if (v < 1e3) return sign + Math.round(v) + ' ns';
  if (v < 1e6) return sign + sig(v / 1e3) + ' µs';
  if (v < 1e9) return sign + sig(v / 1e6) + ' ms';
  return sign + sig(v / 1e9) + ' s';
}
function unitFor(step) {
  if (step >= 1e9) return [1e9, 's'];
  if (step >= 1e6) return [1e6, 'ms'];
  if (step >= 1e3) return [1e3, 'µs'];
  return [1, 'ns'];
}
// `rel` ns in `unit`, with as many decimals as the step needs (`0`, `2.5 ms`, `1 s`): TimeScale.format.
function tickLabel(rel, unit, name, step) {
  if (rel === 0) return '0';
  let decimals = 0;
  for (let s = step; s % unit !== 0 && decimals < 9; s *= 10) decimals++;
  const whole = Math.trunc(rel / unit);
  let text = (rel < 0 && whole === 0 ? '-' : '') + whole;
  if (decimals > 0) {
    let frac = Math.abs(rel) % unit, u = unit, digits = '';
    for (let i = 0; i < decimals; i++) { u = Math.floor(u / 10); digits += u === 0 ? 0 : Math.floor(frac / u); if (u > 0) frac %= u; }
    text += '.' + digits;
  }
  return text + ' ' + name;
}
function ticksEvery(t0, t1, ppn, step) {
  let [unit, name] = unitFor(Math.max(step, t1));
  while (step * 1000 < unit) [unit, name] = unitFor(unit / 1000);
  const out = [];
  for (let k = Math.ceil(t0 / step); ; k++) {
    const t = k * step;
    if (t > t1) break;
    out.push([t, tickLabel(t, unit, name, step)]);
    if (out.length > 200) break;
  }
  return out;
}
// Round ticks 1, 2 or 5 × 10ⁿ ns apart, at least minSpacing px apart and wide enough for labels
// `labelWidth(text)` px wide: TimeScale.ticks with the run's start as origin. [[t, label], …].
function ticks(t0, t1, width, minSpacing, labelWidth) {
  t1 = Math.max(t1, t0 + 1);
  const ppn = width / (t1 - t0);
  for (let p = 1; p < 4e17; p *= 10) {
    for (const step of [p, 2 * p, 5 * p]) {
      if (step * ppn < minSpacing) continue;
      const tk = ticksEvery(t0, t1, ppn, step);
      let widest = 0;
      for (const [, label] of tk) widest = Math.max(widest, labelWidth(label));
      if (tk.length <= 1 || step * ppn >= widest + minSpacing / 3) return tk;
    }
  }
  return ticksEvery(t0, t1, ppn, Math.max(1, t1 - t0));
}
function el(tag, attrs, text) {
  const e = document.createElement(tag);
  if (attrs) for (const k in attrs) e.setAttribute(k, attrs[k]);
  if (text !== undefined) e.textContent = text;
  return e;
}
function luminance(hex) {
  const v = parseInt(hex.slice(1), 16);
  return (0.2126 * (v >> 16) + 0.7152 * ((v >> 8) & 255) + 0.0722 * (v & 255)) / 255;
}

// ---- Decoding ---------------------------------------------------------------------------------

function bytes(b64) {
  const bin = atob(b64), n = bin.length, out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = bin.charCodeAt(i);
  return out;
}
function Reader(b) { this.b = b; this.p = 0; }
Reader.prototype.v = function () {
  const b = this.b;
  let c = b[this.p++];
  if (c < 128) return c;
  let x = c & 127, m = 128;
  do { c = b[this.p++]; x += (c & 127) * m; m *= 128; } while (c & 128);
  return x;
};
Reader.prototype.z = function () { const x = this.v(); return x % 2 ? -(x + 1) / 2 : x / 2; };

function decode(run) {
  const n = run.spanCount, r = new Reader(bytes(run.spans));
  const start = new Float64Array(n), end = new Float64Array(n), name = new Uint32Array(n);
  const lane = new Uint32Array(n), tid = new Float64Array(n), flags = new Uint8Array(n), row = new Uint32Array(n);
  const laneTid = run.lanes.map((l) => l.tid);
  run.rows.forEach((R, ri) => {
    let prev = 0;
    for (let k = R.first, e = R.first + R.count; k < e; k++) {
      prev += r.z(); start[k] = prev; end[k] = prev + r.v(); name[k] = r.v();
      const l = r.v(); lane[k] = l; tid[k] = laneTid[l] + r.z(); flags[k] = r.b[r.p++]; row[k] = ri;
    }
  });
  // Extras: CPU time, waits and attributes of the spans that have them.
  const x = new Reader(bytes(run.extra));
  const cpu = new Float64Array(n).fill(-1), waitFirst = new Int32Array(n).fill(-1), attrFirst = new Int32Array(n).fill(-1);
  const waitCount = new Uint16Array(n), attrCount = new Uint16Array(n);
  const wReason = [], wStart = [], wEnd = [], wObject = [], aKey = [], aValue = [];
  for (let k = 0; k < n; k++) {
    const f = flags[k];
    if ((f & ~FLAG.depth) === 0) continue;
    if (f & FLAG.cpuTime) cpu[k] = x.v();
    if (f & FLAG.waits) {
      const c = x.v(); waitFirst[k] = wReason.length; waitCount[k] = Math.min(c, 65535);
      for (let i = 0; i < c; i++) {
        wReason.push(x.b[x.p++]); const s = start[k] + x.z(); wStart.push(s); wEnd.push(s + x.v()); wObject.push(x.v() - 1);
      }
    }
    if (f & FLAG.attributes) {
      const c = x.v(); attrFirst[k] = aKey.length; attrCount[k] = Math.min(c, 65535);
      for (let i = 0; i < c; i++) { aKey.push(x.v()); aValue.push(x.v()); }
    }
  }
  const textColor = run.colors.map((c) => luminance(c) > 0.55 ? '#111111' : '#ffffff');
  return { n, start, end, name, lane, tid, flags, row, cpu, waitFirst, waitCount, wReason, wStart, wEnd, wObject,
    attrFirst, attrCount, aKey, aValue, textColor };
}


// ---- Wait patterns (pale tint with stripes, as in the PNG) ------------------------------------

function hatchTile(reason, size) {
  const c = document.createElement('canvas'); c.width = c.height = size;
  const g = c.getContext('2d');
  g.fillStyle = cssVar('--waitbg-' + reason); g.fillRect(0, 0, size, size);
  g.strokeStyle = cssVar('--wait-' + reason);
  const kind = cssVar('--hatch-' + reason);
  g.lineWidth = kind === 'cross' ? 1 : 1.5;
  const line = (x0, y0, x1, y1) => { g.beginPath(); g.moveTo(x0, y0); g.lineTo(x1, y1); g.stroke(); };
  for (let o = -size; o <= size; o += size) {
    if (kind !== 'falling') line(o, size, o + size, 0);
    if (kind !== 'rising') line(o, 0, o + size, size);
  }
  return c;
}

// ---- Layout: lines of the canvas (run headers, process groups, rows, counters) ----------------

const canvas = document.getElementById('chart'), ctx = canvas.getContext('2d');
const tooltip = document.getElementById('tooltip'), pinned = document.getElementById('pinned');
const patterns = {};
WAITS.forEach((w) => { if (w) patterns[w] = ctx.createPattern(hatchTile(w, 6), 'repeat'); });
let collapsed = [];
// The canvas is as tall as the view (at most 78% of the window); taller content scrolls under it,
// so any number of rows stays within the browser's canvas limits and only visible rows are drawn.
const scroller = document.getElementById('timeline'), spacer = document.getElementById('spacer');
let lines = [], width = 800, height = 100, contentH = 100, scrollY = 0, plotX = 140, plotW = 600, labelW = 120;
let rowY = [];

function layout() {
  lines = []; rowY = runs.map(() => []);
  let y = RULER_H + 2;
  runs.forEach((run, ri) => {
    if (comparing) { lines.push({ kind: 'run', run: ri, y, h: RUN_H }); y += RUN_H; }
    let group = -1;
    run.rows.forEach((R, r) => {
      if (R.group !== group) {
        group = R.group;
        lines.push({ kind: 'group', run: ri, group, y, h: GROUP_H }); y += GROUP_H;
      }
      if (collapsed[ri].has(R.group)) return;
      const levels = Math.max(1, R.levels || 1), content = ROW_H + (levels - 1) * LEVEL_H;
      const h = content + (R.cpu ? STRIP_H + 2 : 0);
      lines.push({ kind: 'row', run: ri, row: r, y, h, levels, content, stripe: r % 2 === 1 }); rowY[ri][r] = y; y += h;
    });
    run.counters.forEach((c, ci) => { lines.push({ kind: 'counter', run: ri, counter: ci, y, h: COUNTER_H }); y += COUNTER_H; });
    y += comparing ? 10 : 4;
  });
  contentH = y;
  height = Math.min(contentH, Math.max(200, Math.floor(window.innerHeight * 0.78)));
  spacer.style.height = (contentH - height) + 'px';
  canvas.style.height = height + 'px';
  width = Math.max(320, scroller.clientWidth);
  scrollY = Math.min(scroller.scrollTop, contentH - height);
  const dpr = window.devicePixelRatio || 1;
  canvas.width = Math.round(width * dpr); canvas.height = Math.round(height * dpr);
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  ctx.font = FONT;
  let widest = 80;
  for (const run of runs) for (const R of run.rows) widest = Math.max(widest, ctx.measureText(R.label).width + 24);
  labelW = Math.min(widest, Math.max(120, width * 0.22));
  plotX = Math.round(MARGIN + labelW); plotW = Math.max(10, width - MARGIN - plotX);
}

// ---- View ---------------------------------------------------------------------------------------

let t0 = 0, t1 = fullEnd;
let search = null, searchSets = [];
let selected = null, measure = null, drawCount = 0, firstPaint = null, sawDense = false, flowsDrawn = 0, pinnedHeading = null;
const xOf = (t) => plotX + (t - t0) * plotW / (t1 - t0);
const tOf = (x) => t0 + (x - plotX) * (t1 - t0) / plotW;
function setView(a, b) {
  const minSpan = 50, span = Math.max(minSpan, Math.min(b - a, fullEnd * 1.5));
  if (b - a !== span) { const mid = (a + b) / 2; a = mid - span / 2; b = mid + span / 2; }
  const lo = -fullEnd * 0.25, hi = fullEnd * 1.25;
  if (a < lo) { b += lo - a; a = lo; }
  if (b > hi) { a -= b - hi; b = hi; }
  t0 = a; t1 = b; schedule();
}
function zoom(factor, atX) {
  const tc = tOf(atX === undefined ? plotX + plotW / 2 : atX);
  setView(tc - (tc - t0) * factor, tc + (t1 - tc) * factor);
}
function pan(fraction) { const d = (t1 - t0) * fraction; setView(t0 + d, t1 + d); }
let pending = false;
function schedule() { if (!pending) { pending = true; requestAnimationFrame(() => { pending = false; draw(); }); } }

// ---- Drawing ------------------------------------------------------------------------------------

// The band [top, height] of nesting level `depth` in a row whose top is y: the first level fills the
// row's first line, each deeper level is a line of its own below it (Builder.band in Layout+Panel.swift).
function band(y, depth) {
  if (depth === 0) { const top = Math.round(y + 2); return [top, Math.max(2, Math.round(y + ROW_H - 2) - top)]; }
  return [Math.round(y + ROW_H + (depth - 1) * LEVEL_H), Math.max(2, LEVEL_H - 2)];
}
const levelOf = (d, k) => d.flags[k] & FLAG.depth;
function fitText(text, maxWidth) {
  if (ctx.measureText(text).width <= maxWidth) return text;
  let lo = 0, hi = text.length;
  while (lo < hi) { const mid = (lo + hi + 1) >> 1; if (ctx.measureText(text.slice(0, mid) + '…').width <= maxWidth) lo = mid; else hi = mid - 1; }
  return lo > 0 ? text.slice(0, lo) + '…' : '';
}
// First span of row R that may reach t: starts are sorted within a row, and no span is longer than maxDuration.
function firstCandidate(run, R, t) {
  const s = run.d.start;
  let lo = R.first, hi = R.first + R.count;
  const target = t - R.maxDuration;
  while (lo < hi) { const mid = (lo + hi) >> 1; if (s[mid] < target) lo = mid + 1; else hi = mid; }
  return lo;
}

let colBusy = new Float32Array(0), colWait = new Float32Array(0), colName = new Int32Array(0);
let colNameW = new Float32Array(0), colReason = new Int8Array(0), colMatch = new Uint8Array(0);
function columns(n) {
  if (colBusy.length < n) {
    colBusy = new Float32Array(n); colWait = new Float32Array(n); colName = new Int32Array(n);
    colNameW = new Float32Array(n); colReason = new Int8Array(n); colMatch = new Uint8Array(n);
  }
  colBusy.fill(0, 0, n); colWait.fill(0, 0, n); colName.fill(-1, 0, n); colNameW.fill(0, 0, n);
  colReason.fill(-1, 0, n); colMatch.fill(0, 0, n);
}

function drawRow(ri, line) {
  const run = runs[ri], d = run.d, R = run.rows[line.row], y = line.y;
  if (line.stripe) { ctx.fillStyle = C.stripe; ctx.fillRect(MARGIN, y, width - 2 * MARGIN, line.h); }
  ctx.font = FONT; ctx.fillStyle = C.text; ctx.textBaseline = 'middle';
  ctx.fillText(fitText(R.label, labelW - 16), MARGIN + 8, y + ROW_H / 2);
  if (R.count === 0) return;
  ctx.save(); ctx.beginPath(); ctx.rect(plotX, y, plotW, line.h); ctx.clip();
  const ppn = plotW / (t1 - t0), cols = Math.ceil(plotW) + 1;
  const match = searchSets[ri];
  const labels = [], wide = [];
  // One pass over the row's spans in view: a bar for each wide one on its level's line; the narrow
  // ones summed into pixel columns per level (level L's columns at L × cols), drawn after the pass.
  // Levels are lines of their own, so the order between them does not matter.
  const levels = line.levels, bands = [], dense = [];
  for (let depth = 0; depth < levels; depth++) { bands.push(band(y, depth)); dense.push(false); }
  columns(cols * levels);
  const e = R.first + R.count;
  for (let k = firstCandidate(run, R, t0); k < e; k++) {
    const s = d.start[k];
    if (s > t1) break;
    if (d.end[k] < t0) continue;
    const depth = Math.min(levelOf(d, k), levels - 1), [by, bh] = bands[depth];
    const a = Math.max(s, t0), b = Math.min(d.end[k], t1);
    const x0 = (a - t0) * ppn, x1 = (b - t0) * ppn;
    const nm = d.name[k], dim = match !== null && !match[nm];
    if (x1 - x0 >= 3) {
      ctx.globalAlpha = dim ? 0.22 : 1;
      ctx.fillStyle = run.colors[nm]; ctx.fillRect(plotX + x0, by, x1 - x0, bh);
      if (x1 - x0 >= 6) { ctx.fillStyle = 'rgba(0,0,0,0.35)'; ctx.fillRect(plotX + x0, by, 1, bh); }
      const wf = d.waitFirst[k];
      if (wf >= 0) {
        for (let w = wf, we = wf + d.waitCount[k]; w < we; w++) {
          const wa = Math.max(d.wStart[w], t0), wb = Math.min(d.wEnd[w], t1);
          if (wb <= wa) continue;
          ctx.fillStyle = patterns[WAITS[d.wReason[w]] || 'other'];
          ctx.fillRect(plotX + (wa - t0) * ppn, by, Math.max(1, (wb - wa) * ppn), bh);
        }
      }
      wide.push([x0, x1, depth, k]);
      if (x1 - x0 >= 40 && bh >= 11) labels.push([k, x0, x1, by, bh]);
      continue;
    }
    // Too narrow to see alone: add to the pixel columns it covers, as the PNG does.
    dense[depth] = true; sawDense = true;
    let waitShare = 0, reason = -1;
    if (d.waitFirst[k] >= 0 && d.end[k] > s) {
      let blocked = 0, longest = -1;
      for (let w = d.waitFirst[k], we = w + d.waitCount[k]; w < we; w++) {
        const len = d.wEnd[w] - d.wStart[w]; blocked += len;
        if (len > longest) { longest = len; reason = d.wReason[w]; }
      }
      waitShare = Math.min(1, blocked / (d.end[k] - s));
    }
    const base = depth * cols, c0 = Math.max(0, Math.floor(x0)), c1 = Math.min(cols - 1, Math.floor(x1));
    for (let c = c0; c <= c1; c++) {
      const cover = Math.max(0, Math.min(x1, c + 1) - Math.max(x0, c)), i = base + c;
      colBusy[i] += cover;
      if (cover >= colNameW[i]) { colNameW[i] = cover; colName[i] = nm; }
      if (waitShare > 0) { colWait[i] += cover * waitShare; colReason[i] = reason; }
      if (!dim) colMatch[i] = 1;
    }
  }
  ctx.globalAlpha = 1;
  for (let depth = 0; depth < levels; depth++) {
    if (!dense[depth]) continue;
    const [by, bh] = bands[depth], bottom = by + bh, base = depth * cols;
    for (let c = 0; c < cols; c++) {
      const i = base + c;
      if (colName[i] < 0) continue;
      const busy = Math.min(1, colBusy[i]);
      const h = Math.max(1, Math.round(busy * bh));
      const wh = colWait[i] > 0 ? Math.min(h - 1, Math.max(1, Math.round(Math.min(colWait[i], busy) * bh))) : 0;
      ctx.globalAlpha = colMatch[i] ? 1 : 0.22;
      ctx.fillStyle = run.colors[colName[i]]; ctx.fillRect(plotX + c, bottom - h + wh, 1, h - wh);
      if (wh > 0) { ctx.fillStyle = waitColor[colReason[i]] || waitColor[14]; ctx.fillRect(plotX + c, bottom - h, 1, wh); }
    }
  }
  ctx.globalAlpha = 1;
  // Names go in the widest stretch of their bar that no wait of the span (other than one covering
  // all of it) and no other bar on its line covers, as in the PNG (deeper levels are lines of their own).
  ctx.font = SMALL; ctx.textBaseline = 'middle';
  for (const [k, x0, x1, by, bh] of labels) {
    const depth = levelOf(d, k), obstacles = [];
    for (const [b0, b1, bd, bk] of wide) if (bd === depth && bk !== k && b1 > x0 && b0 < x1 && b1 <= x1) obstacles.push([b0, b1]);
    if (d.waitFirst[k] >= 0) {
      for (let w = d.waitFirst[k], we = w + d.waitCount[k]; w < we; w++) {
        const w0 = (Math.max(d.wStart[w], t0) - t0) * ppn, w1 = (Math.min(d.wEnd[w], t1) - t0) * ppn;
        if (w1 > w0 && !(w0 <= x0 + 0.5 && w1 >= x1 - 0.5)) obstacles.push([w0, w1]);
      }
    }
    obstacles.sort((a, b) => a[0] - b[0]);
    let best0 = x0, best1 = x0, cursor = x0;
    for (const [o0, o1] of obstacles) {
      if (o0 > cursor && o0 - cursor > best1 - best0) { best0 = cursor; best1 = Math.min(o0, x1); }
      cursor = Math.max(cursor, o1);
    }
    if (x1 - cursor > best1 - best0) { best0 = cursor; best1 = x1; }
    if (best1 - best0 < 32) continue;
    const text = fitText(run.names[d.name[k]], best1 - best0 - 8);
    if (text.length < 2 || text === '…') continue;
    ctx.save(); ctx.beginPath(); ctx.rect(plotX + best0, by, best1 - best0, bh); ctx.clip();
    ctx.fillStyle = d.textColor[d.name[k]]; ctx.fillText(text, plotX + best0 + 4, by + bh / 2);
    ctx.restore();
  }
  if (R.cpu) drawCPU(R.cpu, y + line.content);
  if (selected && selected.run === ri && d.row[selected.k] === line.row) {
    const k = selected.k, [by, bh] = band(y, levelOf(d, k));
    ctx.strokeStyle = C.text; ctx.lineWidth = 2;
    ctx.strokeRect(xOf(Math.max(d.start[k], t0)) - 1, by - 1, Math.max(2, (Math.min(d.end[k], t1) - Math.max(d.start[k], t0)) * ppn) + 2, bh + 2);
  }
  ctx.restore();
}

function drawCPU(samples, top) {
  for (let i = 4; i < samples.length; i += 4) {
    const a = samples[i - 4], b = samples[i];
    if (b <= a || b < t0 || a > t1) continue;
    const run = samples[i + 1], rq = samples[i + 2], blk = samples[i + 3];
    const total = Math.max(run + rq + blk, b - a);
    const x0 = xOf(Math.max(a, t0)), x1 = xOf(Math.min(b, t1));
    const running = Math.min(1, run / total), queue = Math.min(1 - running, rq / total);
    let y = top + STRIP_H;
    for (const [share, color] of [[running, C.cpuRun], [queue, C.cpuRq], [Math.max(0, 1 - running - queue), C.cpuBlk]]) {
      if (share <= 0) continue;
      ctx.fillStyle = color; ctx.fillRect(x0, y - share * STRIP_H, Math.max(1, x1 - x0), share * STRIP_H); y -= share * STRIP_H;
    }
  }
}

function drawCounter(ri, line) {
  const c = runs[ri].counters[line.counter], y = line.y + 4, h = COUNTER_H - 8;
  ctx.font = SMALL; ctx.fillStyle = C.text; ctx.textBaseline = 'middle';
  ctx.fillText(fitText(c.name, labelW - 16), MARGIN + 8, y + h / 2);
  let max = 0; for (const v of c.v) max = Math.max(max, v);
  ctx.fillStyle = C.text2; ctx.textAlign = 'right';
  ctx.fillText('max ' + (Number.isInteger(max) ? max : max.toFixed(2)), plotX + plotW - 4, y + 6); ctx.textAlign = 'left';
  ctx.strokeStyle = C.grid; ctx.beginPath(); ctx.moveTo(plotX, y + h + 0.5); ctx.lineTo(plotX + plotW, y + h + 0.5); ctx.stroke();
  if (max <= 0) return;
  ctx.save(); ctx.beginPath(); ctx.rect(plotX, y, plotW, h + 1); ctx.clip();
  ctx.globalAlpha = 0.55; ctx.fillStyle = C.counter; ctx.beginPath(); ctx.moveTo(xOf(c.t[0]), y + h);
  const endT = runs[ri].end;
  for (let i = 0; i < c.t.length; i++) {
    const yv = y + h - Math.max(0, c.v[i]) / max * h, xa = xOf(c.t[i]), xb = xOf(i + 1 < c.t.length ? c.t[i + 1] : endT);
    ctx.lineTo(xa, yv); ctx.lineTo(xb, yv);
  }
  ctx.lineTo(xOf(endT), y + h); ctx.closePath(); ctx.fill(); ctx.globalAlpha = 1;
  ctx.strokeStyle = C.counter; ctx.lineWidth = 1; ctx.beginPath();
  for (let i = 0; i < c.t.length; i++) {
    const yv = Math.round(y + h - Math.max(0, c.v[i]) / max * h) + 0.5, xa = xOf(c.t[i]), xb = xOf(i + 1 < c.t.length ? c.t[i + 1] : endT);
    if (i === 0) ctx.moveTo(xa, yv); else ctx.lineTo(xa, yv);
    ctx.lineTo(xb, yv);
  }
  ctx.stroke(); ctx.restore();
}

function drawFlows() {
  flowsDrawn = 0;
  if (!selected) return;
  const run = runs[selected.run], d = run.d, f = run.flows;
  ctx.save(); ctx.beginPath(); ctx.rect(plotX, scrollY + RULER_H, plotW, height); ctx.clip();
  ctx.strokeStyle = C.flow; ctx.fillStyle = C.flow; ctx.lineWidth = 1.5;
  for (let i = 0; i < f.length; i += 4) {
    const a = f[i], b = f[i + 1];
    if (a !== selected.k && b !== selected.k) continue;
    const ya = rowY[selected.run][d.row[a]], yb = rowY[selected.run][d.row[b]];
    if (ya === undefined || yb === undefined) continue;
    const [ay, ah] = band(ya, levelOf(d, a)), [by2, bh] = band(yb, levelOf(d, b));
    const x0 = xOf(f[i + 2]), y0 = ay + ah / 2, x1 = xOf(f[i + 3]), y1 = by2 + bh / 2;
    ctx.beginPath(); ctx.moveTo(x0, y0); ctx.lineTo(x1, y1); ctx.stroke(); flowsDrawn++;
    const ang = Math.atan2(y1 - y0, x1 - x0);
    ctx.beginPath(); ctx.moveTo(x1, y1);
    ctx.lineTo(x1 - 7 * Math.cos(ang - 0.4), y1 - 7 * Math.sin(ang - 0.4));
    ctx.lineTo(x1 - 7 * Math.cos(ang + 0.4), y1 - 7 * Math.sin(ang + 0.4)); ctx.fill();
  }
  ctx.restore();
}

function drawGroup(line, y) {
  const run = runs[line.run];
  ctx.fillStyle = C.group; ctx.fillRect(MARGIN, y, width - 2 * MARGIN, line.h);
  ctx.font = 'bold ' + FONT; ctx.fillStyle = C.text; ctx.textBaseline = 'middle';
  const mark = collapsed[line.run].has(line.group) ? '▸ ' : '▾ ';
  ctx.fillText(fitText(mark + run.groups[line.group], width - 2 * MARGIN - 12), MARGIN + 6, y + line.h / 2);
}

function draw() {
  ctx.setTransform(window.devicePixelRatio || 1, 0, 0, window.devicePixelRatio || 1, 0, 0);
  ctx.fillStyle = C.bg; ctx.fillRect(0, 0, width, height);
  ctx.font = SMALL;
  const tk = ticks(t0, t1, plotW, 80, (text) => ctx.measureText(text).width);
  for (const [t] of tk) {
    const x = Math.floor(xOf(t)) + 0.5;
    ctx.strokeStyle = C.grid; ctx.beginPath(); ctx.moveTo(x, RULER_H); ctx.lineTo(x, height); ctx.stroke();
  }
  // Lines in content coordinates, shifted by the scroll offset; only those in view are drawn.
  ctx.save(); ctx.translate(0, -scrollY);
  let heading = null;  // the process heading of the first row in view
  for (const line of lines) {
    if (line.kind === 'group' && line.y < scrollY + RULER_H) heading = line;
    if (line.y + line.h < scrollY + RULER_H || line.y > scrollY + height) continue;
    if (line.kind === 'row') drawRow(line.run, line);
    else if (line.kind === 'counter') drawCounter(line.run, line);
    else if (line.kind === 'group') drawGroup(line, line.y);
    else if (line.kind === 'run') {
      const run = runs[line.run], row = data.comparison.rows[line.run];
      ctx.fillStyle = C.bg; ctx.fillRect(0, line.y, width, line.h);
      ctx.font = 'bold 13px "DejaVu Sans", system-ui, sans-serif'; ctx.fillStyle = C.text; ctx.textBaseline = 'middle';
      const title = run.name || row.label;
      ctx.fillText(title, MARGIN, line.y + line.h / 2);
      const titleW = ctx.measureText(title).width;
      const info = 'wall ' + formatDuration(row.wall) + ' · ' +
        (line.run === data.comparison.baseline ? 'baseline' : row.speedup.toFixed(2) + '× speedup') +
        ' · ' + run.spanCount + ' spans';
      ctx.font = FONT; ctx.fillStyle = C.text2; ctx.fillText(info, MARGIN + titleW + 24, line.y + line.h / 2);
    }
  }
  drawFlows();
  ctx.restore();
  // A process heading scrolled out of view stays pinned under the ruler.
  pinnedHeading = heading && heading.y < scrollY + RULER_H ? heading : null;
  if (pinnedHeading) drawGroup(pinnedHeading, RULER_H);
  // The ruler over the top of the view, with marks as small ticks under it.
  ctx.fillStyle = C.bg; ctx.fillRect(0, 0, width, RULER_H);
  ctx.font = SMALL; ctx.textBaseline = 'alphabetic';
  for (const [t, label] of tk) {
    const x = Math.floor(xOf(t)) + 0.5, w = ctx.measureText(label).width;
    ctx.textAlign = x - w / 2 < plotX ? 'left' : x + w / 2 > plotX + plotW ? 'right' : 'center';
    ctx.fillStyle = C.text2; ctx.fillText(label, x, RULER_H - 8);
  }
  ctx.textAlign = 'left';
  ctx.strokeStyle = C.text2; ctx.beginPath(); ctx.moveTo(plotX, RULER_H + 0.5); ctx.lineTo(plotX + plotW, RULER_H + 0.5); ctx.stroke();
  ctx.fillStyle = C.text2;
  for (const run of runs) for (const m of run.marks) {
    if (m.t < t0 || m.t > t1) continue;
    const x = xOf(m.t); ctx.beginPath(); ctx.moveTo(x, RULER_H); ctx.lineTo(x - 3, RULER_H - 5); ctx.lineTo(x + 3, RULER_H - 5); ctx.fill();
  }
  if (measure) {
    const a = Math.min(measure.a, measure.b), b = Math.max(measure.a, measure.b);
    const xa = Math.max(plotX, xOf(a)), xb = Math.min(plotX + plotW, xOf(b));
    ctx.fillStyle = 'rgba(68,119,170,0.18)'; ctx.fillRect(xa, RULER_H, xb - xa, height - RULER_H);
    ctx.strokeStyle = C.counter; ctx.strokeRect(xa + 0.5, RULER_H + 0.5, xb - xa, height - RULER_H - 1);
    const text = formatDuration(b - a);
    ctx.font = 'bold ' + FONT; const w = ctx.measureText(text).width + 10;
    ctx.fillStyle = C.bg; ctx.fillRect((xa + xb) / 2 - w / 2, RULER_H + 2, w, 18);
    ctx.fillStyle = C.text; ctx.textAlign = 'center'; ctx.textBaseline = 'middle';
    ctx.fillText(text, (xa + xb) / 2, RULER_H + 11); ctx.textAlign = 'left';
  }
  document.getElementById('range').textContent =
    formatDuration(t0) + ' – ' + formatDuration(t1) + ' (' + formatDuration(t1 - t0) + ')';
  drawCount++;
  if (firstPaint === null) requestAnimationFrame(() => { if (firstPaint === null) firstPaint = performance.now(); });
}

// ---- Hit testing, tooltip, pin ------------------------------------------------------------------

// y in view coordinates; lines are found in content coordinates.
function lineAt(y) {
  if (y < RULER_H) return null;
  if (pinnedHeading && y < RULER_H + GROUP_H) return pinnedHeading;
  y += scrollY;
  for (const l of lines) if (y >= l.y && y < l.y + l.h) return l;
  return null;
}
function spanAt(x, viewY) {
  const line = lineAt(viewY), y = viewY + scrollY;
  if (!line || line.kind !== 'row' || x < plotX || x > plotX + plotW) return null;
  const run = runs[line.run], d = run.d, R = run.rows[line.row];
  const t = tOf(x), slack = 2 * (t1 - t0) / plotW;
  let best = -1, bestScore = Infinity;
  for (let k = firstCandidate(run, R, t - slack), e = R.first + R.count; k < e && d.start[k] <= t + slack; k++) {
    if (d.end[k] < t - slack) continue;
    const depth = levelOf(d, k), [by, bh] = band(line.y, depth);
    const inside = d.start[k] <= t && t <= d.end[k];
    // Prefer the span under the pointer in its band, then the deepest, then the shortest.
    const score = (inside ? 0 : 4) + (y >= by && y < by + bh ? 0 : 2) - depth * 0.5 + (d.end[k] - d.start[k]) / (fullEnd * 4 + 1);
    if (score < bestScore) { bestScore = score; best = k; }
  }
  return best < 0 ? null : { run: line.run, k: best, t };
}
// The CPU state of the row between the samples around t: shares running, in the run queue, blocked.
function cpuStateAt(samples, t) {
  for (let i = 4; i < samples.length; i += 4) {
    if (samples[i] < t) continue;
    const a = samples[i - 4], b = samples[i];
    if (b <= a || t < a) return null;
    const total = Math.max(samples[i + 1] + samples[i + 2] + samples[i + 3], b - a);
    const run = samples[i + 1] / total, rq = samples[i + 2] / total;
    return 'running ' + pct(run) + ' · run queue ' + pct(rq) + ' · blocked ' + pct(Math.max(0, 1 - run - rq));
  }
  return null;
}
// The name of thread `tid` of lane's process where a thread lane of the trace names it, else null.
function threadName(run, lane, tid) {
  if (!run.threadNames) {
    run.threadNames = new Map();
    for (const l of run.lanes) if (l.kind === 'thread' && !run.threadNames.has(l.pid + ':' + l.tid)) run.threadNames.set(l.pid + ':' + l.tid, l.label);
  }
  // A named thread's label is `name · tid` (RowPlan.label); an unnamed one's `thread tid`.
  let name = run.threadNames.get(lane.pid + ':' + tid);
  if (name && name.endsWith(' · ' + tid)) name = name.slice(0, -(' · ' + tid).length);
  return name && name !== 'thread ' + tid ? name : null;
}
// Thread `tid` as the hover names it: `worker-2 (tid 4242)`, or `tid 4242` when the trace names no such thread.
function threadText(run, lane, tid) {
  const name = threadName(run, lane, tid);
  return name ? name + ' (tid ' + tid + ')' : 'tid ' + tid;
}
function describe(target, into) {
  const run = runs[target.run], d = run.d, k = target.k;
  into.textContent = '';
  into.appendChild(el('b', null, run.names[d.name[k]]));
  const lane = run.lanes[d.lane[k]];
  const add = (key, value) => { const line = el('div'); line.appendChild(el('span', { class: 'k' }, key + ': ')); line.appendChild(document.createTextNode(value)); into.appendChild(line); };
  if (comparing) add('run', run.name);
  add('lane', lane.label + ' (' + lane.kind + ')');
  // A task's slice names the OS thread it ran on: the thread lane's name where the trace has one.
  add(lane.kind === 'task' ? 'ran on thread' : 'thread', threadText(run, lane, d.tid[k]));
  add('start', formatDuration(d.start[k]));
  add('duration', formatDuration(d.end[k] - d.start[k]));
  if (d.cpu[k] >= 0) add('CPU', formatDuration(d.cpu[k]) + ' (' + Math.round(100 * d.cpu[k] / Math.max(1, d.end[k] - d.start[k])) + '%)');
  const samples = run.rows[d.row[k]].cpu;
  const state = samples && target.t !== undefined ? cpuStateAt(samples, target.t) : null;
  if (state) add('CPU state here', state);
  if (d.waitFirst[k] >= 0) {
    const by = new Map();
    for (let w = d.waitFirst[k], we = w + d.waitCount[k]; w < we; w++) {
      const reason = WAITS[d.wReason[w]] || 'other', cur = by.get(reason) || { time: 0, count: 0, objects: new Set() };
      cur.time += d.wEnd[w] - d.wStart[w]; cur.count++;
      if (d.wObject[w] >= 0) cur.objects.add(run.strings[d.wObject[w]]);
      by.set(reason, cur);
    }
    for (const [reason, v] of by) {
      add('wait ' + reason, formatDuration(v.time) + (v.count > 1 ? ' in ' + v.count : '') + (v.objects.size ? ' on ' + [...v.objects].join(', ') : ''));
    }
  }
  if (d.attrFirst[k] >= 0) {
    for (let a = d.attrFirst[k], ae = a + d.attrCount[k]; a < ae; a++) add(run.strings[d.aKey[a]], run.strings[d.aValue[a]]);
  }
}
function showTooltip(hit, cx, cy) {
  if (!hit) { tooltip.hidden = true; return; }
  describe(hit, tooltip);
  tooltip.hidden = false;
  const box = scroller.getBoundingClientRect();
  let left = cx + 14, top = cy + 14;
  if (left + tooltip.offsetWidth > box.width) left = Math.max(0, cx - tooltip.offsetWidth - 10);
  if (top + tooltip.offsetHeight > box.height) top = Math.max(0, cy - tooltip.offsetHeight - 10);
  tooltip.style.left = left + 'px'; tooltip.style.top = top + 'px';
}
function pin(hit) {
  selected = hit;
  if (!hit) { pinned.hidden = true; schedule(); return; }
  describe(hit, pinned);
  const close = el('button', { type: 'button' }, 'Unpin');
  close.addEventListener('click', () => pin(null));
  pinned.insertBefore(close, pinned.firstChild);
  pinned.hidden = false; schedule();
}

// ---- Input --------------------------------------------------------------------------------------

function local(e) { const r = canvas.getBoundingClientRect(); return [e.clientX - r.left, e.clientY - r.top]; }
canvas.addEventListener('wheel', (e) => {
  e.preventDefault();
  const [x] = local(e), unit = e.deltaMode === 1 ? 40 : e.deltaMode === 2 ? 400 : 1;
  if (Math.abs(e.deltaX) > Math.abs(e.deltaY)) pan(e.deltaX * unit / plotW);
  else zoom(Math.exp(e.deltaY * unit * 0.002), Math.min(Math.max(x, plotX), plotX + plotW));
}, { passive: false });
let drag = null;
canvas.addEventListener('mousedown', (e) => {
  if (e.button !== 0) return;
  const [x, y] = local(e);
  drag = { x, y, t0, t1, moved: false, measuring: e.shiftKey && x >= plotX };
  if (drag.measuring) measure = { a: tOf(x), b: tOf(x) };
  e.preventDefault(); canvas.focus();
});
window.addEventListener('mousemove', (e) => {
  const [x, y] = local(e);
  if (drag) {
    if (Math.abs(x - drag.x) > 3 || Math.abs(y - drag.y) > 3) drag.moved = true;
    if (drag.measuring) { measure.b = tOf(x); schedule(); }
    else if (drag.moved) { const dt = (x - drag.x) * (drag.t1 - drag.t0) / plotW; setView(drag.t0 - dt, drag.t1 - dt); }
    tooltip.hidden = true;
    return;
  }
  if (e.target !== canvas) { tooltip.hidden = true; return; }
  showTooltip(spanAt(x, y), x, y);
});
window.addEventListener('mouseup', (e) => {
  if (!drag) return;
  const d = drag; drag = null;
  if (d.moved) return;
  if (d.measuring) { measure = null; schedule(); return; }
  const [x, y] = local(e), line = lineAt(y);
  if (line && line.kind === 'group') {
    const set = collapsed[line.run];
    if (set.has(line.group)) set.delete(line.group); else set.add(line.group);
    layout(); schedule(); return;
  }
  pin(spanAt(x, y));
});
canvas.addEventListener('mouseleave', () => { tooltip.hidden = true; });
document.addEventListener('keydown', (e) => {
  if (e.target && (e.target.tagName === 'INPUT' || e.target.tagName === 'TEXTAREA') || e.ctrlKey || e.metaKey || e.altKey) return;
  const keys = { '+': () => zoom(0.5), '=': () => zoom(0.5), 'w': () => zoom(0.5), '-': () => zoom(2), 's': () => zoom(2),
    'ArrowLeft': () => pan(-0.2), 'a': () => pan(-0.2), 'ArrowRight': () => pan(0.2), 'd': () => pan(0.2),
    '0': () => setView(0, fullEnd), 'Escape': () => { measure = null; pin(null); },
    'PageDown': () => { scroller.scrollTop += height - RULER_H - ROW_H; }, 'PageUp': () => { scroller.scrollTop -= height - RULER_H - ROW_H; } };
  const f = keys[e.key];
  if (f) { f(); e.preventDefault(); }
});
document.getElementById('zoom-in').addEventListener('click', () => zoom(0.5));
document.getElementById('zoom-out').addEventListener('click', () => zoom(2));
document.getElementById('zoom-reset').addEventListener('click', () => setView(0, fullEnd));
const searchBox = document.getElementById('search'), matchCount = document.getElementById('match-count');
function applySearch() { computeSearch(); schedule(); }
function computeSearch() {
  const q = searchBox.value.trim().toLowerCase();
  search = q || null;
  let total = 0;
  searchSets = runs.map((run) => {
    if (!search) return null;
    const set = new Uint8Array(run.names.length);
    run.names.forEach((n, i) => { if (n.toLowerCase().includes(search)) set[i] = 1; });
    const names = run.d.name;
    for (let k = 0; k < run.d.n; k++) total += set[names[k]];
    return set;
  });
  matchCount.textContent = search ? total + ' matching span' + (total === 1 ? '' : 's') : '';
  matchCount.dataset.count = search ? String(total) : '';
}
searchBox.addEventListener('input', applySearch);
window.addEventListener('resize', () => { layout(); schedule(); });
scroller.addEventListener('scroll', () => { scrollY = Math.min(scroller.scrollTop, contentH - height); tooltip.hidden = true; schedule(); });

// ---- Panels -------------------------------------------------------------------------------------

function table(head, rows) {
  const t = el('table'), tr = el('tr');
  head.forEach((h) => tr.appendChild(el('th', null, h)));
  t.appendChild(tr);
  for (const r of rows) { const row = el('tr'); r.forEach((c) => row.appendChild(el('td', null, String(c)))); t.appendChild(row); }
  return t;
}
function perRun(id, fill) {
  const box = document.getElementById(id);
  if (!box) return;
  box.textContent = '';
  runs.forEach((run) => {
    const part = el('div', { class: 'per-run' });
    if (comparing) part.appendChild(el('h3', null, run.name));
    fill(part, run); box.appendChild(part);
  });
}
const statHead = ['', 'count', 'total', 'mean', 'p50', 'p90', 'p99', 'max'];
const statRow = (r) => [r[0], r[1], ...r.slice(2).map(formatDuration)];
// The panels under the timeline, refilled for each data set.
function panels() {
  perRun('summary', (box, run) => box.appendChild(table(['', ''], run.summary)));
  perRun('findings', (box, run) => {
    if (run.findings.length === 0) { box.appendChild(el('p', { class: 'empty' }, 'No findings: the analysis found no pitfall to point out.')); return; }
    for (const f of run.findings) {
      const div = el('div', { class: 'finding ' + f.severity });
      div.appendChild(el('b', null, f.severity + ': ' + f.title));
      div.appendChild(el('div', null, f.evidence));
      div.appendChild(el('div', { class: 'k' }, f.lesson));
      box.appendChild(div);
    }
  });
  perRun('blocked', (box, run) => {
    if (run.blocked.length === 0) { box.appendChild(el('p', { class: 'empty' }, 'No waits recorded.')); return; }
    box.appendChild(table(['reason', 'time', 'share of busy time'], run.blocked.map((b) => [b.reason, formatDuration(b.time), pct(b.share)])));
  });
  perRun('stats-lane', (box, run) => box.appendChild(table(statHead, run.byRow.filter((r) => r[1] > 0).map(statRow))));
  perRun('stats-name', (box, run) => {
    box.appendChild(table(statHead, run.byName.map(statRow)));
    if (run.byNameOmitted > 0) box.appendChild(el('p', { class: 'empty' }, '+ ' + run.byNameOmitted + ' more names with less time'));
  });
  const comparisonBox = document.getElementById('comparison');
  if (comparing && comparisonBox) {
    comparisonBox.textContent = '';
    const rows = data.comparison.rows.map((r, i) => [r.label, formatDuration(r.wall),
      i === data.comparison.baseline ? 'baseline' : r.speedup.toFixed(2) + '×', r.efficiency > 0 ? r.efficiency.toFixed(2) : '–',
      r.cpu >= 0 ? pct(r.cpu) : '–', r.parallelism.toFixed(2), pct(r.blocked) + (r.top ? ' (' + r.top + ')' : ''), r.spans]);
    if (rows.length === 0) comparisonBox.appendChild(el('p', { class: 'empty' }, 'No run to compare.'));
    else comparisonBox.appendChild(
      table(['model', 'wall', 'speedup', 'speedup per core', 'CPU', 'parallelism', 'blocked (top reason)', 'spans'], rows));
  }
}
// Legend: the names with the most time, the wait reasons and CPU states present.
function legend() {
  const box = document.getElementById('legend'), seen = new Set();
  box.textContent = '';
  const swatch = (paint, label) => {
    const s = el('span'), c = el('canvas', { width: 12, height: 12 }), g = c.getContext('2d');
    paint(g); s.appendChild(c); s.appendChild(document.createTextNode(label)); box.appendChild(s);
    return s;
  };
  // The names, colours and shares are the Timeline's legend, as the PNG shows it (Timeline.Legend).
  const names = data.legend.names;
  names.forEach((name, i) => {
    if (seen.has(name)) return; seen.add(name);
    const span = swatch((g) => { g.fillStyle = data.legend.colors[i]; g.fillRect(0, 0, 12, 12); }, name);
    span.title = pct(data.legend.shares[i]) + ' of the time in spans';
  });
  const reasons = new Set();
  for (const run of runs) for (const b of run.blocked) reasons.add(b.reason);
  for (const w of WAITS) if (reasons.has(w)) swatch((g) => { g.fillStyle = g.createPattern(hatchTile(w, 6), 'repeat'); g.fillRect(0, 0, 12, 12); }, 'wait: ' + w);
  if (sawDense) {
    swatch((g) => { g.fillStyle = runs[0].colors[0] || C.counter; for (let x = 0; x < 12; x += 2) g.fillRect(x, x % 4 ? 8 : 4, 1, 12); },
      'dense: height = busy share, colour = commonest name');
  }
  if (runs.some((r) => r.counters.length > 0)) {
    swatch((g) => { g.globalAlpha = 0.55; g.fillStyle = C.counter; g.fillRect(0, 6, 12, 6); g.globalAlpha = 1; g.fillRect(0, 6, 12, 1); },
      'counter (area up to its max)');
  }
  if (runs.some((r) => r.flows.length > 0)) {
    swatch((g) => { g.strokeStyle = C.flow; g.beginPath(); g.moveTo(1, 11); g.lineTo(11, 1); g.stroke(); }, 'flow (click a span)');
  }
  if (runs.some((r) => r.rows.some((R) => R.cpu))) {
    [['CPU: running', C.cpuRun], ['CPU: run queue', C.cpuRq], ['CPU: blocked', C.cpuBlk]].forEach(([label, color]) =>
      swatch((g) => { g.fillStyle = color; g.fillRect(0, 0, 12, 12); }, label));
  }
  // The notes under the legend, as the PNG writes them: spans nested deeper than the depth limit share their
  // row's last line; names past the legend's count.
  for (const note of data.legend.notes) box.appendChild(el('p', { class: 'note' }, note));
}
const copy = document.getElementById('copy-mermaid');
if (copy) copy.addEventListener('click', () => {
  const text = document.getElementById('mermaid').textContent;
  const done = () => { copy.textContent = 'Copied'; setTimeout(() => { copy.textContent = 'Copy'; }, 1500); };
  if (navigator.clipboard) navigator.clipboard.writeText(text).then(done, () => {});
});

// ---- Test hook (read-only) -----------------------------------------------------------------------

window.lanesReport = Object.freeze({
  spanCount: () => data.spanCount,
  runCount: () => runs.length,
  // Scenario pages: the scenarios' names, the selected one's index, and how many have been decoded.
  scenarios: () => scenarioNames.slice(),
  scenario: () => currentScenario,
  decodedScenarios: () => scenarioCache.filter((x) => x).length,
  // Milliseconds the last scenario switch took: parse, decode, lay out, draw and fill the panels.
  switchTime: () => switchTime,
  visibleRange: () => [t0, t1],
  drawCount: () => drawCount,
  firstPaint: () => firstPaint,
  measured: () => measure ? Math.abs(measure.b - measure.a) : null,
  pinned: () => selected ? { run: selected.run, span: selected.k } : null,
  canvasHeight: () => contentH,
  flowsDrawn: () => flowsDrawn,
  firstGroupY: () => { const g = lines.find((l) => l.kind === 'group'); return g ? g.y + g.h / 2 - scrollY : null; },
  spanName: (k, ri) => runs[ri || 0].names[runs[ri || 0].d.name[k]],
  findSpan: (name, ri) => { const run = runs[ri || 0], i = run.names.indexOf(name); if (i < 0) return -1; return run.d.name.indexOf(i); },
  // The widest span on screen in run ri, for tests that need one they can point at.
  widestSpan: (ri) => {
    const d = runs[ri || 0].d; let best = -1, w = -1;
    for (let k = 0; k < d.n; k++) {
      const y = rowY[ri || 0][d.row[k]];
      if (y === undefined || y - scrollY < RULER_H || y - scrollY + ROW_H > height) continue;
      const ww = Math.min(d.end[k], t1) - Math.max(d.start[k], t0) - levelOf(d, k) * 1e-9;
      if (ww > w) { w = ww; best = k; }
    }
    return best;
  },
  // The widest span on screen in run ri whose middle no shorter span on its line covers, so hovering there shows it.
  hoverableSpan: (ri) => {
    ri = ri || 0;
    const run = runs[ri], d = run.d, found = [];
    for (let k = 0; k < d.n; k++) {
      const y = rowY[ri][d.row[k]];
      if (y === undefined || y - scrollY < RULER_H || y - scrollY + ROW_H > height || d.end[k] < t0 || d.start[k] > t1) continue;
      found.push([Math.min(d.end[k], t1) - Math.max(d.start[k], t0), k]);
    }
    found.sort((a, b) => b[0] - a[0] || a[1] - b[1]);
    for (const [, k] of found.slice(0, 200)) {
      const mid = (Math.max(d.start[k], t0) + Math.min(d.end[k], t1)) / 2, depth = levelOf(d, k), R = run.rows[d.row[k]];
      const len = d.end[k] - d.start[k];
      let covered = false;
      for (let j = R.first, e = R.first + R.count; j < e && !covered; j++) {
        const lj = d.end[j] - d.start[j];
        covered = j !== k && levelOf(d, j) === depth && d.start[j] <= mid && d.end[j] >= mid && (lj < len || (lj === len && j < k));
      }
      if (!covered) return k;
    }
    return -1;
  },
  // Each row's line as laid out, in content pixels: its run, row, top, height and nesting levels.
  rowLines: () => lines.filter((l) => l.kind === 'row').map((l) => ({ run: l.run, row: l.row, y: l.y, h: l.h, levels: l.levels })),
  // Span k's lane kind, the thread it ran on and that thread's name (null when the trace names none).
  spanThread: (k, ri) => {
    const run = runs[ri || 0], d = run.d, lane = run.lanes[d.lane[k]];
    return { kind: lane.kind, tid: d.tid[k], threadName: threadName(run, lane, d.tid[k]) };
  },
  // The line of its row span k is drawn on (0 for a top-level span).
  spanLevel: (k, ri) => levelOf(runs[ri || 0].d, k),
  spanColor: (k, ri) => runs[ri || 0].colors[runs[ri || 0].d.name[k]],
  // The sentences under the legend (spans folded into a row's last line, …).
  legendNotes: () => [...document.querySelectorAll('#legend .note')].map((e) => e.textContent),
  // The page's own tick rule and duration format, for checks against the Swift ones (TimeScale, formatDuration).
  ticks: (a, b, w, minSpacing, charWidth) => ticks(a, b, w, minSpacing, (s) => s.length * charWidth),
  formatDuration: (ns) => formatDuration(ns),
  // The middle of span k's visible part, in CSS pixels from the canvas's top-left; null when hidden.
  spanPixel: (k, ri) => {
    ri = ri || 0;
    const d = runs[ri].d, y = rowY[ri][d.row[k]];
    if (y === undefined || d.end[k] < t0 || d.start[k] > t1) return null;
    const [by, bh] = band(y - scrollY, levelOf(d, k));
    if (by < RULER_H || by + bh > height) return null;
    const a = xOf(Math.max(d.start[k], t0)), b = xOf(Math.min(d.end[k], t1));
    return { x: (a + b) / 2, y: by + bh / 2, width: b - a };
  },
});

// ---- Showing a data set (the page's, or a scenario's) ----------------------------------------------

function show(d) {
  data = d; runs = d.runs;
  for (const run of runs) if (!run.d) run.d = decode(run);
  fullEnd = Math.max(1, ...runs.map((r) => r.end));
  comparing = !!d.comparison;
  collapsed = runs.map(() => new Set());
  selected = null; measure = null; drag = null; sawDense = false; flowsDrawn = 0;
  pinned.hidden = true; tooltip.hidden = true;
  scroller.scrollTop = 0; scrollY = 0;
  t0 = 0; t1 = fullEnd;
  layout();
  if (data.view[1] > data.view[0]) { t0 = data.view[0]; t1 = data.view[1]; } else if (data.view[0] > 0) { t0 = data.view[0]; }
  computeSearch();
  draw();
  panels();
  legend();
  const count = document.getElementById('span-count');
  count.dataset.count = String(data.spanCount);
  count.textContent = data.spanCount + ' spans' + (scenarioNames.length ? ' in ' + runs.length + ' run' + (runs.length === 1 ? '' : 's') : '');
}

// ---- Scenario pages: an overview row per scenario, each scenario's data decoded on first selection --

const overviewRows = [...document.querySelectorAll('#overview tbody tr[data-index]')];
const scenarioNames = overviewRows.map((r) => r.dataset.name);
const scenarioCache = [];
let currentScenario = -1, switchTime = null;
function fillScenario(sc) {
  document.getElementById('scenario-name').textContent = sc.name;
  document.getElementById('scenario-summary').textContent = sc.summary;
  const advice = document.getElementById('advice');
  advice.textContent = '';
  if (sc.advice) {
    const a = sc.advice, head = el('p');
    head.appendChild(el('b', null, 'Recommended: ' + (a.models.length ? a.models.join(', ') : '–')));
    head.appendChild(document.createTextNode(' · work class: ' + a.workClass + (a.winner ? ' · fastest here: ' + a.winner : '')));
    advice.appendChild(head);
    advice.appendChild(el('p', null, a.reason));
    advice.appendChild(el('p', { class: 'k' }, 'decision: ' + a.path.join(' → ')));
  } else {
    advice.appendChild(el('p', { class: 'empty' }, 'No advice: no run finished.'));
  }
  const notes = document.getElementById('notes');
  notes.textContent = '';
  for (const f of sc.failures) notes.appendChild(el('li', { class: 'failure' }, 'failed: ' + f));
  for (const n of sc.notes) notes.appendChild(el('li', null, n));
  notes.hidden = notes.childElementCount === 0;
  const png = document.getElementById('png-link');
  png.textContent = '';
  if (sc.png) {
    png.appendChild(document.createTextNode('Comparison chart (PNG, beside this page): '));
    png.appendChild(el('a', { href: sc.png }, sc.pngName));
  }
  png.hidden = !sc.png;
  const mermaid = document.getElementById('mermaid'), copyButton = document.getElementById('copy-mermaid');
  mermaid.textContent = sc.mermaid || '';
  mermaid.hidden = copyButton.hidden = !sc.mermaid;
  document.getElementById('mermaid-empty').hidden = !!sc.mermaid;
  document.title = document.getElementById('title').textContent + ' — ' + sc.name;
}
function selectScenario(i) {
  if (i === currentScenario || i < 0 || i >= overviewRows.length) return;
  currentScenario = i;
  const began = performance.now();
  if (!scenarioCache[i]) scenarioCache[i] = JSON.parse(document.getElementById('lanes-scenario-' + i).textContent);
  overviewRows.forEach((r, k) => {
    r.classList.toggle('selected', k === i);
    if (k === i) r.setAttribute('aria-current', 'true'); else r.removeAttribute('aria-current');
  });
  fillScenario(scenarioCache[i].scenario);
  show(scenarioCache[i]);
  switchTime = performance.now() - began;
}
function scenarioFromHash() {
  let name = '';
  try { name = decodeURIComponent(location.hash.slice(1)); } catch (e) { name = ''; }
  return Math.max(0, scenarioNames.indexOf(name));
}

if (overviewRows.length > 0) {
  overviewRows.forEach((r) => r.addEventListener('click', (e) => {
    const link = r.querySelector('a');
    if (e.target.closest('a') || !link) return;
    location.hash = link.getAttribute('href');
  }));
  window.addEventListener('hashchange', () => selectScenario(scenarioFromHash()));
  selectScenario(scenarioFromHash());
} else {
  show(JSON.parse(document.getElementById('lanes-data').textContent));
}
})();
