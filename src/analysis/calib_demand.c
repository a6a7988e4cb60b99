/* calib_demand.c - re-estimating the latent departure demand by inverting the
 * model (docs/CALIBRATION.md, "Demand inversion").
 *
 * For each observed group g the model's encounters in month t come from the
 * departures of earlier months (travel takes time): the group's travel
 * kernel k_j (share of a departure cohort's encounters j = 0..4 months
 * later) is measured on the model at the round's parameters by one extra
 * evaluation with the demand doubled in every fifth month (probe_kernel;
 * where that is not possible, the shift of the demand best correlated with a
 * run's encounters, cal_kernel).  A damped, geometric Richardson-Lucy step
 * then
 * corrects each demand month m by the kernel-weighted log ratio of observed
 * to modelled encounters in the months its departures reach the border:
 *
 *     D(m) <- D(m) * exp(alpha * sum_j k_j ln((E(m+j) + eps) / (M(m+j) + eps)))
 *
 * Months beyond the last fitted month hold its ratio (so data after --until
 * never enter), months before the first hold the first one.  The correction
 * is the same for the three demographics; the step is limited to a factor e
 * per run and the total correction to [1/50, 50] of the prior. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/calib_internal.h"
#include "scenario/scenario.h"

#define K COR_CAL_KMAX
#define CLAMP_TOTAL 50.0
#define OFFSET_SMOOTH 4    /* passes of (1/4, 1/2, 1/4) on the log correction before it becomes a round's offset */

static double dtot(const cor_cal_group *gr, const double *d, int month)
{
    const int m = month - gr->month0;
    if (m < 0 || m >= gr->n_months)
        return 0;
    return d[m * COR_N_DEMOS] + d[m * COR_N_DEMOS + 1] + d[m * COR_N_DEMOS + 2];
}

void cal_kernel(cal_ctx *x, const double *M)
{
    cor_calib *c = x->c;
    for (int g = 0; g < x->G; g++) {
        cor_cal_group *gr = &c->groups[g];
        double best = -1, best_lag = 1;
        /* the lag L (months, step 0.05) whose shifted demand best explains the
         * run's encounters up to a factor: max (sum M D_L)^2 / sum D_L^2 */
        for (int step = 0; gr->observed && step <= 20 * K; step++) {
            const double lag = step / 20.0;
            const int k = (int)lag;
            const double f = lag - k;
            double md = 0, dd = 0;
            for (int t = 0; t < x->T; t++) {
                if (!(x->S[t] > 0))
                    continue;
                const int month = c->fit_first + t;
                const double d = (1 - f) * dtot(gr, gr->demand, month - k) + f * dtot(gr, gr->demand, month - k - 1);
                md += M[(size_t)g * (size_t)x->T + (size_t)t] * d;
                dd += d * d;
            }
            const double score = dd > 0 ? md * md / dd : 0;
            if (score > best * (1 + 1e-12)) {
                best = score;
                best_lag = lag;
            }
        }
        memset(gr->kernel, 0, sizeof gr->kernel);
        const int k = (int)best_lag;
        const double f = best_lag - k;
        gr->kernel[k] = 1 - f;
        if (k + 1 <= K)
            gr->kernel[k + 1] += f;
        gr->mean_lag = best_lag;
    }
}

/* Log ratio observed / model by fitted month, months without a record
 * filled from the nearest month with one. */
static void log_ratio(const cal_ctx *x, int g, const double *M, double *lr)
{
    int last = -1;
    for (int t = 0; t < x->T; t++) {
        const size_t k = (size_t)g * (size_t)x->T + (size_t)t;
        if (x->S[t] > 0) {
            lr[t] = log((x->E[k] + x->eps) / (M[k] + x->eps));
            if (last < 0)
                for (int u = 0; u < t; u++)
                    lr[u] = lr[t];
            last = t;
        } else {
            lr[t] = last >= 0 ? lr[last] : 0;
        }
    }
}

/* One correction step of every observed group's demand from M: the
 * kernel-weighted log ratio, damped, smoothed over months (opt.smooth passes
 * of the filter 1/4, 1/2, 1/4), limited to a factor e; the total correction
 * is kept within [1/50, 50] of the prior. */
