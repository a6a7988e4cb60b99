/* bands.c - quantile bands (5/50/95, type 7) per series cell over the runs
 * of a store.  The store is read one month at a time (for each run, the
 * range (run_id, month) of the primary key), so memory holds one month's
 * cells x runs. */
#include "analysis/bands.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

double cor_quantile7(const double *x, int n, double p)
{
    /* h = (n-1)p in millionths, so that e.g. 19 x 0.95 is 18 + 5/100 exactly
     * as written, not 18.049999999999997 */
    long long num = llround((double)(n - 1) * p * 1e6);
    long long i = num / 1000000;
    double frac = (double)(num % 1000000) / 1e6;
    if (i >= n - 1)
        return x[n - 1];
    if (i < 0)
        return x[0];
    return x[i] + frac * (x[i + 1] - x[i]);
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Names of one dim table, indexed by id (ids are 0..max). */
typedef struct {
    char **name;
    int n;
} names;

static void names_free(names *t)
{
    for (int i = 0; i < t->n; i++)
        free(t->name[i]);
    free(t->name);
}

static int load_names(cor_store *st, const char *table, names *t)
{
    sqlite3 *db = cor_store_db(st);
    char sql[128];
    sqlite3_stmt *q;
    memset(t, 0, sizeof *t);
    snprintf(sql, sizeof sql, "SELECT id, name FROM %s ORDER BY id", table);
    if (sqlite3_prepare_v2(db, sql, -1, &q, NULL) != SQLITE_OK)
        return cor_store_fail(st, COR_EIO, "cannot read %s: %s", table, sqlite3_errmsg(db));
    int rc = COR_OK, s;
    while ((s = sqlite3_step(q)) == SQLITE_ROW) {
        int64_t id = sqlite3_column_int64(q, 0);
        if (id < 0 || id > 65533) {
            rc = cor_store_fail(st, COR_EINPUT, "%s: id %lld out of range", table, (long long)id);
            break;
        }
        if (id >= t->n) {
            char **x = realloc(t->name, (size_t)(id + 1) * sizeof *x);
            if (!x) {
                rc = cor_store_fail(st, COR_ENOMEM, "out of memory");
                break;
            }
            for (int64_t i = t->n; i <= id; i++)
                x[i] = NULL;
            t->name = x;
            t->n = (int)id + 1;
        }
        if (!(t->name[id] = strdup((const char *)sqlite3_column_text(q, 1)))) {
            rc = cor_store_fail(st, COR_ENOMEM, "out of memory");
            break;
        }
    }
    if (rc == COR_OK && s != SQLITE_DONE)
        rc = cor_store_fail(st, COR_EIO, "cannot read %s: %s", table, sqlite3_errmsg(db));
    sqlite3_finalize(q);
    return rc;
}

static const char *name_of(const names *t, int64_t id) { return id >= 0 && id < t->n && t->name[id] ? t->name[id] : ""; }

/* One month's cells: key -> index (open addressing), values[cell * nr + run]. */
typedef struct {
    uint64_t *keys;    /* cell keys in insertion order */
    int n, cap;
    int *slot;         /* hash slots: cell index + 1, 0 empty */
    int nslot;         /* power of two */
    double *val;
    int nr;            /* runs */
} cells;

static uint64_t mix(uint64_t k)
{
    k ^= k >> 33;
    k *= 0xff51afd7ed558ccdULL;
    k ^= k >> 33;
    return k;
}

static int cells_grow(cells *c)
{
    int cap = c->cap ? 2 * c->cap : 1024;
    uint64_t *k = realloc(c->keys, (size_t)cap * sizeof *k);
    if (!k)
        return COR_ENOMEM;
    c->keys = k;
    double *v = realloc(c->val, (size_t)cap * (size_t)c->nr * sizeof *v);
    if (!v)
        return COR_ENOMEM;
    c->val = v;
    c->cap = cap;
    int nslot = 2 * cap;
    int *s = calloc((size_t)nslot, sizeof *s);
    if (!s)
        return COR_ENOMEM;
    free(c->slot);
    c->slot = s;
    c->nslot = nslot;
    for (int i = 0; i < c->n; i++) {
        int h = (int)(mix(c->keys[i]) & (uint64_t)(nslot - 1));
        while (s[h])
            h = (h + 1) & (nslot - 1);
        s[h] = i + 1;
    }
    return COR_OK;
}

/* Index of key, added (values 0) when new; -1 out of memory. */
static int cells_find(cells *c, uint64_t key)
{
    if (c->nslot) {
        int h = (int)(mix(key) & (uint64_t)(c->nslot - 1));
        while (c->slot[h]) {
            if (c->keys[c->slot[h] - 1] == key)
                return c->slot[h] - 1;
            h = (h + 1) & (c->nslot - 1);
        }
    }
    if (c->n == c->cap && cells_grow(c) != COR_OK)
        return -1;
    int i = c->n++;
    c->keys[i] = key;
    memset(c->val + (size_t)i * (size_t)c->nr, 0, (size_t)c->nr * sizeof(double));
    int h = (int)(mix(key) & (uint64_t)(c->nslot - 1));
    while (c->slot[h])
        h = (h + 1) & (c->nslot - 1);
    c->slot[h] = i + 1;
    return i;
}

static void cells_clear(cells *c)
{
    c->n = 0;
    if (c->slot)
        memset(c->slot, 0, (size_t)c->nslot * sizeof *c->slot);
}

/* Keys order cells by series, place, group, demographic (ids + 1, so that
 * "does not apply" (-1) comes first). */
static uint64_t make_key(int64_t s, int64_t p, int64_t g, int64_t d)
{
    return (uint64_t)(s + 1) << 48 | (uint64_t)(p + 1) << 32 | (uint64_t)(g + 1) << 16 | (uint64_t)(d + 1);
}

typedef struct {
    uint64_t key;
    int cell;
} keyed;

static int cmp_keyed(const void *a, const void *b)
{
    uint64_t x = ((const keyed *)a)->key, y = ((const keyed *)b)->key;
    return (x > y) - (x < y);
}

static void quantiles(double *v, int n, double q[3])
{
    qsort(v, (size_t)n, sizeof *v, cmp_double);
    q[0] = cor_quantile7(v, n, 0.05);
    q[1] = cor_quantile7(v, n, 0.50);
    q[2] = cor_quantile7(v, n, 0.95);
}

typedef struct {
    cor_store *st;
    FILE *f;
    names dim[4];
    int64_t *run_ids;
    int nr;
    cells c;
    double *tot;      /* series x runs, this month */
    double *tmp;      /* runs */
    keyed *order;
    int64_t rows;
} bands_ctx;

static int do_month(bands_ctx *b, sqlite3_stmt *q, int month, int totals)
{
    cells_clear(&b->c);
    int ns = b->dim[0].n, nr = b->nr;
    if (totals)
        memset(b->tot, 0, (size_t)ns * (size_t)nr * sizeof *b->tot);
    for (int r = 0; r < nr; r++) {
        sqlite3_reset(q);
        sqlite3_bind_int64(q, 1, b->run_ids[r]);
        sqlite3_bind_int(q, 2, month);
        int s;
        while ((s = sqlite3_step(q)) == SQLITE_ROW) {
            int64_t sid = sqlite3_column_int64(q, 0);
            if (sid < 0 || sid >= ns)
                return cor_store_fail(b->st, COR_EINPUT, "series_values: series id %lld has no name", (long long)sid);
            int i = cells_find(&b->c, make_key(sid, sqlite3_column_int64(q, 1), sqlite3_column_int64(q, 2),
                                               sqlite3_column_int64(q, 3)));
            if (i < 0)
                return cor_store_fail(b->st, COR_ENOMEM, "out of memory");
            double v = sqlite3_column_double(q, 4);
            b->c.val[(size_t)i * (size_t)nr + (size_t)r] = v;
            if (totals)
                b->tot[(size_t)sid * (size_t)nr + (size_t)r] += v;
        }
        if (s != SQLITE_DONE)
            return cor_store_fail(b->st, COR_EIO, "cannot read series_values: %s",
                                  sqlite3_errmsg(cor_store_db(b->st)));
    }
    if (b->c.n == 0)
        return COR_OK;
    keyed *order = realloc(b->order, (size_t)b->c.n * sizeof *order);
    if (!order)
        return cor_store_fail(b->st, COR_ENOMEM, "out of memory");
    b->order = order;
    for (int i = 0; i < b->c.n; i++)
        order[i] = (keyed){b->c.keys[i], i};
    qsort(order, (size_t)b->c.n, sizeof *order, cmp_keyed);
    int64_t last_series = -2;
    for (int k = 0; k < b->c.n; k++) {
        uint64_t key = order[k].key;
        int64_t sid = (int64_t)(key >> 48) - 1, pid = (int64_t)(key >> 32 & 0xffff) - 1,
                gid = (int64_t)(key >> 16 & 0xffff) - 1, did = (int64_t)(key & 0xffff) - 1;
        double q3[3];
        if (totals && sid != last_series) {
            memcpy(b->tmp, b->tot + (size_t)sid * (size_t)nr, (size_t)nr * sizeof *b->tmp);
            quantiles(b->tmp, nr, q3);
            fprintf(b->f, "%04d-%02d,%s,*,*,*,%d,%.15g,%.15g,%.15g\n", month / 12, month % 12 + 1,
                    name_of(&b->dim[0], sid), nr, q3[0], q3[1], q3[2]);
            b->rows++;
        }
        last_series = sid;
        memcpy(b->tmp, b->c.val + (size_t)order[k].cell * (size_t)nr, (size_t)nr * sizeof *b->tmp);
        quantiles(b->tmp, nr, q3);
        fprintf(b->f, "%04d-%02d,%s,%s,%s,%s,%d,%.15g,%.15g,%.15g\n", month / 12, month % 12 + 1,
                name_of(&b->dim[0], sid), name_of(&b->dim[1], pid), name_of(&b->dim[2], gid), name_of(&b->dim[3], did),
                nr, q3[0], q3[1], q3[2]);
        b->rows++;
    }
    return COR_OK;
}

/* Run ids in run order, and the months the store covers. */
static int load_runs(bands_ctx *b, int *m0, int *m1)
{
    sqlite3 *db = cor_store_db(b->st);
    sqlite3_stmt *q, *mm;
    if (sqlite3_prepare_v2(db, "SELECT run_id FROM runs ORDER BY run", -1, &q, NULL) != SQLITE_OK)
        return cor_store_fail(b->st, COR_EIO, "cannot read runs: %s", sqlite3_errmsg(db));
    if (sqlite3_prepare_v2(db, "SELECT min(month), max(month) FROM series_values WHERE run_id = ?1", -1, &mm, NULL) !=
        SQLITE_OK) {
        sqlite3_finalize(q);
        return cor_store_fail(b->st, COR_EIO, "cannot read series_values: %s", sqlite3_errmsg(db));
    }
    int rc = COR_OK, cap = 0, s;
    *m0 = 1 << 30, *m1 = -1;
    while (rc == COR_OK && (s = sqlite3_step(q)) == SQLITE_ROW) {
        if (b->nr == cap) {
            cap = cap ? 2 * cap : 64;
            int64_t *x = realloc(b->run_ids, (size_t)cap * sizeof *x);
            if (!x) {
                rc = cor_store_fail(b->st, COR_ENOMEM, "out of memory");
                break;
            }
            b->run_ids = x;
        }
        int64_t id = sqlite3_column_int64(q, 0);
        b->run_ids[b->nr++] = id;
        sqlite3_reset(mm);
        sqlite3_bind_int64(mm, 1, id);
        if (sqlite3_step(mm) == SQLITE_ROW && sqlite3_column_type(mm, 0) != SQLITE_NULL) {
            int a = sqlite3_column_int(mm, 0), z = sqlite3_column_int(mm, 1);
            *m0 = a < *m0 ? a : *m0;
            *m1 = z > *m1 ? z : *m1;
        }
    }
    sqlite3_finalize(q);
    sqlite3_finalize(mm);
    if (rc == COR_OK && b->nr == 0)
        rc = cor_store_fail(b->st, COR_EINPUT, "the store has no runs: no bands to compute");
    return rc;
}

int cor_bands_write(cor_store *st, const char *path, int totals, int64_t *rows)
{
    bands_ctx b;
    memset(&b, 0, sizeof b);
    b.st = st;
    *rows = 0;
    static const char *const tables[4] = {"dim_series", "dim_place", "dim_group", "dim_demographic"};
    int rc = COR_OK, m0 = 0, m1 = -1;
    for (int d = 0; rc == COR_OK && d < 4; d++)
        rc = load_names(st, tables[d], &b.dim[d]);
    if (rc == COR_OK)
        rc = load_runs(&b, &m0, &m1);
    char *partial = NULL;
    sqlite3_stmt *q = NULL;
    if (rc == COR_OK) {
        b.c.nr = b.nr;
        b.tot = malloc((size_t)(b.dim[0].n ? b.dim[0].n : 1) * (size_t)b.nr * sizeof *b.tot);
        b.tmp = malloc((size_t)b.nr * sizeof *b.tmp);
        partial = malloc(strlen(path) + 9);
        if (!b.tot || !b.tmp || !partial)
            rc = cor_store_fail(st, COR_ENOMEM, "out of memory");
    }
    if (rc == COR_OK) {
        sprintf(partial, "%s.partial", path);
        if (!(b.f = fopen(partial, "w")))
            rc = cor_store_fail(st, COR_EIO, "cannot write %s: %s", partial, strerror(errno));
    }
    if (rc == COR_OK &&
        sqlite3_prepare_v2(cor_store_db(st),
                           "SELECT series_id, place_id, group_id, demographic_id, value FROM series_values "
                           "WHERE run_id = ?1 AND month = ?2",
                           -1, &q, NULL) != SQLITE_OK)
        rc = cor_store_fail(st, COR_EIO, "cannot read series_values: %s", sqlite3_errmsg(cor_store_db(st)));
    if (rc == COR_OK) {
        fprintf(b.f, "month,series,place,group,demographic,n,q05,q50,q95\n");
        for (int m = m0; rc == COR_OK && m <= m1; m++)
            rc = do_month(&b, q, m, totals);
    }
    sqlite3_finalize(q);
    if (b.f) {
        if (ferror(b.f) && rc == COR_OK)
            rc = cor_store_fail(st, COR_EIO, "cannot write %s", partial);
        if (fclose(b.f) && rc == COR_OK)
            rc = cor_store_fail(st, COR_EIO, "cannot write %s: %s", partial, strerror(errno));
        if (rc == COR_OK && rename(partial, path))
            rc = cor_store_fail(st, COR_EIO, "cannot rename %s to %s: %s", partial, path, strerror(errno));
        if (rc != COR_OK)
            remove(partial);
    }
    *rows = b.rows;
    free(partial);
    for (int d = 0; d < 4; d++)
        names_free(&b.dim[d]);
    free(b.run_ids);
    free(b.c.keys);
    free(b.c.slot);
    free(b.c.val);
    free(b.tot);
    free(b.tmp);
    free(b.order);
    return rc;
}
