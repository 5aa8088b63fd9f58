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
    await page.waitForSelector('.import.done', { timeout: 15000 });
    ok(true, 'upload import shows progress until done');
    await page.waitForSelector('article.work h3:text("The Keeper of Small Lights")', { timeout: 5000 });
    const meta = await page.textContent('article.work');
    ok(/41 posts · 5 characters · 1,996 words/.test(meta), 'the new work shows its counts');

    // Import by URL from the stand-in Glowfic.
    await page.fill('#import-url', `${glowfic}/posts/500`);
    await page.click('button:text("Import")');
    await page.waitForSelector('.import.done >> nth=1', { timeout: 30000 });
    ok((await page.locator('article.work').count()) === 2, 'URL import adds a second work');

    // A bad URL is explained in words, and nothing is added.
    await page.fill('#import-url', 'https://example.com/posts/1');
    await page.click('button:text("Import")');
    const toast = await page.waitForSelector('.toast.error', { timeout: 5000 });
    ok(/not Glowfic/.test(await toast.textContent()), 'a non-Glowfic URL is refused with a reason');
    ok((await page.locator('article.work').count()) === 2, 'the refused URL added nothing');

    // Story text is data, never markup.
    await page.setInputFiles('#import-file', hostile);
    await page.waitForSelector('.import.done >> nth=2', { timeout: 15000 });
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
  });
} finally {
  await browser.close();
}
done();
