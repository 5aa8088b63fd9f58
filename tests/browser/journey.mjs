// The user's journey in a browser, on a real node whose Glowfic is the
// stand-in server of the import tests. argv: UI URL, Glowfic base URL,
// path of the demo story, path of a hostile page.
import { ok, done, launch, withPage, artifacts, diag } from './tap.mjs';

const [url, glowfic, demo, hostile] = process.argv.slice(2);
const browser = await launch();
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
    page.on('dialog', (d) => d.accept(d.type() === 'prompt' ? 'Keeper audiobook' : undefined));
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
    const late = problems.filter((p) => !/the server responded with a status of (400|404)/.test(p));
    ok(late.length === 0, 'no unexpected console errors on the book pages');
    if (late.length) diag(late.join('\n'));
  });
} finally {
  await browser.close();
}
done();
