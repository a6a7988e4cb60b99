/* calibrate.h - fit a scenario's `calibrated` parameters and re-estimate its
 * latent departure demand against observed monthly US Border Patrol
 * encounters by nationality group (docs/CALIBRATION.md).
 *
 * Method in one paragraph: the model is run with common random numbers (the
 * same seed and run numbers 0..reps-1 for every evaluation, averaged).  The
 * parameters are fitted by NLopt's BOBYQA inside their prior ranges, on an
 * objective that compares the model's monthly encounters by group (and their
 * southwest total) with the record on a log scale, plus a Gaussian pull
 * toward the prior values; the demand is then inverted (a damped
 * Richardson-Lucy multiplicative fixed point through the model's own travel
 * lag) so that the model reproduces each group's encounters.  The two steps
 * alternate: the parameter objective of a later round measures the demand
 * correction that its parameters would need relative to the scenario's prior
 * demand, so that the parameters stay identified although the demand can
 * absorb any misfit.
 *
 * Uses only the public API (corredor.h), the scenario structures
 * (scenario/scenario.h) and the demand data readers (data/demand_read.h).
 * The library never prints: progress goes to an optional callback.
 *
 * Ownership: cor_cal_obs_new / cor_calibrate allocate, the matching *_free
 * releases everything the structures point to.
 */
#ifndef COR_CALIBRATE_H
#define COR_CALIBRATE_H

#include <stddef.h>
#include <stdio.h>
#include <stdint.h>

#include "corredor.h"
#include "scenario/scenario.h"

/* ------------------------------------------------------------ observations */

/* Observed encounters (people) by group id and month index (year*12 + m-1).
 * people[g * n_months + m] for month month0 + m; NAN where not observed. */
typedef struct {
    int n_groups;
    char **group;
    int month0, n_months;
    double *people;
    char errmsg[1024];
} cor_cal_obs;

cor_cal_obs *cor_cal_obs_new(void);
void cor_cal_obs_free(cor_cal_obs *o);

/* USBP southwest encounters by group from data_dir (the files of
 * cor_dm_load_encounters: the nine-group file plus Ecuador and Colombia),
 * rows after `until` (month index; 0: none) are not used.  Group ids are the
 * demand groups' (mexico, guatemala, ..., other). */
int cor_cal_obs_from_data(cor_cal_obs *o, const char *data_dir, int until);

/* A CSV file "month,group,people" (header required; month YYYY-MM; a group
 * and month at most once); rows after `until` (0: none) are not used.
 * Errors name file and line. */
int cor_cal_obs_from_csv(cor_cal_obs *o, const char *path, int until);

/* The us_encounters of a finished run, by group and month, up to `until`
 * (0: all months): synthetic observations for tests. */
int cor_cal_obs_from_sim(cor_cal_obs *o, const cor_sim *sim, int until);

/* Write the observations as the CSV read by cor_cal_obs_from_csv. */
int cor_cal_obs_write_csv(cor_cal_obs *o, const char *path);

/* ----------------------------------------------------------------- options */

typedef struct {
    int until;              /* last observed month used (month index); required */
    double scale;           /* people per agent; <= 0: 100 */
    uint64_t seed;          /* with has_seed; else the scenario's meta.seed */
    int has_seed;
    int threads;            /* simulations run side by side; <= 0: 1 (results do not depend on it) */
    int reps;               /* runs per evaluation (run numbers 0..reps-1, averaged); <= 0: 2 */
    int max_evals;          /* optimiser evaluations per round; <= 0: 150 */
    int rounds;             /* parameter fit + demand inversion rounds; <= 0: 2 */
    int burn_in;            /* months after the scenario start left out of the fit; < 0: 3 */
    int demand_iters;       /* demand inversion runs per round at most; <= 0: 12 */
    double damping;         /* exponent of the multiplicative correction, (0, 1]; <= 0: 0.7 */
    int smooth;             /* passes of the filter (1/4, 1/2, 1/4) over months on each correction step;
                               <= 0: none (the default) */
    const char *fix;        /* "name,prefix*,...": calibrated parameters kept at their values (a name
                               that is not a calibrated parameter is an error; a prefix may match none) */
    int no_params;          /* 1: only invert the demand */
    int no_demand;          /* 1: only fit the parameters */
    int no_interval;        /* 1: skip the curvature (90% intervals) */
    void (*progress)(void *ctx, const char *msg);
    void *progress_ctx;
} cor_cal_options;

/* ----------------------------------------------------------------- results */

enum {
    COR_CAL_FITTED = 0,     /* fitted */
    COR_CAL_FIXED_SCREEN,   /* kept: moves the encounters less than the screen's threshold */
    COR_CAL_FIXED_GROUP,    /* kept: acts on one group only (confounded with that group's demand) */
    COR_CAL_FIXED_USER      /* kept: named in options.fix (or no_params) */
};

typedef struct {
    char *name;
    double start;           /* value in the scenario (prior centre) */
    double value;           /* fitted value (= start when kept) */
    double lo, hi;          /* prior range */
    double ci_lo, ci_hi;    /* approximate 90% interval (NAN when kept) */
    double effect;          /* screen: weighted RMS change of log encounters from lo to hi */
    int top_group;          /* screen: the group with most of the encounters moved (-1: none) */
    double top_share;       /* its share of the encounters moved (people, summed over months) */
    int logscale;           /* optimised on a log scale (lo > 0 and hi / lo >= 10) */
    int status;             /* COR_CAL_* */
    int identified;         /* 1: the data curve the objective (interval narrower than the prior's) */
} cor_cal_param;

