// "/nodes/:node": one node (its HTTP address) with every topic, channel and client on it
// (GET /api/nodes/:node), the silo's details when it is a silo (from GET /api/nodes), and tombstone links.
import { api, bannersOf } from '../api.js';
import { commafy, esc, formatDuration, seg } from '../format.js';
import { tombstoneProducer } from '../actions.js';
import { clientAttributes, connectedMs, httpAddress, notice, pausedBadge, table, memoryPlusDisk } from './shared.js';
import { siloDetails } from './silo.js';

export const nodePage = {
  name: 'node',
  nav: 'nodes',
  title: ([node]) => `Node ${node}`,

  mount(page) {
    const [node] = page.params;
    page.content.innerHTML = `
      <ol class="breadcrumb"><li><a class="link" href="/nodes">Nodes</a></li><li class="active">${esc(node)}</li></ol>
      <h2>Node: <strong>${esc(node)}</strong></h2>
      <div data-part="producer"></div><div data-part="silo"></div><div data-part="topics"></div>`;
    page.content.addEventListener('click', (event) => {
      const button = event.target.closest('button[data-action="tombstone"]');
      if (button) {
        tombstoneProducer(page, node, button.dataset.topic);
      }
    });
  },

  async update(page) {
    const [node] = page.params;
    const [result, nodesResult] = await Promise.all([api.get(`/api/nodes/${seg(node)}`), api.get('/api/nodes')]);
    page.showBanners(bannersOf(result, nodesResult));
    const part = (name) => page.content.querySelector(`[data-part="${name}"]`);
    const producer = nodesResult.ok ? (nodesResult.data?.nodes ?? []).find((n) => httpAddress(n) === node) : undefined;

    part('producer').innerHTML = producer ? `<dl class="facts">
      <div><dt>Hostname</dt><dd>${esc(producer.hostname)}</dd></div>
      <div><dt>TCP</dt><dd>${esc(producer.broadcast_address)}:${esc(producer.tcp_port)}</dd></div>
      <div><dt>Version</dt><dd>${esc(producer.version)}</dd></div>
      <div><dt>Lookupd Conns.</dt><dd>${esc((producer.remote_addresses ?? []).length)}</dd></div></dl>` : '';
    part('silo').innerHTML = producer?.silo ? `<h4>Silo</h4>${siloDetails(producer.silo)}` : '';

    if (!result.ok) {
      part('topics').innerHTML = '';
      return;
    }
    const data = result.data ?? {};
    const topics = [...(data.topics ?? [])].sort((a, b) => a.topic_name.localeCompare(b.topic_name));
    if (topics.length === 0) {
      part('topics').innerHTML = notice('Notice', 'No topics exist on this node.');
      return;
    }
    const now = Date.now();
    const rows = topics.map((t) => {
      const channels = [...(t.channels ?? [])].sort((a, b) => a.channel_name.localeCompare(b.channel_name));
      const channelRows = channels.length === 0
        ? '<tr><td></td><td colspan="10" class="muted">No channels exist for this topic.</td></tr>'
        : channels.map((c) => {
          const clients = c.clients ?? [];
          const clientRows = clients.length === 0
            ? '<tr><td></td><td></td><td colspan="9" class="muted">No clients connected to this channel.</td></tr>'
            : '<tr class="subhead"><th></th><th></th><th>Client Host</th><th>User-Agent</th><th>Attributes</th><th>In-Flight</th><th>Ready Count</th><th>Requeued</th><th>Finished</th><th>Messages</th><th>Connected</th></tr>'
              + clients.map((cl) => `<tr data-client="${esc(cl.remote_address)}"><td></td><td></td>
                <td title="${esc(cl.remote_address)}">${esc(cl.hostname)}:${esc((cl.remote_address ?? '').split(':').pop())}</td>
                <td><small>${esc(cl.user_agent)}</small></td><td>${clientAttributes(cl)}</td>
                <td>${commafy(cl.in_flight_count)}</td><td>${commafy(cl.ready_count)}</td><td>${commafy(cl.requeue_count)}</td>
                <td>${commafy(cl.finish_count)}</td><td>${commafy(cl.message_count)}</td><td>${formatDuration(connectedMs(cl, now))}</td></tr>`).join('');
          return `<tr class="subhead"><th></th><th>Channel</th><th>Depth</th><th>Memory + Disk</th><th>In-Flight</th><th>Deferred</th><th>Requeued</th><th>Timed Out</th><th>Messages</th><th>Connections</th><th></th></tr>
            <tr class="channel-row" data-channel="${esc(t.topic_name)}/${esc(c.channel_name)}"><td></td>
              <td><a class="link" href="/topics/${seg(t.topic_name)}/${seg(c.channel_name)}">${esc(c.channel_name)}</a>${pausedBadge(c.paused)}</td>
              <td>${commafy(c.depth)}</td><td>${memoryPlusDisk(c)}</td>
              <td>${commafy(c.in_flight_count)}</td><td>${commafy(c.deferred_count)}</td><td>${commafy(c.requeue_count)}</td>
              <td>${commafy(c.timeout_count)}</td><td>${commafy(c.message_count)}</td><td>${commafy(clients.length)}</td><td></td></tr>${clientRows}`;
        }).join('');
      return `<tr class="subhead"><th colspan="2">Topic</th><th>Depth</th><th>Memory + Disk</th><th colspan="5"></th><th>Messages</th><th>Channels</th></tr>
        <tr class="topic-row" data-topic="${esc(t.topic_name)}">
          <td colspan="2"><button class="link-button danger" data-action="tombstone" data-topic="${esc(t.topic_name)}" title="tombstone this node for the topic" aria-label="tombstone ${esc(t.topic_name)}">✘</button>
            <a class="link" href="/topics/${seg(t.topic_name)}">${esc(t.topic_name)}</a>${pausedBadge(t.paused)}</td>
          <td>${commafy(t.depth)}</td><td>${memoryPlusDisk(t)}</td><td colspan="5"></td>
          <td>${commafy(t.message_count)}</td><td>${commafy(channels.length)}</td></tr>${channelRows}`;
    }).join('');
    part('topics').innerHTML = `<p class="summary"><strong>${commafy(topics.length)}</strong> Topics ·
        <strong data-field="total_messages">${commafy(data.total_messages)}</strong> Messages ·
        <strong data-field="total_clients">${commafy(data.total_clients)}</strong> Clients</p>`
      + table('class="data node-table" data-table="node-topics"', '', rows);
  },
};
