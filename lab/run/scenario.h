/*
 * scenario.h: one line of the scenario language (assets/doc/scenarios.md), parsed.
 *
 * The parser is syntactic and knows both sides: ACID session statements (SQL, parsed by
 * sql.h), setup and engine directives, BASE client statements and cluster/net/run
 * directives, narration and every form of `expect`. What a line means at run time is the
 * runner's business; the parser only guarantees that a line it accepts is well formed and
 * records the column of every part so the runner can still point at a token.
 *
 * Errors are "expected X, found Y" with the 1-based line and column of the offending
 * token, like the SQL parser's.
 */
#ifndef AB_SCENARIO_H
#define AB_SCENARIO_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include "acid/sql.h"

#define SCN_LINE_MAX 4096
#define SCN_ROWS_MAX 256
#define SCN_TEXT_MAX 256
#define SCN_RUN_MAX 1000000    /* ticks or rounds one run: line may ask for */

typedef enum {
    SL_BLANK = 0,    /* empty or comment only */
    SL_SQL,          /* T1..T9: <sql>                    session, sql */
    SL_SETUP,        /* setup: <sql>                     sql */
    SL_ENGINE,       /* engine: <directive>              eng, eng_n */
    SL_CLUSTER,      /* cluster: <directive>             cluster, node, n */
    SL_NET,          /* net: <directive>                 net, groups / a, b, n */
    SL_RUN,          /* run: tick|gossip|settle [k]      run, n (-1 when omitted) */
    SL_CLIENT,       /* [client@]nK: <base statement>    client, node, base */
    SL_SAY,          /* say: <text>                      text */
    SL_EXPECT,       /* expect <assertion>               ex */
    SL_PREDICT,      /* predict: <assertion>             ex, ex.claim (added): judged after the next step */
} scn_kind;

typedef enum {
    ENG_SYNC_FULL = 1, ENG_SYNC_OFF, ENG_SYNC_GROUP, ENG_FLUSH, ENG_CHECKPOINT, ENG_EVICT,
    ENG_CRASH,        /* engine: crash */
    ENG_CRASH_TORN,   /* engine: crash torn   (added: the last unsynced log write is half on disk) */
    ENG_FRAMES,       /* engine: frames <n>   (added: buffer pool size, 2..64) */
} scn_engine;

typedef enum {
    CL_REPLICAS = 1, CL_RESOLVE, CL_SEED, CL_GOSSIP, CL_GOSSIP_INTERVAL, CL_READ_REPAIR,
    CL_HINTED_HANDOFF, CL_TOMBSTONE_GRACE, CL_TIMEOUT, CL_SKEW, CL_CLOCK,
} scn_cluster;

typedef enum { RESOLVE_LWW = 1, RESOLVE_SIBLINGS, RESOLVE_CRDT } scn_resolve;

typedef enum {
    NET_CUT = 1,      /* cut a b (both ways) */
    NET_CUT_ONEWAY,   /* cut a -> b */
    NET_PARTITION,    /* partition g1 | g2 | ... */
    NET_HEAL,         /* heal [a b]: a = 0 for all */
    NET_DELAY,        /* delay [a b] n: a = 0 for all links */
    NET_LOSS,         /* loss [a b] pct */
    NET_DOWN, NET_UP, /* a */
} scn_net;

typedef enum { RUN_TICK = 1, RUN_GOSSIP, RUN_SETTLE } scn_run;

typedef enum { BOP_PUT = 1, BOP_GET, BOP_DEL, BOP_ADD, BOP_REMOVE, BOP_INCR } scn_base_op;
/* W= / R= : level, or a number k when level is Q_NUM; Q_DEFAULT when not given. */
typedef enum { Q_DEFAULT = 0, Q_ONE, Q_QUORUM, Q_ALL, Q_NUM } scn_quorum;

typedef struct scn_base_stmt {
    scn_base_op op;
    char key[64];
    char value[64];          /* PUT value, ADD/REMOVE element */
    char rid[24];            /* a write's request id (id=r17), "" none (added) */
    int64_t n;               /* INCR amount */
    scn_quorum q;            /* W for writes, R for GET */
    int qn;                  /* when q == Q_NUM */
} scn_base_stmt;

