// "/topics/:topic/:channel": the channel on each node and in total, every client connected to it
// (GET /api/topics/:topic/:channel), its rate, and the channel actions (empty, delete, pause/unpause).
import { api, bannersOf } from '../api.js';
import { commafy, esc, formatDuration, formatRate, seg } from '../format.js';
import { rateKeys, sample, currentRate } from '../rates.js';
import { sparkline, rateChart } from '../chart.js';
import { channelAction, deleteChannel } from '../actions.js';
import { clientAttributes, connectedMs, latencyCells, latencyHead, latencyQuantiles, memoryPlusDisk, nodeLabel, nodeLink, notice, pausedBadge, table } from './shared.js';

export const channelPage = {
  name: 'channel',
  nav: 'topics',
  title: ([topic, channel]) => `Channel ${topic}/${channel}`,

  mount(page) {
    const [topic, channel] = page.params;
    page.content.innerHTML = `
      <ol class="breadcrumb"><li><a class="link" href="/">Streams</a></li>
        <li><a class="link" href="/topics/${seg(topic)}">${esc(topic)}</a></li><li class="active">${esc(channel)}</li></ol>
      <h2>Topic: <strong>${esc(topic)}</strong> · Channel: <strong>${esc(channel)}</strong> <span data-part="paused"></span></h2>
      <div class="actions" data-part="actions"></div>
      <div data-part="chart"></div>
      <h4>Channel</h4><div data-part="nodes"></div>
      <h4>Client Connections</h4><div data-part="clients"></div>`;
    page.content.addEventListener('click', (event) => {
      const button = event.target.closest('button[data-action]');
      if (!button) {
        return;
      }
      if (button.dataset.action === 'delete') {
        deleteChannel(page, topic, channel);
      } else {
        channelAction(page, topic, channel, button.dataset.action);
      }
    });
  },

  async update(page) {
    const [topic, channel] = page.params;
    const result = await api.get(`/api/topics/${seg(topic)}/${seg(channel)}`);
    const at = Date.now();
    page.showBanners(bannersOf(result));
    const stats = result.ok ? (result.data ?? {}) : {};
    const nodes = stats.nodes ?? [];
    const clients = stats.clients ?? [];
    const part = (name) => page.content.querySelector(`[data-part="${name}"]`);

    if (result.ok && nodes.length > 0) {
      sample(rateKeys.channel(topic, channel), stats.message_count ?? 0, at);
      for (const node of nodes) {
        sample(rateKeys.channel(topic, channel, node.node), node.message_count, at);
      }
    }

    part('paused').innerHTML = pausedBadge(stats.paused);
    part('actions').innerHTML = nodes.length === 0 ? '' : `
      <button class="btn btn-warning" data-action="empty">Empty Queue</button>
      <button class="btn btn-danger" data-action="delete">Delete Channel</button>
      ${stats.paused
        ? '<button class="btn btn-success" data-action="unpause">UnPause Channel</button>'
        : '<button class="btn btn-primary" data-action="pause">Pause Channel</button>'}`;
    part('chart').innerHTML = nodes.length > 0 ? rateChart(rateKeys.channel(topic, channel), `Messages/s, channel ${topic}/${channel}`) : '';

    if (!result.ok) {
      part('nodes').innerHTML = '';
      part('clients').innerHTML = '';
      return;
    }
    if (nodes.length === 0) {
      part('nodes').innerHTML = notice('Notice', 'No producers exist for this topic/channel. See <a class="link" href="/lookup">Lookup</a> for more information.');
    } else {
      const quantiles = latencyQuantiles(stats, ...nodes);
      const row = (s, label, key, attributes) => `<tr ${attributes}>
          <td>${label}</td>
          <td data-field="depth">${commafy(s.depth)}</td>
          <td data-field="memory_backend">${memoryPlusDisk(s)}</td>
          <td data-field="in_flight_count">${commafy(s.in_flight_count)}</td>
          <td data-field="deferred_count">${commafy(s.deferred_count)}</td>
          <td data-field="requeue_count">${commafy(s.requeue_count)}</td>
          <td data-field="timeout_count">${commafy(s.timeout_count)}</td>
          <td data-field="message_count">${commafy(s.message_count)}</td>
          <td class="rate" data-field="rate">${formatRate(currentRate(key))}</td>
          <td class="chart-cell">${sparkline(key)}</td>
          <td data-field="client_count">${commafy(s.client_count)}</td>${latencyCells(s, quantiles)}</tr>`;
      part('nodes').innerHTML = table('class="data" data-table="channel-nodes"',
        `<tr><th>NSQd Host</th><th>Depth</th><th>Memory + Disk</th><th>In-Flight</th><th>Deferred</th><th>Requeued</th><th>Timed Out</th><th>Messages</th><th>Rate</th><th class="chart-cell">History</th><th>Connections</th>${latencyHead(quantiles)}</tr>`,
        nodes.map((n) => row(n, `${nodeLabel(n)}${pausedBadge(n.paused)}`, rateKeys.channel(topic, channel, n.node), `data-node="${esc(n.node)}"`)).join('')
          + row(stats, '<strong>Total</strong>', rateKeys.channel(topic, channel), 'class="total" data-node="*"'));
    }

    const now = Date.now();
    part('clients').innerHTML = clients.length === 0
      ? notice('Notice', 'No clients connected to this channel')
      : table('class="data" data-table="clients"',
        '<tr><th>Client Host</th><th>User-Agent</th><th>Attributes</th><th>NSQd Host</th><th>In-Flight</th><th>Ready Count</th><th>Finished</th><th>Requeued</th><th>Messages</th><th>Connected</th></tr>',
        clients.map((c) => {
          const port = (c.remote_address ?? '').split(':').pop();
          const showId = c.client_id && c.client_id.toLowerCase() !== (c.hostname ?? '').toLowerCase()
            && c.client_id.toLowerCase() !== (c.hostname ?? '').split('.')[0].toLowerCase();
          return `<tr data-client="${esc(c.remote_address)}">
            <td title="${esc(c.remote_address)}">${esc(c.hostname)}:${esc(port)}${showId ? ` (${esc(c.client_id)})` : ''}</td>
            <td data-field="user_agent"><small>${esc(c.user_agent)}</small></td>
            <td data-field="attributes">${clientAttributes(c)}</td>
            <td>${nodeLink(c.node ?? '')}</td>
            <td data-field="in_flight_count">${commafy(c.in_flight_count)}</td>
            <td data-field="ready_count">${commafy(c.ready_count)}</td>
            <td data-field="finish_count">${commafy(c.finish_count)}</td>
            <td data-field="requeue_count">${commafy(c.requeue_count)}</td>
            <td data-field="message_count">${commafy(c.message_count)}</td>
            <td data-field="connected">${formatDuration(connectedMs(c, now))}</td></tr>`;
        }).join(''));
  },
};
