/* test_harm.c - crimes and deaths (src/migrants/harm.c): expected counts
 * within statistical bounds, the officials' share and the Guard's human
 * rights training, deaths by segment, the dead never moving again, no
 * wake-ups for crimes, error messages; and, with harm, caravans,
 * deterrence and root_causes all loaded, conservation of people and
 * identical results on 1, 2 and 3 threads. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <math.h>

#include "engine/calendar.h"
#include "engine/rules.h"
#include "engine/sim.h"
#include "migrants/harm.h"
#include "test_sim.h"
#include "test_util.h"

static cor_sim *start(const cor_scenario *sc, int threads) { return sim_start(sc, threads, 0, NULL, 0); }

static int place(const cor_scenario *sc, const char *id)
{
    int p = cor_sc_place_index(sc, id);
    assert_true(p >= 0);
    return p;
}

static double series_at(const cor_sim *sim, const char *name, int p)
{
    int s = cor_sim_series_id(sim, name);
    assert_true(s >= 0);
    return cor_sim_series_value(sim, s, p, -1);
}

static int64_t agents_of_group(const cor_sim *sim, int g)
{
    int64_t n = 0;
    for (int64_t a = 0; a < sim->agents.n; a++)
        n += sim->agents.group[a] == g;
    return n;
}

/* |observed - expected| within 5 standard deviations */
static void near(double obs, double expect, double var)
{
    if (!(fabs(obs - expect) <= 5 * sqrt(var))) {
        fprintf(stderr, "observed %.1f, expected %.1f (sd %.2f)\n", obs, expect, sqrt(var));
        fail();
    }
}

static void check_conservation(const cor_sim *sim)
{
    int64_t total = 0;
    for (int s = 0; s < cor_sim_n_statuses(sim); s++)
        for (int p = 0; p < cor_sim_n_places(sim); p++) {
            int64_t n = cor_sim_agents_at(sim, p, s);
            assert_true(n >= 0);
            total += n;
        }
    assert_int_equal(total, cor_sim_agents_spawned(sim));
}

/* Crimes per person-day at places (one-day stays at transit places and the
 * shelter, 1 + geometric(20) days in border cities, charged on arrival for
 * the planned stay) plus per traversal (bus 0.1; river 0.3 x (1 + risk)),
 * all Poisson: each place's count is within 5 sd of its expectation. */
