/* test_closures.c - closed crossings and rail bridges: a closed crossing
 * gets no traffic and its neighbour more, people re-route upstream, people
 * waiting where a crossing closed are woken and re-route, a rail-bridge
 * closure costs closures_cost_usd_per_day per day and moves nobody, and the
 * messages for bad parameters.  Fixtures: tests/data/closures/ on
 * tests/data/modules/net.yaml. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <math.h>

#include "engine/calendar.h"
#include "engine/rules.h"
#include "engine/sim.h"
#include "test_sim.h"
#include "test_util.h"

static cor_sim *start(const cor_scenario *sc, int threads) { return sim_start(sc, threads, 0, NULL, 0); }

static double value(const cor_sim *sim, const char *series, int place, int month)
{
    int s = cor_sim_series_id(sim, series);
    assert_true(s >= 0);
    return cor_sim_series_value(sim, s, place, month);
}

static const int MAR = 2020 * 12 + 2, APR = 2020 * 12 + 3, MAY = 2020 * 12 + 4;

/* Agents travelling on an arc into place p. */
static int64_t heading_to(const cor_sim *sim, int p)
{
    const cor_agents *ag = &sim->agents;
    int64_t n = 0;
    for (int64_t a = 0; a < ag->n; a++)
        n += ag->status[a] == COR_ST_TRAVELLING && sim->net.arcs[ag->arc[a]].to == p;
    return n;
}

/* net.yaml's two crossings, Juárez's closed in March and April: El Paso
 * gets no encounter while it is closed (and some before and after), Rio
 * Grande Valley more than without the closure; Juárez is a dead end, so
 * from March 6 (the longest trip into Juárez takes 4 days) nobody travels
 * towards it: upstream, people re-route to Reynosa.  Nobody is lost: the
 * year's encounters are the same; closure_days counts 61 days at El Paso;
 * no rail cost. */
static void closed_crossing_gets_no_traffic(void **state)
{
    (void)state;
    cor_scenario *base = load_scenario("tests/data/closures/base.yaml");
    cor_scenario *closed = load_scenario("tests/data/closures/juarez.yaml");
    assert_non_null(base);
    assert_non_null(closed);
    cor_sim *a = start(base, 2), *b = start(closed, 2);
    int juarez = cor_sc_place_index(closed, "ciudad_juarez");
    int32_t mar6 = cor_days_from_civil(2020, 3, 6), apr30 = cor_days_from_civil(2020, 4, 30);
    int64_t heading_base = 0;
    while (!cor_sim_done(a)) {
        int32_t day = cor_sim_today(a);
        assert_int_equal(cor_sim_step(a), COR_OK);
        assert_int_equal(cor_sim_step(b), COR_OK);
        if (day >= mar6 && day <= apr30) {
            heading_base += heading_to(a, juarez);
            assert_int_equal(heading_to(b, juarez), 0);
        }
    }
    assert_true(heading_base > 100);
    int el_paso = cor_sc_place_index(closed, "usbp_el_paso"), rgv = cor_sc_place_index(closed, "usbp_rgv");
    for (int m = MAR; m <= APR; m++) {
        assert_true(value(b, "us_encounters", el_paso, m) == 0);
        assert_true(value(a, "us_encounters", el_paso, m) > 500);
    }
    assert_true(value(b, "us_encounters", el_paso, MAR - 1) > 500);
    assert_true(value(b, "us_encounters", el_paso, MAY) > 500);
    double rgv_base = value(a, "us_encounters", rgv, MAR) + value(a, "us_encounters", rgv, APR);
    double rgv_closed = value(b, "us_encounters", rgv, MAR) + value(b, "us_encounters", rgv, APR);
    assert_true(rgv_closed > rgv_base + 2000);
    assert_true(value(a, "us_encounters", -1, -1) == value(b, "us_encounters", -1, -1));
    assert_true(value(b, "closure_days", el_paso, -1) == 61);
    assert_true(value(b, "closure_days", -1, -1) == 61);
    assert_true(value(b, "closure_cost_usd", -1, -1) == 0);
    cor_sim_free(a);
    cor_sim_free(b);
    cor_scenario_free(base);
    cor_scenario_free(closed);
}

