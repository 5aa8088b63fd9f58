// Browser-test helpers: TAP output and a Chromium launched the way this
// project must (Debian's /usr/bin/chromium, never a downloaded browser).
import { chromium } from 'playwright-core';
import { mkdirSync } from 'node:fs';

let count = 0;
let failed = 0;

export function ok(cond, desc) {
  count += 1;
  if (!cond) failed += 1;
  console.log(`${cond ? 'ok' : 'not ok'} ${count} - ${desc}`);
  return cond;
}

export function diag(msg) {
  for (const line of String(msg).split('\n')) console.log(`# ${line}`);
}

export function done() {
  console.log(`1..${count}`);
  process.exitCode = failed ? 1 : 0;
}

export async function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu',
      '--disable-background-networking', '--disable-component-update',
      '--disable-sync', '--no-first-run', '--disable-quic',
      '--autoplay-policy=no-user-gesture-required'],
    timeout: 30000,
  });
}

// Screenshots are test artifacts: tests/artifacts/NAME.png.
export const artifacts = new URL('../artifacts/', import.meta.url).pathname;
mkdirSync(artifacts, { recursive: true });

// Run body(page) with a fresh page, collecting console errors and failed
// requests; any uncaught failure is one "not ok".
export async function withPage(browser, body, viewport = { width: 1280, height: 800 }) {
  const context = await browser.newContext({ viewport });
  // Remember every media element that starts playing, to check that
  // audio really advances (the player's elements are not in the DOM).
  await context.addInitScript(() => {
    const play = HTMLMediaElement.prototype.play;
    window.__media = [];
    HTMLMediaElement.prototype.play = function (...a) {
      if (!window.__media.includes(this)) window.__media.push(this);
      return play.apply(this, a);
    };
  });
  const page = await context.newPage();
  const problems = [];
  page.on('console', (m) => { if (m.type() === 'error') problems.push(`console: ${m.text()}`); });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  try {
    await body(page, problems);
  } catch (e) {
    ok(false, `no exception in the page test (${e.message})`);
  } finally {
    await context.close();
  }
}
