/* test_ensemble.c - ensembles and the result store: --vary parsing and
 * draws, the result wire format, store round trip, all-or-nothing runs
 * (a failing write and a process that dies mid-transaction), identity
 * checks, resume, identical stores for 1 and 2 threads (and equal to a plain
 * run), quantiles and bands on known inputs. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <math.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "analysis/bands.h"
#include "analysis/ensemble.h"
#include "analysis/store.h"
#include "test_util.h"

#define SHORT "tests/data/ensemble/short.yaml"

static char *tmp_file(char *buf, size_t n, const char *name)
{
    char dir[4096];
    tmp_path(dir, sizeof dir, "");
    mkdir(dir, 0777);
    tmp_path(buf, n, name);
    remove(buf);
    char j[4200];
    snprintf(j, sizeof j, "%s-journal", buf);
    remove(j);
    return buf;
}

/* Read a whole file (NUL-terminated; caller frees). */
static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *s = malloc((size_t)n + 1);
    if (s && fread(s, 1, (size_t)n, f) != (size_t)n) {
        free(s);
        s = NULL;
    }
    if (s)
        s[n] = 0;
    fclose(f);
    return s;
}

static long long query_int(cor_store *st, const char *sql)
{
    sqlite3_stmt *q;
    long long v = -999;
    if (sqlite3_prepare_v2(cor_store_db(st), sql, -1, &q, NULL) == SQLITE_OK && sqlite3_step(q) == SQLITE_ROW)
        v = sqlite3_column_int64(q, 0);
    sqlite3_finalize(q);
    return v;
}

/* A synthetic result: 2 series, 3 places, 1 group; record i is in month
 * 24000 + i / 6 with value base + i. */
static cor_ens_result *fake_result(uint32_t run, int64_t n_rec, double base)
{
    cor_ens_result *r = calloc(1, sizeof *r);
    static const char names[] = "flows\0stocks\0a\0b\0c\0honduras\0single_adults\0family_members\0unaccompanied_children";
    r->run = run, r->seed = 7, r->scale = 10, r->runtime_s = 0.5, r->started = 1700000000, r->finished = 1700000001;
    snprintf(r->scenario_hash, sizeof r->scenario_hash, "%032d", 1);
    r->n_vary = 1;
    r->vary_names = calloc(1, COR_ENS_NAME_MAX);
    r->vary_values = calloc(1, sizeof(double));
    strcpy(r->vary_names[0], "p");
    r->vary_values[0] = 0.1 + run;
    r->n_series = 2, r->n_places = 3, r->n_groups = 1, r->n_demos = 3;
    r->names_len = sizeof names;
    r->names = malloc(sizeof names);
    memcpy(r->names, names, sizeof names);
    const char **t = malloc(9 * sizeof *t);
    const char *p = r->names;
    for (int i = 0; i < 9; i++, p += strlen(p) + 1)
        t[i] = p;
    r->series_names = t, r->place_ids = t + 2, r->group_ids = t + 5, r->demo_names = t + 6;
    r->n_rec = n_rec;
    r->rec = calloc((size_t)n_rec, sizeof *r->rec);
    for (int64_t i = 0; i < n_rec; i++)
        r->rec[i] = (cor_ens_rec){.month = 24000 + (int32_t)(i / 6), .series = (int32_t)(i % 6 / 3),
                                  .place = (int32_t)(i % 3), .group = i % 2 ? 0 : -1, .demo = (int32_t)(i % 3) - 1,
                                  .value = base + (double)i};
    return r;
}

static cor_store_identity fake_id(void)
{
    static const char hash[] = "00000000000000000000000000000001";
    return (cor_store_identity){.scenario_hash = hash, .scale = 10, .seed = 7, .vary = "p=0:1", .version = "0.1.0",
                                .scenario = "fake.yaml"};
}

/* ---------------------------------------------------------------- vary */

