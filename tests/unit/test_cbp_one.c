/* test_cbp_one.c - CBP One: entries at ports are not USBP encounters, the
 * daily number of appointments in people (scale 1 and 10), first come first
 * served, the waiting population by city, the give-up hazard, and the
 * messages for bad parameters.  Fixtures: tests/data/cbp_one/ on
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

/* ---------------------------------------------------------------- a test layer */

#define MAX_IDS 200000

/* Records, in order, who registered and who entered (both counted in
 * sequential hooks), entries per day, and the waits of those who gave up
 * (counted while deciding, in parallel: atomics). */
typedef struct {
    int s_reg, s_entries, s_giveups;
    uint32_t *reg, *ent;
    long n_reg, n_ent, ent_today;
    atomic_long giveups, wait_days;
} recorder;

static void rec_observe(cor_ctx *c, void *state, int series, int place, uint32_t a)
{
    (void)place;
    recorder *r = state;
    if (series == r->s_reg) {
        assert_true(r->n_reg < MAX_IDS);
        r->reg[r->n_reg++] = a;
    } else if (series == r->s_entries) {
        assert_true(r->n_ent < MAX_IDS);
        r->ent[r->n_ent++] = a;
        r->ent_today++;
    } else if (series == r->s_giveups) {
        atomic_fetch_add(&r->giveups, 1);
        atomic_fetch_add(&r->wait_days, (long)(c->day - c->sim->agents.since[a]));
    }
}

static const cor_rules rec_rules = {.name = "test_recorder", .observe = rec_observe};

static cor_sim *start_recorded(const cor_scenario *sc, int threads, double scale, recorder *r)
{
    memset(r, 0, sizeof *r);
    r->reg = malloc(sizeof *r->reg * MAX_IDS);
    r->ent = malloc(sizeof *r->ent * MAX_IDS);
    assert_true(r->reg && r->ent);
    cor_sim *sim = sim_start_state(sc, threads, scale, &rec_rules, r);
    r->s_reg = cor_sim_series_id(sim, "cbp_one_registrations");
    r->s_entries = cor_sim_series_id(sim, "cbp_one_entries");
    r->s_giveups = cor_sim_series_id(sim, "cbp_one_giveups");
    assert_true(r->s_reg >= 0 && r->s_entries >= 0 && r->s_giveups >= 0);
    return sim;
}

static void recorder_free(recorder *r)
{
    free(r->reg);
    free(r->ent);
}

/* ---------------------------------------------------------------- tests */

/* Everyone registers and nobody gives up: no USBP encounter at all, while
 * thousands enter at the ports (terminal us_entered at a us_sector place,
 * never counted as an attempt); without appointments the same people are
 * all encountered. */
static void entries_are_not_encounters(void **state)
{
    (void)state;
    cor_scenario *sc = load_scenario("tests/data/cbp_one/base.yaml");
    assert_non_null(sc);
    cor_sim *sim = sim_start_state(sc, 2, 0, NULL, NULL);
    assert_int_equal(cor_sim_run(sim), COR_OK);
    double enc, entries = series_total(sim, "cbp_one_entries");
    assert_int_equal(cor_sim_summary(sim, "us_encounters", 0, &enc), COR_OK);
    assert_true(enc == 0);
    assert_true(series_total(sim, "us_encounters") == 0);
    assert_true(entries > 5000);
    int entered = cor_status_find(sim, "us_entered"), waiting = cor_status_find(sim, "cbp_one_waiting");
    double key;
    assert_int_equal(cor_sim_summary(sim, "cbp_one_entries", 0, &key), COR_OK);
    assert_true(key == entries);
    assert_true((double)cor_sim_agents_in_status(sim, entered) == entries);
    /* registrations = entries + those still waiting */
    assert_true(series_total(sim, "cbp_one_registrations") ==
                entries + (double)cor_sim_agents_in_status(sim, waiting));
    const cor_agents *ag = &sim->agents;
    for (int64_t a = 0; a < ag->n; a++)
        if (ag->status[a] == entered) {
            assert_int_equal(ag->attempts[a], 0);
            assert_string_equal(cor_sim_place_kind(sim, (int)ag->place[a]), "us_sector");
        }
    cor_sim_free(sim);
    cor_scenario_free(sc);

    sc = load_scenario("tests/data/cbp_one/none.yaml");
    assert_non_null(sc);
    sim = sim_start_state(sc, 2, 0, NULL, NULL);
    assert_int_equal(cor_sim_run(sim), COR_OK);
    assert_true(series_total(sim, "us_encounters") > 40000);
    assert_true(series_total(sim, "cbp_one_registrations") == 0);
    cor_sim_free(sim);
    cor_scenario_free(sc);
}

