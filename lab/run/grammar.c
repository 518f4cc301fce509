/*
 * grammar.c: the table of the scenario language's words, and what reads it for the
 * parser, completion, help and actor detection. See grammar.h.
 *
 * Order matters: the parser's lists of what was expected name the entries in table order
 * ("expected an engine directive (sync, flush, checkpoint, evict, crash, frames)"), and
 * for two entries that share a first word, the one-word entry comes first.
 */
#include "grammar.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#define E(cls, area, subj, words, args, code, sub, list, example, help) \
    { cls, area, subj, words, args, code, sub, list, example, help }

static const gram_entry table[] = {
    /* --- areas: the head of a line --------------------------------------------------------- */
    E(G_AREA, SL_SQL, GS_NONE, "T1..T9", "<SQL>", SL_SQL, 0, "T1..T9", "T1: BEGIN",
      "a session's statement; sessions T1..T9 run side by side, each one transaction at a time"),
    E(G_AREA, SL_CLIENT, GS_NONE, "n1..n9", "<request>", SL_CLIENT, 0, "n1..n9", "n1: GET cart",
      "a client's request, coordinated by replica nK"),
    E(G_AREA, SL_CLIENT, GS_NONE, "client@nK", "<request>", SL_CLIENT, 0, "client@nK", "alice@n2: GET cart",
      "a named client's request (what alice saw: session guarantees)"),
    E(G_AREA, SL_SETUP, GS_NONE, "setup", "<SQL>", SL_SETUP, 0, "setup", "setup: CREATE TABLE t (id INT PRIMARY KEY, v INT)",
      "creates and fills tables before the story starts (outside the history)"),
    E(G_AREA, SL_ENGINE, GS_NONE, "engine", "<directive>", SL_ENGINE, 0, "engine", "engine: flush",
      "the ACID engine's settings and events: sync, flush, checkpoint, evict, crash, frames"),
    E(G_AREA, SL_CLUSTER, GS_NONE, "cluster", "<setting>", SL_CLUSTER, 0, "cluster", "cluster: replicas 3",
      "the replica set's settings"),
    E(G_AREA, SL_NET, GS_NONE, "net", "<directive>", SL_NET, 0, "net", "net: heal",
      "the network: cut, partition, heal, delay, loss; replicas down and up"),
    E(G_AREA, SL_RUN, GS_NONE, "run", "<what>", SL_RUN, 0, "run", "run: tick",
      "time moves: ticks, gossip rounds, or until the replicas settle"),
    E(G_AREA, SL_SAY, GS_NONE, "say", "<text>", SL_SAY, 0, "say", "say: T1 moves 100 from A to B",
      "narration, shown to the learner"),
    E(G_AREA, SL_EXPECT, GS_NONE, "expect", "<assertion>", SL_EXPECT, 0, NULL, "expect deadlock",
      "an expectation, checked when the line runs"),
    E(G_AREA, SL_PREDICT, GS_NONE, "predict", "<assertion>", SL_PREDICT, 0, "predict", "predict: T2 blocked",
      "a guess before the next step (classroom mode): judged right after that step, never a failure"),

    /* --- engine: --------------------------------------------------------------------------- */
    E(G_DIRECTIVE, SL_ENGINE, GS_NONE, "sync full", "", ENG_SYNC_FULL, 0, "sync", "engine: sync full",
      "COMMIT waits until its log record is on disk (an fsync; the default)"),
    E(G_DIRECTIVE, SL_ENGINE, GS_NONE, "sync off", "", ENG_SYNC_OFF, 0, "sync", "engine: sync off",
      "COMMIT answers before the log is on disk: a crash can lose answered commits"),
    E(G_DIRECTIVE, SL_ENGINE, GS_NONE, "sync group", "<n>", ENG_SYNC_GROUP, 0, "sync", "engine: sync group 4",
      "one fsync for every n commits (group commit); COMMIT waits for its group"),
    E(G_DIRECTIVE, SL_ENGINE, GS_NONE, "flush", "", ENG_FLUSH, 0, "flush", "engine: flush",
      "write the log to disk now"),
    E(G_DIRECTIVE, SL_ENGINE, GS_NONE, "checkpoint", "", ENG_CHECKPOINT, 0, "checkpoint", "engine: checkpoint",
      "a checkpoint: dirty pages written, recovery starts here next time"),
    E(G_DIRECTIVE, SL_ENGINE, GS_NONE, "evict", "", ENG_EVICT, 0, "evict", "engine: evict",
      "write the dirty pages out of the buffer pool, committed or not (steal)"),
    E(G_DIRECTIVE, SL_ENGINE, GS_NONE, "crash", "", ENG_CRASH, 0, "crash", "engine: crash",
      "power loss: what was not on disk is gone; recovery runs"),
    E(G_DIRECTIVE, SL_ENGINE, GS_NONE, "crash torn", "", ENG_CRASH_TORN, 0, "crash", "engine: crash torn",
      "power loss in the middle of a log write: its tail is half on disk"),
    E(G_DIRECTIVE, SL_ENGINE, GS_NONE, "frames", "<n>", ENG_FRAMES, 0, "frames", "engine: frames 4",
      "the buffer pool's size, in pages (2 to 64)"),

    /* --- cluster: -------------------------------------------------------------------------- */
    E(G_DIRECTIVE, SL_CLUSTER, GS_NONE, "replicas", "<n>", CL_REPLICAS, 0, "replicas", "cluster: replicas 5",
      "how many replicas (1 to 9), before the first request"),
    E(G_DIRECTIVE, SL_CLUSTER, GS_NONE, "resolve", "lww|siblings|crdt", CL_RESOLVE, 0, "resolve",
      "cluster: resolve siblings", "what concurrent writes become: last writer wins, siblings, a CRDT merge"),
    E(G_DIRECTIVE, SL_CLUSTER, GS_NONE, "seed", "<n>", CL_SEED, 0, "seed", "cluster: seed 7",
      "the seed of the replica set's random choices (before the first request)"),
    E(G_DIRECTIVE, SL_CLUSTER, GS_NONE, "gossip", "on|off", CL_GOSSIP, 0, "gossip", "cluster: gossip on",
      "anti-entropy gossip between replicas as time moves"),
    E(G_DIRECTIVE, SL_CLUSTER, GS_NONE, "gossip-interval", "<ticks>", CL_GOSSIP_INTERVAL, 0, "gossip-interval",
      "cluster: gossip-interval 5", "ticks between gossip rounds"),
    E(G_DIRECTIVE, SL_CLUSTER, GS_NONE, "read-repair", "on|off", CL_READ_REPAIR, 0, "read-repair",
      "cluster: read-repair on", "a read that sees stale replicas sends them the newest version"),
    E(G_DIRECTIVE, SL_CLUSTER, GS_NONE, "hinted-handoff", "on|off", CL_HINTED_HANDOFF, 0, "hinted-handoff",
      "cluster: hinted-handoff on", "a write for a down replica is kept elsewhere and handed over later"),
    E(G_DIRECTIVE, SL_CLUSTER, GS_NONE, "tombstone-grace", "<ticks>", CL_TOMBSTONE_GRACE, 0, "tombstone-grace",
      "cluster: tombstone-grace 40", "how long a delete's tombstone is kept before it is purged"),
    E(G_DIRECTIVE, SL_CLUSTER, GS_NONE, "timeout", "<ticks>", CL_TIMEOUT, 0, "timeout", "cluster: timeout 4",
      "how long a coordinator waits for acks or replies"),
    E(G_DIRECTIVE, SL_CLUSTER, GS_NONE, "skew", "nK <ticks>", CL_SKEW, 0, "skew", "cluster: skew n2 -3",
      "replica nK's clock runs ahead (or behind, negative) by that much"),
    E(G_DIRECTIVE, SL_CLUSTER, GS_NONE, "clock", "wall|hlc", CL_CLOCK, 0, "clock", "cluster: clock hlc",
      "LWW timestamps from each replica's clock (wall) or from hybrid logical clocks (hlc)"),

    /* --- net: ------------------------------------------------------------------------------ */
    E(G_DIRECTIVE, SL_NET, GS_NONE, "cut", "nA nB | nA -> nB", NET_CUT, 0, "cut", "net: cut n1 n2",
      "cut the link between two replicas (both ways, or one way with ->)"),
    E(G_DIRECTIVE, SL_NET, GS_NONE, "partition", "nA ... | nB ...", NET_PARTITION, 0, "partition",
      "net: partition n1 n2 | n3", "split the replicas into groups that cannot reach each other"),
    E(G_DIRECTIVE, SL_NET, GS_NONE, "heal", "[nA nB]", NET_HEAL, 0, "heal", "net: heal",
      "restore a link, or every link"),
    E(G_DIRECTIVE, SL_NET, GS_NONE, "delay", "[nA nB] <ticks>", NET_DELAY, 0, "delay", "net: delay n1 n2 3",
      "messages on a link (or every link) take that many ticks"),
    E(G_DIRECTIVE, SL_NET, GS_NONE, "loss", "[nA nB] <percent>", NET_LOSS, 0, "loss", "net: loss 10",
      "drop that share of the messages on a link (or every link)"),
    E(G_DIRECTIVE, SL_NET, GS_NONE, "down", "nK", NET_DOWN, 0, "down", "net: down n2",
      "replica nK stops: it answers nothing"),
    E(G_DIRECTIVE, SL_NET, GS_NONE, "up", "nK", NET_UP, 0, "up", "net: up n2", "replica nK comes back"),

    /* --- run: ------------------------------------------------------------------------------ */
    E(G_DIRECTIVE, SL_RUN, GS_NONE, "tick", "[<n>]", RUN_TICK, 0, "tick", "run: tick 3",
      "time moves a tick (or n): messages arrive, timers fire"),
    E(G_DIRECTIVE, SL_RUN, GS_NONE, "gossip", "[<rounds>]", RUN_GOSSIP, 0, "gossip", "run: gossip",
      "one round (or n) of anti-entropy gossip"),
    E(G_DIRECTIVE, SL_RUN, GS_NONE, "settle", "[<max ticks>]", RUN_SETTLE, 0, "settle", "run: settle",
      "time moves until the replicas agree (at most 1000 ticks, or the limit given)"),

    /* --- statements ------------------------------------------------------------------------ */
    E(G_STATEMENT, SL_SQL, GS_NONE, "BEGIN", "[ISOLATION LEVEL <level>]", 0, 0, "BEGIN", "T1: BEGIN",
      "starts a transaction (at the session's level, or the one given)"),
    E(G_STATEMENT, SL_SQL, GS_NONE, "COMMIT", "", 0, 0, "COMMIT", "T1: COMMIT", "ends it: all of it, for good"),
    E(G_STATEMENT, SL_SQL, GS_NONE, "ROLLBACK", "", 0, 0, "ROLLBACK", "T1: ROLLBACK", "ends it: none of it"),
    E(G_STATEMENT, SL_SQL, GS_NONE, "SELECT * FROM", "<table> [WHERE ...]", 0, 0, "SELECT",
      "T1: SELECT * FROM t WHERE id = 1", "reads rows (also SELECT COUNT(*), SUM(col), ... FOR UPDATE)"),
    E(G_STATEMENT, SL_SQL, GS_NONE, "UPDATE", "<table> SET ... [WHERE ...]", 0, 0, "UPDATE",
      "T1: UPDATE t SET v = v + 1 WHERE id = 1", "changes rows"),
    E(G_STATEMENT, SL_SQL, GS_NONE, "INSERT INTO", "<table> VALUES (...)", 0, 0, "INSERT",
      "T1: INSERT INTO t VALUES (3, 30)", "adds rows"),
    E(G_STATEMENT, SL_SQL, GS_NONE, "DELETE FROM", "<table> [WHERE ...]", 0, 0, "DELETE",
      "T1: DELETE FROM t WHERE id = 3", "removes rows"),
    E(G_STATEMENT, SL_SQL, GS_NONE, "SET TRANSACTION ISOLATION LEVEL", "<level>", 0, 0, "SET",
      "T1: SET TRANSACTION ISOLATION LEVEL SERIALIZABLE", "the session's level for its next transactions"),
    E(G_STATEMENT, SL_SETUP, GS_NONE, "CREATE TABLE", "<name> (<key> INT|TEXT PRIMARY KEY, <col> INT ...)", 0, 0,
      "CREATE", "setup: CREATE TABLE t (id INT PRIMARY KEY, v INT)", "a table of (key, value) rows"),
    E(G_STATEMENT, SL_SETUP, GS_NONE, "INSERT INTO", "<table> VALUES (...)", 0, 0, "INSERT",
      "setup: INSERT INTO t VALUES (1, 10)", "the rows the story starts with"),
    E(G_STATEMENT, SL_CLIENT, GS_NONE, "PUT", "<key> <value> [W=ONE|QUORUM|ALL|<k>] [id=<request id>]", BOP_PUT, 0,
      "PUT", "n1: PUT cart apple W=QUORUM", "writes a value (id=: a retry with the same id is applied once)"),
    E(G_STATEMENT, SL_CLIENT, GS_NONE, "GET", "<key> [R=ONE|QUORUM|ALL|<k>]", BOP_GET, 0, "GET", "n1: GET cart R=ALL",
      "reads a key"),
    E(G_STATEMENT, SL_CLIENT, GS_NONE, "DEL", "<key> [W=...]", BOP_DEL, 0, "DEL", "n1: DEL cart",
      "deletes a key (a tombstone)"),
    E(G_STATEMENT, SL_CLIENT, GS_NONE, "DELETE", "<key> [W=...]", BOP_DEL, 0, NULL, "n1: DELETE cart",
      "the same as DEL"),
    E(G_STATEMENT, SL_CLIENT, GS_NONE, "ADD", "<key> <element> [W=...]", BOP_ADD, 0, "ADD", "n1: ADD cart apple",
      "adds an element to a set (resolve crdt)"),
    E(G_STATEMENT, SL_CLIENT, GS_NONE, "REMOVE", "<key> <element> [W=...]", BOP_REMOVE, 0, "REMOVE",
      "n1: REMOVE cart apple", "removes an element from a set (resolve crdt)"),
    E(G_STATEMENT, SL_CLIENT, GS_NONE, "INCR", "<key> <n> [W=...] [id=<request id>]", BOP_INCR, 0, "INCR",
      "n1: INCR hits 1 id=r17", "adds n to a counter (resolve crdt); with id=, a replica that has applied that request "
      "id does not apply it again"),

    /* --- expectations, in the order the parser's list names them --------------------------- */
    E(G_EXPECT, SL_EXPECT, GS_SESSION, "blocked", "", EX_STATE, SS_BLOCKED, "T1..T9", "expect T1 blocked",
      "the session waits for a lock (or its group commit)"),
    E(G_EXPECT, SL_EXPECT, GS_SESSION, "active", "", EX_STATE, SS_ACTIVE, "T1..T9", "expect T1 active",
      "the session is in a transaction"),
    E(G_EXPECT, SL_EXPECT, GS_SESSION, "committed", "", EX_STATE, SS_COMMITTED, "T1..T9", "expect T1 committed",
      "its latest transaction committed"),
    E(G_EXPECT, SL_EXPECT, GS_SESSION, "aborted", "", EX_STATE, SS_ABORTED, "T1..T9", "expect T1 aborted",
      "its latest transaction aborted"),
    E(G_EXPECT, SL_EXPECT, GS_SESSION, "idle", "", EX_STATE, SS_IDLE, "T1..T9", "expect T1 idle",
      "the session has done nothing yet"),
    E(G_EXPECT, SL_EXPECT, GS_SESSION, "rows", "{k:v, ...}", EX_ROWS, 0, "T1..T9", "expect T1 rows {1:10, 2:20}",
      "its latest SELECT returned these rows"),
    E(G_EXPECT, SL_EXPECT, GS_SESSION, "value", "<n>", EX_VALUE, 0, "T1..T9", "expect T1 value 30",
      "its latest COUNT or SUM"),
    E(G_EXPECT, SL_EXPECT, GS_SESSION, "error", "<code>", EX_ERROR, 0, "T1..T9", "expect T1 error deadlock",
      "its latest statement failed with this error"),
    E(G_EXPECT, SL_EXPECT, GS_SESSION, "level", "<level>", EX_LEVEL, 0, "T1..T9",
      "expect T1 level READ COMMITTED", "the session's isolation level (RU, RC, RR, SER or the full name)"),
    E(G_EXPECT, SL_EXPECT, GS_SESSION, "victim", "", EX_VICTIM, 0, "T1..T9", "expect T2 victim",
      "a deadlock so far chose a transaction of this session as its victim"),
    E(G_EXPECT, SL_EXPECT, GS_SESSION, "retried", "", EX_RETRIED, 0, "T1..T9", "expect T2 retried",
      "after its transaction was a deadlock's victim, the session committed one that wrote every row the victim "
      "was writing"),
    E(G_EXPECT, SL_EXPECT, GS_SESSION, "crashed", "", EX_CRASHED, 0, "T1..T9", "expect T1 crashed",
      "the engine crashed while a transaction of this session was open"),
    E(G_EXPECT, SL_EXPECT, GS_SESSION, "overlapped", "T<k>", EX_OVERLAPPED, 0, "T1..T9", "expect T3 overlapped T4",
      "a committed transaction of each session, both open at one moment"),
    E(G_EXPECT, SL_EXPECT, GS_SESSION, "waited", "[for T<k>]", EX_WAITED, 0, "T1..T9", "expect T2 waited for T1",
      "a statement of the session waited (for a lock that session's transaction held)"),
    E(G_EXPECT, SL_EXPECT, GS_NONE, "table", "<name> {k:v, ...}", EX_TABLE, 0, "table", "expect table t {1:10}",
      "a table's committed contents"),
    E(G_EXPECT, SL_EXPECT, GS_NONE, "deadlock", "", EX_DEADLOCK, 0, "deadlock", "expect deadlock",
      "a deadlock has been detected"),
    E(G_EXPECT, SL_EXPECT, GS_NONE, "torn", "", EX_TORN, 0, "torn", "expect torn",
      "recovery found a torn log record (its checksum failed) and cut the log there"),
    E(G_EXPECT, SL_EXPECT, GS_NONE, "anomaly", "<name>", EX_ANOMALY, 0, "anomaly", "expect anomaly G1a",
      "the checker found this anomaly (G0, G1a, G-single, lost-update, stale-read, ...)"),
    E(G_EXPECT, SL_EXPECT, GS_NONE, "no anomaly", "[<name>]", EX_NO_ANOMALY, 0, "no anomaly", "expect no anomaly",
      "the checker found nothing (or not this one)"),
    E(G_EXPECT, SL_EXPECT, GS_REPLICA, "", "<key> = <value> | absent", EX_STORES, 0, "n1..n9", "expect n2 cart = apple",
      "what replica nK stores for a key"),
    E(G_EXPECT, SL_EXPECT, GS_REPLICA, "read", "= <value> | absent", EX_READ, 0, "n1..n9", "expect n2 read = apple",
      "what the latest GET through nK returned"),
    E(G_EXPECT, SL_EXPECT, GS_REPLICA, "write", "ok|unavailable|refused|retried", EX_WRITE, 0, "n1..n9",
      "expect n1 write ok", "how the latest write coordinated by nK ended (retried: ok, after the one before it of "
      "the same key through nK was unavailable)"),
    E(G_EXPECT, SL_EXPECT, GS_REPLICA, "repaired", "by hint|read-repair|gossip", EX_REPAIRED, 0, "n1..n9",
      "expect n3 repaired by hint", "a repair reached nK: a hint handed to it, a read repair sent to it, or a gossip "
      "exchange with it that shipped keys"),
    E(G_EXPECT, SL_EXPECT, GS_REPLICA, "reply", "from nA [nB ...]", EX_REPLY_FROM, 0, "n1..n9",
      "expect n3 reply from n1", "the latest request coordinated by nK counted an answer (ack or reply) from each"),
    E(G_EXPECT, SL_EXPECT, GS_CLIENT, "read", "= <value> | absent", EX_READ, 0, "<client> read",
      "expect alice read = apple", "what the client's latest GET returned"),
    E(G_EXPECT, SL_EXPECT, GS_NONE, "converged", "", EX_CONVERGED, 0, "converged", "expect converged",
      "every up replica holds the same data"),
    E(G_EXPECT, SL_EXPECT, GS_NONE, "diverged", "", EX_DIVERGED, 0, "diverged", "expect diverged",
      "the up replicas do not all hold the same data"),
    E(G_EXPECT, SL_EXPECT, GS_NONE, "settled", "", EX_SETTLED, 0, "settled", "expect settled",
      "the latest run: settle ended with the replicas agreeing"),
    E(G_EXPECT, SL_EXPECT, GS_NONE, "stale-reads", "=|>=|<= <n>", EX_STALE_READS, 0, "stale-reads",
      "expect stale-reads = 0", "how many stale reads the checker counted"),
    E(G_EXPECT, SL_EXPECT, GS_NONE, "stale-read", "=|>=|<= <n>", EX_STALE_READS, 0, NULL, "expect stale-read >= 1",
      "the same as stale-reads"),
    E(G_EXPECT, SL_EXPECT, GS_NONE, "predicted", "<assertion>", EX_PREDICTED, 0, "predicted",
      "expect predicted T2 blocked", "a predict: line said so while it did not hold yet, and the next step made it "
      "hold"),
};
#undef E
#define NTABLE (sizeof table / sizeof *table)

