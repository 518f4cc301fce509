/*
 * report.h: the reports of `acidbase grade` over graded traces (grade.h): a text report for
 * people, JSON for programs ({"traces": [...], "summary": {...}}), Gradescope's
 * results.json (each trace adds a 0-point "replay verification" test) and a CSV summary
 * (file,learner,status,score,max_score,reason; RFC 4180 quoting, CRLF line ends).
 */
#ifndef AB_REPORT_H
#define AB_REPORT_H

#include <stdbool.h>
#include <stdio.h>
#include "grade.h"

void grade_report_text(FILE *f, const grade_result *rs, int n);
/* The JSON text (malloc'ed, no trailing newline); gradescope picks results.json's shape.
 * NULL when out of memory. */
char *grade_report_json(const grade_result *rs, int n, bool gradescope);
void grade_report_csv(FILE *f, const grade_result *rs, int n);

#endif
