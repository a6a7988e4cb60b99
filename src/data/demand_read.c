/* demand_read.c - the data readers of the demand derivation (demand_read.h)
 * and the estimate of the share stopped in Mexico (demand.h). */
#include "data/demand_read.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "data/csv.h"
#include "engine/calendar.h"

/* ----------------------------------------------------------- the data */



static int name_index(const char *s, const char *const *names, int n)
{
    for (int i = 0; i < n; i++)
        if (strcmp(s, names[i]) == 0)
            return i;
    return -1;
}

/* One row of a file: c->f[idx[k]] is column k of the file's spec; w is the
 * month's window index, -1 when outside the window or after the cut-off
 * (the row is still checked). */
typedef int (*row_fn)(dm_data *x, cor_csv *c, const int *idx, int w);

static int load_file(dm_data *x, const char *dir, const char *name, const char *const *cols, int ncols, row_fn fn,
                     char *err, size_t errn)
{
    cor_csv c;
    int idx[12], m, rc = cor_csv_open(&c, dir, name, err, errn);
    if (!rc)
        rc = cor_csv_cols(&c, cols, ncols, idx);
    while (!rc && (rc = cor_csv_row(&c)) == 1) {
        if (cor_parse_month(c.f[idx[0]], &m) != 0)
            rc = cor_csv_err(&c, c.fline[idx[0]], c.fcol[idx[0]], "bad month '%.40s' in column '%s' (expected YYYY-MM)",
                         c.f[idx[0]], c.hdr[idx[0]]);
        else
            rc = fn(x, &c, idx, m - WIN_LO >= 0 && m - WIN_LO < WIN_N && m - WIN_LO <= x->until ? m - WIN_LO : -1);
    }
    rc = rc < 0 ? -rc : rc;
    cor_csv_close(&c);
    return rc;
}

static int dup_row(cor_csv *c, const char *what) { return cor_csv_err(c, c->fline[0], 0, "duplicate row for %s", what); }

/* The nine-group file: month + one column per group ("other" = all others). */
static const char *const cols_groups[] = {"month", "mexico", "guatemala", "honduras", "el_salvador",
                                          "venezuela", "cuba", "haiti", "nicaragua", "other"};
static int row_groups(dm_data *x, cor_csv *c, const int *idx, int w)
{
    static const int grp[] = {-1, COR_DG_MEXICO, COR_DG_GUATEMALA, COR_DG_HONDURAS, COR_DG_EL_SALVADOR,
                              COR_DG_VENEZUELA, COR_DG_CUBA, COR_DG_HAITI, COR_DG_NICARAGUA, COR_DG_OTHER};
    double v[10];
    for (int k = 1; k < 10; k++)
        if (cor_csv_count(c, idx[k], 0, &v[k]))
            return COR_EINPUT;
    if (w < 0)
        return COR_OK;
    if (x->have_grp[w])
        return dup_row(c, c->f[idx[0]]);
    x->have_grp[w] = 1;
    for (int k = 1; k < 10; k++)
        x->grp[grp[k]][w] = v[k];
    return COR_OK;
}

/* Ecuador and Colombia from the region x citizenship file (Southwest rows);
 * absent rows are zero (the file leaves out empty cells). */
static const char *const cols_citizen[] = {"month", "region", "citizenship", "usbp_encounters_rounded10"};
static int row_citizen(dm_data *x, cor_csv *c, const int *idx, int w)
{
    static const char *const who[] = {"Ecuador", "Colombia"};
    double v;
    if (cor_csv_count(c, idx[3], 0, &v))
        return COR_EINPUT;
    const int k = name_index(c->f[idx[2]], who, 2);
    if (w < 0 || k < 0 || strcmp(c->f[idx[1]], SW_REGION) != 0)
        return COR_OK;
    if (x->seen[k][w])
        return dup_row(c, c->f[idx[2]]);
    x->seen[k][w] = 1;
    x->grp[k ? COR_DG_COLOMBIA : COR_DG_ECUADOR][w] = v;
    return COR_OK;
}

static const char *const cols_family[] = {"month", "region", "family_status", "usbp_encounters_rounded10"};
static int row_family(dm_data *x, cor_csv *c, const int *idx, int w)
{
    static const char *const st[COR_N_DEMOS] = {"Single Adults", "Family Unit Individuals", "Unaccompanied Children"};
    double v;
    if (cor_csv_count(c, idx[3], 0, &v))
        return COR_EINPUT;
    if (strcmp(c->f[idx[1]], SW_REGION) != 0)
        return COR_OK;
    const int d = name_index(c->f[idx[2]], st, COR_N_DEMOS);
    if (d < 0)
        return cor_csv_err(c, c->fline[idx[2]], c->fcol[idx[2]], "unknown family_status '%.40s'", c->f[idx[2]]);
    if (w < 0)
        return COR_OK;
    if (x->seen[d][w])
        return dup_row(c, c->f[idx[2]]);
    x->seen[d][w] = 1;
    x->fam[d][w] = v;
    return COR_OK;
}

