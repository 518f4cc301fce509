/*
 * test_crc32c.c: engines/base/crc32c.c: the published check values (the "123456789" check
 * and RFC 3720's iSCSI examples), the hardware and table paths agreeing on random buffers
 * of every length up to 300 at every alignment, and feeding a buffer in pieces giving the
 * CRC of the whole.
 */
#include "t.h"
#include "base/crc32c.h"
#include "base/prng.h"

#include <stdint.h>

static void test_check_values(void)
{
    uint8_t b[32];
    CHECK_EQ_INT(crc32c_update(0, "123456789", 9), 0xE3069283u);
    CHECK_EQ_INT(crc32c_update_sw(0, "123456789", 9), 0xE3069283u);
    CHECK_EQ_INT(crc32c_update(0, "", 0), 0);
    memset(b, 0, sizeof b);                       /* RFC 3720, B.4 */
    CHECK_EQ_INT(crc32c_update(0, b, 32), 0x8A9136AAu);
    memset(b, 0xFF, sizeof b);
    CHECK_EQ_INT(crc32c_update(0, b, 32), 0x62A8AB43u);
    for (int i = 0; i < 32; i++)
        b[i] = (uint8_t)i;
    CHECK_EQ_INT(crc32c_update(0, b, 32), 0x46DD794Eu);
    CHECK_EQ_INT(crc32c_update_sw(0, b, 32), 0x46DD794Eu);
    for (int i = 0; i < 32; i++)
        b[i] = (uint8_t)(31 - i);
    CHECK_EQ_INT(crc32c_update(0, b, 32), 0x113FDB5Cu);
}

static void test_hardware_and_tables_agree_at_every_length_and_alignment(void)
{
    prng p;
    prng_seed(&p, 32);
    static uint8_t buf[320];
    for (size_t i = 0; i < sizeof buf; i++)
        buf[i] = (uint8_t)prng_next(&p);
    int bad = 0;
    for (size_t off = 0; off < 8; off++)
        for (size_t n = 0; n <= 300; n++)
            bad += crc32c_update(0, buf + off, n) != crc32c_update_sw(0, buf + off, n);
    CHECK_EQ_INT(bad, 0);
}

static void test_pieces_give_the_crc_of_the_whole(void)
{
    prng p;
    prng_seed(&p, 33);
    uint8_t buf[200];
    for (size_t i = 0; i < sizeof buf; i++)
        buf[i] = (uint8_t)prng_next(&p);
    uint32_t whole = crc32c_update(0, buf, sizeof buf);
    int bad = 0;
    for (size_t cut = 0; cut <= sizeof buf; cut++) {
        bad += crc32c_update(crc32c_update(0, buf, cut), buf + cut, sizeof buf - cut) != whole;
        bad += crc32c_update_sw(crc32c_update(0, buf, cut), buf + cut, sizeof buf - cut) != whole;
    }
    CHECK_EQ_INT(bad, 0);
}

int main(void)
{
    RUN(test_check_values);
    RUN(test_hardware_and_tables_agree_at_every_length_and_alignment);
    RUN(test_pieces_give_the_crc_of_the_whole);
    return t_done("crc32c");
}
