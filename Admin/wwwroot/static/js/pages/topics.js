// "/" and "/topics": every topic in the fleet (GET /api/topics) with its totals and rate, summed from each node's
// stats (GET /api/nodes, then GET /api/nodes/:node): one request per node instead of one per topic.
import { api, bannersOf } from '../api.js';
import { commafy, esc, formatRate, seg } from '../format.js';
import { rateKeys, sample, currentRate } from '../rates.js';
import { sparkline, rateChart } from '../chart.js';
import { createForm, wireCreateForm } from '../actions.js';
import { httpAddress, pausedBadge, table, notice } from './shared.js';

export const topicsPage = {
  name: 'topics',
  nav: 'topics',
  title: () => 'Topics',

  mount(page) {
    page.content.innerHTML = `<h2>Topics</h2><div data-part="fleet"></div><div data-part="list"></div>${createForm()}`;
    wireCreateForm(page, page.content);
  },

  async update(page) {
    const [topicsResult, nodesResult] = await Promise.all([api.get('/api/topics'), api.get('/api/nodes')]);
    const nodes = nodesResult.ok ? (nodesResult.data?.nodes ?? []) : [];
    const nodeResults = await Promise.all(nodes.map((n) => api.get(`/api/nodes/${seg(httpAddress(n))}`)));
    const at = Date.now();
    page.showBanners(bannersOf(topicsResult, nodesResult, ...nodeResults));

    const totals = new Map();
    const complete = nodesResult.ok && nodeResults.every((r) => r.ok);
    for (const result of nodeResults) {
      for (const stats of result.ok ? (result.data?.topics ?? []) : []) {
        const total = totals.get(stats.topic_name) ?? { depth: 0, message_count: 0, channels: new Set(), paused: false, nodes: 0 };
        total.depth += stats.depth ?? 0;
        total.message_count += stats.message_count ?? 0;
        total.paused ||= Boolean(stats.paused);
        total.nodes += 1;
        for (const channel of stats.channels ?? []) {
          total.channels.add(channel.channel_name);
        }
        totals.set(stats.topic_name, total);
      }
    }
    const names = [...new Set([...(topicsResult.ok ? (topicsResult.data?.topics ?? []) : []), ...totals.keys()])].sort();
    let fleetCount = 0;
    for (const name of names) {
      const total = totals.get(name);
      fleetCount += total?.message_count ?? 0;
      // A sum that misses a node would look like a drop in the counter: sample only complete sums.
      if (complete && total) {
        sample(rateKeys.topic(name), total.message_count, at);
      }
    }
    if (complete) {
      sample(rateKeys.fleet(), fleetCount, at);
    }

    page.content.querySelector('[data-part="fleet"]').innerHTML = names.length > 0 ? rateChart(rateKeys.fleet(), 'Messages/s, all topics') : '';
    page.content.querySelector('[data-part="list"]').innerHTML = names.length === 0
      ? notice('Notice', 'No Topics Found')
      : table('class="data" data-table="topics"',
        '<tr><th>Topic</th><th>Depth</th><th>Messages</th><th>Channels</th><th>Nodes</th><th>Rate</th><th class="chart-cell">History</th></tr>',
        names.map((name) => {
          const total = totals.get(name);
          const key = rateKeys.topic(name);
          return `<tr data-topic="${esc(name)}">
            <td><a class="link" href="/topics/${seg(name)}">${esc(name)}</a>${pausedBadge(total?.paused)}</td>
            <td data-field="depth">${commafy(total?.depth)}</td>
            <td data-field="message_count">${commafy(total?.message_count)}</td>
            <td data-field="channels">${commafy(total?.channels.size)}</td>
            <td>${commafy(total?.nodes ?? 0)}</td>
            <td class="rate" data-field="rate">${formatRate(currentRate(key))}</td>
            <td class="chart-cell">${sparkline(key)}</td></tr>`;
        }).join(''));
  },
};

