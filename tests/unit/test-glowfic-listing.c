/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Glowtalk developers */
/* Saved continuity and section pages to thread lists
 * (node/glowfic_listing.c), and the importer refusing them as thread
 * pages. */
#include "tests/unit/task.h"

#include "node/alloc.h"
#include "node/glowfic_listing.h"
#include "node/importer.h"

#define ROW(id, extra)                                                      \
  "<tr><td class=\"post-completed odd\"></td><td class=\"post-subject "    \
  "odd\"><a href=\"/posts/" #id "/unread\"><img></a> <a href=\"https://"   \
  "glowfic.com/posts/" #id "\" title=\"d\">Subject " #id "</a>" extra      \
  "</td><td class=\"post-authors odd\"><a href=\"/users/1\">u</a></td>"   \
  "</tr>\n"
#define SPACER "<tr><td class=\"continuity-spacer\" colspan=\"5\"></td></tr>"

static const char board_page[] =
  "<html><body><div class=\"flash breadcrumbs\"><a href=\"/boards\">"
  "Continuities</a> &raquo; <b>Big One</b></div><table><thead><tr>"
  "<th colspan=\"5\">\n  Big One\n  <a href=\"/posts/new?board_id=77\">"
  "+ New Post</a></th></tr></thead><tbody>" SPACER
  "<tr><th class=\"sub continuity-header\" id=\"section-5\"><a href=\""
  "/board_sections/5\">Book One</a></th></tr>"
  ROW(20, " [<a href=\"/posts/20\">1</a> <a href=\"/posts/20?page=2\">2</a>]")
  ROW(10, "") SPACER
  "<tr><th class=\"sub continuity-header\" id=\"section-6\"><a href=\""
  "/board_sections/6\">Book Two</a></th></tr>"
  "<tr><td class=\"centered no-posts\">— No posts yet —</td></tr>" SPACER
  ROW(99, "") ROW(10, "")
  "<tr><th class=\"sub continuity-header\" id=\"section-7\"><a href=\""
  "/board_sections/7\">Book Three</a></th></tr>" ROW(30, "") SPACER
  "</tbody></table></body></html>";

static const char section_page[] =
  "<html><body><div class=\"flash breadcrumbs\"><a href=\"/boards\">"
  "Continuities</a> &raquo; <a href=\"/boards/77\">Big One</a> &raquo; "
  "<b>Book One</b></div><table><thead><tr><th class=\"table-title\" "
  "colspan=\"5\">Book One</th></tr></thead><tbody>" ROW(20, "") ROW(10, "")
  "</tbody></table><div class=\"normal-pagination\"><a href=\""
  "/board_sections/5?page=2\">2</a></div></body></html>";

TEST_IMPL(glowfic_listing_board_page)
{
  struct glowfic_listing l;
  char err[256];

  ASSERT(glowfic_listing_detect(board_page, sizeof(board_page) - 1));
  ASSERT_OK(glowfic_listing_parse(board_page, sizeof(board_page) - 1, &l,
                                  err, sizeof(err)));
  ASSERT_EQ(l.kind, GLOWFIC_LISTING_BOARD);
  ASSERT_EQ(l.board, 77);
  ASSERT_STR_EQ(l.title, "Big One");
  /* sections in page order, the sectionless thread (written between
   * sections here) last, repeats and quick links dropped */
  ASSERT_EQ(l.n, 4);
  ASSERT_EQ(l.items[0].thread, 20);
  ASSERT_EQ(l.items[0].section, 5);
  ASSERT_EQ(l.items[1].thread, 10);
  ASSERT_EQ(l.items[2].thread, 30);
  ASSERT_EQ(l.items[2].section, 7);
  ASSERT_EQ(l.items[3].thread, 99);
  ASSERT_EQ(l.items[3].section, 0);
  glowfic_listing_free(&l);
  return 0;
}

TEST_IMPL(glowfic_listing_section_page)
{
  struct glowfic_listing l;
  char err[256];

  ASSERT_OK(glowfic_listing_parse(section_page, sizeof(section_page) - 1,
                                  &l, err, sizeof(err)));
  ASSERT_EQ(l.kind, GLOWFIC_LISTING_SECTION);
  ASSERT_EQ(l.board, 77);
  ASSERT_EQ(l.section, 5);
  ASSERT_STR_EQ(l.title, "Book One");
  ASSERT_EQ(l.n, 2);
  ASSERT_EQ(l.items[0].thread, 20);
  ASSERT_EQ(l.items[1].thread, 10);
  glowfic_listing_free(&l);
  return 0;
}

TEST_IMPL(glowfic_listing_refusals)
{
  static const char thread_page[] =
    "<div class=\"post-container post-post\"><div class=\"post-subject\">"
    "</div></div>";
  static const char empty[] =
    "<table><tr><td class=\"post-subject\">no link</td></tr></table>";
  struct importer_opts o = {0, 300, 1 << 20};
  struct glowfic_listing l;
  struct work *w = NULL;
  char err[256];

  ASSERT(!glowfic_listing_detect(thread_page, sizeof(thread_page) - 1));
  ASSERT_EQ(glowfic_listing_parse(empty, sizeof(empty) - 1, &l, err,
                                  sizeof(err)), ERR_PARSE);
  ASSERT_CONTAINS(err, "lists no Glowfic threads");
  /* the byte reader (web uploads) names what to do instead */
  ASSERT_EQ(importer_from_bytes("board.html", board_page,
                                sizeof(board_page) - 1, &o, &w, err,
                                sizeof(err)), ERR_UNSUPPORTED);
  ASSERT_NULL(w);
  ASSERT_CONTAINS(err, "continuity or section page");
  return 0;
}
