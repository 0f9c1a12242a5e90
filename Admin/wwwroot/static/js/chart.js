// Small time-series charts of message rates, drawn as inline SVG.
import { esc, formatRate } from './format.js';
import { currentRate, ratePoints } from './rates.js';

function shape(points, width, height) {
  if (points.length === 0) {
    return { line: '', area: '', max: 0 };
  }
  const max = Math.max(...points.map((p) => p.rate), 0);
  const scale = max > 0 ? (height - 2) / max : 0;
  const step = points.length > 1 ? width / (points.length - 1) : 0;
  const y = (p) => height - 1 - p.rate * scale;
  // A single rate is drawn as a level line across the chart, so the first sample is visible too.
  const xy = points.length === 1 ? [[0, y(points[0])], [width, y(points[0])]] : points.map((p, i) => [i * step, y(p)]);
  const line = xy.map(([px, py]) => `${px.toFixed(1)},${py.toFixed(1)}`).join(' ');
  const area = `M${xy[0][0].toFixed(1)},${height} L${line.replaceAll(' ', ' L')} L${xy[xy.length - 1][0].toFixed(1)},${height} Z`;
  return { line, area, max };
}

/** A sparkline (120×24) of a rate series, for a table cell. */
export function sparkline(key) {
  const points = ratePoints(key);
  const width = 120;
  const height = 24;
  const { line, area } = shape(points, width, height);
  return `<svg class="sparkline" viewBox="0 0 ${width} ${height}" preserveAspectRatio="none" role="img"
      aria-label="rate history" data-rate-key="${esc(key)}" data-samples="${points.length}">
    <path class="area" d="${area}"></path><polyline class="line" points="${line}"></polyline></svg>`;
}

/** A titled chart of a rate series, with its current and highest rate. */
export function rateChart(key, title) {
  const points = ratePoints(key);
  const width = 600;
  const height = 100;
  const { line, area, max } = shape(points, width, height);
  const now = currentRate(key);
  const span = points.length > 1 ? Math.round((points[points.length - 1].at - points[0].at) / 1000) : 0;
  const note = points.length === 0 ? 'collecting samples' : points.length === 1 ? 'first sample' : `last ${span} s · max ${formatRate(max)}`;
  return `<figure class="rate-chart" data-rate-key="${esc(key)}" data-samples="${points.length}"
      data-rate="${now === null ? '' : now.toFixed(3)}">
    <figcaption><span>${esc(title)}</span> <strong class="rate-now">${formatRate(now)}</strong>
      <span class="muted">${esc(note)}</span></figcaption>
    <svg viewBox="0 0 ${width} ${height}" preserveAspectRatio="none" role="img" aria-label="${esc(title)}">
      <line class="grid" x1="0" y1="${height - 0.5}" x2="${width}" y2="${height - 0.5}"></line>
      <path class="area" d="${area}"></path><polyline class="line" points="${line}"></polyline>
    </svg>
  </figure>`;
}
