/* demand.c - the latent departure demand derived from the USBP record: the
 * parameters, the derivation and the writer.  The method is in demand.h and
 * docs/DEMAND.md; the data readers are in demand_read.c. */
#include "data/demand.h"
#include "data/demand_read.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "engine/calendar.h"

const char *const cor_demand_group_ids[COR_DG_N] = {
    "mexico", "guatemala", "honduras", "el_salvador", "nicaragua", "venezuela",
    "cuba", "haiti", "ecuador", "colombia", "other"};

/* ------------------------------------------------------------ parameters */

static const char *const repeat_names[6] = {"fy2011", "fy2016", "fy2019", "t42_first_year", "fy2021", "post_t42"};

void cor_demand_param_name(int i, char *buf, size_t n)
{
    if (i < COR_DG_N)
        snprintf(buf, n, "demand_lag_days_%s", cor_demand_group_ids[i]);
    else if (i < 2 * COR_DG_N)
        snprintf(buf, n, "demand_stopped_share_%s", cor_demand_group_ids[i - COR_DG_N]);
    else if (i < COR_DEMAND_N_PARAMS)
        snprintf(buf, n, "demand_repeat_share_%s", repeat_names[i - 2 * COR_DG_N]);
    else if (n)
        buf[0] = '\0';
}

double *cor_demand_param_slot(cor_demand_params *p, int i)
{
    double *rep[6] = {&p->repeat_fy2011, &p->repeat_fy2016, &p->repeat_fy2019,
                      &p->repeat_t42_first_year, &p->repeat_fy2021, &p->repeat_post_t42};
    if (i < 0 || i >= COR_DEMAND_N_PARAMS)
        return NULL;
    if (i < COR_DG_N)
        return &p->lag_days[i];
    if (i < 2 * COR_DG_N)
        return &p->stopped_share[i - COR_DG_N];
    return rep[i - 2 * COR_DG_N];
}

/* Allowed range of parameter i: lags [0, 730] days, shares [0, 1). */
static int param_ok(int i, double v)
{
    if (!isfinite(v) || v < 0)
        return 0;
    return i < COR_DG_N ? v <= 730 : v < 1;
}

static const char *param_range(int i) { return i < COR_DG_N ? "[0, 730] days" : "[0, 1)"; }

int cor_demand_params_check(const cor_demand_params *p, char *err, size_t n)
{
    cor_demand_params q = *p;
    for (int i = 0; i < COR_DEMAND_N_PARAMS; i++) {
        const double v = *cor_demand_param_slot(&q, i);
        if (!param_ok(i, v)) {
            char name[64];
            cor_demand_param_name(i, name, sizeof name);
            snprintf(err, n, "parameter %s = %g is out of range %s", name, v, param_range(i));
            return COR_EINPUT;
        }
    }
    return COR_OK;
}

int cor_demand_params_from_scenario(const cor_scenario *sc, cor_demand_params *p, char *err, size_t n)
{
    const char *file = sc->n_files > 0 ? sc->files[0] : "(parameters)";
    char name[64];
    memset(p, 0, sizeof *p);
    for (int k = 0; k < sc->n_params; k++) { /* an unknown demand_* name is a typo */
        const char *pn = sc->params[k].name;
        int known = 0;
        for (int i = 0; i < COR_DEMAND_N_PARAMS && !known; i++) {
            cor_demand_param_name(i, name, sizeof name);
            known = strcmp(pn, name) == 0;
        }
        if (!known && strncmp(pn, "demand_", 7) == 0) {
            snprintf(err, n, "%s:%d: parameters.%s: unknown demand parameter", sc->params[k].pos.file
                     ? sc->params[k].pos.file : file, sc->params[k].pos.line, pn);
            return COR_EINPUT;
        }
    }
    for (int i = 0; i < COR_DEMAND_N_PARAMS; i++) {
        cor_demand_param_name(i, name, sizeof name);
        const cor_sc_param *sp = cor_sc_param_find(sc, name);
        if (!sp) {
            snprintf(err, n, "%s: missing parameter '%s'", file, name);
            return COR_EINPUT;
        }
        if (!param_ok(i, sp->value)) {
            snprintf(err, n, "%s:%d: parameters.%s: value %g is out of range %s", sp->pos.file ? sp->pos.file : file,
                     sp->pos.line, name, sp->value, param_range(i));
            return COR_EINPUT;
        }
        *cor_demand_param_slot(p, i) = sp->value;
    }
    return COR_OK;
}

/* Repeat-crossing share: linear between the FY2011, FY2016 and FY2019
 * anchors (each at April of its fiscal year), FY2019 held to 2020-03, the
 * first Title 42 year 2020-04..2021-01, FY2021 for the rest of Title 42
 * (2021-02..2023-04), post-Title-42 from 2023-05.  A month belongs to Title
 * 42 when the order was in force for most of its days (2020-03-20 ..
 * 2023-05-11: docs/DEMAND.md). */