/* Half register, some give up and cross: encounters (people) = attempts of
 * all agents x scale, and no one who entered by appointment ever counted
 * as an encounter. */
static void encounters_only_between_ports(void **state)
{
    (void)state;
    cor_scenario *sc = load_scenario("tests/data/cbp_one/half.yaml");
    assert_non_null(sc);
    cor_sim *sim = sim_start_state(sc, 2, 2, NULL, NULL);
    assert_int_equal(cor_sim_run(sim), COR_OK);
    int entered = cor_status_find(sim, "us_entered");
    const cor_agents *ag = &sim->agents;
    double attempts = 0;
    int64_t n_entered = 0;
    for (int64_t a = 0; a < ag->n; a++) {
        attempts += ag->attempts[a];
        if (ag->status[a] == entered) {
            n_entered++;
            assert_int_equal(ag->attempts[a], 0);
        }
    }
    double enc = series_total(sim, "us_encounters");
    assert_true(enc == attempts * 2);
    assert_true(enc > 10000);
    assert_true(n_entered * 2 == (int64_t)series_total(sim, "cbp_one_entries") && n_entered > 1000);
    assert_true(series_total(sim, "cbp_one_giveups") > 1000);
    cor_sim_free(sim);
    cor_scenario_free(sc);
}

/* 30 appointments a day, first come first served: each day exactly
 * min(30, people queued) enter, and the order of entries is the order of
 * registration. */
static void daily_first_come_first_served(void **state)
{
    (void)state;
    cor_scenario *sc = load_scenario("tests/data/cbp_one/base.yaml");
    assert_non_null(sc);
    recorder r;
    cor_sim *sim = start_recorded(sc, 2, 0, &r);
    int full_days = 0;
    while (!cor_sim_done(sim)) {
        long before = r.n_ent;
        r.ent_today = 0;
        assert_int_equal(cor_sim_step(sim), COR_OK);
        long queued = r.n_reg - before; /* everyone registered so far and not yet in */
        long want = queued < 30 ? queued : 30;
        assert_int_equal(r.ent_today, want);
        full_days += want == 30;
    }
    assert_true(full_days > 300);
    for (long i = 0; i < r.n_ent; i++)
        assert_int_equal(r.ent[i], r.reg[i]);
    recorder_free(&r);
    cor_sim_free(sim);
    cor_scenario_free(sc);
}

/* 25 people a day at scale 1 and 10 (2 or 3 agents a day): never more than
 * one agent over 25 in a day, never more than 25 x days in all, and over
 * February-August (the queue is never empty) 25 x 213 people within one
 * agent. */
static void daily_number_in_people(void **state)
{
    (void)state;
    cor_scenario *sc = load_scenario("tests/data/cbp_one/half.yaml");
    assert_non_null(sc);
    const double scales[2] = {1, 10};
    for (int i = 0; i < 2; i++) {
        double scale = scales[i];
        recorder r;
        cor_sim *sim = start_recorded(sc, 2, scale, &r);
        int32_t feb1 = cor_days_from_civil(2020, 2, 1), aug31 = cor_days_from_civil(2020, 8, 31);
        double cumulative = 0, binding = 0;
        int days = 0;
        while (!cor_sim_done(sim)) {
            int32_t day = cor_sim_today(sim);
            r.ent_today = 0;
            assert_int_equal(cor_sim_step(sim), COR_OK);
            double people = (double)r.ent_today * scale;
            days++;
            cumulative += people;
            assert_true(people < 25 + scale);
            assert_true(cumulative <= 25.0 * days + 1e-9);
            if (day >= feb1 && day <= aug31)
                binding += people;
        }
        assert_true(fabs(binding - 25.0 * 213) < scale);
        recorder_free(&r);
        cor_sim_free(sim);
    }
    cor_scenario_free(sc);
}

