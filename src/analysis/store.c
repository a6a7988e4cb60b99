/* store.c - the ensemble result store (SQLite).  See store.h for the schema
 * and docs/ENSEMBLES.md for the reasons behind it:
 *  - cells are integer-coded (names once, in dim_* tables) in a WITHOUT
 *    ROWID table clustered by (run_id, month, series, place, group,
 *    demographic): a run's rows are appended in key order and read back by
 *    range; the view `series` gives the series.csv schema with names;
 *  - rollback journal (not WAL): one writer appending large transactions
 *    (new pages are not journalled; WAL would write every page twice), and
 *    the store stays one self-contained file that also works on network
 *    file systems, where MPI jobs often write.
 */
#include "analysis/store.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <sqlite3.h>

#define STORE_FORMAT "corredor-store-1"

enum { DIM_SERIES, DIM_PLACE, DIM_GROUP, DIM_DEMO, N_DIMS };
static const char *const dim_table[N_DIMS] = {"dim_series", "dim_place", "dim_group", "dim_demographic"};

struct cor_store {
    sqlite3 *db;
    char *path;
    char scenario_hash[33];
    double scale;
    int64_t hook_every;
    void (*hook)(void *ctx, int64_t rows);
    void *hook_ctx;
    char errmsg[1024];
};

static const char schema[] =
    "CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;\n"
    "CREATE TABLE runs(\n"
    "  run_id INTEGER PRIMARY KEY,\n"
    "  run INTEGER NOT NULL UNIQUE,\n"
    "  seed TEXT NOT NULL,\n"
    "  params TEXT NOT NULL,\n"
    "  scenario_hash TEXT NOT NULL,\n"
    "  version TEXT NOT NULL,\n"
    "  runtime_s REAL NOT NULL,\n"
    "  scale REAL NOT NULL,\n"
    "  started TEXT NOT NULL,\n"
    "  finished TEXT NOT NULL,\n"
    "  n_records INTEGER NOT NULL);\n"
    "CREATE TABLE dim_series(id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE);\n"
    "CREATE TABLE dim_place(id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE);\n"
    "CREATE TABLE dim_group(id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE);\n"
    "CREATE TABLE dim_demographic(id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE);\n"
    "CREATE TABLE series_values(\n"
    "  run_id INTEGER NOT NULL REFERENCES runs(run_id),\n"
    "  month INTEGER NOT NULL,\n"
    "  series_id INTEGER NOT NULL,\n"
    "  place_id INTEGER NOT NULL,\n"
    "  group_id INTEGER NOT NULL,\n"
    "  demographic_id INTEGER NOT NULL,\n"
    "  value REAL NOT NULL,\n"
    "  PRIMARY KEY(run_id, month, series_id, place_id, group_id, demographic_id)) WITHOUT ROWID;\n"
    "CREATE VIEW series AS SELECT v.run_id AS run_id, r.run AS run,\n"
    "  printf('%04d-%02d', v.month / 12, v.month % 12 + 1) AS month, s.name AS series,\n"
    "  coalesce(p.name, '') AS place, coalesce(g.name, '') AS \"group\", coalesce(d.name, '') AS demographic,\n"
    "  v.value AS value\n"
    "  FROM series_values v JOIN runs r ON r.run_id = v.run_id JOIN dim_series s ON s.id = v.series_id\n"
    "  LEFT JOIN dim_place p ON p.id = v.place_id LEFT JOIN dim_group g ON g.id = v.group_id\n"
    "  LEFT JOIN dim_demographic d ON d.id = v.demographic_id;\n";

int cor_store_fail(cor_store *st, int code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(st->errmsg, sizeof st->errmsg, fmt, ap);
    va_end(ap);
    return code;
}

static int sql_fail(cor_store *st, const char *what)
{
    int e = sqlite3_errcode(st->db);
    return cor_store_fail(st, e == SQLITE_NOMEM ? COR_ENOMEM : COR_EIO, "%s: %s: %s", st->path, what,
                          sqlite3_errmsg(st->db));
}

const char *cor_store_errmsg(const cor_store *st) { return st ? st->errmsg : "out of memory"; }
void *cor_store_db(cor_store *st) { return st->db; }