double cor_demand_repeat_share(const cor_demand_params *p, int t)
{
    const int a11 = 2011 * 12 + 3, a16 = 2016 * 12 + 3, a19 = 2019 * 12 + 3;
    const int t42_first = 2020 * 12 + 3, t42_first_last = 2021 * 12 + 0, post = 2023 * 12 + 4;
    if (t <= a11)
        return p->repeat_fy2011;
    if (t <= a16)
        return p->repeat_fy2011 + (p->repeat_fy2016 - p->repeat_fy2011) * (double)(t - a11) / (double)(a16 - a11);
    if (t <= a19)
        return p->repeat_fy2016 + (p->repeat_fy2019 - p->repeat_fy2016) * (double)(t - a16) / (double)(a19 - a16);
    if (t < t42_first)
        return p->repeat_fy2019;
    if (t <= t42_first_last)
        return p->repeat_t42_first_year;
    if (t < post)
        return p->repeat_fy2021;
    return p->repeat_post_t42;
}

/* ------------------------------------------------------------ derivation */

cor_demand *cor_demand_new(void) { return calloc(1, sizeof(cor_demand)); }

void cor_demand_free(cor_demand *d)
{
    if (!d)
        return;
    free(d->people);
    free(d->encounters);
    free(d);
}

/* The group's composition in month w of a CBP file (the FY2022-25 USBP file
 * for the four groups it names, else the FY2020-23 file): comp[] sums to 1
 * and cnt[] gets the counts.  0 when no file covers the group that month. */
static int month_comp(const dm_data *x, int g, int w, double comp[COR_N_DEMOS], double cnt[COR_N_DEMOS])
{
    for (int src = g <= COR_DG_EL_SALVADOR ? 3 : 4; src <= 4; src++) {
        const double(*c)[WIN_N] = src == 3 ? x->c3[g] : x->c4[g];
        double s = 0;
        if (!(src == 3 ? x->have3 : x->have4)[w])
            continue;
        for (int k = 0; k < COR_N_DEMOS; k++)
            s += c[k][w];
        if (s <= 0)
            continue;
        for (int k = 0; k < COR_N_DEMOS; k++) {
            cnt[k] = c[k][w];
            comp[k] = c[k][w] / s;
        }
        return 1;
    }
    return 0;
}

/* Iterative proportional fitting (raking) of m (seed: group x demographic)
 * to the row sums row[g] and column sums col[d]; it ends with a row step, so
 * every group keeps its total exactly. */
static void rake(double m[COR_DG_N][COR_N_DEMOS], const double row[COR_DG_N], const double col[COR_N_DEMOS])
{
    double total = 0;
    for (int k = 0; k < COR_N_DEMOS; k++)
        total += col[k];
    for (int it = 0; it < 200; it++) {
        double dev = 0;
        for (int k = 0; k < COR_N_DEMOS; k++) {
            double s = 0;
            for (int g = 0; g < COR_DG_N; g++)
                s += m[g][k];
            for (int g = 0; g < COR_DG_N && s > 0; g++)
                m[g][k] *= col[k] / s;
        }
        for (int g = 0; g < COR_DG_N; g++) {
            double s = 0;
            for (int k = 0; k < COR_N_DEMOS; k++)
                s += m[g][k];
            for (int k = 0; k < COR_N_DEMOS && s > 0; k++)
                m[g][k] *= row[g] / s;
        }
        for (int k = 0; k < COR_N_DEMOS; k++) {
            double s = 0;
            for (int g = 0; g < COR_DG_N; g++)
                s += m[g][k];
            dev = fmax(dev, fabs(s - col[k]));
        }
        if (dev <= 1e-9 * (1.0 + total))
            break;
    }
}

/* The demographic split of every group in month w: seeds from the month's
 * CBP composition (else the group's pooled composition, else the overall
 * split), raked to the groups' encounters and the overall family-status split. */
static void month_split(const dm_data *x, int w, const double all[COR_N_DEMOS],
                        const double pooled[COR_DG_N][COR_N_DEMOS], const int has_pooled[COR_DG_N],
                        double split[COR_DG_N][COR_N_DEMOS])
{
    double m[COR_DG_N][COR_N_DEMOS], row[COR_DG_N], col[COR_N_DEMOS], comp[COR_N_DEMOS], cnt[COR_N_DEMOS], tot = 0;
    for (int g = 0; g < COR_DG_N; g++) {
        const double *seed = month_comp(x, g, w, comp, cnt) ? comp : has_pooled[g] ? pooled[g] : all;
        row[g] = x->grp[g][w];
        tot += row[g];
        for (int k = 0; k < COR_N_DEMOS; k++)
            m[g][k] = row[g] * seed[k];
    }
    for (int k = 0; k < COR_N_DEMOS; k++)
        col[k] = all[k] * tot;
    rake(m, row, col);
    for (int g = 0; g < COR_DG_N; g++) {
        double s = 0;
        for (int k = 0; k < COR_N_DEMOS; k++)
            s += m[g][k];
        for (int k = 0; k < COR_N_DEMOS; k++)
            split[g][k] = s > 0 ? m[g][k] / s : all[k];
    }
}

