// Home: paste a Glowfic URL or drop a saved page; the works and their
// audiobooks (open, fork, new); import progress live.
import { h, toast, plural, set, features } from '../lib/dom.js';
import { api } from '../lib/api.js';
import { on } from '../lib/events.js';

const STATES = {
  fetching: 'Fetching from Glowfic…',
  parsing: 'Reading posts…',
  storing: 'Saving…',
  done: 'Imported',
  failed: 'Failed',
};

export async function render(view) {
  const canBook = (await features()).has('books');
  const imports = h('ul.imports', { 'aria-label': 'Imports in progress' });
  const works = h('div.works');
  const rows = new Map(); // import_id -> li

  const showImport = (e) => {
    let li = rows.get(e.import_id);
    if (!li) {
      li = h('li.import');
      rows.set(e.import_id, li);
      imports.prepend(li);
    }
    const pct = e.total ? Math.round((100 * e.done) / e.total) : null;
    li.className = `import ${e.state}`;
    set(li, 
      h('span.import-source', e.source || 'Import'),
      h('span.import-state', STATES[e.state] || e.state, pct !== null && e.state !== 'done' ? ` ${pct}%` : ''),
      e.state !== 'done' && e.state !== 'failed' ? h('progress', { max: e.total || 1, value: e.done || 0 }) : null,
      e.error ? h('p.error', e.error) : null,
    );
    if (e.state === 'done') {
      toast('Story imported.');
      loadWorks();
    }
  };

  async function start(body, source) {
    try {
      const r = body instanceof File ? await api.upload('/api/imports', body) : await api.post('/api/imports', body);
      // A fast import's events can beat this reply: never go back a state.
      if (!rows.has(r.import_id)) showImport({ import_id: r.import_id, state: r.state || 'fetching', source });
    } catch (e) {
      toast(`Cannot import: ${e.message}`, 'error');
    }
  }

  const url = h('input', { id: 'import-url', type: 'url', required: true, autocomplete: 'off',
    placeholder: 'https://glowfic.com/posts/…', 'aria-describedby': 'import-help' });
  const form = h('form.import-form', {
    onsubmit: (e) => {
      e.preventDefault();
      const v = url.value.trim();
      if (v) start({ url: v }, v);
      url.value = '';
    },
  }, h('label', { for: 'import-url' }, 'Glowfic URL'),
  h('div.row', url, h('button.primary', { type: 'submit' }, 'Import')),
  h('p#import-help.muted', 'A post, a reply link, a continuity (board) or a section. Or drop a saved page here.'));

  const file = h('input', { type: 'file', accept: '.html,.htm,.json,text/html,application/json', id: 'import-file', class: 'visually-hidden',
    onchange: () => { if (file.files[0]) upload(file.files[0]); } });
  const upload = (f) => start(f, f.name);
  const drop = h('div.drop', { tabindex: '-1' }, file,
    h('label.button', { for: 'import-file' }, 'Upload a saved page…'));
  for (const el of [form, drop]) {
    el.addEventListener('dragover', (e) => { e.preventDefault(); el.classList.add('over'); });
    el.addEventListener('dragleave', () => el.classList.remove('over'));
    el.addEventListener('drop', (e) => {
      e.preventDefault();
      el.classList.remove('over');
      if (e.dataTransfer.files[0]) upload(e.dataTransfer.files[0]);
    });
  }

  async function newBook(work, forkOf) {
    const name = prompt(forkOf ? `Name of the copy of “${forkOf.name}”` : 'Name of the new audiobook',
      forkOf ? `${forkOf.name} (copy)` : work.title);
    if (name === null) return;
    try {
      const b = await api.post('/api/books', { work_id: work.id, name: name.trim() || work.title, fork_of: forkOf?.id });
      location.hash = `#/books/${b.id}/cast`;
    } catch (e) {
      toast(`Cannot create the audiobook: ${e.message}`, 'error');
    }
  }

  function workCard(w) {
    const books = w.books?.length
      ? h('ul.books', w.books.map((b) => h('li',
        h('a.book-link', { href: `#/books/${b.id}/read` }, b.name),
        h('button.small', { type: 'button', onclick: () => newBook(w, b), title: 'Copy this audiobook and its casting' }, 'Fork'))))
      : h('p.muted', 'No audiobook of this story yet.');
    return h('article.card.work',
      h('h3', w.title),
      h('p.muted', `${plural(w.posts, 'post')} · ${plural(w.characters, 'character')} · ${plural(w.words, 'word')}`),
      canBook ? books : null,
      canBook ? h('button', { type: 'button', onclick: () => newBook(w) }, 'New audiobook')
        : h('p.muted', 'Audiobooks (casting, rendering, listening) arrive in the next version of Glowtalk.'));
  }

  async function loadWorks() {
    try {
      const data = await api.get('/api/works');
      set(works, ...(data.works.length ? data.works.map(workCard)
        : [h('div.empty', h('p', 'No stories yet.'), h('p.muted', canBook ? 'Paste the URL of a Glowfic thread above and press Import. When it is in, make an audiobook, cast the voices and press Render.'
          : 'Paste the URL of a Glowfic thread above and press Import, or upload a page you saved from Glowfic.'))]));
    } catch (e) {
      set(works, h('p.error', `Cannot load your stories: ${e.message}`));
    }
  }

  set(view, 
    h('section.card', { 'aria-labelledby': 'import-h' }, h('h2#import-h', 'Import a story'), form, drop, imports),
    h('section', { 'aria-labelledby': 'works-h' }, h('h2#works-h', 'Your stories'), works),
  );
  const off = on('import', showImport);
  await loadWorks();
  return off;
}