const gram_entry *gram_at(size_t i)
{
    return i < NTABLE ? &table[i] : NULL;
}

/* The length of the first word of s. */
static size_t word_len(const char *s)
{
    return strcspn(s, " ");
}

static bool same_word(const char *w, size_t wl, const char *s, size_t len)
{
    return wl == len && len > 0 && strncasecmp(w, s, len) == 0;
}

static bool considered(const gram_entry *e, gram_class cls, scn_kind area, gram_subject subj)
{
    return e->cls == cls && e->area == area && (cls != G_EXPECT || e->subject == subj);
}

const gram_entry *gram_find(gram_class cls, scn_kind area, gram_subject subj, const char *s, size_t len)
{
    for (size_t i = 0; i < NTABLE; i++)
        if (considered(&table[i], cls, area, subj) && same_word(table[i].words, word_len(table[i].words), s, len))
            return &table[i];
    return NULL;
}

const gram_entry *gram_find2(gram_class cls, scn_kind area, const char *first, size_t flen, const char *s, size_t len)
{
    for (size_t i = 0; i < NTABLE; i++) {
        const gram_entry *e = &table[i];
        if (e->cls != cls || e->area != area || !same_word(e->words, word_len(e->words), first, flen))
            continue;
        const char *second = e->words + word_len(e->words);
        if (*second == ' ' && same_word(second + 1, word_len(second + 1), s, len))
            return e;
    }
    return NULL;
}