int cor_demand_derive(cor_demand *d, const char *data_dir, const cor_demand_params *p, const cor_demand_options *opt)
{
    const int first = opt && opt->first_month ? opt->first_month : COR_DEMAND_FIRST_MONTH;
    const int last = opt && opt->last_month ? opt->last_month : COR_DEMAND_LAST_MONTH;
    const int until = opt ? opt->until : 0;
    char a[8], b[8];
    d->errmsg[0] = '\0';
    free(d->people);
    free(d->encounters);
    d->people = d->encounters = NULL;
    d->n_months = 0;
    if (first > last || first < WIN_LO || last >= WIN_LO + WIN_N) {
        cor_format_month(first, a);
        cor_format_month(last, b);
        snprintf(d->errmsg, sizeof d->errmsg, "bad output range %s .. %s", a, b);
        return COR_EARG;
    }
    int rc = cor_demand_params_check(p, d->errmsg, sizeof d->errmsg);
    if (rc)
        return rc;
    dm_data *x = calloc(1, sizeof *x);
    double *u = NULL;
    if (!x)
        return COR_ENOMEM;
    rc = cor_dm_load_encounters(x, data_dir, until, d->errmsg, sizeof d->errmsg);
    const int w0 = first - WIN_LO, cut = x->until;
    if (!rc && cut < w0) {
        cor_format_month(cut + WIN_LO, a);
        cor_format_month(first, b);
        snprintf(d->errmsg, sizeof d->errmsg, "%s/%s: the data end (%s) before the first output month %s", data_dir,
                 F_GROUPS, a, b);
        rc = COR_EINPUT;
    }
    for (int w = w0; !rc && w <= cut; w++)
        if (!x->have_grp[w]) {
            cor_format_month(w + WIN_LO, a);
            snprintf(d->errmsg, sizeof d->errmsg, "%s/%s: no row for month %s", data_dir, F_GROUPS, a);
            rc = COR_EINPUT;
        }
    if (!rc)
        rc = cor_dm_load_demographics(x, data_dir, d->errmsg, sizeof d->errmsg);
    /* overall shares by family status, the last month with data held */
    double share[COR_N_DEMOS][WIN_N];
    int have = 0;
    for (int w = 0; !rc && w <= cut; w++) {
        double s = 0;
        for (int k = 0; k < COR_N_DEMOS; k++)
            s += x->fam[k][w];
        for (int k = 0; k < COR_N_DEMOS; k++)
            share[k][w] = s > 0 ? x->fam[k][w] / s : (have ? share[k][w - 1] : 0);
        have |= s > 0;
        if (w >= w0 && !have) {
            cor_format_month(w + WIN_LO, a);
            snprintf(d->errmsg, sizeof d->errmsg, "%s/%s: no %s rows at or before %s", data_dir, F_FAMILY, SW_REGION,
                     a);
            rc = COR_EINPUT;
        }
    }
    const int n = last - first + 1, nu = cut - w0 + 1;
    if (!rc) {
        d->people = calloc((size_t)COR_DG_N * (size_t)n * COR_N_DEMOS, sizeof *d->people);
        d->encounters = calloc((size_t)COR_DG_N * (size_t)n, sizeof *d->encounters);
        u = malloc((size_t)COR_DG_N * (size_t)nu * COR_N_DEMOS * sizeof *u);
        if (!d->people || !d->encounters || !u)
            rc = COR_ENOMEM;
    }
    /* pooled composition of each group over every covered month up to the cut-off */
    double pooled[COR_DG_N][COR_N_DEMOS] = {{0}}, comp[COR_N_DEMOS], cnt[COR_N_DEMOS];
    int has_pooled[COR_DG_N] = {0};
    for (int g = 0; !rc && g < COR_DG_N; g++) {
        double s = 0;
        for (int w = 0; w <= cut; w++)
            if (month_comp(x, g, w, comp, cnt))
                for (int k = 0; k < COR_N_DEMOS; k++)
                    pooled[g][k] += cnt[k];
        for (int k = 0; k < COR_N_DEMOS; k++)
            s += pooled[g][k];
        for (int k = 0; k < COR_N_DEMOS && s > 0; k++)
            pooled[g][k] /= s;
        has_pooled[g] = s > 0;
    }
    /* unique people encountered, by group and demographic, per data month */
    for (int w = w0; !rc && w <= cut; w++) {
        double all[COR_N_DEMOS], split[COR_DG_N][COR_N_DEMOS];
        for (int k = 0; k < COR_N_DEMOS; k++)
            all[k] = share[k][w];
        month_split(x, w, all, pooled, has_pooled, split);
        const double keep = 1.0 - cor_demand_repeat_share(p, w + WIN_LO);
        for (int g = 0; g < COR_DG_N; g++)
            for (int k = 0; k < COR_N_DEMOS; k++)
                u[((size_t)g * (size_t)nu + (size_t)(w - w0)) * COR_N_DEMOS + (size_t)k] =
                    x->grp[g][w] * keep * split[g][k];
    }
    for (int g = 0; !rc && g < COR_DG_N; g++) {
        const double *ug = u + (size_t)g * (size_t)nu * COR_N_DEMOS;
        /* shift back by the lag, interpolating; hold the last month */
        const double shift = p->lag_days[g] / COR_DEMAND_DAYS_PER_MONTH;
        const int sk = (int)floor(shift);
        const double f = shift - sk, scale = 1.0 / (1.0 - p->stopped_share[g]);
        for (int m = 0; m < n; m++) {
            int i0 = m + sk, i1 = m + sk + 1;
            i0 = i0 < nu ? i0 : nu - 1;
            i1 = i1 < nu ? i1 : nu - 1;
            for (int k = 0; k < COR_N_DEMOS; k++) {
                const double v = ((1.0 - f) * ug[i0 * COR_N_DEMOS + k] + f * ug[i1 * COR_N_DEMOS + k]) * scale;
                d->people[((size_t)g * (size_t)n + (size_t)m) * COR_N_DEMOS + (size_t)k] = v > 0 ? v : 0.0;
            }
            d->encounters[(size_t)g * (size_t)n + (size_t)m] = w0 + m <= cut ? x->grp[g][w0 + m] : 0.0;
        }
    }
    free(u);
    free(x);
    if (rc) {
        free(d->people);
        free(d->encounters);
        d->people = d->encounters = NULL;
        if (rc == COR_ENOMEM && !d->errmsg[0])
            snprintf(d->errmsg, sizeof d->errmsg, "out of memory");
        return rc;
    }
    d->month0 = first;
    d->n_months = n;
    d->data_last = cut + WIN_LO;
    return COR_OK;
}

