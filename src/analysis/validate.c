/* validate.c - metrics, the simulated side and the validation (validate.h). */
#include "analysis/validate.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------ metrics */

double cor_metric_mape(const double *sim, const double *obs, int n, int *used)
{
    double s = 0;
    int k = 0;
    for (int i = 0; i < n; i++)
        if (!isnan(sim[i]) && !isnan(obs[i]) && obs[i] > 0) {
            s += fabs(sim[i] - obs[i]) / obs[i];
            k++;
        }
    if (used)
        *used = k;
    return k ? s / k : NAN;
}

double cor_metric_corr(const double *sim, const double *obs, int n, int *used)
{
    double sx = 0, sy = 0;
    int k = 0;
    for (int i = 0; i < n; i++)
        if (!isnan(sim[i]) && !isnan(obs[i]))
            sx += sim[i], sy += obs[i], k++;
    if (used)
        *used = k;
    if (k < 2)
        return NAN;
    const double mx = sx / k, my = sy / k;
    double sxy = 0, sxx = 0, syy = 0;
    for (int i = 0; i < n; i++)
        if (!isnan(sim[i]) && !isnan(obs[i])) {
            const double dx = sim[i] - mx, dy = obs[i] - my;
            sxy += dx * dy, sxx += dx * dx, syy += dy * dy;
        }
    return sxx > 0 && syy > 0 ? sxy / sqrt(sxx * syy) : NAN;
}

double cor_metric_ard(const double *sim, const double *obs, int n_rows, int n_cols, int *used)
{
    double s = 0;
    int k = 0;
    for (int r = 0; r < n_rows; r++) {
        double num = 0, den = 0;
        int ok = 1;
        for (int c = 0; c < n_cols && ok; c++) {
            const double x = sim[(size_t)r * n_cols + c], y = obs[(size_t)r * n_cols + c];
            ok = !isnan(x) && !isnan(y);
            num += fabs(x - y), den += y;
        }
        if (ok && den > 0) {
            s += num / den;
            k++;
        }
    }
    if (used)
        *used = k;
    return k ? s / k : NAN;
}

double cor_metric_mean_abs_diff(const double *a, const double *b, int n, int *used)
{
    double s = 0;
    int k = 0;
    for (int i = 0; i < n; i++)
        if (!isnan(a[i]) && !isnan(b[i])) {
            s += fabs(a[i] - b[i]);
            k++;
        }
    if (used)
        *used = k;
    return k ? s / k : NAN;
}

/* -------------------------------------------------- the simulated side */

struct cor_vsim {
    int m0, nm, ns, np, ng;
    char **series, **pid, **pname, **pkind, **gid;
    double *by_place; /* [ns][np + 1][nm]; slot 0: cells without a place */
    double *by_group; /* [ns][ng + 1][nm]; slot 0: cells without a group */
};

static char **copy_names(int n, const char *const *names, int *fail)
{
    char **a = calloc((size_t)(n ? n : 1), sizeof *a);
    if (!a) {
        *fail = 1;
        return NULL;
    }
    for (int i = 0; i < n; i++)
        if (!(a[i] = strdup(names && names[i] ? names[i] : "")))
            *fail = 1;
    return a;
}

static void free_names(char **a, int n)
{
    for (int i = 0; a && i < n; i++)
        free(a[i]);
    free(a);
}

void cor_vsim_free(cor_vsim *v)
{
    if (!v)
        return;
    free_names(v->series, v->ns);
    free_names(v->pid, v->np);
    free_names(v->pname, v->np);
    free_names(v->pkind, v->np);
    free_names(v->gid, v->ng);
    free(v->by_place);
    free(v->by_group);
    free(v);
}

