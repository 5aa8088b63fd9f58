// SPDX-License-Identifier: MIT
// Copyright (c) 2026 the Glowtalk developers
// A stand-in for glowfic.com on 127.0.0.1 for the import tests: the JSON
// API (posts, replies with paging and Total, boards, subcontinuities, error
// bodies) and HTML pages (paginated and flat views, reply permalinks via a
// redirect) in the shapes of GLOWFIC.md 2 and 3, plus the faults an
// importer must survive: a 429 and a 503 with Retry-After, a redirect off
// the host, a response over the size cap. Prints "PORT <n>" when ready and
// logs every request to the file named by argv[2].
'use strict';
const http = require('http');
const fs = require('fs');

const logFile = process.argv[2];
const N_REPLIES = 230; // three API pages of 100
const THREAD = 500;

// The story: deterministic, with narration, aliases, a repeated line, an
// API-only newline text, entities and non-ASCII.
const chars = [
  { id: 11, name: 'Ada Quill', screenname: 'inkwell', user: 1 },
  { id: 12, name: 'Brannoch', screenname: null, user: 2 },
  { id: 13, name: 'Cressida Vale', screenname: 'vale_of_tears', user: 2 },
];
const users = { 1: 'quillpen', 2: 'stonewright' };

function replyContent(i) {
  if (i % 17 === 5) return `Plain line ${i} of the API.\nA second line.\n\nA new paragraph, caf\u00e9 ${i}.`;
  if (i % 11 === 3) return `<p>Reply ${i} says: \u201cWait\u2026\u201d</p><p>&nbsp;</p><p>A pause came before this. Mr. Vale nodded.</p>`;
  return `<p>This is reply number ${i}. It has <em>two</em> sentences &amp; an ampersand.</p>`;
}

const replies = [];
for (let i = 1; i <= N_REPLIES; i++) {
  const narration = i % 13 === 0;
  const c = chars[i % chars.length];
  const user = narration ? (i % 2) + 1 : c.user;
  replies.push({
    id: 9000 + i,
    content: replyContent(i),
    created_at: `2024-01-0${1 + (i % 9)}T10:00:${String(i % 60).padStart(2, '0')}.000Z`,
    updated_at: `2024-01-0${1 + (i % 9)}T10:00:${String(i % 60).padStart(2, '0')}.000Z`,
    character_name: narration ? null : (i % 29 === 0 ? 'The Quill' : c.name),
    character: narration ? null : { id: c.id, name: c.name, screenname: c.screenname },
    icon: narration ? null : { id: 700 + c.id, url: `http://icons.example/${c.id}.png`, keyword: `mood ${i % 4}` },
    user: { id: user, username: users[user] },
  });
}

const op = {
  id: THREAD, subject: 'The Lantern Test', description: 'a thread for tests',
  created_at: '2024-01-01T09:00:00.000Z', tagged_at: '2024-01-09T10:00:00.000Z',
  status: 'active', section_order: 0, board: { id: 9, name: 'Test Continuity' },
  section: null, authors: [{ id: 1, username: 'quillpen' }, { id: 2, username: 'stonewright' }],
  num_replies: N_REPLIES,
  content: '<p>The lantern swung. Ada watched it.</p><p>The lantern swung.</p>',
  character: { id: 11, name: 'Ada Quill', screenname: 'inkwell' },
  icon: { id: 711, url: 'http://icons.example/11.png', keyword: 'calm' },
};

// Small threads of the continuity: 501 and 502 in sections (listed out of
// order), 503 sectionless.
function small(id, section, order) {
  return {
    id, subject: `Part ${id}`, description: '', created_at: '2024-02-01T00:00:00.000Z',
    tagged_at: '2024-02-01T00:00:00.000Z', status: 'complete', section_order: order,
    board: { id: 9, name: 'Test Continuity' }, section, authors: [{ id: 1, username: 'quillpen' }],
    num_replies: 1, content: `<p>Opening of part ${id}.</p>`, character: null, icon: null,
  };
}
const smalls = {
  501: small(501, { id: 31, name: 'Second', order: 1 }, 0),
  502: small(502, { id: 30, name: 'First', order: 0 }, 0),
  503: small(503, null, 0),
};

