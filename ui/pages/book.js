// One audiobook: its progress and render controls on top, then three
// tabs: Cast (voices), Read (the story, sentence states, overrides,
// re-render) and Download (files and the podcast feed).
import { h, toast, avatar, fmtCount, fmtDuration, set } from '../lib/dom.js';
import { api } from '../lib/api.js';
import { on } from '../lib/events.js';
import { picker, voices, voiceLabel } from '../lib/voicepicker.js';
import { player } from '../player.js';

const POSTS_PAGE = 40;
let unsaved = 0; // casting saves in flight or failed

export function canLeave() {
  return unsaved === 0;
}

export async function render(view, id, tab = 'read') {
  const enc = encodeURIComponent(id);
  const book = await api.get(`/api/books/${enc}`);
  const work = await api.get(`/api/works/${encodeURIComponent(book.work_id)}`);
  const offs = [];
  unsaved = 0;

  // ---- header: name, progress, render controls --------------------------
  const name = h('input.title-input', { value: book.name, 'aria-label': 'Audiobook name' });
  name.addEventListener('change', async () => {
    try {
      await api.patch(`/api/books/${enc}`, { name: name.value.trim() });
      book.name = name.value.trim();
      toast('Renamed.');
    } catch (e) { toast(e.message, 'error'); name.value = book.name; }
  });
  const bar = h('progress', { max: 1, value: 0, 'aria-label': 'Rendered' });
  const counts = h('p.counts', { role: 'status' });
  const paintProgress = (p) => {
    bar.max = Math.max(1, p.total);
    bar.value = p.done;
    const pct = p.total ? Math.floor((100 * p.done) / p.total) : 0;
    set(counts, 
      h('strong', `${fmtCount(p.done)} of ${fmtCount(p.total)} sentences`), ` (${pct}%) · `,
      `${fmtCount(p.pending)} waiting · ${fmtCount(p.rendering)} rendering`,
      p.failed ? h('span.error', ` · ${fmtCount(p.failed)} failed `, h('button.small', { type: 'button', onclick: retryFailed }, 'Retry')) : '',
      p.seconds_left_estimate ? ` · about ${fmtDuration(p.seconds_left_estimate)} left` : '');
    const nodes = p.nodes || [];
    set(speed, p.pending + p.rendering === 0 ? (p.done === p.total && p.total ? 'Everything is rendered.' : '')
      : nodes.length
      ? [h('span', `${fmtRate(p.per_minute)} sentences a minute: `),
        ...nodes.map((n, i) => h('span.tag', { title: n.node_id }, `${i ? '' : ''}${n.node_id.slice(0, 8)} · ${fmtRate(n.per_minute)}/min`))]
      : p.pending + p.rendering > 0 ? 'Waiting for a node to pick up the work…' : '');
  };
  const speed = h('p.speed.muted', { 'aria-live': 'off' });
  const fmtRate = (v) => (v >= 10 ? Math.round(v) : Math.round(v * 10) / 10).toLocaleString();
  paintProgress(book.progress);
  const renderBtn = h('button.primary', { type: 'button', onclick: async () => {
    try {
      const r = await api.post(`/api/books/${enc}/render`);
      toast(r.queued ? `${fmtCount(r.queued)} sentences queued.` : 'Everything is rendered or queued already.');
    } catch (e) { toast(e.message, 'error'); }
  } }, 'Render');
  const cancelBtn = h('button', { type: 'button', onclick: async () => {
    if (!confirm('Drop all pending work of this audiobook? Finished sentences stay.')) return;
    try {
      const r = await api.post(`/api/books/${enc}/cancel`);
      toast(`${fmtCount(r.cancelled)} pending sentences dropped.`);
    } catch (e) { toast(e.message, 'error'); }
  } }, 'Cancel pending');
  async function retryFailed() {
    try {
      const r = await api.post(`/api/books/${enc}/rerender`, { failed: true });
      toast(`${fmtCount(r.queued)} sentences queued again.`);
    } catch (e) { toast(e.message, 'error'); }
  }
  const listen = h('button', { type: 'button', onclick: () => player.open({ id: book.id, name: book.name }, null, true) }, '▶ Listen');
  offs.push(on('progress', (p) => { if (p.book_id === book.id) paintProgress(p); }));

  const tabs = [['cast', 'Cast'], ['read', 'Read'], ['lexicon', 'Lexicon'], ['download', 'Download']];
  const nav = h('nav.tabs', { 'aria-label': 'Audiobook' }, tabs.map(([t, label]) =>
    h('a', { href: `#/books/${enc}/${t}`, 'aria-current': t === tab ? 'page' : null }, label)));
  const body = h('div.tab-body');

  set(view, 
    h('section.card.book-head',
      h('p.muted', h('a', { href: '#/' }, 'Stories'), ' › ', work.title),
      name, bar, counts, speed,
      h('div.row.actions', listen, renderBtn, cancelBtn)),
    nav, body);

  if (tab === 'cast') await castTab(body, book, work);
  else if (tab === 'download') downloadTab(body, book, work);
  else if (tab === 'lexicon') await lexiconTab(body, book);
  else offs.push(...await readTab(body, book));
  return () => offs.forEach((f) => f());
}

