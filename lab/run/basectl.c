/*
 * basectl.c: BASE lines of a scenario, run on the cluster. See basectl.h.
 *
 * Client statements are synchronous in the transcript: the coordinator applies and
 * answers at once when it can (W=ONE, R=ONE); otherwise time moves, tick by tick, until
 * the answer comes or the timeout passes, as assets/doc/scenarios.md says.
 */
#include "basectl.h"
#include "base/view.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define CLIENTS_MAX 64

typedef struct client_read { char name[32]; char text[512]; } client_read;

struct basectl {
    hist *h;
    base_cfg cfg;
    cluster *c;
    int64_t skew[10];
    char node_read[10][512];     /* the latest GET answered through each replica */
    bool has_node_read[10];
    int node_write[10];          /* 0 none, 1 ok, 2 unavailable, 3 refused */
    client_read reads[CLIENTS_MAX];
    int nreads;
    int settled;                 /* the latest run: settle: 0 none yet, 1 settled, 2 not */
};

basectl *basectl_new(hist *h, uint64_t seed)
{
    basectl *b = calloc(1, sizeof *b);
    if (!b)
        return NULL;
    b->h = h;
    base_cfg_default(&b->cfg);
    b->cfg.seed = seed;
    return b;
}

void basectl_free(basectl *b)
{
    if (!b)
        return;
    cluster_free(b->c);
    free(b);
}

cluster *basectl_cluster(basectl *b) { return b->c; }
uint64_t basectl_seed(const basectl *b) { return b->cfg.seed; }

static int fail(char *msg, size_t n, int *col, int at, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, n, fmt, ap);
    va_end(ap);
    *col = at;
    return -1;
}

/* One transcript record for line l (record.h): kind, outcome, and the result in words
 * (fmt NULL: none). */
static void say(const run_sink *out, const scn_line *l, run_rec_kind kind, run_outcome oc, const char *fmt, ...)
{
    if (!out || !out->fn)
        return;
    char res[1024];
    if (fmt) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(res, sizeof res, fmt, ap);
        va_end(ap);
    }
    run_record r = { .kind = kind, .outcome = oc, .side = RS_BASE, .line = l->line,
                     .replica = l->kind == SL_CLIENT ? l->node : 0, .text = l->text,
                     .result = fmt && kind != REC_EVENT ? res : NULL };
    if (kind == REC_EVENT)
        r.text = res;
    run_emit(out, &r);
}

static int start(basectl *b, char *msg, size_t n, int *col, int at)
{
    if (b->c)
        return 0;
    b->c = cluster_new(&b->cfg, b->h);
    if (!b->c)
        return fail(msg, n, col, at, "cannot start the replica set (out of memory)");
    for (uint32_t r = 1; r <= b->cfg.n && r < 10; r++)
        if (b->skew[r])
            cluster_set_skew(b->c, r, b->skew[r]);
    return 0;
}

static int check_node(basectl *b, int r, char *msg, size_t n, int *col, int at)
{
    if (r < 1 || (uint32_t)r > b->cfg.n)
        return fail(msg, n, col, at, "n%d does not exist: the cluster has %u replica%s (n1..n%u)", r, b->cfg.n,
                    b->cfg.n == 1 ? "" : "s", b->cfg.n);
    return 0;
}

