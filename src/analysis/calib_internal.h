/* calib_internal.h - shared by src/analysis/calib*.c (not a public API).
 *
 * A calibration context: the observations aligned on the scenario's groups
 * and the fitted months, one loaded scenario per thread for the runs, the
 * current demand, and the objective's weights and offsets. */
#ifndef COR_CALIB_INTERNAL_H
#define COR_CALIB_INTERNAL_H

#include "analysis/calibrate.h"

typedef struct {
    cor_calib *c;
    cor_scenario *master;      /* the scenario as written (for ids, origins, notes) */
    cor_scenario **work;       /* one per thread; meta.end cut to the last fitted month */
    int n_work;
    int G, T;                  /* scenario groups, fitted months */
    double eps;                /* one agent in people: added inside the logs */
    double *E;                 /* observed [G*T]; 0 where the group is not observed */
    double *S;                 /* observed southwest total of the observed groups [T] */
    double *w;                 /* E / S [G*T]: share weights of the group term */
    double *offset;            /* [G*T] log demand correction of the round, mapped to encounter months */
    unsigned char *obs_g;      /* [G] group observed */
    double *u0;                /* prior position of every calibrated parameter in [0, 1] */
    double *cur;               /* current value of every calibrated parameter */
    int *fit;                  /* indices (into c->params) of the fitted parameters */
    int n_fit;
    double lambda;             /* weight of the prior pull in the round */
    /* optimisation bookkeeping */
    int evals_round, max_evals, failed, round;
    double best_f, *best_M, *best_theta, *M_tmp;
    double start_u[64], start_f;   /* the round's start (already run) */
    void *nlopt;               /* the optimiser of the round (nlopt_opt) */
} cal_ctx;

/* ---- calib_eval.c ---- */

/* Parameter value <-> position u in [0, 1] (log scale when p->logscale). */
double cal_to_u(const cor_cal_param *p, double v);
double cal_from_u(const cor_cal_param *p, double u);

/* Run the model at npts points (theta: npts rows of c->n_params values, the
 * value of every calibrated parameter) with the context's current demand
 * (c->groups[].demand), reps runs each; M (npts rows of G*T) gets the mean
 * encounters by group and fitted month.  COR_OK or an error with the
 * message in c->errmsg. */
int cal_eval(cal_ctx *x, int npts, const double *theta, double *M);

/* The fit part of the objective for model encounters M (with the context's
 * offset applied when use_offset): J = A/2 + B/2 (docs/CALIBRATION.md). */
double cal_J(const cal_ctx *x, const double *M, int use_offset);
/* The same weighted mean square of the difference of two model results. */
double cal_dist2(const cal_ctx *x, const double *M1, const double *M2);
/* People moved between two model results, by group: b[g] = sum over the
 * fitted months of |M1 - M2| (G values). */
void cal_dist2_groups(const cal_ctx *x, const double *M1, const double *M2, double *b);
/* Expected Monte Carlo contribution to J at M (Poisson, reps runs). */
double cal_noise_J(const cal_ctx *x, const double *M);
/* Lag-1 autocorrelation of the log residual of the southwest total. */
double cal_rho(const cal_ctx *x, const double *M, int use_offset);
/* Southwest total of the observed groups in M, by fitted month (out[T]). */
void cal_sw(const cal_ctx *x, const double *M, double *out);
/* MAPE (%) and Pearson correlation of a[T] against the record. */
void cal_fit_stats(const cal_ctx *x, const double *sw, double *mape, double *corr);

void cal_progress(cal_ctx *x, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;
int cal_fail(cor_calib *c, int rc, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

/* ---- calib_demand.c ---- */

/* Fallback estimate of each observed group's travel lag from M (a run with
 * the current demand): the shift L in [0, COR_CAL_KMAX] months (step 0.05)
 * of the demand that best explains the encounters up to a factor; kernel =
 * linear interpolation between the two whole months around L.  cal_invert
 * replaces it by the kernel measured on the model (a run with the demand
 * doubled in every fifth month) wherever the fitted window holds such a
 * cohort: the shift estimate is confounded by policies that change the
 * share of departures encountered over time. */
void cal_kernel(cal_ctx *x, const double *M);
/* Invert the demand at parameters theta (c->n_params values): damped
 * multiplicative corrections until the residual reaches the Monte Carlo
 * level, stops improving, or max runs.  Leaves the best demand in
 * c->groups[].demand and its encounters in M_out (G*T). */
int cal_invert(cal_ctx *x, const double *theta, int round, double *M_out);
/* The round's offsets: each group's log demand correction (demand / prior),
 * smoothed over months (4 passes of 1/4, 1/2, 1/4: the month-to-month
 * wiggles of the inversion are its noise, not a correction the parameters
 * could make), carried to encounter months by its kernel. */
void cal_offsets(cal_ctx *x);

#endif