static void vary_parse(void **state)
{
    (void)state;
    cor_ens_plan plan = {0};
    char err[256], spec[512];
    assert_int_equal(cor_ens_plan_add_vary(&plan, "zeta=1:2", err, sizeof err), COR_OK);
    assert_int_equal(cor_ens_plan_add_vary(&plan, "alpha=-0.5:1e-3", err, sizeof err), COR_OK);
    cor_ens_vary_spec(&plan, spec, sizeof spec);
    assert_string_equal(spec, "alpha=-0.5:0.001,zeta=1:2"); /* sorted by name, %.17g */
    assert_int_equal(cor_ens_plan_add_vary(&plan, "alpha=0:1", err, sizeof err), COR_EARG);
    assert_string_equal(err, "--vary 'alpha=0:1': alpha is already varied");
    assert_int_equal(cor_ens_plan_add_vary(&plan, "x=1", err, sizeof err), COR_EARG);
    assert_string_equal(err, "--vary 'x=1': expected NAME=LO:HI");
    assert_int_equal(cor_ens_plan_add_vary(&plan, "x=2:1", err, sizeof err), COR_EARG);
    assert_string_equal(err, "--vary 'x=2:1': LO is above HI");
    assert_int_equal(cor_ens_plan_add_vary(&plan, "x=1:nan", err, sizeof err), COR_EARG);
    assert_string_equal(err, "--vary 'x=1:nan': 'nan' is not a finite number");
    assert_int_equal(cor_ens_plan_add_vary(&plan, "=1:2", err, sizeof err), COR_EARG);
    assert_int_equal(plan.n_vary, 2);
}

static void vary_draws(void **state)
{
    (void)state;
    /* FNV-1a 32 of "" and "a" (published test vectors) */
    assert_true(cor_ens_fnv1a32("") == 0x811c9dc5u);
    assert_true(cor_ens_fnv1a32("a") == 0xe40c292cu);
    cor_ens_vary v = {"inm_detention_days", 3, 10};
    double sum = 0, lo = 1e9, hi = -1e9;
    int below_mid = 0;
    for (uint32_t run = 0; run < 2000; run++) {
        double x = cor_ens_draw(42, run, &v);
        assert_true(x >= 3 && x < 10);
        assert_true(x == cor_ens_draw(42, run, &v)); /* reproducible */
        sum += x, lo = fmin(lo, x), hi = fmax(hi, x);
        below_mid += x < 6.5;
    }
    /* uniform on [3, 10): mean 6.5 (sd of the mean 2.02/sqrt(2000) = 0.045) */
    assert_true(fabs(sum / 2000 - 6.5) < 0.2);
    assert_true(lo < 3.05 && hi > 9.95);
    assert_true(below_mid > 900 && below_mid < 1100);
    /* runs, seeds and names give other draws */
    assert_true(cor_ens_u01(42, 0, "a") != cor_ens_u01(42, 1, "a"));
    assert_true(cor_ens_u01(42, 0, "a") != cor_ens_u01(43, 0, "a"));
    assert_true(cor_ens_u01(42, 0, "a") != cor_ens_u01(42, 0, "b"));
    /* LO = HI: a constant */
    cor_ens_vary c = {"k", 2.5, 2.5};
    assert_true(cor_ens_draw(1, 5, &c) == 2.5);
}

/* ------------------------------------------------------------ results */

static void pack_round_trip(void **state)
{
    (void)state;
    cor_ens_result *r = fake_result(3, 100, 0.1);
    unsigned char *buf;
    size_t len;
    assert_int_equal(cor_ens_result_pack(r, &buf, &len), COR_OK);
    cor_ens_result *u = NULL;
    assert_int_equal(cor_ens_result_unpack(buf, len, &u), COR_OK);
    assert_int_equal(u->run, 3);
    assert_true(u->seed == 7 && u->scale == 10 && u->runtime_s == 0.5 && u->started == 1700000000);
    assert_string_equal(u->scenario_hash, r->scenario_hash);
    assert_string_equal(u->vary_names[0], "p");
    assert_true(u->vary_values[0] == r->vary_values[0]);
    assert_string_equal(u->series_names[1], "stocks");
    assert_string_equal(u->place_ids[2], "c");
    assert_string_equal(u->group_ids[0], "honduras");
    assert_string_equal(u->demo_names[2], "unaccompanied_children");
    assert_int_equal(u->n_rec, 100);
    assert_memory_equal(u->rec, r->rec, 100 * sizeof *r->rec);
    cor_ens_result_free(u);
    assert_int_equal(cor_ens_result_unpack(buf, len - 1, &u), COR_EINPUT); /* truncated */
    assert_null(u);
    buf[0] ^= 1;
    assert_int_equal(cor_ens_result_unpack(buf, len, &u), COR_EINPUT); /* bad magic */
    free(buf);
    cor_ens_result_free(r);
}

/* -------------------------------------------------------------- store */

