/* calib_obs.c - the observations a calibration fits: monthly encounters by
 * group, from data/ (with the --until cut), from a CSV file, or from a run. */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/calibrate.h"
#include "data/csv.h"
#include "data/demand_read.h"

int cor_cal_parse_month(const char *s, int *month)
{
    if (!s || strlen(s) != 7 || s[4] != '-')
        return -1;
    for (int i = 0; i < 7; i++)
        if (i != 4 && !isdigit((unsigned char)s[i]))
            return -1;
    const int y = atoi(s), m = atoi(s + 5);
    if (m < 1 || m > 12 || y < 1)
        return -1;
    *month = y * 12 + m - 1;
    return 0;
}

void cor_cal_format_month(int month, char out[8])
{
    const unsigned y = month > 0 ? (unsigned)(month / 12) % 10000u : 0, m = month > 0 ? (unsigned)month % 12u + 1u : 1;
    snprintf(out, 8, "%04u-%02u", y, m);
}

cor_cal_obs *cor_cal_obs_new(void) { return calloc(1, sizeof(cor_cal_obs)); }

static void obs_clear(cor_cal_obs *o)
{
    for (int g = 0; g < o->n_groups; g++)
        free(o->group[g]);
    free(o->group);
    free(o->people);
    o->group = NULL;
    o->people = NULL;
    o->n_groups = o->n_months = o->month0 = 0;
}

void cor_cal_obs_free(cor_cal_obs *o)
{
    if (!o)
        return;
    obs_clear(o);
    free(o);
}

/* Allocate n_groups x n_months cells (NAN) with the group ids given. */
static int obs_alloc(cor_cal_obs *o, int ng, const char *const *ids, int month0, int nm)
{
    obs_clear(o);
    o->group = calloc((size_t)(ng > 0 ? ng : 1), sizeof *o->group);
    o->people = malloc((size_t)(ng > 0 ? ng : 1) * (size_t)(nm > 0 ? nm : 1) * sizeof *o->people);
    if (!o->group || !o->people) {
        snprintf(o->errmsg, sizeof o->errmsg, "out of memory");
        return COR_ENOMEM;
    }
    o->n_groups = ng, o->month0 = month0, o->n_months = nm;
    for (int g = 0; g < ng; g++)
        if (!(o->group[g] = strdup(ids[g]))) {
            snprintf(o->errmsg, sizeof o->errmsg, "out of memory");
            return COR_ENOMEM;
        }
    for (size_t k = 0; k < (size_t)ng * (size_t)nm; k++)
        o->people[k] = NAN;
    return COR_OK;
}

int cor_cal_obs_from_data(cor_cal_obs *o, const char *data_dir, int until)
{
    o->errmsg[0] = '\0';
    dm_data *x = calloc(1, sizeof *x);
    if (!x) {
        snprintf(o->errmsg, sizeof o->errmsg, "out of memory");
        return COR_ENOMEM;
    }
    int rc = cor_dm_load_encounters(x, data_dir, until, o->errmsg, sizeof o->errmsg);
    int first = -1;
    for (int w = 0; rc == COR_OK && w <= x->until && first < 0; w++)
        first = x->have_grp[w] ? w : -1;
    if (rc == COR_OK)
        rc = obs_alloc(o, COR_DG_N, cor_demand_group_ids, first + WIN_LO, x->until - first + 1);
    for (int g = 0; rc == COR_OK && g < COR_DG_N; g++)
        for (int w = first; w <= x->until; w++)
            if (x->have_grp[w])
                o->people[(size_t)g * (size_t)o->n_months + (size_t)(w - first)] = x->grp[g][w];
    free(x);
    return rc;
}

typedef struct {
    int month, group;
    double v;
} csv_row;

/* Through the shared strict CSV reader (data/csv.h): errors are
 * "path:line[:column]: message". */
