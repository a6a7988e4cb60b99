/* test_proclamation.c - asylum limits while the 7-day average of daily
 * encounters is high: on from the day after the average reaches the
 * threshold, off when it falls back (or 14 days after it falls below the
 * lower threshold), off when the proclamation ends; releases become
 * removals while on; errors. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <math.h>

#include "engine/rules.h"
#include "engine/sim.h"
#include "test_sim.h"
#include "test_util.h"

#define MAX_DAYS 400

/* A test layer on top of the stack: counts encounters (people) and
 * releases of single adults and family members, day by day. */
typedef struct {
    int s_enc, s_rel;
    int64_t enc_today, rel_today;
    double enc[MAX_DAYS], rel[MAX_DAYS];
    int n;
} counter;

static int ct_setup(cor_sim *sim, void **state)
{
    counter *k = calloc(1, sizeof *k);
    if (!k)
        return cor_sim_fail(sim, COR_ENOMEM, "oom");
    k->s_enc = cor_series_find(sim, "us_encounters");
    k->s_rel = cor_series_find(sim, "us_releases");
    *state = k;
    return COR_OK;
}
static void ct_teardown(void *state) { free(state); }
static void ct_observe(cor_ctx *c, void *state, int series, int place, uint32_t a)
{
    (void)place;
    counter *k = state;
    if (series == k->s_enc)
        k->enc_today++;
    if (series == k->s_rel && c->sim->agents.demo[a] != COR_DEMO_UAC)
        k->rel_today++;
}
static void ct_day_end(cor_ctx *c, void *state)
{
    counter *k = state;
    assert_true(k->n < MAX_DAYS);
    k->enc[k->n] = (double)k->enc_today * c->sim->scale;
    k->rel[k->n] = (double)k->rel_today;
    k->n++;
    k->enc_today = k->rel_today = 0;
}
static const cor_rules counter_rules = {.name = "counter", .setup = ct_setup, .teardown = ct_teardown,
                                        .observe = ct_observe, .day_end = ct_day_end};

/* Run day by day; on[d] = 1 when the limit is in force on day d (for a
 * Guatemalan single adult at El Paso); children are never limited. */
static cor_sim *run(const char *file, cor_scenario **psc, int *on, counter **pk)
{
    cor_scenario *sc = load_scenario(file);
    assert_non_null(sc);
    cor_sim *sim = cor_sim_new();
    assert_non_null(sim);
    sim->par_min = 1;
    assert_int_equal(cor_sim_add_rules(sim, &counter_rules), COR_OK);
    cor_options opt = {.threads = 1};
    assert_int_equal(cor_sim_init(sim, sc, &opt), COR_OK);
    int lever = cor_levers_find(&sim->levers, "title8_asylum_limit");
    int sector = cor_sc_place_index(sc, "usbp_el_paso"), gt = cor_sc_population_index(sc, "guatemala");
    assert_true(lever >= 0);
    int d = 0;
    while (!cor_sim_done(sim)) {
        assert_int_equal(cor_sim_step(sim), COR_OK);
        double v = 0;
        on[d] = cor_lever(sim, lever, sector, -1, gt, COR_DEMO_SINGLE_ADULT, &v) && v > 0;
        if (on[d])
            assert_true(v == 1);
        assert_int_equal(cor_lever(sim, lever, sector, -1, gt, COR_DEMO_UAC, &v), 0);
        d++;
    }
    *psc = sc;
    *pk = sim->layers[sim->n_layers - 1].state;
    assert_int_equal((*pk)->n, d);
    return sim;
}

static double avg7(const counter *k, int d)
{
    double s = 0;
    for (int i = d - 6; i <= d; i++)
        s += k->enc[i];
    return s / 7;
}

/* Without hysteresis the limit is in force on day d + 1 exactly when the
 * average of days d-6..d is >= 150; releases of adults and families stop
 * on those days; proclamation_days counts them. */