static int update(cal_ctx *x, const double *M, double *lr)
{
    cor_calib *c = x->c;
    const double alpha = c->opt.damping;
    for (int g = 0; g < x->G; g++) {
        cor_cal_group *gr = &c->groups[g];
        if (!gr->observed || gr->n_months == 0)
            continue;
        double *st = malloc((size_t)gr->n_months * 2 * sizeof *st);
        if (!st)
            return cal_fail(c, COR_ENOMEM, "out of memory");
        double *tmp = st + gr->n_months;
        log_ratio(x, g, M, lr);
        for (int m = 0; m < gr->n_months; m++) {
            const int month = gr->month0 + m;
            double q = 0;
            for (int j = 0; j <= K; j++) {
                int t = month + j - c->fit_first;
                t = t < 0 ? 0 : t >= x->T ? x->T - 1 : t;
                q += gr->kernel[j] * lr[t];
            }
            st[m] = alpha * q;
        }
        for (int pass = 0; pass < c->opt.smooth; pass++) {
            const int n = gr->n_months;
            for (int m = 0; m < n; m++)
                tmp[m] = 0.25 * st[m > 0 ? m - 1 : 0] + 0.5 * st[m] + 0.25 * st[m + 1 < n ? m + 1 : n - 1];
            memcpy(st, tmp, (size_t)n * sizeof *st);
        }
        gr->clamped = 0;
        for (int m = 0; m < gr->n_months; m++) {
            const int month = gr->month0 + m;
            const double step = st[m] > 1 ? 1 : st[m] < -1 ? -1 : st[m];
            const double p = dtot(gr, gr->prior, month), d = dtot(gr, gr->demand, month);
            if (!(p > 0) || !(d > 0))
                continue;
            double f = d / p * exp(step);
            if (f >= CLAMP_TOTAL || f <= 1.0 / CLAMP_TOTAL) {
                f = f >= CLAMP_TOTAL ? CLAMP_TOTAL : 1.0 / CLAMP_TOTAL;
                gr->clamped++;
            }
            for (int dm = 0; dm < COR_N_DEMOS; dm++)
                gr->demand[m * COR_N_DEMOS + dm] = gr->prior[m * COR_N_DEMOS + dm] * f;
        }
        free(st);
    }
    return COR_OK;
}

/* The travel kernel measured on the model itself: one extra evaluation
 * with each observed group's demand doubled in every PROBE_GAP-th month
 * (from the first fitted month on, cohorts whose lags 0..K all fall in the
 * fitted window); the extra encounters j months after a doubled month,
 * summed over those cohorts and normalised, are kernel[j].  Common random
 * numbers make the difference to the base run M mostly the cohorts' own.
 * A group with no such cohort, or no positive difference, keeps the shift
 * estimate of cal_kernel.  Returns COR_OK or an error (c->errmsg). */
#define PROBE_GAP (K + 1)
static int probe_kernel(cal_ctx *x, const double *theta, const double *M)
{
    cor_calib *c = x->c;
    const size_t cell = (size_t)x->G * (size_t)x->T;
    if (x->T < K + 1)
        return COR_OK;
    double *Mp = malloc(cell * sizeof *Mp);
    if (!Mp)
        return cal_fail(c, COR_ENOMEM, "out of memory");
    for (int g = 0; g < x->G; g++) {
        cor_cal_group *gr = &c->groups[g];
        for (int month = c->fit_first; gr->observed && month + K <= c->fit_last; month += PROBE_GAP) {
            const int m = month - gr->month0;
            for (int dm = 0; m >= 0 && m < gr->n_months && dm < COR_N_DEMOS; dm++)
                gr->demand[m * COR_N_DEMOS + dm] *= 2;
        }
    }
    int rc = cal_eval(x, 1, theta, Mp);
    for (int g = 0; g < x->G; g++) {
        cor_cal_group *gr = &c->groups[g];
        double k[K + 1] = {0}, sum = 0;
        for (int month = c->fit_first; gr->observed && month + K <= c->fit_last; month += PROBE_GAP) {
            const int m = month - gr->month0;
            for (int dm = 0; m >= 0 && m < gr->n_months && dm < COR_N_DEMOS; dm++)
                gr->demand[m * COR_N_DEMOS + dm] /= 2;
            for (int j = 0; rc == COR_OK && j <= K; j++) {
                const size_t q = (size_t)g * (size_t)x->T + (size_t)(month + j - c->fit_first);
                k[j] += Mp[q] - M[q];
            }
        }
        for (int j = 0; j <= K; j++)
            sum += (k[j] = k[j] > 0 ? k[j] : 0);
        if (rc != COR_OK || !(sum > 0))
            continue;
        gr->mean_lag = 0;
        for (int j = 0; j <= K; j++) {
            gr->kernel[j] = k[j] / sum;
            gr->mean_lag += j * gr->kernel[j];
        }
    }
    free(Mp);
    return rc;
}

