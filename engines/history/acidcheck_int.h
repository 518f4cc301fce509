/*
 * acidcheck_int.h: the ACID checker's private state, shared by its four files. Nothing
 * outside engines/history/acidcheck*.c includes it; acidcheck.h is the public API.
 *
 *   acidcheck.c          the API: new, update, findings, free, run; rebuilding after a
 *                        commit lost in a crash
 *   acidcheck_scan.c     1. scan: events into records (transactions, keys, versions, reads,
 *                        version sets)
 *   acidcheck_commit.c      and at each commit the versions it installs and the edges they
 *                        make
 *   acidcheck_tables.c   the growing tables and id maps they live in
 *   acidcheck_graph.c    2. graph: the edges, a topological order of the graph's strongly
 *                        connected components kept as it grows, and the search for the
 *                        cycles a commit closes
 *   acidcheck_explain.c  3. explain: findings, their names and classes, and their texts
 *
 * Indexes are uint32_t into growing arrays; NONE is "no index". Transaction 0 is T0, the
 * initial state, committed before everything and never a graph node.
 */
#ifndef AB_ACIDCHECK_INT_H
#define AB_ACIDCHECK_INT_H

#include "acidcheck.h"
#include "common/umap.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>

#define NONE UMAP_NONE
#define NOVER (UINT32_MAX - 1)      /* all of a transaction's writes of a key were undone */
#define NEVER UINT64_MAX            /* a version never undone */
#define CYCLE_FINDINGS_MAX 1000     /* cycle findings per name */
#define CYCLE_SHOW_MAX 24           /* edges written out in a finding's text */
#define SEARCH_BUDGET 4000000       /* edge visits one commit's cycle search may spend */

enum { TS_ACTIVE, TS_COMMITTED, TS_ABORTED };
enum { E_WW = 1, E_WR = 2, E_RWI = 4, E_RWP = 8, E_RW = E_RWI | E_RWP };
enum { FN_DIRTY, FN_G0, FN_G1A, FN_G1B, FN_G1C, FN_GSINGLE, FN_G2ITEM, FN_G2, FN__COUNT };
#define FN_BIT(n) (1u << (n))

typedef struct u32vec {
    uint32_t *v;
    uint32_t n, cap;
} u32vec;

int achk_u32_push(u32vec *a, uint32_t x);

/* id -> index. Performance: transaction and version ids come from counters, so an array
 * indexed by the id is a dense map with the locality of the history itself; ids far beyond
 * the others (a hand-made history) go to a hash map instead. */
typedef struct idmap {
    uint32_t *v;            /* v[id]: the index, NONE when absent */
    size_t cap, n;
    umap far;
} idmap;

uint32_t achk_idmap_get(const idmap *m, uint64_t id);
int achk_idmap_put(idmap *m, uint64_t id, uint32_t val);
void achk_idmap_free(idmap *m);
/* Memory for a big table: on huge pages where the system gives them (a hint). */
void *achk_big_realloc(void *p, size_t old_bytes, size_t new_bytes);

typedef struct ac_txn {
    uint64_t id;
    uint64_t begin_seq, end_seq, commit_seq;
    uint32_t node;          /* graph node once committed (not lost); NONE before */
    uint32_t tk_head;       /* keys it wrote (ac_tk chain, newest first) */
    uint32_t rd_head;       /* its reads and version-set entries (ac_read chain) */
    uint32_t pend_head;     /* others' committed reads of its versions, waiting for its end */
    uint32_t dirty_head;    /* dirty-read findings naming it as the writer (fnd chain) */
    uint32_t defer_head;    /* predicate anti-dependencies to draw when it commits */
    uint32_t ver_head;      /* every version it wrote (ac_ver.tnext chain) */
    uint16_t nth;           /* its session's nth transaction (TXN_BEGIN) */
    uint8_t session;        /* 1..9, 0 none */
    uint8_t status;         /* TS_* */
    uint8_t lost;           /* its commit was lost in a crash */
    uint8_t lost_pending;   /* committed, but known to be lost later (a rebuild) */
} ac_txn;

typedef struct ac_tk {      /* one key a transaction wrote */
    uint32_t txn, key;
    uint32_t own;           /* latest version not undone; NOVER when all were undone */
    uint32_t next;
} ac_tk;