static int cluster_line(basectl *b, const scn_line *l, const run_sink *out, char *msg, size_t n, int *col)
{
    bool live = b->c != NULL;
    switch (l->cluster) {
    case CL_REPLICAS:
        if (live)
            return fail(msg, n, col, l->col, "the replica count is fixed once the cluster has started; put cluster: replicas first");
        b->cfg.n = (uint32_t)l->n;
        break;
    case CL_SEED:
        if (live)
            return fail(msg, n, col, l->col, "the seed is fixed once the cluster has started; put cluster: seed first");
        b->cfg.seed = (uint64_t)l->n;
        break;
    case CL_RESOLVE:
        b->cfg.resolve = l->resolve == RESOLVE_LWW ? RES_LWW : l->resolve == RESOLVE_SIBLINGS ? RES_SIBLINGS : RES_CRDT;
        if (live)
            cluster_set_resolve(b->c, b->cfg.resolve);
        break;
    case CL_GOSSIP:
        b->cfg.gossip = l->on;
        if (live)
            cluster_set_gossip(b->c, l->on);
        break;
    case CL_GOSSIP_INTERVAL:
        b->cfg.interval = (uint32_t)l->n;
        if (live)
            cluster_set_interval(b->c, (uint32_t)l->n);
        break;
    case CL_READ_REPAIR:
        b->cfg.read_repair = l->on;
        if (live)
            cluster_set_read_repair(b->c, l->on);
        break;
    case CL_HINTED_HANDOFF:
        b->cfg.hinted_handoff = l->on;
        if (live)
            cluster_set_hinted_handoff(b->c, l->on);
        break;
    case CL_TOMBSTONE_GRACE:
        b->cfg.grace = (uint32_t)l->n;
        if (live)
            cluster_set_grace(b->c, (uint32_t)l->n);
        break;
    case CL_TIMEOUT:
        b->cfg.timeout = l->n > 0 ? (uint32_t)l->n : 1;
        if (live)
            cluster_set_timeout(b->c, b->cfg.timeout);
        break;
    case CL_CLOCK:
        b->cfg.hlc = l->on;
        if (live)
            cluster_set_clock(b->c, l->on);
        break;
    case CL_SKEW:
        if (check_node(b, l->node, msg, n, col, l->col))
            return -1;
        b->skew[l->node] = l->n;
        if (live)
            cluster_set_skew(b->c, (uint32_t)l->node, l->n);
        break;
    }
    say(out, l, REC_DIRECTIVE, RO_NONE, NULL);
    return 0;
}

static int net_line(basectl *b, const scn_line *l, const run_sink *out, char *msg, size_t n, int *col)
{
    if ((l->a && check_node(b, l->a, msg, n, col, l->col)) || (l->b && check_node(b, l->b, msg, n, col, l->col)))
        return -1;
    if (start(b, msg, n, col, l->col))
        return -1;
    cluster *c = b->c;
    switch (l->net) {
    case NET_CUT: cluster_cut(c, (uint32_t)l->a, (uint32_t)l->b, false); break;
    case NET_CUT_ONEWAY: cluster_cut(c, (uint32_t)l->a, (uint32_t)l->b, true); break;
    case NET_PARTITION: {
        uint32_t *group = calloc((size_t)b->cfg.n + 1, sizeof *group);
        if (!group)
            return fail(msg, n, col, l->col, "out of memory");
        for (uint32_t r = 1; r <= b->cfg.n; r++)
            group[r] = (uint32_t)l->ngroups + 1;   /* not named: a group of their own */
        for (int g = 0; g < l->ngroups; g++)
            for (int r = 1; r <= 9; r++)
                if (l->groups[g] & (1u << (r - 1))) {
                    if ((uint32_t)r > b->cfg.n) {
                        free(group);
                        return check_node(b, r, msg, n, col, l->col);
                    }
                    group[r] = (uint32_t)g + 1;
                }
        cluster_partition(c, group);
        free(group);
        break;
    }
    case NET_HEAL: cluster_heal(c, (uint32_t)l->a, (uint32_t)l->b); break;
    case NET_DELAY: cluster_delay(c, (uint32_t)l->a, (uint32_t)l->b, (uint32_t)l->n); break;
    case NET_LOSS: cluster_loss(c, (uint32_t)l->a, (uint32_t)l->b, (uint32_t)l->n); break;
    case NET_DOWN: cluster_down(c, (uint32_t)l->a); break;
    case NET_UP: cluster_up(c, (uint32_t)l->a); break;
    }
    say(out, l, REC_DIRECTIVE, RO_NONE, NULL);
    return 0;
}