static void store_round_trip(void **state)
{
    (void)state;
    char path[4096];
    tmp_file(path, sizeof path, "ens_roundtrip.sqlite");
    cor_store_identity id = fake_id();
    cor_store *st = NULL;
    assert_int_equal(cor_store_open(path, &id, &st), COR_OK);
    cor_ens_result *r = fake_result(5, 12, 0.25);
    assert_int_equal(cor_store_write_run(st, r), COR_OK);
    uint32_t *runs;
    int n;
    assert_int_equal(cor_store_runs(st, &runs, &n), COR_OK);
    assert_int_equal(n, 1);
    assert_int_equal(runs[0], 5);
    free(runs);
    assert_int_equal(query_int(st, "SELECT count(*) FROM series_values"), 12);
    assert_int_equal(query_int(st, "SELECT n_records FROM runs WHERE run = 5"), 12);
    /* the view gives the series.csv schema with names */
    sqlite3_stmt *q;
    assert_int_equal(sqlite3_prepare_v2(cor_store_db(st),
                                        "SELECT run, month, series, place, \"group\", demographic, value, params, seed, "
                                        "started FROM series JOIN runs USING(run_id, run) ORDER BY value LIMIT 2",
                                        -1, &q, NULL),
                     SQLITE_OK);
    assert_int_equal(sqlite3_step(q), SQLITE_ROW);
    assert_int_equal(sqlite3_column_int(q, 0), 5);
    assert_string_equal((const char *)sqlite3_column_text(q, 1), "2000-01");
    assert_string_equal((const char *)sqlite3_column_text(q, 2), "flows");
    assert_string_equal((const char *)sqlite3_column_text(q, 3), "a");
    assert_string_equal((const char *)sqlite3_column_text(q, 4), "");  /* group -1 */
    assert_string_equal((const char *)sqlite3_column_text(q, 5), ""); /* demo -1 */
    assert_true(sqlite3_column_double(q, 6) == 0.25);
    assert_string_equal((const char *)sqlite3_column_text(q, 7), "{\"p\":5.0999999999999996}");
    assert_string_equal((const char *)sqlite3_column_text(q, 8), "7");
    assert_string_equal((const char *)sqlite3_column_text(q, 9), "2023-11-14T22:13:20Z");
    assert_int_equal(sqlite3_step(q), SQLITE_ROW);
    assert_string_equal((const char *)sqlite3_column_text(q, 4), "honduras");
    assert_string_equal((const char *)sqlite3_column_text(q, 5), "single_adults");
    sqlite3_finalize(q);
    /* a second copy of run 5 is refused */
    assert_int_equal(cor_store_write_run(st, r), COR_EINPUT);
    assert_true(strstr(cor_store_errmsg(st), "run 5 is already stored") != NULL);
    assert_int_equal(query_int(st, "SELECT count(*) FROM series_values"), 12);
    /* dump */
    char dump[4096];
    tmp_file(dump, sizeof dump, "ens_roundtrip.txt");
    FILE *f = fopen(dump, "w");
    assert_int_equal(cor_store_dump(st, f), COR_OK);
    fclose(f);
    char *text = slurp(dump);
    assert_non_null(text);
    assert_true(strncmp(text,
                        "run,seed,params,scenario_hash,version,scale,n_records\n"
                        "5,7,\"{\"\"p\"\":5.0999999999999996}\",00000000000000000000000000000001,0.1.0,10,12\n"
                        "run,month,series,place,group,demographic,value\n"
                        "5,2000-01,flows,a,,,0.25\n",
                        strlen("run,seed,params,scenario_hash,version,scale,n_records\n"
                               "5,7,\"{\"\"p\"\":5.0999999999999996}\",00000000000000000000000000000001,0.1.0,10,12\n"
                               "run,month,series,place,group,demographic,value\n"
                               "5,2000-01,flows,a,,,0.25\n")) == 0);
    free(text);
    cor_ens_result_free(r);
    cor_store_close(st);

    /* reopen: same identity fine; another scale / hash refused, naming the field */
    assert_int_equal(cor_store_open(path, &id, &st), COR_OK);
    cor_store_close(st);
    cor_store_identity other = id;
    other.scale = 100;
    assert_int_equal(cor_store_open(path, &other, &st), COR_EINPUT);
    assert_true(strstr(cor_store_errmsg(st), "the store was made for another ensemble: scale '10' (scenario fake.yaml), "
                                             "not '100'") != NULL);
    cor_store_close(st);
    other = id;
    other.vary = "p=0:2";
    assert_int_equal(cor_store_open(path, &other, &st), COR_EINPUT);
    assert_true(strstr(cor_store_errmsg(st), "--vary spec 'p=0:1'") != NULL);
    cor_store_close(st);
    /* not a store */
    char bad[4096];
    tmp_file(bad, sizeof bad, "ens_not_a_store.sqlite");
    f = fopen(bad, "w");
    fputs("hello\n", f);
    fclose(f);
    assert_int_equal(cor_store_open(bad, NULL, &st), COR_EIO);
    cor_store_close(st);
    assert_int_equal(cor_store_open("/nonexistent/x.sqlite", NULL, &st), COR_EIO);
    assert_true(strstr(cor_store_errmsg(st), "no such store") != NULL);
    cor_store_close(st);
}