typedef struct ac_ver {
    uint64_t id;
    uint64_t seq;           /* its WRITE; 0 for T0 */
    uint64_t undone;        /* when it was undone or wiped by a crash; NEVER */
    int64_t value;
    uint32_t txn, key;
    uint32_t prev_own;      /* the writer's previous version of the key */
    uint32_t tnext;         /* the writer's previous version of any key */
    uint32_t pos;           /* position in the key's version order; NONE when not installed */
    uint8_t exists, known, inserted;
} ac_ver;

typedef struct ac_key {
    scalar key;
    uint32_t table;
    uint64_t born;          /* the first event that named it */
    u32vec phys;            /* versions in the order they were written (T0's first) */
    u32vec ord;             /* the version order: installed versions */
    uint32_t nextw;         /* committed item reads of the last installed version, waiting
                             * for the next one (ac_read chain through wnext) */
    uint32_t watch;         /* predicate watches on this key (ac_watch chain) */
    uint32_t stamp;
    uint32_t tnext;         /* next key of the same table */
} ac_key;

/* A read: an item read (READ, or a row a predicate read matched) or an entry of a predicate
 * read's version set (every row it evaluated, and every key it found no row for). */
typedef struct ac_read {
    uint64_t seq;
    uint32_t txn, key;
    uint32_t ver;           /* NONE: the key was unborn */
    uint32_t pread;         /* NONE for READ */
    uint32_t next;          /* the reader's previous read */
    uint32_t wnext;         /* waiting chain: a writer's pend list, or a key's nextw */
    uint32_t fnext;         /* waiting chain of a watch (the next flip) */
    uint32_t cls;           /* version-set entries: the predicate class; NONE never matches */
    uint8_t item, matched, dirty;
} ac_read;

typedef struct ac_pread {
    const pred *pred;
    uint64_t seq;
    uint32_t txn, table, cls; /* cls NONE: the predicate can never match */
} ac_pread;

/* A predicate class: the predicates a watch evaluates. Predicates on the key alone share
 * class 0 ("the row exists"): on a key they name, they match exactly when a row exists. */
typedef struct ac_cls {
    const pred *p;          /* NULL: class 0 */
    uint32_t table;
    uint32_t future;        /* version-set entries of keys born later (ac_read chain, by seq) */
    uint32_t future_tail;
} ac_cls;

/* One predicate class over one key's version order: where the match changes. */
typedef struct ac_watch {
    uint32_t cls, key, next;
    u32vec flips;           /* positions whose match differs from the one before (position 0:
                             * from the unborn key, which matches nothing) */
    uint32_t waiters;       /* committed entries waiting for the next flip (fnext chain) */
    uint8_t last;           /* the match of the last installed version */
    uint8_t future_done;    /* the class's future entries have had their first match */
} ac_watch;

typedef struct ac_defer {   /* a predicate anti-dependency to draw at the reader's commit */
    uint32_t to_txn, key, ver, pread, next;
} ac_defer;

typedef struct ac_edge {
    uint32_t from, to;      /* graph nodes */
    uint32_t key;
    uint32_t v1, v2;        /* ww: from's and to's versions; wr: the version read; rw: the
                             * version read (NONE: unborn), the version to installed */
    uint32_t pread;         /* through a predicate read; NONE otherwise */
    uint32_t next_out, next_in;
    uint8_t kind;           /* E_* */
    uint8_t seen_match;     /* E_RWP: did the version read match */
    uint8_t flip;           /* E_WR: a predicate read-dependency (v1 changed the matches) */
} ac_edge;

typedef struct ac_node {
    uint32_t txn;
    uint32_t out, in;       /* edge chains */
    uint32_t uf;            /* union-find parent: the component */
    uint32_t member_next;   /* the component's members (at its root) */
    uint32_t slot;          /* at a root: its place in the topological order */
    uint32_t size;          /* at a root */
    uint32_t stamp, stamp2;
    uint32_t pedge[2];      /* the search's path: edge into (node, layer) */
    uint8_t play[2];        /* and the layer it came from */
} ac_node;

typedef struct ac_slot {    /* the topological order of components, labels increasing */
    uint64_t label;
    uint32_t prev, next, owner;
} ac_slot;

typedef struct fnd {
    uint64_t h1, h2;        /* the transaction set's hashes (A3) */
    uint32_t name;          /* FN_* */
    uint32_t cls;           /* FN_BIT of every class it belongs to */
    uint32_t reader, writer, ver; /* read findings */
    uint32_t wnext;         /* the writer's chain of dirty-read findings */
    uint8_t dirty_text;     /* text depends on how the writer ended */
} fnd;

