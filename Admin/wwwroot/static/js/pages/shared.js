// Pieces several pages show the same way: badges, client attributes, node links, sums over channels.
import { commafy, esc, nanoToHuman, seg } from '../format.js';

export const pausedBadge = (paused) => (paused ? ' <span class="badge badge-paused" data-paused="true">paused</span>' : '');

/** A node (its HTTP address, nsqadmin's node id) linked to its page. */
export const nodeLink = (node, text = node) => `<a class="link" href="/nodes/${seg(node)}">${esc(text)}</a>`;

/** nsqadmin shows a node as hostname:port, and the broadcast address too when it differs from the hostname. */
export function nodeLabel(stats) {
  const node = stats.node ?? '';
  const port = node.split(':').pop();
  const address = node.slice(0, node.length - port.length - 1);
  const hostname = stats.hostname || address;
  if (hostname.toLowerCase() === address.toLowerCase()) {
    return nodeLink(node, `${hostname}:${port}`);
  }
  return `${esc(hostname)}:${esc(port)} (${nodeLink(node)})`;
}

/** The attributes column of a client: sampling, TLS, Deflate, Snappy, Authed. */
export function clientAttributes(client) {
  const labels = [];
  if (client.sample_rate > 0) {
    labels.push(`<span class="badge badge-info">Sampled ${esc(client.sample_rate)}%</span>`);
  }
  if (client.tls) {
    const title = client.tls_version ? ` title="${esc(`${client.tls_version} ${client.tls_cipher_suite ?? ''}`)}"` : '';
    labels.push(`<span class="badge badge-warning"${title}>TLS</span>`);
  }
  if (client.deflate) {
    labels.push('<span class="badge">Deflate</span>');
  }
  if (client.snappy) {
    labels.push('<span class="badge badge-primary">Snappy</span>');
  }
  if (client.authed) {
    labels.push(`<span class="badge badge-success" title="${esc(client.auth_identity ?? '')}">Authed</span>`);
  }
  return labels.join(' ');
}

/** How long a client has been connected: from connect_ts (seconds) when given, else nsqadmin's "connected" (ns). */
export function connectedMs(client, now = Date.now()) {
  if (typeof client.connect_ts === 'number' && client.connect_ts > 0) {
    return now - client.connect_ts * 1000;
  }
  return typeof client.connected === 'number' ? client.connected / 1e6 : null;
}

/** Sums channel counters of a topic on one node (nsqadmin's topic stats carry them only per channel). */
export function channelSums(channels) {
  const sums = { in_flight_count: 0, deferred_count: 0, requeue_count: 0, timeout_count: 0 };
  for (const channel of channels ?? []) {
    for (const key of Object.keys(sums)) {
      sums[key] += channel[key] ?? 0;
    }
  }
  return sums;
}

/** A table inside a box that scrolls sideways on a narrow screen. */
export const table = (attributes, head, rows) =>
  `<div class="table-wrap"><table ${attributes}><thead>${head}</thead><tbody>${rows}</tbody></table></div>`;

export const notice = (title, text) => `<div class="notice"><strong>${esc(title)}</strong> ${text}</div>`;

/** nsqadmin's node id: the producer's broadcast address and HTTP port (IPv6 in brackets). */
export function httpAddress(producer) {
  const host = producer.broadcast_address.includes(':') ? `[${producer.broadcast_address}]` : producer.broadcast_address;
  return `${host}:${producer.http_port}`;
}

/** "memory + disk" depth; nsqd's /stats has no memory_depth (nsqadmin computes depth - backend_depth). */
export function memoryPlusDisk(stats) {
  const backend = stats.backend_depth ?? 0;
  const memory = stats.memory_depth ?? (stats.depth === undefined ? undefined : stats.depth - backend);
  return `${commafy(memory)} + ${commafy(backend)}`;
}

/** The quantiles of nsqd's e2e_processing_latency (--e2e-processing-latency-percentile) found in any of the stats. */
export function latencyQuantiles(...statsList) {
  const quantiles = new Set();
  for (const stats of statsList) {
    for (const p of stats?.e2e_processing_latency?.percentiles ?? []) {
      quantiles.add(p.quantile);
    }
  }
  return [...quantiles].sort((a, b) => a - b);
}

/** nsqadmin's E2E Processing Latency header cells: one per quantile. */
export const latencyHead = (quantiles) =>
  quantiles.map((q) => `<th title="E2E processing latency">e2e p${esc(+(q * 100).toFixed(2))}</th>`).join('');

/** The average of each quantile (nanoseconds), with its min and max as a tooltip, as nsqadmin shows them. */
export function latencyCells(stats, quantiles) {
  const latency = stats?.e2e_processing_latency;
  // No message finished in the window: nothing measured (nsqd reports zeros).
  const percentiles = latency?.count === 0 ? [] : (latency?.percentiles ?? []);
  return quantiles.map((q) => {
    const p = percentiles.find((x) => x.quantile === q);
    return p
      ? `<td data-field="e2e-p${esc(q * 100)}" title="min ${esc(nanoToHuman(p.min))}, max ${esc(nanoToHuman(p.max))}">${esc(nanoToHuman(p.average ?? p.value))}</td>`
      : '<td>–</td>';
  }).join('');
}
