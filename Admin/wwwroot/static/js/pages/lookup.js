// "/lookup": the nsqlookupd hosts (GET /config/nsqlookupd_http_addresses), the topics and channels lookupd knows
// that no node produces (GET /api/topics?inactive=true), the tombstoned producers (GET /api/nodes), and the form
// that creates a topic or channel.
import { api, bannersOf } from '../api.js';
import { esc, seg } from '../format.js';
import { createForm, deleteChannel, deleteTopic, wireCreateForm } from '../actions.js';
import { httpAddress, nodeLink, notice, table } from './shared.js';

export const lookupPage = {
  name: 'lookup',
  nav: 'lookup',
  title: () => 'Lookup',

  mount(page) {
    page.content.innerHTML = `<h2>Lookup</h2>
      <div data-part="lookupd"></div>
      <h4>Inactive Topics</h4><div data-part="inactive"></div>
      <h4>Tombstoned Producers</h4><div data-part="tombstones"></div>
      ${createForm()}
      <p class="muted">If <em>Channel Name</em> is empty, just the topic is created. This sets up a stream hierarchy before services are deployed.</p>`;
    wireCreateForm(page, page.content);
    const stay = () => page.refresh();
    page.content.addEventListener('click', (event) => {
      const button = event.target.closest('button[data-action]');
      if (!button) {
        return;
      }
      if (button.dataset.action === 'delete-topic') {
        deleteTopic(page, button.dataset.topic, stay);
      } else if (button.dataset.action === 'delete-channel') {
        deleteChannel(page, button.dataset.topic, button.dataset.channel, stay);
      }
    });
  },

  async update(page) {
    const [lookupdResult, inactiveResult, nodesResult] = await Promise.all([
      api.get('/config/nsqlookupd_http_addresses'), api.get('/api/topics?inactive=true'), api.get('/api/nodes')]);
    page.showBanners(bannersOf(lookupdResult, inactiveResult, nodesResult));
    const part = (name) => page.content.querySelector(`[data-part="${name}"]`);

    const lookupds = lookupdResult.ok && Array.isArray(lookupdResult.data) ? lookupdResult.data : [];
    part('lookupd').innerHTML = !lookupdResult.ok ? '' : lookupds.length === 0
      ? notice('Notice', 'No nsqlookupd host is configured: the fleet is read from this node\'s own lookupd.')
      : table('class="data narrow" data-table="lookupd"', '<tr><th>nsqlookupd Host</th></tr>',
        lookupds.map((host) => `<tr><td>${esc(host)}</td></tr>`).join(''));

    const inactive = inactiveResult.ok ? (inactiveResult.data?.topics ?? {}) : {};
    const names = Object.keys(inactive).sort();
    part('inactive').innerHTML = !inactiveResult.ok ? '' : names.length === 0
      ? notice('Notice', 'No inactive Topics')
      : `<p class="muted">Topics/channels present in the lookup data but not produced on any nsqd in the cluster.</p>
        <ul class="tree" data-list="inactive">${names.map((topic) => `<li data-topic="${esc(topic)}">
          <button class="link-button danger" data-action="delete-topic" data-topic="${esc(topic)}" aria-label="delete topic ${esc(topic)}">✘</button>
          <a class="link" href="/topics/${seg(topic)}">${esc(topic)}</a>
          <ul>${(inactive[topic] ?? []).map((channel) => `<li data-channel="${esc(channel)}">
            <button class="link-button danger" data-action="delete-channel" data-topic="${esc(topic)}" data-channel="${esc(channel)}" aria-label="delete channel ${esc(topic)}/${esc(channel)}">✘</button>
            <a class="link" href="/topics/${seg(topic)}/${seg(channel)}">${esc(channel)}</a></li>`).join('')}</ul></li>`).join('')}</ul>`;

    const tombstones = [];
    for (const node of nodesResult.ok ? (nodesResult.data?.nodes ?? []) : []) {
      for (const topic of node.topics ?? []) {
        if (topic.tombstoned) {
          tombstones.push({ node: httpAddress(node), topic: topic.topic });
        }
      }
    }
    tombstones.sort((a, b) => a.topic.localeCompare(b.topic) || a.node.localeCompare(b.node));
    part('tombstones').innerHTML = !nodesResult.ok ? '' : tombstones.length === 0
      ? notice('Notice', 'No topic is tombstoned on any node')
      : table('class="data narrow" data-table="tombstones"', '<tr><th>Topic</th><th>Node</th></tr>',
        tombstones.map((t) => `<tr data-topic="${esc(t.topic)}"><td><a class="link" href="/topics/${seg(t.topic)}">${esc(t.topic)}</a></td><td>${nodeLink(t.node)}</td></tr>`).join(''));
  },
};