void gram_list(gram_class cls, scn_kind area, gram_subject subj, const char *last, char *buf, size_t n)
{
    const char *names[NTABLE];
    size_t k = 0;
    for (size_t i = 0; i < NTABLE; i++) {
        const gram_entry *e = &table[i];
        if (e->cls != cls || (cls != G_AREA && e->area != area) || !e->list ||
            (cls == G_EXPECT && subj != GS_NONE && e->subject != subj))
            continue;
        bool seen = false;
        for (size_t j = 0; j < k && !seen; j++)
            seen = strcmp(names[j], e->list) == 0;
        if (!seen)
            names[k++] = e->list;
    }
    size_t o = 0;
    buf[0] = 0;
    for (size_t j = 0; j < k && o < n; j++)
        o += (size_t)snprintf(buf + o, n - o, "%s%s", j == 0 ? "" : j + 1 == k ? last : ", ", names[j]);
}

/* --- heads -------------------------------------------------------------------------------- */

int gram_area(const char *s, size_t len)
{
    for (size_t i = 0; i < NTABLE; i++)
        if (table[i].cls == G_AREA && !strchr(table[i].words, '.') && !strchr(table[i].words, '@') &&
            same_word(table[i].words, strlen(table[i].words), s, len))
            return table[i].code;
    return -1;
}

