// The home page on a real node: it loads from the binary, obeys its own
// Content-Security-Policy, offers only what the node can do, and fits a
// phone screen.
import { ok, done, launch, withPage, artifacts, diag } from './tap.mjs';

const url = process.argv[2];
const browser = await launch();
try {
  await withPage(browser, async (page, problems) => {
    const res = await page.goto(url, { waitUntil: 'load' });
    ok(res.status() === 200, 'home page loads');
    ok(/Glowtalk/.test(await page.title()), 'title names Glowtalk');
    await page.waitForSelector('h2:text("Import a story")', { timeout: 5000 });
    ok(await page.isVisible('#import-url'), 'the import form is there');
    await page.waitForTimeout(300);
    const swarm = await page.locator('nav a:text("Swarm")').isVisible();
    const status = await (await page.request.get(`${url}api/status`)).json();
    ok(swarm === status.features.includes('swarm'), 'navigation offers only what the node can do');
    ok(problems.length === 0, 'no console errors or CSP violations');
    if (problems.length) diag(problems.join('\n'));
    await page.keyboard.press('Tab');
    ok(await page.evaluate(() => document.activeElement?.classList.contains('skip')), 'keyboard users can skip to the content');
    await page.screenshot({ path: `${artifacts}home.png`, fullPage: true });
  });
  await withPage(browser, async (page) => {
    await page.goto(url, { waitUntil: 'load' });
    await page.waitForSelector('h2:text("Import a story")', { timeout: 5000 });
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth);
    ok(!overflow, 'no horizontal scrolling on a phone-sized screen');
    await page.screenshot({ path: `${artifacts}home-phone.png`, fullPage: true });
  }, { width: 375, height: 740 });
} finally {
  await browser.close();
}
done();
