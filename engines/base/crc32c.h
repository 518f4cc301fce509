/*
 * crc32c.h: CRC-32C (Castagnoli; reflected polynomial 0x82F63B78, as iSCSI, SCTP and ext4
 * use it), the checksum of every BASE wire message (wire.h).
 *
 * Why not the CRC-32 of the log (acid/crc32.h): replicas exchange many small messages (a
 * gossip exchange between replicas in sync is two messages of about 40 bytes), each
 * checksummed when sent and when received, and x86-64 computes CRC-32C in hardware
 * (SSE4.2's crc32 instruction, 8 bytes per instruction) where CRC-32 needs table lookups
 * or, for runs of 64 bytes and more, carry-less multiplies. CRC-32C also detects more
 * error patterns at these lengths. Elsewhere a table-driven version gives the same values.
 */
#ifndef AB_CRC32C_H
#define AB_CRC32C_H

#include <stddef.h>
#include <stdint.h>

/* crc32c_update(0, buf, n) is the CRC of buf; feed further pieces with the previous result.
 * A pointer to the implementation this CPU allows, chosen at the first call (Performance:
 * one call per message instead of two). */
extern uint32_t (*crc32c_update)(uint32_t crc, const void *buf, size_t n);
/* The table-driven version alone, whatever the CPU (for tests). */
uint32_t crc32c_update_sw(uint32_t crc, const void *buf, size_t n);

#endif
