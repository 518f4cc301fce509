/*
 * page.c: encoding and checking data pages and the file header. See page.h for the
 * layout. No I/O here: the buffer pool reads and writes the bytes.
 */
#include "page.h"
#include "crc32.h"

#include <string.h>

static void put32(uint8_t *p, uint32_t v) { for (int i = 0; i < 4; i++) p[i] = (uint8_t)(v >> (8 * i)); }
static void put64(uint8_t *p, uint64_t v) { for (int i = 0; i < 8; i++) p[i] = (uint8_t)(v >> (8 * i)); }
static uint32_t get32(const uint8_t *p) { uint32_t v = 0; for (int i = 3; i >= 0; i--) v = v << 8 | p[i]; return v; }
static uint64_t get64(const uint8_t *p) { uint64_t v = 0; for (int i = 7; i >= 0; i--) v = v << 8 | p[i]; return v; }

void page_init(page *p, uint32_t no)
{
    memset(p, 0, sizeof *p);
    p->no = no;
}

void page_encode(const page *p, uint8_t out[PAGE_SIZE])
{
    memset(out, 0, PAGE_SIZE);
    memcpy(out, "ABPG", 4);
    put32(out + 4, p->no);
    put64(out + 8, p->lsn);
    put32(out + 16, p->table);
    for (int s = 0; s < PAGE_SLOTS; s++) {
        const page_row *r = &p->rows[s];
        uint8_t *o = out + PAGE_HDR + s * SLOT_SIZE;
        if (!r->used)
            continue;
        o[0] = 1;
        o[1] = r->key.type;
        o[2] = r->key.len;
        put64(o + 4, (uint64_t)r->value);
        put64(o + 12, r->version);
        if (r->key.type == SC_INT)
            put64(o + 20, (uint64_t)r->key.i);
        else
            memcpy(o + 20, r->key.s, r->key.len);
    }
    put32(out + 20, crc32_update(0, out, PAGE_SIZE));
}

static bool all_zero(const uint8_t *b, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (b[i])
            return false;
    return true;
}

int page_decode(const uint8_t in[PAGE_SIZE], uint32_t no, page *p)
{
    page_init(p, no);
    if (all_zero(in, PAGE_SIZE))
        return PAGE_EMPTY;
    if (memcmp(in, "ABPG", 4) != 0)
        return PAGE_EBADMAGIC;
    uint8_t tmp[PAGE_SIZE];
    memcpy(tmp, in, PAGE_SIZE);
    put32(tmp + 20, 0);
    if (crc32_update(0, tmp, PAGE_SIZE) != get32(in + 20))
        return PAGE_ECRC;
    if (get32(in + 4) != no)
        return PAGE_ENUMBER;
    p->lsn = get64(in + 8);
    p->table = get32(in + 16);
    for (int s = 0; s < PAGE_SLOTS; s++) {
        const uint8_t *o = in + PAGE_HDR + s * SLOT_SIZE;
        page_row *r = &p->rows[s];
        if (!(o[0] & 1))
            continue;
        r->used = true;
        r->value = (int64_t)get64(o + 4);
        r->version = get64(o + 12);
        if (o[1] == SC_INT) {
            r->key = scalar_int((int64_t)get64(o + 20));
        } else {
            size_t len = o[2] <= SCALAR_TEXT_MAX ? o[2] : SCALAR_TEXT_MAX;
            r->key = scalar_text((const char *)o + 20, len);
        }
    }
    return PAGE_OK;
}

void page_header_encode(const page_header *h, uint8_t out[PAGE_SIZE])
{
    memset(out, 0, PAGE_SIZE);
    memcpy(out, "ACIDBASE", 8);
    put32(out + 8, 1);
    put32(out + 12, PAGE_SIZE);
    put64(out + 16, h->master_lsn);
    put32(out + 24, crc32_update(0, out, 24));
}

int page_header_decode(const uint8_t in[PAGE_SIZE], page_header *h)
{
    memset(h, 0, sizeof *h);
    if (all_zero(in, PAGE_HEADER_MASTER))
        return PAGE_EMPTY;
    if (memcmp(in, "ACIDBASE", 8) != 0 || get32(in + 8) != 1 || get32(in + 12) != PAGE_SIZE)
        return PAGE_EBADMAGIC;
    if (crc32_update(0, in, 24) != get32(in + 24))
        return PAGE_ECRC;
    h->master_lsn = get64(in + 16);
    return PAGE_OK;
}

void page_ids_encode(const page_ids *ids, uint8_t out[PAGE_IDS_SLOT])
{
    memset(out, 0, PAGE_IDS_SLOT);
    put64(out, ids->txn_limit);
    put64(out + 8, ids->version_limit);
    put64(out + 16, ids->seq);
    put32(out + 24, crc32_update(0, out, 24));
}

bool page_ids_decode(const uint8_t in[PAGE_SIZE], page_ids *out)
{
    memset(out, 0, sizeof *out);
    bool any = false;
    for (int s = 0; s < 2; s++) {
        const uint8_t *p = in + PAGE_IDS_OFF + s * PAGE_IDS_SLOT;
        if (all_zero(p, PAGE_IDS_SLOT) || crc32_update(0, p, 24) != get32(p + 24))
            continue;
        page_ids v = { get64(p), get64(p + 8), get64(p + 16) };
        if ((v.seq & 1) != (uint64_t)s)
            continue;   /* a slot holds only the reservations of its parity */
        if (!any || v.seq > out->seq)
            *out = v;
        any = true;
    }
    return any;
}

const char *page_strerror(int rc)
{
    switch (rc) {
    case PAGE_OK: return "ok";
    case PAGE_EMPTY: return "empty page";
    case PAGE_EBADMAGIC: return "not a page of this format (bad magic)";
    case PAGE_ECRC: return "checksum mismatch (the page is damaged)";
    case PAGE_ENUMBER: return "page holds another page's number (misplaced write)";
    }
    return "unknown page error";
}