static void on_and_off(void **state)
{
    (void)state;
    cor_scenario *sc;
    counter *k;
    int on[MAX_DAYS] = {0};
    cor_sim *sim = run("tests/data/proclamation/base.yaml", &sc, on, &k);
    int n_on = 0, switches = 0;
    double rel_off = 0;
    for (int d = 0; d < k->n; d++) {
        int expect = d >= 7 && avg7(k, d - 1) >= 150;
        if (on[d] != expect)
            fprintf(stderr, "day %d: on %d, expected %d (average %g)\n", d, on[d], expect, d >= 7 ? avg7(k, d - 1) : 0);
        assert_int_equal(on[d], expect);
        n_on += on[d];
        switches += d > 0 && on[d] != on[d - 1];
        if (on[d])
            assert_true(k->rel[d] == 0);
        else
            rel_off += k->rel[d];
    }
    assert_true(n_on > 100 && n_on < 250);
    assert_true(switches >= 2);
    assert_true(rel_off > 500);
    int s = cor_series_find(sim, "proclamation_days");
    assert_true(cor_sim_series_value(sim, s, -1, -1) == n_on);
    cor_sim_free(sim);
    cor_scenario_free(sc);
}

/* Lifting as the proclamation does: 14 days after the average falls below
 * the lower threshold (100). */
static void lifted_after_delay(void **state)
{
    (void)state;
    cor_scenario *sc;
    counter *k;
    int on[MAX_DAYS] = {0};
    cor_sim *sim = run("tests/data/proclamation/hysteresis.yaml", &sc, on, &k);
    int a = 6;
    while (a < k->n && avg7(k, a) < 150)
        a++;
    int e = a + 1;
    while (e < k->n && avg7(k, e) >= 100)
        e++;
    assert_true(e + 15 < k->n);
    for (int d = 0; d <= a; d++)
        assert_int_equal(on[d], 0);
    for (int d = a + 1; d <= e + 14; d++)
        assert_int_equal(on[d], 1);
    /* between the thresholds the limits stayed on (hysteresis) */
    int between = 0;
    for (int d = a + 1; d < e; d++)
        between += avg7(k, d) < 150;
    assert_true(between > 0);
    assert_true(avg7(k, e + 14) < 150);
    assert_int_equal(on[e + 15], 0);
    cor_sim_free(sim);
    cor_scenario_free(sc);
}

/* The proclamation ends on 2020-04-30: the limit is lifted from the day
 * after the first day it is no longer in force, and stays off. */
static void lifted_when_ended(void **state)
{
    (void)state;
    cor_scenario *sc;
    counter *k;
    int on[MAX_DAYS] = {0};
    cor_sim *sim = run("tests/data/proclamation/ended.yaml", &sc, on, &k);
    int32_t start, may1;
    assert_int_equal(cor_parse_date("2020-01-01", &start), 0);
    assert_int_equal(cor_parse_date("2020-05-01", &may1), 0);
    int m = may1 - start;
    assert_int_equal(on[m - 1], 1);
    assert_int_equal(on[m], 1);
    for (int d = m + 1; d < k->n; d++)
        assert_int_equal(on[d], 0);
    assert_true(avg7(k, m + 20) >= 150); /* it would still apply */
    cor_sim_free(sim);
    cor_scenario_free(sc);
}

static char *init_error(const char *text) { return sc_init_error(load_mem_ok("tests/data/proclamation/x.yaml", text)); }

static void errors(void **state)
{
    (void)state;
    char *m = init_error("base: base.yaml\nmeta: {name: x, modules: [returns, proclamation]}\n");
    assert_string_equal(m, "module proclamation needs module title8: add it to meta.modules");
    free(m);
    m = init_error("base: base.yaml\nparameters:\n  proclamation_threshold: {value: -5, source: t}\n");
    assert_non_null(strstr(m, "proclamation/x.yaml:3: parameters.proclamation_threshold.value: must be >= 0 (got -5)"));
    free(m);
    m = init_error("base: base.yaml\nparameters:\n  proclamation_off_threshold: {value: 200, source: t}\n");
    assert_non_null(strstr(m, "proclamation/x.yaml:3: parameters.proclamation_off_threshold.value: must be <= "
                              "proclamation_threshold (150; got 200)"));
    free(m);
    m = init_error("base: base.yaml\nparameters:\n  proclamation_off_days: {value: 2.5, source: t}\n");
    assert_non_null(strstr(m, "proclamation/x.yaml:3: parameters.proclamation_off_days.value: must be whole days (got 2.5)"));
    free(m);
    m = init_error("base: base.yaml\nparameters:\n  proclamation_limit: {value: 1.1, source: t}\n");
    assert_non_null(strstr(m, "proclamation/x.yaml:3: parameters.proclamation_limit.value: must be in [0, 1] (got 1.1)"));
    free(m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(on_and_off),
        cmocka_unit_test(lifted_after_delay),
        cmocka_unit_test(lifted_when_ended),
        cmocka_unit_test(errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
