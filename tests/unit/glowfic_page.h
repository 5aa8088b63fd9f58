/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Glowtalk developers */
/* Glowfic thread-page HTML for tests: one reply as the site renders it
 * (what node/glowfic_html.c reads), and a story of three replies (five
 * sentences, two characters). String literals, for concatenation. */
#ifndef GLOWTALK_GLOWFIC_PAGE_H
#define GLOWTALK_GLOWFIC_PAGE_H

#define GT_REPLY(id, chr, text)                                             \
  "<div class=\"post-container post-reply\"><a class=\"noheight\" "         \
  "id=\"reply-" #id "\"> </a><div class=\"padding-10\"><div "               \
  "class=\"post-info-box\"><div class=\"post-info-text\"><div "             \
  "class=\"post-character\">" chr "</div><div class=\"post-author\">bo"     \
  "</div></div></div><div class=\"post-edit-box\"><a rel=\"alternate\" "    \
  "href=\"/replies/" #id "\"></a><a href=\"/posts/42?at_id=" #id "\"></a>"  \
  "</div><div class=\"post-content\">" text "</div></div><div "            \
  "class=\"post-footer\">Posted x</div></div>"

#define GT_STORY                                                            \
  GT_REPLY(1, "Alice", "<p>Hello there. How are you?</p>")                  \
  GT_REPLY(2, "Bob", "<p>Fine, thanks.</p><p>And you?</p>")                 \
  GT_REPLY(3, "Alice", "<p>Very well.</p>")

#endif
