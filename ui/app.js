// Glowtalk UI: a hash router over a few pages, a player that stays on
// screen, and live updates. Plain ES modules: no build step.
import { h, $, toast, set, features } from './lib/dom.js';
import { connect } from './lib/events.js';
import { player } from './player.js';
import * as home from './pages/home.js';
import * as book from './pages/book.js';
import * as swarm from './pages/swarm.js';

const routes = [
  [/^#?\/?$/, home],
  [/^#\/books\/([^/]+)(?:\/(cast|read|lexicon|download))?$/, book],
  [/^#\/swarm$/, swarm],
];

let current = null; // {page, cleanup}

async function route() {
  const hash = location.hash || '#/';
  for (const [re, page] of routes) {
    const m = hash.match(re);
    if (!m) continue;
    if (current?.cleanup) current.cleanup();
    const view = $('#view');
    set(view, h('p.muted', 'Loading…'));
    current = { page };
    try {
      current.cleanup = await page.render(view, ...m.slice(1));
    } catch (e) {
      set(view, h('div.card.error', h('h2', 'Something went wrong'), h('p', e.message)));
    }
    for (const a of document.querySelectorAll('.top nav a')) {
      a.toggleAttribute('aria-current', a.getAttribute('href') === hash.split('/').slice(0, 2).join('/') || (a.getAttribute('href') === '#/' && page === home));
    }
    return;
  }
  set($('#view'), h('div.card', h('h2', 'Not found'), h('p', 'There is no such page. ', h('a', { href: '#/' }, 'Back to your stories'))));
}

// A page with unsaved work returns false from canLeave().
let lastHash = location.hash;
window.addEventListener('hashchange', () => {
  if (current?.page?.canLeave && !current.page.canLeave()) {
    if (!confirm('You have unsaved changes. Leave this page anyway?')) {
      history.replaceState(null, '', lastHash || '#/');
      return;
    }
  }
  lastHash = location.hash;
  route();
});
window.addEventListener('beforeunload', (e) => {
  if (current?.page?.canLeave && !current.page.canLeave()) e.preventDefault();
});
window.addEventListener('glowtalk:reset', () => route());

connect((up) => {
  const live = $('#live');
  live.classList.toggle('down', !up);
  live.title = up ? 'Live updates: connected' : 'Live updates: reconnecting…';
});
player.mount($('#player'));
// Show only what this node can do.
features().then((f) => {
  for (const a of document.querySelectorAll('[data-feature]')) a.hidden = !f.has(a.dataset.feature);
});
route().catch((e) => toast(e.message, 'error'));