/* cbp_one_waiting at each month end = registered agents waiting (x scale)
 * in each city; only border cities, and both of them. */
static void waiting_by_city(void **state)
{
    (void)state;
    cor_scenario *sc = load_scenario("tests/data/cbp_one/base.yaml");
    assert_non_null(sc);
    cor_sim *sim = sim_start_state(sc, 2, 4, NULL, NULL);
    assert_int_equal(cor_sim_run(sim), COR_OK);
    int st = cor_status_find(sim, "cbp_one_waiting"), s = cor_sim_series_id(sim, "cbp_one_waiting");
    int juarez = cor_sc_place_index(sc, "ciudad_juarez"), reynosa = cor_sc_place_index(sc, "reynosa");
    double at_juarez = 0, at_reynosa = 0;
    for (int m = cor_sim_first_month(sim); m < cor_sim_first_month(sim) + cor_sim_n_months(sim); m++)
        for (int p = 0; p < cor_sim_n_places(sim); p++) {
            double want = (double)cor_sim_agents_at_month_end(sim, p, st, m) * 4;
            assert_true(cor_sim_series_value(sim, s, p, m) == want);
            if (want > 0)
                assert_true(p == juarez || p == reynosa);
            at_juarez += p == juarez ? want : 0;
            at_reynosa += p == reynosa ? want : 0;
        }
    assert_true(at_juarez > 0 && at_reynosa > 0);
    cor_sim_free(sim);
    cor_scenario_free(sc);
}

/* Give-up hazard 5% a day: the mean wait of those who give up is 1/0.05 =
 * 20 days (geometric, sd 19.5; thousands of give-ups: se < 0.5); they then
 * cross between ports and are encountered. */
static void give_up_hazard(void **state)
{
    (void)state;
    cor_scenario *sc = load_scenario("tests/data/cbp_one/giveup.yaml");
    assert_non_null(sc);
    recorder r;
    cor_sim *sim = start_recorded(sc, 2, 0, &r);
    assert_int_equal(cor_sim_run(sim), COR_OK);
    long n = atomic_load(&r.giveups);
    assert_true(n > 5000);
    double mean = (double)atomic_load(&r.wait_days) / (double)n;
    assert_true(fabs(mean - 20) < 1.5);
    assert_true(series_total(sim, "cbp_one_giveups") == (double)n);
    /* with appointments for one person a day, nearly everyone gives up:
     * the encounters include them all */
    assert_true(series_total(sim, "us_encounters") >= (double)n);
    assert_true(series_total(sim, "cbp_one_entries") <= 366);
    recorder_free(&r);
    cor_sim_free(sim);
    cor_scenario_free(sc);
}

/* ---------------------------------------------------------------- errors */

static void expect_error(const char *rel, const char *want_fmt) { expect_init_error_at(rel, want_fmt); }

static void bad_parameters(void **state)
{
    (void)state;
    expect_error("tests/data/cbp_one/bad_use.yaml",
                 "%s:6: parameters.cbp_one_use_prob.value: must be in [0, 1] (got -0.1)");
    expect_error("tests/data/cbp_one/bad_scope.yaml",
                 "%s:6: timeline[0].scope: cbp_one_daily is national: remove the scope");
    expect_error("tests/data/cbp_one/missing.yaml",
                 "%s: parameters: 'cbp_one_giveup_rate' is not defined (needed by module cbp_one)");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(entries_are_not_encounters),
        cmocka_unit_test(encounters_only_between_ports),
        cmocka_unit_test(daily_first_come_first_served),
        cmocka_unit_test(daily_number_in_people),
        cmocka_unit_test(waiting_by_city),
        cmocka_unit_test(give_up_hazard),
        cmocka_unit_test(bad_parameters),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
