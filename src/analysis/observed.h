/* observed.h - the real record that validation, calibration and hindcasts
 * compare the model with, read from the data/ files (data/SOURCES.md), with
 * an optional cut: nothing after month `until` is read, so that code fitted
 * "up to YYYY-MM" cannot see later data.
 *
 * What is read (docs/VALIDATION.md, "The record"):
 *  - encounters: USBP southwest-border encounters per month
 *    (usbp_sw_monthly_total_best_fy2000_fy2025.csv, column usbp_sw_encounters_best);
 *  - sector: the same by the nine southwest sectors, exact counts
 *    (cbp_usbp_apprehensions_monthly_by_sector_fy2000_fy2020_exact.csv) to
 *    2020-09, then OHSS rounded to 10 (ohss_usbp_encounters_monthly_by_sector_fy2000_fy2025.csv);
 *  - group: the same by nine citizenship groups (ohss_usbp_sw_monthly_by_citizenship_group_fy2000_fy2025.csv);
 *  - t42, t8: southwest Title 42 / Title 8 encounters per month
 *    (cbp_sw_title8_title42_monthly_fy2020_fy2023.csv): the USBP-only columns
 *    where they exist (2021-10 .. 2023-09; t42_usbp = 1), else all CBP
 *    components, USBP + OFO (2019-10 .. 2021-09; t42_usbp = 0);
 *  - comar: COMAR asylum applicants per calendar year
 *    (mexico_comar_asylum_applicants_annual.csv): the median of the
 *    full-year figures reported for the year (comar_n of them);
 *  - upm: UPM "events of people in an irregular situation" (presented +
 *    channelled) per calendar year (mexico_upm_inm_enforcement_as_reported.csv,
 *    metric upm_events_presented_or_channelled, full_year rows; median);
 *  - deaths: IOM Missing Migrants dead and missing on the US-Mexico border
 *    route per calendar year: the sum of the monthly route series
 *    (iom_mmp_usmexico_route_monthly_2014_2022partial.csv) for complete
 *    years, else IOM's published figure (iom_mmp_headline_figures_as_reported.csv,
 *    geography "US-Mexico border", metric dead_and_missing).
 *
 * The cut: rows of a month after `until` are skipped; an annual figure is
 * used only if its year ends by `until`; partial-year reports are never used.
 * Missing values are NAN.  Months are indices year*12 + month-1.
 *
 * Ownership: cor_observed_load() allocates *out; cor_observed_free() frees.
 * Errors: COR_EINPUT (bad file content: "file:line:column: problem"),
 * COR_EIO (unreadable file), COR_ENOMEM; the message is written into err.
 */
#ifndef COR_OBSERVED_H
#define COR_OBSERVED_H

#include <stddef.h>

#include "corredor.h"

/* Months held: 1999-10 (the first month of the USBP record) .. 2030-12. */
#define COR_OBS_FIRST_MONTH (1999 * 12 + 9)
#define COR_OBS_N_MONTHS (31 * 12 + 3)
/* Years held: 1999 .. 2030. */
#define COR_OBS_FIRST_YEAR 1999
#define COR_OBS_N_YEARS 32

/* The nine USBP southwest sectors, west to east; names as in the record and
 * as the names of the scenario's us_sector places. */
#define COR_OBS_N_SECTORS 9
extern const char *const cor_obs_sector_names[COR_OBS_N_SECTORS];

/* The nine citizenship groups of the OHSS group file (its column names). */
#define COR_OBS_N_GROUPS 9
extern const char *const cor_obs_group_names[COR_OBS_N_GROUPS];

/* Data file names (inside the data directory). */
#define COR_OBS_F_TOTAL "usbp_sw_monthly_total_best_fy2000_fy2025.csv"
#define COR_OBS_F_SECTOR_EXACT "cbp_usbp_apprehensions_monthly_by_sector_fy2000_fy2020_exact.csv"
#define COR_OBS_F_SECTOR_OHSS "ohss_usbp_encounters_monthly_by_sector_fy2000_fy2025.csv"
#define COR_OBS_F_GROUPS "ohss_usbp_sw_monthly_by_citizenship_group_fy2000_fy2025.csv"
#define COR_OBS_F_TITLE42 "cbp_sw_title8_title42_monthly_fy2020_fy2023.csv"
#define COR_OBS_F_COMAR "mexico_comar_asylum_applicants_annual.csv"
#define COR_OBS_F_UPM "mexico_upm_inm_enforcement_as_reported.csv"
#define COR_OBS_F_IOM_MONTHLY "iom_mmp_usmexico_route_monthly_2014_2022partial.csv"
#define COR_OBS_F_IOM_HEADLINE "iom_mmp_headline_figures_as_reported.csv"

