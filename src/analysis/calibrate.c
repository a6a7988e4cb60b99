/* calibrate.c - the calibration driver (docs/CALIBRATION.md): setup, the
 * screen of the calibrated parameters, rounds of parameter fitting (NLopt
 * BOBYQA) and demand inversion, and the approximate 90% intervals from the
 * curvature of the objective. */
#include <math.h>
#include <nlopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "analysis/calib_internal.h"
#include "scenario/scenario.h"

#define TAU 0.5          /* prior sd of a parameter, in units of its range */
#define HSTEP 0.1        /* finite-difference step for the curvature, in units of the range */
#define Z90 1.6448536269514722
#define SCREEN_EFFECT 0.01   /* fitted only if the range moves the encounters by 1% (weighted RMS of logs) */
#define CONFINE_SHARE 0.9    /* ... and no group carries 90% of that move */

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* Month index of a day (days since 1970-01-01); *last: is it the month's last day. */
int cor_cal_day_month(int32_t day, int *last)
{
    char s[11], n[11];
    int m = 0;
    cor_format_date(day, s);
    s[7] = '\0';
    cor_cal_parse_month(s, &m);
    if (last) {
        cor_format_date(day + 1, n);
        *last = strcmp(n + 8, "01") == 0;
    }
    return m;
}

int cor_cal_last_day_of(int month, char out[11])
{
    char s[11];
    int32_t d;
    const unsigned next = month >= 0 ? (unsigned)month + 1u : 0u;
    snprintf(s, sizeof s, "%04u-%02u-01", next / 12u % 10000u, next % 12u + 1u);
    if (cor_parse_date(s, &d))
        return -1;
    cor_format_date(d - 1, out);
    return 0;
}

static int fixed_by_user(const char *list, const char *name, int *matched, int ntok)
{
    int hit = 0, k = 0;
    for (const char *p = list; p && *p && k < ntok; k++) {
        const char *e = strchr(p, ',');
        size_t n = e ? (size_t)(e - p) : strlen(p);
        const int star = n > 0 && p[n - 1] == '*';
        const size_t m = star ? n - 1 : n;
        if (n > 0 && (star ? strncmp(name, p, m) == 0 : strlen(name) == m && strncmp(name, p, m) == 0)) {
            matched[k] = 1;
            hit = 1;
        }
        p = e ? e + 1 : NULL;
    }
    return hit;
}

/* Load the per-thread scenarios: the scenario with meta.end cut to the last
 * fitted month (an overlay in memory). */
static int load_work(cal_ctx *x, const char *path, int end_month)
{
    cor_calib *c = x->c;
    char dir[4096], text[4600], name[4200], end[11];
    const char *slash = strrchr(path, '/');
    const char *base = slash ? slash + 1 : path;
    snprintf(dir, sizeof dir, "%.*s", slash ? (int)(slash - path) : 1, slash ? path : ".");
    if (slash == path)
        snprintf(dir, sizeof dir, "/");
    if (strchr(base, '"') || strchr(base, '\\'))
        return cal_fail(c, COR_EARG, "%s: scenario file names with quotes or backslashes are not supported", path);
    if (end_month >= 0) {
        cor_cal_last_day_of(end_month, end);
        snprintf(text, sizeof text, "base: \"%s\"\nmeta:\n  end: %s\n", base, end);
    } else {
        snprintf(text, sizeof text, "base: \"%s\"\n", base);
    }
    snprintf(name, sizeof name, "%s/%s.calibrate-window.yaml", dir, base);
    x->work = calloc((size_t)x->n_work, sizeof *x->work);
    if (!x->work)
        return cal_fail(c, COR_ENOMEM, "out of memory");
    for (int i = 0; i < x->n_work; i++) {
        int rc = cor_scenario_load_mem(name, text, strlen(text), &x->work[i]);
        if (rc != COR_OK)
            return cal_fail(c, rc, "%s", x->work[i] ? cor_scenario_errmsg(x->work[i]) : "out of memory");
    }
    return COR_OK;
}

