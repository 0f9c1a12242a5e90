// The single-page app: nsqadmin's routes, one page at a time, refreshed live every few seconds without a reload.
import { esc } from './format.js';
import { topicsPage } from './pages/topics.js';
import { topicPage } from './pages/topic.js';
import { channelPage } from './pages/channel.js';
import { nodesPage } from './pages/nodes.js';
import { nodePage } from './pages/node.js';
import { lookupPage } from './pages/lookup.js';
import { counterPage } from './pages/counter.js';

const routes = [
  [/^\/(?:topics\/?)?$/, topicsPage],
  [/^\/topics\/([^/]+)\/?$/, topicPage],
  [/^\/topics\/([^/]+)\/([^/]+)\/?$/, channelPage],
  [/^\/nodes\/?$/, nodesPage],
  [/^\/nodes\/([^/]+)\/?$/, nodePage],
  [/^\/lookup\/?$/, lookupPage],
  [/^\/counter\/?$/, counterPage],
];

const intervalKey = 'orleans-nsq-admin.refresh-ms';
const defaultIntervalMs = 5000;
const intervalSelect = document.getElementById('refresh-interval');
const lastUpdate = document.getElementById('last-update');

let current = null;

function refreshIntervalMs() {
  const stored = Number(localStorage.getItem(intervalKey) ?? defaultIntervalMs);
  return Number.isFinite(stored) && stored >= 0 ? stored : defaultIntervalMs;
}

function renderBanners(element, banners) {
  // Several calls of one refresh can report the same failure (each node's request names the same lookupd).
  const unique = banners.filter((b, i) => banners.findIndex((o) => o.kind === b.kind && o.text === b.text) === i);
  element.innerHTML = unique
    .map((b) => `<div class="banner banner-${b.kind}" role="${b.kind === 'error' ? 'alert' : 'status'}">${esc(b.text)}</div>`)
    .join('');
}

/** The running page: its elements, its refresh loop and what it may ask of the app. */
class PageRun {
  constructor(page, params) {
    this.page = page;
    this.params = params;
    this.view = document.createElement('main');
    this.view.className = `page page-${page.name}`;
    this.view.innerHTML = '<div class="banners" data-banners="live"></div><div class="banners" data-banners="action"></div><div class="page-content"></div>';
    this.content = this.view.querySelector('.page-content');
    this.timer = null;
    this.running = null;
    this.stopped = false;
  }

  get active() {
    return !this.stopped;
  }

  /** Banners of the latest refresh (API errors and warnings); replaced on every refresh. */
  showBanners(banners) {
    renderBanners(this.view.querySelector('[data-banners="live"]'), banners);
  }

  /** The outcome of an action; stays until the next action. */
  showActionBanners(banners) {
    renderBanners(this.view.querySelector('[data-banners="action"]'), banners);
  }

  navigate(path) {
    navigate(path);
  }

  /** Refreshes now (after an action), then goes on at the chosen interval. */
  async refresh() {
    clearTimeout(this.timer);
    if (this.running) {
      await this.running;
    }
    await this.tick();
  }

  async tick() {
    if (this.stopped) {
      return;
    }
    if (document.hidden) {
      // A background tab asks for nothing; the page refreshes when it is shown again.
      return;
    }
    this.running = (async () => {
      try {
        await this.page.update(this);
        lastUpdate.textContent = `updated ${new Date().toLocaleTimeString('en-GB')}`;
      } catch (error) {
        // A failure of the page's own code: said on the page, and the next refresh tries again.
        this.showBanners([{ kind: 'error', text: `this page failed to render: ${error.message}` }]);
      }
    })();
    await this.running;
    this.running = null;
    this.schedule();
  }

  schedule() {
    clearTimeout(this.timer);
    const interval = refreshIntervalMs();
    if (!this.stopped && interval > 0) {
      this.timer = setTimeout(() => this.tick(), interval);
    }
  }

  stop() {
    this.stopped = true;
    clearTimeout(this.timer);
  }
}

function show(path) {
  current?.stop();
  const view = document.getElementById('view');
  let matched = null;
  for (const [pattern, page] of routes) {
    const match = pattern.exec(path);
    if (match) {
      matched = { page, params: match.slice(1).map(decodeURIComponent) };
      break;
    }
  }
  if (!matched) {
    view.innerHTML = `<main class="page"><h2>Not found</h2><p>No page at ${esc(path)}. <a class="link" href="/">Streams</a></p></main>`;
    document.title = 'not found · nsqadmin';
    return;
  }
  current = new PageRun(matched.page, matched.params);
  view.replaceChildren(current.view);
  document.title = `${matched.page.title(matched.params)} · nsqadmin`;
  for (const link of document.querySelectorAll('[data-nav]')) {
    link.classList.toggle('active', link.dataset.nav === matched.page.nav);
  }
  matched.page.mount(current);
  current.tick();
}

function navigate(path) {
  if (path !== location.pathname) {
    history.pushState(null, '', path);
  }
  show(location.pathname);
}

document.addEventListener('click', (event) => {
  const link = event.target.closest('a.link');
  if (!link || event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) {
    return;
  }
  const url = new URL(link.href, location.href);
  if (url.origin !== location.origin) {
    return;
  }
  event.preventDefault();
  navigate(url.pathname);
});

window.addEventListener('popstate', () => show(location.pathname));
document.addEventListener('visibilitychange', () => {
  if (!document.hidden) {
    current?.refresh();
  }
});

intervalSelect.value = String(refreshIntervalMs());
intervalSelect.addEventListener('change', () => {
  localStorage.setItem(intervalKey, intervalSelect.value);
  current?.schedule();
});

show(location.pathname);