typedef struct sbuf {
    char *s;
    size_t n, cap;
    int oom;
} sbuf;

typedef struct ctx {
    achk_label_fn label;
    void *label_arg;
    size_t done;            /* history events consumed */
    int oom;
    uint16_t nth[256];      /* transactions begun per session */

    ac_txn *tx;
    size_t ntx, captx;
    idmap txmap;            /* id -> txn (the latest with that id) */
    uint32_t tx_last;
    u32vec lost_commits;    /* COMMIT seqs of transactions later lost (sorted) */

    const char **tab;
    size_t ntab, captab;
    uint32_t *tab_keys;     /* per table: its first key (ac_key.tnext chain) */
    ac_key *keys;
    size_t nkeys, capkeys;
    uint32_t *kslot;
    size_t kcap;
    uint32_t kstamp;

    ac_ver *vers;
    size_t nvers, capvers;
    idmap vmap;
    ac_tk *tk;
    size_t ntk, captk;

    ac_read *rd;
    size_t nrd, caprd;
    ac_pread *pr;
    size_t npr, cappr;
    ac_cls *cls;
    size_t ncls, capcls;
    umap clsmap;            /* (pred pointer, table) -> class */
    ac_watch *w;
    size_t nw, capw;
    ac_defer *df;
    size_t ndf, capdf;

    ac_node *nodes;
    size_t nnodes, capnodes;
    ac_edge *ed;
    size_t ned, caped;
    ac_slot *slots;
    size_t nslots, capslots;
    uint32_t slot_last;
    u32vec new_edges;       /* edges the current commit made that touch its transaction */
    u32vec side_edges;      /* and those between two earlier ones (a read that waited for
                             * the committing writer, drawn from an earlier writer) */
    uint32_t cur_node;      /* the committing transaction's node; NONE between commits */
    u32vec sa, sb, sc, sq;  /* scratch */
    uint32_t epoch;
    uint64_t budget;
    u32vec cyc;             /* the cycle found: edges */

    fnd *f;
    size_t nf, capf;
    umap fmap;              /* (name, set hash) and (kind, reader, version) -> finding */
    int ncycles[FN__COUNT];
    acid_finding *fv;       /* the findings as acidcheck_findings hands them out, in step
                             * with f (same index) */
    size_t capfv;
    acid_findings view;
    char lbuf[8][40];       /* achk_txn_label's buffers, used in turn */
    int lnext;
} ctx;

/* acidcheck_tables.c */
void *achk_grow(void *p, size_t *cap, size_t need, size_t sz);
int achk_scan_presize(ctx *c, const hist *h);

/* acidcheck_scan.c */
int achk_scan_event(ctx *c, const hist_event *e);
int achk_read_add(ctx *c, uint32_t t, uint32_t key, uint32_t v, uint32_t pread, uint32_t cls,
                  bool item, bool matched, uint64_t seq);

/* acidcheck_commit.c */
int achk_commit_txn(ctx *c, uint32_t t, uint64_t seq);
int achk_commit_install(ctx *c, uint32_t t, uint32_t v);
#define RESERVE(arr, cap, need) do { \
        if ((need) > (cap)) { \
            void *q_ = achk_grow((arr), &(cap), (need), sizeof *(arr)); \
            if (!q_) \
                return -1; \
            (arr) = q_; \
        } \
    } while (0)

/* acidcheck_graph.c */
int achk_graph_node_add(ctx *c, uint32_t txn);
int achk_edge_add(ctx *c, uint8_t kind, uint32_t from_txn, uint32_t to_txn, uint32_t key,
             uint32_t v1, uint32_t v2, uint32_t pread, bool seen_match);
#define E_FLIP 0x80         /* or'ed into achk_edge_add's kind: a predicate read-dependency */
int achk_graph_commit(ctx *c, uint32_t txn);
int achk_graph_check(ctx *c);
void achk_graph_free(ctx *c);

/* acidcheck_explain.c */
int achk_finding_read(ctx *c, int name, uint32_t r, uint64_t seq);
void achk_finding_writer_ended(ctx *c, uint32_t writer);
int achk_finding_cycle(ctx *c, const uint32_t *cyc, uint32_t n);
const char *achk_txn_label(ctx *c, uint32_t t);
void achk_findings_free(ctx *c);

#endif