static int run_line(basectl *b, const scn_line *l, const run_sink *out, char *msg, size_t n, int *col)
{
    if (start(b, msg, n, col, l->col))
        return -1;
    cluster *c = b->c;
    uint64_t from = cluster_now(c);
    if (l->run == RUN_TICK) {
        int64_t k = l->n < 0 ? 1 : l->n;
        tick_report rep = { 0 };
        for (int64_t i = 0; i < k; i++)
            cluster_tick(c, &rep);
        net_stats st = net_get_stats(cluster_net(c));
        (void)st;
        say(out, l, REC_RESULT, RO_OK, "tick %" PRIu64 ": %" PRIu64 " message%s delivered, %zu in flight%s",
            cluster_now(c), rep.delivered, rep.delivered == 1 ? "" : "s", cluster_in_flight(c),
            rep.gossip_exchanges ? ", gossip running" : "");
        (void)from;
        return 0;
    }
    if (l->run == RUN_GOSSIP) {
        int64_t k = l->n < 0 ? 1 : l->n;
        say(out, l, REC_DIRECTIVE, RO_NONE, NULL);
        for (int64_t i = 0; i < k; i++) {
            gossip_report g;
            cluster_gossip_round(c, &g);
            say(out, l, REC_EVENT, RO_NONE, "round %" PRId64 ": %u exchange%s (%u completed), %" PRIu64 " message%s (%" PRIu64
                " bytes), %" PRIu64 " hashes compared, %" PRIu64 " key%s shipped, %" PRIu64 " tick%s; %s", i + 1,
                g.exchanges, g.exchanges == 1 ? "" : "s", g.completed, g.messages, g.messages == 1 ? "" : "s",
                g.bytes, g.hashes_compared, g.keys_shipped, g.keys_shipped == 1 ? "" : "s", g.ticks,
                g.ticks == 1 ? "" : "s", cluster_converged(c) ? "converged" : "not yet converged");
        }
        return 0;
    }
    uint64_t max = l->n < 0 ? 1000 : (uint64_t)l->n, ticks = 0;
    bool ok = cluster_settle(c, max, &ticks);
    b->settled = ok ? 1 : 2;
    if (ok) {
        uint64_t since = cluster_now(c) - cluster_last_write_tick(c);
        say(out, l, REC_RESULT, RO_OK, "settled after %" PRIu64 " tick%s (tick %" PRIu64 ")%s; %" PRIu64 " tick%s after the last write",
            ticks, ticks == 1 ? "" : "s", cluster_now(c),
            cluster_converged(c) ? ": all up replicas agree" : ": every reachable group agrees", since,
            since == 1 ? "" : "s");
    }
    if (!ok)
        say(out, l, REC_RESULT, RO_WAIT, "not settled after %" PRIu64 " tick%s%s", ticks, ticks == 1 ? "" : "s",
            !cluster_cfg(c)->gossip ? " (gossip is off: nothing more will move)" : "");
    return 0;
}

static void remember_read(basectl *b, int node, const char *client, const char *text)
{
    if (node >= 1 && node <= 9) {
        snprintf(b->node_read[node], sizeof b->node_read[node], "%s", text);
        b->has_node_read[node] = true;
    }
    if (!client[0])
        return;
    for (int i = 0; i < b->nreads; i++)
        if (strcmp(b->reads[i].name, client) == 0) {
            snprintf(b->reads[i].text, sizeof b->reads[i].text, "%s", text);
            return;
        }
    if (b->nreads < CLIENTS_MAX) {
        snprintf(b->reads[b->nreads].name, sizeof b->reads[0].name, "%s", client);
        snprintf(b->reads[b->nreads].text, sizeof b->reads[0].text, "%s", text);
        b->nreads++;
    }
}