typedef struct {
    int until;                                  /* the cut (month index); 0: none */
    int last_month;                             /* last month of the encounter series read */
    double encounters[COR_OBS_N_MONTHS];
    double sector[COR_OBS_N_SECTORS][COR_OBS_N_MONTHS];
    unsigned char sector_exact[COR_OBS_N_MONTHS]; /* 1: the exact file, 0: OHSS rounded */
    double group[COR_OBS_N_GROUPS][COR_OBS_N_MONTHS];
    double t42[COR_OBS_N_MONTHS], t8[COR_OBS_N_MONTHS];
    unsigned char t42_usbp[COR_OBS_N_MONTHS];   /* 1: USBP-only columns, 0: all components */
    double comar[COR_OBS_N_YEARS];
    int comar_n[COR_OBS_N_YEARS];
    double upm[COR_OBS_N_YEARS];
    int upm_n[COR_OBS_N_YEARS];
    double deaths[COR_OBS_N_YEARS];
    unsigned char deaths_headline[COR_OBS_N_YEARS]; /* 1: IOM's published figure, 0: route series sum */
} cor_observed;

/* Read every file above from data_dir, nothing after month `until` (0 or
 * negative: no cut). */
int cor_observed_load(const char *data_dir, int until, cor_observed **out, char *err, size_t errn);
void cor_observed_free(cor_observed *o);

/* A monthly value (NAN outside the window or missing). */
double cor_obs_month(const double *series, int month);
/* An annual value (NAN outside the window or missing). */
double cor_obs_year(const double *series, int year);
/* Title 42 share of encounters in a month: t42 / (t42 + t8), NAN if unknown. */
double cor_obs_title42_share(const cor_observed *o, int month);
/* Index of a sector or group name, -1 if none. */
int cor_obs_sector_index(const char *name);
int cor_obs_group_index(const char *name);

/* "YYYY-MM" -> month index; 0 on success, -1 if malformed. */
int cor_obs_parse_month(const char *s, int *month);

/* ------------------------------------------------------------- facts
 * Claims about the record, each with its source and tolerance, from a facts
 * file (data/facts.csv); analysis/validate.h evaluates them on a run. */

typedef enum {
    COR_FACT_COUNT,        /* sum over period A; pass: |sim - obs| <= tolerance * obs */
    COR_FACT_RANGE,        /* sum over A; pass: obs * (1 - tol) <= sim <= obs_hi * (1 + tol) */
    COR_FACT_COUNT_ABOVE,  /* sum over A; pass: sim > threshold */
    COR_FACT_CHANGE,       /* (B - A) / A; pass: |sim - obs| <= tolerance * |obs| */
    COR_FACT_CHANGE_BELOW, /* (B - A) / A; pass: sim < threshold */
    COR_FACT_CHANGE_ABOVE, /* (B - A) / A; pass: sim > threshold */
    COR_N_FACT_KINDS
} cor_fact_kind;

extern const char *const cor_fact_kind_names[COR_N_FACT_KINDS];

#define COR_FACT_MAX_SERIES 4

typedef struct {
    char name[64];
    cor_fact_kind kind;
    char series[COR_FACT_MAX_SERIES][48]; /* summed ("a+b" in the file) */
    int n_series;
    char place[64];                       /* "" all places; a place id; or a us_sector name */
    char period[24], period_b[24];        /* as written */
    int a0, a1, b0, b1;                   /* month ranges (b: change kinds only) */
    double observed, observed_hi, threshold, tolerance; /* NAN where not given */
    char source[1000];
    int line;                             /* line in the facts file */
} cor_fact;

/* Read a facts file (columns name,kind,series,place,period,period_b,
 * observed,observed_hi,threshold,tolerance,source; docs/VALIDATION.md).
 * Errors name file, line and column. */
int cor_facts_load(const char *path, cor_fact **facts, int *n, char *err, size_t errn);
void cor_facts_free(cor_fact *facts);

#endif