cor_vsim *cor_vsim_new(int first_month, int n_months, int n_series, const char *const *series, int n_places,
                       const char *const *place_ids, const char *const *place_names, const char *const *place_kinds,
                       int n_groups, const char *const *groups)
{
    if (n_months < 1 || n_series < 0 || n_places < 0 || n_groups < 0)
        return NULL;
    cor_vsim *v = calloc(1, sizeof *v);
    if (!v)
        return NULL;
    int fail = 0;
    v->m0 = first_month, v->nm = n_months, v->ns = n_series, v->np = n_places, v->ng = n_groups;
    v->series = copy_names(n_series, series, &fail);
    v->pid = copy_names(n_places, place_ids, &fail);
    v->pname = copy_names(n_places, place_names, &fail);
    v->pkind = copy_names(n_places, place_kinds, &fail);
    v->gid = copy_names(n_groups, groups, &fail);
    v->by_place = calloc((size_t)(n_series ? n_series : 1) * (size_t)(n_places + 1) * (size_t)n_months, sizeof(double));
    v->by_group = calloc((size_t)(n_series ? n_series : 1) * (size_t)(n_groups + 1) * (size_t)n_months, sizeof(double));
    if (fail || !v->by_place || !v->by_group) {
        cor_vsim_free(v);
        return NULL;
    }
    return v;
}

void cor_vsim_add(cor_vsim *v, int series, int place, int group, int month, double value)
{
    const int m = month - v->m0;
    if (series < 0 || series >= v->ns || m < 0 || m >= v->nm || place < -1 || place >= v->np || group < -1 ||
        group >= v->ng)
        return;
    v->by_place[((size_t)series * (size_t)(v->np + 1) + (size_t)(place + 1)) * (size_t)v->nm + (size_t)m] += value;
    v->by_group[((size_t)series * (size_t)(v->ng + 1) + (size_t)(group + 1)) * (size_t)v->nm + (size_t)m] += value;
}

int cor_vsim_from_sim(const cor_sim *sim, cor_vsim **out)
{
    const int ns = cor_sim_n_series(sim), np = cor_sim_n_places(sim), ng = cor_sim_n_groups(sim);
    const char **names = calloc((size_t)(ns + 4 * np + ng + 1), sizeof *names);
    if (!names)
        return COR_ENOMEM;
    const char **pid = names + ns, **pname = pid + np, **pkind = pname + np, **gid = pkind + np;
    for (int s = 0; s < ns; s++)
        names[s] = cor_sim_series_name(sim, s);
    for (int p = 0; p < np; p++)
        pid[p] = cor_sim_place_id(sim, p), pname[p] = cor_sim_place_name(sim, p), pkind[p] = cor_sim_place_kind(sim, p);
    for (int g = 0; g < ng; g++)
        gid[g] = cor_sim_group_id(sim, g);
    *out = cor_vsim_new(cor_sim_first_month(sim), cor_sim_n_months(sim), ns, names, np, pid, pname, pkind, ng, gid);
    free(names);
    if (!*out)
        return COR_ENOMEM;
    const int64_t n = cor_sim_n_records(sim);
    for (int64_t i = 0; i < n; i++) {
        int month, series, place, group, demo;
        double value;
        if (cor_sim_record(sim, i, &month, &series, &place, &group, &demo, &value) == COR_OK)
            cor_vsim_add(*out, series, place, group, month, value);
    }
    return COR_OK;
}

int cor_vsim_first_month(const cor_vsim *v) { return v->m0; }
int cor_vsim_n_months(const cor_vsim *v) { return v->nm; }

static int find(char *const *a, int n, const char *s)
{
    for (int i = 0; i < n; i++)
        if (strcmp(a[i], s) == 0)
            return i;
    return -1;
}

int cor_vsim_series(const cor_vsim *v, const char *name) { return find(v->series, v->ns, name); }
int cor_vsim_place(const cor_vsim *v, const char *id) { return find(v->pid, v->np, id); }
int cor_vsim_group(const cor_vsim *v, const char *id) { return find(v->gid, v->ng, id); }

int cor_vsim_sector(const cor_vsim *v, const char *name)
{
    for (int p = 0; p < v->np; p++)
        if (strcmp(v->pkind[p], "us_sector") == 0 && strcmp(v->pname[p], name) == 0)
            return p;
    return -1;
}

