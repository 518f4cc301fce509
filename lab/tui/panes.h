/*
 * panes.h: the two halves of the lab's screen. Each draws the whole of its window
 * (erase first; never outside it) from the engines' state and the history, reading only:
 * the engines are never changed from here.
 *
 *   tui_acid_draw: sessions T1..Tn with their statements (done, current, queued), level and
 *     state; table contents with uncommitted values marked and who wrote them; the lock
 *     table; the waits-for graph (a deadlock's cycle highlighted); the log tail; the buffer
 *     pool; after a crash, the recovery passes.
 *   tui_base_draw: each replica as a box with its keys, values, versions (siblings shown,
 *     tombstones marked), up or down; the links with cuts, one-way cuts and delays; messages
 *     in flight; a space-time diagram of sends and deliveries; divergence at a glance.
 *
 * Both must lay out sensibly from 78x16 up to 80x46 (one half of a 160x48 screen) and at
 * full width when the screen is stacked.
 *
 * A pane is drawn again only when what it reads changed: the model (app_version), and of
 * the context what labview.c's pane_stale lists (tui_acid_draw: sel_session; tui_base_draw:
 * sel_replica, sel_peer, present; both: the roles' attributes and ascii). Reading another
 * field means adding it there.
 */
#ifndef AB_TUI_PANES_H
#define AB_TUI_PANES_H

#include "draw.h"

void tui_acid_draw(const tui_ctx *c, WINDOW *w);
void tui_base_draw(const tui_ctx *c, WINDOW *w);

#endif