static void crimes_expected(void **state)
{
    (void)state;
    cor_scenario *sc = load_scenario("tests/data/harm/crimes.yaml");
    assert_non_null(sc);
    cor_sim *sim = start(sc, 2);
    assert_int_equal(cor_sim_run(sim), COR_OK);
    int arrived = cor_status_find(sim, "arrived");
    /* everyone who left by June is across by December */
    assert_int_equal(cor_sim_agents_in_status(sim, arrived), cor_sim_agents_spawned(sim));
    double n_all = (double)cor_sim_agents_spawned(sim);
    double n_south = (double)(agents_of_group(sim, cor_sc_population_index(sc, "guatemala")) +
                              agents_of_group(sim, cor_sc_population_index(sc, "venezuela")));
    assert_true(n_south > 20000);
    int ep = place(sc, "usbp_el_paso"), rgv = place(sc, "usbp_rgv");
    double n_juarez = (double)cor_sim_agents_at(sim, ep, arrived), n_reynosa = (double)cor_sim_agents_at(sim, rgv, arrived);
    assert_true(n_juarez > 5000 && n_reynosa > 5000);

    /* transit: 0.2 x 1 day + bus 0.1 */
    double mu = n_south * 0.3;
    near(series_at(sim, "crimes", place(sc, "tapachula")), mu, mu);
    near(series_at(sim, "crimes", place(sc, "arriaga")), mu, mu);
    /* shelter (no bed): 0.1 x 1 day + bus 0.1, for everyone */
    mu = n_all * 0.2;
    near(series_at(sim, "crimes", place(sc, "mexico_city")), mu, mu);
    /* border city: 0.05 x E[1 + G] = 0.05 x 21 per stay + bus 0.1; the
     * variance adds 0.05^2 x Var(G) = 0.0025 x 420 per person */
    mu = n_juarez * (0.05 * 21 + 0.1);
    near(series_at(sim, "crimes", place(sc, "ciudad_juarez")), mu, mu + n_juarez * 0.0025 * 420);
    /* crossings: river 0.3 x (1 + risk 1) into El Paso, x (1 + 0) into RGV */
    near(series_at(sim, "crimes", ep), n_juarez * 0.6, n_juarez * 0.6);
    near(series_at(sim, "crimes", rgv), n_reynosa * 0.3, n_reynosa * 0.3);
    /* no crimes at origins (rate not given) */
    assert_true(series_at(sim, "crimes", place(sc, "guatemala_city")) == 0);

    /* officials: 25% until March, 25% x (1 - 0.4 x 0.5) = 20% from April */
    int s_c = cor_sim_series_id(sim, "crimes"), s_o = cor_sim_series_id(sim, "crimes_by_officials");
    int m0 = cor_sim_first_month(sim);
    double c1 = 0, o1 = 0, c2 = 0, o2 = 0;
    for (int m = m0; m < m0 + 12; m++) {
        double cm = cor_sim_series_value(sim, s_c, -1, m), om = cor_sim_series_value(sim, s_o, -1, m);
        if (m < m0 + 3)
            c1 += cm, o1 += om;
        else
            c2 += cm, o2 += om;
    }
    assert_true(c1 > 10000 && c2 > 10000);
    near(o1, 0.25 * c1, c1 * 0.25 * 0.75);
    near(o2, 0.20 * c2, c2 * 0.20 * 0.80);
    assert_true(o2 / c2 < 0.22 && o1 / c1 > 0.23); /* the training shows */

    /* summary keys */
    double v;
    assert_int_equal(cor_sim_summary(sim, "crimes", 0, &v), COR_OK);
    assert_true(v == c1 + c2);
    assert_int_equal(cor_sim_summary(sim, "crimes_by_officials", 2020, &v), COR_OK);
    assert_true(v == o1 + o2);
    assert_int_equal(cor_sim_summary(sim, "deaths", 0, &v), COR_OK);
    assert_true(v == 0);
    cor_sim_free(sim);
    cor_scenario_free(sc);
}

/* Without deaths, harm changes nobody's movement and wakes nobody: every
 * agent ends as in the run without harm, after the same number of
 * decisions (crimes for a stay are charged on arrival). */
static void crimes_wake_no_one(void **state)
{
    (void)state;
    cor_scenario *plain = load_scenario("tests/data/harm/movement.yaml");
    cor_scenario *with = load_scenario("tests/data/harm/crimes.yaml");
    assert_non_null(plain);
    assert_non_null(with);
    cor_sim *a = start(plain, 1), *b = start(with, 1);
    assert_int_equal(cor_sim_run(a), COR_OK);
    assert_int_equal(cor_sim_run(b), COR_OK);
    assert_true(series_at(b, "crimes", -1) > 0);
    assert_true(a->agents.n > 40000);
    assert_same_agents(a, b);
    cor_perf pa, pb;
    cor_sim_perf(a, &pa);
    cor_sim_perf(b, &pb);
    assert_true(pa.decisions == pb.decisions);
    cor_sim_free(a);
    cor_sim_free(b);
    cor_scenario_free(plain);
    cor_scenario_free(with);
}

/* Deaths per traversal by segment (binomial, within 5 sd); the dead are
 * never encountered and, once dead, never move, wake or change status. */
