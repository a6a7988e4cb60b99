/* test_sim.h - assertions on whole runs shared by the unit tests (include
 * after <cmocka.h>). */
#ifndef COR_TEST_SIM_H
#define COR_TEST_SIM_H

#include <stdio.h>
#include <string.h>

#include "engine/rules.h"
#include "engine/sim.h"
#include "test_util.h"

/* A new sim that takes the parallel path even for small buckets. */
static inline cor_sim *sim_prepare(void)
{
    cor_sim *sim = cor_sim_new();
    assert_non_null(sim);
    sim->par_min = 1;
    return sim;
}

/* cor_sim_init that must succeed (its message on stderr if not). */
static inline void sim_init_ok(cor_sim *sim, const cor_scenario *sc, int threads, double scale)
{
    cor_options opt = {.threads = threads, .scale = scale};
    int rc = cor_sim_init(sim, sc, &opt);
    if (rc)
        fprintf(stderr, "%s\n", cor_sim_errmsg(sim));
    assert_int_equal(rc, COR_OK);
}

/* A sim of sc on `threads` threads at `scale` (0: the scenario's), with
 * the extra rule layers added in order. */
static inline cor_sim *sim_start(const cor_scenario *sc, int threads, double scale, const cor_rules *const *extra,
                                 int n_extra)
{
    cor_sim *sim = sim_prepare();
    for (int i = 0; i < n_extra; i++)
        assert_int_equal(cor_sim_add_rules(sim, extra[i]), COR_OK);
    sim_init_ok(sim, sc, threads, scale);
    return sim;
}

/* A sim with one extra rule layer whose state is given (a setup-less test
 * layer), or none when extra is NULL. */
static inline cor_sim *sim_start_state(const cor_scenario *sc, int threads, double scale, const cor_rules *extra,
                                       void *extra_state)
{
    cor_sim *sim = sim_prepare();
    if (extra) {
        assert_int_equal(cor_sim_add_rules(sim, extra), COR_OK);
        sim->layers[sim->n_layers - 1].state = extra_state;
    }
    sim_init_ok(sim, sc, threads, scale);
    return sim;
}

/* A series' total over every month, place, group and demographic. */
static inline double series_total(const cor_sim *sim, const char *name)
{
    int s = cor_sim_series_id(sim, name);
    assert_true(s >= 0);
    return cor_sim_series_value(sim, s, -1, -1);
}

/* A scenario from text, loaded as if it were the file `rel` of the source
 * tree (so that its base: and CSV paths resolve there); must load. */
static inline cor_scenario *load_mem_ok(const char *rel, const char *text)
{
    char path[4096];
    cor_scenario *sc = NULL;
    int rc = cor_scenario_load_mem(src_path(path, sizeof path, rel), text, strlen(text), &sc);
    if (rc)
        fprintf(stderr, "%s\n", sc ? cor_scenario_errmsg(sc) : "out of memory");
    assert_int_equal(rc, COR_OK);
    return sc;
}

/* The message of a sim init that must fail with COR_EINPUT (strdup'd; the
 * caller frees it); frees sc. */
static inline char *sc_init_error(cor_scenario *sc)
{
    cor_sim *sim = cor_sim_new();
    assert_non_null(sim);
    assert_int_equal(cor_sim_init(sim, sc, NULL), COR_EINPUT);
    char *msg = strdup(cor_sim_errmsg(sim));
    assert_non_null(msg);
    cor_sim_free(sim);
    cor_scenario_free(sc);
    return msg;
}

/* Sim init on the scenario file `rel` fails with exactly want_fmt, where a
 * %s in it stands for the file's full path. */
static inline void expect_init_error_at(const char *rel, const char *want_fmt)
{
    cor_scenario *sc = load_scenario(rel);
    assert_non_null(sc);
    char *got = sc_init_error(sc);
    char path[4096], want[8192];
    src_path(path, sizeof path, rel);
    const char *at = strstr(want_fmt, "%s");
    if (at)
        snprintf(want, sizeof want, "%.*s%s%s", (int)(at - want_fmt), want_fmt, path, at + 2);
    else
        snprintf(want, sizeof want, "%s", want_fmt);
    assert_string_equal(got, want);
    free(got);
}