/* [Tt] or [Nn] followed by digits only; *k its number when 1..9, else 0. */
static bool numbered(const char *s, size_t len, char letter, int *k)
{
    if (len < 2 || tolower((unsigned char)s[0]) != letter)
        return false;
    for (size_t i = 1; i < len; i++)
        if (!isdigit((unsigned char)s[i]))
            return false;
    *k = len == 2 && s[1] >= '1' && s[1] <= '9' ? s[1] - '0' : 0;
    return true;
}

void gram_head(const char *line, gram_head_info *h)
{
    memset(h, 0, sizeof *h);
    const char *p = line + strspn(line, " \t");
    if (!*p || *p == '#' || *p == '\n' || *p == '\r') {
        h->kind = SL_BLANK;
        return;
    }
    h->kind = (scn_kind)-1;
    size_t w = strcspn(p, " \t:");
    if (same_word("expect", 6, p, w)) {
        h->kind = SL_EXPECT;
        h->body = (size_t)(p + w - line);
        h->body += strspn(line + h->body, " \t:");
        return;
    }
    const char *q = p + w;
    q += strspn(q, " \t");
    if (*q != ':')
        return;
    h->body = (size_t)(q + 1 - line);
    h->body += strspn(line + h->body, " \t");
    const char *at = memchr(p, '@', w);
    int k = 0;
    if (at && numbered(at + 1, (size_t)(p + w - at - 1), 'n', &k)) {
        h->kind = SL_CLIENT;
        h->node = k;
        snprintf(h->client, sizeof h->client, "%.*s", (int)(at - p), p);
    } else if (numbered(p, w, 't', &k)) {
        h->kind = SL_SQL;
        h->session = k;
    } else if (numbered(p, w, 'n', &k)) {
        h->kind = SL_CLIENT;
        h->node = k;
    } else {
        h->kind = (scn_kind)gram_area(p, w);
    }
}

