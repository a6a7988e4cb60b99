/* series.c - the registry, accumulators and stored months of output series. */
#include "engine/series.h"

#include <stdlib.h>
#include <string.h>

void cor_series_init(cor_series *r) { memset(r, 0, sizeof *r); }

void cor_series_free(cor_series *r)
{
    for (int i = 0; i < r->n; i++) {
        free(r->defs[i].name);
        free(r->defs[i].key);
    }
    free(r->defs);
    free(r->vals);
    free(r->rec);
    memset(r, 0, sizeof *r);
}

int cor_series_lookup(const cor_series *r, const char *name)
{
    for (int i = 0; i < r->n; i++)
        if (strcmp(r->defs[i].name, name) == 0)
            return i;
    return -1;
}

static int same(const char *a, const char *b) { return (!a && !b) || (a && b && strcmp(a, b) == 0); }

int cor_series_define(cor_series *r, const char *name, cor_series_kind kind, const char *key, cor_series_agg agg)
{
    int i = cor_series_lookup(r, name);
    if (i >= 0)
        return r->defs[i].kind == kind && same(r->defs[i].key, key) && (!key || r->defs[i].agg == agg) ? i : -1;
    if (r->vals)
        return -1; /* too late: accumulators are sized */
    if (r->n == r->cap) {
        int cap = r->cap ? 2 * r->cap : 32;
        cor_series_def *d = realloc(r->defs, sizeof *d * (size_t)cap);
        if (!d)
            return -1;
        r->defs = d;
        r->cap = cap;
    }
    cor_series_def *d = &r->defs[r->n];
    d->name = strdup(name);
    d->key = key ? strdup(key) : NULL;
    d->kind = kind;
    d->agg = agg;
    if (!d->name || (key && !d->key)) {
        free(d->name);
        free(d->key);
        return -1;
    }
    return r->n++;
}

int cor_series_finalize(cor_series *r, int n_places, int n_groups)
{
    r->P = n_places;
    r->G = n_groups;
    r->cells = (int64_t)(n_places + 1) * (n_groups + 1) * 4;
    r->vals = calloc((size_t)(r->n ? r->n : 1) * (size_t)r->cells, sizeof *r->vals);
    return r->vals ? 0 : -1;
}

static int push(cor_series *r, int month, int s, int64_t cell, double v)
{
    if (r->n_rec == r->cap_rec) {
        int64_t cap = r->cap_rec ? 2 * r->cap_rec : 4096;
        cor_series_rec *p = realloc(r->rec, sizeof *p * (size_t)cap);
        if (!p)
            return -1;
        r->rec = p;
        r->cap_rec = cap;
    }
    cor_series_rec *x = &r->rec[r->n_rec++];
    memset(x, 0, sizeof *x);
    x->month = month;
    x->series = s;
    x->demo = (int)(cell % 4) - 1, cell /= 4;
    x->group = (int)(cell % (r->G + 1)) - 1, cell /= r->G + 1;
    x->place = (int)(cell % (r->P + 1)) - 1;
    x->value = v;
    return 0;
}

int cor_series_flush(cor_series *r, int month, int64_t *const *flows, int n_flows, double scale)
{
    for (int s = 0; s < r->n; s++) {
        int64_t base = (int64_t)s * r->cells;
        for (int64_t c = 0; c < r->cells; c++) {
            double v;
            if (r->defs[s].kind == COR_FLOW) {
                int64_t n = 0;
                for (int t = 0; t < n_flows; t++) {
                    n += flows[t][base + c];
                    flows[t][base + c] = 0;
                }
                v = (double)n * scale;
            } else {
                v = r->vals[base + c];
                r->vals[base + c] = 0;
                if (r->defs[s].kind == COR_STOCK)
                    v *= scale;
            }
            if (v != 0 && push(r, month, s, c, v))
                return -1;
        }
    }
    return 0;
}

double cor_series_aggregate(const cor_series *r, int s, int m0, int m1)
{
    if (s < 0 || s >= r->n || m1 < m0)
        return 0;
    int nm = m1 - m0 + 1;
    double *tot = calloc((size_t)nm, sizeof *tot);
    if (!tot)
        return 0;
    for (int64_t i = 0; i < r->n_rec; i++) {
        const cor_series_rec *x = &r->rec[i];
        if (x->series == s && x->month >= m0 && x->month <= m1)
            tot[x->month - m0] += x->value;
    }
    double v = 0;
    switch (r->defs[s].agg) {
    case COR_AGG_SUM:
        for (int m = 0; m < nm; m++)
            v += tot[m];
        break;
    case COR_AGG_PEAK:
        for (int m = 0; m < nm; m++)
            if (tot[m] > v)
                v = tot[m];
        break;
    case COR_AGG_END:
        v = tot[nm - 1];
        break;
    }
    free(tot);
    return v;
}
