/* observed.c - the real record read from data/ (observed.h). */
#include "analysis/observed.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "data/csv.h"

const char *const cor_obs_sector_names[COR_OBS_N_SECTORS] = {
    "San Diego", "El Centro", "Yuma", "Tucson", "El Paso", "Big Bend", "Del Rio", "Laredo", "Rio Grande Valley"};

const char *const cor_obs_group_names[COR_OBS_N_GROUPS] = {"mexico",   "guatemala", "honduras", "el_salvador", "venezuela",
                                                           "cuba",     "haiti",     "nicaragua", "other"};

#define SW_REGION "Southwest Land Border"

/* ------------------------------------------------------------ CSV reader */

/* ----------------------------------------------------------- helpers */

int cor_obs_parse_month(const char *s, int *month)
{
    if (strlen(s) != 7 || s[4] != '-')
        return -1;
    for (int i = 0; i < 7; i++)
        if (i != 4 && !isdigit((unsigned char)s[i]))
            return -1;
    const int y = atoi(s), m = atoi(s + 5);
    if (y < 1900 || m < 1 || m > 12)
        return -1;
    *month = y * 12 + m - 1;
    return 0;
}

static int parse_year(const char *s, int *year)
{
    if (strlen(s) != 4)
        return -1;
    for (int i = 0; i < 4; i++)
        if (!isdigit((unsigned char)s[i]))
            return -1;
    *year = atoi(s);
    return *year >= 1900 ? 0 : -1;
}

double cor_obs_month(const double *series, int month)
{
    const int w = month - COR_OBS_FIRST_MONTH;
    return w >= 0 && w < COR_OBS_N_MONTHS ? series[w] : NAN;
}

double cor_obs_year(const double *series, int year)
{
    const int w = year - COR_OBS_FIRST_YEAR;
    return w >= 0 && w < COR_OBS_N_YEARS ? series[w] : NAN;
}

double cor_obs_title42_share(const cor_observed *o, int month)
{
    const double a = cor_obs_month(o->t42, month), b = cor_obs_month(o->t8, month);
    return isnan(a) || isnan(b) || a + b <= 0 ? NAN : a / (a + b);
}

static int name_index(const char *s, const char *const *names, int n)
{
    for (int i = 0; i < n; i++)
        if (strcmp(s, names[i]) == 0)
            return i;
    return -1;
}

int cor_obs_sector_index(const char *name) { return name_index(name, cor_obs_sector_names, COR_OBS_N_SECTORS); }
int cor_obs_group_index(const char *name) { return name_index(name, cor_obs_group_names, COR_OBS_N_GROUPS); }

/* A row's month (column i) as a window index: 0 ok (*w = -1 if the month is
 * outside the window or after the cut), else an error. */
static int row_month(cor_csv *c, int i, int until, int *w, int *month)
{
    if (cor_obs_parse_month(c->f[i], month) != 0)
        return cor_csv_err(c, c->fline[i], c->fcol[i], "bad month '%.40s' in column '%s' (expected YYYY-MM)", c->f[i],
                       c->hdr[i]);
    *w = *month - COR_OBS_FIRST_MONTH;
    if (*w < 0 || *w >= COR_OBS_N_MONTHS || (until > 0 && *month > until))
        *w = -1;
    return COR_OK;
}

static int dup_row(cor_csv *c, const char *what) { return cor_csv_err(c, c->fline[0], 0, "duplicate row for %s", what); }

/* --------------------------------------------------------- the files */

static int read_total(cor_observed *o, const char *dir, char *err, size_t errn)
{
    static const char *const cols[] = {"month", "usbp_sw_encounters_best"};
    cor_csv c;
    int idx[2], w, m, rc = cor_csv_open(&c, dir, COR_OBS_F_TOTAL, err, errn);
    if (!rc)
        rc = cor_csv_cols(&c, cols, 2, idx);
    while (!rc && (rc = cor_csv_row(&c)) == 1) {
        rc = 0;
        double v;
        if ((rc = row_month(&c, idx[0], o->until, &w, &m)) || (rc = cor_csv_count(&c, idx[1], 0, &v)) || w < 0)
            continue;
        if (!isnan(o->encounters[w]))
            rc = dup_row(&c, c.f[idx[0]]);
        o->encounters[w] = v;
        if (m > o->last_month)
            o->last_month = m;
    }
    cor_csv_close(&c);
    return rc < 0 ? -rc : rc;
}

