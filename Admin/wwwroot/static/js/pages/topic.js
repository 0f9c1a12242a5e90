// "/topics/:topic": the topic on each node and in total (GET /api/topics/:topic), its channels, its rate, and the
// topic actions (empty, delete, pause/unpause, tombstone a producer).
import { api, bannersOf } from '../api.js';
import { commafy, esc, formatRate, seg } from '../format.js';
import { rateKeys, sample, currentRate } from '../rates.js';
import { sparkline, rateChart } from '../chart.js';
import { topicAction, deleteTopic, tombstoneProducer, createForm, wireCreateForm } from '../actions.js';
import { channelSums, latencyCells, latencyHead, latencyQuantiles, memoryPlusDisk, nodeLabel, notice, pausedBadge, table } from './shared.js';

export const topicPage = {
  name: 'topic',
  nav: 'topics',
  title: ([topic]) => `Topic ${topic}`,

  mount(page) {
    const [topic] = page.params;
    page.content.innerHTML = `
      <ol class="breadcrumb"><li><a class="link" href="/">Streams</a></li><li class="active">${esc(topic)}</li></ol>
      <h2>Topic: <strong>${esc(topic)}</strong> <span data-part="paused"></span></h2>
      <div class="actions" data-part="actions"></div>
      <div data-part="chart"></div>
      <h4>Topic Message Queue</h4><div data-part="nodes"></div>
      <h4>Channel Message Queues</h4><div data-part="channels"></div>
      ${createForm(topic)}`;
    wireCreateForm(page, page.content);
    page.content.addEventListener('click', (event) => {
      const button = event.target.closest('button[data-action]');
      if (!button) {
        return;
      }
      const action = button.dataset.action;
      if (action === 'delete') {
        deleteTopic(page, topic);
      } else if (action === 'tombstone') {
        // Without its last producer the topic page has nothing left to show (nsqadmin answers it with an error).
        const lastProducer = page.content.querySelectorAll('button[data-action="tombstone"]').length <= 1;
        tombstoneProducer(page, button.dataset.node, topic, lastProducer ? () => page.navigate('/') : undefined);
      } else {
        topicAction(page, topic, action);
      }
    });
  },

  async update(page) {
    const [topic] = page.params;
    const result = await api.get(`/api/topics/${seg(topic)}`);
    const at = Date.now();
    page.showBanners(bannersOf(result));
    const stats = result.ok ? (result.data ?? {}) : {};
    const nodes = stats.nodes ?? [];
    const channels = [...(stats.channels ?? [])].sort((a, b) => a.channel_name.localeCompare(b.channel_name));
    const part = (name) => page.content.querySelector(`[data-part="${name}"]`);

    if (result.ok) {
      sample(rateKeys.topic(topic), stats.message_count ?? 0, at);
      for (const node of nodes) {
        sample(rateKeys.topic(topic, node.node), node.message_count, at);
      }
      for (const channel of channels) {
        sample(rateKeys.channel(topic, channel.channel_name), channel.message_count, at);
      }
    }

    part('paused').innerHTML = pausedBadge(stats.paused);
    part('actions').innerHTML = nodes.length === 0 ? '' : `
      <button class="btn btn-warning" data-action="empty">Empty Queue</button>
      <button class="btn btn-danger" data-action="delete">Delete Topic</button>
      ${stats.paused
        ? '<button class="btn btn-success" data-action="unpause">UnPause Topic</button>'
        : '<button class="btn btn-primary" data-action="pause">Pause Topic</button>'}`;
    part('chart').innerHTML = result.ok ? rateChart(rateKeys.topic(topic), `Messages/s, topic ${topic}`) : '';

    if (!result.ok) {
      part('nodes').innerHTML = '';
    } else if (nodes.length === 0) {
      part('nodes').innerHTML = notice('Notice', 'No producers exist for this topic. See <a class="link" href="/lookup">Lookup</a> for more information.');
    } else {
      const quantiles = latencyQuantiles(stats, ...nodes);
      const row = (s, label, key, attributes) => {
        const sums = channelSums(s.channels);
        return `<tr ${attributes}>
          <td>${label}</td>
          <td data-field="depth">${commafy(s.depth)}</td>
          <td data-field="memory_backend">${memoryPlusDisk(s)}</td>
          <td data-field="in_flight_count">${commafy(sums.in_flight_count)}</td>
          <td data-field="deferred_count">${commafy(sums.deferred_count)}</td>
          <td data-field="message_count">${commafy(s.message_count)}</td>
          <td data-field="requeue_count">${commafy(sums.requeue_count)}</td>
          <td data-field="timeout_count">${commafy(sums.timeout_count)}</td>
          <td class="rate" data-field="rate">${formatRate(currentRate(key))}</td>
          <td class="chart-cell">${sparkline(key)}</td>
          <td data-field="channels">${commafy((s.channels ?? []).length)}</td>${latencyCells(s, quantiles)}</tr>`;
      };
      const nodeRows = nodes.map((n) => row(n,
        `<button class="link-button danger" data-action="tombstone" data-node="${esc(n.node)}" title="tombstone this producer for the topic" aria-label="tombstone ${esc(n.node)}">✘</button> ${nodeLabel(n)}${pausedBadge(n.paused)}`,
        rateKeys.topic(topic, n.node), `data-node="${esc(n.node)}"`)).join('');
      const totalRow = row({ ...stats, channels }, '<strong>Total</strong>', rateKeys.topic(topic), 'class="total" data-node="*"');
      part('nodes').innerHTML = table('class="data" data-table="topic-nodes"',
        `<tr><th>NSQd Host</th><th>Depth</th><th>Memory + Disk</th><th>In-Flight</th><th>Deferred</th><th>Messages</th><th>Requeued</th><th>Timed Out</th><th>Rate</th><th class="chart-cell">History</th><th>Channels</th>${latencyHead(quantiles)}</tr>`,
        nodeRows + totalRow);
    }

    const channelQuantiles = latencyQuantiles(...channels);
    part('channels').innerHTML = !result.ok ? '' : channels.length === 0
      ? notice('Notice', 'No channels exist for this topic. Messages will queue at the topic until a channel is created.')
      : table('class="data" data-table="channels"',
        `<tr><th>Channel</th><th>Depth</th><th>Memory + Disk</th><th>In-Flight</th><th>Deferred</th><th>Requeued</th><th>Timed Out</th><th>Messages</th><th>Connections</th><th>Rate</th><th class="chart-cell">History</th>${latencyHead(channelQuantiles)}</tr>`,
        channels.map((c) => {
          const key = rateKeys.channel(topic, c.channel_name);
          return `<tr data-channel="${esc(c.channel_name)}">
            <td><a class="link" href="/topics/${seg(topic)}/${seg(c.channel_name)}">${esc(c.channel_name)}</a>${pausedBadge(c.paused)}</td>
            <td data-field="depth">${commafy(c.depth)}</td>
            <td data-field="memory_backend">${memoryPlusDisk(c)}</td>
            <td data-field="in_flight_count">${commafy(c.in_flight_count)}</td>
            <td data-field="deferred_count">${commafy(c.deferred_count)}</td>
            <td data-field="requeue_count">${commafy(c.requeue_count)}</td>
            <td data-field="timeout_count">${commafy(c.timeout_count)}</td>
            <td data-field="message_count">${commafy(c.message_count)}</td>
            <td data-field="client_count">${commafy(c.client_count)}</td>
            <td class="rate" data-field="rate">${formatRate(currentRate(key))}</td>
            <td class="chart-cell">${sparkline(key)}</td>${latencyCells(c, channelQuantiles)}</tr>`;
        }).join(''));
  },
};
