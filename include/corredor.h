/* corredor.h - the public API of libcorredor.
 *
 * corredor simulates people moving along a network of places and links, day
 * by day, under dated policy levers.  A scenario (YAML) describes the world;
 * a simulation handle (cor_sim) owns everything one run needs, so several
 * handles can run side by side on different threads.
 *
 * Conventions (after SQLite):
 *  - every function that can fail returns an int code (COR_OK on success);
 *  - the message for the last failure is kept on the handle:
 *    cor_scenario_errmsg(), cor_sim_errmsg();
 *  - the library never prints and never exits.
 * Ownership: whoever calls *_new / *_load frees with the matching *_free.
 */
#ifndef CORREDOR_H
#define CORREDOR_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define COR_VERSION "0.1.0"

/* Return codes. */
enum {
    COR_OK = 0,
    COR_EINPUT = 1,   /* a scenario or data file is invalid (message names file, line, field) */
    COR_EIO = 2,      /* a file could not be read or written */
    COR_ENOMEM = 3,   /* out of memory */
    COR_ESTATE = 4,   /* call not valid in the handle's current state */
    COR_EARG = 5      /* bad argument (e.g. unknown name) */
};

const char *cor_version(void);

/* ---------------------------------------------------------------- scenario */

typedef struct cor_scenario cor_scenario;

/* Load a scenario file, following its `base:` chain.  On failure *out is still
 * set (so the message can be read) unless memory ran out; free it either way. */
int cor_scenario_load(const char *path, cor_scenario **out);
/* Apply an overlay file (same format; typically `parameters:` only, as for
 * --params) on top of a loaded scenario, then re-check it. */
int cor_scenario_overlay(cor_scenario *sc, const char *path);
const char *cor_scenario_errmsg(const cor_scenario *sc);
const char *cor_scenario_name(const cor_scenario *sc);
uint64_t cor_scenario_seed(const cor_scenario *sc);
double cor_scenario_scale(const cor_scenario *sc);

/* Nationality groups (populations) of a loaded scenario, and their monthly
 * latent demand: a pointer to n_months x 3 values (people; demographics
 * single adults, family members, unaccompanied children) starting at month
 * index *month0 (year*12 + month-1).  The array belongs to the scenario and
 * may be changed in place (calibration re-estimates demand this way). */
int cor_scenario_n_groups(const cor_scenario *sc);
const char *cor_scenario_group_id(const cor_scenario *sc, int group);
double *cor_scenario_demand(cor_scenario *sc, int group, int *month0, int *n_months);

/* Parameters of a loaded scenario: count, and each one's name, value,
 * provenance (COR_PARAM_SOURCE / CALIBRATED / ASSUMED) and range (lo = hi =
 * value for sourced ones).  cor_scenario_set_param changes a value (for
 * sensitivity runs and calibration); COR_EARG if there is no such parameter. */
enum { COR_PARAM_SOURCE = 0, COR_PARAM_CALIBRATED = 1, COR_PARAM_ASSUMED = 2 };
int cor_scenario_n_params(const cor_scenario *sc);
const char *cor_scenario_param(const cor_scenario *sc, int i, double *value, int *provenance, double *lo, double *hi);
int cor_scenario_set_param(cor_scenario *sc, const char *name, double value);
void cor_scenario_free(cor_scenario *sc);

/* --------------------------------------------------------------- simulation */

typedef struct cor_sim cor_sim;

typedef struct {
    uint64_t seed;        /* used when has_seed */
    int has_seed;
    double scale;         /* people per agent; used when > 0, else the scenario's */
    int threads;          /* OpenMP threads for this handle; <= 0: 1 */
    uint32_t run;         /* run number (ensembles); part of every random stream key */
} cor_options;

cor_sim *cor_sim_new(void);
void cor_sim_free(cor_sim *sim);
const char *cor_sim_errmsg(const cor_sim *sim);

/* Build the world from a scenario (which must outlive the handle) and set up
 * the rule modules named by the scenario.  Also runs every semantic check
 * that needs the modules (unknown levers, missing parameters): a scenario
 * that passes cor_sim_init will run. */
int cor_sim_init(cor_sim *sim, const cor_scenario *sc, const cor_options *opt);

