// Text helpers shared by the pages: escaping, nsqadmin's number formats, durations and sizes.

const entities = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** HTML-escapes any value (null and undefined become an empty string). */
export function esc(value) {
  return String(value ?? '').replace(/[&<>"']/g, (c) => entities[c]);
}

/** nsqadmin's "commafy": 1234567 → 1,234,567; a missing number is a dash. */
export function commafy(value) {
  if (value === null || value === undefined || Number.isNaN(Number(value))) {
    return '–';
  }
  return Number(value).toLocaleString('en-US');
}

/** A rate in messages per second; null (not known yet: one sample only) is a dash. */
export function formatRate(perSecond) {
  if (perSecond === null || perSecond === undefined) {
    return '–';
  }
  const digits = perSecond < 10 ? 1 : 0;
  return `${perSecond.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits })}/s`;
}

/** A duration in milliseconds as the two largest units: "3d 4h", "5m 12s", "850ms". */
export function formatDuration(ms) {
  if (ms === null || ms === undefined || Number.isNaN(ms)) {
    return '–';
  }
  if (ms < 1000) {
    return `${Math.max(0, Math.round(ms))}ms`;
  }
  const units = [['d', 86400], ['h', 3600], ['m', 60], ['s', 1]];
  let seconds = Math.floor(ms / 1000);
  const parts = [];
  for (const [unit, size] of units) {
    if (seconds >= size || (parts.length > 0 && parts.length < 2)) {
      parts.push(`${Math.floor(seconds / size)}${unit}`);
      seconds %= size;
    }
    if (parts.length === 2) {
      break;
    }
  }
  return parts.join(' ');
}

/** nsqadmin's "nanotohuman", for latencies and client connection times given in nanoseconds. */
export function nanoToHuman(ns) {
  if (ns === null || ns === undefined) {
    return '–';
  }
  if (ns < 1000) {
    return `${ns}ns`;
  }
  if (ns < 1e6) {
    return `${(ns / 1e3).toFixed(1)}µs`;
  }
  return formatDuration(ns / 1e6);
}

/** Bytes in binary units: 1536 → "1.5 KiB". */
export function formatBytes(bytes) {
  if (bytes === null || bytes === undefined || Number.isNaN(Number(bytes))) {
    return '–';
  }
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = Number(bytes);
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(unit === 0 ? 0 : 1)} ${units[unit]}`;
}

/** A path segment for a topic, channel or node name; a node's host:port keeps its ':' and brackets, as nsqadmin's links. */
export function seg(name) {
  return encodeURIComponent(name).replace(/%3A/gi, ':').replace(/%5B/gi, '[').replace(/%5D/gi, ']');
}