double cor_vsim_value(const cor_vsim *v, int series, int place, int month)
{
    const int m = month - v->m0;
    if (series < 0 || series >= v->ns || m < 0 || m >= v->nm || place >= v->np)
        return 0;
    const double *row = v->by_place + (size_t)series * (size_t)(v->np + 1) * (size_t)v->nm + (size_t)m;
    if (place >= 0)
        return row[(size_t)(place + 1) * (size_t)v->nm];
    double s = 0;
    for (int p = 0; p <= v->np; p++)
        s += row[(size_t)p * (size_t)v->nm];
    return s;
}

double cor_vsim_group_value(const cor_vsim *v, int series, int group, int month)
{
    const int m = month - v->m0;
    if (series < 0 || series >= v->ns || m < 0 || m >= v->nm || group >= v->ng)
        return 0;
    const double *row = v->by_group + (size_t)series * (size_t)(v->ng + 1) * (size_t)v->nm + (size_t)m;
    if (group >= 0)
        return row[(size_t)(group + 1) * (size_t)v->nm];
    double s = 0;
    for (int g = 0; g <= v->ng; g++)
        s += row[(size_t)g * (size_t)v->nm];
    return s;
}

/* Sum of named series (missing ones count 0) at a place over months. */
static double sum_series(const cor_vsim *v, const char (*series)[48], int n_series, int place, int m0, int m1)
{
    double s = 0;
    for (int k = 0; k < n_series; k++) {
        const int id = cor_vsim_series(v, series[k]);
        for (int m = m0; id >= 0 && m <= m1; m++)
            s += cor_vsim_value(v, id, place, m);
    }
    return s;
}

/* ------------------------------------------------------------- facts */

/* "YYYY-MM" of a month index >= 0 */
static void month_text(int m, char out[8])
{
    const unsigned u = m > 0 ? (unsigned)m : 0u;
    snprintf(out, 8, "%04u-%02u", (u / 12) % 10000, u % 12 + 1);
}

static void period_text(int m0, int m1, char *buf, size_t n)
{
    char a[8], b[8];
    month_text(m0, a);
    month_text(m1, b);
    if (m0 == m1)
        snprintf(buf, n, "%s", a);
    else
        snprintf(buf, n, "%s..%s", a, b);
}

void cor_fact_definition(const cor_fact *f, char *buf, size_t n)
{
    char series[220] = "", pa[20], pb[20], where[96];
    for (int k = 0; k < f->n_series; k++) {
        strncat(series, k ? " + " : "", sizeof series - strlen(series) - 1);
        strncat(series, f->series[k], sizeof series - strlen(series) - 1);
    }
    period_text(f->a0, f->a1, pa, sizeof pa);
    period_text(f->b0, f->b1, pb, sizeof pb);
    snprintf(where, sizeof where, "%s", f->place[0] ? f->place : "all places");
    if (f->kind >= COR_FACT_CHANGE)
        snprintf(buf, n, "relative change of %s (%s) from %s to %s: (B - A) / A", series, where, pa, pb);
    else
        snprintf(buf, n, "sum of %s (%s) over %s", series, where, pa);
}