typedef enum {
    EX_STATE = 1,     /* expect T2 blocked|active|committed|aborted|idle      session, state */
    EX_ROWS,          /* expect T2 rows {1:10, 2:20}                          session, rows */
    EX_VALUE,         /* expect T2 value 30                                   session, value */
    EX_ERROR,         /* expect T2 error deadlock                             session, word */
    EX_TABLE,         /* expect table test {1:12}                             table, rows */
    EX_DEADLOCK,      /* expect deadlock */
    EX_ANOMALY,       /* expect anomaly NAME                                  word */
    EX_NO_ANOMALY,    /* expect no anomaly [NAME]                             word ("" = any) */
    EX_STORES,        /* expect n2 cart = apple | absent                      node, key, value, absent */
    EX_READ,          /* expect n2 read = v | absent, expect alice read = v   node or client */
    EX_WRITE,         /* expect n1 write ok|unavailable|refused               node, word */
    EX_CONVERGED,     /* expect converged */
    EX_DIVERGED,      /* expect diverged */
    EX_STALE_READS,   /* expect stale-reads = 0 (also >=, <=)                  cmp, value */
    EX_SETTLED,       /* expect settled (added): the latest run: settle settled */
    EX_LEVEL,         /* expect T2 level READ UNCOMMITTED (added)           session, value 1..4 */
    /* Facts read from the history's events (added for lessons): so far in the run. */
    EX_VICTIM,        /* expect T2 victim: a deadlock chose a transaction of T2        session */
    EX_RETRIED,       /* expect T2 retried: after being a victim, T2 committed the work    session */
    EX_CRASHED,       /* expect T1 crashed: the engine crashed while T1 had a transaction open */
    EX_OVERLAPPED,    /* expect T3 overlapped T4: committed transactions open at once  session, other */
    EX_WAITED,        /* expect T2 waited [for T1]                              session, other (0: anyone) */
    EX_REPLY_FROM,    /* expect n3 reply from n1 [n2 ...]                        node, value: bit k = nk */
    EX_PREDICTED,     /* expect predicted <assertion>                             claim */
    EX_TORN,          /* expect torn: recovery cut a torn log record off (so far) */
    EX_REPAIRED,      /* expect n3 repaired by hint|read-repair|gossip (so far)   node, word */
} scn_expect_kind;

typedef enum { SS_IDLE = 1, SS_ACTIVE, SS_BLOCKED, SS_COMMITTED, SS_ABORTED } scn_state;
typedef enum { CMP_EQ = 0, CMP_GE, CMP_LE } scn_cmp;

typedef struct scn_row {
    char key[SCALAR_TEXT_MAX + 1];   /* as written, unquoted: "1", "A" */
    int64_t value;
} scn_row;

typedef struct scn_expect {
    scn_expect_kind kind;
    int session;                     /* 1..9 */
    int other;                       /* EX_OVERLAPPED, EX_WAITED: the other session, 0 none */
    scn_state state;
    int nrows;
    scn_row rows[SCN_ROWS_MAX];
    int64_t value;
    char word[64];                   /* error code, anomaly name, ok/unavailable/refused */
    char table[SQL_NAME_MAX + 1];
    int node;                        /* replica 1..9 */
    char client[32];                 /* EX_READ by client */
    char key[64];
    char text[SCN_TEXT_MAX];         /* EX_STORES / EX_READ expected value as written */
    bool absent;
    scn_cmp cmp;
    int word_col;                    /* column of word/table/name, for runtime errors */
    char claim[SCN_TEXT_MAX];        /* EX_PREDICTED, SL_PREDICT: the assertion's words, blanks
                                        collapsed ("T3 blocked"), as predictions are matched */
} scn_expect;

typedef struct scn_line {
    int line;
    scn_kind kind;
    int col;                         /* column where the statement/directive/assertion starts */
    int session;                     /* SL_SQL */
    sql_stmt sql;                    /* SL_SQL, SL_SETUP (owned) */
    bool has_sql;
    scn_engine eng;
    int eng_n;
    scn_cluster cluster;
    int node;                        /* replica 1..9 where one is named */
    int64_t n;                       /* a number argument (-1 when omitted) */
    scn_resolve resolve;
    bool on;                         /* on/off settings */
    scn_net net;
    int a, b;                        /* replicas of a link (0 = all) */
    int ngroups;
    uint16_t groups[9];              /* NET_PARTITION: bit i set = replica i+1 in the group */
    scn_run run;
    char client[32];                 /* SL_CLIENT: "" when none */
    scn_base_stmt base;
    char text[SCN_LINE_MAX];         /* SL_SAY text; for every kind: the line without comment */
    scn_expect ex;
} scn_line;

typedef struct scn_error {
    int line, col;
    char msg[256];
} scn_error;

/* Parses one line (no trailing newline needed; one is ignored). Returns 0, or -1 with
 * *err filled. *out needs scn_line_free afterwards only when 0 was returned.
 * A line is UTF-8 text: a byte that is not well-formed UTF-8, or a control character
 * other than TAB (an escape sequence, a carriage return inside the line), is an error at
 * its column. A UTF-8 byte order mark at the start of line 1 is skipped (a reader that
 * uses scn_read_line never passes one on). */
int scn_parse_line(const char *text, int lineno, scn_line *out, scn_error *err);

/* Reads the next line of a scenario (a file, `run -`, a lesson's lab file) into *buf
 * (grown as needed; free it when done) without its "\n" or "\r\n", skipping a UTF-8
 * byte order mark at the start of line 1 (lineno is the number this line will have).
 * Returns 1 for a line, 0 at the end (or a read error: ferror tells), -1 for a line the
 * parser could not even see whole: a NUL byte in it, reported in *err at its column
 * (`DELETE FROM t\0 WHERE id = 1` must not run as `DELETE FROM t`). */
int scn_read_line(FILE *f, int lineno, char **buf, size_t *cap, scn_error *err);
void scn_line_free(scn_line *l);

const char *scn_state_name(scn_state s);

#endif
