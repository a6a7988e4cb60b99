/* test_parole.c - parole: the monthly quota in people by group (scale 1
 * and 7), uptake, paroled people never in Mexico and off the overland
 * route, processing centres admitting people waiting at their place, and
 * the messages for bad parameters.  Fixtures: tests/data/parole/ on
 * tests/data/modules/net.yaml. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <math.h>
#include <stdatomic.h>

#include "engine/calendar.h"
#include "engine/rules.h"
#include "engine/sim.h"
#include "test_sim.h"
#include "test_util.h"

/* Sum of a series' records for a group (-2: any) and demographic (-2: any). */
static double series_by(const cor_sim *sim, const char *name, int group, int demo)
{
    int s = cor_sim_series_id(sim, name);
    assert_true(s >= 0);
    double v = 0;
    for (int64_t i = 0; i < sim->series.n_rec; i++) {
        const cor_series_rec *r = &sim->series.rec[i];
        if (r->series == s && (group == -2 || r->group == group) && (demo == -2 || r->demo == demo))
            v += r->value;
    }
    return v;
}

static int is_mexican_place(const cor_sim *sim, int p)
{
    const char *c = sim->sc->places[p].country;
    return c && strcmp(c, "MX") == 0;
}

/* ---------------------------------------------------------------- a test layer */

#define MAX_AGENTS 400000

/* Marks paroled agents when parole_arrivals counts them (sequential
 * hooks), with the place and status they were paroled from; counts
 * decisions taken by paroled agents (parallel: atomics) and paroles per
 * day. */
typedef struct {
    int s_arrivals;
    uint8_t *paroled;
    long today, total;
    long not_waiting_there;      /* paroled at a centre while not waiting/resting there */
    atomic_long decided;
} marker;

static void mark_observe(cor_ctx *c, void *state, int series, int place, uint32_t a)
{
    marker *m = state;
    if (series != m->s_arrivals)
        return;
    assert_true(a < MAX_AGENTS);
    m->paroled[a] = 1;
    m->today++;
    m->total++;
    const cor_agents *ag = &c->sim->agents;
    int st = ag->status[a], sheltered = cor_status_find(c->sim, "sheltered");
    if (ag->place[a] != (uint32_t)place || ag->arc[a] != COR_NONE || !(st == COR_ST_WAITING || st == sheltered))
        m->not_waiting_there++;
}

static void mark_decide(cor_ctx *c, void *state, uint32_t a)
{
    marker *m = state;
    if (a < MAX_AGENTS && m->paroled[a])
        atomic_fetch_add(&m->decided, 1);
    cor_next_decide(c, a);
}

static const cor_rules mark_rules = {.name = "test_marker", .decide = mark_decide, .observe = mark_observe};

static cor_sim *start_marked(const cor_scenario *sc, int threads, double scale, marker *m)
{
    memset(m, 0, sizeof *m);
    m->paroled = calloc(MAX_AGENTS, 1);
    assert_non_null(m->paroled);
    cor_sim *sim = sim_start_state(sc, threads, scale, &mark_rules, m);
    m->s_arrivals = cor_sim_series_id(sim, "parole_arrivals");
    assert_true(m->s_arrivals >= 0);
    return sim;
}

/* ---------------------------------------------------------------- CHNV */

/* 300 people a month from February to May, Venezuelans only, never an
 * unaccompanied child; paroled people never take a step: they are never at
 * a Mexican place and never decide; they end us_entered at a US place. */