// ---- HTML shapes (GLOWFIC.md 3) ----------------------------------------
function esc(s) { return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;'); }
// The site's rendering of stored text without <p>/<br> (WritableHelper).
function rendered(content) {
  if (/<p|<br/i.test(content)) return content;
  return content.split(/\n\s*\n/).map((p) => '<p>' + p.replace(/\n/g, '<br>') + '</p>').join('');
}
function block(p, isOp, flat) {
  const c = p.character;
  const name = p.character_name || (c && c.name);
  const icon = p.icon ? `<div class="post-icon">${flat ? '' : `<a href="/icons/${p.icon.id}">`}<img src="${p.icon.url}" alt="${esc(p.icon.keyword)}" title="${esc(p.icon.keyword)}" class="icon">${flat ? '' : '</a>'}</div>` : '';
  const info = c
    ? `<div class="post-character">${flat ? esc(name) : `<a href="/characters/${c.id}">${esc(name)}</a>`}</div>` +
      (c.screenname ? `<div class="post-screenname">${esc(c.screenname).replace(/_/g, '_<wbr>')}</div>` : '')
    : '<div class="spacer-alt"></div>';
  const author = flat ? `\n${esc(p.user.username)}\n` : `<a href="/users/${p.user.id}">${esc(p.user.username)}</a>`;
  const cls = isOp ? 'post-container post-post' : 'post-container post-reply' + (flat ? '' : ' ');
  const anchor = isOp ? '' : `<a class="noheight" id="reply-${p.id}"> </a>\n`;
  const perma = isOp ? `/posts/${THREAD}` : `/replies/${p.id}#reply-${p.id}`;
  return `<div class="${cls}">\n${anchor}<div class="padding-10">\n<div class="post-info-box">\n${icon}\n<div class="post-info-text">\n${info}\n<div class="post-author">${author}</div>\n</div>\n</div>\n` +
    `<div class="post-edit-box">\n<a rel="alternate" href="${perma}"><img title="Permalink" alt="Permalink" src="/link.png" /></a></div>\n` +
    `<div class="post-content">${rendered(p.content)}</div>\n</div>\n` +
    `<div class="post-footer"><div class="right-align"><div class="padding-5">\nPosted <span class="post-posted"><time datetime="${p.created_at.replace(/\.\d+Z$/, 'Z')}">x</time></span>\n</div></div></div>\n</div>\n`;
}
const opAsReply = Object.assign({}, op, { user: { id: 1, username: 'quillpen' }, character_name: 'Ada Quill' });
// A thread whose OP is narration by one of two authors: only its HTML page
// says which.
const narrated = Object.assign({}, small(505, null, 0), {
  authors: [{ id: 1, username: 'quillpen' }, { id: 2, username: 'stonewright' }],
  content: '<p>Nobody speaks here. The wind does.</p>',
});
function narratedPage() {
  const b = block(Object.assign({}, narrated, { user: { id: 2, username: 'stonewright' }, character: null, icon: null }), true, false)
    .replace(`/posts/${THREAD}`, '/posts/505');
  return `<!DOCTYPE html><html><head><title>Part 505 | Glowfic Constellation</title></head><body><div id="content">${b}</div></body></html>\n`;
}
// Listing pages (boards/show.haml, posts/_list_item.haml): the
// continuity's sections in order with their rows, spacer rows, and the
// sectionless threads (including one private since) after the last.
function listRow(p) {
  const pages = p.id === 502 ? ` [<a href="/posts/${p.id}">1</a> <a href="/posts/${p.id}?page=2">2</a>]` : '';
  return `<tr><td class="post-completed even post-complete"><img src="/images/icons/book.png" class="vmid" title="Thread Complete"></td>` +
    `<td class="post-subject even"><a href="/posts/${p.id}" title="${esc(p.description || '')}">${esc(p.subject)}</a>${pages}</td>` +
    `<td class="post-authors even"><a href="/users/1">quillpen</a></td><td class="width-70 post-replies even"><a href="/posts/${p.id}/stats">1</a></td>` +
    `<td class="post-time even">Feb 1, 2024 by <a href="/users/2">stonewright</a></td></tr>\n`;
}
function listingShell(title, crumbs, body) {
  return `<!DOCTYPE html><html><head><meta charset="utf-8"><title>${title} | Glowfic Constellation</title></head><body><div id="holder">` +
    `<div class="flash breadcrumbs"><a href="/boards">Continuities</a> &raquo; ${crumbs}</div><div id="content">${body}</div></div></body></html>\n`;
}
function boardPage() {
  const spacer = '<tr><td class="continuity-spacer" colspan="5"></td></tr>\n';
  const body = '<table><thead><tr><th colspan="5">Test Continuity\n</th></tr></thead><tbody>' + spacer +
    '<tr><th class="sub continuity-header" colspan="5" id="section-30"><a href="/board_sections/30">First</a></th></tr>\n' + listRow(smalls[502]) + spacer +
    '<tr><th class="sub continuity-header" colspan="5" id="section-31"><a href="/board_sections/31">Second</a></th></tr>\n' + listRow(smalls[501]) + spacer +
    listRow(smalls[503]) + listRow(Object.assign({}, smalls[503], { id: 403, subject: 'Locked' })) + '</tbody></table>';
  return listingShell('Test Continuity', '<b>Test Continuity</b>', body);
}
function sectionPage() {
  const body = '<table><thead><tr><th class="table-title" colspan="5">Second</th></tr></thead><tbody>' + listRow(smalls[501]) + '</tbody></table>' +
    '<div class="normal-pagination"><a href="/board_sections/31?page=1">1</a></div>';
  return listingShell('Second', '<a href="/boards/9">Test Continuity</a> &raquo; <b>Second</b>', body);
}
function page(n, perPage) {
  const list = replies.slice((n - 1) * perPage, n * perPage);
  const opHtml = n === 1 ? block(opAsReply, true, false)
    : `<div class="post-expander"><div class="info">+ Show First Post</div><div class="hidden">${block(opAsReply, true, false)}</div></div>`;
  return `<!DOCTYPE html><html><head><meta charset="utf-8"><title>${op.subject} | Glowfic Constellation</title>` +
    `<link rel="canonical" href="/posts/${THREAD}?page=${n}"></head><body><div id="holder"><div id="content">` +
    `<div class="content-header"><span id="post-title"><a href="/posts/${THREAD}">${op.subject}</a></span></div>` +
    `<div class="post-subheader">${op.description}</div>\n${opHtml}<div class="paginator"></div>\n` +
    list.map((r) => block(r, false, false)).join('') + '</div></div></body></html>\n';
}
function flatPage() {
  return `<!DOCTYPE html><html><head><title>${op.subject} | Glowfic Constellation</title></head><body><div id="content">` +
    `<a href="/posts/${THREAD}">\u00ab Back</a><div class="content-header"><span id="post-title">${op.subject}</span></div>` +
    `<div class="post-subheader">${op.description}</div>\n${block(opAsReply, true, true)}<div class="flat-post-replies">\n` +
    replies.map((r) => block(r, false, true)).join('') + '</div></div></body></html>\n';
}

// ---- server ------------------------------------------------------------
const faults = { 'replies-2': 429, 'replies-3': 503 }; // once each
function send(res, code, body, headers) {
  const type = typeof body === 'string' && body.startsWith('<') ? 'text/html; charset=utf-8' : 'application/json; charset=utf-8';
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  res.writeHead(code, Object.assign({ 'Content-Type': type }, headers || {}));
  res.end(text);
}
const server = http.createServer((req, res) => {
  const u = new URL(req.url, 'http://x');
  const path = u.pathname;
  const q = u.searchParams;
  if (logFile) fs.appendFileSync(logFile, `${Date.now()} ${req.method} ${req.url} ${req.headers['user-agent'] || ''}\n`);
  let m;
  if ((m = path.match(/^\/api\/v1\/posts\/(\d+)$/))) {
    const id = Number(m[1]);
    if (id === THREAD) return send(res, 200, op);
    if (smalls[id]) return send(res, 200, smalls[id]);
    if (id === 505) return send(res, 200, narrated);
    if (id === 403) return send(res, 403, { errors: [{ message: 'You do not have permission to perform this action.' }] });
    if (id === 666) return send(res, 302, '', { Location: 'http://example.invalid/elsewhere' });
    if (id === 777) return send(res, 200, Object.assign({}, op, { id: 777, content: '<p>' + 'big '.repeat(5000) + '</p>' }));
    if (id === 888) return send(res, 200, '{"id": 888, "subject": "cut', {});
    if (id === 999) { setTimeout(() => send(res, 200, op), 3000); return; }
    return send(res, 404, { errors: [{ message: 'Post could not be found.' }] });
  }
  if ((m = path.match(/^\/api\/v1\/posts\/(\d+)\/replies$/))) {
    const id = Number(m[1]);
    const pg = Math.max(1, Number(q.get('page') || 1));
    let per = Number(q.get('per_page') || 25);
    if (per < 1) per = 25;
    if (per > 100) per = 100;
    const fault = faults[`replies-${pg}`];
    if (id === THREAD && fault) {
      delete faults[`replies-${pg}`];
      return send(res, fault, fault === 429 ? 'Throttled\n' : 'busy', { 'Retry-After': '1' });
    }
    const all = id === THREAD ? replies : id === 505 ? [] : smalls[id]
      ? [{ id: id * 10, content: `<p>Reply in part ${id}.</p>`, created_at: '2024-02-02T00:00:00.000Z', updated_at: '2024-02-02T00:00:00.000Z', character_name: 'Brannoch', character: { id: 12, name: 'Brannoch', screenname: null }, icon: null, user: { id: 2, username: 'stonewright' } }]
      : null;
    if (!all) return send(res, 404, { errors: [{ message: 'Post could not be found.' }] });
    return send(res, 200, all.slice((pg - 1) * per, pg * per), { Total: String(all.length), 'Per-Page': String(per), Page: String(pg) });
  }
  if (path === '/api/v1/characters') {
    const owned = { 1: [11], 2: [12, 13] }[Number(q.get('user_id'))] || [];
    return send(res, 200, { results: chars.filter((c) => owned.includes(c.id)).map((c) => ({ id: c.id, name: c.name, screenname: c.screenname, npc: false, selector_name: c.name })) });
  }
  if (path === '/api/v1/boards/9') return send(res, 200, { id: 9, name: 'Test Continuity', board_sections: [{ id: 30, name: 'First', order: 0 }, { id: 31, name: 'Second', order: 1 }] });
  if (path === '/api/v1/boards/9/posts') {
    const pg = Number(q.get('page') || 1);
    // 403 is listed but refuses: a thread made private since.
    const all = [501, 503, 502].map((id) => smalls[id]).concat([Object.assign({}, smalls[503], { id: 403 })]);
    return send(res, 200, { results: pg === 1 ? all : [] });
  }
  // A deleted continuity and section, and a continuity whose every thread
  // is private (listed, but each refuses with 403).
  if (path === '/api/v1/boards/404' || path === '/api/v1/boards/404/posts') return send(res, 404, { errors: [{ message: 'Continuity could not be found.' }] });
  if (path === '/api/v1/subcontinuities/404') return send(res, 404, { errors: [{ message: 'Subcontinuity could not be found.' }] });
  if (path === '/api/v1/boards/8') return send(res, 200, { id: 8, name: 'Locked Continuity', board_sections: [] });
  if (path === '/api/v1/boards/8/posts') {
    const locked = Object.assign({}, smalls[503], { id: 403, board: { id: 8, name: 'Locked Continuity' } });
    return send(res, 200, { results: Number(q.get('page') || 1) === 1 ? [locked] : [] });
  }
  if (path === '/api/v1/subcontinuities/31') return send(res, 200, { id: 31, name: 'Second', order: 1, board_id: 9 });
  if ((m = path.match(/^\/posts\/(\d+)$/))) {
    if (Number(m[1]) === 505) return send(res, 200, narratedPage());
    if (Number(m[1]) !== THREAD) return send(res, 302, '', { Location: '/boards' });
    if (q.get('view') === 'flat') return send(res, 200, flatPage());
    const per = Math.min(100, Number(q.get('per_page') || 25));
    let pg = Number(q.get('page') || 1);
    if (q.get('at_id')) pg = Math.floor(replies.findIndex((r) => r.id === Number(q.get('at_id'))) / per) + 1;
    return send(res, 200, page(pg, per));
  }
  if ((m = path.match(/^\/replies\/(\d+)$/))) return send(res, 302, '', { Location: `/posts/${THREAD}?at_id=${m[1]}` });
  if (path === '/boards/9') return send(res, 200, boardPage());
  if (path === '/board_sections/31') return send(res, 200, sectionPage());
  if (path === '/boards') return send(res, 200, '<html><head><title>Continuities | Glowfic Constellation</title></head><body></body></html>');
  return send(res, 404, '<html><body>not found</body></html>');
});
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`PORT ${server.address().port}\n`);
});