static int client_line(basectl *b, const scn_line *l, const run_sink *out, char *msg, size_t n, int *col)
{
    const scn_base_stmt *s = &l->base;
    if (check_node(b, l->node, msg, n, col, 1))   /* the actor opens the line */
        return -1;
    if (strlen(s->key) > BASE_KEY_MAX)
        return fail(msg, n, col, l->col, "key '%s' is longer than %d bytes", s->key, BASE_KEY_MAX);
    if (strlen(s->value) > BASE_VALUE_MAX)
        return fail(msg, n, col, l->col, "value '%s' is longer than %d bytes", s->value, BASE_VALUE_MAX);
    if (start(b, msg, n, col, l->col))
        return -1;
    cluster *c = b->c;
    base_req req;
    memset(&req, 0, sizeof req);
    req.op = (base_op)s->op;
    snprintf(req.key, sizeof req.key, "%.*s", BASE_KEY_MAX, s->key);
    snprintf(req.value, sizeof req.value, "%.*s", BASE_VALUE_MAX, s->value);
    req.delta = s->n;
    req.q = s->q == Q_ONE ? BQ_ONE : s->q == Q_QUORUM ? BQ_QUORUM : s->q == Q_ALL ? BQ_ALL : s->q == Q_NUM ? BQ_NUM : BQ_DEFAULT;
    req.qn = (uint32_t)s->qn;
    snprintf(req.client, sizeof req.client, "%.31s", l->client);
    snprintf(req.rid, sizeof req.rid, "%s", s->rid);
    const char *stmt = strchr(l->text, ':');
    snprintf(req.text, sizeof req.text, "%.159s", stmt ? stmt + 1 + strspn(stmt + 1, " \t") : l->text);
    if (!cluster_quorum(c, req.q, req.qn))
        return fail(msg, n, col, l->col, "%c=%u cannot be met: the cluster has %u replica%s",
                    s->op == BOP_GET ? 'R' : 'W', req.qn, b->cfg.n, b->cfg.n == 1 ? "" : "s");
    if (s->op != BOP_GET) {
        /* A bound on memory: a new key past BASE_KEYS_MAX (on any replica) is refused. */
        uint32_t most = 0;
        bool known = false;
        for (uint32_t i = 1; i <= b->cfg.n; i++) {
            cview_replica_info x;
            cview_key_info k;
            if (cview_replica(c, i, &x) && x.known > most)
                most = x.known;
            known = known || cview_key(c, i, req.key, &k);
        }
        if (!known && most >= BASE_KEYS_MAX)
            return fail(msg, n, col, l->col, "too many keys: a replica holds at most %d, and '%s' would be one more",
                        BASE_KEYS_MAX, req.key);
    }
    uint64_t id = cluster_submit(c, (uint32_t)l->node, &req);
    base_answer a;
    while (!cluster_answer(c, id, &a))
        cluster_tick(c, NULL);
    uint64_t waited = a.answered - a.invoked;
    char timing[64] = "";
    if (waited)
        snprintf(timing, sizeof timing, ", %" PRIu64 " tick%s", waited, waited == 1 ? "" : "s");
    const char *who = s->op == BOP_GET ? "replies" : "acks";
    const char *by = a.counted_by[0] ? a.counted_by : "none";
    if (s->op == BOP_GET) {
        /* An unavailable read is the latest read too: `expect n2 read = apple` must not
         * pass on an older answer. */
        remember_read(b, l->node, l->client, a.text);
        say(out, l, REC_RESULT, a.ok ? RO_OK : RO_WAIT, "%s (%s: %s%s)", a.text, who, by, timing);
    } else {
        b->node_write[l->node] = a.ok ? 1 : a.error ? 3 : 2;
        if (a.error)
            say(out, l, REC_RESULT, RO_FAIL, "%s", a.text);
        else if (a.ok && a.deduped)
            say(out, l, REC_RESULT, RO_OK, "ok (%s: %s%s; request %s was applied already at n%d: not again)", who,
                by, timing, s->rid, l->node);
        else if (a.ok)
            say(out, l, REC_RESULT, RO_OK, "ok (%s: %s%s)", who, by, timing);
        else
            say(out, l, REC_RESULT, RO_WAIT, "%s (%s: %s; needed %u%s)", a.text, who, by, a.needed, timing);
    }
    return 0;
}

int basectl_line(basectl *b, const scn_line *l, const run_sink *out, char *msg, size_t n, int *col)
{
    switch (l->kind) {
    case SL_CLUSTER: return cluster_line(b, l, out, msg, n, col);
    case SL_NET: return net_line(b, l, out, msg, n, col);
    case SL_RUN: return run_line(b, l, out, msg, n, col);
    case SL_CLIENT: return client_line(b, l, out, msg, n, col);
    default: return fail(msg, n, col, l->col, "not a BASE line");
    }
}

/* Canonical form of an expected or stored state: siblings and set elements sorted. */
static int piece_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void canon(const char *in, char *out, size_t n)
{
    char buf[1024], *parts[128];
    int np = 0;
    snprintf(buf, sizeof buf, "%s", in);
    for (char *save = NULL, *tok = strtok_r(buf, "|", &save); tok && np < 128; tok = strtok_r(NULL, "|", &save)) {
        while (*tok == ' ')
            tok++;
        size_t len = strlen(tok);
        while (len && tok[len - 1] == ' ')
            tok[--len] = 0;
        parts[np++] = tok;
    }
    /* Inside each piece that is a set, sort the elements too. */
    char sets[128][256];
    for (int i = 0; i < np; i++) {
        size_t len = strlen(parts[i]);
        if (len < 2 || parts[i][0] != '{' || parts[i][len - 1] != '}')
            continue;
        char inner[256], *el[64];
        int ne = 0;
        snprintf(inner, sizeof inner, "%.*s", (int)(len - 2), parts[i] + 1);
        for (char *save = NULL, *tok = strtok_r(inner, ",", &save); tok && ne < 64; tok = strtok_r(NULL, ",", &save)) {
            while (*tok == ' ')
                tok++;
            size_t tl = strlen(tok);
            while (tl && tok[tl - 1] == ' ')
                tok[--tl] = 0;
            if (*tok)
                el[ne++] = tok;
        }
        qsort(el, (size_t)ne, sizeof *el, piece_cmp);
        size_t o = (size_t)snprintf(sets[i], sizeof sets[i], "{");
        for (int j = 0; j < ne && o < sizeof sets[i]; j++)
            o += (size_t)snprintf(sets[i] + o, sizeof sets[i] - o, "%s%s", j ? "," : "", el[j]);
        if (o < sizeof sets[i])
            snprintf(sets[i] + o, sizeof sets[i] - o, "}");
        parts[i] = sets[i];
    }
    qsort(parts, (size_t)np, sizeof *parts, piece_cmp);
    size_t o = 0;
    out[0] = 0;
    for (int i = 0; i < np && o < n; i++)
        o += (size_t)snprintf(out + o, n - o, "%s%s", i ? "|" : "", parts[i]);
}