/* The CBP citizenship x demographic files.  FY2020-FY2023: all components, 22
 * citizenships; FY2022-FY2025: USBP rows only, four named groups + Other. */
static const char *const cols_cbp4[] = {"month", "demographic", "citizenship", "encounter_count"};
static const char *const cols_cbp3[] = {"month", "demographic", "citizenship_group", "encounter_count", "component"};
static int row_cbp(dm_data *x, cor_csv *c, const int *idx, int w, int which)
{
    static const char *const demos[] = {"Single Adults", "FMUA", "Accompanied Minors", "UC / Single Minors", "UAC"};
    static const int demo[] = {COR_DEMO_SINGLE_ADULT, COR_DEMO_FAMILY, COR_DEMO_FAMILY, COR_DEMO_UAC, COR_DEMO_UAC};
    static const char *const cit4[] = {"MEXICO", "GUATEMALA", "HONDURAS", "EL SALVADOR", "NICARAGUA",
                                       "VENEZUELA", "CUBA", "HAITI", "ECUADOR", "COLOMBIA"}; /* enum order */
    static const char *const cit3[] = {"Mexico", "Guatemala", "Honduras", "El Salvador", "Other"};
    static const int grp3[] = {COR_DG_MEXICO, COR_DG_GUATEMALA, COR_DG_HONDURAS, COR_DG_EL_SALVADOR, -1};
    double v;
    const int k = name_index(c->f[idx[1]], demos, 5);
    if (k < 0)
        return cor_csv_err(c, c->fline[idx[1]], c->fcol[idx[1]], "unknown demographic '%.40s'", c->f[idx[1]]);
    if (cor_csv_count(c, idx[3], 0, &v))
        return COR_EINPUT;
    int g = name_index(c->f[idx[2]], which == 4 ? cit4 : cit3, which == 4 ? 10 : 5);
    if (which == 4) {
        g = g < 0 ? COR_DG_OTHER : g;
    } else if (g < 0) {
        return cor_csv_err(c, c->fline[idx[2]], c->fcol[idx[2]], "unknown citizenship_group '%.40s'", c->f[idx[2]]);
    } else {
        if (strcmp(c->f[idx[4]], "U.S. Border Patrol") != 0)
            return COR_OK;
        g = grp3[g];
    }
    if (w < 0)
        return COR_OK;
    double(*cg)[COR_N_DEMOS][WIN_N] = which == 4 ? x->c4 : x->c3;
    double(*ca)[WIN_N] = which == 4 ? x->a4 : x->a3;
    if (g >= 0)
        cg[g][demo[k]][w] += v;
    ca[demo[k]][w] += v;
    (which == 4 ? x->have4 : x->have3)[w] = 1;
    return COR_OK;
}
static int row_cbp4(dm_data *x, cor_csv *c, const int *idx, int w) { return row_cbp(x, c, idx, w, 4); }
static int row_cbp3(dm_data *x, cor_csv *c, const int *idx, int w) { return row_cbp(x, c, idx, w, 3); }

/* Load the encounters (group file, Ecuador and Colombia) and set x->until to
 * the last month of the group file not after `until` (0: no limit). */
int cor_dm_load_encounters(dm_data *x, const char *dir, int until, char *err, size_t errn)
{
    x->until = until > 0 ? until - WIN_LO : WIN_N - 1;
    if (x->until < 0) {
        snprintf(err, errn, "until month is before 1990-01");
        return COR_EINPUT;
    }
    x->until = x->until < WIN_N ? x->until : WIN_N - 1;
    int rc = load_file(x, dir, F_GROUPS, cols_groups, 10, row_groups, err, errn);
    if (rc)
        return rc;
    int last = -1;
    for (int w = 0; w <= x->until; w++)
        last = x->have_grp[w] ? w : last;
    if (last < 0) {
        snprintf(err, errn, "%s/%s: no rows%s", dir, F_GROUPS, until > 0 ? " at or before the until month" : "");
        return COR_EINPUT;
    }
    x->until = last;
    rc = load_file(x, dir, F_CITIZEN, cols_citizen, 4, row_citizen, err, errn);
    memset(x->seen, 0, sizeof x->seen);
    for (int w = 0; !rc && w <= last; w++) {
        const double o = x->grp[COR_DG_OTHER][w] - x->grp[COR_DG_ECUADOR][w] - x->grp[COR_DG_COLOMBIA][w];
        x->grp[COR_DG_OTHER][w] = o > 0 ? o : 0;
    }
    return rc;
}

/* The demographic files. */
int cor_dm_load_demographics(dm_data *x, const char *dir, char *err, size_t errn)
{
    int rc = load_file(x, dir, F_FAMILY, cols_family, 4, row_family, err, errn);
    if (!rc)
        rc = load_file(x, dir, F_CBP4, cols_cbp4, 4, row_cbp4, err, errn);
    if (!rc)
        rc = load_file(x, dir, F_CBP3, cols_cbp3, 5, row_cbp3, err, errn);
    return rc;
}