/* mkdir -p */
static int make_dirs(const char *dir)
{
    char tmp[4096];
    if (snprintf(tmp, sizeof tmp, "%s", dir) >= (int)sizeof tmp)
        return -1;
    for (char *s = tmp + 1; *s; s++)
        if (*s == '/') {
            *s = '\0';
            if (mkdir(tmp, 0777) != 0 && errno != EEXIST)
                return -1;
            *s = '/';
        }
    return mkdir(tmp, 0777) != 0 && errno != EEXIST ? -1 : 0;
}

int cor_demand_write(cor_demand *d, const char *out_dir)
{
    char path[4200], tmp[4300], mon[8];
    if (!d->people) {
        snprintf(d->errmsg, sizeof d->errmsg, "no demand derived yet");
        return COR_ESTATE;
    }
    if (make_dirs(out_dir) != 0) {
        snprintf(d->errmsg, sizeof d->errmsg, "cannot create directory '%s': %s", out_dir, strerror(errno));
        return COR_EIO;
    }
    for (int g = 0; g < COR_DG_N; g++) {
        snprintf(path, sizeof path, "%s/%s.csv", out_dir, cor_demand_group_ids[g]);
        snprintf(tmp, sizeof tmp, "%s.tmp", path);
        FILE *fp = fopen(tmp, "wb");
        if (!fp) {
            snprintf(d->errmsg, sizeof d->errmsg, "cannot write '%.900s': %s", tmp, strerror(errno));
            return COR_EIO;
        }
        fputs("month,single_adults,family_members,unaccompanied_children\n", fp);
        for (int m = 0; m < d->n_months; m++) {
            const double *v = d->people + ((size_t)g * (size_t)d->n_months + (size_t)m) * COR_N_DEMOS;
            cor_format_month(d->month0 + m, mon);
            fprintf(fp, "%s,%.2f,%.2f,%.2f\n", mon, v[0], v[1], v[2]);
        }
        const int bad = ferror(fp);
        if (fclose(fp) != 0 || bad || rename(tmp, path) != 0) {
            snprintf(d->errmsg, sizeof d->errmsg, "cannot write '%.900s': %s", path, strerror(errno));
            remove(tmp);
            return COR_EIO;
        }
    }
    return COR_OK;
}