bool gram_is_actor_line(const char *line)
{
    gram_head_info h;
    gram_head(line, &h);
    return h.kind == SL_SQL || h.kind == SL_CLIENT;
}

int gram_session_line(const char *line, const char **stmt)
{
    gram_head_info h;
    gram_head(line, &h);
    if (h.kind != SL_SQL || h.session == 0)
        return 0;
    if (stmt)
        *stmt = line + h.body;
    return h.session;
}

/* --- completion and help -------------------------------------------------------------------- */

/* The head an entry's line starts with: "engine: ", "expect T1 ". */
static void head_of(const gram_entry *e, char *buf, size_t n)
{
    static const char *const subj[] = { "", "T1 ", "n1 ", "alice " };
    const char *area = "";
    for (size_t i = 0; i < NTABLE; i++)
        if (table[i].cls == G_AREA && table[i].code == (int)e->area) {
            area = table[i].words;
            break;
        }
    if (e->area == SL_EXPECT)
        snprintf(buf, n, "expect %s", subj[e->subject]);
    else
        snprintf(buf, n, "%s: ", area);
}

static bool required_args(const gram_entry *e)
{
    return e->args[0] && e->args[0] != '[';
}

void gram_template(const gram_entry *e, char *buf, size_t n)
{
    char head[64];
    switch (e->cls) {
    case G_AREA:
        if (e->code == SL_EXPECT)
            snprintf(buf, n, "expect ");
        else if (e->code == SL_SQL)
            snprintf(buf, n, "T1: ");
        else if (e->code == SL_CLIENT)
            snprintf(buf, n, strchr(e->words, '@') ? "alice@n1: " : "n1: ");
        else
            snprintf(buf, n, "%s: ", e->words);
        return;
    case G_STATEMENT:
        snprintf(buf, n, "%s%s", e->words, required_args(e) ? " " : "");
        return;
    case G_DIRECTIVE:
    case G_EXPECT:
        head_of(e, head, sizeof head);
        if (!e->words[0])
            snprintf(buf, n, "%s", head);
        else
            snprintf(buf, n, "%s%s%s", head, e->words, required_args(e) ? " " : "");
        return;
    }
    buf[0] = 0;
}