const STATE_WORDS = {
  idle: 'not requested', pending: 'waiting', rendering: 'rendering', ready: 'ready', failed: 'failed',
};

function stateTitle(state, s = {}) {
  if (state === 'failed') return `Failed: ${s.error || 'unknown error'} (select it and re-render to retry)`;
  if (state === 'rendering') return s.node ? `Rendering on node ${s.node.slice(0, 8)}…` : 'Rendering';
  if (state === 'ready') return 'Ready: click to listen';
  if (state === 'pending') return 'Waiting for a node to render it';
  return 'Not requested yet: press Render';
}

// ---- Cast ---------------------------------------------------------------

async function save(row, path, voice) {
  unsaved += 1;
  row.dataset.state = 'saving';
  try {
    await api.put(path, { voice });
    unsaved -= 1;
    row.dataset.state = 'saved';
  } catch (e) {
    // Keep counting it as unsaved so leaving the page asks first.
    row.dataset.state = 'failed';
    toast(`Not saved: ${e.message}`, 'error');
  }
}

async function castTab(body, book, work) {
  const enc = encodeURIComponent(book.id);
  const [chars, cat] = await Promise.all([
    api.get(`/api/works/${encodeURIComponent(work.id)}/characters`),
    voices().catch(() => null),
  ]);
  const defRow = h('div.cast-row.default');
  defRow.append(h('div.cast-who', h('h3', 'Default voice'), h('p.muted', 'For characters without a voice, and for narration.')),
    picker({ value: book.default_voice, label: 'Default voice', placeholder: 'the node’s default voice (config “voice”)', onChange: (v) => save(defRow, `/api/books/${enc}/cast/default`, v) }).el);

  const list = h('div.cast-list');
  const paint = () => set(list, ...chars.characters.map((c) => {
    const row = h('div.cast-row', { dataset: { key: c.key } });
    const samples = c.samples?.length ? h('details.samples', h('summary', 'Sample lines'), h('ul', c.samples.map((s) => h('li', s)))) : null;
    row.append(
      h('div.cast-who', avatar(c.icon_url, c.name || c.author, 56),
        h('div', h('h3', c.name || `Narration by ${c.author}`),
          h('p.muted', [c.screenname, c.author && `by ${c.author}`].filter(Boolean).join(' · ')),
          h('p.muted', `${fmtCount(c.posts)} posts · ${fmtCount(c.words)} words · ${(100 * (c.share || 0)).toFixed(1)}% of the text`),
          samples)),
      picker({ value: book.cast?.[c.key] || '', label: `Voice of ${c.name || c.author}`, sample: c.samples?.[0],
        placeholder: `the default voice${book.default_voice ? ` (${book.default_voice})` : ''}`,
        onChange: (v) => save(row, `/api/books/${enc}/cast/${encodeURIComponent(c.key)}`, v || null) }).el,
      h('span.save-state', { 'aria-live': 'polite' }));
    return row;
  }));
  paint();
  const auto = h('button.primary', { type: 'button', onclick: async () => {
    if (Object.keys(book.cast || {}).length && !confirm('Replace every character’s voice with an automatic casting?')) return;
    try {
      book.cast = (await api.post(`/api/books/${enc}/autocast`)).cast;
      paint();
      toast('Every character has a voice.');
    } catch (e) { toast(e.message, 'error'); }
  } }, 'Auto-cast');
  set(body, 
    h('div.row.actions', auto, h('span.muted', cat ? `${cat.voices.length} voices, ${cat.presets.length} presets` : '')),
    h('section.card', defRow),
    chars.characters.length ? list : h('p.empty', 'This story has no characters.'));
}