void cor_fact_eval(const cor_vsim *v, const cor_fact *f, int from, int to, cor_fact_result *r)
{
    memset(r, 0, sizeof *r);
    r->fact = f;
    r->sim_a = r->sim_b = r->simulated = r->lower = r->upper = NAN;
    const int change = f->kind >= COR_FACT_CHANGE;
    const int first = f->a0, last = change && f->b1 > f->a1 ? f->b1 : f->a1;
    const int lo = change && f->b0 < f->a0 ? f->b0 : first;
    if (lo < v->m0 || last > v->m0 + v->nm - 1 || lo < from || lo > to) {
        snprintf(r->why, sizeof r->why, "its months lie outside the period compared or the run");
        return;
    }
    int place = -1;
    if (f->place[0]) {
        place = cor_vsim_place(v, f->place);
        if (place < 0)
            place = cor_vsim_sector(v, f->place);
        if (place < 0) {
            snprintf(r->why, sizeof r->why, "the scenario has no place '%.60s'", f->place);
            return;
        }
    }
    for (int k = 0; k < f->n_series; k++)
        if (cor_vsim_series(v, f->series[k]) < 0) {
            snprintf(r->why, sizeof r->why, "no loaded module counts the series '%.47s'", f->series[k]);
            return;
        }
    r->sim_a = sum_series(v, f->series, f->n_series, place, f->a0, f->a1);
    if (change) {
        r->sim_b = sum_series(v, f->series, f->n_series, place, f->b0, f->b1);
        if (!(r->sim_a > 0)) {
            snprintf(r->why, sizeof r->why, "the simulated value of period A is 0: no relative change");
            return;
        }
        r->simulated = (r->sim_b - r->sim_a) / r->sim_a;
    } else {
        r->simulated = r->sim_a;
    }
    r->evaluated = 1;
    const double o = f->observed, t = f->tolerance;
    switch (f->kind) {
    case COR_FACT_COUNT: r->lower = o * (1 - t), r->upper = o * (1 + t); break;
    case COR_FACT_RANGE: r->lower = o * (1 - t), r->upper = f->observed_hi * (1 + t); break;
    case COR_FACT_CHANGE: r->lower = o - t * fabs(o), r->upper = o + t * fabs(o); break;
    case COR_FACT_COUNT_ABOVE:
    case COR_FACT_CHANGE_ABOVE: r->lower = f->threshold; break;
    case COR_FACT_CHANGE_BELOW: r->upper = f->threshold; break;
    default: break;
    }
    const int strict = f->kind == COR_FACT_COUNT_ABOVE || f->kind == COR_FACT_CHANGE_ABOVE ||
                       f->kind == COR_FACT_CHANGE_BELOW;
    const double x = r->simulated;
    r->pass = (isnan(r->lower) || (strict ? x > r->lower : x >= r->lower - 1e-9 * fabs(r->lower))) &&
              (isnan(r->upper) || (strict ? x < r->upper : x <= r->upper + 1e-9 * fabs(r->upper)));
}

/* -------------------------------------------------------- validation */

/* Is a year compared?  Its January lies in [from, to] and the whole year in the table. */
static int year_in(const cor_vsim *v, int y, int from, int to)
{
    return y * 12 >= from && y * 12 <= to && y * 12 >= v->m0 && y * 12 + 11 <= v->m0 + v->nm - 1;
}

static double year_sum(const cor_vsim *v, int series, int y)
{
    double s = 0;
    for (int m = y * 12; m < y * 12 + 12; m++)
        s += cor_vsim_value(v, series, -1, m);
    return s;
}

static double rel(double sim, double obs) { return obs > 0 ? (sim - obs) / obs : NAN; }

/* Annual comparison of sum(series) against an observed annual array. */
static int annual(const cor_vsim *v, const int *series, int n_series, const double *obs, int from, int to,
                  cor_vyear *out)
{
    int n = 0;
    for (int y = from / 12; y <= to / 12; y++) {
        const double o = cor_obs_year(obs, y);
        if (isnan(o) || !year_in(v, y, from, to))
            continue;
        double s = 0;
        for (int k = 0; k < n_series; k++)
            s += series[k] >= 0 ? year_sum(v, series[k], y) : 0;
        out[n++] = (cor_vyear){y, s, o, rel(s, o)};
    }
    return n;
}