static int setup(cal_ctx *x, const char *path, const cor_cal_obs *obs)
{
    cor_calib *c = x->c;
    int rc = cor_scenario_load(path, &x->master);
    if (rc != COR_OK)
        return cal_fail(c, rc, "%s", x->master ? cor_scenario_errmsg(x->master) : "out of memory");
    cor_scenario *sc = x->master;
    if (!(c->scenario_path = strdup(path)) || !(c->scenario_name = strdup(cor_scenario_name(sc))))
        return cal_fail(c, COR_ENOMEM, "out of memory");
    c->seed = c->opt.has_seed ? c->opt.seed : cor_scenario_seed(sc);

    /* the fitted months */
    int end_full, m_start = cor_cal_day_month(sc->start, NULL), m_end = cor_cal_day_month(sc->end, &end_full);
    const int last_run = end_full ? m_end : m_end - 1;
    char a[8], b[8];
    c->fit_first = m_start + c->opt.burn_in;
    if (obs->month0 > c->fit_first)
        c->fit_first = obs->month0;
    c->fit_last = c->opt.until;
    if (obs->month0 + obs->n_months - 1 < c->fit_last)
        c->fit_last = obs->month0 + obs->n_months - 1;
    if (last_run < c->fit_last)
        c->fit_last = last_run;
    if (c->fit_last < c->fit_first) {
        cor_cal_format_month(c->fit_first, a);
        cor_cal_format_month(c->fit_last, b);
        return cal_fail(c, COR_EARG,
                        "no month to fit: from %s (scenario start + %d months of burn-in, or the first observation) "
                        "to %s (--until, the last observation or the scenario end)",
                        a, c->opt.burn_in, b);
    }
    x->T = c->n_fit = c->fit_last - c->fit_first + 1;
    x->eps = c->opt.scale;

    /* groups and their observations */
    x->G = c->n_groups = cor_scenario_n_groups(sc);
    if (x->G > 256)
        return cal_fail(c, COR_EARG, "%s: more than 256 groups", path);
    const size_t cell = (size_t)x->G * (size_t)x->T;
    c->groups = calloc((size_t)x->G, sizeof *c->groups);
    x->E = calloc(cell, sizeof *x->E);
    x->w = calloc(cell, sizeof *x->w);
    x->offset = calloc(cell, sizeof *x->offset);
    x->S = calloc((size_t)x->T, sizeof *x->S);
    x->obs_g = calloc((size_t)x->G, 1);
    if (!c->groups || !x->E || !x->w || !x->offset || !x->S || !x->obs_g)
        return cal_fail(c, COR_ENOMEM, "out of memory");
    int n_obs = 0;
    unsigned char *valid = malloc((size_t)x->T);
    if (!valid)
        return cal_fail(c, COR_ENOMEM, "out of memory");
    memset(valid, 1, (size_t)x->T);
    for (int g = 0; g < x->G; g++) {
        cor_cal_group *gr = &c->groups[g];
        double *d = cor_scenario_demand(sc, g, &gr->month0, &gr->n_months);
        const size_t n = (size_t)gr->n_months * COR_N_DEMOS;
        gr->id = strdup(cor_scenario_group_id(sc, g));
        gr->prior = malloc((n ? n : 1) * sizeof(double));
        gr->demand = malloc((n ? n : 1) * sizeof(double));
        if (!gr->id || !gr->prior || !gr->demand) {
            free(valid);
            return cal_fail(c, COR_ENOMEM, "out of memory");
        }
        if (n)
            memcpy(gr->prior, d, n * sizeof(double)), memcpy(gr->demand, d, n * sizeof(double));
        int og = 0;
        while (og < obs->n_groups && strcmp(obs->group[og], gr->id))
            og++;
        if (og == obs->n_groups)
            continue;
        for (int t = 0; t < x->T; t++) {
            const int m = c->fit_first + t - obs->month0;
            const double v = m >= 0 && m < obs->n_months ? obs->people[(size_t)og * (size_t)obs->n_months + (size_t)m]
                                                         : NAN;
            if (isnan(v))
                valid[t] = 0;
            else
                x->E[(size_t)g * (size_t)x->T + (size_t)t] = v;
        }
        gr->observed = x->obs_g[g] = 1;
        n_obs++;
    }
    for (int t = 0; t < x->T; t++) {
        double s = 0;
        for (int g = 0; g < x->G; g++)
            s += x->obs_g[g] ? x->E[(size_t)g * (size_t)x->T + (size_t)t] : 0;
        x->S[t] = valid[t] ? s : 0;
        for (int g = 0; g < x->G; g++)
            x->w[(size_t)g * (size_t)x->T + (size_t)t] =
                x->S[t] > 0 && x->obs_g[g] ? x->E[(size_t)g * (size_t)x->T + (size_t)t] / x->S[t] : 0;
    }
    free(valid);
    if (!n_obs)
        return cal_fail(c, COR_EINPUT, "none of the scenario's groups is in the observations");

    /* the calibrated parameters */
    const int np = cor_scenario_n_params(sc);
    int ntok = 1;
    for (const char *p = c->opt.fix; p && *p; p++)
        ntok += *p == ',';
    int *matched = calloc((size_t)ntok, sizeof *matched);
    c->params = calloc((size_t)(np > 0 ? np : 1), sizeof *c->params);
    if (!matched || !c->params) {
        free(matched);
        return cal_fail(c, COR_ENOMEM, "out of memory");
    }
    for (int i = 0; i < np; i++) {
        double v, lo, hi;
        int prov;
        const char *name = cor_scenario_param(sc, i, &v, &prov, &lo, &hi);
        if (prov != COR_PARAM_CALIBRATED || !(hi > lo))
            continue;
        cor_cal_param *p = &c->params[c->n_params++];
        if (!(p->name = strdup(name))) {
            free(matched);
            return cal_fail(c, COR_ENOMEM, "out of memory");
        }
        p->lo = lo, p->hi = hi;
        p->start = p->value = v < lo ? lo : v > hi ? hi : v;
        p->logscale = lo > 0 && hi / lo >= 10;
        p->ci_lo = p->ci_hi = NAN;
        p->status = c->opt.no_params || fixed_by_user(c->opt.fix, name, matched, ntok) ? COR_CAL_FIXED_USER
                                                                                         : COR_CAL_FITTED;
    }
    int k = 0;
    for (const char *p = c->opt.fix; p && *p; k++) {
        const char *e = strchr(p, ',');
        const int n = e ? (int)(e - p) : (int)strlen(p);
        if (n > 0 && !matched[k] && p[n - 1] != '*') { /* a prefix may match nothing; a name must exist */
            free(matched);
            return cal_fail(c, COR_EARG, "fix: '%.*s' matches no calibrated parameter of %s", n, p, path);
        }
        p = e ? e + 1 : NULL;
    }
    free(matched);
    x->u0 = calloc((size_t)(c->n_params + 1), sizeof *x->u0);
    x->cur = calloc((size_t)(c->n_params + 1), sizeof *x->cur);
    x->fit = calloc((size_t)(c->n_params + 1), sizeof *x->fit);
    x->best_theta = calloc((size_t)(c->n_params + 1), sizeof *x->best_theta);
    x->best_M = calloc(cell, sizeof *x->best_M);
    x->M_tmp = calloc(cell, sizeof *x->M_tmp);
    c->sw_obs = calloc((size_t)x->T, sizeof(double));
    c->sw_start = calloc((size_t)x->T, sizeof(double));
    c->sw_params = calloc((size_t)x->T, sizeof(double));
    c->sw_end = calloc((size_t)x->T, sizeof(double));
    c->round_values = calloc((size_t)COR_CAL_MAXROUNDS * (size_t)(c->n_params + 1), sizeof(double));
    c->enc_obs = calloc(cell, sizeof(double));
    c->enc_start = calloc(cell, sizeof(double));
    c->enc_end = calloc(cell, sizeof(double));
    if (!x->u0 || !x->cur || !x->fit || !x->best_theta || !x->best_M || !x->M_tmp || !c->sw_obs || !c->sw_start ||
        !c->sw_params || !c->sw_end || !c->enc_obs || !c->enc_start || !c->enc_end ||
        !c->round_values)
        return cal_fail(c, COR_ENOMEM, "out of memory");
    for (int i = 0; i < c->n_params; i++)
        x->u0[i] = cal_to_u(&c->params[i], c->params[i].start), x->cur[i] = c->params[i].start;
    memcpy(c->sw_obs, x->S, (size_t)x->T * sizeof(double));
    for (size_t q = 0; q < cell; q++)
        c->enc_obs[q] = x->obs_g[q / (size_t)x->T] && x->S[q % (size_t)x->T] > 0 ? x->E[q] : NAN;

    x->n_work = c->opt.threads;
    return load_work(x, path, c->fit_last < last_run || !end_full ? c->fit_last : -1);
}

