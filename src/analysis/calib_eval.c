/* calib_eval.c - running the model for the calibration (one loaded scenario
 * per thread, common random numbers: the same seed and run numbers for every
 * evaluation) and the objective (docs/CALIBRATION.md, "Objective"). */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#ifdef _OPENMP
#include <omp.h>
#endif

#include "analysis/calib_internal.h"
#include "scenario/scenario.h"

int cal_fail(cor_calib *c, int rc, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(c->errmsg, sizeof c->errmsg, fmt, ap);
    va_end(ap);
    return rc;
}

void cal_progress(cal_ctx *x, const char *fmt, ...)
{
    if (!x->c->opt.progress)
        return;
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (x->c->opt.progress)
        x->c->opt.progress(x->c->opt.progress_ctx, msg);
}

double cal_to_u(const cor_cal_param *p, double v)
{
    if (!(p->hi > p->lo))
        return 0;
    double u = p->logscale ? log(v / p->lo) / log(p->hi / p->lo) : (v - p->lo) / (p->hi - p->lo);
    return u < 0 ? 0 : u > 1 ? 1 : u;
}

double cal_from_u(const cor_cal_param *p, double u)
{
    u = u < 0 ? 0 : u > 1 ? 1 : u;
    double v = p->logscale ? p->lo * exp(u * log(p->hi / p->lo)) : p->lo + u * (p->hi - p->lo);
    return v < p->lo ? p->lo : v > p->hi ? p->hi : v;
}

/* One run on scenario sc: parameters theta, the current demand, run number
 * `run`; encounters by group and fitted month added into out (G*T). */
static int run_one(cal_ctx *x, cor_scenario *sc, const double *theta, uint32_t run, double *out, char *err,
                   size_t errn)
{
    const cor_calib *c = x->c;
    for (int i = 0; i < c->n_params; i++)
        if (cor_scenario_set_param(sc, c->params[i].name, theta[i]) != COR_OK) {
            snprintf(err, errn, "no parameter '%s' in the scenario", c->params[i].name);
            return COR_EARG;
        }
    for (int g = 0; g < x->G; g++) {
        int m0, n;
        double *d = cor_scenario_demand(sc, g, &m0, &n);
        if (n != c->groups[g].n_months || m0 != c->groups[g].month0) {
            snprintf(err, errn, "group '%s': demand months differ between loads", c->groups[g].id);
            return COR_ESTATE;
        }
        if (n > 0)
            memcpy(d, c->groups[g].demand, (size_t)n * COR_N_DEMOS * sizeof *d);
    }
    cor_sim *sim = cor_sim_new();
    if (!sim) {
        snprintf(err, errn, "out of memory");
        return COR_ENOMEM;
    }
    cor_options o = {.seed = c->seed, .has_seed = 1, .scale = c->opt.scale, .threads = 1, .run = run};
    int rc = cor_sim_init(sim, sc, &o);
    if (rc == COR_OK)
        rc = cor_sim_run(sim);
    int sid = rc == COR_OK ? cor_sim_series_id(sim, "us_encounters") : -1;
    if (rc == COR_OK && sid < 0)
        rc = COR_EINPUT;
    if (rc != COR_OK) {
        snprintf(err, errn, "%s", sid < 0 && rc == COR_EINPUT ? "the scenario counts no us_encounters (no US module)"
                                                              : cor_sim_errmsg(sim));
        cor_sim_free(sim);
        return rc;
    }
    const int64_t nr = cor_sim_n_records(sim);
    for (int64_t i = 0; i < nr; i++) {
        int month, series, place, group, demo;
        double v;
        cor_sim_record(sim, i, &month, &series, &place, &group, &demo, &v);
        if (series != sid || group < 0 || group >= x->G || month < c->fit_first || month > c->fit_last)
            continue;
        out[(size_t)group * (size_t)x->T + (size_t)(month - c->fit_first)] += v;
    }
    cor_sim_free(sim);
    return COR_OK;
}

int cal_eval(cal_ctx *x, int npts, const double *theta, double *M)
{
    cor_calib *c = x->c;
    const int R = c->opt.reps, nj = npts * R;
    const size_t cell = (size_t)x->G * (size_t)x->T;
    double *buf = calloc((size_t)nj * cell, sizeof *buf);
    int *rcs = calloc((size_t)nj, sizeof *rcs);
    char(*errs)[256] = calloc((size_t)nj, sizeof *errs);
    if (!buf || !rcs || !errs) {
        free(buf), free(rcs), free(errs);
        return cal_fail(c, COR_ENOMEM, "out of memory");
    }
#pragma omp parallel for schedule(dynamic) num_threads(x->n_work)
    for (int j = 0; j < nj; j++) {
        int tid = 0;
#ifdef _OPENMP
        tid = omp_get_thread_num();
#endif
        rcs[j] = run_one(x, x->work[tid], theta + (size_t)(j / R) * (size_t)c->n_params, (uint32_t)(j % R),
                         buf + (size_t)j * cell, errs[j], sizeof errs[j]);
    }
    int rc = COR_OK;
    for (int j = 0; j < nj && rc == COR_OK; j++)
        if (rcs[j] != COR_OK)
            rc = cal_fail(c, rcs[j], "run %d: %s", j % R, errs[j]);
    for (int p = 0; rc == COR_OK && p < npts; p++) /* mean over the runs, in run order */
        for (size_t k = 0; k < cell; k++) {
            double s = 0;
            for (int r = 0; r < R; r++)
                s += buf[((size_t)p * (size_t)R + (size_t)r) * cell + k];
            M[(size_t)p * cell + k] = s / R;
        }
    c->evals += npts;
    c->sims += nj;
    free(buf), free(rcs), free(errs);
    return rc;
}