static void deaths_by_segment(void **state)
{
    (void)state;
    cor_scenario *sc = load_scenario("tests/data/harm/deaths.yaml");
    assert_non_null(sc);
    cor_sim *sim = start(sc, 2);
    int dead = cor_status_find(sim, "dead"), arrived = cor_status_find(sim, "arrived");
    assert_true(dead >= 0);
    uint32_t *died_at = NULL;
    int64_t cap = 0, n_dead_seen = 0;
    while (!cor_sim_done(sim)) {
        assert_int_equal(cor_sim_step(sim), COR_OK);
        check_conservation(sim);
        const cor_agents *ag = &sim->agents;
        if (ag->n > cap) {
            died_at = realloc(died_at, sizeof *died_at * (size_t)ag->n);
            assert_non_null(died_at);
            for (int64_t a = cap; a < ag->n; a++)
                died_at[a] = COR_NONE;
            cap = ag->n;
        }
        int64_t n_dead = 0;
        for (int64_t a = 0; a < ag->n; a++) {
            if (died_at[a] != COR_NONE) { /* dead before today: unchanged */
                assert_int_equal(ag->status[a], dead);
                assert_int_equal(ag->place[a], died_at[a]);
                assert_int_equal(ag->arc[a], COR_NONE);
                assert_int_equal(ag->next_day[a], COR_NEVER);
                n_dead++;
            } else if (ag->status[a] == dead) {
                died_at[a] = ag->place[a];
                n_dead++;
            }
        }
        assert_true(n_dead >= n_dead_seen);
        n_dead_seen = n_dead;
    }
    free(died_at);
    int ep = place(sc, "usbp_el_paso"), rgv = place(sc, "usbp_rgv"), cj = place(sc, "ciudad_juarez");
    /* desert: foot link into El Paso, 0.02 x (1 + risk 1) */
    double d = series_at(sim, "deaths_desert", ep), n = d + (double)cor_sim_agents_at(sim, ep, arrived);
    assert_true(d > 50);
    near(d, 0.04 * n, n * 0.04 * 0.96);
    assert_true(series_at(sim, "us_encounters", ep) == (double)cor_sim_agents_at(sim, ep, arrived));
    /* river: Reynosa - RGV, 0.05 */
    d = series_at(sim, "deaths_river", rgv), n = d + (double)cor_sim_agents_at(sim, rgv, arrived);
    near(d, 0.05 * n, n * 0.05 * 0.95);
    assert_true(series_at(sim, "deaths_river", -1) == d);
    /* road: every Guatemalan and Venezuelan takes a bus into Tapachula, 0.002 */
    n = (double)(agents_of_group(sim, cor_sc_population_index(sc, "guatemala")) +
                 agents_of_group(sim, cor_sc_population_index(sc, "venezuela")));
    near(series_at(sim, "deaths_road", place(sc, "tapachula")), 0.002 * n, n * 0.002 * 0.998);
    /* train: only on the rail link, which ends in Ciudad Juárez */
    assert_true(series_at(sim, "deaths_train", cj) > 0);
    assert_true(series_at(sim, "deaths_train", -1) == series_at(sim, "deaths_train", cj));
    assert_true(series_at(sim, "deaths_sea", -1) == 0);
    /* totals: deaths = sum of segments = the dead, in people */
    double segs = 0;
    const char *names[] = {"deaths_river", "deaths_desert", "deaths_train", "deaths_road", "deaths_sea"};
    for (int i = 0; i < 5; i++)
        segs += series_at(sim, names[i], -1);
    double v;
    assert_int_equal(cor_sim_summary(sim, "deaths", 0, &v), COR_OK);
    assert_true(v == segs);
    assert_true(v == (double)cor_sim_agents_in_status(sim, dead) * cor_sim_scale(sim));
    assert_true(series_at(sim, "crimes", -1) == 0);
    /* segments of arcs */
    int rail = -1;
    for (int a = 0; a < sim->net.n_arcs; a++)
        if (sim->net.arcs[a].mode == COR_MODE_RAIL)
            rail = a;
    assert_true(rail >= 0);
    assert_int_equal(cor_harm_segment(sim, rail), COR_HARM_TRAIN);
    cor_sim_free(sim);
    cor_scenario_free(sc);
}

