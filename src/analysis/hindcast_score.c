/* hindcast_score.c - the hindcast's small pure pieces: baselines, error
 * measures, quantiles and the seasonal index (analysis/hindcast.h). */
#include <math.h>
#include <stdlib.h>

#include "analysis/hindcast.h"

static double rec_at(const double *rec, int rec0, int rec_n, int m)
{
    const int i = m - rec0;
    return i >= 0 && i < rec_n ? rec[i] : NAN;
}

void cor_hc_baselines(const double *rec, int rec0, int rec_n, int until, int month0, int n, double *persistence,
                      double *seasonal)
{
    const double last = rec_at(rec, rec0, rec_n, until);
    for (int i = 0; i < n; i++) {
        const int m = month0 + i;
        int k = 1;
        while (m - 12 * k > until)
            k++;
        persistence[i] = last;
        seasonal[i] = rec_at(rec, rec0, rec_n, m - 12 * k);
    }
}

double cor_hc_mae(const double *f, const double *obs, int n)
{
    double s = 0;
    int k = 0;
    for (int i = 0; i < n; i++)
        if (isfinite(obs[i]) && isfinite(f[i]))
            s += fabs(f[i] - obs[i]), k++;
    return k ? s / k : NAN;
}

double cor_hc_mape(const double *f, const double *obs, int n)
{
    double s = 0;
    int k = 0;
    for (int i = 0; i < n; i++)
        if (isfinite(obs[i]) && obs[i] > 0 && isfinite(f[i]))
            s += fabs(f[i] - obs[i]) / obs[i], k++;
    return k ? s / k : NAN;
}

double cor_hc_coverage(const double *lo, const double *hi, const double *obs, int n)
{
    int in = 0, k = 0;
    for (int i = 0; i < n; i++)
        if (isfinite(obs[i])) {
            k++;
            in += obs[i] >= lo[i] && obs[i] <= hi[i];
        }
    return k ? (double)in / k : NAN;
}

static int cmp_double(const void *a, const void *b)
{
    const double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

double cor_hc_quantile(double *x, int n, double q)
{
    if (n <= 0)
        return NAN;
    qsort(x, (size_t)n, sizeof *x, cmp_double);
    const double h = (n - 1) * q;
    const int lo = (int)floor(h);
    const int hi = lo + 1 < n ? lo + 1 : lo;
    return x[lo] + (h - lo) * (x[hi] - x[lo]);
}

int cor_hc_season(const double *y, int m0, int n, double idx[12])
{
    /* ratios to the centred 2x12 moving average, by calendar month */
    double *r = malloc((size_t)(n > 0 ? n : 1) * sizeof *r);
    int *cal = malloc((size_t)(n > 0 ? n : 1) * sizeof *cal);
    if (!r || !cal) {
        free(r), free(cal);
        return -1;
    }
    int nr = 0;
    for (int t = 6; t + 6 < n; t++) {
        double ma = 0.5 * (y[t - 6] + y[t + 6]);
        for (int j = -5; j <= 5; j++)
            ma += y[t + j];
        ma /= 12;
        if (ma > 0 && y[t] >= 0) {
            r[nr] = y[t] / ma;
            cal[nr++] = (m0 + t) % 12;
        }
    }
    int ok = 1;
    double mean = 0;
    double *v = malloc((size_t)(nr > 0 ? nr : 1) * sizeof *v);
    if (!v) {
        free(r), free(cal);
        return -1;
    }
    for (int c = 0; c < 12 && ok; c++) {
        int k = 0;
        for (int i = 0; i < nr; i++)
            if (cal[i] == c)
                v[k++] = r[i];
        if (k < 2)
            ok = 0;
        else if (!((idx[c] = cor_hc_quantile(v, k, 0.5)) > 0))
            ok = 0; /* a calendar month without departures: no usable index */
        else
            mean += idx[c] / 12;
    }
    free(v), free(r), free(cal);
    if (!ok || !(mean > 0))
        return -1;
    for (int c = 0; c < 12; c++)
        idx[c] /= mean;
    return 0;
}
