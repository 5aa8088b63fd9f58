#!/usr/bin/env node
// SPDX-License-Identifier: MIT
// Copyright (c) 2026 the Glowtalk developers
// Builds a big Glowfic flat page for the import benchmark from the real
// fixture slices: their reply blocks repeated (ids made unique) under one
// opening post until the page holds at least WORDS words of post text.
// Usage: make-thread.js FIXTURE_DIR OUT.html [WORDS]
// MAKE_THREAD_UNIQUE=1: every sentence is made different (a "take N", N
// never the same twice, before each stop and at the end of each paragraph
// without one), so no render is a cache hit.
'use strict';
const fs = require('fs');
const path = require('path');

const [dir, out, wordsArg] = process.argv.slice(2);
const target = Number(wordsArg || 1000000);
const files = ['alts.html', 'dialogue-2author.html', 'icon-aspect.html', 'icon-heavy.html', 'multi-author-3plus.html'];
const start = /<div class=["']post-container post-(post|reply) ?["']>/g;

function words(block) {
  const m = block.match(/<div class=["']post-content["']>([\s\S]*?)<\/div>\s*<\/div>\s*<div class=["']post-footer/);
  if (!m) return 0;
  return m[1].replace(/<[^>]+>/g, ' ').replace(/&nbsp;/g, ' ').split(/\s+/).filter(Boolean).length;
}

const blocks = [];
let op = null;
for (const f of files) {
  let html = fs.readFileSync(path.join(dir, f), 'utf8');
  html = html.replace(/<\/div>\s*$/, ''); // the slice's .post-list wrapper
  const starts = [];
  let m;
  while ((m = start.exec(html))) starts.push([m.index, m[1]]);
  for (let i = 0; i < starts.length; i++) {
    const b = html.slice(starts[i][0], i + 1 < starts.length ? starts[i + 1][0] : html.length);
    if (starts[i][1] === 'post') { if (!op) op = b; continue; }
    blocks.push({ html: b, words: words(b) });
  }
}
const unique = process.env.MAKE_THREAD_UNIQUE === '1';
const contentRe = /(<div class=["']post-content["']>)([\s\S]*?)(<\/div>\s*<\/div>\s*<div class=["']post-footer)/;
// A sentence's end: a letter or digit, closing inline tags, brackets,
// quotes or dashes, the stop (quotes and such after it), then a space, a
// tag or the end.
const stopRe = /([A-Za-z0-9])((?:<\/[a-z]+>|[)"'\u201d\u2019\]\u2013\u2014 -])*?)((?:[.!?\u2026]|&hellip;)+(?:&[a-z]+;|["'\u201d\u2019)\]*_-])*)(?=\s|<|$)/g;
let serial = 0; // each mark differs from every other, across copies too
function uniquify(block) {
  return block.replace(contentRe, (_, open, body, close) => open +
    body.replace(stopRe, (m, c, tags, stop) => `${c}, take ${serial++}${tags}${stop}`)
      // a paragraph that ends without a stop (a dash, a cut-off line)
      .replace(/<p>([\s\S]*?)<\/p>/g, (m, text) =>
        /take \d+(<\/[a-z]+>)*[^A-Za-z0-9<]*\s*$/.test(text) ? m
          : `<p>${text.replace(/\s*(&nbsp;)?\s*$/, '')} take ${serial++}</p>`)
      // and its first sentence starts with one ("...", a line cut in two)
      .replace(/<p>/g, () => `<p>Take ${serial++}, `) + close);
}
let total = words(op);
const parts = [];
for (let copy = 0; total < target; copy++) {
  for (const b of blocks) {
    if (total >= target) break;
    const h = b.html.replace(/(reply-|\/replies\/|at_id=)(\d+)/g, (_, p, id) => p + (Number(id) + copy * 10000000));
    parts.push(unique ? uniquify(h) : h);
    total += b.words;
  }
}
const html = '<!DOCTYPE html>\n<html><head><meta charset="utf-8"><title>Benchmark | Glowfic Constellation</title></head>\n' +
  '<body><div id="content"><div class="content-header"><span id="post-title">Benchmark thread</span></div>\n' +
  op + '<div class="flat-post-replies">\n' + parts.join('') + '</div></div></body></html>\n';
fs.writeFileSync(out, html);
process.stdout.write(`${out}: ${parts.length + 1} posts, ${total} words, ${html.length} bytes\n`);