/* Monthly fit and held-out series over [from, to]. */
static int monthly(const cor_vsim *v, const cor_observed *o, cor_validation *r)
{
    const int nm = r->to - r->from + 1, enc = cor_vsim_series(v, "us_encounters"),
              t42 = cor_vsim_series(v, "us_encounters_title42");
    double *a = malloc(sizeof(double) * (size_t)nm * (2 + 2 * COR_OBS_N_SECTORS + 2 * COR_OBS_N_GROUPS));
    if (!a)
        return COR_ENOMEM;
    double *sim = a, *obs = a + nm, *ss = obs + nm, *so = ss + (size_t)nm * COR_OBS_N_SECTORS,
           *gs = so + (size_t)nm * COR_OBS_N_SECTORS, *go = gs + (size_t)nm * COR_OBS_N_GROUPS;
    int sp[COR_OBS_N_SECTORS], *gmap = malloc(sizeof(int) * (size_t)(v->ng ? v->ng : 1));
    if (!gmap) {
        free(a);
        return COR_ENOMEM;
    }
    for (int s = 0; s < COR_OBS_N_SECTORS; s++)
        sp[s] = cor_vsim_sector(v, cor_obs_sector_names[s]);
    for (int g = 0; g < v->ng; g++) { /* sim groups without a column of their own are "other" */
        const int k = cor_obs_group_index(v->gid[g]);
        gmap[g] = k >= 0 ? k : cor_obs_group_index("other");
    }
    for (int i = 0; i < nm; i++) {
        const int m = r->from + i;
        sim[i] = cor_vsim_value(v, enc, -1, m);
        obs[i] = cor_obs_month(o->encounters, m);
        for (int s = 0; s < COR_OBS_N_SECTORS; s++) {
            ss[(size_t)i * COR_OBS_N_SECTORS + s] = sp[s] >= 0 ? cor_vsim_value(v, enc, sp[s], m) : 0;
            so[(size_t)i * COR_OBS_N_SECTORS + s] = cor_obs_month(o->sector[s], m);
        }
        for (int g = 0; g < COR_OBS_N_GROUPS; g++) {
            gs[(size_t)i * COR_OBS_N_GROUPS + g] = 0;
            go[(size_t)i * COR_OBS_N_GROUPS + g] = cor_obs_month(o->group[g], m);
        }
        for (int g = 0; g < v->ng; g++)
            gs[(size_t)i * COR_OBS_N_GROUPS + gmap[g]] += cor_vsim_group_value(v, enc, g, m);
    }
    r->encounters_mape = cor_metric_mape(sim, obs, nm, &r->encounters_n);
    r->encounters_corr = cor_metric_corr(sim, obs, nm, NULL);
    r->sector_ard = cor_metric_ard(ss, so, nm, COR_OBS_N_SECTORS, &r->sector_n);
    r->group_ard = cor_metric_ard(gs, go, nm, COR_OBS_N_GROUPS, &r->group_n);
    for (int i = 0; i < nm; i++) { /* sector totals over the months the ARD used */
        double den = 0;
        int ok = 1;
        for (int s = 0; s < COR_OBS_N_SECTORS; s++)
            ok &= !isnan(so[(size_t)i * COR_OBS_N_SECTORS + s]), den += so[(size_t)i * COR_OBS_N_SECTORS + s];
        for (int s = 0; ok && den > 0 && s < COR_OBS_N_SECTORS; s++)
            r->sector_sim[s] += ss[(size_t)i * COR_OBS_N_SECTORS + s], r->sector_obs[s] += so[(size_t)i * COR_OBS_N_SECTORS + s];
    }
    /* Title 42 share: months with both a record and simulated encounters */
    int k = 0;
    for (int i = 0; i < nm; i++) {
        const int m = r->from + i;
        const double share = cor_obs_title42_share(o, m), e = cor_vsim_value(v, enc, -1, m);
        if (isnan(share) || m < 2020 * 12 + 2 || m > 2023 * 12 + 4 || !(e > 0))
            continue;
        sim[k] = cor_vsim_value(v, t42, -1, m) / e;
        obs[k++] = share;
        r->title42_usbp_n += o->t42_usbp[m - COR_OBS_FIRST_MONTH];
    }
    r->title42_share_error = cor_metric_mean_abs_diff(sim, obs, k, &r->title42_n);
    free(gmap);
    free(a);
    return COR_OK;
}