/* With a road from Juárez to Reynosa, Juárez is no dead end when its
 * crossing closes, but the way through it is 1,100 km longer: upstream,
 * people avoid it (fewer than 5% as many on their way to Juárez as without
 * the closure); El Paso gets nothing, Rio Grande Valley more. */
static void upstream_detour(void **state)
{
    (void)state;
    cor_scenario *base = load_scenario("tests/data/closures/road.yaml");
    cor_scenario *closed = load_scenario("tests/data/closures/road_closed.yaml");
    assert_non_null(base);
    assert_non_null(closed);
    cor_sim *a = start(base, 2), *b = start(closed, 2);
    int juarez = cor_sc_place_index(closed, "ciudad_juarez");
    int32_t mar6 = cor_days_from_civil(2020, 3, 6), apr30 = cor_days_from_civil(2020, 4, 30);
    int64_t heading_base = 0, heading_closed = 0;
    while (!cor_sim_done(a)) {
        int32_t day = cor_sim_today(a);
        assert_int_equal(cor_sim_step(a), COR_OK);
        assert_int_equal(cor_sim_step(b), COR_OK);
        if (day >= mar6 && day <= apr30) {
            heading_base += heading_to(a, juarez);
            heading_closed += heading_to(b, juarez);
        }
    }
    assert_true(heading_base > 1000);
    assert_true(heading_closed * 20 < heading_base);
    int el_paso = cor_sc_place_index(closed, "usbp_el_paso"), rgv = cor_sc_place_index(closed, "usbp_rgv");
    assert_true(value(b, "us_encounters", el_paso, MAR) + value(b, "us_encounters", el_paso, APR) == 0);
    assert_true(value(b, "us_encounters", rgv, MAR) + value(b, "us_encounters", rgv, APR) >
                value(a, "us_encounters", rgv, MAR) + value(a, "us_encounters", rgv, APR) + 2000);
    cor_sim_free(a);
    cor_sim_free(b);
    cor_scenario_free(base);
    cor_scenario_free(closed);
}

/* People waiting in Juárez on the evening of February 29, who would have
 * slept past March 1, are woken on March 1 when the crossing closes and
 * leave for Reynosa that day; without the closure they are still asleep in
 * Juárez. */
static void waiting_people_are_woken_and_reroute(void **state)
{
    (void)state;
    cor_scenario *base = load_scenario("tests/data/closures/road.yaml");
    cor_scenario *closed = load_scenario("tests/data/closures/road_closed.yaml");
    assert_non_null(base);
    assert_non_null(closed);
    cor_sim *a = start(base, 2), *b = start(closed, 2);
    int32_t mar1 = cor_days_from_civil(2020, 3, 1);
    while (cor_sim_today(b) < mar1) {
        assert_int_equal(cor_sim_step(a), COR_OK);
        assert_int_equal(cor_sim_step(b), COR_OK);
    }
    int juarez = cor_sc_place_index(closed, "ciudad_juarez"), reynosa = cor_sc_place_index(closed, "reynosa");
    int road = cor_sc_link_index(closed, "juarez_reynosa");
    const cor_agents *ag = &b->agents;
    uint32_t *sleepers = malloc(sizeof *sleepers * (size_t)ag->n + 1);
    assert_non_null(sleepers);
    int64_t n = 0;
    for (int64_t i = 0; i < ag->n; i++)
        if (ag->status[i] == COR_ST_WAITING && ag->place[i] == (uint32_t)juarez && ag->next_day[i] > mar1) {
            sleepers[n++] = (uint32_t)i;
            /* the same person, asleep in Juárez, in the run without closure */
            assert_int_equal(a->agents.place[i], juarez);
            assert_int_equal(a->agents.next_day[i], ag->next_day[i]);
        }
    assert_true(n >= 10);
    assert_int_equal(cor_sim_step(a), COR_OK);
    assert_int_equal(cor_sim_step(b), COR_OK);
    for (int64_t k = 0; k < n; k++) {
        uint32_t i = sleepers[k];
        int on_road = ag->status[i] == COR_ST_TRAVELLING && b->net.arcs[ag->arc[i]].link == road;
        assert_true(on_road || ag->place[i] == (uint32_t)reynosa);
        assert_int_equal(a->agents.status[i], COR_ST_WAITING); /* still asleep without the closure */
        assert_int_equal(a->agents.place[i], juarez);
    }
    free(sleepers);
    cor_sim_free(a);
    cor_sim_free(b);
    cor_scenario_free(base);
    cor_scenario_free(closed);
}

