// The player: always on screen once a book is opened. It plays a book's
// sentences in story order, moves on to the next ready one, and waits at
// the render frontier until the sentence it needs is ready (an "audio"
// event), then goes on by itself. Position and speed are remembered per
// book; lock-screen controls go through the Media Session API.
import { h, avatar, toast, fmtDuration, set } from './lib/dom.js';
import { api } from './lib/api.js';
import { on } from './lib/events.js';

const PAGE = 200;          // sentences fetched at a time
const SPEEDS = [0.5, 0.75, 1, 1.25, 1.5, 1.75, 2, 2.5, 3];

// Control icons as inline SVG: the media symbols (⏮ ⏸ ⏭) are missing
// from many fonts and would show as empty boxes.
const ICONS = {
  '⏮': 'M6 5h2v14H6zM20 5v14L9 12z',
  '◀': 'M17 5v14L6 12z',
  '▶': 'M7 5v14l11-7z',
  '⏸': 'M6 5h4v14H6zM14 5h4v14h-4z',
  '▶▶': 'M3 5v14l9-7zM12 5v14l9-7z',
  '⏭': 'M16 5h2v14h-2zM4 5v14l11-7z',
};

function icon(name) {
  const ns = 'http://www.w3.org/2000/svg';
  const svg = document.createElementNS(ns, 'svg');
  svg.setAttribute('viewBox', '0 0 24 24');
  svg.setAttribute('width', '20');
  svg.setAttribute('height', '20');
  svg.setAttribute('aria-hidden', 'true');
  const path = document.createElementNS(ns, 'path');
  path.setAttribute('d', ICONS[name]);
  path.setAttribute('fill', 'currentColor');
  svg.append(path);
  return svg;
}

class Player {
  constructor() {
    this.audio = new Audio();
    this.audio.preload = 'auto';
    this.next = new Audio(); // preloads the following sentence
    this.next.preload = 'auto';
    this.book = null;        // {id, name}
    this.items = [];         // sentences in story order, sparse by index
    this.total = 0;
    this.index = -1;
    this.waiting = false;
    this.wantPlay = false;
    this.audio.addEventListener('ended', () => this.step(1, true));
    this.audio.addEventListener('play', () => this.paint());
    this.audio.addEventListener('pause', () => this.paint());
    this.audio.addEventListener('error', () => {
      if (this.audio.src) toast('This sentence could not be played; skipping it.', 'error');
      this.step(1, true);
    });
    on('audio', (e) => this.onAudio(e));
    on('sentence', (e) => this.onSentence(e));
    on('book', (e) => this.onBook(e));
    document.addEventListener('keydown', (e) => this.onKey(e));
  }

  mount(el) {
    this.el = el;
  }

  get current() {
    return this.items[this.index];
  }

  speedKey() { return 'glowtalk:speed'; }
  posKey() { return `glowtalk:pos:${this.book.id}`; }

  async load(from) {
    const data = await api.get(`/api/books/${encodeURIComponent(this.book.id)}/sentences?from=${from}&limit=${PAGE}`);
    for (const s of data.sentences) this.items[s.index] = s;
    if (Number.isFinite(data.total)) this.total = data.total;
    return data;
  }

  async ensure(index) {
    if (index < 0 || (this.total && index >= this.total)) return null;
    if (!this.items[index]) await this.load(Math.max(0, index - 20));
    return this.items[index] ?? null;
  }

  // Open a book (keeps playing state if it is already open) and, when
  // sentenceId is given, jump there and play.
  async open(book, sentenceId = null, autoplay = false) {
    if (this.book?.id !== book.id) {
      this.audio.pause();
      this.book = book;
      this.items = [];
      this.index = -1;
      this.total = 0;
      const saved = localStorage.getItem(this.posKey());
      await this.seekTo(sentenceId ?? saved, false);
    } else if (sentenceId) {
      await this.seekTo(sentenceId, autoplay);
    }
    this.audio.playbackRate = Number(localStorage.getItem(this.speedKey())) || 1;
    this.audio.preservesPitch = true;
    this.el.hidden = false;
    this.paint();
    if (autoplay) this.play();
  }