/* Sim init on the scenario file `rel` fails with a message containing msg. */
static inline void expect_init_error_has(const char *rel, const char *msg)
{
    cor_scenario *sc = load_scenario(rel);
    assert_non_null(sc);
    char *got = sc_init_error(sc);
    if (!strstr(got, msg)) {
        fprintf(stderr, "got: %s\nwanted: %s\n", got, msg);
        fail();
    }
    free(got);
}

/* The same agents end in the same state (every engine field): for runs
 * whose module sets differ (a module that must change no one's path). */
static inline void assert_same_agents(const cor_sim *a, const cor_sim *b)
{
    assert_int_equal(a->agents.n, b->agents.n);
    size_t n = (size_t)a->agents.n;
    const cor_agents *x = &a->agents, *y = &b->agents;
    assert_memory_equal(x->group, y->group, n);
    assert_memory_equal(x->demo, y->demo, n);
    assert_memory_equal(x->status, y->status, n);
    assert_memory_equal(x->place, y->place, n * sizeof *x->place);
    assert_memory_equal(x->next_day, y->next_day, n * sizeof *x->next_day);
    assert_memory_equal(x->since, y->since, n * sizeof *x->since);
    assert_memory_equal(x->born, y->born, n * sizeof *x->born);
}

/* Two runs are the same: every agent field and module column, the monthly
 * stocks and every stored series cell (thread determinism). */
static inline void assert_same_run(const cor_sim *a, const cor_sim *b)
{
    assert_int_equal(a->agents.n, b->agents.n);
    size_t n = (size_t)a->agents.n;
    const cor_agents *x = &a->agents, *y = &b->agents;
    assert_memory_equal(x->group, y->group, n);
    assert_memory_equal(x->demo, y->demo, n);
    assert_memory_equal(x->status, y->status, n);
    assert_memory_equal(x->flags, y->flags, n);
    assert_memory_equal(x->attempts, y->attempts, n);
    assert_memory_equal(x->place, y->place, n * sizeof *x->place);
    assert_memory_equal(x->arc, y->arc, n * sizeof *x->arc);
    assert_memory_equal(x->progress, y->progress, n * sizeof *x->progress);
    assert_memory_equal(x->next_day, y->next_day, n * sizeof *x->next_day);
    assert_memory_equal(x->since, y->since, n * sizeof *x->since);
    assert_memory_equal(x->born, y->born, n * sizeof *x->born);
    assert_int_equal(x->n_cols, y->n_cols);
    for (int c = 0; c < x->n_cols; c++)
        assert_memory_equal(x->cols[c].data, y->cols[c].data, n * x->cols[c].size);
    assert_int_equal(a->n_months, b->n_months);
    size_t stocks = (size_t)a->n_months * (size_t)a->net.n_places * (size_t)a->n_status;
    assert_memory_equal(a->stocks, b->stocks, stocks * sizeof *a->stocks);
    assert_int_equal(a->series.n_rec, b->series.n_rec);
    assert_memory_equal(a->series.rec, b->series.rec, (size_t)a->series.n_rec * sizeof *a->series.rec);
}

/* People are conserved: agents spawned so far == agents over all places
 * and statuses, none negative. */
static inline void assert_conserved(const cor_sim *sim)
{
    int64_t total = 0;
    for (int p = 0; p < cor_sim_n_places(sim); p++)
        for (int s = 0; s < cor_sim_n_statuses(sim); s++) {
            int64_t k = cor_sim_agents_at(sim, p, s);
            assert_true(k >= 0);
            total += k;
        }
    assert_int_equal(total, cor_sim_agents_spawned(sim));
}

/* Run a and b to the end day by day, people conserved in b every day, then
 * the two runs must be identical (every agent field, stock and series
 * cell); frees both. */
static inline void run_lockstep_identical(cor_sim *a, cor_sim *b)
{
    while (!cor_sim_done(a)) {
        assert_int_equal(cor_sim_step(a), COR_OK);
        assert_int_equal(cor_sim_step(b), COR_OK);
        assert_conserved(b);
    }
    assert_true(cor_sim_done(b));
    assert_same_run(a, b);
    cor_sim_free(a);
    cor_sim_free(b);
}

#endif
