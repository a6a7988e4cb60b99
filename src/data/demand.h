/* demand.h - the latent monthly departure demand by nationality group and
 * demographic, derived from the US Border Patrol record (docs/DEMAND.md).
 *
 * A first estimate that inverts the record in the simplest defensible way:
 *
 *   demand[g][d](m) = U[g][d](m + lag_g) / (1 - stopped_g)
 *   U[g][d](t)      = E[g](t) * (1 - repeat(t)) * split[g][d](t)
 *
 * E = USBP southwest-border encounters of group g in month t, repeat(t) the
 * repeat-crossing share, split the demographic split, lag_g the typical travel
 * time (days, converted to a fractional month shift and interpolated linearly
 * between months), stopped_g the share of the group stopped in Mexico.
 * Months t after the last data month (or after `until`) hold the last value.
 *
 * Usage: cor_demand_new(); cor_demand_derive(); read d->people or
 * cor_demand_write(); cor_demand_free().  Every error is returned as a code
 * (COR_EINPUT for bad data or parameters, COR_EIO, COR_ENOMEM) with the
 * message in d->errmsg ("file:line:column: problem" for CSV input).
 *
 * Ownership: a cor_demand owns `people` and `encounters`; cor_demand_free()
 * frees them.  No globals, no printing.
 */
#ifndef COR_DEMAND_H
#define COR_DEMAND_H

#include "scenario/scenario.h"

/* Nationality groups, in output order. */
typedef enum {
    COR_DG_MEXICO,
    COR_DG_GUATEMALA,
    COR_DG_HONDURAS,
    COR_DG_EL_SALVADOR,
    COR_DG_NICARAGUA,
    COR_DG_VENEZUELA,
    COR_DG_CUBA,
    COR_DG_HAITI,
    COR_DG_ECUADOR,
    COR_DG_COLOMBIA,
    COR_DG_OTHER,
    COR_DG_N
} cor_demand_group;

/* Group ids ("mexico", ..., "other"): file names and parameter suffixes. */
extern const char *const cor_demand_group_ids[COR_DG_N];

/* Default output range: 2012-10 .. 2024-12 (month indices y*12 + m-1). */
#define COR_DEMAND_FIRST_MONTH (2012 * 12 + 9)
#define COR_DEMAND_LAST_MONTH (2024 * 12 + 11)

/* Average month length used to turn a lag in days into a month shift. */
#define COR_DEMAND_DAYS_PER_MONTH 30.4375

/* The derivation's parameters (scenarios/corridor/derivation.yaml). */
typedef struct {
    double lag_days[COR_DG_N];        /* demand_lag_days_<group>, >= 0 */
    double stopped_share[COR_DG_N];   /* demand_stopped_share_<group>, in [0, 1) */
    /* repeat-crossing share anchors (demand_repeat_share_<name>), in [0, 1) */
    double repeat_fy2011;             /* FY2011 (anchored at 2011-04) */
    double repeat_fy2016;             /* FY2016 (anchored at 2016-04) */
    double repeat_fy2019;             /* FY2019 (anchored at 2019-04, held to 2020-03) */
    double repeat_t42_first_year;     /* 2020-04 .. 2021-01 */
    double repeat_fy2021;             /* 2021-02 .. 2023-04 (rest of Title 42) */
    double repeat_post_t42;           /* 2023-05 on */
} cor_demand_params;

/* Names of the parameters, in the order of cor_demand_param_slot(). */
#define COR_DEMAND_N_PARAMS (2 * COR_DG_N + 6)
/* Name of parameter i (0 <= i < COR_DEMAND_N_PARAMS) written into buf. */
void cor_demand_param_name(int i, char *buf, size_t n);
/* Address of parameter i inside p. */
double *cor_demand_param_slot(cor_demand_params *p, int i);

/* Fill p from a loaded parameter file (cor_scenario_load_fragment).  A
 * missing parameter gives COR_EINPUT and "FILE: missing parameter 'NAME'"
 * in err (FILE is sc->files[0]); a value out of range names file and line. */
int cor_demand_params_from_scenario(const cor_scenario *sc, cor_demand_params *p, char *err, size_t n);

/* Check ranges; COR_EINPUT with the parameter named in err. */
int cor_demand_params_check(const cor_demand_params *p, char *err, size_t n);

typedef struct {
    int first_month;   /* first output month; 0: COR_DEMAND_FIRST_MONTH */
    int last_month;    /* last output month; 0: COR_DEMAND_LAST_MONTH */
    int until;         /* ignore every data row after this month; 0: no limit */
} cor_demand_options;

/* The repeat-crossing share in month t (month index) under p. */
double cor_demand_repeat_share(const cor_demand_params *p, int month);

typedef struct {
    int month0;              /* first output month */
    int n_months;            /* output months */
    int data_last;           /* last data month used (cut-off) */
    /* people[(g * n_months + m) * COR_N_DEMOS + d]: latent demand, people */
    double *people;
    /* encounters[g * n_months + m]: USBP SW encounters of group g in output
     * month m (0 after data_last), for reports and checks */
    double *encounters;
    char errmsg[1024];
} cor_demand;

cor_demand *cor_demand_new(void);
void cor_demand_free(cor_demand *d);

/* Read the data files from data_dir and derive the demand.  opt may be NULL
 * (defaults).  Files read (names fixed, see docs/DEMAND.md):
 *   ohss_usbp_sw_monthly_by_citizenship_group_fy2000_fy2025.csv
 *   ohss_usbp_encounters_monthly_by_region_citizenship_fy2000_fy2025.csv
 *   ohss_usbp_encounters_monthly_by_region_family_status_fy2000_fy2025.csv
 *   cbp_sw_land_border_encounters_fy2020_fy2023_by_state_title_citizenship_allcomponents.csv
 *   cbp_sw_land_border_encounters_fy2022_fy2025aug_by_component_title_citizenship.csv */
int cor_demand_derive(cor_demand *d, const char *data_dir, const cor_demand_params *p,
                      const cor_demand_options *opt);

/* Write out_dir/<group>.csv for every group (creating out_dir if needed):
 * header "month,single_adults,family_members,unaccompanied_children", one
 * row per month, numbers as "%.2f".  Each file is written to "<name>.tmp"
 * and renamed. */
int cor_demand_write(cor_demand *d, const char *out_dir);

/* The share of a group stopped in Mexico estimated from the data:
 *   UPM events / (UPM events + USBP SW encounters)
 * summed over the periods (calendar year y, months 1..e) reported in
 * mexico_upm_inm_enforcement_by_nationality_as_reported.csv (metric
 * upm_events_presented_or_channelled), per group and year only the longest
 * period, duplicates averaged; periods ending after `until` are skipped. */
typedef struct {
    int n_periods;
    int years[8], end_month[8];   /* the periods used (end_month 1..12) */
    double upm[8], usbp[8];
    double upm_sum, usbp_sum;
    double share;                 /* upm_sum / (upm_sum + usbp_sum); -1 without data */
} cor_demand_stop_estimate;

/* est[g] for every group (share -1 where there is no data: mexico, other);
 * *pooled gets the ratio over all groups with data. */
int cor_demand_estimate_stopped(cor_demand *d, const char *data_dir, int until,
                                cor_demand_stop_estimate est[COR_DG_N], double *pooled);

#endif