// ---- Read ---------------------------------------------------------------

async function readTab(body, book) {
  const enc = encodeURIComponent(book.id);
  const selected = new Set();
  const spans = new Map(); // sentence id -> span
  const byIndex = new Map(); // story index -> span
  let next = 0;
  let lastClicked = null;

  const toolbar = h('div.selection', { hidden: true, role: 'toolbar', 'aria-label': 'Selected sentences' });
  const paintToolbar = () => {
    toolbar.hidden = selected.size === 0;
    set(toolbar, 
      h('span', `${selected.size} sentence${selected.size === 1 ? '' : 's'} selected`),
      h('button', { type: 'button', onclick: async () => {
        try {
          const r = await api.post(`/api/books/${enc}/rerender`, { sentences: [...selected] });
          toast(`${fmtCount(r.queued)} sentences will be rendered again, first in line.`);
          clear();
        } catch (e) { toast(e.message, 'error'); }
      } }, 'Re-render'),
      h('button', { type: 'button', onclick: () => snippetVoice() }, 'Voice for these…'),
      h('button', { type: 'button', onclick: () => clear() }, 'Clear'));
  };
  const clear = () => {
    for (const id of selected) spans.get(id)?.classList.remove('selected');
    selected.clear();
    paintToolbar();
  };
  const snippetVoice = () => {
    const dlg = h('dialog.voice-dialog');
    const p = picker({ value: '', label: 'Voice for the selection' });
    dlg.append(h('h2', 'Voice for the selected sentences'), p.el,
      h('div.row.actions',
        h('button.primary', { type: 'button', onclick: async () => {
          try {
            await api.put(`/api/books/${enc}/snippets`, { sentences: [...selected], voice: p.value() || null });
            toast('Voice set for the selection.');
            clear();
            dlg.close();
          } catch (e) { toast(e.message, 'error'); }
        } }, 'Apply'),
        h('button', { type: 'button', onclick: () => dlg.close() }, 'Cancel')));
    dlg.addEventListener('close', () => dlg.remove());
    document.body.append(dlg);
    dlg.showModal();
  };

  const sentence = (s, ids) => {
    const span = h('span.sentence', { tabindex: 0, role: 'button', dataset: { id: s.id, index: s.index, state: s.state, error: s.state === 'failed' ? (s.error || 'unknown error') : '' },
      title: stateTitle(s.state, s) },
    s.text, ' ');
    spans.set(s.id, span);
    byIndex.set(s.index, span);
    const act = (e) => {
      if (e.shiftKey && lastClicked) {
        const a = ids.indexOf(lastClicked), b = ids.indexOf(s.id);
        if (a >= 0 && b >= 0) {
          for (const x of ids.slice(Math.min(a, b), Math.max(a, b) + 1)) { selected.add(x); spans.get(x)?.classList.add('selected'); }
        }
      } else if (e.ctrlKey || e.metaKey) {
        selected.has(s.id) ? selected.delete(s.id) : selected.add(s.id);
        span.classList.toggle('selected');
      } else {
        player.open({ id: book.id, name: book.name }, s.id, true);
      }
      lastClicked = s.id;
      paintToolbar();
    };
    span.addEventListener('click', act);
    span.addEventListener('keydown', (e) => { if (e.key === 'Enter') act(e); });
    return span;
  };

  const postEl = (p) => {
    const ids = p.sentences.map((s) => s.id);
    const paras = [];
    let cur = h('p');
    for (const s of p.sentences) {
      if (s.paragraph_break && cur.childNodes.length) { paras.push(cur); cur = h('p'); }
      cur.append(sentence(s, ids));
    }
    if (cur.childNodes.length) paras.push(cur);
    const override = h('details.post-voice', h('summary', p.voice_override ? `Voice: ${p.voice_override}` : 'Voice for this post'));
    override.addEventListener('toggle', () => {
      if (!override.open || override.dataset.built) return;
      override.dataset.built = '1';
      override.append(picker({ value: p.voice_override || '', label: 'Voice for this post', sample: p.sentences[0]?.text,
        onChange: async (v) => {
          try {
            await api.put(`/api/books/${enc}/posts/${encodeURIComponent(p.id)}/voice`, { voice: v || null });
            override.querySelector('summary').textContent = v ? `Voice: ${v}` : 'Voice for this post';
          } catch (e) { toast(e.message, 'error'); }
        } }).el);
    });
    return h('article.post', { id: `post-${p.id}` },
      h('header.post-head', avatar(p.icon_url, p.speaker || p.author, 48),
        h('div', h('strong', p.speaker || 'Narration'), h('span.muted', ` · ${p.author}`),
          p.icon_keyword ? h('span.muted', ` · ${p.icon_keyword}`) : null),
        h('a.post-dl', { href: `/books/${enc}/book.opus?post=${encodeURIComponent(p.id)}`, download: `${book.name} - ${p.index + 1}.opus`,
          title: 'Download this post (what is rendered of it)', 'aria-label': `Download post ${p.index + 1}` }, '⬇'),
        override),
      paras);
  };

  const posts = h('div.posts');
  const more = h('button', { type: 'button', onclick: () => loadMore() }, 'Load more');
  async function loadMore() {
    more.disabled = true;
    try {
      const data = await api.get(`/api/books/${enc}/posts?from=${next}&limit=${POSTS_PAGE}`);
      posts.append(...data.posts.map(postEl));
      next = data.next;
      more.hidden = data.next === null || data.next === undefined;
    } catch (e) {
      toast(`Cannot load the story: ${e.message}`, 'error');
    }
    more.disabled = false;
  }
  const legend = h('p.legend.muted', { 'aria-label': 'Sentence states' },
    ...['idle', 'pending', 'rendering', 'ready', 'failed'].map((st) => h('span.sentence', { dataset: { state: st } }, STATE_WORDS[st])));
  set(body, h('p.muted.hint', 'Click a sentence to listen from there. Shift-click or Ctrl-click to select sentences, then re-render them or give them a voice.'),
    legend, toolbar, posts, more);
  await loadMore();
  if (!posts.childNodes.length) posts.append(h('p.empty', 'This audiobook has no text.'));

  const setState = (span, state, extra = {}) => {
    if (!span) return;
    span.dataset.state = state;
    span.dataset.error = state === 'failed' ? (extra.error || 'unknown error') : '';
    span.title = stateTitle(state, extra);
  };
  // Too much changed at once (cancel, big batches): read the states of
  // the loaded posts again.
  let refreshing = null;
  const refresh = () => {
    if (refreshing) return;
    refreshing = setTimeout(async () => {
      refreshing = null;
      try {
        for (let from = 0; from < (next ?? Infinity) && from < 100000; from += POSTS_PAGE) {
          const data = await api.get(`/api/books/${enc}/posts?from=${from}&limit=${POSTS_PAGE}`);
          for (const p of data.posts) for (const x of p.sentences) setState(spans.get(x.id), x.state, x);
          if (data.next === null) break;
        }
      } catch { /* the next event tries again */ }
    }, 300);
  };
  const highlight = (e) => {
    for (const el of document.querySelectorAll('.sentence.current')) el.classList.remove('current');
    if (e.detail.book !== book.id) return;
    const span = spans.get(e.detail.sentence);
    if (span) {
      span.classList.add('current');
      if (document.activeElement === document.body) span.scrollIntoView({ block: 'nearest', behavior: 'smooth' });
    }
  };
  window.addEventListener('glowtalk:playing', highlight);
  return [
    on('audio', (e) => { if (e.book_id === book.id) setState(byIndex.get(e.index), 'ready'); }),
    on('sentence', (e) => { if (e.book_id === book.id) setState(byIndex.get(e.index), e.state, e); }),
    on('book', (e) => { if (e.book_id === book.id) refresh(); }),
    () => window.removeEventListener('glowtalk:playing', highlight),
  ];
}

