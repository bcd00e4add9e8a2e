// A small inline SVG chart of a pool over time: desired as a dashed step line, eligible as a filled step area.

const NS = 'http://www.w3.org/2000/svg';

function el(name, attrs, text) {
  const e = document.createElementNS(NS, name);
  for (const [k, v] of Object.entries(attrs || {})) {
    e.setAttribute(k, String(v));
  }
  if (text != null) {
    e.textContent = text;
  }
  return e;
}

const pad = (n) => String(n).padStart(2, '0');
const hhmm = (ms) => {
  const d = new Date(ms);
  return `${pad(d.getHours())}:${pad(d.getMinutes())}`;
};

/** A step path through points [x, y] (each value holds until the next). */
function stepPath(points) {
  let d = '';
  points.forEach(([x, y], i) => {
    if (i === 0) {
      d += `M${x.toFixed(1)},${y.toFixed(1)}`;
    } else {
      d += `H${x.toFixed(1)}V${y.toFixed(1)}`;
    }
  });
  return d;
}

/**
 * Draws the chart of `samples` ({at, desired, eligible}) from `sinceMs` to `nowMs`; the x axis starts at the
 * first sample when the history is shorter than the window.
 */
export function poolChart(samples, sinceMs, nowMs, width = 640) {
  const height = width < 480 ? 180 : 200;
  const m = { left: 34, right: 12, top: 12, bottom: 26 };
  const svg = el('svg', { viewBox: `0 0 ${width} ${height}`, class: 'chart', role: 'img' });
  const points = samples.map((s) => ({ t: Date.parse(s.at), desired: s.desired, eligible: s.eligible }));
  const last = points[points.length - 1];
  const summary = last
    ? `Eligible against desired: ${points.length} samples; latest ${last.eligible} eligible of ${last.desired} desired.`
    : 'Eligible against desired: no samples yet.';
  svg.setAttribute('aria-label', summary);
  svg.appendChild(el('title', {}, summary));

  const start = points.length ? Math.max(sinceMs, Math.min(points[0].t, nowMs - 5 * 60 * 1000)) : sinceMs;
  const end = nowMs;
  const maxY = Math.max(1, ...points.map((p) => Math.max(p.desired, p.eligible)));
  const top = maxY <= 4 ? maxY + 1 : Math.ceil(maxY * 1.15);
  const x = (t) => m.left + ((t - start) / Math.max(1, end - start)) * (width - m.left - m.right);
  const y = (v) => height - m.bottom - (v / top) * (height - m.top - m.bottom);

  // grid and y labels
  const ticks = top <= 6 ? top : 4;
  for (let i = 0; i <= ticks; i++) {
    const v = Math.round((top * i) / ticks);
    svg.appendChild(el('line', { x1: m.left, x2: width - m.right, y1: y(v), y2: y(v), class: 'grid' }));
    svg.appendChild(el('text', { x: m.left - 6, y: y(v) + 4, class: 'axis', 'text-anchor': 'end' }, String(v)));
  }
  // x labels on round minutes: a step that gives at most about one label per 110 px
  const span = end - start;
  const minute = 60 * 1000;
  const most = Math.max(2, Math.floor((width - m.left - m.right) / 110));
  const step = [1, 2, 5, 10, 15, 30, 60, 120, 180, 360].map((n) => n * minute).find((d) => span / d <= most) || 360 * minute;
  const offset = new Date(start).getTimezoneOffset() * minute;
  for (let t = Math.ceil((start - offset) / step) * step + offset; t <= end; t += step) {
    svg.appendChild(el('line', { x1: x(t), x2: x(t), y1: height - m.bottom, y2: height - m.bottom + 4, class: 'tick' }));
    svg.appendChild(el('text', { x: x(t), y: height - 8, class: 'axis', 'text-anchor': 'middle' }, hhmm(t)));
  }
  if (!points.length) {
    svg.appendChild(el('text', { x: width / 2, y: height / 2, class: 'axis', 'text-anchor': 'middle' },
      'No samples yet: passes record one a minute.'));
    return svg;
  }
  const visible = points.filter((p) => p.t >= start);
  const eligible = visible.map((p) => [x(p.t), y(p.eligible)]);
  const desired = visible.map((p) => [x(p.t), y(p.desired)]);
  eligible.push([x(end), y(last.eligible)]);
  desired.push([x(end), y(last.desired)]);
  const area = `${stepPath(eligible)}V${y(0).toFixed(1)}H${eligible[0][0].toFixed(1)}Z`;
  svg.appendChild(el('path', { d: area, class: 'area-eligible' }));
  svg.appendChild(el('path', { d: stepPath(eligible), class: 'line-eligible' }));
  svg.appendChild(el('path', { d: stepPath(desired), class: 'line-desired' }));
  return svg;
}