/* Effective number of independent fitted months of the residual at M:
 * T (1 - rho) / (1 + rho), rho the lag-1 autocorrelation of the log
 * residual of the southwest total (in [0, 0.95]), at least 1. */
static double n_eff_at(const cal_ctx *x, const double *M, int use_offset, double *rho_out)
{
    const double rho0 = cal_rho(x, M, use_offset), rho = rho0 < 0 ? 0 : rho0 > 0.95 ? 0.95 : rho0;
    int nt = 0;
    for (int t = 0; t < x->T; t++)
        nt += x->S[t] > 0;
    if (rho_out)
        *rho_out = rho0;
    const double n = nt * (1 - rho) / (1 + rho);
    return n > 1 ? n : 1;
}

/* ------------------------------------------------------------ optimiser */

static double objective(unsigned n, const double *u, double *grad, void *data)
{
    cal_ctx *x = data;
    cor_calib *c = x->c;
    (void)grad;
    if (x->failed)
        return HUGE_VAL;
    if (memcmp(u, x->start_u, n * sizeof *u) == 0)
        return x->start_f;
    double *theta = malloc((size_t)c->n_params * sizeof *theta + 1);
    if (!theta) {
        x->failed = cal_fail(c, COR_ENOMEM, "out of memory");
        nlopt_force_stop((nlopt_opt)x->nlopt);
        return HUGE_VAL;
    }
    memcpy(theta, x->cur, (size_t)c->n_params * sizeof *theta);
    double pen = 0;
    for (unsigned i = 0; i < n; i++) {
        theta[x->fit[i]] = cal_from_u(&c->params[x->fit[i]], u[i]);
        pen += (u[i] - x->u0[x->fit[i]]) * (u[i] - x->u0[x->fit[i]]);
    }
    int rc = cal_eval(x, 1, theta, x->M_tmp);
    if (rc != COR_OK) {
        x->failed = rc;
        nlopt_force_stop((nlopt_opt)x->nlopt);
        free(theta);
        return HUGE_VAL;
    }
    const double J = cal_J(x, x->M_tmp, 1), f = log(J > 1e-300 ? J : 1e-300) + x->lambda * pen;
    x->evals_round++;
    if (f < x->best_f) {
        x->best_f = f;
        memcpy(x->best_M, x->M_tmp, (size_t)x->G * (size_t)x->T * sizeof(double));
        memcpy(x->best_theta, theta, (size_t)c->n_params * sizeof *theta);
    }
    if (x->evals_round % 10 == 0)
        cal_progress(x, "round %d: evaluation %d: objective %.5f (best %.5f)", x->round + 1, x->evals_round, f,
                     x->best_f);
    free(theta);
    return f;
}

