/*
 * crc32.h: CRC-32 (IEEE 802.3, reflected, polynomial 0xEDB88320), as zlib and PNG use it.
 * Every log record and every data page carries one, so a torn or flipped byte is noticed
 * before it is trusted.
 */
#ifndef AB_CRC32_H
#define AB_CRC32_H

#include <stddef.h>
#include <stdint.h>

/* crc32_update(0, buf, n) is the CRC of buf; feed further pieces with the previous result. */
uint32_t crc32_update(uint32_t crc, const void *buf, size_t n);

#endif