static void monthly_quota_and_never_in_mexico(void **state)
{
    (void)state;
    cor_scenario *sc = load_scenario("tests/data/parole/base.yaml");
    assert_non_null(sc);
    marker m;
    cor_sim *sim = start_marked(sc, 2, 0, &m);
    while (!cor_sim_done(sim)) {
        assert_int_equal(cor_sim_step(sim), COR_OK);
        const cor_agents *ag = &sim->agents;
        assert_true(ag->n < MAX_AGENTS);
        for (int64_t a = 0; a < ag->n; a++)
            if (m.paroled[a])
                assert_false(is_mexican_place(sim, (int)ag->place[a]));
    }
    assert_int_equal(atomic_load(&m.decided), 0);
    int s = cor_sim_series_id(sim, "parole_arrivals");
    for (int month = 2020 * 12; month < 2020 * 12 + 12; month++) {
        double want = month >= 2020 * 12 + 1 && month <= 2020 * 12 + 4 ? 300 : 0;
        assert_true(cor_sim_series_value(sim, s, -1, month) == want);
    }
    int venezuela = cor_sc_population_index(sc, "venezuela"), caracas = cor_sc_place_index(sc, "caracas");
    assert_true(series_by(sim, "parole_arrivals", venezuela, -2) == 1200);
    assert_true(series_by(sim, "parole_arrivals", -2, COR_DEMO_UAC) == 0);
    assert_true(cor_sim_series_value(sim, s, caracas, -1) == 1200); /* counted where paroled from */
    double key;
    assert_int_equal(cor_sim_summary(sim, "parole_arrivals", 0, &key), COR_OK);
    assert_true(key == 1200);
    int entered = cor_status_find(sim, "us_entered");
    const cor_agents *ag = &sim->agents;
    for (int64_t a = 0; a < ag->n; a++)
        if (m.paroled[a]) {
            assert_int_equal(ag->status[a], entered);
            assert_int_equal(ag->attempts[a], 0);
            assert_string_equal(sim->sc->places[ag->place[a]].country, "US");
        }
    assert_int_equal(m.total, 1200);
    free(m.paroled);
    cor_sim_free(sim);
    cor_scenario_free(sc);
}

/* At 7 people per agent, a month of 300 admits 42 or 43 agents and the
 * remainder carries: 294, 301, 301, 301 people. */
static void monthly_quota_scale7(void **state)
{
    (void)state;
    cor_scenario *sc = load_scenario("tests/data/parole/base.yaml");
    assert_non_null(sc);
    cor_sim *sim = sim_start_state(sc, 2, 7, NULL, NULL);
    assert_int_equal(cor_sim_run(sim), COR_OK);
    int s = cor_sim_series_id(sim, "parole_arrivals");
    const double want[4] = {294, 301, 301, 301};
    double total = 0;
    for (int i = 0; i < 4; i++) {
        double got = cor_sim_series_value(sim, s, -1, 2020 * 12 + 1 + i);
        assert_true(got == want[i]);
        total += got;
    }
    assert_true(total > 1200 - 7 && total <= 1200);
    cor_sim_free(sim);
    cor_scenario_free(sc);
}

/* Parole takes people off the overland route: with the same departures,
 * Venezuelan encounters fall by exactly the number paroled (everyone else
 * reaches a sector by December). */
static void off_the_overland_route(void **state)
{
    (void)state;
    cor_scenario *with = load_scenario("tests/data/parole/base.yaml");
    cor_scenario *without = load_scenario("tests/data/parole/none.yaml");
    assert_non_null(with);
    assert_non_null(without);
    cor_sim *a = sim_start_state(with, 2, 0, NULL, NULL), *b = sim_start_state(without, 2, 0, NULL, NULL);
    assert_int_equal(cor_sim_run(a), COR_OK);
    assert_int_equal(cor_sim_run(b), COR_OK);
    assert_int_equal(cor_sim_agents_spawned(a), cor_sim_agents_spawned(b));
    int venezuela = cor_sc_population_index(with, "venezuela");
    double paroled = series_total(a, "parole_arrivals");
    double enc_with = series_by(a, "us_encounters", venezuela, -2);
    double enc_without = series_by(b, "us_encounters", venezuela, -2);
    assert_true(paroled == 1200);
    assert_true(enc_without - enc_with == paroled);
    assert_true(series_by(a, "us_encounters", -2, -2) == series_by(b, "us_encounters", -2, -2) - paroled);
    cor_sim_free(a);
    cor_sim_free(b);
    cor_scenario_free(with);
    cor_scenario_free(without);
}

/* With a quota that never binds, the share of eligible departures
 * (Venezuelans leaving February-May, not unaccompanied children) who are
 * paroled is the uptake, 0.5 (n ~ 5,700: sd 0.007); nobody else is. */