  async seekTo(sentenceId, autoplay) {
    let index = 0;
    if (sentenceId) {
      const data = await api.get(`/api/books/${encodeURIComponent(this.book.id)}/sentences?at=${encodeURIComponent(sentenceId)}&limit=${PAGE}`);
      for (const s of data.sentences) this.items[s.index] = s;
      if (Number.isFinite(data.total)) this.total = data.total;
      const hit = data.sentences.find((s) => s.id === sentenceId);
      if (hit) index = hit.index;
    } else {
      await this.load(0);
    }
    this.index = index;
    this.wantPlay = autoplay;
    await this.start();
  }

  // Start the current sentence if it is ready, else wait for it.
  async start() {
    const s = await this.ensure(this.index);
    if (!s) {
      this.waiting = false;
      this.wantPlay = false;
      this.audio.removeAttribute('src');
      this.paint();
      return;
    }
    localStorage.setItem(this.posKey(), s.id);
    if (s.state === 'ready' && s.audio) {
      this.waiting = false;
      if (!this.audio.src.endsWith(s.audio)) this.audio.src = s.audio;
      this.audio.playbackRate = Number(localStorage.getItem(this.speedKey())) || 1;
      if (this.wantPlay) {
        try { await this.audio.play(); } catch { this.wantPlay = false; }
      }
      this.preloadNext();
    } else {
      this.waiting = this.wantPlay;
      this.audio.removeAttribute('src');
    }
    this.paint();
    window.dispatchEvent(new CustomEvent('glowtalk:playing', { detail: { book: this.book.id, sentence: s.id, index: s.index } }));
  }

  async preloadNext() {
    const n = await this.ensure(this.index + 1);
    if (n?.state === 'ready' && n.audio && !this.next.src.endsWith(n.audio)) this.next.src = n.audio;
  }

  // A sentence became ready (an "audio" event names it by its index): if
  // the player waits at the render frontier for it, go on at once.
  onAudio(e) {
    if (!this.book || e.book_id !== this.book.id) return;
    const s = this.items[e.index];
    if (!s) return;
    s.state = 'ready';
    s.audio = e.audio;
    s.duration = e.duration;
    if (this.index === e.index) {
      if (this.waiting) this.start();
      else this.paint();
    } else if (this.index + 1 === e.index) {
      this.preloadNext();
    }
  }

  onSentence(e) {
    if (!this.book || e.book_id !== this.book.id) return;
    const s = this.items[e.index];
    if (!s || s.state === 'ready' && e.state !== 'ready') return;
    s.state = e.state;
    s.error = e.error;
    if (this.index === e.index) this.paint();
  }

  // Too much changed at once (a cancel, a big batch): forget what we
  // know of the sentences and read them again.
  onBook(e) {
    if (!this.book || e.book_id !== this.book.id) return;
    this.items = [];
    this.ensure(this.index).then(() => { if (this.waiting) this.start(); else this.paint(); });
  }

  play() {
    this.wantPlay = true;
    if (this.audio.src) this.audio.play().catch(() => {});
    else this.start();
    this.paint();
  }

  pause() {
    this.wantPlay = false;
    this.waiting = false;
    this.audio.pause();
    this.paint();
  }

  toggle() { (this.wantPlay && !this.audio.paused) || this.waiting ? this.pause() : this.play(); }

  async step(delta, keepPlaying = this.wantPlay) {
    if (!this.book) return;
    const target = this.index + delta;
    if (target < 0 || (this.total && target >= this.total)) {
      if (delta > 0) { this.wantPlay = false; this.paint(); }
      return;
    }
    this.index = target;
    this.wantPlay = keepPlaying;
    await this.start();
  }

  async stepPost(delta) {
    const cur = this.current;
    if (!cur) return;
    let i = this.index;
    if (delta > 0) {
      for (;;) {
        const s = await this.ensure(++i);
        if (!s) return;
        if (s.post_id !== cur.post_id) break;
      }
    } else {
      // Back: to the start of this post, or of the previous one if there.
      let s = await this.ensure(i - 1);
      if (s && s.post_id === cur.post_id) {
        while (s && s.post_id === cur.post_id) s = await this.ensure(--i - 1);
      } else if (s) {
        const prev = s.post_id;
        i -= 1;
        while ((s = await this.ensure(i - 1)) && s.post_id === prev) i -= 1;
      } else return;
    }
    this.index = i;
    await this.start();
  }