/* One of the two sector files; `exact` for the CBP file, which wins where
 * both have a month (its total rows are skipped). */
static int read_sectors(cor_observed *o, const char *dir, const char *name, const char *value_col, int exact, char *err,
                        size_t errn)
{
    const char *const cols[] = {"month", "region", "sector", value_col};
    cor_csv c;
    int idx[4], w, m, rc = cor_csv_open(&c, dir, name, err, errn);
    if (!rc)
        rc = cor_csv_cols(&c, cols, 4, idx);
    while (!rc && (rc = cor_csv_row(&c)) == 1) {
        rc = 0;
        double v;
        if ((rc = row_month(&c, idx[0], o->until, &w, &m)) || strcmp(c.f[idx[1]], SW_REGION) != 0 ||
            strstr(c.f[idx[2]], "TOTAL"))
            continue;
        const int s = cor_obs_sector_index(c.f[idx[2]]);
        if (s < 0) {
            rc = cor_csv_err(&c, c.fline[idx[2]], c.fcol[idx[2]], "unknown southwest sector '%.60s'", c.f[idx[2]]);
            continue;
        }
        if ((rc = cor_csv_count(&c, idx[3], 0, &v)) || w < 0)
            continue;
        if (!exact && o->sector_exact[w])
            continue;
        if (!isnan(o->sector[s][w])) {
            char what[120];
            snprintf(what, sizeof what, "%s %s", c.f[idx[0]], c.f[idx[2]]);
            rc = dup_row(&c, what);
            continue;
        }
        o->sector[s][w] = v;
    }
    cor_csv_close(&c);
    if (rc == 0 && exact) /* months where the exact file has all nine sectors */
        for (int i = 0; i < COR_OBS_N_MONTHS; i++) {
            int all = 1;
            for (int s = 0; s < COR_OBS_N_SECTORS; s++)
                all &= !isnan(o->sector[s][i]);
            o->sector_exact[i] = (unsigned char)all;
        }
    return rc < 0 ? -rc : rc;
}

static int read_groups(cor_observed *o, const char *dir, char *err, size_t errn)
{
    const char *cols[1 + COR_OBS_N_GROUPS] = {"month"};
    for (int g = 0; g < COR_OBS_N_GROUPS; g++)
        cols[1 + g] = cor_obs_group_names[g];
    cor_csv c;
    int idx[1 + COR_OBS_N_GROUPS], w, m, rc = cor_csv_open(&c, dir, COR_OBS_F_GROUPS, err, errn);
    if (!rc)
        rc = cor_csv_cols(&c, cols, 1 + COR_OBS_N_GROUPS, idx);
    while (!rc && (rc = cor_csv_row(&c)) == 1) {
        rc = 0;
        double v[COR_OBS_N_GROUPS];
        if ((rc = row_month(&c, idx[0], o->until, &w, &m)))
            continue;
        for (int g = 0; g < COR_OBS_N_GROUPS && !rc; g++)
            rc = cor_csv_count(&c, idx[1 + g], 0, &v[g]);
        if (rc || w < 0)
            continue;
        if (!isnan(o->group[0][w]))
            rc = dup_row(&c, c.f[idx[0]]);
        for (int g = 0; g < COR_OBS_N_GROUPS; g++)
            o->group[g][w] = v[g];
    }
    cor_csv_close(&c);
    return rc < 0 ? -rc : rc;
}

