// SPDX-License-Identifier: MIT
// Copyright (c) 2026 the Glowtalk developers
// Issue 4 "done when": a `glowtalk say` file made with a MIXED voice plays
// in Chromium from a real node (/audio/HASH.opus): an <audio> element
// loads it, reports the duration opusinfo measured, plays (currentTime
// advances) and raises no error event.
//   node playback.mjs NODE_URL HASH EXPECTED_SECONDS
import { chromium } from 'playwright-core';
import { ok, diag, done } from './tap.mjs';

const [base, hash, expected] = process.argv.slice(2);
const want = Number(expected);

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu',
    '--disable-background-networking', '--disable-component-update',
    '--disable-sync', '--no-first-run', '--disable-quic',
    '--autoplay-policy=no-user-gesture-required'],
  timeout: 30000,
});
try {
  const page = await browser.newPage();
  await page.goto(base, { waitUntil: 'load' });
  const res = await page.evaluate(async (src) => {
    const a = document.createElement('audio');
    const events = [];
    let error = null;
    a.addEventListener('error', () => { error = a.error ? a.error.code + ' ' + a.error.message : 'error'; });
    for (const e of ['loadedmetadata', 'canplay', 'playing', 'timeupdate', 'ended'])
      a.addEventListener(e, () => { if (!events.includes(e)) events.push(e); });
    a.preload = 'auto';
    a.src = src;
    document.body.appendChild(a);
    await new Promise((resolve) => {
      if (a.readyState >= 1) resolve();
      a.addEventListener('loadedmetadata', resolve, { once: true });
      a.addEventListener('error', resolve, { once: true });
      setTimeout(resolve, 10000);
    });
    const duration = a.duration;
    let played = false;
    try { await a.play(); played = true; } catch (e) { error = error || `play(): ${e.message}`; }
    const t0 = performance.now();
    while (played && a.currentTime < 0.6 && performance.now() - t0 < 8000 && !error)
      await new Promise((r) => setTimeout(r, 50));
    return { duration, currentTime: a.currentTime, paused: a.paused, error, events,
      canPlay: a.canPlayType('audio/ogg; codecs=opus') };
  }, `${base}audio/${hash}.opus`);
  diag(JSON.stringify(res));
  ok(res.canPlay !== '', `Chromium can play Ogg Opus (${res.canPlay})`);
  ok(res.error === null, `no error event (${res.error})`);
  ok(Math.abs(res.duration - want) <= Math.max(0.05, want * 0.02),
    `duration ${res.duration} s is the file's ${want} s`);
  ok(res.currentTime >= 0.6 && res.events.includes('playing'),
    `it plays: currentTime advanced to ${res.currentTime} s`);
} finally {
  await browser.close();
}
done();
