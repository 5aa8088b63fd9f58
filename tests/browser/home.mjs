// The home page on a real node: it loads from the binary, shows the node,
// obeys its own Content-Security-Policy and fits a phone screen.
import { ok, done, launch, withPage, artifacts, diag } from './tap.mjs';

const url = process.argv[2];
const browser = await launch();
try {
  await withPage(browser, async (page, problems) => {
    const res = await page.goto(url, { waitUntil: 'networkidle' });
    ok(res.status() === 200, 'home page loads');
    ok(/Glowtalk/.test(await page.title()), 'title names Glowtalk');
    await page.waitForSelector('#node dd', { timeout: 5000 });
    const text = await page.textContent('#node');
    ok(/[0-9a-f]{64}/.test(text), 'page shows the node id from /api/status');
    ok(problems.length === 0, 'no console errors or CSP violations');
    if (problems.length) diag(problems.join('\n'));
    await page.screenshot({ path: `${artifacts}home.png`, fullPage: true });
  });
  await withPage(browser, async (page) => {
    await page.goto(url, { waitUntil: 'networkidle' });
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth);
    ok(!overflow, 'no horizontal scrolling on a phone-sized screen');
    await page.screenshot({ path: `${artifacts}home-phone.png`, fullPage: true });
  }, { width: 375, height: 740 });
} finally {
  await browser.close();
}
done();
