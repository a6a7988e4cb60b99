/* series.h - named output series: what modules count, by month, place,
 * group and demographic (the long form of series.csv).
 *
 * Kinds:
 *  - COR_FLOW:  people events (one agent = `scale` people), summed over the
 *               month; counted per thread with cor_event() (sim.h), so
 *               they can be counted from the parallel phase;
 *  - COR_STOCK: people at the end of the month (agents, set sequentially
 *               at month end with cor_series_stock());
 *  - COR_VALUE: a number that is not people (money), added sequentially
 *               with cor_series_add() and summed over the month.
 * A series may name a summary key (summary.json "totals" and "by_year")
 * and how months aggregate into it: SUM (flows and values), PEAK (the
 * highest monthly total, for stocks), END (the last month's total).
 * Any dimension may be "none" (-1): it is written empty.
 * Ownership: the registry owns names, accumulators and records.
 */
#ifndef COR_SERIES_H
#define COR_SERIES_H

#include <stdint.h>

typedef enum { COR_FLOW, COR_STOCK, COR_VALUE } cor_series_kind;
typedef enum { COR_AGG_SUM, COR_AGG_PEAK, COR_AGG_END } cor_series_agg;

typedef struct {
    char *name;
    cor_series_kind kind;
    char *key;                  /* summary key, or NULL */
    cor_series_agg agg;
} cor_series_def;

/* One stored cell: value in final units (people, or the raw value). */
typedef struct {
    int month, series, place, group, demo;
    double value;
} cor_series_rec;

typedef struct {
    cor_series_def *defs;
    int n, cap;
    int P, G;                   /* places and groups (set by cor_series_finalize) */
    int64_t cells;              /* cells per series: (P+1) * (G+1) * (DEMOS+1) */
    double *vals;               /* STOCK / VALUE accumulators, [series][cell] */
    cor_series_rec *rec;        /* stored months, in month then series then cell order */
    int64_t n_rec, cap_rec;
} cor_series;

void cor_series_init(cor_series *r);
void cor_series_free(cor_series *r);
/* Register (or find, if the same name and kind exist) a series; -1 if the
 * name exists with another kind or key, or out of memory. */
int cor_series_define(cor_series *r, const char *name, cor_series_kind kind, const char *key, cor_series_agg agg);
int cor_series_lookup(const cor_series *r, const char *name);
/* Size the accumulators once places and groups are known; 0 or -1. */
int cor_series_finalize(cor_series *r, int n_places, int n_groups);

static inline int64_t cor_series_cell(const cor_series *r, int s, int place, int group, int demo)
{
    return (((int64_t)s * (r->P + 1) + place + 1) * (r->G + 1) + group + 1) * 4 + demo + 1;
}

/* Store month `month`: flows from the n_flows per-thread arrays (agents,
 * times scale) and the STOCK/VALUE accumulators; zero them all.  0 or -1. */
int cor_series_flush(cor_series *r, int month, int64_t *const *flows, int n_flows, double scale);

/* Aggregate of a series over months [m0, m1] (SUM, PEAK or END of the
 * monthly totals over all places, groups, demographics). */
double cor_series_aggregate(const cor_series *r, int s, int m0, int m1);

#endif