static void compare_runs(const cor_sim *ref, const cor_sim *sim)
{
    const cor_agents *a = &ref->agents, *b = &sim->agents;
    assert_int_equal(a->n, b->n);
    size_t n = (size_t)a->n;
    assert_memory_equal(a->group, b->group, n);
    assert_memory_equal(a->demo, b->demo, n);
    assert_memory_equal(a->status, b->status, n);
    assert_memory_equal(a->flags, b->flags, n);
    assert_memory_equal(a->place, b->place, n * sizeof *a->place);
    assert_memory_equal(a->arc, b->arc, n * sizeof *a->arc);
    assert_memory_equal(a->next_day, b->next_day, n * sizeof *a->next_day);
    assert_memory_equal(a->since, b->since, n * sizeof *a->since);
    size_t stocks = (size_t)ref->n_months * (size_t)ref->net.n_places * (size_t)ref->n_status;
    assert_memory_equal(ref->stocks, sim->stocks, stocks * sizeof *ref->stocks);
    assert_int_equal(ref->series.n_rec, sim->series.n_rec);
    assert_memory_equal(ref->series.rec, sim->series.rec, (size_t)ref->series.n_rec * sizeof *ref->series.rec);
}

/* harm, caravans, deterrence and root_causes together: people are
 * conserved every day, every module acts, and 2 or 3 threads give the
 * same agents, stocks and series as 1. */
static void all_modules(void **state)
{
    (void)state;
    cor_scenario *sc = load_scenario("tests/data/harm/all.yaml");
    assert_non_null(sc);
    cor_sim *ref = start(sc, 1);
    assert_int_equal(ref->n_layers, 5);
    assert_string_equal(ref->layers[4].rules->name, "harm"); /* canonical order, whatever the listing */
    assert_string_equal(ref->layers[1].rules->name, "deterrence");
    while (!cor_sim_done(ref)) {
        assert_int_equal(cor_sim_step(ref), COR_OK);
        check_conservation(ref);
    }
    assert_true(series_at(ref, "crimes", -1) > 0);
    assert_true(series_at(ref, "crimes_by_officials", -1) > 0);
    assert_true(series_at(ref, "deaths", -1) > 0);
    assert_true(series_at(ref, "caravan_departures", -1) == 700 + 333);
    assert_true(series_at(ref, "deterred_departures", -1) > 0);
    for (int threads = 2; threads <= 3; threads++) {
        cor_sim *sim = start(sc, threads);
        assert_int_equal(cor_sim_run(sim), COR_OK);
        compare_runs(ref, sim);
        cor_sim_free(sim);
    }
    cor_sim_free(ref);
    cor_scenario_free(sc);
}

static void expect_error(const char *file, const char *msg) { expect_init_error_has(file, msg); }

static void errors(void **state)
{
    (void)state;
    expect_error("tests/data/harm/bad_missing.yaml",
                 "bad_missing.yaml: parameters: 'harm_crime_rate_transit' is not defined (needed by harm (transit places))");
    expect_error("tests/data/harm/bad_death.yaml",
                 "tests/data/harm/bad_death.yaml:4: parameters.harm_death_river.value: must be in [0, 1] (got 1.5)");
    expect_error("tests/data/harm/bad_share.yaml",
                 "tests/data/harm/bad_share.yaml:4: timeline[0].value: harm_officials_share must be in [0, 1] (got 1.2)");
    expect_error("tests/data/harm/bad_hr.yaml", "parameters: 'harm_guard_hr_effect' is not defined (needed by harm "
                                                "(the timeline sets guard_hr_trained_share))");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(crimes_expected), cmocka_unit_test(crimes_wake_no_one), cmocka_unit_test(deaths_by_segment),
        cmocka_unit_test(all_modules),     cmocka_unit_test(errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