void gram_usage(const gram_entry *e, char *buf, size_t n)
{
    static const char *const subj[] = { "", "T1..T9 ", "nK ", "<client> " };
    if (e->cls == G_AREA) {
        snprintf(buf, n, "%s%s %s", e->words, e->code == SL_EXPECT ? "" : ":", e->args);
        return;
    }
    char head[64] = "";
    if (e->cls == G_EXPECT)
        snprintf(head, sizeof head, "expect %s", subj[e->subject]);
    else if (e->cls == G_DIRECTIVE)
        head_of(e, head, sizeof head);
    else
        snprintf(head, sizeof head, "%s", e->area == SL_SQL ? "T1: " : e->area == SL_SETUP ? "setup: " : "n1: ");
    snprintf(buf, n, "%s%s%s%s", head, e->words, e->words[0] && e->args[0] ? " " : "", e->args);
}

/* Adds prefix + cand to out when it extends line (and is not there yet). */
static int offer(const char *line, const char *prefix, const char *cand, char out[][160], int max, int k)
{
    size_t ll = strlen(line);
    char full[160];
    snprintf(full, sizeof full, "%s%s", prefix, cand);
    if (strlen(full) <= ll || strncasecmp(full, line, ll) != 0)
        return k;
    for (int i = 0; i < k && i < max; i++)
        if (strcmp(out[i], full) == 0)
            return k;
    if (k < max)
        snprintf(out[k], 160, "%s", full);
    return k + 1;
}

