// "/nodes": every producer of the fleet (GET /api/nodes): silos and nsqd nodes registered with lookupd. A silo
// carries a "silo" object (membership status, version, uptime, memory, hosted topics).
import { api, bannersOf } from '../api.js';
import { esc, seg } from '../format.js';
import { httpAddress, notice, table } from './shared.js';
import { siloCells, siloHead } from './silo.js';

export const nodesPage = {
  name: 'nodes',
  nav: 'nodes',
  title: () => 'Nodes',

  mount(page) {
    page.content.innerHTML = '<h2 data-part="heading">NSQd Nodes</h2><div data-part="list"></div>';
  },

  async update(page) {
    const result = await api.get('/api/nodes');
    page.showBanners(bannersOf(result));
    if (!result.ok) {
      return;
    }
    const nodes = [...(result.data?.nodes ?? [])].sort((a, b) => httpAddress(a).localeCompare(httpAddress(b)));
    const anySilo = nodes.some((n) => n.silo);
    // nsqadmin always shows Region and Zone; here only when some node has a topology, to keep the table narrow.
    const anyTopology = nodes.some((n) => n.topology_region || n.topology_zone);
    const topology = (n) => (anyTopology ? `<td>${esc(n.topology_region)}</td><td>${esc(n.topology_zone)}</td>` : '');
    page.content.querySelector('[data-part="heading"]').textContent = `NSQd Nodes (${nodes.length})`;
    page.content.querySelector('[data-part="list"]').innerHTML = nodes.length === 0
      ? notice('Notice', 'No nodes found')
      : table('class="data" data-table="nodes"',
        `<tr><th>Hostname</th><th>Broadcast Address</th><th>TCP Port</th><th>HTTP Port</th><th>Version</th>${anyTopology ? '<th>Region</th><th>Zone</th>' : ''}<th>Lookupd Conns.</th>${anySilo ? siloHead() : ''}<th>Topics</th></tr>`,
        nodes.map((n) => {
          const topics = [...(n.topics ?? [])].sort((a, b) => a.topic.localeCompare(b.topic));
          return `<tr data-node="${esc(httpAddress(n))}"${n.out_of_date ? ' class="out-of-date"' : ''}>
            <td>${esc(n.hostname)}</td>
            <td><a class="link" href="/nodes/${seg(httpAddress(n))}">${esc(n.broadcast_address)}</a></td>
            <td>${esc(n.tcp_port)}</td><td>${esc(n.http_port)}</td><td>${esc(n.version)}</td>
            ${topology(n)}
            <td title="${esc((n.remote_addresses ?? []).join(', '))}">${esc((n.remote_addresses ?? []).length)}</td>
            ${anySilo ? siloCells(n.silo) : ''}
            <td class="topic-labels">${topics.length > 0 ? `<span class="count">${topics.length}</span> ` : ''}${topics.map((t) =>
              `<a class="link badge ${t.tombstoned ? 'badge-warning' : 'badge-primary'}" href="/topics/${seg(t.topic)}"${t.tombstoned ? ' title="this topic is currently tombstoned on this node" data-tombstoned="true"' : ''}>${esc(t.topic)}</a>`).join(' ')}</td>
          </tr>`;
        }).join(''));
  },
};