/* ---------------------------------------------- share stopped in Mexico */

static int period_end(const char *type)
{
    static const char *const mon[12] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                        "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    if (strcmp(type, "full_year") == 0)
        return 12;
    if (strlen(type) == 7 && strncmp(type, "Jan-", 4) == 0)
        for (int i = 0; i < 12; i++)
            if (strcmp(type + 4, mon[i]) == 0)
                return i + 1;
    return 0;
}

int cor_demand_estimate_stopped(cor_demand *d, const char *data_dir, int until, cor_demand_stop_estimate est[COR_DG_N],
                                double *pooled)
{
    static const char *const cols[] = {"period_label", "period_type", "metric", "nationality_or_region", "value"};
    static const char *const nat[COR_DG_N] = {"Mexico", "Guatemala", "Honduras", "El Salvador", "Nicaragua", "Venezuela",
                                              "Cuba", "Haiti", "Ecuador", "Colombia", ""};
    enum { NY = 60, Y0 = 1990 };
    /* per group and year: longest period end, sum and count of its values */
    int end[COR_DG_N][NY] = {{0}}, cnt[COR_DG_N][NY] = {{0}};
    double sum[COR_DG_N][NY] = {{0}};
    cor_csv c;
    int idx[5];
    d->errmsg[0] = '\0';
    memset(est, 0, sizeof(cor_demand_stop_estimate) * COR_DG_N);
    dm_data *x = calloc(1, sizeof *x);
    if (!x)
        return COR_ENOMEM;
    int rc = cor_dm_load_encounters(x, data_dir, until, d->errmsg, sizeof d->errmsg);
    if (!rc)
        rc = cor_csv_open(&c, data_dir, F_UPM, d->errmsg, sizeof d->errmsg);
    else
        memset(&c, 0, sizeof c);
    if (!rc)
        rc = cor_csv_cols(&c, cols, 5, idx);
    while (!rc && (rc = cor_csv_row(&c)) == 1) {
        rc = COR_OK;
        if (strcmp(c.f[idx[2]], "upm_events_presented_or_channelled") != 0)
            continue;
        const int g = name_index(c.f[idx[3]], nat, COR_DG_N - 1);
        if (g < 0)
            continue; /* regions and nationalities outside the groups */
        char *e;
        const long y = strtol(c.f[idx[0]], &e, 10);
        const int pe = period_end(c.f[idx[1]]);
        double v;
        if (*e || y < Y0 || y >= Y0 + NY) {
            rc = cor_csv_err(&c, c.fline[idx[0]], c.fcol[idx[0]], "bad year '%.40s'", c.f[idx[0]]);
            break;
        }
        if (!pe) {
            rc = cor_csv_err(&c, c.fline[idx[1]], c.fcol[idx[1]], "unknown period_type '%.40s' (expected full_year or Jan-Mon)",
                         c.f[idx[1]]);
            break;
        }
        if ((rc = cor_csv_count(&c, idx[4], 0, &v)) != 0)
            break;
        const int yi = (int)y - Y0;
        if (pe > end[g][yi]) {
            end[g][yi] = pe;
            sum[g][yi] = 0;
            cnt[g][yi] = 0;
        }
        if (pe == end[g][yi]) {
            sum[g][yi] += v;
            cnt[g][yi]++;
        }
    }
    rc = rc < 0 ? -rc : rc;
    cor_csv_close(&c);
    double all_upm = 0, all_usbp = 0;
    for (int g = 0; !rc && g < COR_DG_N; g++) {
        cor_demand_stop_estimate *s = &est[g];
        s->share = -1;
        for (int yi = 0; yi < NY && s->n_periods < 8; yi++) {
            if (!cnt[g][yi])
                continue;
            const int w_first = (Y0 + yi) * 12 - WIN_LO, w_last = w_first + end[g][yi] - 1;
            int ok = w_first >= 0 && w_last <= x->until;
            double usbp = 0;
            for (int w = w_first; ok && w <= w_last; w++) {
                ok = x->have_grp[w];
                usbp += x->grp[g][w];
            }
            if (!ok)
                continue; /* the period ends after the cut-off or lacks US data */
            const int i = s->n_periods++;
            s->years[i] = Y0 + yi;
            s->end_month[i] = end[g][yi];
            s->upm[i] = sum[g][yi] / cnt[g][yi];
            s->usbp[i] = usbp;
            s->upm_sum += s->upm[i];
            s->usbp_sum += usbp;
        }
        if (s->n_periods && s->upm_sum + s->usbp_sum > 0) {
            s->share = s->upm_sum / (s->upm_sum + s->usbp_sum);
            all_upm += s->upm_sum;
            all_usbp += s->usbp_sum;
        }
    }
    free(x);
    if (!rc && pooled)
        *pooled = all_upm + all_usbp > 0 ? all_upm / (all_upm + all_usbp) : -1;
    return rc;
}
