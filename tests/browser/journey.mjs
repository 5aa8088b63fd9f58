// The user's journey in a browser, on a real node whose Glowfic is the
// stand-in server of the import tests. argv: UI URL, Glowfic base URL,
// path of the demo story, path of a hostile page.
import { ok, done, launch, withPage, artifacts, diag } from './tap.mjs';

const [url, glowfic, demo, hostile] = process.argv.slice(2);
const browser = await launch();
const api = (page, path, init) => page.evaluate(async ([p, i]) => {
  const r = await fetch(p, i);
  return { status: r.status, type: r.headers.get('content-type'), text: await r.text() };
}, [path, init]);
const state = (page, path) => api(page, path).then((r) => JSON.parse(r.text));

// Wait until some audio element the page played has advanced by `secs`.
async function heard(page, secs, timeout = 30000) {
  await page.waitForFunction((s) => (window.__media || []).some((m) => m.currentTime > s), secs, { timeout });
  return true;
}

// From a cast-ready audiobook to listening, re-rendering and downloads.
async function journey(page, bookId, confirms, setAnswer) {
  const enc = bookId;
  // Fork it from the home page: the copy keeps the casting.
  setAnswer('Keeper fork');
  await page.locator('li', { hasText: 'Keeper audiobook' }).locator('button:text("Fork")').click();
  await page.waitForURL(/#\/books\/[0-9a-f]{32}\/cast$/, { timeout: 5000 });
  const forkId = page.url().match(/books\/([0-9a-f]{32})/)[1];
  const fork = await state(page, `/api/books/${forkId}`);
  ok(forkId !== bookId && fork.fork_of === bookId && Object.keys(fork.cast).length >= 5, 'fork: a copy with the casting');
  await page.waitForSelector('.cast-row[data-key] select[size] option', { timeout: 10000 });
  await page.screenshot({ path: `${artifacts}fork-cast.png`, fullPage: true });

  // Change a character's voice, and hear the preview.
  const row = page.locator('.cast-row[data-key]').first();
  const key = await row.getAttribute('data-key');
  const options = await row.locator('select[size] option').evaluateAll((os) => os.map((o) => o.value));
  const pick = options.find((v) => v && v !== fork.cast[key]);
  await row.locator('select[size]').selectOption(pick);
  await page.waitForSelector(`.cast-row[data-state=saved]`, { timeout: 5000 });
  ok((await state(page, `/api/books/${forkId}`)).cast[key] === pick, 'a changed voice is saved at once');
  await row.locator('button:text("Preview")').click();
  ok(await heard(page, 0.2), 'the voice preview plays');

  // Read: a post's own voice and a snippet's.
  await page.click('nav.tabs a:text("Read")');
  await page.waitForSelector('article.post .sentence', { timeout: 10000 });
  const post = page.locator('article.post').first();
  await post.locator('details.post-voice summary').click();
  await post.locator('details.post-voice select[size] option >> nth=3').waitFor({ timeout: 5000 });
  const pv = (await post.locator('details.post-voice select[size] option').evaluateAll((os) => os.map((o) => o.value)))[3];
  await post.locator('details.post-voice select[size]').selectOption(pv);
  await page.waitForSelector(`details.post-voice summary:text("Voice: ${pv}")`, { timeout: 5000 });
  const posts = await state(page, `/api/books/${forkId}/posts?limit=2`);
  ok(posts.posts[0].voice_override === pv && posts.posts[0].voice === pv, 'a post voice override is saved');
  const s2 = page.locator('article.post >> nth=1').locator('.sentence');
  await s2.nth(0).click({ modifiers: ['Control'] });
  await s2.nth(1).click({ modifiers: ['Control'] });
  await page.click('.selection button:text("Voice for these…")');
  await page.locator('dialog select[size] option >> nth=2').waitFor({ timeout: 5000 });
  const sv = (await page.locator('dialog select[size] option').evaluateAll((os) => os.map((o) => o.value)))[2];
  await page.locator('dialog select[size]').selectOption(sv);
  await page.click('dialog button:text("Apply")');
  await page.waitForSelector('.toast:text("Voice set for the selection.")', { timeout: 5000 });
  ok(true, 'a snippet of sentences gets its own voice');
  await page.screenshot({ path: `${artifacts}book-read-overrides.png` });

  // Render: progress moves live.
  await page.click('.book-head button:text("Render")');
  await page.waitForSelector('.toast:text("sentences queued.")', { timeout: 10000 });
  await page.waitForFunction(() => document.querySelector('.book-head progress').value > 0, null, { timeout: 60000 });
  ok(true, 'progress moves while the book renders');
  await page.waitForSelector('.book-head .speed .tag', { timeout: 15000 });
  ok(/sentences a minute/.test(await page.textContent('.book-head .speed')), 'render control shows per-node throughput');
  await page.screenshot({ path: `${artifacts}book-rendering.png` });

  // Re-render a sentence far ahead: it is done before the bulk reaches it.
  const far = page.locator('article.post >> nth=-1').locator('.sentence').first();
  const farIndex = Number(await far.getAttribute('data-index'));
  await far.click({ modifiers: ['Control'] });
  await page.click('.selection button:text("Re-render")');
  await page.waitForSelector('.toast:text("first in line")', { timeout: 5000 });
  await page.waitForFunction((i) => document.querySelector(`.sentence[data-index="${i}"]`).dataset.state === 'ready', farIndex, { timeout: 60000 });
  const behind = await page.evaluate((i) => [...document.querySelectorAll('.sentence')]
    .filter((e) => Number(e.dataset.index) < i && e.dataset.state !== 'ready').length, farIndex);
  ok(behind > 0, 'a re-rendered sentence is done first, ahead of the bulk (live reader update)');

  // Play from the start: the audio advances and the highlight moves on.
  await page.click('article.post >> nth=0 >> .sentence >> nth=0');
  ok(await heard(page, 0.3), 'the player plays the first sentence (currentTime advances)');
  await page.waitForFunction(() => Number(document.querySelector('.sentence.current')?.dataset.index) >= 2, null, { timeout: 60000 });
  ok(true, 'the player moves on through the story and the highlight follows');
  ok(/Sentence \d+ of 196/.test(await page.textContent('#player')), 'the player shows where it is');
  await page.screenshot({ path: `${artifacts}book-playing.png` });
  await page.keyboard.press('Space'); // pause (keyboard shortcut)

  // Cancel pending, after a confirmation: first queue a new take of the
  // first ten posts (shift-click selects a range), then drop it.
  await page.click('nav.tabs a:text("Read")');
  await page.waitForSelector('article.post .sentence', { timeout: 10000 });
  await page.click('article.post >> nth=0 >> .sentence >> nth=0', { modifiers: ['Control'] });
  await page.click('article.post >> nth=9 >> .sentence >> nth=-1', { modifiers: ['Shift'] });
  await page.click('.selection button:text("Re-render")');
  await page.waitForSelector('.toast:text("first in line")', { timeout: 5000 });
  const before = confirms.length;
  await page.click('.book-head button:text("Cancel pending")');
  const dropped = await page.waitForSelector('.toast:text("pending sentences dropped")', { timeout: 10000 });
  // How many were still queued depends on how fast the node claims the
  // new take (all of it, when its claim slots are free): api-books.t
  // checks the counts; here the answer must be a count.
  ok(/^[\d,]+ pending sentences dropped/.test(await dropped.textContent()), `cancel drops the queued work (${await dropped.textContent()})`);
  ok(confirms.length === before + 1 && /Drop all pending/.test(confirms.at(-1)), 'cancel pending asks for confirmation first');
  const after = await state(page, `/api/books/${forkId}/progress`);
  ok(after.pending === 0 && after.done > 0, 'nothing is pending after the cancel; finished sentences stay');

  // Downloads: the book and the podcast feed.
  await page.click('nav.tabs a:text("Download")');
  await page.waitForSelector('a:text("Download the book")', { timeout: 5000 });
  await page.screenshot({ path: `${artifacts}book-download.png`, fullPage: true });
  const href = await page.getAttribute('a:text("Download the book")', 'href');
  const opus = await page.evaluate(async (h) => {
    const r = await fetch(h);
    const b = new Uint8Array(await r.arrayBuffer());
    return { status: r.status, type: r.headers.get('content-type'), n: b.length, magic: String.fromCharCode(...b.slice(0, 4)) };
  }, href);
  ok(opus.status === 200 && opus.type === 'audio/ogg' && opus.magic === 'OggS' && opus.n > 1000, 'the book downloads as Ogg Opus');
  const feedUrl = await page.inputValue('input[aria-label="Feed address"]');
  const feed = await page.evaluate(async (u) => {
    const r = await fetch(u);
    const doc = new DOMParser().parseFromString(await r.text(), 'application/xml');
    const items = [...doc.querySelectorAll('channel > item')];
    return {
      status: r.status, error: !!doc.querySelector('parsererror'), version: doc.documentElement.getAttribute('version'),
      items: items.length,
      good: items.every((i) => { const e = i.querySelector('enclosure'); return e && e.getAttribute('type') === 'audio/ogg' && Number(e.getAttribute('length')) > 0 && e.getAttribute('url').startsWith(location.origin) && i.querySelector('guid'); }),
      first: items[0]?.querySelector('enclosure')?.getAttribute('url'),
    };
  }, feedUrl);
  ok(feed.status === 200 && !feed.error && feed.version === '2.0' && feed.items >= 1 && feed.good, `the podcast feed is valid RSS 2.0 with enclosures (${feed.items} items)`);
  const part = await api(page, feed.first);
  ok(part.status === 200 && part.type === 'audio/ogg', 'a feed item downloads');

  // Lexicon: add a word, preview it.
  await page.click('nav.tabs a:text("Lexicon")');
  await page.waitForSelector('#lex-word', { timeout: 5000 });
  ok(await page.isVisible('text=No words yet.'), 'an empty lexicon says what it is for');
  await page.fill('#lex-word', 'Orla');
  await page.fill('#lex-pron', 'or la');
  await page.click('.lex-form button:text("Preview")');
  ok(await heard(page, 0.1), 'a lexicon entry can be heard before saving');
  await page.click('.lex-form button:text("Save")');
  await page.waitForSelector('.lex-table td:text("orla")', { timeout: 5000 });
  ok((await state(page, `/api/books/${forkId}/lexicon`)).lexicon.length === 1, 'the word is saved in the lexicon');
  await page.screenshot({ path: `${artifacts}book-lexicon.png`, fullPage: true });
  await page.goto(url, { waitUntil: 'load' });
}
try {
  await withPage(browser, async (page, problems) => {
    await page.goto(url, { waitUntil: 'load' });
    await page.waitForSelector('text=No stories yet.', { timeout: 5000 });
    ok(true, 'an empty node tells a newcomer what to do');
    await page.screenshot({ path: `${artifacts}home-empty.png`, fullPage: true });

    // Import by uploading a saved page.
    await page.setInputFiles('#import-file', demo);
    await page.waitForSelector('.import.done', { timeout: 60000 });
    ok(true, 'upload import shows progress until done');
    await page.waitForSelector('article.work h3:text("The Keeper of Small Lights")', { timeout: 5000 });
    const meta = await page.textContent('article.work');
    ok(/41 posts · 5 characters · 1,996 words/.test(meta), 'the new work shows its counts');

    // Import by URL from the stand-in Glowfic.
    await page.fill('#import-url', `${glowfic}/posts/500`);
    await page.click('button:text("Import")');
    await page.waitForSelector('.import.done >> nth=1', { timeout: 60000 });
    ok((await page.locator('article.work').count()) === 2, 'URL import adds a second work');

    // A bad URL is explained in words, and nothing is added.
    await page.fill('#import-url', 'https://example.com/posts/1');
    await page.click('button:text("Import")');
    const toast = await page.waitForSelector('.toast.error', { timeout: 5000 });
    ok(/not Glowfic/.test(await toast.textContent()), 'a non-Glowfic URL is refused with a reason');
    ok((await page.locator('article.work').count()) === 2, 'the refused URL added nothing');

    // Story text is data, never markup.
    await page.setInputFiles('#import-file', hostile);
    await page.waitForSelector('.import.done >> nth=2', { timeout: 60000 });
    await page.waitForTimeout(300);
    ok(await page.evaluate(() => window.__pwned !== true), 'script in a story never runs');
    const headings = await page.locator('article.work h3').allTextContents();
    ok(headings.some((t) => t.includes('<img src=x')), 'markup in a title is shown as text');
    await page.screenshot({ path: `${artifacts}home-works.png`, fullPage: true });
    const body = await page.textContent('body');
    ok(!/null|undefined|\[object /.test(body), 'no null, undefined or [object] text on the page');
    ok(await page.isVisible('h2:text("Import a story")') && await page.isVisible('h2:text("Your stories")'), 'sections have real headings');
    const real = problems.filter((p) => !/the server responded with a status of (400|404)/.test(p));
    ok(real.length === 0, 'no unexpected console errors');
    if (real.length) diag(real.join('\n'));

    // An audiobook from the home page: name it, auto-cast, read it.
    let answer = 'Keeper audiobook';
    const confirms = [];
    page.on('dialog', (d) => {
      if (d.type() === 'confirm') confirms.push(d.message());
      d.accept(d.type() === 'prompt' ? answer : undefined);
    });
    const keeper = page.locator('article.work', { hasText: 'The Keeper of Small Lights' });
    await keeper.locator('button:text("New audiobook")').click();
    await page.waitForURL(/#\/books\/[0-9a-f]{32}\/cast$/, { timeout: 5000 });
    const bookId = page.url().match(/books\/([0-9a-f]{32})/)[1];
    await page.waitForSelector('.cast-row[data-key]', { timeout: 10000 });
    ok((await page.locator('.cast-row[data-key]').count()) >= 5, 'a new audiobook opens on its cast');
    await page.click('button:text("Auto-cast")');
    await page.waitForSelector('.toast:text("Every character has a voice.")', { timeout: 10000 });
    const book = await page.evaluate(async (id) => (await fetch(`/api/books/${id}`)).json(), bookId);
    ok(Object.keys(book.cast).length >= 5 && new Set(Object.values(book.cast)).size === Object.keys(book.cast).length,
      'auto-cast gives every character its own voice');
    await page.screenshot({ path: `${artifacts}book-cast.png`, fullPage: true });
    await page.click('nav.tabs a:text("Read")');
    await page.waitForSelector('article.post .sentence', { timeout: 10000 });
    ok((await page.locator('article.post').count()) === 40, 'the Read tab shows the first page of posts');
    const first = await page.textContent('article.post >> nth=0');
    ok(first.length > 20 && !/null|undefined|\[object /.test(first), 'posts show their speaker and text');
    ok(await page.locator('.sentence[data-state="idle"]').count() > 0, 'sentences show their state');
    await page.screenshot({ path: `${artifacts}book-read.png` });
    await page.goto(url, { waitUntil: 'load' });
    await page.waitForSelector('a.book-link:text("Keeper audiobook")', { timeout: 5000 });
    ok(true, 'the home page lists the audiobook under its work');
    await journey(page, bookId, confirms, (a) => { answer = a; });
    const late = problems.filter((p) => !/the server responded with a status of (400|404|409)/.test(p));
    ok(late.length === 0, 'no unexpected console errors on the book pages');
    if (late.length) diag(late.join('\n'));
  });
  await withPage(browser, async (page) => {
    await page.goto(url, { waitUntil: 'load' });
    await page.waitForSelector('article.work', { timeout: 5000 });
    await page.screenshot({ path: `${artifacts}phone-home.png`, fullPage: true });
    const wide = await page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth + 1);
    ok(!wide, 'the home page fits a phone-sized screen');
    await page.click('a.book-link >> nth=0');
    await page.waitForSelector('article.post .sentence', { timeout: 10000 });
    await page.screenshot({ path: `${artifacts}phone-read.png` });
    ok(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth + 1), 'the reader fits a phone-sized screen');
  }, { width: 390, height: 844 });
} finally {
  await browser.close();
}
done();