// ---- Download -------------------------------------------------------------

function downloadTab(body, book, work) {
  const enc = encodeURIComponent(book.id);
  const feed = new URL(`/books/${enc}/feed.xml`, location.href).href;
  const copy = h('button', { type: 'button', onclick: async () => {
    try { await navigator.clipboard.writeText(feed); toast('Feed address copied.'); } catch { toast('Copy failed: select the address and copy it.', 'error'); }
  } }, 'Copy');
  set(body, 
    h('section.card',
      h('h2', 'The whole book'),
      h('p', 'One Ogg Opus file with a chapter per post, titled with its character. What is not rendered yet is left out.'),
      h('a.button.primary', { href: `/books/${enc}/book.opus`, download: `${book.name}.opus` }, 'Download the book')),
    h('section.card',
      h('h2', 'Threads'),
      h('ul', (work.threads || []).map((t) => h('li', h('a', { href: `/books/${enc}/book.opus?thread=${encodeURIComponent(t.id)}`, download: `${t.title}.opus` }, t.title), h('span.muted', ` · ${fmtCount(t.posts)} posts`))))),
    h('section.card',
      h('h2', 'Podcast feed'),
      h('p', 'Subscribe in any podcast app: one episode per post, published as soon as the post is fully rendered.'),
      h('div.row.feed-row', h('input', { type: 'text', readonly: true, value: feed, 'aria-label': 'Feed address' }), copy),
      h('p.muted', 'Per thread instead: ', h('a', { href: `${feed}?per=thread` }, 'feed by thread'))),
    h('section.card',
      h('h2', 'One post'),
      h('p', 'Every post in the Read tab has a ⬇ button that downloads just that post.')));
}