static int optimise(cal_ctx *x, int round, double *f_start, double *f_end, double *J_end)
{
    cor_calib *c = x->c;
    const unsigned p = (unsigned)x->n_fit;
    if (p > 64)
        return cal_fail(c, COR_EARG, "more than 64 parameters to fit: fix some (options.fix)");
    double *u = malloc(p * sizeof *u), *lb = malloc(p * sizeof *lb), *ub = malloc(p * sizeof *ub);
    nlopt_opt o = nlopt_create(NLOPT_LN_BOBYQA, p);
    if (!u || !lb || !ub || !o) {
        free(u), free(lb), free(ub);
        if (o)
            nlopt_destroy(o);
        return cal_fail(c, COR_ENOMEM, "out of memory");
    }
    for (unsigned i = 0; i < p; i++) {
        u[i] = cal_to_u(&c->params[x->fit[i]], x->cur[x->fit[i]]);
        lb[i] = 0, ub[i] = 1;
    }
    x->nlopt = o;
    x->round = round;
    x->evals_round = 0;
    x->failed = 0;
    x->best_f = HUGE_VAL;
    nlopt_set_lower_bounds(o, lb);
    nlopt_set_upper_bounds(o, ub);
    nlopt_set_min_objective(o, objective, x);
    nlopt_set_initial_step1(o, 0.1);
    nlopt_set_xtol_abs1(o, 2e-3);
    nlopt_set_maxeval(o, c->opt.max_evals);
    /* the start point first: its residual sets the weight of the prior pull
     * (and BOBYQA may move a start near a bound before evaluating it) */
    int rc = cal_eval(x, 1, x->cur, x->M_tmp);
    if (rc != COR_OK) {
        free(u), free(lb), free(ub);
        nlopt_destroy(o);
        return rc;
    }
    double rho;
    c->n_eff = n_eff_at(x, x->M_tmp, 1, &rho);
    c->rho = rho;
    c->sigma2 = cal_J(x, x->M_tmp, 1);
    x->lambda = c->lambda = 1 / (c->n_eff * TAU * TAU);
    double pen = 0;
    for (unsigned i = 0; i < p; i++)
        pen += (u[i] - x->u0[x->fit[i]]) * (u[i] - x->u0[x->fit[i]]);
    *f_start = x->best_f = log(c->sigma2 > 1e-300 ? c->sigma2 : 1e-300) + x->lambda * pen;
    memcpy(x->best_M, x->M_tmp, (size_t)x->G * (size_t)x->T * sizeof(double));
    memcpy(x->best_theta, x->cur, (size_t)c->n_params * sizeof(double));
    memcpy(x->start_u, u, p * sizeof *u); /* BOBYQA's first call is usually this point: not run twice */
    x->start_f = *f_start;
    x->evals_round = 1;
    double fmin = HUGE_VAL;
    nlopt_result r = x->failed ? NLOPT_FORCED_STOP : nlopt_optimize(o, u, &fmin);
    nlopt_destroy(o);
    x->nlopt = NULL;
    free(u), free(lb), free(ub);
    if (x->failed)
        return x->failed;
    if (r < 0 && r != NLOPT_ROUNDOFF_LIMITED)
        return cal_fail(c, COR_ESTATE, "the optimiser failed (NLopt code %d)", (int)r);
    memcpy(x->cur, x->best_theta, (size_t)c->n_params * sizeof *x->cur);
    *f_end = x->best_f;
    *J_end = cal_J(x, x->best_M, 1);
    c->round_evals[round] = x->evals_round;
    return COR_OK;
}

