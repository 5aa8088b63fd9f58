// The swarm: members (online, throughput), invite codes (create, copy,
// revoke), removing a member, and what this node can render.
// API: GET /api/peers, DELETE /api/peers/ID, GET|POST /api/invites,
// DELETE /api/invites/ID (docs/API.md).
import { h, toast, set } from '../lib/dom.js';
import { api } from '../lib/api.js';
import { on } from '../lib/events.js';

const TTLS = [['1h', 'an hour'], ['24h', 'a day'], ['7d', 'a week']];

function fmtRate(bytesPerSecond) {
  const b = Math.max(0, bytesPerSecond || 0);
  if (b < 1024) return `${Math.round(b)} B/s`;
  if (b < 1024 * 1024) return `${(b / 1024).toFixed(1)} KiB/s`;
  return `${(b / 1024 / 1024).toFixed(1)} MiB/s`;
}

function fmtPerMinute(n) { return n >= 10 ? String(Math.round(n)) : n.toFixed(1); }

function short(id) { return `${id.slice(0, 16)}…`; }

export async function render(view) {
  const members = h('ul.members');
  const invites = h('ul.invites');
  const self = h('dl.self');

  function memberRow(m, selfId, load) {
    const state = m.removed ? 'removed' : m.self ? 'this node' : m.online ? 'online' : 'offline';
    const detail = m.removed ? 'removed from the swarm'
      : m.self ? ''
      : m.online ? `↓ ${fmtRate(m.rate_in)} ↑ ${fmtRate(m.rate_out)}`
      : m.last_seen ? `last seen ${new Date(m.last_seen).toLocaleString()}` : 'not seen yet';
    const speed = m.removed ? null
      : h('span.tag.throughput', { title: 'sentences rendered by this node in the last minute' },
        m.per_minute > 0 ? `${fmtPerMinute(m.per_minute)} sentences/min` : 'idle');
    return h('li.member', { dataset: { node: m.node_id } },
      h('span', { class: m.online && !m.removed ? 'dot on' : 'dot', role: 'img', 'aria-label': state }),
      h('strong', m.name || 'unnamed'),
      h('span.mono', { title: m.node_id }, short(m.node_id)),
      m.self ? h('span.tag', 'this node') : null,
      m.removed ? h('span.tag', 'removed') : null,
      speed,
      detail ? h('span.muted', detail) : null,
      !m.self && !m.removed && m.node_id !== selfId ? h('button.small.danger', { type: 'button', onclick: async () => {
        if (!confirm(`Remove ${m.name || short(m.node_id)}? Its work stops counting and it can no longer connect.`)) return;
        try { await api.del(`/api/peers/${encodeURIComponent(m.node_id)}`); toast('Member removed.'); load(); } catch (e) { toast(e.message, 'error'); }
      } }, 'Remove') : null);
  }

  async function load() {
    const [status, peers, inv] = await Promise.all([
      api.get('/api/status'), api.get('/api/peers'), api.get('/api/invites')]);
    set(self,
      h('dt', 'Node id'), h('dd.mono', status.node_id),
      h('dt', 'Swarm'), h('dd.mono', status.network_id),
      h('dt', 'Engines'), h('dd', peers.node.engines.join(', ')),
      h('dt', 'Render workers'), h('dd', peers.node.render ? String(peers.node.workers) : 'none (render = no)'));
    set(members, ...peers.members.map((m) => memberRow(m, peers.self, load)));
    if (peers.members.filter((m) => !m.removed).length <= 1) members.append(h('li.empty.muted', 'Only this node so far. Invite a friend below.'));
    set(invites, ...inv.invites.map((i) => h('li', { dataset: { invite: i.invite_id } },
      h('span.mono', i.invite_id.slice(0, 8)), ' ',
      h('span.muted', `expires ${new Date(i.expires).toLocaleString()}`), ' ',
      h('button.small', { type: 'button', onclick: async () => {
        try { await api.del(`/api/invites/${encodeURIComponent(i.invite_id)}`); toast('Invite revoked.'); load(); } catch (e) { toast(e.message, 'error'); }
      } }, 'Revoke'))));
    if (!inv.invites.length) invites.append(h('li.empty.muted', 'No open invites.'));
  }

  const ttl = h('select', { 'aria-label': 'Valid for' }, TTLS.map(([v, l]) => h('option', { value: v, selected: v === '24h' }, l)));
  const codeBox = h('div.code-box');
  const create = h('button.primary', { type: 'button', onclick: async () => {
    try {
      const r = await api.post('/api/invites', { ttl: ttl.value });
      const code = h('textarea.code', { readonly: true, rows: 3, 'aria-label': 'Invite code' }, r.code);
      set(codeBox, code, h('div.row',
        h('button.copy', { type: 'button', onclick: async () => {
          try { await navigator.clipboard.writeText(r.code); toast('Invite code copied.'); } catch { code.select(); toast('Press Ctrl+C to copy.', 'error'); }
        } }, 'Copy'),
        h('span.muted', `Your friend runs: glowtalk join CODE (works once, until ${new Date(r.expires).toLocaleString()})`)));
      load();
    } catch (e) { toast(`Cannot make an invite: ${e.message}`, 'error'); }
  } }, 'Create invite code');

  set(view,
    h('section.card', h('h2', 'Members'), members),
    h('section.card', h('h2', 'Invite a friend'),
      h('p', 'A code works once, for the time you choose. The code is shown only now: send it to your friend privately.'),
      h('div.row', h('label', 'Valid for ', ttl), create), codeBox,
      h('h3', 'Open invites'), invites),
    h('section.card', h('h2', 'This node'), self));
  await load();
  const offPeer = on('peer', () => load().catch(() => {}));
  const offSwarm = on('swarm', () => load().catch(() => {}));
  return () => { offPeer(); offSwarm(); };
}
