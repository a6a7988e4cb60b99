/* hindcast.h - the honest test (issue 4, item 5; docs/VALIDATION.md,
 * "Hindcasts"): fit the model on the record up to a month, forecast the
 * next months, and score the forecast of monthly USBP southwest encounters
 * against what happened and against two naive baselines.
 *
 * Pipeline of cor_hindcast_run (nothing after `train_until` enters steps
 * 1-4; the record after it is read only in step 5):
 *  1. re-derive the prior latent demand from the raw data files cut at
 *     train_until (cor_demand_derive with until; the shares stopped in
 *     Mexico re-estimated from the UPM periods that end by train_until,
 *     cor_demand_estimate_stopped), written with a `base:` overlay of the
 *     scenario into the work directory;
 *  2. calibrate that overlay against the encounters up to train_until
 *     (cor_calibrate: parameters and demand inversion);
 *  3. extrapolate the demand past the last well-estimated month of each
 *     group by the fixed rule below (it sees only the re-estimated demand);
 *  4. run the forecast `runs` times (run numbers 0..runs-1, the scenario's
 *     dated policy timeline as given: the forecast is conditional on it);
 *  5. read the observed encounters of the horizon and score.
 *
 * The demand rule (rule B: fixed before its own scores were seen, after
 * rule A's; both are reported in docs/VALIDATION.md):
 *  - month m of group g is *well estimated* when at least COR_HC_WELL (0.9)
 *    of its departures' encounters fall in months <= train_until, by the
 *    group's travel kernel from the calibration; L_g is the last such month;
 *  - seasonal index I(c), c = calendar month: the median over the training
 *    years of demand / centred 2x12 moving average, normalised to mean 1,
 *    computed on the demand of all groups together (months fit_first ..
 *    train_until, summed over demographics; 1 if some calendar month has
 *    fewer than 2 ratios).  This is rule B (COR_HC_SEASON_POOLED, the
 *    default).  Rule A (COR_HC_SEASON_GROUP, the first one tried) computed
 *    the index per group (months fit_first..L_g), falling back to the pooled
 *    one when a calendar month had fewer than 2 ratios or a median of 0; it
 *    was replaced because groups whose series grows from almost nothing
 *    (Venezuela, Haiti) got indices of 0.00-0.02, which blew up their level
 *    and the band's sigma (docs/VALIDATION.md reports both);
 *  - level (per group and demographic): the mean of demand / I over the
 *    last COR_HC_BASE (3) well-estimated months L_g-2..L_g;
 *  - every month after L_g (the poorly identified tail of the training
 *    period and the horizon): level * I(c).
 * The band: run r multiplies the extrapolated months of every group by
 * exp(sigma * sqrt(m - L_g) * z_r) (a random-walk spread of the level; z_r
 * standard normal, one per run, common to all groups), sigma the standard
 * deviation of the monthly change of ln(deseasonalised total demand) over
 * the last 24 well-estimated months; and draws each fitted parameter from
 * a normal with its calibration's 90% interval (sd = width / 3.29, clipped
 * to the prior range; none without intervals).  Draws: cor_ens_u01(seed,
 * run, name) (analysis/ensemble.h), so results do not depend on threads.
 *
 * Baselines: persistence = the record's value in train_until held;
 * seasonal naive = the record's value 12 months earlier (24, ... for
 * horizons over 12: the latest same calendar month <= train_until).
 *
 * Library rules: no printing (progress via callback), errors as codes with
 * the message in h->errmsg.  Ownership: cor_hindcast_run allocates *out
 * (set unless memory ran out); cor_hindcast_free frees it.
 */
#ifndef COR_HINDCAST_H
#define COR_HINDCAST_H

#include <stddef.h>
#include <stdint.h>

#include "analysis/calibrate.h"
#include "corredor.h"
#include "data/demand.h"

#define COR_HC_WELL 0.9      /* share of a cohort's encounters observed for a well-estimated month */
#define COR_HC_BASE 3        /* months averaged for the level */
#define COR_HC_SIGMA_MONTHS 24 /* months of changes for the band's sigma */
#define COR_HC_MAX_HORIZON 36
#define COR_HC_MAX_FILES 16

enum { COR_HC_SEASON_POOLED = 0, COR_HC_SEASON_GROUP = 1 };
/* COR_HC_LEVEL_LAST: L_g = train_until for every group (the level from the
 * last 3 training months, poorly identified or not).  A diagnostic tried
 * after the scores of the default were seen: it separates the extrapolation
 * from the model's response to the policies (docs/VALIDATION.md); never the
 * headline result. */
enum { COR_HC_LEVEL_WELL = 0, COR_HC_LEVEL_LAST = 1 };