static bool same_state(const char *got, const char *want, bool absent)
{
    if (absent)
        return strcmp(got, "absent") == 0;
    char a[1024], b[1024];
    canon(got, a, sizeof a);
    canon(want, b, sizeof b);
    return strcmp(a, b) == 0;
}

/* expect nK write retried, from the history: the latest write coordinated by nK was
 * answered ok, and the write before it of the same key through nK was unavailable (a
 * client retrying after "unavailable"; a refused write was not tried, and does not count). */
static int expect_retried(basectl *b, int node, char *why, size_t n)
{
    size_t ne = hist_count(b->h);
    /* Request ids count 1, 2, 3, ...: the op of each, from its REQ_INVOKE. */
    size_t nops = hist_count_kind(b->h, EV_REQ_INVOKE) + 1;
    unsigned char *op = calloc(nops, 1);
    if (!op) {
        snprintf(why, n, "out of memory");
        return -1;
    }
    const hist_event *last = NULL, *before = NULL;
    for (size_t i = 0; i < ne; i++) {
        const hist_event *e = hist_get(b->h, i);
        if (e->kind == EV_REQ_INVOKE && e->n[2] > 0 && (size_t)e->n[2] < nops)
            op[e->n[2]] = (unsigned char)e->n[0];
        if (e->kind != EV_REQ_ANSWER || e->node != (uint16_t)node || e->n[2] <= 0 || (size_t)e->n[2] >= nops ||
            op[e->n[2]] == BOP_GET)
            continue;
        if (last && scalar_eq(&last->key, &e->key))
            before = last;
        else
            before = NULL;
        last = e;
    }
    free(op);
    if (!last) {
        snprintf(why, n, "no write has been coordinated by n%d", node);
        return 0;
    }
    bool refused = last->text && strncmp(last->text, "refused", 7) == 0;
    if (last->n[0] != 1) {
        snprintf(why, n, "the latest write at n%d was %s", node, refused ? "refused" : "unavailable");
        return 0;
    }
    bool was_unavailable = before && before->n[0] != 1 && !(before->text && strncmp(before->text, "refused", 7) == 0);
    if (was_unavailable)
        return 1;
    snprintf(why, n, "the latest write at n%d was ok, but %s", node,
             before ? "the one before it of the same key was ok too (no retry after unavailable)"
                    : "the write before it through that replica was of another key, or there was none");
    return 0;
}