int cor_validate(const cor_vsim *v, const cor_observed *o, const cor_fact *facts, int n_facts, int from, int to,
                 cor_validation *r, char *err, size_t errn)
{
    memset(r, 0, sizeof *r);
    const int last = v->m0 + v->nm - 1;
    if (from > to || to < v->m0 || from > last) {
        char a[8], b[8], c[8], d[8];
        month_text(from, a), month_text(to, b), month_text(v->m0, c), month_text(last, d);
        snprintf(err, errn, "the period %s..%s does not overlap the run (%s..%s)", a, b, c, d);
        return COR_EARG;
    }
    r->from = from < v->m0 ? v->m0 : from;
    r->to = to > last ? last : to;
    int rc = monthly(v, o, r);
    if (rc) {
        snprintf(err, errn, "out of memory");
        return rc;
    }
    const int enc = cor_vsim_series(v, "us_encounters");
    { /* calendar years of the monthly record, complete in both */
        int n = 0;
        for (int y = r->from / 12; y <= r->to / 12; y++) {
            double so = 0, ss = 0;
            int ok = year_in(v, y, r->from, r->to);
            for (int m = y * 12; ok && m < y * 12 + 12; m++) {
                const double x = cor_obs_month(o->encounters, m);
                ok = !isnan(x);
                so += x, ss += cor_vsim_value(v, enc, -1, m);
            }
            if (ok)
                r->enc_year[n++] = (cor_vyear){y, ss, so, rel(ss, so)};
        }
        r->n_enc_year = n;
    }
    const int comar = cor_vsim_series(v, "comar_applications");
    r->has_comar = comar >= 0;
    if (r->has_comar)
        r->n_comar = annual(v, &comar, 1, o->comar, r->from, r->to, r->comar);
    const int upm[3] = {cor_vsim_series(v, "inm_detentions"), cor_vsim_series(v, "inm_alternatives"),
                        cor_vsim_series(v, "inm_exit_orders")};
    r->has_upm = upm[0] >= 0;
    if (r->has_upm)
        r->n_upm = annual(v, upm, 3, o->upm, r->from, r->to, r->upm);
    const int dd = cor_vsim_series(v, "deaths_desert"), dr = cor_vsim_series(v, "deaths_river"),
              dt = cor_vsim_series(v, "deaths");
    r->has_deaths = dt >= 0;
    for (int y = r->from / 12; r->has_deaths && y <= r->to / 12; y++) {
        const double ob = cor_obs_year(o->deaths, y);
        if (isnan(ob) || !year_in(v, y, r->from, r->to))
            continue;
        r->deaths[r->n_deaths++] = (cor_vdeaths){y, ob, (dd >= 0 ? year_sum(v, dd, y) : 0) +
                                                            (dr >= 0 ? year_sum(v, dr, y) : 0),
                                                 year_sum(v, dt, y)};
    }
    if (n_facts > 0) {
        r->facts = calloc((size_t)n_facts, sizeof *r->facts);
        if (!r->facts) {
            snprintf(err, errn, "out of memory");
            return COR_ENOMEM;
        }
    }
    r->n_facts = n_facts;
    for (int i = 0; i < n_facts; i++) {
        cor_fact_eval(v, &facts[i], r->from, r->to, &r->facts[i]);
        r->n_facts_evaluated += r->facts[i].evaluated;
        r->n_facts_pass += r->facts[i].pass;
    }
    return COR_OK;
}

void cor_validation_free(cor_validation *r)
{
    free(r->facts);
    r->facts = NULL;
}

/* ------------------------------------------------------------- JSON */

static void year_key(int y, char key[8]) { snprintf(key, 8, "%d", y % 10000); }

static cJSON *years_json(const cor_vyear *a, int n)
{
    cJSON *o = cJSON_CreateObject();
    for (int i = 0; o && i < n; i++) {
        char key[8];
        year_key(a[i].year, key);
        cJSON *e = cJSON_AddObjectToObject(o, key);
        if (!e)
            break;
        cJSON_AddNumberToObject(e, "sim", a[i].sim);
        cJSON_AddNumberToObject(e, "obs", a[i].obs);
        cJSON_AddNumberToObject(e, "rel_error", a[i].rel_error);
    }
    return o;
}

static void target(cJSON *t, const char *name, double goal, const char *test, double value)
{
    cJSON *e = cJSON_AddObjectToObject(t, name);
    if (!e)
        return;
    cJSON_AddNumberToObject(e, "target", goal);
    cJSON_AddStringToObject(e, "test", test);
    cJSON_AddNumberToObject(e, "value", value);
    cJSON_AddBoolToObject(e, "met", !isnan(value) && (test[0] == '<' ? value <= goal : value >= goal));
}