typedef struct {
    int train_until;         /* last month of the record used (month index); required */
    int horizon;             /* months forecast, 1..COR_HC_MAX_HORIZON */
    double scale;            /* people per agent; <= 0: 100 */
    uint64_t seed;           /* with has_seed; else the scenario's meta.seed */
    int has_seed;
    int threads;             /* simulations side by side; <= 0: 1 (results do not depend on it) */
    int runs;                /* forecast runs for the band; <= 0: 30 */
    const char *data_dir;    /* NULL: "data" */
    const char *derivation;  /* demand derivation parameters; NULL: scenarios/corridor/derivation.yaml */
    const char *work_dir;    /* required: prior.yaml + prior-demand/ are written here */
    /* passed to cor_calibrate (0: its defaults) */
    int cal_reps, cal_max_evals, cal_rounds, cal_demand_iters, cal_no_interval;
    const char *cal_fix;     /* NULL: "comar_*" (as corredor calibrate) ; "" : none */
    int season_rule;         /* COR_HC_SEASON_POOLED (0, default) or COR_HC_SEASON_GROUP */
    int level_rule;          /* COR_HC_LEVEL_WELL (0, default) or COR_HC_LEVEL_LAST (diagnostic) */
    void (*progress)(void *ctx, const char *msg);
    void *progress_ctx;
} cor_hc_options;

typedef struct {
    char id[32];
    int last_well;           /* L_g (month index) */
    double cum_at_cut;       /* share of the cohort of train_until observed by the cut */
    double season[12];       /* I_g, January..December */
    int season_pooled;       /* 0: the group's own index (rule A), 1: all groups' index, 2: flat */
    double level[3];         /* per demographic, people per month (deseasonalised) */
    double stopped_share;    /* used in the prior derivation */
    int stopped_from;        /* 0: UPM periods by the cut, 1: pooled ratio by the cut, 2: derivation file */
} cor_hc_group;

typedef struct {
    char name[128];
    char hash[33];           /* XXH3-128, "%016llx%016llx" (high, low); "" if absent */
} cor_hc_file;

typedef struct {
    char *scenario_path, *scenario_name;
    cor_hc_options opt;      /* as used (defaults filled) */
    uint64_t seed;
    char scenario_hash[33];  /* of the forecast scenario (the prior overlay and everything it reads) */
    int n_files;
    cor_hc_file files[COR_HC_MAX_FILES];

    int month0, n;           /* forecast months month0 = train_until + 1 .. + n - 1 */
    int n_groups;
    cor_hc_group *groups;
    double sigma;            /* the band's monthly level spread */
    cor_calib *calib;        /* the calibration (owned) */

    /* forecast: runs[r * n + i] us_encounters of run r in month month0 + i */
    int n_runs;
    double *runs;
    double *median, *p5, *p95;   /* n each */
    /* scoring (read after the forecast) */
    double last_obs;             /* record in train_until */
    double *observed, *persistence, *seasonal;   /* n each; observed NAN where missing */
    int n_scored;
    double mae_model, mae_persistence, mae_seasonal;
    double mape_model, mape_persistence, mape_seasonal;
    double coverage_5_95;

    double runtime_s, runtime_derive_s, runtime_calib_s, runtime_runs_s;
    char errmsg[1024];
} cor_hindcast;

/* Run the whole hindcast of the scenario at `scenario_path`.  Errors:
 * COR_EARG for bad options ("--train-until 2011-05 is before the scenario's
 * start (2012-10)", "--horizon 7 from 2024-06 ends in 2025-01, after the
 * last month of the encounter record (2024-11)"...), the codes of the
 * derivation / calibration / runs with their messages. */
int cor_hindcast_run(const char *scenario_path, const cor_hc_options *opt, cor_hindcast **out);

/* Write dir/hindcast.json and dir/forecast.csv (month, observed,
 * model_median, p5, p95, persistence, seasonal), each through a temporary
 * name renamed when complete; dir must exist. */
int cor_hindcast_write(cor_hindcast *h, const char *dir);

void cor_hindcast_free(cor_hindcast *h);

/* ------------------------------------------------- pieces (for tests) */

/* Baselines for months month0 .. month0 + n - 1 from a monthly record
 * rec[m - rec0] (NAN: missing) cut at `until`: persistence = rec(until),
 * seasonal = rec(m - 12k), k the smallest >= 1 with m - 12k <= until.
 * Missing values give NAN. */
void cor_hc_baselines(const double *rec, int rec0, int rec_n, int until, int month0, int n, double *persistence,
                      double *seasonal);
/* Mean absolute error and mean absolute percentage error (fraction) of f
 * against obs over the months where obs is finite (and > 0 for MAPE); NAN
 * when there is none. */
double cor_hc_mae(const double *f, const double *obs, int n);
double cor_hc_mape(const double *f, const double *obs, int n);
/* Share of the finite obs inside [lo, hi] (NAN when none). */
double cor_hc_coverage(const double *lo, const double *hi, const double *obs, int n);
/* Quantile q of x[0..n) (sorted in place), linear interpolation between
 * order statistics (type 7). */
double cor_hc_quantile(double *x, int n, double q);
/* The seasonal index rule above on one monthly series y[0..n) starting at
 * month index m0 (cal = m % 12): 0 and idx[12] normalised, or -1 if some
 * calendar month has fewer than 2 ratios or a median ratio of 0. */
int cor_hc_season(const double *y, int m0, int n, double idx[12]);

#endif