/* Model values of month t after the offset: group cells into m[G], returns
 * their southwest total. */
static double month_cells(const cal_ctx *x, const double *M, int t, int use_offset, double *m)
{
    double s = 0;
    for (int g = 0; g < x->G; g++) {
        const size_t k = (size_t)g * (size_t)x->T + (size_t)t;
        m[g] = M[k] * (use_offset ? exp(-x->offset[k]) : 1.0);
        if (x->obs_g[g])
            s += m[g];
    }
    return s;
}

static double sq(double v) { return v * v; }

double cal_J(const cal_ctx *x, const double *M, int use_offset)
{
    double a = 0, b = 0, m[256];
    int n = 0;
    for (int t = 0; t < x->T; t++) {
        if (!(x->S[t] > 0))
            continue;
        const double s = month_cells(x, M, t, use_offset, m);
        a += sq(log(s + x->eps) - log(x->S[t] + x->eps));
        for (int g = 0; g < x->G; g++) {
            const size_t k = (size_t)g * (size_t)x->T + (size_t)t;
            if (x->obs_g[g])
                b += x->w[k] * sq(log(m[g] + x->eps) - log(x->E[k] + x->eps));
        }
        n++;
    }
    return n ? (a + b) / (2.0 * n) : 0;
}

double cal_dist2(const cal_ctx *x, const double *M1, const double *M2)
{
    double a = 0, b = 0, m1[256], m2[256];
    int n = 0;
    for (int t = 0; t < x->T; t++) {
        if (!(x->S[t] > 0))
            continue;
        const double s1 = month_cells(x, M1, t, 0, m1), s2 = month_cells(x, M2, t, 0, m2);
        a += sq(log(s1 + x->eps) - log(s2 + x->eps));
        for (int g = 0; g < x->G; g++)
            if (x->obs_g[g])
                b += x->w[(size_t)g * (size_t)x->T + (size_t)t] * sq(log(m1[g] + x->eps) - log(m2[g] + x->eps));
        n++;
    }
    return n ? (a + b) / (2.0 * n) : 0;
}

void cal_dist2_groups(const cal_ctx *x, const double *M1, const double *M2, double *b)
{
    for (int g = 0; g < x->G; g++) {
        b[g] = 0;
        for (int t = 0; x->obs_g[g] && t < x->T; t++) {
            const size_t k = (size_t)g * (size_t)x->T + (size_t)t;
            if (x->S[t] > 0)
                b[g] += fabs(M1[k] - M2[k]);
        }
    }
}

double cal_noise_J(const cal_ctx *x, const double *M)
{
    const double R = x->c->opt.reps, e = x->eps;
    double a = 0, b = 0, m[256];
    int n = 0;
    for (int t = 0; t < x->T; t++) {
        if (!(x->S[t] > 0))
            continue;
        const double s = month_cells(x, M, t, 0, m);
        a += e * s / (R * sq(s + e));
        for (int g = 0; g < x->G; g++)
            if (x->obs_g[g])
                b += x->w[(size_t)g * (size_t)x->T + (size_t)t] * e * m[g] / (R * sq(m[g] + e));
        n++;
    }
    return n ? (a + b) / (2.0 * n) : 0;
}

double cal_rho(const cal_ctx *x, const double *M, int use_offset)
{
    double m[256], num = 0, den = 0, prev = 0;
    int have_prev = 0;
    for (int t = 0; t < x->T; t++) {
        if (!(x->S[t] > 0)) {
            have_prev = 0;
            continue;
        }
        const double e = log(month_cells(x, M, t, use_offset, m) + x->eps) - log(x->S[t] + x->eps);
        den += e * e;
        if (have_prev)
            num += e * prev;
        prev = e, have_prev = 1;
    }
    return den > 0 ? num / den : 0;
}

void cal_sw(const cal_ctx *x, const double *M, double *out)
{
    double m[256];
    for (int t = 0; t < x->T; t++)
        out[t] = month_cells(x, M, t, 0, m);
}

void cal_fit_stats(const cal_ctx *x, const double *sw, double *mape, double *corr)
{
    double ape = 0, sa = 0, sb = 0, saa = 0, sbb = 0, sab = 0;
    int n = 0;
    for (int t = 0; t < x->T; t++) {
        if (!(x->S[t] > 0))
            continue;
        const double a = sw[t], b = x->S[t];
        ape += fabs(a - b) / b;
        sa += a, sb += b, saa += a * a, sbb += b * b, sab += a * b;
        n++;
    }
    *mape = n ? 100.0 * ape / n : NAN;
    const double va = saa - sa * sa / n, vb = sbb - sb * sb / n;
    *corr = n > 1 && va > 0 && vb > 0 ? (sab - sa * sb / n) / sqrt(va * vb) : NAN;
}