/* ------------------------------------------------------------ intervals */

/* Cholesky inverse of the n x n matrix a (in place); 0 ok, -1 not positive definite. */
static int spd_inverse(double *a, int n)
{
    double *l = calloc((size_t)(n * n), sizeof *l), *inv = calloc((size_t)(n * n), sizeof *inv);
    int ok = l && inv;
    for (int j = 0; ok && j < n; j++) {
        double s = a[j * n + j];
        for (int k = 0; k < j; k++)
            s -= l[j * n + k] * l[j * n + k];
        if (!(s > 0)) {
            ok = 0;
            break;
        }
        l[j * n + j] = sqrt(s);
        for (int i = j + 1; i < n; i++) {
            double t = a[i * n + j];
            for (int k = 0; k < j; k++)
                t -= l[i * n + k] * l[j * n + k];
            l[i * n + j] = t / l[j * n + j];
        }
    }
    for (int col = 0; ok && col < n; col++) { /* solve L L' x = e_col */
        double *y = inv + col * n;
        for (int i = 0; i < n; i++) {
            double t = i == col;
            for (int k = 0; k < i; k++)
                t -= l[i * n + k] * y[k];
            y[i] = t / l[i * n + i];
        }
        for (int i = n - 1; i >= 0; i--) {
            double t = y[i];
            for (int k = i + 1; k < n; k++)
                t -= l[k * n + i] * y[k];
            y[i] = t / l[i * n + i];
        }
    }
    if (ok)
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++)
                a[i * n + j] = inv[j * n + i];
    free(l), free(inv);
    return ok ? 0 : -1;
}

/* The curvature of J at the fitted point by central differences (one batch
 * of 2p^2 + 1 runs), turned into a Laplace approximation of the posterior:
 * precision = N_eff / (2 sigma^2) * H_J + I / tau^2. */
