/*
 * bufpool.c: frames, LRU eviction and the log rule. See bufpool.h.
 */
#include "bufpool.h"

#include <assert.h>
#include <string.h>

void bp_init(bufpool *bp, fio_file *data, wal *w, hist *h, int nframes)
{
    memset(bp, 0, sizeof *bp);
    bp->data = data;
    bp->w = w;
    bp->h = h;
    if (nframes < 2)
        nframes = 2;
    if (nframes > BP_FRAMES_MAX)
        nframes = BP_FRAMES_MAX;
    bp->nframes = nframes;
}

static void page_event(bufpool *bp, hist_kind kind, const bp_frame *f)
{
    if (!bp->h)
        return;
    hist_event *e = hist_add_acid(bp->h, bp->db, kind);
    if (e) {
        e->n[0] = f->pg.no;
        e->n[1] = (int64_t)f->pg.lsn;
        e->n[2] = f->dirty;
    }
}

int bp_write_frame(bufpool *bp, bp_frame *f)
{
    if (!f->valid || !f->dirty)
        return 0;
    /* The log rule: the record that last changed this page must be durable first. */
    int rc = wal_flush_to(bp->w, f->pg.lsn);
    if (rc)
        return rc;
    assert(f->pg.lsn < bp->w->durable);
    uint8_t buf[PAGE_SIZE];
    page_encode(&f->pg, buf);
    rc = fio_write(bp->data, (uint64_t)f->pg.no * PAGE_SIZE, buf, PAGE_SIZE);
    if (rc)
        return rc;
    bp->writes++;
    page_event(bp, EV_PAGE_WRITE, f);
    f->dirty = false;
    f->rec_lsn = 0;
    return 0;
}

static int evict_one(bufpool *bp, bp_frame **out)
{
    bp_frame *victim = NULL;
    for (int i = 0; i < bp->nframes; i++) {
        bp_frame *f = &bp->frames[i];
        if (!f->valid) {
            *out = f;
            return 0;
        }
        if (!victim || f->used < victim->used)
            victim = f;
    }
    int rc = bp_write_frame(bp, victim);
    if (rc)
        return rc;
    page_event(bp, EV_PAGE_EVICT, victim);
    bp->evictions++;
    victim->valid = false;
    *out = victim;
    return 0;
}

int bp_get(bufpool *bp, uint32_t no, page **out)
{
    *out = NULL;
    for (int i = 0; i < bp->nframes; i++) {
        bp_frame *f = &bp->frames[i];
        if (f->valid && f->pg.no == no) {
            f->used = ++bp->clock;
            *out = &f->pg;
            return 0;
        }
    }
    bp_frame *f;
    int rc = evict_one(bp, &f);
    if (rc)
        return rc;
    uint8_t buf[PAGE_SIZE];
    size_t got = 0;
    rc = fio_read(bp->data, (uint64_t)no * PAGE_SIZE, buf, PAGE_SIZE, &got);
    if (rc)
        return rc;
    if (got < PAGE_SIZE)
        memset(buf + got, 0, PAGE_SIZE - got);
    rc = page_decode(buf, no, &f->pg);
    if (rc < 0) {
        bp->bad_page = no;
        bp->bad_rc = rc;
        return rc;
    }
    f->valid = true;
    f->dirty = false;
    f->rec_lsn = 0;
    f->used = ++bp->clock;
    bp->reads++;
    if (got == PAGE_SIZE)
        page_event(bp, EV_PAGE_READ, f);
    *out = &f->pg;
    return 0;
}

void bp_dirty(bufpool *bp, page *pg, uint64_t lsn)
{
    bp_frame *f = (bp_frame *)((char *)pg - offsetof(bp_frame, pg));
    assert(f >= bp->frames && f < bp->frames + bp->nframes);
    assert(lsn >= pg->lsn);
    pg->lsn = lsn;
    if (!f->dirty) {
        f->dirty = true;
        f->rec_lsn = lsn;
    }
}

int bp_flush_all(bufpool *bp, bool sync, int *written)
{
    int n = 0;
    for (int i = 0; i < bp->nframes; i++) {
        bp_frame *f = &bp->frames[i];
        if (f->valid && f->dirty) {
            int rc = bp_write_frame(bp, f);
            if (rc)
                return rc;
            n++;
        }
    }
    if (written)
        *written = n;
    return sync ? fio_sync(bp->data) : 0;
}

int bp_resize(bufpool *bp, int nframes)
{
    if (nframes < 2 || nframes > BP_FRAMES_MAX)
        return -1;
    for (int i = nframes; i < bp->nframes; i++) {
        int rc = bp_write_frame(bp, &bp->frames[i]);
        if (rc)
            return rc;
        bp->frames[i].valid = false;
    }
    bp->nframes = nframes;
    return 0;
}

void bp_discard(bufpool *bp)
{
    for (int i = 0; i < BP_FRAMES_MAX; i++)
        bp->frames[i].valid = bp->frames[i].dirty = false;
}

const page *bp_peek(const bufpool *bp, uint32_t no)
{
    for (int i = 0; i < bp->nframes; i++)
        if (bp->frames[i].valid && bp->frames[i].pg.no == no)
            return &bp->frames[i].pg;
    return NULL;
}

int bp_dirty_pages(const bufpool *bp, uint32_t *pages, uint64_t *rec_lsns, int max)
{
    int n = 0;
    for (int i = 0; i < bp->nframes && n < max; i++) {
        const bp_frame *f = &bp->frames[i];
        if (f->valid && f->dirty) {
            pages[n] = f->pg.no;
            rec_lsns[n] = f->rec_lsn;
            n++;
        }
    }
    return n;
}