/* A record naming a place that does not exist, half way through a run: the
 * write fails and nothing of the run is left. */
static void failed_write_leaves_nothing(void **state)
{
    (void)state;
    char path[4096];
    tmp_file(path, sizeof path, "ens_failed.sqlite");
    cor_store_identity id = fake_id();
    cor_store *st = NULL;
    assert_int_equal(cor_store_open(path, &id, &st), COR_OK);
    cor_ens_result *good = fake_result(0, 30, 1);
    assert_int_equal(cor_store_write_run(st, good), COR_OK);
    cor_ens_result *r = fake_result(1, 1000, 1);
    r->rec[600].place = 3;
    assert_int_equal(cor_store_write_run(st, r), COR_EINPUT);
    assert_string_equal(cor_store_errmsg(st),
                        "run 1: record 600 names a series, place, group or demographic that does not exist");
    assert_int_equal(query_int(st, "SELECT count(*) FROM runs"), 1);
    assert_int_equal(query_int(st, "SELECT count(*) FROM series_values"), 30);
    r->rec[600].place = 2;
    assert_int_equal(cor_store_write_run(st, r), COR_OK);
    assert_int_equal(query_int(st, "SELECT count(*) FROM series_values"), 1030);
    cor_ens_result_free(good);
    cor_ens_result_free(r);
    cor_store_close(st);
}

static void die(void *ctx, int64_t rows)
{
    (void)ctx;
    if (rows >= 5000)
        _exit(7); /* the process dies in the middle of the run's transaction */
}

/* A process that dies while writing a run: the store, opened again, has the
 * runs before it and nothing of that run. */
static void crash_mid_run(void **state)
{
    (void)state;
    char path[4096];
    tmp_file(path, sizeof path, "ens_crash.sqlite");
    cor_store_identity id = fake_id();
    cor_store *st = NULL;
    assert_int_equal(cor_store_open(path, &id, &st), COR_OK);
    cor_ens_result *r0 = fake_result(0, 100, 1), *r1 = fake_result(1, 20000, 1);
    assert_int_equal(cor_store_write_run(st, r0), COR_OK);
    cor_store_close(st);
    fflush(NULL);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        cor_store *c = NULL;
        if (cor_store_open(path, &id, &c) != COR_OK)
            _exit(3);
        cor_store_set_row_hook(c, 1000, die, NULL);
        cor_store_write_run(c, r1);
        _exit(0); /* not reached */
    }
    int status = 0;
    waitpid(pid, &status, 0);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 7);
    char journal[4200];
    snprintf(journal, sizeof journal, "%s-journal", path);
    struct stat sb;
    assert_int_equal(stat(journal, &sb), 0); /* a hot journal was left behind */
    assert_int_equal(cor_store_open(path, &id, &st), COR_OK);
    assert_int_equal(query_int(st, "SELECT count(*) FROM runs"), 1);
    assert_int_equal(query_int(st, "SELECT count(*) FROM series_values"), 100);
    assert_int_equal(query_int(st, "SELECT count(*) FROM runs WHERE run = 1"), 0);
    /* resume: run 1 is missing and can be written */
    uint32_t *todo;
    int n_todo, present;
    assert_int_equal(cor_store_missing_runs(st, 3, &todo, &n_todo, &present), COR_OK);
    assert_int_equal(present, 1);
    assert_int_equal(n_todo, 2);
    assert_int_equal(todo[0], 1);
    assert_int_equal(todo[1], 2);
    free(todo);
    assert_int_equal(cor_store_write_run(st, r1), COR_OK);
    assert_int_equal(query_int(st, "SELECT count(*) FROM series_values"), 20100);
    cor_store_close(st);
    cor_ens_result_free(r0);
    cor_ens_result_free(r1);
}