static int intervals(cal_ctx *x)
{
    cor_calib *c = x->c;
    const int p = x->n_fit, npts = 2 * p * p + 1;
    if (p > 64)
        return cal_fail(c, COR_EARG, "more than 64 fitted parameters: use no_interval");
    const size_t cell = (size_t)x->G * (size_t)x->T;
    double *th = malloc((size_t)npts * (size_t)c->n_params * sizeof *th), *M = malloc((size_t)npts * cell * sizeof *M);
    double *uc = malloc((size_t)p * sizeof *uc), *H = calloc((size_t)(p * p), sizeof *H);
    double *P = calloc((size_t)(p * p), sizeof *P), *J = malloc((size_t)npts * sizeof *J);
    int rc = th && M && uc && H && P && J ? COR_OK : cal_fail(c, COR_ENOMEM, "out of memory");
    const double h = HSTEP;
    for (int i = 0; rc == COR_OK && i < p; i++) {
        const double u = cal_to_u(&c->params[x->fit[i]], x->cur[x->fit[i]]);
        uc[i] = u < h ? h : u > 1 - h ? 1 - h : u;
    }
    /* points: 0 centre; 1 + 2i (+h e_i), 2 + 2i (-h e_i); then pairs (++, +-, -+, --) */
    int k = 0;
    for (int q = 0; rc == COR_OK && q < npts; q++) {
        double *t = th + (size_t)q * (size_t)c->n_params;
        memcpy(t, x->cur, (size_t)c->n_params * sizeof *t);
        double du[64] = {0};
        if (q >= 1 && q <= 2 * p)
            du[(q - 1) / 2] = q % 2 ? h : -h;
        for (int i = 0; i < p; i++)
            t[x->fit[i]] = cal_from_u(&c->params[x->fit[i]], uc[i] + du[i]);
    }
    k = 1 + 2 * p;
    for (int i = 0; rc == COR_OK && i < p; i++)
        for (int j = i + 1; j < p; j++)
            for (int s = 0; s < 4; s++, k++) {
                double *t = th + (size_t)k * (size_t)c->n_params;
                for (int l = 0; l < p; l++)
                    t[x->fit[l]] = cal_from_u(&c->params[x->fit[l]], uc[l]);
                t[x->fit[i]] = cal_from_u(&c->params[x->fit[i]], uc[i] + (s < 2 ? h : -h));
                t[x->fit[j]] = cal_from_u(&c->params[x->fit[j]], uc[j] + (s % 2 == 0 ? h : -h));
            }
    if (rc == COR_OK) {
        cal_progress(x, "curvature: %d evaluations around the fitted point", npts);
        rc = cal_eval(x, npts, th, M);
    }
    for (int q = 0; rc == COR_OK && q < npts; q++)
        J[q] = cal_J(x, M + (size_t)q * cell, 1);
    if (rc == COR_OK) {
        k = 1 + 2 * p;
        for (int i = 0; i < p; i++) {
            H[i * p + i] = (J[1 + 2 * i] - 2 * J[0] + J[2 + 2 * i]) / (h * h);
            for (int j = i + 1; j < p; j++, k += 4)
                H[i * p + j] = H[j * p + i] = (J[k] - J[k + 1] - J[k + 2] + J[k + 3]) / (4 * h * h);
        }
        double rho0;
        const double sigma2 = J[0] > 1e-12 ? J[0] : 1e-12, neff = n_eff_at(x, M, 1, &rho0);
        const double a = neff / (2 * sigma2);
        c->sigma2 = sigma2, c->rho = rho0, c->n_eff = neff;
        for (int i = 0; i < p * p; i++)
            P[i] = a * H[i] + (i % (p + 1) == 0 ? 1 / (TAU * TAU) : 0);
        int full = spd_inverse(P, p) == 0;
        for (int i = 0; i < p; i++) {
            cor_cal_param *pr = &c->params[x->fit[i]];
            const double prec = a * H[i * p + i] + 1 / (TAU * TAU);
            const double var = full ? P[i * p + i] : prec > 0 ? 1 / prec : NAN;
            const double u = cal_to_u(pr, x->cur[x->fit[i]]);
            pr->identified = a * H[i * p + i] > 1 / (TAU * TAU);
            if (isnan(var)) {
                pr->ci_lo = pr->lo, pr->ci_hi = pr->hi;
            } else {
                pr->ci_lo = cal_from_u(pr, u - Z90 * sqrt(var));
                pr->ci_hi = cal_from_u(pr, u + Z90 * sqrt(var));
            }
        }
    }
    free(th), free(M), free(uc), free(H), free(P), free(J);
    return rc;
}

/* ------------------------------------------------------------ the driver */

static void group_stats(cal_ctx *x, const double *M, int end)
{
    for (int g = 0; g < x->G; g++) {
        cor_cal_group *gr = &x->c->groups[g];
        double ss = 0, tot_o = 0, tot_m = 0;
        int n = 0;
        for (int t = 0; gr->observed && t < x->T; t++) {
            if (!(x->S[t] > 0))
                continue;
            const size_t k = (size_t)g * (size_t)x->T + (size_t)t;
            const double d = log(M[k] + x->eps) - log(x->E[k] + x->eps);
            ss += d * d, n++;
            tot_o += x->E[k], tot_m += M[k];
        }
        *(end ? &gr->rms_end : &gr->rms_start) = n ? sqrt(ss / n) : NAN;
        *(end ? &gr->model_end_total : &gr->model_start_total) = tot_m;
        gr->obs_total = tot_o;
    }
}

