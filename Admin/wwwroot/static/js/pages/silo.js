// The "silo" object that the admin API adds to a node that is an OrleansNsq silo: its membership status,
// version, start time/uptime, memory and hosted topics. Fields are formatted by their names (sizes in bytes,
// durations, times, topic lists), so a field added later is still shown.
import { esc, formatBytes, formatDuration, seg } from '../format.js';

/** A field name as a label: its unit suffix dropped (the value shows the unit). */
const label = (key) => key.replace(/_usec_(\d+)$/, ' p$1').replace(/_(bytes|seconds|usec|ms|ns)$/, '').replace(/_/g, ' ');

function isTopicList(key, value) {
  return Array.isArray(value) && /topic/.test(key);
}

function durationMs(key, value) {
  if (/_ms$|millis/.test(key)) return value;
  if (/_ns$|nanos/.test(key)) return value / 1e6;
  if (/_s$|_seconds?$|secs/.test(key)) return value * 1000;
  return null;
}

/** One silo field as HTML. */
export function siloValue(key, value, now = Date.now()) {
  if (value === null || value === undefined || value === '') {
    return '–';
  }
  if (isTopicList(key, value)) {
    return value.map((t) => {
      const name = typeof t === 'string' ? t : (t.topic ?? t.topic_name ?? t.name ?? JSON.stringify(t));
      const channels = typeof t === 'object' && Array.isArray(t.channels) ? ` <small>(${t.channels.map((c) => esc(typeof c === 'string' ? c : c.channel_name ?? c.name)).join(', ')})</small>` : '';
      return `<a class="link badge badge-primary" href="/topics/${seg(name)}">${esc(name)}</a>${channels}`;
    }).join(' ') || '–';
  }
  if (typeof value === 'number') {
    if (/bytes|rss|working_set/.test(key)) return formatBytes(value);
    if (/usec/.test(key)) return formatDuration(value / 1000);
    if (/uptime|duration|elapsed/.test(key)) {
      const ms = durationMs(key, value);
      return formatDuration(ms ?? value / 1e6);
    }
    if (/(^|_)(time|ts|at|start(ed)?)($|_)/.test(key) && value > 1e9) {
      const ms = value > 1e14 ? value / 1e6 : value > 1e11 ? value : value * 1000;
      return `${esc(new Date(ms).toISOString().replace('T', ' ').replace(/\.\d+Z$/, 'Z'))} <span class="muted">(${formatDuration(now - ms)} ago)</span>`;
    }
    return esc(value.toLocaleString('en-US'));
  }
  if (typeof value === 'string' && /(^|_)(time|at|start(ed)?)($|_)/.test(key) && !Number.isNaN(Date.parse(value))) {
    const ms = Date.parse(value);
    return `${esc(value)} <span class="muted">(${formatDuration(now - ms)} ago)</span>`;
  }
  if (typeof value === 'boolean') {
    return value ? 'yes' : 'no';
  }
  if (Array.isArray(value) && /channel/.test(key)) {
    return value.map((c) => `<span class="badge">${esc(typeof c === 'string' ? c : JSON.stringify(c))}</span>`).join(' ') || '–';
  }
  if (Array.isArray(value)) {
    return value.map((v) => esc(typeof v === 'object' ? JSON.stringify(v) : v)).join(', ');
  }
  if (typeof value === 'object') {
    return `<ul class="fields">${Object.entries(value).map(([k, v]) => `<li><span class="muted">${esc(label(k))}</span> ${siloValue(k, v, now)}</li>`).join('')}</ul>`;
  }
  return esc(value);
}

const statusClass = (status) => (/^active$/i.test(String(status ?? '')) ? 'badge-success' : 'badge-warning');

/** The first field whose name matches a pattern, trying the patterns in order. */
function pick(silo, ...patterns) {
  for (const pattern of patterns) {
    const key = Object.keys(silo).find((k) => pattern.test(k) && typeof silo[k] !== 'object');
    if (key !== undefined) {
      return key;
    }
  }
  return undefined;
}

/** Uptime in ms from an uptime field, else from a start time. */
function uptimeMs(silo, now) {
  const uptimeKey = pick(silo, /uptime/);
  if (uptimeKey && typeof silo[uptimeKey] === 'number') {
    return durationMs(uptimeKey, silo[uptimeKey]) ?? silo[uptimeKey] / 1e6;
  }
  const startKey = pick(silo, /start/);
  if (startKey === undefined) {
    return null;
  }
  const start = silo[startKey];
  const ms = typeof start === 'string' ? Date.parse(start) : start > 1e14 ? start / 1e6 : start > 1e11 ? start : start * 1000;
  return Number.isNaN(ms) ? null : now - ms;
}

/** Memory in use, in bytes: a bytes field of the silo, or the heap in use of its nsqd-shaped "memory" stats. */
function siloMemory(silo) {
  const key = pick(silo, /working_set/, /memory.*bytes/, /rss/);
  if (key !== undefined) {
    return silo[key];
  }
  const memory = silo.memory;
  if (memory && typeof memory === 'object') {
    return memory.heap_in_use_bytes ?? memory.working_set_bytes ?? null;
  }
  return typeof memory === 'number' ? memory : null;
}

/** The nodes table's silo columns. */
export const siloHead = () => '<th>Silo</th><th>Uptime</th><th>Heap In Use</th>';

export function siloCells(silo) {
  if (!silo) {
    return '<td class="muted">nsqd</td><td></td><td></td>';
  }
  const uptime = uptimeMs(silo, Date.now());
  const memory = siloMemory(silo);
  const status = silo.status ?? silo.membership_status;
  return `<td data-field="silo-status"><span class="badge ${statusClass(status)}">${esc(status ?? 'silo')}</span>${silo.version ? ` <small>${esc(silo.version)}</small>` : ''}</td>
    <td data-field="silo-uptime">${formatDuration(uptime)}</td>
    <td data-field="silo-memory">${memory === null ? '–' : formatBytes(memory)}</td>`;
}

/** Every field of a silo, for the node page. */
export function siloDetails(silo) {
  const now = Date.now();
  return `<dl class="silo-details" data-part="silo-details">${Object.entries(silo).map(([key, value]) => `
    <div><dt>${esc(label(key))}</dt><dd data-silo-field="${esc(key)}">${key === 'status' ? `<span class="badge ${statusClass(value)}">${esc(value)}</span>` : siloValue(key, value, now)}</dd></div>`).join('')}</dl>`;
}