/* A rail bridge closed for five days costs 5 x $100M = $500M (in March,
 * in the summary overall and for 2020), closure_days 5 at El Paso, and
 * changes nothing for migrants: encounters identical to the baseline. */
static void rail_bridge_cost(void **state)
{
    (void)state;
    cor_scenario *base = load_scenario("tests/data/closures/base.yaml");
    cor_scenario *rail = load_scenario("tests/data/closures/rail.yaml");
    assert_non_null(base);
    assert_non_null(rail);
    cor_sim *a = start(base, 2), *b = start(rail, 2);
    assert_int_equal(cor_sim_run(a), COR_OK);
    assert_int_equal(cor_sim_run(b), COR_OK);
    assert_true(value(b, "closure_cost_usd", -1, -1) == 5e8);
    assert_true(value(b, "closure_cost_usd", -1, MAR) == 5e8);
    double key;
    assert_int_equal(cor_sim_summary(b, "closure_cost_usd", 0, &key), COR_OK);
    assert_true(key == 5e8);
    assert_int_equal(cor_sim_summary(b, "closure_cost_usd", 2020, &key), COR_OK);
    assert_true(key == 5e8);
    int el_paso = cor_sc_place_index(rail, "usbp_el_paso");
    assert_true(value(b, "closure_days", el_paso, MAR) == 5);
    assert_true(value(b, "closure_days", -1, -1) == 5);
    assert_true(value(a, "closure_cost_usd", -1, -1) == 0);
    for (int p = 0; p < cor_sim_n_places(a); p++)
        for (int m = 2020 * 12; m < 2020 * 12 + 12; m++)
            assert_true(value(a, "us_encounters", p, m) == value(b, "us_encounters", p, m));
    assert_memory_equal(a->agents.place, b->agents.place, sizeof *a->agents.place * (size_t)a->agents.n);
    cor_sim_free(a);
    cor_sim_free(b);
    cor_scenario_free(base);
    cor_scenario_free(rail);
}

/* ---------------------------------------------------------------- errors */

static void expect_error(const char *rel, const char *want_fmt) { expect_init_error_at(rel, want_fmt); }

static void bad_parameters(void **state)
{
    (void)state;
    expect_error("tests/data/closures/rail_no_cost.yaml",
                 "%s: parameters: 'closures_cost_usd_per_day' is not defined (needed by module closures "
                 "(rail_bridge_closed))");
    expect_error("tests/data/closures/bad_cost.yaml",
                 "%s:6: parameters.closures_cost_usd_per_day.value: must be >= 0 (got -5)");
    expect_error("tests/data/closures/bad_rail_scope.yaml",
                 "%s:6: timeline[0].scope: rail_bridge_closed is scoped by places only (it moves no migrants)");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(closed_crossing_gets_no_traffic),
        cmocka_unit_test(upstream_detour),
        cmocka_unit_test(waiting_people_are_woken_and_reroute),
        cmocka_unit_test(rail_bridge_cost),
        cmocka_unit_test(bad_parameters),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
