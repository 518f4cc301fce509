/*
 * fuzz_lesson.c: lesson files. Any bytes load or fail with FILE:LINE:COL and a message;
 * a lesson that loads has its id, title and at least one goal.
 */
#include <string.h>
#include "fuzz.h"
#include "learn/lesson.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    lesson l;
    if (lesson_parse("fuzz.lesson", (const char *)data, size, &l) == 0) {
        FUZZ_ASSERT(!l.broken);
        FUZZ_ASSERT(l.id[0] && l.title && l.ngoals > 0);
    } else {
        FUZZ_ASSERT(l.broken);
        FUZZ_ASSERT(strncmp(l.error, "fuzz.lesson", 11) == 0);
    }
    lesson_free(&l);
    return 0;
}