static void uptake_share(void **state)
{
    (void)state;
    cor_scenario *sc = load_scenario("tests/data/parole/uptake.yaml");
    assert_non_null(sc);
    marker m;
    cor_sim *sim = start_marked(sc, 2, 0, &m);
    assert_int_equal(cor_sim_run(sim), COR_OK);
    int venezuela = cor_sc_population_index(sc, "venezuela");
    int32_t feb1 = cor_days_from_civil(2020, 2, 1), may31 = cor_days_from_civil(2020, 5, 31);
    const cor_agents *ag = &sim->agents;
    long eligible = 0, paroled = 0;
    for (int64_t a = 0; a < ag->n; a++) {
        int in = ag->group[a] == venezuela && ag->demo[a] != COR_DEMO_UAC && ag->born[a] >= feb1 &&
                 ag->born[a] <= may31;
        eligible += in;
        paroled += in && m.paroled[a];
        if (!in)
            assert_false(m.paroled[a]);
    }
    assert_true(eligible > 5000);
    assert_true(fabs((double)paroled / (double)eligible - 0.5) < 0.03);
    free(m.paroled);
    cor_sim_free(sim);
    cor_scenario_free(sc);
}

/* ---------------------------------------------------------------- centres */

/* The Tapachula centre admits exactly 20 Guatemalans each day of March
 * (about 90 arrive a day) and nobody else, each one waiting or resting
 * there when admitted; they end us_entered at a US place. */
static void centre_admits_people_waiting_there(void **state)
{
    (void)state;
    cor_scenario *sc = load_scenario("tests/data/parole/centre.yaml");
    assert_non_null(sc);
    marker m;
    cor_sim *sim = start_marked(sc, 2, 0, &m);
    int32_t mar1 = cor_days_from_civil(2020, 3, 1), mar31 = cor_days_from_civil(2020, 3, 31);
    while (!cor_sim_done(sim)) {
        int32_t day = cor_sim_today(sim);
        m.today = 0;
        assert_int_equal(cor_sim_step(sim), COR_OK);
        assert_int_equal(m.today, day >= mar1 && day <= mar31 ? 20 : 0);
    }
    assert_int_equal(m.not_waiting_there, 0);
    int guatemala = cor_sc_population_index(sc, "guatemala"), tapachula = cor_sc_place_index(sc, "tapachula");
    assert_true(series_by(sim, "parole_arrivals", guatemala, -2) == 620);
    assert_true(series_by(sim, "parole_arrivals", -2, -2) == 620);
    int s = cor_sim_series_id(sim, "parole_arrivals");
    assert_true(cor_sim_series_value(sim, s, tapachula, -1) == 620);
    int entered = cor_status_find(sim, "us_entered");
    const cor_agents *ag = &sim->agents;
    for (int64_t a = 0; a < ag->n; a++)
        if (m.paroled[a]) {
            assert_int_equal(ag->status[a], entered);
            assert_string_equal(sim->sc->places[ag->place[a]].country, "US");
        }
    free(m.paroled);
    cor_sim_free(sim);
    cor_scenario_free(sc);
}

/* ---------------------------------------------------------------- errors */

static void expect_error(const char *rel, const char *want_fmt) { expect_init_error_at(rel, want_fmt); }

static void bad_parameters(void **state)
{
    (void)state;
    expect_error("tests/data/parole/no_uptake.yaml",
                 "%s: parameters: 'parole_uptake' is not defined (needed by module parole (parole_monthly))");
    expect_error("tests/data/parole/bad_uptake.yaml", "%s:6: parameters.parole_uptake.value: must be in [0, 1] (got 2)");
    expect_error("tests/data/parole/bad_centre.yaml",
                 "%s:6: timeline[0].scope: parole_processing_daily needs scope.places (the places with a processing "
                 "centre)");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(monthly_quota_and_never_in_mexico),
        cmocka_unit_test(monthly_quota_scale7),
        cmocka_unit_test(off_the_overland_route),
        cmocka_unit_test(uptake_share),
        cmocka_unit_test(centre_admits_people_waiting_there),
        cmocka_unit_test(bad_parameters),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