static int screen(cal_ctx *x, double *M_end)
{
    cor_calib *c = x->c;
    int nc = 0;
    for (int i = 0; i < c->n_params; i++)
        nc += c->params[i].status == COR_CAL_FITTED;
    const int npts = 1 + 2 * nc;
    const size_t cell = (size_t)x->G * (size_t)x->T;
    double *th = malloc((size_t)npts * (size_t)(c->n_params + 1) * sizeof *th);
    double *M = malloc((size_t)npts * cell * sizeof *M), *b = malloc((size_t)x->G * sizeof *b + 1);
    if (!th || !M || !b) {
        free(th), free(M), free(b);
        return cal_fail(c, COR_ENOMEM, "out of memory");
    }
    for (int q = 0; q < npts; q++)
        memcpy(th + (size_t)q * (size_t)c->n_params, x->cur, (size_t)c->n_params * sizeof *th);
    for (int i = 0, q = 1; i < c->n_params; i++)
        if (c->params[i].status == COR_CAL_FITTED) {
            th[(size_t)q++ * (size_t)c->n_params + (size_t)i] = c->params[i].lo;
            th[(size_t)q++ * (size_t)c->n_params + (size_t)i] = c->params[i].hi;
        }
    cal_progress(x, "screen: the prior run and %d calibrated parameters at both ends of their ranges (%d runs)", nc,
                 npts * c->opt.reps);
    int rc = cal_eval(x, npts, th, M);
    if (rc == COR_OK) {
        memcpy(M_end, M, cell * sizeof *M);
        c->J_start = cal_J(x, M, 0);
        c->noise_J = cal_noise_J(x, M);
        c->screen_threshold = SCREEN_EFFECT;
        c->confine_share = CONFINE_SHARE;
        for (int i = 0, q = 1; i < c->n_params; i++) {
            cor_cal_param *p = &c->params[i];
            p->top_group = -1;
            if (p->status != COR_CAL_FITTED)
                continue;
            const double *lo = M + (size_t)q * cell, *hi = M + (size_t)(q + 1) * cell;
            p->effect = sqrt(cal_dist2(x, lo, hi));
            q += 2;
            cal_dist2_groups(x, lo, hi, b);
            double sum = 0;
            for (int g = 0; g < x->G; g++) {
                sum += b[g];
                if (p->top_group < 0 || b[g] > b[p->top_group])
                    p->top_group = g;
            }
            p->top_share = sum > 0 ? b[p->top_group] / sum : 0;
            cal_progress(x, "screen: %-34s effect %.4f, %3.0f%% of the encounters moved in %s", p->name, p->effect,
                         100 * p->top_share, c->groups[p->top_group].id);
            if (p->effect < c->screen_threshold)
                p->status = COR_CAL_FIXED_SCREEN;
            else if (p->top_share >= c->confine_share)
                p->status = COR_CAL_FIXED_GROUP;
            else
                x->fit[x->n_fit++] = i;
        }
        cal_sw(x, M, c->sw_start);
        memcpy(c->enc_start, M, cell * sizeof *M);
        cal_fit_stats(x, c->sw_start, &c->mape_start, &c->corr_start);
        group_stats(x, M, 0);
        c->obj_start = log(c->J_start > 1e-300 ? c->J_start : 1e-300);
        c->n_eff = n_eff_at(x, M, 0, &c->rho);
        c->sigma2 = c->J_start;
        cal_progress(x, "screen: J %.5f at the prior values (Monte Carlo level %.5f); %d of %d parameters fitted "
                        "(effect threshold %.3f, one-group share %.2f)", c->J_start, c->noise_J, x->n_fit, nc,
                     c->screen_threshold, c->confine_share);
    }
    free(th), free(M), free(b);
    return rc;
}

static int run(cal_ctx *x)
{
    cor_calib *c = x->c;
    const size_t cell = (size_t)x->G * (size_t)x->T;
    double *M = malloc(cell * sizeof *M), *prev = malloc((size_t)(c->n_params + 1) * sizeof *prev);
    if (!M || !prev) {
        free(M), free(prev);
        return cal_fail(c, COR_ENOMEM, "out of memory");
    }
    int rc = screen(x, M);
    c->J_end = c->J_start;
    c->obj_end = c->obj_start;
    memcpy(c->sw_params, c->sw_start, (size_t)x->T * sizeof(double));
    c->mape_params = c->mape_start, c->corr_params = c->corr_start;
    memcpy(c->sw_end, c->sw_start, (size_t)x->T * sizeof(double));
    for (int r = 0; rc == COR_OK && r < c->opt.rounds; r++) {
        memcpy(prev, x->cur, (size_t)c->n_params * sizeof *prev);
        if (r > 0)
            cal_offsets(x);
        if (x->n_fit > 0) {
            double f0 = 0, f1 = 0, J1 = 0;
            cal_progress(x, "round %d: fitting %d parameters (BOBYQA, at most %d evaluations)", r + 1, x->n_fit,
                         c->opt.max_evals);
            if ((rc = optimise(x, r, &f0, &f1, &J1)) != COR_OK)
                break;
            c->round_obj_start[r] = f0, c->round_obj_end[r] = f1;
            c->obj_end = f1, c->J_end = J1;
            memcpy(M, x->best_M, cell * sizeof *M);
            if (r == 0) {
                cal_sw(x, x->best_M, c->sw_params);
                cal_fit_stats(x, c->sw_params, &c->mape_params, &c->corr_params);
            }
            cal_progress(x, "round %d: objective %.5f -> %.5f in %d evaluations", r + 1, f0, f1, c->round_evals[r]);
        }
        c->rounds_done = r + 1;
        memcpy(c->round_values + (size_t)r * (size_t)c->n_params, x->cur, (size_t)c->n_params * sizeof *x->cur);
        if (!c->opt.no_demand && (rc = cal_invert(x, x->cur, r, M)) != COR_OK)
            break;
        double move = 0;
        for (int i = 0; i < x->n_fit; i++) {
            const cor_cal_param *p = &c->params[x->fit[i]];
            const double d = fabs(cal_to_u(p, x->cur[x->fit[i]]) - cal_to_u(p, prev[x->fit[i]]));
            move = d > move ? d : move;
        }
        if (c->opt.no_demand || x->n_fit == 0 || (r > 0 && move < 0.01))
            break;
    }
    if (rc == COR_OK) {
        for (int i = 0; i < c->n_params; i++)
            c->params[i].value = x->cur[i];
        cal_sw(x, M, c->sw_end);
        memcpy(c->enc_end, M, cell * sizeof *M);
        cal_fit_stats(x, c->sw_end, &c->mape_end, &c->corr_end);
        group_stats(x, M, 1);
    }
    if (rc == COR_OK && x->n_fit > 0 && !c->opt.no_interval) {
        if (!c->opt.no_demand)
            cal_offsets(x);
        rc = intervals(x);
    }
    free(M), free(prev);
    return rc;
}

