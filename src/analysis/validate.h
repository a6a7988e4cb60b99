/* validate.h - how far a finished simulation is from the record
 * (docs/VALIDATION.md gives every definition).
 *
 * Three layers, each usable on its own:
 *  1. metrics on plain arrays (MAPE, correlation, Flee's averaged relative
 *     difference, mean absolute difference), NAN-aware;
 *  2. the simulated side, cor_vsim: every series cell of a finished sim,
 *     extracted in one pass through the public API (cor_sim_record), or built
 *     by hand (tests);
 *  3. cor_validate(): the metrics of a cor_vsim against a cor_observed
 *     (analysis/observed.h) and a list of facts (data/facts.csv) over a
 *     period, and cor_validation_json() for validation.json.
 *
 * Fractions everywhere: a MAPE of 0.25 is 25%; a relative error is
 * (sim - obs) / obs.  Months are indices year*12 + month-1.
 * Ownership: *_new / *_load / cor_validate allocate, the matching *_free frees.
 * No printing; errors are codes with the message written into err.
 */
#ifndef COR_VALIDATE_H
#define COR_VALIDATE_H

#include <stddef.h>

#include <cjson/cJSON.h>

#include "analysis/observed.h"
#include "corredor.h"

/* ------------------------------------------------------------ metrics */

/* Each skips the pairs (or months) with a NAN, and sets *used (may be NULL)
 * to the number of pairs (months) used; NAN when none is usable. */
/* mean of |sim - obs| / obs over pairs with obs > 0 */
double cor_metric_mape(const double *sim, const double *obs, int n, int *used);
/* Pearson's correlation; NAN when either side is constant or n < 2 */
double cor_metric_corr(const double *sim, const double *obs, int n, int *used);
/* Flee's averaged relative difference over n_rows rows (months) of n_cols
 * units (sectors, camps), row-major: the mean over rows of
 * sum_u |sim - obs| / sum_u obs; a row is skipped if any obs is NAN or the
 * obs sum is 0 */
double cor_metric_ard(const double *sim, const double *obs, int n_rows, int n_cols, int *used);
/* mean of |a - b| */
double cor_metric_mean_abs_diff(const double *a, const double *b, int n, int *used);

/* -------------------------------------------------- the simulated side */

typedef struct cor_vsim cor_vsim;

/* An empty table of months first_month .. first_month + n_months - 1 with
 * the given series, places (id, name, kind) and groups; names are copied.
 * NULL when out of memory. */
cor_vsim *cor_vsim_new(int first_month, int n_months, int n_series, const char *const *series, int n_places,
                       const char *const *place_ids, const char *const *place_names, const char *const *place_kinds,
                       int n_groups, const char *const *groups);
/* Add a value to a cell (place, group: -1 where the record has none);
 * cells outside the table are ignored. */
void cor_vsim_add(cor_vsim *v, int series, int place, int group, int month, double value);
/* Everything a finished sim counted.  COR_ENOMEM or COR_OK. */
int cor_vsim_from_sim(const cor_sim *sim, cor_vsim **out);
void cor_vsim_free(cor_vsim *v);

int cor_vsim_first_month(const cor_vsim *v);
int cor_vsim_n_months(const cor_vsim *v);
/* Index of a series, place (by id, or by name for kind us_sector) or group; -1 if none. */
int cor_vsim_series(const cor_vsim *v, const char *name);
int cor_vsim_place(const cor_vsim *v, const char *id);
int cor_vsim_sector(const cor_vsim *v, const char *name);
int cor_vsim_group(const cor_vsim *v, const char *id);
/* Value of a series in a month (0 outside the table), at a place (-1: all
 * places and the cells without one), or of a group (-1: all). */
double cor_vsim_value(const cor_vsim *v, int series, int place, int month);
double cor_vsim_group_value(const cor_vsim *v, int series, int group, int month);

/* ------------------------------------------------------------- facts */

/* cor_fact and cor_facts_load() are in analysis/observed.h. */

typedef struct {
    const cor_fact *fact;
    int evaluated;             /* 0: see why */
    char why[200];
    double sim_a, sim_b;       /* sums over periods A and B */
    double simulated;          /* the sum (count kinds) or the change (change kinds) */
    double lower, upper;       /* the accepted interval (NAN: open); bounds of threshold kinds are strict */
    int pass;
} cor_fact_result;

/* Evaluate a fact on the simulated side; it is evaluated when all its months
 * lie in the table and its first month lies in [from, to]. */
void cor_fact_eval(const cor_vsim *v, const cor_fact *f, int from, int to, cor_fact_result *r);
/* "sum of tvrh_issued, all places, 2018-12..2019-02"-style text. */
void cor_fact_definition(const cor_fact *f, char *buf, size_t n);

/* -------------------------------------------------------- validation */

typedef struct {
    int year;
    double sim, obs, rel_error;
} cor_vyear;

typedef struct {
    int year;
    double obs, sim_border, sim_total;
} cor_vdeaths;

/* Targets of issue 4 (docs/VALIDATION.md). */
#define COR_TARGET_ENCOUNTERS_MAPE 0.25
#define COR_TARGET_ENCOUNTERS_CORR 0.9
#define COR_TARGET_SECTOR_ARD 0.25
#define COR_TARGET_FACTS_SHARE 0.8

typedef struct {
    int from, to;                      /* the period compared (inside the run) */
    /* fit: what calibration sees */
    double encounters_mape, encounters_corr;
    int encounters_n;
    double group_ard;
    int group_n;
    cor_vyear enc_year[COR_OBS_N_YEARS];
    int n_enc_year;
    /* held out */
    double sector_ard;
    int sector_n;
    double sector_sim[COR_OBS_N_SECTORS], sector_obs[COR_OBS_N_SECTORS]; /* totals over the months used */
    double title42_share_error;
    int title42_n, title42_usbp_n;
    int has_comar, has_upm, has_deaths;
    cor_vyear comar[COR_OBS_N_YEARS], upm[COR_OBS_N_YEARS];
    int n_comar, n_upm;
    cor_vdeaths deaths[COR_OBS_N_YEARS];
    int n_deaths;
    cor_fact_result *facts;
    int n_facts, n_facts_evaluated, n_facts_pass;
} cor_validation;

/* Compare over [from, to] (clipped to the table); COR_EARG with a message
 * if the period does not overlap the table.  r->facts is allocated. */
int cor_validate(const cor_vsim *v, const cor_observed *o, const cor_fact *facts, int n_facts, int from, int to,
                 cor_validation *r, char *err, size_t errn);
void cor_validation_free(cor_validation *r);

/* The validation as JSON (validation.json without the run's metadata,
 * which the caller adds); NULL when out of memory. */
cJSON *cor_validation_json(const cor_validation *r);

#endif