/* ------------------------------------------------------------ ensembles */

static cor_store *open_short(const char *name, const cor_ens_plan *plan, char *path, size_t n)
{
    cor_ens_worker *w = NULL;
    assert_int_equal(cor_ens_worker_new(plan, &w), COR_OK);
    char vary[1024];
    cor_ens_vary_spec(plan, vary, sizeof vary);
    cor_store_identity id = {.scenario_hash = cor_ens_worker_hash(w), .scale = plan->scale,
                             .seed = cor_ens_worker_seed(w), .vary = vary, .version = cor_version(),
                             .scenario = plan->scenario};
    cor_store *st = NULL;
    tmp_file(path, n, name);
    assert_int_equal(cor_store_open(path, &id, &st), COR_OK);
    cor_ens_worker_free(w);
    return st;
}

static char *dump_text(cor_store *st, const char *name)
{
    char path[4096];
    tmp_file(path, sizeof path, name);
    FILE *f = fopen(path, "w");
    assert_int_equal(cor_store_dump(st, f), COR_OK);
    fclose(f);
    return slurp(path);
}

static int cmp_rec(const void *pa, const void *pb)
{
    const cor_ens_rec *x = pa, *y = pb;
    int32_t kx[5] = {x->month, x->series, x->place, x->group, x->demo};
    int32_t ky[5] = {y->month, y->series, y->place, y->group, y->demo};
    for (int i = 0; i < 5; i++)
        if (kx[i] != ky[i])
            return kx[i] < ky[i] ? -1 : 1;
    return 0;
}