int basectl_expect(basectl *b, const scn_line *l, char *why, size_t n)
{
    const scn_expect *x = &l->ex;
    why[0] = 0;
    if ((x->kind == EX_STORES || x->kind == EX_WRITE || x->kind == EX_REPLY_FROM || x->kind == EX_REPAIRED ||
         (x->kind == EX_READ && !x->client[0])) &&
        (x->node < 1 || (uint32_t)x->node > b->cfg.n)) {
        snprintf(why, n, "n%d does not exist: the cluster has %u replicas", x->node, b->cfg.n);
        return -1;
    }
    for (int k = 1; x->kind == EX_REPLY_FROM && k < 10; k++)
        if ((x->value >> k & 1) && (uint32_t)k > b->cfg.n) {
            snprintf(why, n, "n%d does not exist: the cluster has %u replicas", k, b->cfg.n);
            return -1;
        }
    switch (x->kind) {
    case EX_STORES: {
        char got[1024] = "absent";
        if (b->c)
            cview_key_text(b->c, (uint32_t)x->node, x->key, got, sizeof got);
        if (same_state(got, x->text, x->absent))
            return 1;
        snprintf(why, n, "n%d stores %s", x->node, got);
        return 0;
    }
    case EX_READ: {
        const char *got = NULL;
        if (x->client[0]) {
            for (int i = 0; i < b->nreads; i++)
                if (strcmp(b->reads[i].name, x->client) == 0)
                    got = b->reads[i].text;
            if (!got) {
                snprintf(why, n, "%s has had no GET answered", x->client);
                return 0;
            }
        } else {
            if (!b->has_node_read[x->node]) {
                snprintf(why, n, "no GET has been answered through n%d", x->node);
                return 0;
            }
            got = b->node_read[x->node];
        }
        if (same_state(got, x->text, x->absent))
            return 1;
        snprintf(why, n, "the latest GET %s%s returned %s", x->client[0] ? "by " : "through n",
                 x->client[0] ? x->client : (char[4]){ (char)('0' + x->node), 0 }, got);
        return 0;
    }
    case EX_WRITE: {
        if (strcasecmp(x->word, "retried") == 0)
            return expect_retried(b, x->node, why, n);
        /* A refused write is neither ok nor unavailable: nothing was tried. */
        int w = b->node_write[x->node];
        int want = strcasecmp(x->word, "ok") == 0 ? 1 : strcasecmp(x->word, "refused") == 0 ? 3 : 2;
        if (w == want)
            return 1;
        snprintf(why, n, w ? "the latest write at n%d was %s" : "no write has been coordinated by n%d%s", x->node,
                 w ? (w == 1 ? "ok" : w == 2 ? "unavailable" : "refused") : "");
        return 0;
    }
    case EX_CONVERGED:
    case EX_DIVERGED: {
        bool conv = !b->c || cview_converged(b->c);
        if (conv == (x->kind == EX_CONVERGED))
            return 1;
        snprintf(why, n, conv ? "all up replicas hold the same data" : "the up replicas do not all hold the same data");
        return 0;
    }
    case EX_REPLY_FROM: {
        /* From the history: the latest REQ_ANSWER of a request coordinated by nK names the
         * replicas whose acks or replies counted. */
        const hist_event *last = NULL;
        for (size_t i = hist_count(b->h); i-- > 0 && !last;) {
            const hist_event *e = hist_get(b->h, i);
            if (e->kind == EV_REQ_ANSWER && e->node == (uint16_t)x->node)
                last = e;
        }
        if (!last) {
            snprintf(why, n, "no request coordinated by n%d has been answered", x->node);
            return 0;
        }
        int64_t got = 0;
        for (int i = 0; i < hist_ntxns(last); i++)
            if (hist_txns(last)[i] < 63)
                got |= (int64_t)1 << hist_txns(last)[i];
        if ((got & x->value) == x->value)
            return 1;
        char who[128] = "";
        size_t o = 0;
        for (int k = 1; k < 63 && o < sizeof who; k++)
            if (got >> k & 1)
                o += (size_t)snprintf(who + o, sizeof who - o, "%sn%d", o ? ", " : "", k);
        snprintf(why, n, "the latest request through n%d, answered %s, counted %s", x->node,
                 last->text ? last->text : "?", who[0] ? who : "no answer");
        return 0;
    }
    case EX_REPAIRED: {
        /* From the history: HINT_DELIVER and READ_REPAIR name their target as node2; a GOSSIP
         * exchange names both ends and counts the keys it shipped (n1), either way. */
        bool hint = strcmp(x->word, "hint") == 0, rr = strcmp(x->word, "read-repair") == 0;
        size_t ne = hist_count(b->h);
        for (size_t i = 0; i < ne; i++) {
            const hist_event *e = hist_get(b->h, i);
            if (hint && e->kind == EV_HINT_DELIVER && e->node2 == (uint16_t)x->node)
                return 1;
            if (rr && e->kind == EV_READ_REPAIR && e->node2 == (uint16_t)x->node)
                return 1;
            if (!hint && !rr && e->kind == EV_GOSSIP && e->n[1] > 0 &&
                (e->node == (uint16_t)x->node || e->node2 == (uint16_t)x->node))
                return 1;
        }
        snprintf(why, n, hint ? "no hint has been handed to n%d" : rr ? "no read repair has been sent to n%d"
                                                                       : "no gossip exchange with n%d shipped a key",
                 x->node);
        return 0;
    }
    case EX_SETTLED:
        if (b->settled == 1)
            return 1;
        snprintf(why, n, b->settled ? "the latest run: settle stopped at its limit without settling"
                                    : "no run: settle has been run");
        return 0;
    default:
        snprintf(why, n, "not a BASE expectation");
        return -1;
    }
}
