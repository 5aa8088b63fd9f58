// Building DOM from data. Story text and names come from the internet, so
// they only ever become text nodes: nothing here sets innerHTML.

// h('button#save.primary', {onclick, type: 'button'}, 'Save', child, ...)
export function h(tag, attrs = {}, ...children) {
  const [head, ...classes] = tag.split('.');
  const [name, id] = head.split('#');
  const el = document.createElement(name || 'div');
  if (id) el.id = id;
  if (classes.length) el.className = classes.join(' ');
  if (attrs === null || typeof attrs !== 'object' || attrs instanceof Node || Array.isArray(attrs)) {
    children.unshift(attrs);
    attrs = {};
  }
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
    else if (k === 'dataset') Object.assign(el.dataset, v);
    else if (k === 'value') el.value = v;
    else if (k === 'checked') el.checked = !!v;
    else if (k === 'style') throw new Error('inline styles are blocked by the CSP: use classes');
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    if (Array.isArray(c)) append(el, c);
    else el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
}

// Replace el's children, skipping null/false (DOM's own replaceChildren
// would print them as text).
export function set(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

export const $ = (sel, root = document) => root.querySelector(sel);
export const $$ = (sel, root = document) => [...root.querySelectorAll(sel)];

// Screen-reader and visual notices.
export function toast(message, kind = 'info') {
  const box = $('#toasts');
  const t = h(`div.toast.${kind}`, { role: kind === 'error' ? 'alert' : 'status' }, message);
  box.append(t);
  setTimeout(() => t.remove(), kind === 'error' ? 9000 : 4000);
}

export function fmtDuration(seconds) {
  if (!Number.isFinite(seconds) || seconds < 0) return '–';
  const s = Math.round(seconds);
  const hh = Math.floor(s / 3600), mm = Math.floor((s % 3600) / 60), ss = s % 60;
  return hh ? `${hh}:${String(mm).padStart(2, '0')}:${String(ss).padStart(2, '0')}`
    : `${mm}:${String(ss).padStart(2, '0')}`;
}

export function fmtCount(n) {
  return Number(n || 0).toLocaleString();
}

// "1 post", "2 posts"; plural defaults to singular + "s".
export function plural(n, singular, pluralForm = `${singular}s`) {
  return `${fmtCount(n)} ${Number(n) === 1 ? singular : pluralForm}`;
}

// What this node can do (GET /api/status "features"), read once.
let featuresPromise = null;
export function features() {
  if (!featuresPromise) {
    featuresPromise = fetch('/api/status').then((r) => r.json()).then((s) => new Set(s.features || []))
      .catch(() => new Set());
  }
  return featuresPromise;
}

// Icons are third-party images: fall back to initials when one fails.
export function avatar(url, name, size = 40) {
  const initials = (name || '?').split(/\s+/).map((w) => w[0]).join('').slice(0, 2).toUpperCase();
  const fallback = h('span.avatar.initials', { 'aria-hidden': 'true' }, initials);
  // CSSOM, not a style attribute: the page's CSP forbids inline styles.
  fallback.style.width = `${size}px`;
  fallback.style.height = `${size}px`;
  if (!url) return fallback;
  const img = h('img.avatar', { src: url, alt: '', width: size, height: size, loading: 'lazy', referrerpolicy: 'no-referrer' });
  img.addEventListener('error', () => img.replaceWith(fallback), { once: true });
  return img;
}