void cor_store_set_row_hook(cor_store *st, int64_t every, void (*fn)(void *ctx, int64_t rows), void *ctx)
{
    st->hook_every = every;
    st->hook = fn;
    st->hook_ctx = ctx;
}

static int exec(cor_store *st, const char *sql)
{
    return sqlite3_exec(st->db, sql, NULL, NULL, NULL) == SQLITE_OK ? COR_OK : sql_fail(st, "cannot run SQL");
}

int cor_store_meta(cor_store *st, const char *key, char *out, size_t n)
{
    sqlite3_stmt *q;
    if (n)
        out[0] = 0;
    if (sqlite3_prepare_v2(st->db, "SELECT value FROM meta WHERE key = ?1", -1, &q, NULL) != SQLITE_OK)
        return sql_fail(st, "not a corredor store");
    sqlite3_bind_text(q, 1, key, -1, SQLITE_STATIC);
    int rc = sqlite3_step(q);
    if (rc == SQLITE_ROW)
        snprintf(out, n, "%s", (const char *)sqlite3_column_text(q, 0));
    sqlite3_finalize(q);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? COR_OK : sql_fail(st, "cannot read meta");
}

static int put_meta(cor_store *st, const char *key, const char *value)
{
    sqlite3_stmt *q;
    if (sqlite3_prepare_v2(st->db, "INSERT OR REPLACE INTO meta(key, value) VALUES(?1, ?2)", -1, &q, NULL) != SQLITE_OK)
        return sql_fail(st, "cannot write meta");
    sqlite3_bind_text(q, 1, key, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 2, value, -1, SQLITE_STATIC);
    int rc = sqlite3_step(q);
    sqlite3_finalize(q);
    return rc == SQLITE_DONE ? COR_OK : sql_fail(st, "cannot write meta");
}

