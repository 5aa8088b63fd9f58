// Bytes the reader's first page load transfers before any audio: opens
// URL (a book's #/books/ID/read page) in Chromium, waits for the posts,
// and sums the bodies of every response that is not audio. Prints
// "RESULT bytes=N requests=M" (and each response with -v).
import { chromium } from 'playwright-core';

const [url, verbose] = process.argv.slice(2);
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic'],
});
try {
  const page = await browser.newPage();
  const seen = [];
  page.on('response', async (r) => {
    if (/\/audio\/|\.opus(\?|$)|\/api\/events/.test(r.url())) return;
    try {
      const body = await r.body();
      seen.push([r.url(), body.length]);
    } catch { /* redirects and aborted requests have no body */ }
  });
  await page.goto(url, { waitUntil: 'load' });
  await page.waitForSelector('article.post .sentence', { timeout: 30000 });
  await page.waitForTimeout(500);
  const total = seen.reduce((a, [, n]) => a + n, 0);
  if (verbose) for (const [u, n] of seen) console.log(`${n}\t${u}`);
  console.log(`RESULT bytes=${total} requests=${seen.length}`);
} finally {
  await browser.close();
}