static void threads_resume_and_plain_run(void **state)
{
    (void)state;
    char scen[4096], path[4096], err[1024];
    cor_ens_plan plan = {.scenario = src_path(scen, sizeof scen, SHORT), .scale = 500, .seed = 11, .has_seed = 1};
    assert_int_equal(cor_ens_plan_add_vary(&plan, "inm_detention_days=3:10", err, sizeof err), COR_OK);
    const uint32_t all[] = {0, 1, 2, 3, 4, 5};
    cor_ens_exec_opts one = {.threads = 1}, two = {.threads = 2};

    cor_store *a = open_short("ens_t1.sqlite", &plan, path, sizeof path);
    assert_int_equal(cor_ens_execute(&plan, a, all, 6, &one, err, sizeof err), COR_OK);
    /* threads = 2, in two goes: runs 0, 2, 4 and then the rest (resume) */
    cor_store *b = open_short("ens_t2.sqlite", &plan, path, sizeof path);
    const uint32_t even[] = {4, 2, 0};
    assert_int_equal(cor_ens_execute(&plan, b, even, 3, &two, err, sizeof err), COR_OK);
    uint32_t *todo;
    int n_todo, present;
    assert_int_equal(cor_store_missing_runs(b, 6, &todo, &n_todo, &present), COR_OK);
    assert_int_equal(present, 3);
    assert_int_equal(n_todo, 3);
    assert_int_equal(todo[0], 1);
    assert_int_equal(todo[2], 5);
    assert_int_equal(cor_ens_execute(&plan, b, todo, n_todo, &two, err, sizeof err), COR_OK);
    free(todo);
    assert_int_equal(cor_store_missing_runs(b, 6, &todo, &n_todo, &present), COR_OK);
    assert_int_equal(n_todo, 0);
    assert_int_equal(present, 6);
    free(todo);
    assert_int_equal(query_int(b, "SELECT count(DISTINCT run) FROM runs"), 6);
    assert_int_equal(query_int(b, "SELECT count(*) FROM runs"), 6);
    assert_int_equal(query_int(b, "SELECT sum(n_records) FROM runs"), query_int(b, "SELECT count(*) FROM series_values"));
    assert_true(query_int(b, "SELECT count(*) FROM series_values") > 1000);

    char *da = dump_text(a, "ens_t1.txt"), *db = dump_text(b, "ens_t2.txt");
    assert_non_null(da);
    assert_non_null(db);
    assert_string_equal(da, db);
    /* the runs differ from each other */
    assert_true(query_int(a, "SELECT count(DISTINCT params) FROM runs") == 6);
    free(da);
    free(db);

    /* the drawn values are stored and within range; run 3's value is the rule's */
    sqlite3_stmt *q;
    assert_int_equal(sqlite3_prepare_v2(cor_store_db(a),
                                        "SELECT run, json_extract(params, '$.inm_detention_days') FROM runs ORDER BY run",
                                        -1, &q, NULL),
                     SQLITE_OK);
    while (sqlite3_step(q) == SQLITE_ROW) {
        double v = sqlite3_column_double(q, 1);
        assert_true(v >= 3 && v < 10);
        assert_true(v == cor_ens_draw(11, (uint32_t)sqlite3_column_int(q, 0), &plan.vary[0]));
    }
    sqlite3_finalize(q);

    /* run 3 equals a plain sim with run = 3 and the drawn value */
    cor_scenario *sc = load_scenario(SHORT);
    assert_non_null(sc);
    assert_int_equal(cor_scenario_set_param(sc, "inm_detention_days", cor_ens_draw(11, 3, &plan.vary[0])), COR_OK);
    cor_sim *sim = cor_sim_new();
    cor_options opt = {.seed = 11, .has_seed = 1, .scale = 500, .threads = 1, .run = 3};
    assert_int_equal(cor_sim_init(sim, sc, &opt), COR_OK);
    assert_int_equal(cor_sim_run(sim), COR_OK);
    assert_int_equal(query_int(a, "SELECT n_records FROM runs WHERE run = 3"), cor_sim_n_records(sim));
    /* cell by cell, bit for bit: the store's ids follow the sim's order, so
     * sorting the sim's records by (month, series, place, group, demographic)
     * gives the store's order */
    int64_t nrec = cor_sim_n_records(sim);
    cor_ens_rec *recs = calloc((size_t)nrec, sizeof *recs);
    for (int64_t i = 0; i < nrec; i++) {
        int m, s, p, g, d;
        cor_sim_record(sim, i, &m, &s, &p, &g, &d, &recs[i].value);
        recs[i] = (cor_ens_rec){m, s, p, g, d, recs[i].value};
    }
    qsort(recs, (size_t)nrec, sizeof *recs, cmp_rec);
    assert_int_equal(sqlite3_prepare_v2(cor_store_db(a),
                                        "SELECT month, series_id, place_id, group_id, demographic_id, value FROM "
                                        "series_values WHERE run_id = (SELECT run_id FROM runs WHERE run = 3) ORDER BY "
                                        "month, series_id, place_id, group_id, demographic_id",
                                        -1, &q, NULL),
                     SQLITE_OK);
    int64_t k = 0;
    while (sqlite3_step(q) == SQLITE_ROW) {
        assert_true(k < nrec);
        assert_int_equal(sqlite3_column_int(q, 0), recs[k].month);
        assert_int_equal(sqlite3_column_int(q, 1), recs[k].series);
        assert_int_equal(sqlite3_column_int(q, 2), recs[k].place);
        assert_int_equal(sqlite3_column_int(q, 3), recs[k].group);
        assert_int_equal(sqlite3_column_int(q, 4), recs[k].demo);
        assert_true(sqlite3_column_double(q, 5) == recs[k].value);
        k++;
    }
    sqlite3_finalize(q);
    assert_int_equal(k, nrec);
    free(recs);
    double enc = cor_sim_series_value(sim, cor_sim_series_id(sim, "us_encounters"), -1, -1);
    char sql[256];
    snprintf(sql, sizeof sql, "SELECT CAST(sum(value) AS INTEGER) FROM series WHERE run = 3 AND series = 'us_encounters'");
    assert_true(enc > 0);
    assert_int_equal(query_int(a, sql), (long long)enc);
    cor_sim_free(sim);
    cor_scenario_free(sc);
    cor_store_close(a);
    cor_store_close(b);
}

/* A worker for a scenario without the varied parameter: the executor stops
 * with the worker's message and stores nothing. */
static void unknown_vary_fails(void **state)
{
    (void)state;
    char scen[4096], path[4096], err[1024];
    cor_ens_plan plan = {.scenario = src_path(scen, sizeof scen, SHORT), .scale = 500};
    cor_store *st = open_short("ens_unknown.sqlite", &plan, path, sizeof path);
    assert_int_equal(cor_ens_plan_add_vary(&plan, "no_such_param=0:1", err, sizeof err), COR_OK);
    const uint32_t runs[] = {0, 1};
    cor_ens_exec_opts o = {.threads = 2};
    assert_int_equal(cor_ens_execute(&plan, st, runs, 2, &o, err, sizeof err), COR_EARG);
    char want[4300];
    snprintf(want, sizeof want, "--vary no_such_param: %s has no parameter of that name", scen);
    assert_string_equal(err, want);
    assert_int_equal(query_int(st, "SELECT count(*) FROM runs"), 0);
    cor_store_close(st);
}

