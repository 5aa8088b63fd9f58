// SPDX-License-Identifier: MIT
// Copyright (c) 2026 the Glowtalk developers
// The interactive re-render latency (issue 6): against a node's web API,
// SAMPLES times: pick a random sentence of BOOK, ask for a new take of it
// (POST /api/books/BOOK/rerender), then poll its state until the new audio
// is ready and its audio path (/audio/HASH.opus) answers 200 with the
// file. Prints each latency and a RESULT line with p50/p95/max in ms.
// Usage: node rerender-client.mjs URL BOOK SAMPLES
const [url, book, samplesArg] = process.argv.slice(2);
const samples = Number(samplesArg || 20);
const POLL_MS = 10;
const GAP_MS = 300;
const TIMEOUT_MS = 30000;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

const page = await (await fetch(url)).text();
const token = /name="csrf-token" content="([0-9a-f]+)"/.exec(page)[1];
const api = (p) => url.replace(/\/$/, '') + p;
async function getJson(p) {
  const r = await fetch(api(p));
  if (!r.ok) throw new Error(`${p}: ${r.status}`);
  return r.json();
}
const total = (await getJson(`/api/books/${book}/progress`)).total;
const lat = [];
for (let i = 0; i < samples; i++) {
  const from = Math.floor(Math.random() * total);
  const s = (await getJson(`/api/books/${book}/sentences?from=${from}&limit=1`)).sentences[0];
  const old = s.audio || null;
  const t0 = performance.now();
  const r = await fetch(api(`/api/books/${book}/rerender`), {
    method: 'POST',
    headers: { 'X-CSRF-Token': token, 'Content-Type': 'application/json' },
    body: JSON.stringify({ sentences: [s.id] }),
  });
  if (!r.ok) throw new Error(`rerender: ${r.status} ${await r.text()}`);
  let ms = null;
  while (performance.now() - t0 < TIMEOUT_MS) {
    const now = (await getJson(`/api/books/${book}/sentences?at=${s.id}&limit=1`)).sentences[0];
    if (now.state === 'ready' && now.audio && now.audio !== old) {
      const a = await fetch(api(now.audio)); // a path: /audio/HASH.opus
      const body = await a.arrayBuffer();
      if (a.ok && body.byteLength > 0) { ms = performance.now() - t0; break; }
    }
    await sleep(POLL_MS);
  }
  if (ms === null) throw new Error(`sentence ${s.id}: not playable in ${TIMEOUT_MS} ms`);
  lat.push(ms);
  console.log(`sample ${i + 1}: sentence ${from}: ${ms.toFixed(0)} ms`);
  await sleep(GAP_MS);
}
lat.sort((a, b) => a - b);
const pct = (p) => lat[Math.min(lat.length - 1, Math.ceil(p * lat.length) - 1)];
console.log(`RESULT samples=${lat.length} p50_ms=${pct(0.5).toFixed(0)} p95_ms=${pct(0.95).toFixed(0)} max_ms=${lat[lat.length - 1].toFixed(0)}`);