static int read_title42(cor_observed *o, const char *dir, char *err, size_t errn)
{
    static const char *const cols[] = {"month", "sw_allcomp_title42", "sw_allcomp_title8", "usbp_sw_title42",
                                       "usbp_sw_title8"};
    cor_csv c;
    int idx[5], w, m, rc = cor_csv_open(&c, dir, COR_OBS_F_TITLE42, err, errn);
    if (!rc)
        rc = cor_csv_cols(&c, cols, 5, idx);
    while (!rc && (rc = cor_csv_row(&c)) == 1) {
        rc = 0;
        double v[4];
        if ((rc = row_month(&c, idx[0], o->until, &w, &m)))
            continue;
        for (int k = 0; k < 4 && !rc; k++)
            rc = cor_csv_count(&c, idx[1 + k], k >= 2, &v[k]);
        if (rc || w < 0)
            continue;
        if (isnan(v[2]) != isnan(v[3])) {
            rc = cor_csv_err(&c, c.fline[0], 0, "usbp_sw_title42 and usbp_sw_title8 must both be given or both be empty");
            continue;
        }
        if (!isnan(o->t42[w]))
            rc = dup_row(&c, c.f[idx[0]]);
        const int usbp = !isnan(v[2]);
        o->t42[w] = usbp ? v[2] : v[0];
        o->t8[w] = usbp ? v[3] : v[1];
        o->t42_usbp[w] = (unsigned char)usbp;
    }
    cor_csv_close(&c);
    return rc < 0 ? -rc : rc;
}