/* The i-th scenario parameter that neither the engine nor any loaded
 * module reads (a typo, or a parameter of a module not loaded): 1 and its
 * name, file and line, or 0 when there are no more. */
int cor_sim_unused_params(const cor_sim *sim, int i, const char **name, const char **file, int *line);

/* Advance one day / run to the scenario's end. */
int cor_sim_step(cor_sim *sim);
int cor_sim_run(cor_sim *sim);
int cor_sim_done(const cor_sim *sim);

/* Write the outputs (monthly.csv, encounters_by_sector.csv, summary.json,
 * run.json) into dir: they are written to "<dir>.partial/" and renamed to dir
 * only when complete, replacing an earlier output directory. */
int cor_sim_write_outputs(cor_sim *sim, const char *dir);

/* ------------------------------------------------------------------ queries */

int32_t cor_sim_today(const cor_sim *sim);        /* day being simulated next (days since 1970-01-01) */
int cor_sim_n_statuses(const cor_sim *sim);
const char *cor_sim_status_name(const cor_sim *sim, int status);
int cor_sim_n_places(const cor_sim *sim);
const char *cor_sim_place_id(const cor_sim *sim, int place);

const char *cor_sim_place_name(const cor_sim *sim, int place);
const char *cor_sim_place_kind(const cor_sim *sim, int place);   /* "origin", "us_sector", ... */
/* Months are indices year*12 + month-1. */
int cor_sim_first_month(const cor_sim *sim);
int cor_sim_n_months(const cor_sim *sim);

/* Agents (not people) so far and now; people = agents * scale. */
int64_t cor_sim_agents_spawned(const cor_sim *sim);
int64_t cor_sim_agents_in_status(const cor_sim *sim, int status);
int64_t cor_sim_agents_at(const cor_sim *sim, int place, int status);
double cor_sim_scale(const cor_sim *sim);
/* Agents at a place in a status at the end of a month (month index). */
int64_t cor_sim_agents_at_month_end(const cor_sim *sim, int place, int status, int month);

/* Output series ("us_encounters", "inm_detentions", ...; see docs/OUTPUTS.md):
 * id by name (-1 if no module counts it), and the value (people, or the
 * series' own unit) at a place (-1: all) in a month (-1: all months),
 * summed over groups and demographics. */
int cor_sim_series_id(const cor_sim *sim, const char *name);
int cor_sim_n_series(const cor_sim *sim);
const char *cor_sim_series_name(const cor_sim *sim, int series);
double cor_sim_series_value(const cor_sim *sim, int series, int place, int month);
/* Every stored series cell, in storage order (month, then series, then
 * cell): i from 0 to cor_sim_n_records() - 1.  Dimensions are -1 where they
 * do not apply; value in people (flows, stocks) or the series' own unit. */
int64_t cor_sim_n_records(const cor_sim *sim);
int cor_sim_record(const cor_sim *sim, int64_t i, int *month, int *series, int *place, int *group, int *demo,
                   double *value);
int cor_sim_n_groups(const cor_sim *sim);
const char *cor_sim_group_id(const cor_sim *sim, int group);
const char *cor_demo_name(int demo);   /* "single_adults", "family_members", "unaccompanied_children" */

/* A summary.json headline ("us_encounters", "mpp_stranded_peak", ...) for
 * the whole run (year 0) or one calendar year; COR_EARG if no loaded module
 * provides the key or the year is outside the run. */
int cor_sim_summary(const cor_sim *sim, const char *key, int year, double *out);
/* The headline keys every summary.json carries, in order. */
const char *const *cor_headline_keys(int *n);

typedef struct {
    double runtime_s;          /* wall time spent in cor_sim_step */
    int64_t agent_days;        /* agent-days simulated (live agents x days) */
    int64_t decisions;         /* agent wake-ups processed */
} cor_perf;
void cor_sim_perf(const cor_sim *sim, cor_perf *out);

/* Date helpers: "YYYY-MM-DD" <-> days since 1970-01-01. */
int cor_parse_date(const char *s, int32_t *day);
void cor_format_date(int32_t day, char out[11]);

#ifdef __cplusplus
}
#endif
#endif