int cor_cal_obs_from_csv(cor_cal_obs *o, const char *path, int until)
{
    o->errmsg[0] = '\0';
    cor_csv cv;
    int rc = cor_csv_open(&cv, NULL, path, o->errmsg, sizeof o->errmsg);
    if (rc != COR_OK) {
        cor_csv_close(&cv);
        if (rc == COR_ENOMEM)
            snprintf(o->errmsg, sizeof o->errmsg, "out of memory");
        return rc;
    }
    if (cv.nhdr != 3 || strcmp(cv.hdr[0], "month") || strcmp(cv.hdr[1], "group") || strcmp(cv.hdr[2], "people"))
        rc = cor_csv_err(&cv, 1, 0, "expected the header 'month,group,people'");
    char **ids = NULL;
    csv_row *rows = NULL;
    int nrows = 0, cap = 0, ng = 0, m0 = 0, m1 = -1, r;
    while (rc == COR_OK && (r = cor_csv_row(&cv)) != 0) {
        int month;
        double v;
        if (r < 0) {
            rc = -r;
            break;
        }
        if (cor_cal_parse_month(cv.f[0], &month)) {
            rc = cor_csv_err(&cv, cv.fline[0], cv.fcol[0], "month: '%.40s' is not YYYY-MM", cv.f[0]);
            break;
        }
        if (!*cv.f[1]) {
            rc = cor_csv_err(&cv, cv.fline[1], cv.fcol[1], "group: empty");
            break;
        }
        if ((rc = cor_csv_count(&cv, 2, 0, &v)) != COR_OK)
            break;
        int g = 0;
        while (g < ng && strcmp(ids[g], cv.f[1]))
            g++;
        for (int i = 0; g < ng && i < nrows && rc == COR_OK; i++)
            if (rows[i].group == g && rows[i].month == month)
                rc = cor_csv_err(&cv, cv.fline[0], 0, "duplicate row for group '%.100s', month %s", cv.f[1], cv.f[0]);
        if (rc != COR_OK || (until > 0 && month > until))
            continue;
        if (g == ng) {
            char **t = realloc(ids, (size_t)(ng + 1) * sizeof *ids);
            if (!t || !(t[ng] = strdup(cv.f[1]))) {
                ids = t ? t : ids;
                rc = COR_ENOMEM;
                break;
            }
            ids = t, ng++;
        }
        if (nrows == cap) {
            csv_row *t = realloc(rows, (size_t)(cap = cap ? 2 * cap : 256) * sizeof *rows);
            if (!t) {
                rc = COR_ENOMEM;
                break;
            }
            rows = t;
        }
        rows[nrows++] = (csv_row){month, g, v};
        m0 = nrows == 1 || month < m0 ? month : m0;
        m1 = month > m1 ? month : m1;
    }
    cor_csv_close(&cv);
    if (rc == COR_OK && nrows == 0)
        rc = COR_EINPUT, snprintf(o->errmsg, sizeof o->errmsg, "%.900s: no rows%s", path,
                                  until > 0 ? " at or before the until month" : "");
    if (rc == COR_OK)
        rc = obs_alloc(o, ng, (const char *const *)ids, m0, m1 - m0 + 1);
    for (int i = 0; rc == COR_OK && i < nrows; i++)
        o->people[(size_t)rows[i].group * (size_t)o->n_months + (size_t)(rows[i].month - m0)] = rows[i].v;
    if (rc == COR_ENOMEM)
        snprintf(o->errmsg, sizeof o->errmsg, "out of memory");
    for (int g = 0; g < ng; g++)
        free(ids[g]);
    free(ids);
    free(rows);
    return rc;
}

int cor_cal_obs_from_sim(cor_cal_obs *o, const cor_sim *sim, int until)
{
    o->errmsg[0] = '\0';
    const int sid = cor_sim_series_id(sim, "us_encounters"), ng = cor_sim_n_groups(sim);
    const int m0 = cor_sim_first_month(sim);
    int nm = cor_sim_n_months(sim);
    if (sid < 0) {
        snprintf(o->errmsg, sizeof o->errmsg, "the run counts no us_encounters");
        return COR_EINPUT;
    }
    if (until > 0 && until < m0 + nm - 1)
        nm = until - m0 + 1;
    if (nm <= 0) {
        snprintf(o->errmsg, sizeof o->errmsg, "no month of the run at or before the until month");
        return COR_EINPUT;
    }
    const char **ids = calloc((size_t)(ng > 0 ? ng : 1), sizeof *ids);
    if (!ids) {
        snprintf(o->errmsg, sizeof o->errmsg, "out of memory");
        return COR_ENOMEM;
    }
    for (int g = 0; g < ng; g++)
        ids[g] = cor_sim_group_id(sim, g);
    int rc = obs_alloc(o, ng, ids, m0, nm);
    free(ids);
    if (rc != COR_OK)
        return rc;
    for (size_t k = 0; k < (size_t)ng * (size_t)nm; k++)
        o->people[k] = 0;
    const int64_t nr = cor_sim_n_records(sim);
    for (int64_t i = 0; i < nr; i++) {
        int month, series, place, group, demo;
        double v;
        cor_sim_record(sim, i, &month, &series, &place, &group, &demo, &v);
        if (series == sid && group >= 0 && group < ng && month >= m0 && month < m0 + nm)
            o->people[(size_t)group * (size_t)nm + (size_t)(month - m0)] += v;
    }
    return COR_OK;
}

int cor_cal_obs_write_csv(cor_cal_obs *o, const char *path)
{
    char tmp[4200], mo[8];
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    FILE *fp = fopen(tmp, "w");
    if (!fp) {
        snprintf(o->errmsg, sizeof o->errmsg, "cannot write '%.900s': %s", tmp, strerror(errno));
        return COR_EIO;
    }
    fprintf(fp, "month,group,people\n");
    for (int m = 0; m < o->n_months; m++)
        for (int g = 0; g < o->n_groups; g++) {
            const double v = o->people[(size_t)g * (size_t)o->n_months + (size_t)m];
            if (isnan(v))
                continue;
            cor_cal_format_month(o->month0 + m, mo);
            fprintf(fp, "%s,%s,%.10g\n", mo, o->group[g], v);
        }
    const int bad = ferror(fp);
    if (fclose(fp) || bad || rename(tmp, path)) {
        snprintf(o->errmsg, sizeof o->errmsg, "cannot write '%.900s': %s", path, strerror(errno));
        remove(tmp);
        return COR_EIO;
    }
    return COR_OK;
}