static int cmp_double(const void *a, const void *b)
{
    const double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Per year, the values of the full-year reports: their median. */
typedef struct {
    double v[COR_OBS_N_YEARS][16];
    int n[COR_OBS_N_YEARS];
} reports;

static int add_report(cor_csv *c, reports *r, int year, double v)
{
    const int w = year - COR_OBS_FIRST_YEAR;
    if (w < 0 || w >= COR_OBS_N_YEARS)
        return COR_OK;
    if (r->n[w] == 16)
        return cor_csv_err(c, c->fline[0], 0, "more than 16 full-year figures for %d", year);
    r->v[w][r->n[w]++] = v;
    return COR_OK;
}

static void medians(reports *r, double *out, int *n)
{
    for (int w = 0; w < COR_OBS_N_YEARS; w++) {
        n[w] = r->n[w];
        if (!r->n[w])
            continue;
        qsort(r->v[w], (size_t)r->n[w], sizeof(double), cmp_double);
        const int k = r->n[w];
        out[w] = k % 2 ? r->v[w][k / 2] : 0.5 * (r->v[w][k / 2 - 1] + r->v[w][k / 2]);
    }
}

/* Does a year end by the cut? */
static int year_ok(const cor_observed *o, int year) { return o->until <= 0 || year * 12 + 11 <= o->until; }

static int read_comar(cor_observed *o, const char *dir, reports *r, char *err, size_t errn)
{
    static const char *const cols[] = {"year", "period", "applicants"};
    cor_csv c;
    int idx[3], rc = cor_csv_open(&c, dir, COR_OBS_F_COMAR, err, errn);
    memset(r, 0, sizeof *r);
    if (!rc)
        rc = cor_csv_cols(&c, cols, 3, idx);
    while (!rc && (rc = cor_csv_row(&c)) == 1) {
        rc = 0;
        int y;
        double v;
        if (parse_year(c.f[idx[0]], &y) != 0)
            rc = cor_csv_err(&c, c.fline[idx[0]], c.fcol[idx[0]], "bad year '%.40s' (expected YYYY)", c.f[idx[0]]);
        else if (!(rc = cor_csv_count(&c, idx[2], 0, &v)) && strcmp(c.f[idx[1]], "full_year") == 0 && year_ok(o, y))
            rc = add_report(&c, r, y, v);
    }
    cor_csv_close(&c);
    if (rc == 0)
        medians(r, o->comar, o->comar_n);
    return rc < 0 ? -rc : rc;
}

static int read_upm(cor_observed *o, const char *dir, reports *r, char *err, size_t errn)
{
    static const char *const cols[] = {"period_label", "period_type", "metric", "value"};
    cor_csv c;
    int idx[4], rc = cor_csv_open(&c, dir, COR_OBS_F_UPM, err, errn);
    memset(r, 0, sizeof *r);
    if (!rc)
        rc = cor_csv_cols(&c, cols, 4, idx);
    while (!rc && (rc = cor_csv_row(&c)) == 1) {
        rc = 0;
        int y;
        double v;
        if (strcmp(c.f[idx[1]], "full_year") != 0 || strcmp(c.f[idx[2]], "upm_events_presented_or_channelled") != 0)
            continue;
        if (parse_year(c.f[idx[0]], &y) != 0)
            rc = cor_csv_err(&c, c.fline[idx[0]], c.fcol[idx[0]], "bad year '%.40s' for a full_year row (expected YYYY)",
                         c.f[idx[0]]);
        else if (!(rc = cor_csv_count(&c, idx[3], 0, &v)) && year_ok(o, y))
            rc = add_report(&c, r, y, v);
    }
    cor_csv_close(&c);
    if (rc == 0)
        medians(r, o->upm, o->upm_n);
    return rc < 0 ? -rc : rc;
}

static int read_iom(cor_observed *o, const char *dir, char *err, size_t errn)
{
    static const char *const mcols[] = {"month", "dead_missing", "note"};
    static const char *const hcols[] = {"year", "geography", "metric", "value"};
    double sum[COR_OBS_N_YEARS] = {0};
    int nmon[COR_OBS_N_YEARS] = {0}, partial[COR_OBS_N_YEARS] = {0};
    unsigned char seen[COR_OBS_N_MONTHS] = {0};
    cor_csv c;
    int idx[4], w, m, rc = cor_csv_open(&c, dir, COR_OBS_F_IOM_MONTHLY, err, errn);
    if (!rc)
        rc = cor_csv_cols(&c, mcols, 3, idx);
    while (!rc && (rc = cor_csv_row(&c)) == 1) {
        rc = 0;
        double v;
        if ((rc = row_month(&c, idx[0], o->until, &w, &m)) || (rc = cor_csv_count(&c, idx[1], 0, &v)) || w < 0)
            continue;
        if (seen[w]++)
            rc = dup_row(&c, c.f[idx[0]]);
        const int y = m / 12 - COR_OBS_FIRST_YEAR;
        if (y < 0 || y >= COR_OBS_N_YEARS)
            continue;
        sum[y] += v;
        nmon[y]++;
        partial[y] |= strstr(c.f[idx[2]], "PARTIAL") != NULL;
    }
    cor_csv_close(&c);
    for (int y = 0; y < COR_OBS_N_YEARS && !rc; y++)
        if (nmon[y] == 12 && !partial[y] && year_ok(o, COR_OBS_FIRST_YEAR + y))
            o->deaths[y] = sum[y];
    if (!rc)
        rc = cor_csv_open(&c, dir, COR_OBS_F_IOM_HEADLINE, err, errn);
    else
        return rc < 0 ? -rc : rc;
    if (!rc)
        rc = cor_csv_cols(&c, hcols, 4, idx);
    while (!rc && (rc = cor_csv_row(&c)) == 1) {
        rc = 0;
        int y;
        double v;
        if (strcmp(c.f[idx[1]], "US-Mexico border") != 0 || strcmp(c.f[idx[2]], "dead_and_missing") != 0)
            continue;
        if (parse_year(c.f[idx[0]], &y) != 0)
            rc = cor_csv_err(&c, c.fline[idx[0]], c.fcol[idx[0]], "bad year '%.40s' (expected YYYY)", c.f[idx[0]]);
        else if (!(rc = cor_csv_count(&c, idx[3], 0, &v)) && year_ok(o, y) && y >= COR_OBS_FIRST_YEAR &&
                 y < COR_OBS_FIRST_YEAR + COR_OBS_N_YEARS && isnan(o->deaths[y - COR_OBS_FIRST_YEAR])) {
            o->deaths[y - COR_OBS_FIRST_YEAR] = v; /* the first published figure of a year not complete above */
            o->deaths_headline[y - COR_OBS_FIRST_YEAR] = 1;
        }
    }
    cor_csv_close(&c);
    return rc < 0 ? -rc : rc;
}

/* ------------------------------------------------------------- load */

static void fill_nan(double *a, size_t n)
{
    for (size_t i = 0; i < n; i++)
        a[i] = NAN;
}

int cor_observed_load(const char *data_dir, int until, cor_observed **out, char *err, size_t errn)
{
    *out = NULL;
    if (errn)
        err[0] = '\0';
    cor_observed *o = calloc(1, sizeof *o);
    reports *r = malloc(sizeof *r);
    if (!o || !r) {
        free(o);
        free(r);
        snprintf(err, errn, "out of memory");
        return COR_ENOMEM;
    }
    o->until = until > 0 ? until : 0;
    fill_nan(o->encounters, COR_OBS_N_MONTHS);
    fill_nan(&o->sector[0][0], sizeof o->sector / sizeof(double));
    fill_nan(&o->group[0][0], sizeof o->group / sizeof(double));
    fill_nan(o->t42, COR_OBS_N_MONTHS);
    fill_nan(o->t8, COR_OBS_N_MONTHS);
    fill_nan(o->comar, COR_OBS_N_YEARS);
    fill_nan(o->upm, COR_OBS_N_YEARS);
    fill_nan(o->deaths, COR_OBS_N_YEARS);
    int rc = read_total(o, data_dir, err, errn);
    if (!rc)
        rc = read_sectors(o, data_dir, COR_OBS_F_SECTOR_EXACT, "usbp_apprehensions", 1, err, errn);
    if (!rc)
        rc = read_sectors(o, data_dir, COR_OBS_F_SECTOR_OHSS, "usbp_encounters_rounded10", 0, err, errn);
    if (!rc)
        rc = read_groups(o, data_dir, err, errn);
    if (!rc)
        rc = read_title42(o, data_dir, err, errn);
    if (!rc)
        rc = read_comar(o, data_dir, r, err, errn);
    if (!rc)
        rc = read_upm(o, data_dir, r, err, errn);
    if (!rc)
        rc = read_iom(o, data_dir, err, errn);
    free(r);
    if (rc) {
        if (rc == COR_ENOMEM)
            snprintf(err, errn, "out of memory");
        free(o);
        return rc;
    }
    *out = o;
    return COR_OK;
}

void cor_observed_free(cor_observed *o) { free(o); }

/* ------------------------------------------------------------ facts */

const char *const cor_fact_kind_names[COR_N_FACT_KINDS] = {"count",  "range",        "count_above",
                                                           "change", "change_below", "change_above"};

/* "YYYY", "YYYY-MM" or "YYYY-MM..YYYY-MM" -> months m0..m1. */
static int parse_period(const char *s, int *m0, int *m1)
{
    int y;
    if (parse_year(s, &y) == 0) {
        *m0 = y * 12, *m1 = y * 12 + 11;
        return 0;
    }
    if (cor_obs_parse_month(s, m0) == 0) {
        *m1 = *m0;
        return 0;
    }
    char a[8];
    if (strlen(s) != 16 || strncmp(s + 7, "..", 2) != 0)
        return -1;
    memcpy(a, s, 7);
    a[7] = '\0';
    return cor_obs_parse_month(a, m0) == 0 && cor_obs_parse_month(s + 9, m1) == 0 && *m0 <= *m1 ? 0 : -1;
}

/* A number, or NAN for an empty field when !required. */
static int fld_number(cor_csv *c, int i, int required, double *v)
{
    if (c->f[i][0] == '\0') {
        *v = NAN;
        return required ? cor_csv_err(c, c->fline[i], c->fcol[i], "column '%s' is required for this kind of fact",
                                  c->hdr[i])
                        : COR_OK;
    }
    char *end;
    errno = 0;
    *v = strtod(c->f[i], &end);
    if (isspace((unsigned char)c->f[i][0]) || *end != '\0' || errno || !isfinite(*v))
        return cor_csv_err(c, c->fline[i], c->fcol[i], "bad number '%.40s' in column '%s'", c->f[i], c->hdr[i]);
    return COR_OK;
}

static int valid_name(const char *s)
{
    if (!*s)
        return 0;
    for (; *s; s++)
        if (!(islower((unsigned char)*s) || isdigit((unsigned char)*s) || *s == '_'))
            return 0;
    return 1;
}

enum { F_NAME, F_KIND, F_SERIES, F_PLACE, F_PERIOD, F_PERIOD_B, F_OBS, F_OBS_HI, F_THRESH, F_TOL, F_SOURCE, F_N };

static int fact_row(cor_csv *c, const int *idx, cor_fact *f, const cor_fact *prev, int n_prev)
{
    memset(f, 0, sizeof *f);
    f->line = c->fline[0];
#define FLD(k) c->f[idx[k]]
#define ERR(k, ...) cor_csv_err(c, c->fline[idx[k]], c->fcol[idx[k]], __VA_ARGS__)
    if (!valid_name(FLD(F_NAME)) || strlen(FLD(F_NAME)) >= sizeof f->name)
        return ERR(F_NAME, "bad fact name '%.70s' (lower-case letters, digits, '_'; at most 63)", FLD(F_NAME));
    for (int i = 0; i < n_prev; i++)
        if (strcmp(prev[i].name, FLD(F_NAME)) == 0)
            return ERR(F_NAME, "duplicate fact '%s' (first on line %d)", FLD(F_NAME), prev[i].line);
    strcpy(f->name, FLD(F_NAME));
    int kind = -1;
    for (int k = 0; k < COR_N_FACT_KINDS; k++)
        if (strcmp(FLD(F_KIND), cor_fact_kind_names[k]) == 0)
            kind = k;
    if (kind < 0)
        return ERR(F_KIND, "unknown kind '%.40s' (count, range, count_above, change, change_below, change_above)",
                   FLD(F_KIND));
    f->kind = (cor_fact_kind)kind;
    const char *s = FLD(F_SERIES);
    do { /* series names joined by '+' */
        const char *e = strchr(s, '+');
        const size_t len = e ? (size_t)(e - s) : strlen(s);
        if (f->n_series == COR_FACT_MAX_SERIES || len == 0 || len >= sizeof f->series[0])
            return ERR(F_SERIES, "bad series '%.80s' (1 to %d names joined by '+')", FLD(F_SERIES),
                       COR_FACT_MAX_SERIES);
        memcpy(f->series[f->n_series], s, len);
        f->series[f->n_series][len] = '\0';
        if (!valid_name(f->series[f->n_series++]))
            return ERR(F_SERIES, "bad series name in '%.80s'", FLD(F_SERIES));
        s = e ? e + 1 : NULL;
    } while (s);
    if (strlen(FLD(F_PLACE)) >= sizeof f->place)
        return ERR(F_PLACE, "place too long");
    strcpy(f->place, FLD(F_PLACE));
    const int change = f->kind >= COR_FACT_CHANGE;
    if (strlen(FLD(F_PERIOD)) >= sizeof f->period || parse_period(FLD(F_PERIOD), &f->a0, &f->a1) != 0)
        return ERR(F_PERIOD, "bad period '%.40s' (YYYY, YYYY-MM or YYYY-MM..YYYY-MM)", FLD(F_PERIOD));
    strcpy(f->period, FLD(F_PERIOD));
    if (!change && FLD(F_PERIOD_B)[0])
        return ERR(F_PERIOD_B, "period_b is only for change kinds");
    if (change && (strlen(FLD(F_PERIOD_B)) >= sizeof f->period_b || parse_period(FLD(F_PERIOD_B), &f->b0, &f->b1) != 0))
        return ERR(F_PERIOD_B, "bad period_b '%.40s' (YYYY, YYYY-MM or YYYY-MM..YYYY-MM)", FLD(F_PERIOD_B));
    strcpy(f->period_b, FLD(F_PERIOD_B));
    const int threshold = f->kind == COR_FACT_COUNT_ABOVE || f->kind == COR_FACT_CHANGE_BELOW ||
                          f->kind == COR_FACT_CHANGE_ABOVE;
    int rc;
    if ((rc = fld_number(c, idx[F_OBS], !threshold, &f->observed)) ||
        (rc = fld_number(c, idx[F_OBS_HI], f->kind == COR_FACT_RANGE, &f->observed_hi)) ||
        (rc = fld_number(c, idx[F_THRESH], threshold, &f->threshold)) ||
        (rc = fld_number(c, idx[F_TOL], !threshold, &f->tolerance)))
        return rc;
    if (f->kind != COR_FACT_RANGE && !isnan(f->observed_hi))
        return ERR(F_OBS_HI, "observed_hi is only for kind range");
    if (!threshold && !isnan(f->threshold))
        return ERR(F_THRESH, "threshold is only for kinds count_above, change_below, change_above");
    if (threshold && !isnan(f->tolerance))
        return ERR(F_TOL, "a threshold test has no tolerance");
    if (!isnan(f->tolerance) && (f->tolerance < 0 || f->tolerance > 1))
        return ERR(F_TOL, "tolerance %g outside [0, 1] (a fraction: 0.25 = 25%%)", f->tolerance);
    if ((f->kind == COR_FACT_COUNT || f->kind == COR_FACT_RANGE) && !(f->observed > 0))
        return ERR(F_OBS, "observed must be > 0 for a count");
    if (f->kind == COR_FACT_RANGE && !(f->observed_hi >= f->observed))
        return ERR(F_OBS_HI, "observed_hi %g below observed %g", f->observed_hi, f->observed);
    if (f->kind == COR_FACT_CHANGE && f->observed == 0)
        return ERR(F_OBS, "observed change must not be 0 (the tolerance is relative to it)");
    if (!FLD(F_SOURCE)[0] || strlen(FLD(F_SOURCE)) >= sizeof f->source)
        return ERR(F_SOURCE, "the source is required (at most %zu characters)", sizeof f->source - 1);
    strcpy(f->source, FLD(F_SOURCE));
#undef FLD
#undef ERR
    return COR_OK;
}

int cor_facts_load(const char *path, cor_fact **facts, int *n, char *err, size_t errn)
{
    static const char *const cols[F_N] = {"name",   "kind",     "series",      "place",     "period",   "period_b",
                                          "observed", "observed_hi", "threshold", "tolerance", "source"};
    *facts = NULL;
    *n = 0;
    cor_csv c;
    int idx[F_N], cap = 0, rc = cor_csv_open(&c, NULL, path, err, errn);
    if (!rc)
        rc = cor_csv_cols(&c, cols, F_N, idx);
    cor_fact *a = NULL;
    while (!rc && (rc = cor_csv_row(&c)) == 1) {
        rc = 0;
        if (*n == cap) {
            cor_fact *b = realloc(a, sizeof *a * (size_t)(cap = cap ? 2 * cap : 16));
            if (!b) {
                rc = COR_ENOMEM;
                break;
            }
            a = b;
        }
        rc = fact_row(&c, idx, &a[*n], a, *n);
        if (!rc)
            (*n)++;
    }
    cor_csv_close(&c);
    rc = rc < 0 ? -rc : rc;
    if (!rc && *n == 0)
        rc = cor_csv_err(&c, 1, 0, "no facts");
    if (rc) {
        if (rc == COR_ENOMEM)
            snprintf(err, errn, "out of memory");
        free(a);
        *n = 0;
        return rc;
    }
    *facts = a;
    return COR_OK;
}

void cor_facts_free(cor_fact *facts) { free(facts); }
