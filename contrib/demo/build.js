#!/usr/bin/env node
// SPDX-License-Identifier: MIT
// Copyright (c) 2026 the Glowtalk developers
// Builds the demo story: story.js -> keeper-of-small-lights.html in
// Glowfic's flat-page shape (GLOWFIC.md 3.3: #content, #post-title, the OP
// block, .flat-post-replies with one block per reply) and one small SVG
// icon per character and mood in icons/. Deterministic: running it again
// rewrites the same bytes. Usage: node contrib/demo/build.js
'use strict';
const fs = require('fs');
const path = require('path');
const story = require('./story.js');

const HERE = __dirname;
const OUT = path.join(HERE, 'keeper-of-small-lights.html');
// Ids far above Glowfic's own (posts ~60k, replies ~3M in 2026), so the
// demo never shares a work id with a real thread.
const THREAD_ID = 999999001;
const FIRST_REPLY = 999999101;

function esc(s) {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}
function slug(s) { return s.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, ''); }

// A round face: the character's colour, its glyph, and a mood mark.
function icon(key, mood) {
  const c = story.characters[key];
  const marks = { determined: 'M22 46 L42 46', startled: 'M32 44 m-4 0 a4 4 0 1 0 8 0 a4 4 0 1 0 -8 0',
    unimpressed: 'M22 46 L42 44', smug: 'M22 44 Q32 50 42 42', amused: 'M22 44 Q32 52 42 44',
    offended: 'M22 48 Q32 42 42 48', serious: 'M24 46 L40 46', thoughtful: 'M24 46 Q32 44 40 47',
    steady: 'M20 46 L44 46', urgent: 'M26 42 L38 42 L38 48 L26 48 Z', desperate: 'M22 48 Q32 40 42 48',
    astonished: 'M32 45 m-5 0 a5 5 0 1 0 10 0 a5 5 0 1 0 -10 0', exhausted: 'M22 46 Q32 48 42 46',
    grateful: 'M22 43 Q32 53 42 43', curious: 'M24 45 Q30 48 40 43', sad: 'M22 48 Q32 42 42 48' };
  const ink = key === 'pip' || key === 'lamp' ? '#222' : '#fff';
  const file = `${key}-${slug(mood)}.svg`;
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="64" height="64" viewBox="0 0 64 64">` +
    `<title>${esc(c.name)}: ${esc(mood)}</title>` +
    `<circle cx="32" cy="32" r="30" fill="${c.colour}" stroke="#222" stroke-width="2"/>` +
    `<text x="32" y="30" font-family="serif" font-size="22" text-anchor="middle" fill="${ink}">${esc(c.glyph)}</text>` +
    `<path d="${marks[mood] || 'M22 46 L42 46'}" fill="none" stroke="${ink}" stroke-width="3" stroke-linecap="round"/></svg>\n`;
  fs.writeFileSync(path.join(HERE, 'icons', file), svg);
  return `icons/${file}`;
}

function block(post, index) {
  const [key, author, mood, ...paras] = post;
  const isOp = index === 0;
  const id = isOp ? THREAD_ID : FIRST_REPLY + index - 1;
  const c = key ? story.characters[key] : null;
  const time = new Date(Date.UTC(2026, 10, 1, 18, 0, 0) + index * 7 * 60000).toISOString().replace(/\.\d+Z$/, 'Z');
  let h = `<div class="post-container ${isOp ? 'post-post' : 'post-reply'}">\n`;
  if (!isOp) h += `<a class="noheight" id="reply-${id}"> </a>\n`;
  h += '<div class="padding-10">\n<div class="post-info-box">\n';
  if (c && mood) {
    const src = icon(key, mood);
    h += `<div class="post-icon"><img src="${src}" alt="${esc(mood)}" title="${esc(mood)}" class="icon"></div>\n`;
  }
  h += '<div class="post-info-text">\n';
  if (c) {
    h += `<div class="post-character">${esc(c.name)}</div>\n`;
    if (c.screenname) h += `<div class="post-screenname">${esc(c.screenname).replace(/_/g, '_<wbr>')}</div>\n`;
  } else {
    h += '<div class="spacer-alt"></div>\n';
  }
  h += `<div class="post-author">\n${esc(author)}\n</div>\n</div>\n</div>\n`;
  h += `<div class="post-edit-box">\n<a rel="alternate" href="${isOp ? `/posts/${id}` : `/replies/${id}#reply-${id}`}">Permalink</a></div>\n`;
  // Paragraphs are story text with <em> only; a lone no-break space is a
  // deliberate pause, written as Glowfic writes it.
  h += '<div class="post-content">' + paras.map((p) => p === '\u00a0' ? '<p>&nbsp;</p>' : `<p>${p}</p>`).join('\n') + '</div>\n';
  h += '</div>\n';
  h += `<div class="post-footer"><div class="right-align"><div class="padding-5">\nPosted <span class="post-posted"><time datetime="${time}" title="${time}">${time}</time></span>\n</div></div></div>\n</div>\n`;
  return h;
}

fs.mkdirSync(path.join(HERE, 'icons'), { recursive: true });
for (const f of fs.readdirSync(path.join(HERE, 'icons'))) fs.unlinkSync(path.join(HERE, 'icons', f));
const [op, ...replies] = story.posts;
const html = '<!DOCTYPE html>\n<html>\n<head>\n<meta charset="utf-8">\n' +
  `<title>${esc(story.title)} | Glowfic Constellation</title>\n</head>\n<body>\n<div id="content">\n` +
  '<!-- An original story written for Glowtalk (MIT, like the rest of it). Built by contrib/demo/build.js from story.js. -->\n' +
  `<a href="/posts/${THREAD_ID}">\u00ab Back</a>\n` +
  `<div class="content-header"><span id="post-title">${esc(story.title)}</span></div>\n` +
  `<div class="post-subheader">${esc(story.description)}</div>\n` +
  block(op, 0) +
  '<div class="flat-post-replies">\n' + replies.map((r, i) => block(r, i + 1)).join('') + '</div>\n' +
  '</div>\n</body>\n</html>\n';
fs.writeFileSync(OUT, html);
process.stdout.write(`wrote ${path.relative(process.cwd(), OUT)} (${story.posts.length} posts) and ${fs.readdirSync(path.join(HERE, 'icons')).length} icons\n`);