static void iso_time(int64_t t, char out[24])
{
    time_t tt = (time_t)t;
    struct tm tm;
    gmtime_r(&tt, &tm);
    strftime(out, 24, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* A new store: schema, identity, the fixed demographic names. */
static int create(cor_store *st, const cor_store_identity *id)
{
    char scale[32], seed[24], now[24];
    snprintf(scale, sizeof scale, "%.17g", id->scale);
    snprintf(seed, sizeof seed, "%" PRIu64, id->seed);
    iso_time((int64_t)time(NULL), now);
    int rc = exec(st, "BEGIN IMMEDIATE");
    if (rc == COR_OK)
        rc = exec(st, schema);
    const char *kv[][2] = {{"format", STORE_FORMAT}, {"scenario_hash", id->scenario_hash}, {"scale", scale},
                           {"seed", seed},           {"vary", id->vary},                   {"version", id->version},
                           {"scenario", id->scenario ? id->scenario : ""}, {"created", now}};
    for (size_t i = 0; rc == COR_OK && i < sizeof kv / sizeof *kv; i++)
        rc = put_meta(st, kv[i][0], kv[i][1]);
    if (rc == COR_OK)
        rc = exec(st, "COMMIT");
    if (rc != COR_OK)
        sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
    return rc;
}

/* An existing store must carry the same identity. */
static int check_identity(cor_store *st, const cor_store_identity *id)
{
    char scale[32], seed[24], have[4096];
    snprintf(scale, sizeof scale, "%.17g", id->scale);
    snprintf(seed, sizeof seed, "%" PRIu64, id->seed);
    const char *want[][3] = {{"scenario_hash", id->scenario_hash, "scenario (hash of every file read)"},
                             {"scale", scale, "scale"},
                             {"seed", seed, "seed"},
                             {"vary", id->vary, "--vary spec"},
                             {"version", id->version, "corredor version"}};
    for (size_t i = 0; i < sizeof want / sizeof *want; i++) {
        int rc = cor_store_meta(st, want[i][0], have, sizeof have);
        if (rc != COR_OK)
            return rc;
        if (strcmp(have, want[i][1]) != 0) {
            char made[1024] = "";
            cor_store_meta(st, "scenario", made, sizeof made);
            return cor_store_fail(st, COR_EINPUT,
                                  "%s: the store was made for another ensemble: %s '%s' (scenario %s), not '%s'; use "
                                  "another --db or the same command",
                                  st->path, want[i][2], have, made, want[i][1]);
        }
    }
    return COR_OK;
}

int cor_store_open(const char *path, const cor_store_identity *id, cor_store **out)
{
    cor_store *st = calloc(1, sizeof *st);
    *out = st;
    if (!st || !(st->path = strdup(path)))
        return COR_ENOMEM;
    struct stat sb;
    int exists = stat(path, &sb) == 0 && sb.st_size > 0;
    if (!exists && !id)
        return cor_store_fail(st, COR_EIO, "%s: no such store", path);
    int flags = SQLITE_OPEN_READWRITE | (id ? SQLITE_OPEN_CREATE : 0);
    if (sqlite3_open_v2(path, &st->db, flags, NULL) != SQLITE_OK) {
        int rc = st->db ? sql_fail(st, "cannot open") : cor_store_fail(st, COR_ENOMEM, "out of memory");
        return rc;
    }
    sqlite3_busy_timeout(st->db, 60000);
    /* rollback journal, full sync at each run's commit; a large page cache
     * so that a run's transaction does not spill pages before its commit */
    int rc = exec(st, "PRAGMA journal_mode=DELETE; PRAGMA synchronous=FULL; PRAGMA cache_size=-65536;");
    if (rc != COR_OK)
        return rc;
    if (!exists) {
        if ((rc = create(st, id)) != COR_OK)
            return rc;
    } else {
        char fmt[64];
        if (cor_store_meta(st, "format", fmt, sizeof fmt) != COR_OK || strcmp(fmt, STORE_FORMAT) != 0)
            return cor_store_fail(st, COR_EINPUT, "%s: not a corredor result store (format '%s', expected '%s')", path,
                                  fmt, STORE_FORMAT);
        if (id && (rc = check_identity(st, id)) != COR_OK)
            return rc;
    }
    char v[64];
    if ((rc = cor_store_meta(st, "scenario_hash", st->scenario_hash, sizeof st->scenario_hash)) != COR_OK ||
        (rc = cor_store_meta(st, "scale", v, sizeof v)) != COR_OK)
        return rc;
    st->scale = strtod(v, NULL);
    return COR_OK;
}

void cor_store_close(cor_store *st)
{
    if (!st)
        return;
    sqlite3_close(st->db);
    free(st->path);
    free(st);
}

int cor_store_runs(cor_store *st, uint32_t **runs, int *n)
{
    *runs = NULL;
    *n = 0;
    sqlite3_stmt *q;
    if (sqlite3_prepare_v2(st->db, "SELECT run FROM runs ORDER BY run", -1, &q, NULL) != SQLITE_OK)
        return sql_fail(st, "cannot list runs");
    int cap = 0, rc;
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
        if (*n == cap) {
            cap = cap ? 2 * cap : 64;
            uint32_t *t = realloc(*runs, (size_t)cap * sizeof *t);
            if (!t) {
                sqlite3_finalize(q);
                free(*runs), *runs = NULL, *n = 0;
                return cor_store_fail(st, COR_ENOMEM, "out of memory");
            }
            *runs = t;
        }
        (*runs)[(*n)++] = (uint32_t)sqlite3_column_int64(q, 0);
    }
    sqlite3_finalize(q);
    if (rc != SQLITE_DONE) {
        free(*runs), *runs = NULL, *n = 0;
        return sql_fail(st, "cannot list runs");
    }
    return COR_OK;
}

int cor_store_missing_runs(cor_store *st, int n, uint32_t **todo, int *n_todo, int *present)
{
    uint32_t *have = NULL;
    int n_have = 0, rc = cor_store_runs(st, &have, &n_have);
    *todo = NULL, *n_todo = 0, *present = 0;
    if (rc != COR_OK)
        return rc;
    if (n > 0 && !(*todo = malloc((size_t)n * sizeof **todo))) {
        free(have);
        return cor_store_fail(st, COR_ENOMEM, "out of memory");
    }
    int j = 0;
    for (int run = 0; run < n; run++) {
        while (j < n_have && have[j] < (uint32_t)run)
            j++;
        if (j < n_have && have[j] == (uint32_t)run)
            (*present)++;
        else
            (*todo)[(*n_todo)++] = (uint32_t)run;
    }
    free(have);
    return COR_OK;
}

/* Map a result's name table onto the store's ids (inserting new names). */
static int map_dim(cor_store *st, int dim, const char *const *names, int n, int64_t *ids)
{
    char sql[160];
    sqlite3_stmt *sel, *ins;
    snprintf(sql, sizeof sql, "SELECT id FROM %s WHERE name = ?1", dim_table[dim]);
    if (sqlite3_prepare_v2(st->db, sql, -1, &sel, NULL) != SQLITE_OK)
        return sql_fail(st, "cannot read names");
    snprintf(sql, sizeof sql, "INSERT INTO %s(id, name) VALUES((SELECT coalesce(max(id) + 1, 0) FROM %s), ?1)",
             dim_table[dim], dim_table[dim]);
    if (sqlite3_prepare_v2(st->db, sql, -1, &ins, NULL) != SQLITE_OK) {
        sqlite3_finalize(sel);
        return sql_fail(st, "cannot write names");
    }
    int rc = COR_OK;
    for (int i = 0; rc == COR_OK && i < n; i++) {
        sqlite3_reset(sel);
        sqlite3_bind_text(sel, 1, names[i], -1, SQLITE_STATIC);
        int s = sqlite3_step(sel);
        if (s == SQLITE_ROW) {
            ids[i] = sqlite3_column_int64(sel, 0);
            continue;
        }
        sqlite3_reset(ins);
        sqlite3_bind_text(ins, 1, names[i], -1, SQLITE_STATIC);
        if (s != SQLITE_DONE || sqlite3_step(ins) != SQLITE_DONE) {
            rc = sql_fail(st, "cannot write names");
            break;
        }
        sqlite3_reset(sel);
        if (sqlite3_step(sel) != SQLITE_ROW) {
            rc = sql_fail(st, "cannot read names");
            break;
        }
        ids[i] = sqlite3_column_int64(sel, 0);
    }
    sqlite3_finalize(sel);
    sqlite3_finalize(ins);
    return rc;
}

/* {"name":value,...} with values %.17g, so that they read back bit for bit
 * (cJSON prints 15 digits when they are "close enough"). */
static char *params_json(const cor_ens_result *r)
{
    size_t cap = 3 + (size_t)r->n_vary * (2 * COR_ENS_NAME_MAX + 40), at = 0;
    char *s = malloc(cap);
    if (!s)
        return NULL;
    s[at++] = '{';
    for (int i = 0; i < r->n_vary; i++) {
        if (i)
            s[at++] = ',';
        s[at++] = '"';
        for (const char *c = r->vary_names[i]; *c; c++) {
            if (*c == '"' || *c == '\\')
                s[at++] = '\\';
            if ((unsigned char)*c >= 0x20)
                s[at++] = *c;
        }
        at += (size_t)snprintf(s + at, cap - at, "\":%.17g", r->vary_values[i]);
    }
    s[at++] = '}';
    s[at] = 0;
    return s;
}

/* The body of write_run, inside the transaction. */
static int write_rows(cor_store *st, const cor_ens_result *r, int64_t *ids)
{
    int64_t *sid = ids, *pid = sid + r->n_series, *gid = pid + r->n_places, *did = gid + r->n_groups;
    int rc = COR_OK;
    const char *const *tabs[N_DIMS] = {r->series_names, r->place_ids, r->group_ids, r->demo_names};
    int counts[N_DIMS] = {r->n_series, r->n_places, r->n_groups, r->n_demos};
    int64_t *outs[N_DIMS] = {sid, pid, gid, did};
    for (int d = 0; rc == COR_OK && d < N_DIMS; d++)
        rc = map_dim(st, d, tabs[d], counts[d], outs[d]);
    if (rc != COR_OK)
        return rc;

    char seed[24], started[24], finished[24];
    snprintf(seed, sizeof seed, "%" PRIu64, r->seed);
    iso_time(r->started, started);
    iso_time(r->finished, finished);
    char *params = params_json(r);
    if (!params)
        return cor_store_fail(st, COR_ENOMEM, "out of memory");
    sqlite3_stmt *q;
    if (sqlite3_prepare_v2(st->db,
                           "INSERT INTO runs(run, seed, params, scenario_hash, version, runtime_s, scale, started, "
                           "finished, n_records) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
                           -1, &q, NULL) != SQLITE_OK) {
        free(params);
        return sql_fail(st, "cannot write run");
    }
    sqlite3_bind_int64(q, 1, r->run);
    sqlite3_bind_text(q, 2, seed, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 3, params, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 4, r->scenario_hash, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 5, COR_VERSION, -1, SQLITE_STATIC);
    sqlite3_bind_double(q, 6, r->runtime_s);
    sqlite3_bind_double(q, 7, r->scale);
    sqlite3_bind_text(q, 8, started, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 9, finished, -1, SQLITE_STATIC);
    sqlite3_bind_int64(q, 10, r->n_rec);
    int s = sqlite3_step(q), ext = sqlite3_extended_errcode(st->db);
    free(params);
    if (s != SQLITE_DONE) {
        int code = ext == SQLITE_CONSTRAINT_UNIQUE
                   ? cor_store_fail(st, COR_EINPUT, "%s: run %u is already stored (another process writing the same store?)",
                                    st->path, r->run)
                   : sql_fail(st, "cannot write run");
        sqlite3_finalize(q);
        return code;
    }
    sqlite3_finalize(q);
    int64_t run_id = sqlite3_last_insert_rowid(st->db);

    if (sqlite3_prepare_v2(st->db,
                           "INSERT INTO series_values(run_id, month, series_id, place_id, group_id, demographic_id, "
                           "value) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                           -1, &q, NULL) != SQLITE_OK)
        return sql_fail(st, "cannot write series");
    sqlite3_bind_int64(q, 1, run_id);
    for (int64_t i = 0; rc == COR_OK && i < r->n_rec; i++) {
        const cor_ens_rec *x = &r->rec[i];
        if (x->series < 0 || x->series >= r->n_series || x->place < -1 || x->place >= r->n_places || x->group < -1 ||
            x->group >= r->n_groups || x->demo < -1 || x->demo >= r->n_demos) {
            rc = cor_store_fail(st, COR_EINPUT, "run %u: record %" PRId64 " names a series, place, group or demographic that does not exist",
                                r->run, i);
            break;
        }
        sqlite3_reset(q);
        sqlite3_bind_int64(q, 2, x->month);
        sqlite3_bind_int64(q, 3, sid[x->series]);
        sqlite3_bind_int64(q, 4, x->place >= 0 ? pid[x->place] : -1);
        sqlite3_bind_int64(q, 5, x->group >= 0 ? gid[x->group] : -1);
        sqlite3_bind_int64(q, 6, x->demo >= 0 ? did[x->demo] : -1);
        sqlite3_bind_double(q, 7, x->value);
        if (sqlite3_step(q) != SQLITE_DONE) {
            rc = sql_fail(st, "cannot write series");
            break;
        }
        if (st->hook && st->hook_every > 0 && (i + 1) % st->hook_every == 0)
            st->hook(st->hook_ctx, i + 1);
    }
    sqlite3_finalize(q);
    return rc;
}

int cor_store_write_run(cor_store *st, const cor_ens_result *r)
{
    if (strcmp(r->scenario_hash, st->scenario_hash) != 0)
        return cor_store_fail(st, COR_EINPUT, "run %u: scenario hash %s, but the store holds runs of %s", r->run,
                              r->scenario_hash, st->scenario_hash);
    if (r->scale != st->scale)
        return cor_store_fail(st, COR_EINPUT, "run %u: scale %.17g, but the store holds runs at scale %.17g", r->run,
                              r->scale, st->scale);
    size_t nid = (size_t)r->n_series + (size_t)r->n_places + (size_t)r->n_groups + (size_t)r->n_demos;
    int64_t *ids = malloc((nid ? nid : 1) * sizeof *ids);
    if (!ids)
        return cor_store_fail(st, COR_ENOMEM, "out of memory");
    int rc = exec(st, "BEGIN IMMEDIATE");
    if (rc == COR_OK) {
        rc = write_rows(st, r, ids);
        if (rc == COR_OK)
            rc = exec(st, "COMMIT");
        if (rc != COR_OK)
            sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
    }
    free(ids);
    return rc;
}

/* ---------------------------------------------------------------- dump */

static void put_csv(FILE *f, const char *s)
{
    if (!strpbrk(s, ",\"\n")) {
        fputs(s, f);
        return;
    }
    fputc('"', f);
    for (; *s; s++) {
        if (*s == '"')
            fputc('"', f);
        fputc(*s, f);
    }
    fputc('"', f);
}

int cor_store_dump(cor_store *st, FILE *f)
{
    sqlite3_stmt *q;
    if (sqlite3_prepare_v2(st->db,
                           "SELECT run, seed, params, scenario_hash, version, scale, n_records FROM runs ORDER BY run",
                           -1, &q, NULL) != SQLITE_OK)
        return sql_fail(st, "cannot read runs");
    fprintf(f, "run,seed,params,scenario_hash,version,scale,n_records\n");
    int s;
    while ((s = sqlite3_step(q)) == SQLITE_ROW) {
        fprintf(f, "%lld,%s,", sqlite3_column_int64(q, 0), (const char *)sqlite3_column_text(q, 1));
        put_csv(f, (const char *)sqlite3_column_text(q, 2));
        fprintf(f, ",%s,%s,%.17g,%lld\n", (const char *)sqlite3_column_text(q, 3),
                (const char *)sqlite3_column_text(q, 4), sqlite3_column_double(q, 5), sqlite3_column_int64(q, 6));
    }
    sqlite3_finalize(q);
    if (s != SQLITE_DONE)
        return sql_fail(st, "cannot read runs");
    /* cells in stored order within each run (a range of the primary key,
     * no sort), runs in run-number order */
    sqlite3_stmt *ids;
    if (sqlite3_prepare_v2(st->db, "SELECT run, run_id FROM runs ORDER BY run", -1, &ids, NULL) != SQLITE_OK)
        return sql_fail(st, "cannot read runs");
    if (sqlite3_prepare_v2(st->db,
                           "SELECT v.month, s.name, coalesce(p.name, ''), coalesce(g.name, ''), coalesce(d.name, ''), "
                           "v.value FROM series_values v JOIN dim_series s ON s.id = v.series_id LEFT JOIN dim_place p "
                           "ON p.id = v.place_id LEFT JOIN dim_group g ON g.id = v.group_id LEFT JOIN dim_demographic "
                           "d ON d.id = v.demographic_id WHERE v.run_id = ?1 ORDER BY v.month, v.series_id, "
                           "v.place_id, v.group_id, v.demographic_id",
                           -1, &q, NULL) != SQLITE_OK) {
        sqlite3_finalize(ids);
        return sql_fail(st, "cannot read series");
    }
    fprintf(f, "run,month,series,place,group,demographic,value\n");
    int r = SQLITE_ROW;
    s = SQLITE_DONE;
    while (s == SQLITE_DONE && (r = sqlite3_step(ids)) == SQLITE_ROW) {
        long long run = sqlite3_column_int64(ids, 0);
        sqlite3_reset(q);
        sqlite3_bind_int64(q, 1, sqlite3_column_int64(ids, 1));
        while ((s = sqlite3_step(q)) == SQLITE_ROW) {
            int m = sqlite3_column_int(q, 0);
            fprintf(f, "%lld,%04d-%02d,%s,%s,%s,%s,%.17g\n", run, m / 12, m % 12 + 1,
                    (const char *)sqlite3_column_text(q, 1), (const char *)sqlite3_column_text(q, 2),
                    (const char *)sqlite3_column_text(q, 3), (const char *)sqlite3_column_text(q, 4),
                    sqlite3_column_double(q, 5));
        }
    }
    sqlite3_finalize(q);
    sqlite3_finalize(ids);
    if (s != SQLITE_DONE || r != SQLITE_DONE)
        return sql_fail(st, "cannot read series");
    return ferror(f) ? cor_store_fail(st, COR_EIO, "cannot write the dump") : COR_OK;
}
