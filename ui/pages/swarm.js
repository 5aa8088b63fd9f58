// The swarm: members (online, throughput), invite codes (create, copy,
// revoke), removing a member, and what this node can render.
import { h, toast, fmtCount, set } from '../lib/dom.js';
import { api } from '../lib/api.js';
import { on } from '../lib/events.js';

const TTLS = [['1h', 'an hour'], ['24h', 'a day'], ['7d', 'a week']];

export async function render(view) {
  const members = h('ul.members');
  const invites = h('ul.invites');
  const self = h('dl.self');

  async function load() {
    const [status, peers, inv] = await Promise.all([
      api.get('/api/status'), api.get('/api/peers'), api.get('/api/invites').catch(() => ({ invites: [] }))]);
    set(self, 
      h('dt', 'Node id'), h('dd.mono', status.node_id),
      h('dt', 'Swarm'), h('dd.mono', status.network_id),
      h('dt', 'Engines'), h('dd', (status.engines || ['espeak-ng']).join(', ')),
      h('dt', 'Workers'), h('dd', String(status.workers ?? '–')));
    set(members, ...peers.members.map((m) => h('li.member',
      h('span.dot', { class: m.online ? 'dot on' : 'dot', 'aria-label': m.online ? 'online' : 'offline' }),
      h('span.mono', m.node_id.slice(0, 16), '…'),
      m.node_id === peers.self ? h('span.tag', 'this node') : null,
      h('span.muted', m.online ? `${fmtCount(m.sentences_per_minute || 0)} sentences/min` : m.last_seen ? `last seen ${new Date(m.last_seen).toLocaleString()}` : 'not seen yet'),
      m.node_id !== peers.self ? h('button.small.danger', { type: 'button', onclick: async () => {
        if (!confirm('Remove this member? Its work stops counting and it can no longer connect.')) return;
        try { await api.del(`/api/peers/${encodeURIComponent(m.node_id)}`); toast('Member removed.'); load(); } catch (e) { toast(e.message, 'error'); }
      } }, 'Remove') : null)));
    if (!peers.members.length) members.append(h('li.empty', 'Only this node so far. Invite a friend below.'));
    set(invites, ...inv.invites.map((i) => h('li',
      h('span.muted', `expires ${new Date(i.expires_at).toLocaleString()}`), ' ',
      i.used ? h('span.tag', 'used') : h('button.small', { type: 'button', onclick: async () => {
        try { await api.del(`/api/invites/${encodeURIComponent(i.id)}`); toast('Invite revoked.'); load(); } catch (e) { toast(e.message, 'error'); }
      } }, 'Revoke'))));
  }

  const ttl = h('select', { 'aria-label': 'Valid for' }, TTLS.map(([v, l]) => h('option', { value: v, selected: v === '24h' }, l)));
  const codeBox = h('div.code-box');
  const create = h('button.primary', { type: 'button', onclick: async () => {
    try {
      const r = await api.post('/api/invites', { ttl: ttl.value });
      const code = h('textarea.code', { readonly: true, rows: 3, 'aria-label': 'Invite code' }, r.code);
      set(codeBox, code, h('div.row',
        h('button', { type: 'button', onclick: async () => {
          try { await navigator.clipboard.writeText(r.code); toast('Invite code copied.'); } catch { code.select(); toast('Press Ctrl+C to copy.', 'error'); }
        } }, 'Copy'),
        h('span.muted', `Your friend runs: glowtalk join CODE (valid until ${new Date(r.expires_at).toLocaleString()})`)));
      load();
    } catch (e) { toast(`Cannot make an invite: ${e.message}`, 'error'); }
  } }, 'Create invite code');

  set(view, 
    h('section.card', h('h2', 'Members'), members),
    h('section.card', h('h2', 'Invite a friend'),
      h('p', 'A code works once, for the time you choose. Anyone in the swarm can admit the friend who uses it.'),
      h('div.row', h('label', 'Valid for ', ttl), create), codeBox,
      h('h3', 'Open invites'), invites),
    h('section.card', h('h2', 'This node'), self));
  await load();
  return on('peers', () => load().catch(() => {}));
}
