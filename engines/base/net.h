/*
 * net.h: the simulated network. Deterministic: time is a tick, every random choice (loss)
 * comes from a stream of the scenario's seed, and messages wait in one queue ordered by
 * delivery tick, then by send order.
 *
 * Links are directed (a -> b). Each has a delay (ticks, default 1) and a loss percentage
 * (default 0), and can be cut. Settings for all links live in one default; a link with its
 * own settings gets an entry in a hash table, so ten thousand replicas cost nothing until
 * links are configured one by one. A partition gives every replica a group; messages
 * between groups are dropped. A replica that is down neither sends nor receives.
 *
 * A message is dropped (and the drop recorded with its reason) when it is sent over a cut
 * link, across a partition, from or to a down replica, or lost by the draw; and when it
 * arrives, if the link was cut, partitioned or the receiver went down while it was in
 * flight. The network carries bytes and never looks inside them; the type is passed along
 * only for the history.
 *
 * Invariant N1: messages come out of net_next() in (due tick, send sequence) order, each
 * at most once.
 */
#ifndef AB_NET_H
#define AB_NET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "prng.h"
#include "history/history.h"

typedef struct net net;

typedef struct net_msg {
    uint64_t seq;            /* send order, from 1 */
    uint64_t sent, due;      /* ticks */
    uint32_t from, to;
    uint8_t type;
    uint8_t *bytes;          /* the network's: valid until the next net_next() */
    size_t len;
} net_msg;

typedef struct net_stats {
    uint64_t sent, delivered, dropped_cut, dropped_partition, dropped_down, dropped_loss,
             malformed;
} net_stats;

/* n replicas numbered 1..n; h may be NULL (benchmarks). loss_stream is the generator the
 * loss draws come from (the cluster splits it from the scenario's seed). */
net *net_new(uint32_t n, prng loss_stream, hist *h);
void net_free(net *nt);
uint32_t net_size(const net *nt);

/* a = b = 0: every link (the default). */
void net_set_delay(net *nt, uint32_t a, uint32_t b, uint32_t ticks);   /* both directions */
void net_set_loss(net *nt, uint32_t a, uint32_t b, uint32_t pct);      /* both directions */
void net_cut(net *nt, uint32_t a, uint32_t b, bool one_way);           /* one_way: only a -> b */
/* a = b = 0: heal every cut and the partition (delay and loss stay). */
void net_heal(net *nt, uint32_t a, uint32_t b);
/* group[r] for r in 1..n (group[0] unused); replicas in different groups cannot talk. */
void net_partition(net *nt, const uint32_t *group);
void net_set_up(net *nt, uint32_t r, bool up);
bool net_is_up(const net *nt, uint32_t r);
/* Can a message from a to b be delivered now (both up, link not cut, same group)? */
bool net_reachable(const net *nt, uint32_t a, uint32_t b);
/* Both ways: net_reachable(a, b) and net_reachable(b, a). */
bool net_can_talk(const net *nt, uint32_t a, uint32_t b);
uint32_t net_group(const net *nt, uint32_t r);

/* Takes a copy of bytes; emits MSG_SEND (or MSG_DROP). Returns the message's sequence
 * number, or 0 if it was dropped at once. */
uint64_t net_send(net *nt, uint64_t now, uint32_t from, uint32_t to, uint8_t type,
                  const uint8_t *bytes, size_t len);
/* The next message due at or before now that survives delivery checks (emitting MSG_DROP
 * for the ones that do not); 1 if *out was filled, else 0. out->bytes stay valid until
 * the next net_next() or net_free(), also across net_send() calls; copy them to keep
 * them. The caller emits MSG_DELIVER once it has decoded the message. */
int net_next(net *nt, uint64_t now, net_msg *out);
/* The messages net_next(now) will look at next, as far as they are known cheaply (those
 * of the same tick, in order): a pointer to the first and their count in *n (0 and NULL
 * when none). For prefetching: a hint, valid until the next net_next or net_send, with no
 * effect on the network; some may still be dropped at delivery. */
const net_msg *net_upcoming(const net *nt, uint64_t now, size_t *n);
size_t net_in_flight(const net *nt);
/* Record a message that arrived but did not decode (counted in stats, MSG_DROP "malformed"). */
void net_malformed(net *nt, const net_msg *m, const char *why);
net_stats net_get_stats(const net *nt);

/* For the lab's screen: a link's settings, and the messages in flight in delivery order
 * (bytes may be read, not kept). */
uint32_t net_link_delay(const net *nt, uint32_t a, uint32_t b);
uint32_t net_link_loss(const net *nt, uint32_t a, uint32_t b);
bool net_link_cut(const net *nt, uint32_t a, uint32_t b);
typedef void (*net_visit_fn)(const net_msg *m, void *arg);
void net_foreach_pending(const net *nt, net_visit_fn fn, void *arg);

#endif
