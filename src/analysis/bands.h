/* bands.h - quantile bands over the runs of an ensemble store.
 *
 * For every series cell (month, series, place, group, demographic) that is
 * non-zero in at least one stored run, the 5th, 50th and 95th percentiles of
 * its value over all n runs of the store; a run without the cell counts as
 * 0 (series tables omit zero cells).  Quantiles are Hyndman & Fan's type 7
 * (R's default, numpy's "linear"): with the n values sorted x[0] <= ... <=
 * x[n-1] and h = (n-1)p, Q(p) = x[floor h] + (h - floor h)(x[floor h + 1] -
 * x[floor h]), with h computed in millionths (p = 0.95, n = 20: h = 18.05
 * exactly as a decimal, not 18.049999999999997).
 *
 * CSV: month,series,place,group,demographic,n,q05,q50,q95 in month, series,
 * place, group, demographic order (store ids: the simulation's order).  With
 * totals, each series' cells in a month are preceded by a row for their sum
 * (place, group and demographic "*"): bands of the total, not sums of bands.
 */
#ifndef COR_BANDS_H
#define COR_BANDS_H

#include <stdint.h>

#include "analysis/store.h"

/* Type-7 quantile of x[0..n) sorted ascending, 0 <= p <= 1, n >= 1. */
double cor_quantile7(const double *x, int n, double p);

/* Write the bands of every cell of the store to path (through
 * "<path>.partial", renamed when complete).  *rows: data rows written.
 * COR_EINPUT if the store has no runs, COR_EIO if the file cannot be
 * written; the message is on the store. */
int cor_bands_write(cor_store *st, const char *path, int totals, int64_t *rows);

#endif
