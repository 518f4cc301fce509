/*
 * acidcheck.c: the ACID history checker's API (acidcheck.h states what it finds and the
 * definitions it applies). A checker reads a history one event at a time and keeps its
 * findings up to date: acidcheck_scan.c turns events into records and edges,
 * acidcheck_graph.c keeps the graph's components in order and finds the cycles each commit
 * closes, acidcheck_explain.c names and words the findings. It judges only what the
 * history says was read and written: never locks, the log or pages, never the BASE side,
 * never a live engine.
 *
 * One step rewrites the past: a commit lost in a crash (TXN_LOST). The transaction then
 * counts as aborted from the start, so the checker empties itself and reads the history
 * again from its first event, knowing which commits are lost. That step costs a full run;
 * every other costs what it added.
 */
#include "acidcheck_int.h"

#include <stdio.h>
#include <string.h>

struct acid_checker {
    ctx c;
};

static void ctx_free(ctx *c)
{
    free(c->tx);
    achk_idmap_free(&c->txmap);
    free(c->tab);
    free(c->tab_keys);
    for (size_t i = 0; i < c->nkeys; i++) {
        free(c->keys[i].phys.v);
        free(c->keys[i].ord.v);
    }
    free(c->keys);
    free(c->kslot);
    free(c->vers);
    achk_idmap_free(&c->vmap);
    free(c->tk);
    free(c->rd);
    free(c->pr);
    free(c->cls);
    umap_free(&c->clsmap);
    for (size_t i = 0; i < c->nw; i++)
        free(c->w[i].flips.v);
    free(c->w);
    free(c->df);
    achk_graph_free(c);
    achk_findings_free(c);
}

/* An empty state: T0 (index 0, committed before everything), class 0 (predicates on the key
 * alone: "the row exists"), and the head of the order of components. */
static int ctx_init(ctx *c, achk_label_fn label, void *arg, u32vec lost)
{
    memset(c, 0, sizeof *c);
    c->label = label;
    c->label_arg = arg;
    c->lost_commits = lost;
    c->tx = calloc(1, sizeof *c->tx);
    c->cls = calloc(1, sizeof *c->cls);
    c->slots = calloc(1, sizeof *c->slots);
    if (!c->tx || !c->cls || !c->slots)
        return -1;
    c->captx = c->ntx = 1;
    ac_txn *t0 = &c->tx[0];
    t0->status = TS_COMMITTED;
    t0->node = t0->tk_head = t0->rd_head = t0->pend_head = t0->dirty_head = NONE;
    t0->defer_head = t0->ver_head = NONE;
    c->capcls = c->ncls = 1;
    c->cls[0] = (ac_cls){ NULL, NONE, NONE, NONE };
    c->capslots = c->nslots = 1;
    c->slots[0] = (ac_slot){ 0, NONE, NONE, NONE };
    c->slot_last = 0;
    c->tx_last = NONE;
    c->cur_node = NONE;
    return 0;
}

static void view_sync(ctx *c)
{
    c->view.n = (int)c->nf;
    c->view.cap = (int)c->nf;
    c->view.v = c->fv;
}

acid_checker *acidcheck_new(void)
{
    acid_checker *k = malloc(sizeof *k);
    if (!k)
        return NULL;
    if (ctx_init(&k->c, NULL, NULL, (u32vec){ 0 })) {
        ctx_free(&k->c);
        free(k);
        return NULL;
    }
    view_sync(&k->c);
    return k;
}

void acidcheck_set_label(acid_checker *k, achk_label_fn label, void *arg)
{
    k->c.label = label;
    k->c.label_arg = arg;
}

static int restart(ctx *c)
{
    achk_label_fn label = c->label;
    void *arg = c->label_arg;
    u32vec lost = c->lost_commits;
    c->lost_commits = (u32vec){ 0 };
    ctx_free(c);
    if (ctx_init(c, label, arg, lost)) {
        free(lost.v);
        return -1;
    }
    return 0;
}

int acidcheck_update(acid_checker *k, const hist *h)
{
    ctx *c = &k->c;
    size_t n = hist_count(h);
    if (c->done == 0 && n > 4096 && achk_scan_presize(c, h))
        goto oom;
    while (c->done < n) {
        int rc = achk_scan_event(c, hist_get(h, c->done));
        if (rc == 1) {
            /* A commit lost in a crash: read everything again, knowing. */
            if (restart(c))
                goto oom;
            continue;
        }
        if (rc < 0 || c->oom)
            goto oom;
#ifdef ACIDCHECK_ASSERT
        if (achk_graph_check(c)) {
            fprintf(stderr, "acidcheck: invariant G2 broken after event %zu\n", c->done + 1);
            abort();
        }
#endif
        c->done++;
    }
    view_sync(c);
    return 0;
oom:
    free(c->lost_commits.v);
    c->lost_commits = (u32vec){ 0 };
    restart(c);
    view_sync(c);
    return -1;
}

const acid_findings *acidcheck_findings(const acid_checker *k)
{
    return &k->c.view;
}

void acidcheck_close(acid_checker *k)
{
    if (!k)
        return;
    free(k->c.lost_commits.v);
    ctx_free(&k->c);
    free(k);
}

int acidcheck_run(const hist *h, achk_label_fn label, void *arg, acid_findings *out)
{
    memset(out, 0, sizeof *out);
    acid_checker *k = acidcheck_new();
    if (!k)
        return -1;
    acidcheck_set_label(k, label, arg);
    if (acidcheck_update(k, h)) {
        acidcheck_close(k);
        return -1;
    }
    ctx *c = &k->c;
    /* The findings change hands: out takes the array and its texts. */
    out->v = c->fv;
    out->n = out->cap = (int)c->nf;
    c->fv = NULL;
    c->nf = c->capfv = 0;
    acidcheck_close(k);
    return 0;
}

void acidcheck_free(acid_findings *f)
{
    if (!f)
        return;
    for (int i = 0; i < f->n; i++)
        free(f->v[i].text);
    free(f->v);
    f->v = NULL;
    f->n = f->cap = 0;
}