int gram_complete(const char *line, char out[][160], int max)
{
    int k = 0;
    if (!line[0])
        return 0;
    gram_head_info h;
    gram_head(line, &h);
    if (h.kind == SL_SQL || h.kind == SL_CLIENT || h.kind == SL_SETUP) {
        /* The statement after the actor's head, kept as typed. */
        char prefix[160];
        snprintf(prefix, sizeof prefix, "%.*s", (int)h.body, line);
        if (h.body == strlen(line) && line[h.body - 1] != ' ') {
            snprintf(prefix + h.body, sizeof prefix - h.body, " ");
            k = offer(line, "", prefix, out, max, k);   /* "T1:" -> "T1: " */
        }
        for (size_t i = 0; i < NTABLE; i++)
            if (table[i].cls == G_STATEMENT && table[i].area == h.kind && table[i].list) {
                char t[160];
                gram_template(&table[i], t, sizeof t);
                k = offer(line, prefix, t, out, max, k);
            }
        return k;
    }
    for (size_t i = 0; i < NTABLE; i++) {
        const gram_entry *e = &table[i];
        if (e->cls == G_STATEMENT || (!e->list && e->cls != G_AREA))
            continue;
        char t[160];
        if (e->cls == G_AREA && (e->code == SL_SQL || (e->code == SL_CLIENT && !strchr(e->words, '@')))) {
            for (int s = 1; s <= 9; s++) {
                snprintf(t, sizeof t, "%c%d: ", e->code == SL_SQL ? 'T' : 'n', s);
                k = offer(line, "", t, out, max, k);
            }
            continue;
        }
        if (e->cls == G_AREA && strchr(e->words, '@'))
            continue;   /* a client's name is the learner's to choose */
        gram_template(e, t, sizeof t);
        /* An expectation about T2 or n3 completes with that subject, not T1's or n1's. */
        const char *w = line + strspn(line, " ");
        int num;
        size_t wl;
        if (e->cls == G_EXPECT && (e->subject == GS_SESSION || e->subject == GS_REPLICA) &&
            strncasecmp(w, "expect ", 7) == 0 && (wl = strcspn(w + 7, " ")) > 0 &&
            numbered(w + 7, wl, e->subject == GS_SESSION ? 't' : 'n', &num) && num) {
            char sub[160];
            snprintf(sub, sizeof sub, "expect %.*s %s", (int)wl, w + 7, t + 10);
            k = offer(w, "", sub, out, max, k);
            continue;
        }
        k = offer(line, "", t, out, max, k);
    }
    return k;
}