/* ---------------------------------------------------------- quantiles */

static void quantile_type7(void **state)
{
    (void)state;
    double x[10];
    for (int i = 0; i < 10; i++)
        x[i] = i + 1;
    /* R: quantile(1:10, c(.05, .5, .95)) = 1.45 5.50 9.55 */
    assert_true(fabs(cor_quantile7(x, 10, 0.05) - 1.45) < 1e-12);
    assert_true(fabs(cor_quantile7(x, 10, 0.50) - 5.50) < 1e-12);
    assert_true(fabs(cor_quantile7(x, 10, 0.95) - 9.55) < 1e-12);
    assert_true(cor_quantile7(x, 10, 0) == 1 && cor_quantile7(x, 10, 1) == 10);
    double one = 4;
    assert_true(cor_quantile7(&one, 1, 0.05) == 4 && cor_quantile7(&one, 1, 0.95) == 4);
    double two[2] = {0, 10};
    assert_true(fabs(cor_quantile7(two, 2, 0.95) - 9.5) < 1e-12);
}

/* Bands over 20 fake runs: cell values run+1 (1..20); a cell only in run 0
 * is 0 in the others; --bands-totals rows sum each series. */
static void bands_known(void **state)
{
    (void)state;
    char path[4096], csv[4096];
    tmp_file(path, sizeof path, "ens_bands.sqlite");
    cor_store_identity id = fake_id();
    cor_store *st = NULL;
    assert_int_equal(cor_store_open(path, &id, &st), COR_OK);
    for (uint32_t run = 0; run < 20; run++) {
        cor_ens_result *r = fake_result(run, run == 0 ? 2 : 1, 0);
        r->rec[0] = (cor_ens_rec){24000, 0, 1, -1, -1, run + 1.0}; /* flows at b */
        if (run == 0)
            r->rec[1] = (cor_ens_rec){24000, 0, 2, 0, 0, 100.0}; /* flows at c, honduras, single adults */
        assert_int_equal(cor_store_write_run(st, r), COR_OK);
        cor_ens_result_free(r);
    }
    int64_t rows = 0;
    tmp_file(csv, sizeof csv, "ens_bands.csv");
    assert_int_equal(cor_bands_write(st, csv, 1, &rows), COR_OK);
    assert_int_equal(rows, 3);
    char *text = slurp(csv);
    assert_non_null(text);
    /* 1..20: q05 = 1 + 0.95 = 1.95, q50 = 10.5, q95 = 19.05;
     * 100 and 19 zeros: q95 = 0.05 * 100 = 5; total: run 0 is 101, others run+1 */
    assert_string_equal(text, "month,series,place,group,demographic,n,q05,q50,q95\n"
                              "2000-01,flows,*,*,*,20,2.95,11.5,24.05\n"
                              "2000-01,flows,b,,,20,1.95,10.5,19.05\n"
                              "2000-01,flows,c,honduras,single_adults,20,0,0,5\n");
    free(text);
    struct stat sb;
    char partial[4200];
    snprintf(partial, sizeof partial, "%s.partial", csv);
    assert_true(stat(partial, &sb) != 0);
    cor_store_close(st);
    /* an empty store has no bands */
    tmp_file(path, sizeof path, "ens_bands_empty.sqlite");
    assert_int_equal(cor_store_open(path, &id, &st), COR_OK);
    assert_int_equal(cor_bands_write(st, csv, 0, &rows), COR_EINPUT);
    assert_string_equal(cor_store_errmsg(st), "the store has no runs: no bands to compute");
    cor_store_close(st);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(vary_parse),
        cmocka_unit_test(vary_draws),
        cmocka_unit_test(pack_round_trip),
        cmocka_unit_test(store_round_trip),
        cmocka_unit_test(failed_write_leaves_nothing),
        cmocka_unit_test(crash_mid_run),
        cmocka_unit_test(threads_resume_and_plain_run),
        cmocka_unit_test(unknown_vary_fails),
        cmocka_unit_test(quantile_type7),
        cmocka_unit_test(bands_known),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