static int save_demand(cal_ctx *x, double **store, int restore)
{
    for (int g = 0; g < x->G; g++) {
        cor_cal_group *gr = &x->c->groups[g];
        const size_t n = (size_t)gr->n_months * COR_N_DEMOS * sizeof(double);
        if (!store[g] && !restore && n && !(store[g] = malloc(n)))
            return COR_ENOMEM;
        if (n)
            memcpy(restore ? gr->demand : store[g], restore ? store[g] : gr->demand, n);
    }
    return COR_OK;
}

int cal_invert(cal_ctx *x, const double *theta, int round, double *M_out)
{
    cor_calib *c = x->c;
    const size_t cell = (size_t)x->G * (size_t)x->T;
    double *M = malloc(cell * sizeof *M), *lr = malloc((size_t)x->T * sizeof *lr);
    double **best = calloc((size_t)x->G, sizeof *best);
    int rc = M && lr && best ? COR_OK : cal_fail(c, COR_ENOMEM, "out of memory");
    if (rc == COR_OK)
        rc = cal_eval(x, 1, theta, M);
    double res = rc == COR_OK ? cal_J(x, M, 0) : 0, noise = rc == COR_OK ? cal_noise_J(x, M) : 0;
    double best_res = res, prev = res;
    int it = 0, converged = 0, stall = 0;
    c->inv_res[0] = res;
    if (rc == COR_OK) {
        cal_kernel(x, M);
        memcpy(M_out, M, cell * sizeof *M);
        rc = save_demand(x, best, 0);
    }
    if (rc == COR_OK)
        rc = probe_kernel(x, theta, M);
    cal_progress(x, "round %d: demand inversion: run 1: residual J %.5f (Monte Carlo level %.5f)", round + 1, res,
                 noise);
    while (rc == COR_OK && it + 1 < c->opt.demand_iters && it + 1 < COR_CAL_MAXITER) {
        if (prev <= noise) {
            converged = 1;
            break;
        }
        if ((rc = update(x, M, lr)) != COR_OK || (rc = cal_eval(x, 1, theta, M)) != COR_OK)
            break;
        res = cal_J(x, M, 0);
        c->inv_res[++it] = res;
        cal_progress(x, "round %d: demand inversion: run %d: residual J %.5f", round + 1, it + 1, res);
        if (res < best_res) {
            best_res = res;
            memcpy(M_out, M, cell * sizeof *M);
            rc = save_demand(x, best, 0);
        }
        /* two runs in a row less than 2% better than the best: the Monte Carlo noise dominates */
        stall = res > prev * 0.98 ? stall + 1 : 0;
        if (stall == 2)
            break;
        prev = res < prev ? res : prev;
    }
    converged |= best_res <= noise;
    if (rc == COR_OK)
        save_demand(x, best, 1);
    c->inv_iters = it + 1;
    c->inv_converged = converged;
    c->round_inv_iters[round] = it + 1;
    c->round_inv_start[round] = c->inv_res[0];
    c->round_inv_end[round] = best_res;
    for (int g = 0; best && g < x->G; g++)
        free(best[g]);
    free(best), free(M), free(lr);
    return rc;
}

void cal_offsets(cal_ctx *x)
{
    cor_calib *c = x->c;
    for (int g = 0; g < x->G; g++) {
        const cor_cal_group *gr = &c->groups[g];
        double *l = gr->observed && gr->n_months ? malloc((size_t)gr->n_months * 2 * sizeof *l) : NULL;
        for (int t = 0; t < x->T; t++)
            x->offset[(size_t)g * (size_t)x->T + (size_t)t] = 0;
        if (!l)
            continue; /* unobserved, or no memory: no offset (the round then fits against the prior) */
        double *tmp = l + gr->n_months;
        const int n = gr->n_months;
        for (int m = 0; m < n; m++) {
            const double p = dtot(gr, gr->prior, gr->month0 + m), d = dtot(gr, gr->demand, gr->month0 + m);
            l[m] = p > 0 && d > 0 ? log(d / p) : 0;
        }
        for (int pass = 0; pass < OFFSET_SMOOTH; pass++) {
            for (int m = 0; m < n; m++)
                tmp[m] = 0.25 * l[m > 0 ? m - 1 : 0] + 0.5 * l[m] + 0.25 * l[m + 1 < n ? m + 1 : n - 1];
            memcpy(l, tmp, (size_t)n * sizeof *l);
        }
        for (int t = 0; t < x->T; t++) {
            double o = 0;
            for (int j = 0; j <= K; j++) {
                int m = c->fit_first + t - j - gr->month0;
                m = m < 0 ? 0 : m >= n ? n - 1 : m;
                o += gr->kernel[j] * l[m];
            }
            x->offset[(size_t)g * (size_t)x->T + (size_t)t] = o;
        }
        free(l);
    }
}
