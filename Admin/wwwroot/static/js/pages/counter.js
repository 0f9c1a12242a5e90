// "/counter": the fleet's message count (the sum of every channel's message_count on every node, GET /api/counter,
// as nsqadmin's counter), its rate and history, live.
import { api, bannersOf } from '../api.js';
import { commafy, formatRate } from '../format.js';
import { currentRate, sample } from '../rates.js';
import { rateChart } from '../chart.js';

const counterKey = 'counter';

export const counterPage = {
  name: 'counter',
  nav: 'counter',
  title: () => 'Counter',

  mount(page) {
    page.content.innerHTML = `<div class="counter">
      <div class="counter-digits" data-part="count" aria-live="polite">–</div>
      <p class="processed">Messages Processed</p>
      <p class="counter-rate" data-part="rate"></p>
      <div data-part="chart"></div></div>`;
  },

  async update(page) {
    const result = await api.get('/api/counter');
    const at = Date.now();
    page.showBanners(bannersOf(result));
    if (!result.ok) {
      return;
    }
    let total = 0;
    for (const stats of Object.values(result.data?.stats ?? {})) {
      total += stats.message_count ?? 0;
    }
    sample(counterKey, total, at);
    const part = (name) => page.content.querySelector(`[data-part="${name}"]`);
    const count = part('count');
    count.dataset.count = String(total);
    count.innerHTML = [...commafy(total)].map((c) => (c === ',' ? '<span class="sep">,</span>' : `<span class="digit">${c}</span>`)).join('');
    const rate = currentRate(counterKey);
    part('rate').textContent = rate === null ? '' : `${formatRate(rate)} messages`;
    part('chart').innerHTML = rateChart(counterKey, 'Messages/s, whole fleet');
  },
};