static void teardown(cal_ctx *x)
{
    cor_scenario_free(x->master);
    for (int i = 0; x->work && i < x->n_work; i++)
        cor_scenario_free(x->work[i]);
    free(x->work);
    free(x->E), free(x->S), free(x->w), free(x->offset), free(x->obs_g);
    free(x->u0), free(x->cur), free(x->fit), free(x->best_M), free(x->best_theta), free(x->M_tmp);
}

int cor_calibrate(const char *scenario_path, const cor_cal_obs *obs, const cor_cal_options *opt, cor_calib **out)
{
    cor_calib *c = calloc(1, sizeof *c);
    *out = c;
    if (!c)
        return COR_ENOMEM;
    const double t0 = now_s();
    if (!opt || !obs || !scenario_path)
        return cal_fail(c, COR_EARG, "no scenario, observations or options");
    c->opt = *opt;
    cor_cal_options *o = &c->opt;
    o->scale = o->scale > 0 ? o->scale : 100;
    o->threads = o->threads > 0 ? o->threads : 1;
    o->reps = o->reps > 0 ? o->reps : 2;
    o->max_evals = o->max_evals > 0 ? o->max_evals : 150;
    o->rounds = o->rounds > 0 ? o->rounds : 2;
    o->rounds = o->rounds > COR_CAL_MAXROUNDS ? COR_CAL_MAXROUNDS : o->rounds;
    o->burn_in = o->burn_in >= 0 ? o->burn_in : 3;
    o->demand_iters = o->demand_iters > 0 ? o->demand_iters : 12;
    o->damping = o->damping > 0 ? (o->damping > 1 ? 1 : o->damping) : 0.7;
    o->smooth = o->smooth > 0 ? o->smooth : 0;
    if (o->fix && !(c->fix = strdup(o->fix)))
        return cal_fail(c, COR_ENOMEM, "out of memory");
    o->fix = c->fix;
    if (o->until <= 0)
        return cal_fail(c, COR_EARG, "no until month");
    cal_ctx x = {.c = c};
    int rc = setup(&x, scenario_path, obs);
    if (rc == COR_OK)
        rc = run(&x);
    teardown(&x);
    c->runtime_s = now_s() - t0;
    return rc;
}

int cor_calib_apply(const cor_calib *c, cor_scenario *sc)
{
    for (int i = 0; i < c->n_params; i++)
        if (cor_scenario_set_param(sc, c->params[i].name, c->params[i].value) != COR_OK)
            return COR_EARG;
    if (cor_scenario_n_groups(sc) != c->n_groups)
        return COR_EARG;
    for (int g = 0; g < c->n_groups; g++) {
        int m0, n;
        double *d = cor_scenario_demand(sc, g, &m0, &n);
        if (strcmp(cor_scenario_group_id(sc, g), c->groups[g].id) || m0 != c->groups[g].month0 ||
            n != c->groups[g].n_months)
            return COR_EARG;
        if (n)
            memcpy(d, c->groups[g].demand, (size_t)n * COR_N_DEMOS * sizeof *d);
    }
    return COR_OK;
}

void cor_calib_free(cor_calib *c)
{
    if (!c)
        return;
    free(c->scenario_path), free(c->scenario_name), free(c->fix);
    for (int i = 0; c->params && i < c->n_params; i++)
        free(c->params[i].name);
    free(c->params);
    for (int g = 0; c->groups && g < c->n_groups; g++)
        free(c->groups[g].id), free(c->groups[g].prior), free(c->groups[g].demand);
    free(c->groups);
    free(c->sw_obs), free(c->sw_start), free(c->sw_params), free(c->sw_end);
    free(c->enc_obs), free(c->enc_start), free(c->enc_end), free(c->round_values);
    free(c);
}
