// Live updates from /api/events (Server-Sent Events). EventSource
// reconnects by itself and sends Last-Event-ID, so nothing is missed; a
// "reset" event means we were too far behind and views should reload.
const handlers = new Map();
let source = null;

export function on(type, fn) {
  if (!handlers.has(type)) {
    handlers.set(type, new Set());
    source?.addEventListener(type, dispatch);
  }
  handlers.get(type).add(fn);
  return () => handlers.get(type).delete(fn);
}

function dispatch(ev) {
  let data = null;
  try { data = JSON.parse(ev.data); } catch { return; }
  for (const fn of handlers.get(ev.type) ?? []) fn(data);
}

export function connect(onState) {
  source = new EventSource('/api/events');
  for (const type of handlers.keys()) source.addEventListener(type, dispatch);
  source.addEventListener('open', () => onState?.(true));
  source.addEventListener('error', () => onState?.(false));
  on('reset', () => window.dispatchEvent(new Event('glowtalk:reset')));
}
