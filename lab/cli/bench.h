/*
 * bench.h: `acidbase bench [NAME...] [--json] [--quick] [--dir DIR]`, the benchmark suite.
 *
 * Every benchmark runs in this one process, next to its reference (the bare fdatasync
 * loop, SQLite, the theory), warms up once, repeats and reports the median, so a run
 * compares ratios measured on the same machine at the same moment. BENCHMARKS.md
 * explains each figure and records the latest results.
 *
 * Benchmarks and their figures (the JSON keys):
 *   wal       wal_commit_per_s, raw_fdatasync_per_s, sqlite_commit_per_s
 *   group     group8_commits_per_fsync, group8_commit_per_s, group64_commit_per_s
 *   recovery  redo_records_per_s, log_read_mb_per_s
 *   locks     lock_pairs_per_s, deadlock_detect_us
 *   gossip    rounds_n100, rounds_n1000, rounds_n10000, log3_n1000, deliveries_per_s
 *   checker   acid_check_ops_per_s, base_check_ops_per_s
 *   trace     trace_write_events_per_s, trace_read_events_per_s
 *   tui       frame_us
 *   startup   startup_ms, tui_rss_kb
 *
 * --json prints one JSON object with exactly those keys, numbers, or null for a figure
 * that was not measured (its benchmark was not asked for, or cannot run yet). --quick
 * runs every benchmark at a tiny size: it checks that the suite works (the test suite
 * runs it), its figures mean little.
 *
 * Timing lives here and only here: the engines never read a clock.
 */
#ifndef AB_BENCH_H
#define AB_BENCH_H

/* The whole command; argv holds the arguments after "bench". Exit status: 0 ran (targets
 * missed are reported, not an error), 2 bad usage, 3 an I/O or engine error. */
int bench_main(int argc, char **argv);

#endif