static const char upm_definition[] =
    "record: UPM events of people in an irregular situation presented to INM or channelled to DIF "
    "(metric upm_events_presented_or_channelled, full-year figures, median where several); model: "
    "inm_detentions + inm_alternatives + inm_exit_orders (everyone INM or the Guard handed over: detained, given "
    "alternatives, or released with an exit order because the stations were full; an exit order at the end of the "
    "maximum stay is also in inm_exit_orders, so those people count twice)";
static const char upm_not[] =
    "years before 2021 are not compared: only 'presentados' (2016: 188,595; 2019: 182,940) or rounded detention "
    "counts were found, which leave out channelled minors, and INM 'rescatados/ubicados/asegurados' counts measure "
    "something else (data/SOURCES.md, section B)";
static const char deaths_definition[] =
    "record: IOM Missing Migrants Project, dead and missing on the US-Mexico border crossing route (monthly route "
    "series summed over complete years, 2014-2021; later years: IOM's published US-Mexico figure, 2022: 686); model: "
    "sim_border = deaths_desert + deaths_river (the border segments), sim_total = deaths on every segment";

cJSON *cor_validation_json(const cor_validation *r)
{
    cJSON *root = cJSON_CreateObject();
    if (!root)
        return NULL;
    char a[8], b[8];
    month_text(r->from, a);
    month_text(r->to, b);
    cJSON *p = cJSON_AddObjectToObject(root, "period");
    cJSON_AddStringToObject(p, "from", a);
    cJSON_AddStringToObject(p, "to", b);

    cJSON *fit = cJSON_AddObjectToObject(root, "fit");
    cJSON_AddNumberToObject(fit, "encounters_mape", r->encounters_mape);
    cJSON_AddNumberToObject(fit, "encounters_corr", r->encounters_corr);
    cJSON_AddNumberToObject(fit, "encounters_months", r->encounters_n);
    cJSON_AddNumberToObject(fit, "group_ard", r->group_ard);
    cJSON_AddNumberToObject(fit, "group_months", r->group_n);
    cJSON_AddItemToObject(fit, "encounters_by_year", years_json(r->enc_year, r->n_enc_year));

    cJSON *ho = cJSON_AddObjectToObject(root, "held_out");
    cJSON_AddNumberToObject(ho, "sector_ard", r->sector_ard);
    cJSON_AddNumberToObject(ho, "sector_months", r->sector_n);
    cJSON *sec = cJSON_AddObjectToObject(ho, "sectors");
    for (int s = 0; sec && s < COR_OBS_N_SECTORS; s++) {
        cJSON *e = cJSON_AddObjectToObject(sec, cor_obs_sector_names[s]);
        cJSON_AddNumberToObject(e, "sim", r->sector_sim[s]);
        cJSON_AddNumberToObject(e, "obs", r->sector_obs[s]);
        cJSON_AddNumberToObject(e, "rel_error", rel(r->sector_sim[s], r->sector_obs[s]));
    }
    cJSON_AddNumberToObject(ho, "title42_share_error", r->title42_share_error);
    cJSON_AddNumberToObject(ho, "title42_months", r->title42_n);
    cJSON_AddNumberToObject(ho, "title42_months_usbp_only", r->title42_usbp_n);
    if (r->has_comar)
        cJSON_AddItemToObject(ho, "comar_by_year", years_json(r->comar, r->n_comar));
    else
        cJSON_AddNullToObject(ho, "comar_by_year");
    cJSON *upm = cJSON_AddObjectToObject(ho, "upm");
    cJSON_AddBoolToObject(upm, "compared", r->has_upm && r->n_upm > 0);
    cJSON_AddStringToObject(upm, "definition", upm_definition);
    cJSON_AddItemToObject(upm, "by_year", years_json(r->upm, r->has_upm ? r->n_upm : 0));
    cJSON_AddStringToObject(upm, "not_compared", r->has_upm ? upm_not : "the scenario does not load the inm module");
    cJSON *de = cJSON_AddObjectToObject(ho, "deaths");
    cJSON_AddStringToObject(de, "definition", deaths_definition);
    cJSON *dy = cJSON_AddObjectToObject(de, "by_year");
    double to = 0, tb = 0, tt = 0;
    for (int i = 0; dy && i < r->n_deaths; i++) {
        char key[8];
        year_key(r->deaths[i].year, key);
        cJSON *e = cJSON_AddObjectToObject(dy, key);
        cJSON_AddNumberToObject(e, "obs", r->deaths[i].obs);
        cJSON_AddNumberToObject(e, "sim_border", r->deaths[i].sim_border);
        cJSON_AddNumberToObject(e, "sim_total", r->deaths[i].sim_total);
        cJSON_AddNumberToObject(e, "rel_error_border", rel(r->deaths[i].sim_border, r->deaths[i].obs));
        cJSON_AddNumberToObject(e, "rel_error_total", rel(r->deaths[i].sim_total, r->deaths[i].obs));
        to += r->deaths[i].obs, tb += r->deaths[i].sim_border, tt += r->deaths[i].sim_total;
    }
    cJSON *dtot = cJSON_AddObjectToObject(de, "all_years");
    cJSON_AddNumberToObject(dtot, "obs", to);
    cJSON_AddNumberToObject(dtot, "sim_border", tb);
    cJSON_AddNumberToObject(dtot, "sim_total", tt);
    cJSON_AddNumberToObject(dtot, "rel_error_border", rel(tb, to));
    cJSON_AddNumberToObject(dtot, "rel_error_total", rel(tt, to));

    cJSON *fa = cJSON_AddArrayToObject(root, "facts");
    for (int i = 0; fa && i < r->n_facts; i++) {
        const cor_fact_result *x = &r->facts[i];
        const cor_fact *f = x->fact;
        cJSON *e = cJSON_CreateObject();
        if (!e || !cJSON_AddItemToArray(fa, e)) {
            cJSON_Delete(e);
            break;
        }
        char def[400];
        cor_fact_definition(f, def, sizeof def);
        cJSON_AddStringToObject(e, "name", f->name);
        cJSON_AddStringToObject(e, "kind", cor_fact_kind_names[f->kind]);
        cJSON_AddStringToObject(e, "definition", def);
        cJSON_AddStringToObject(e, "source", f->source);
        cJSON_AddNumberToObject(e, "observed", f->observed);
        if (f->kind == COR_FACT_RANGE)
            cJSON_AddNumberToObject(e, "observed_hi", f->observed_hi);
        cJSON_AddNumberToObject(e, "simulated", x->simulated);
        cJSON_AddNumberToObject(e, "tolerance", f->tolerance);
        if (!isnan(f->threshold))
            cJSON_AddNumberToObject(e, "threshold", f->threshold);
        cJSON_AddNumberToObject(e, "lower", x->lower);
        cJSON_AddNumberToObject(e, "upper", x->upper);
        cJSON_AddBoolToObject(e, "evaluated", x->evaluated);
        if (!x->evaluated)
            cJSON_AddStringToObject(e, "why_not", x->why);
        cJSON_AddBoolToObject(e, "pass", x->pass);
    }
    const double share = r->n_facts_evaluated ? (double)r->n_facts_pass / r->n_facts_evaluated : NAN;
    cJSON *fs = cJSON_AddObjectToObject(root, "facts_summary");
    cJSON_AddNumberToObject(fs, "n", r->n_facts);
    cJSON_AddNumberToObject(fs, "evaluated", r->n_facts_evaluated);
    cJSON_AddNumberToObject(fs, "passed", r->n_facts_pass);
    cJSON_AddNumberToObject(fs, "pass_share", share);

    cJSON *t = cJSON_AddObjectToObject(root, "targets");
    target(t, "encounters_mape", COR_TARGET_ENCOUNTERS_MAPE, "<=", r->encounters_mape);
    target(t, "encounters_corr", COR_TARGET_ENCOUNTERS_CORR, ">=", r->encounters_corr);
    target(t, "sector_ard", COR_TARGET_SECTOR_ARD, "<=", r->sector_ard);
    target(t, "facts_pass_share", COR_TARGET_FACTS_SHARE, ">=", share);
    return root;
}