  setSpeed(v) {
    localStorage.setItem(this.speedKey(), String(v));
    this.audio.playbackRate = v;
    this.paint();
  }

  onKey(e) {
    if (!this.book || e.target.closest('input, textarea, select, [contenteditable]')) return;
    if (e.key === ' ' || e.key === 'k') { e.preventDefault(); this.toggle(); }
    else if (e.key === 'ArrowRight' && e.shiftKey) { e.preventDefault(); this.stepPost(1); }
    else if (e.key === 'ArrowLeft' && e.shiftKey) { e.preventDefault(); this.stepPost(-1); }
    else if (e.key === 'ArrowRight' || e.key === 'l') { e.preventDefault(); this.step(1); }
    else if (e.key === 'ArrowLeft' || e.key === 'j') { e.preventDefault(); this.step(-1); }
    else if (e.key === '+' || e.key === '=') this.nudgeSpeed(1);
    else if (e.key === '-') this.nudgeSpeed(-1);
  }

  nudgeSpeed(d) {
    const cur = this.audio.playbackRate;
    const i = SPEEDS.findIndex((v) => v >= cur);
    this.setSpeed(SPEEDS[Math.min(SPEEDS.length - 1, Math.max(0, (i < 0 ? 2 : i) + d))]);
  }

  mediaSession(s) {
    if (!('mediaSession' in navigator) || !s) return;
    navigator.mediaSession.metadata = new MediaMetadata({
      title: s.text.slice(0, 120),
      artist: s.speaker || 'Narrator',
      album: this.book.name,
      artwork: s.icon_url ? [{ src: s.icon_url }] : [],
    });
    const ms = navigator.mediaSession;
    ms.setActionHandler('play', () => this.play());
    ms.setActionHandler('pause', () => this.pause());
    ms.setActionHandler('nexttrack', () => this.step(1));
    ms.setActionHandler('previoustrack', () => this.step(-1));
    ms.setActionHandler('seekforward', () => this.stepPost(1));
    ms.setActionHandler('seekbackward', () => this.stepPost(-1));
    ms.playbackState = this.audio.paused ? 'paused' : 'playing';
  }

  paint() {
    if (!this.el || !this.book) return;
    const s = this.current;
    const playing = !this.audio.paused || this.waiting;
    const btn = (label, text, fn, extra = {}) => h('button.icon', { type: 'button', 'aria-label': label, title: label, onclick: fn, ...extra }, icon(text));
    const speed = h('select.speed', { 'aria-label': 'Speed', onchange: (e) => this.setSpeed(Number(e.target.value)) },
      SPEEDS.map((v) => h('option', { value: v, selected: Math.abs(v - this.audio.playbackRate) < 0.01 }, `${v}×`)));
    let status = '';
    if (!s) status = this.total ? 'End of the book.' : 'Nothing to play yet.';
    else if (this.waiting) status = s.state === 'idle' ? 'Not requested yet: press Render to make it, the player waits here.' : 'Waiting for this sentence to render…';
    else if (s.state === 'failed') status = `This sentence failed to render: ${s.error || 'unknown error'}`;
    else if (s.state !== 'ready') status = 'Not rendered yet: press play to wait for it.';
    set(this.el, 
      h('div.player-who', s ? avatar(s.icon_url, s.speaker, 44) : null,
        h('div', h('div.player-speaker', s?.speaker || 'Narrator'), h('div.player-book.muted', this.book.name))),
      h('p.player-text', { 'aria-live': 'off' }, s ? s.text : ''),
      h('div.player-controls',
        btn('Previous post (Shift+←)', '⏮', () => this.stepPost(-1)),
        btn('Previous sentence (←)', '◀', () => this.step(-1)),
        btn(playing ? 'Pause (Space)' : 'Play (Space)', playing ? '⏸' : '▶', () => this.toggle(), { class: 'icon primary', 'aria-pressed': String(playing) }),
        btn('Next sentence (→)', '▶▶', () => this.step(1)),
        btn('Next post (Shift+→)', '⏭', () => this.stepPost(1)),
        speed),
      h('p.player-status.muted', { role: 'status' }, status,
        s && this.total ? ` Sentence ${s.index + 1} of ${this.total}` : '',
        s?.duration ? ` · ${fmtDuration(s.duration)}` : ''),
    );
    this.mediaSession(s);
  }
}

export const player = new Player();
