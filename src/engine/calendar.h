/* calendar.h - civil dates as day numbers (days since 1970-01-01, proleptic
 * Gregorian) and month indices (year*12 + month-1). */
#ifndef COR_CALENDAR_H
#define COR_CALENDAR_H

#include <stdint.h>

int32_t cor_days_from_civil(int y, int m, int d);
void cor_civil_from_days(int32_t day, int *y, int *m, int *d);
int cor_days_in_month(int y, int m);

/* month index <-> day numbers */
int cor_month_of_day(int32_t day);              /* y*12 + m-1 */
int32_t cor_month_first_day(int month);
int32_t cor_month_last_day(int month);
int cor_month_days(int month);

/* Strict parsers: "YYYY-MM-DD" / "YYYY-MM"; 0 on success, -1 on bad text or
 * impossible date (2023-02-30).  cor_parse_date is in corredor.h. */
int cor_parse_month(const char *s, int *month);
void cor_format_month(int month, char out[8]);  /* "YYYY-MM" */

#endif
