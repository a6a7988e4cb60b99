/* calendar.c - day numbers and month indices (H. Hinnant's civil algorithms). */
#include "engine/calendar.h"

#include <stdio.h>
#include <string.h>

#include "corredor.h"

int32_t cor_days_from_civil(int y, int m, int d)
{
    y -= m <= 2;
    const int era = (y >= 0 ? y : y - 399) / 400;
    const unsigned yoe = (unsigned)(y - era * 400);
    const unsigned doy = (153u * (unsigned)(m + (m > 2 ? -3 : 9)) + 2u) / 5u + (unsigned)d - 1u;
    const unsigned doe = yoe * 365u + yoe / 4u - yoe / 100u + doy;
    return (int32_t)(era * 146097 + (int)doe - 719468);
}

void cor_civil_from_days(int32_t z, int *y, int *m, int *d)
{
    z += 719468;
    const int era = (z >= 0 ? z : z - 146096) / 146097;
    const unsigned doe = (unsigned)(z - era * 146097);
    const unsigned yoe = (doe - doe / 1460u + doe / 36524u - doe / 146096u) / 365u;
    const unsigned doy = doe - (365u * yoe + yoe / 4u - yoe / 100u);
    const unsigned mp = (5u * doy + 2u) / 153u;
    *d = (int)(doy - (153u * mp + 2u) / 5u + 1u);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = (int)yoe + era * 400 + (*m <= 2);
}

int cor_days_in_month(int y, int m)
{
    static const int n[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
        return 29;
    return n[m - 1];
}

int cor_month_of_day(int32_t day)
{
    int y, m, d;
    cor_civil_from_days(day, &y, &m, &d);
    return y * 12 + m - 1;
}

int32_t cor_month_first_day(int month) { return cor_days_from_civil(month / 12, month % 12 + 1, 1); }
int cor_month_days(int month) { return cor_days_in_month(month / 12, month % 12 + 1); }
int32_t cor_month_last_day(int month) { return cor_month_first_day(month) + cor_month_days(month) - 1; }

static int digits(const char *s, int n, int *out)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return 0;
}

int cor_parse_date(const char *s, int32_t *day)
{
    int y, m, d;
    if (!s || strlen(s) != 10 || s[4] != '-' || s[7] != '-' || digits(s, 4, &y) || digits(s + 5, 2, &m) ||
        digits(s + 8, 2, &d))
        return -1;
    if (m < 1 || m > 12 || d < 1 || d > cor_days_in_month(y, m))
        return -1;
    *day = cor_days_from_civil(y, m, d);
    return 0;
}

int cor_parse_month(const char *s, int *month)
{
    int y, m;
    if (!s || strlen(s) != 7 || s[4] != '-' || digits(s, 4, &y) || digits(s + 5, 2, &m) || m < 1 || m > 12)
        return -1;
    *month = y * 12 + m - 1;
    return 0;
}

void cor_format_date(int32_t day, char out[11])
{
    int y, m, d;
    cor_civil_from_days(day, &y, &m, &d);
    unsigned yy = (unsigned)(y < 0 ? 0 : y % 10000), mm = (unsigned)m % 100u, dd = (unsigned)d % 100u;
    snprintf(out, 11, "%04u-%02u-%02u", yy, mm, dd);
}

void cor_format_month(int month, char out[8])
{
    unsigned y = month < 0 ? 0u : (unsigned)(month / 12) % 10000u, m = month < 0 ? 1u : (unsigned)(month % 12) + 1u;
    snprintf(out, 8, "%04u-%02u", y, m);
}