// ---- Lexicon --------------------------------------------------------------

async function lexiconTab(body, book) {
  const enc = encodeURIComponent(book.id);
  const voice = book.default_voice || 'espeak:en';
  let entries = (await api.get(`/api/books/${enc}/lexicon`)).lexicon;
  const list = h('div.lexicon');
  const preview = async (word, pron) => {
    try {
      const r = await api.post('/api/previews', { voice, text: word, lexicon: pron ? { [word]: pron } : null });
      const a = new Audio(r.audio);
      await a.play();
    } catch (e) { toast(`No preview: ${e.message}`, 'error'); }
  };
  const paint = () => set(list, entries.length
    ? h('table.lex-table', h('thead', h('tr', h('th', 'Word'), h('th', 'Say it as'), h('th', h('span.sr-only', 'Actions')))),
      h('tbody', entries.map((x) => h('tr',
        h('td', x.word), h('td', h('code', x.pron)),
        h('td.row',
          h('button.small', { type: 'button', 'aria-label': `Hear ${x.word}`, onclick: () => preview(x.word, x.pron) }, '▶ Hear'),
          h('button.small', { type: 'button', 'aria-label': `Remove ${x.word}`, onclick: async () => {
            try {
              await api.del(`/api/books/${enc}/lexicon/${encodeURIComponent(x.word)}`);
              entries = entries.filter((y) => y.word !== x.word);
              paint();
              toast(`“${x.word}” removed.`);
            } catch (e) { toast(e.message, 'error'); }
          } }, 'Remove'))))))
    : h('p.empty', 'No words yet. When the voices say a name wrong, add it here with a respelling (“Orla” → “OR-la”) and re-render the sentences that use it.'));
  paint();
  const word = h('input#lex-word', { type: 'text', required: true, maxlength: 64, placeholder: 'Orla', autocomplete: 'off' });
  const pron = h('input#lex-pron', { type: 'text', required: true, maxlength: 256, placeholder: 'or la', autocomplete: 'off' });
  const form = h('form.lex-form', { onsubmit: async (e) => {
    e.preventDefault();
    try {
      const r = await api.put(`/api/books/${enc}/lexicon/${encodeURIComponent(word.value.trim())}`, { pron: pron.value.trim() });
      entries = entries.filter((y) => y.word !== r.word).concat([{ word: r.word, pron: r.pron }]).sort((a, b) => a.word.localeCompare(b.word));
      paint();
      toast(`“${r.word}” will be said as “${r.pron}”.`);
      word.value = ''; pron.value = '';
      word.focus();
    } catch (err) { toast(err.message, 'error'); }
  } },
  h('label', { for: 'lex-word' }, 'Word'), word,
  h('label', { for: 'lex-pron' }, 'Say it as'), pron,
  h('div.row',
    h('button', { type: 'button', onclick: () => word.value.trim() && preview(word.value.trim(), pron.value.trim()) }, '▶ Preview'),
    h('button.primary', { type: 'submit' }, 'Save')));
  set(body,
    h('section.card',
      h('h2', 'Pronunciations'),
      h('p.muted', `How the voices say particular words in this audiobook: a respelling in plain letters, or espeak phonemes in [[…]]. Preview uses the default voice (${voice}).`),
      form),
    h('section.card', list));
}
