/* store.h - the ensemble result store: one SQLite file per ensemble.
 *
 * Schema (docs/ENSEMBLES.md has the full text):
 *   meta(key, value)            the store's identity: format, scenario_hash,
 *                               scale, seed, vary, version (+ scenario, created)
 *   runs(run_id, run, seed, params, scenario_hash, version, runtime_s, scale,
 *        started, finished, n_records)      one row per stored run
 *   dim_series / dim_place / dim_group / dim_demographic (id, name)
 *   series_values(run_id, month, series_id, place_id, group_id,
 *                 demographic_id, value)    the cells, integer-coded
 *   VIEW series(run_id, run, month, series, place, "group", demographic, value)
 *                               the same long schema as series.csv
 * A run is written in one transaction: it is wholly there or absent.
 *
 * Like the library's handles, a store keeps the message of its last failure
 * (cor_store_errmsg).  Only one thread may use a store handle.
 */
#ifndef COR_STORE_H
#define COR_STORE_H

#include <stdint.h>
#include <stdio.h>

#include "analysis/ensemble.h"

typedef struct cor_store cor_store;

/* What makes two invocations the same ensemble. */
typedef struct {
    const char *scenario_hash;   /* 32 hex digits */
    double scale;                /* people per agent */
    uint64_t seed;
    const char *vary;            /* canonical --vary spec (cor_ens_vary_spec) */
    const char *version;         /* corredor version */
    const char *scenario;        /* path, informative only */
} cor_store_identity;

/* Open (creating it when id is given and the file does not exist) a store.
 * With id, an existing store must have been made with the same identity:
 * otherwise COR_EINPUT and a message naming the first field that differs.
 * Without id the store must exist.  *out is set (for the message) unless
 * memory ran out; close it either way. */
int cor_store_open(const char *path, const cor_store_identity *id, cor_store **out);
void cor_store_close(cor_store *st);
const char *cor_store_errmsg(const cor_store *st);

/* Write one run in one transaction (COR_EINPUT if the result does not match
 * the store's scenario hash or scale, a record names an index outside the
 * result's name tables, or the run is already stored; COR_EIO on a write
 * failure).  On failure nothing of the run is left in the store. */
int cor_store_write_run(cor_store *st, const cor_ens_result *r);

/* Run numbers stored, ascending, in a malloc'd array (*runs NULL when none). */
int cor_store_runs(cor_store *st, uint32_t **runs, int *n);
/* Resume: the run numbers 0..n-1 not yet stored, ascending, in a malloc'd
 * array (*todo, *n_todo), and how many of 0..n-1 are stored (*present). */
int cor_store_missing_runs(cor_store *st, int n, uint32_t **todo, int *n_todo, int *present);
/* Value of a meta key ("" if absent) copied into out. */
int cor_store_meta(cor_store *st, const char *key, char *out, size_t n);

/* Called every `every` rows written (0: never) with the rows of the run
 * written so far; for progress, and for tests that interrupt a write. */
void cor_store_set_row_hook(cor_store *st, int64_t every, void (*fn)(void *ctx, int64_t rows), void *ctx);

/* A deterministic text dump: the runs (run, seed, params, scenario_hash,
 * version, scale, n_records; no times) ordered by run, then every series
 * cell ordered by run, month, series, place, group, demographic (store
 * order; ids are assigned in the simulation's order), values %.17g.  Two
 * stores of the same runs dump identically whatever order the runs were
 * written in. */
int cor_store_dump(cor_store *st, FILE *f);

/* For bands.c: the raw connection (sqlite3 *). */
void *cor_store_db(cor_store *st);
/* Set the store's message (printf style) and return code. */
int cor_store_fail(cor_store *st, int code, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

#endif