#define COR_CAL_KMAX 4      /* travel kernel: lags 0..COR_CAL_KMAX months */

typedef struct {
    char *id;
    int observed;           /* has observations (its demand is re-estimated) */
    int month0, n_months;
    double *prior;          /* n_months x 3 (single adults, family members, unaccompanied children) */
    double *demand;         /* re-estimated, same layout */
    double kernel[COR_CAL_KMAX + 1];   /* share of the encounters of a departure cohort j months later */
    double mean_lag;        /* months */
    int clamped;            /* demand months whose correction reached its bound (1/50 or 50) */
    double rms_start, rms_end;          /* RMS log residual of the group's monthly encounters */
    double obs_total, model_start_total, model_end_total;   /* encounters in the fit window */
} cor_cal_group;

#define COR_CAL_MAXROUNDS 8
#define COR_CAL_MAXITER 64

typedef struct {
    char *scenario_path, *scenario_name;
    cor_cal_options opt;    /* as used (defaults filled; fix points to the copy below) */
    char *fix;              /* copy of opt.fix */
    uint64_t seed;
    int fit_first, fit_last, n_fit;   /* fitted months (month indices), count */

    int n_params;           /* the scenario's calibrated parameters */
    cor_cal_param *params;
    int n_fitted;
    int n_groups;
    cor_cal_group *groups;

    /* objective (docs/CALIBRATION.md): ln J + lambda * sum over fitted parameters of (u - u0)^2 */
    double screen_threshold;          /* a parameter is fitted if its effect reaches this */
    double confine_share;             /* ... and no single group carries this share of it or more */
    double noise_J;                   /* Monte Carlo part of J at the start (Poisson estimate) */
    double J_start, obj_start;        /* prior parameters, prior demand (obj_start = ln J_start) */
    double J_end, obj_end;            /* fitted parameters, last round's objective */
    double lambda;                    /* weight of the prior pull in the last round: 1 / (n_eff tau^2) */
    double sigma2, n_eff, rho;        /* at the fitted point (at the start without intervals): J, effective
                                         number of independent months, lag-1 autocorrelation of the residual */
    int rounds_done;
    double round_obj_start[COR_CAL_MAXROUNDS], round_obj_end[COR_CAL_MAXROUNDS];
    int round_evals[COR_CAL_MAXROUNDS];
    double *round_values;             /* [round * n_params + i]: parameter values after each round's fit */
    int round_inv_iters[COR_CAL_MAXROUNDS];
    double round_inv_start[COR_CAL_MAXROUNDS], round_inv_end[COR_CAL_MAXROUNDS];
    int inv_converged;                /* last inversion reached the noise level */
    int inv_iters;                    /* runs of the last inversion */
    double inv_res[COR_CAL_MAXITER];  /* its residual J by run */
    int evals, sims;
    double runtime_s;

    /* monthly southwest totals over the fitted months (observed groups) */
    double *sw_obs, *sw_start, *sw_params, *sw_end;   /* n_fit each: record; prior run; fitted
                                                         parameters with the prior demand; final */
    double mape_start, corr_start, mape_params, corr_params, mape_end, corr_end;
    /* encounters by group and fitted month, [g * n_fit + t]: record (NAN where not observed), prior run, final */
    double *enc_obs, *enc_start, *enc_end;

    char errmsg[1024];
} cor_calib;

/* Calibrate the scenario at `scenario_path` against `obs`.  *out is set
 * (read the message from it on failure) unless memory ran out. */
int cor_calibrate(const char *scenario_path, const cor_cal_obs *obs, const cor_cal_options *opt, cor_calib **out);

/* Put the fitted parameters and demand into a loaded copy of the same
 * scenario (same groups and demand months). */
int cor_calib_apply(const cor_calib *c, cor_scenario *sc);

/* Write the overlay `yaml_path` (base: the scenario), the demand CSVs in
 * "<yaml_path without .yaml>-demand/<group>.csv" and the statistics in
 * "<yaml_path without .yaml>.json"; `date` (YYYY-MM-DD) goes into the notes.
 * Each file is written under a temporary name and renamed, the YAML last. */
int cor_calib_write(cor_calib *c, const char *yaml_path, const char *date);

void cor_calib_free(cor_calib *c);

/* Helpers shared with the hindcast (analysis/hindcast.c): the month index
 * of a day (days since 1970-01-01; *last: is it the month's last day), the
 * last day of a month as YYYY-MM-DD (0 ok, -1 out of range), a YAML
 * double-quoted scalar, mkdir -p (0 ok, -1 with errno). */
int cor_cal_day_month(int32_t day, int *last);
int cor_cal_last_day_of(int month, char out[11]);
void cor_cal_yaml_quote(FILE *f, const char *s);
int cor_cal_mkdirs(const char *dir);
/* A population's head as a YAML list item: id, name, country, origins. */
void cor_cal_yaml_population(FILE *f, const cor_sc_population *pop);

/* Month helpers: "YYYY-MM" -> month index (0 ok, -1 bad); index -> text. */
int cor_cal_parse_month(const char *s, int *month);
void cor_cal_format_month(int month, char out[8]);

#endif
