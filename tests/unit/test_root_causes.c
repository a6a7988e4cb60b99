/* test_root_causes.c - development programmes (src/migrants/root_causes.c):
 * departures fall by exp(-effect x USD billions a year) once the lag has
 * passed, and not before; an investment that ends stops acting a lag
 * later; the people who stay are counted; error messages. */
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

static int32_t day_of(const char *s)
{
    int32_t d;
    assert_int_equal(cor_parse_date(s, &d), 0);
    return d;
}

#define DAYS 366

static void spawns(const cor_sim *sim, int g, int64_t *out)
{
    memset(out, 0, sizeof *out * DAYS);
    int32_t d0 = day_of("2020-01-01");
    for (int64_t a = 0; a < sim->agents.n; a++)
        if (sim->agents.group[a] == g)
            out[sim->agents.born[a] - d0]++;
}

static double latent(const char *group, int32_t day)
{
    int month = cor_month_of_day(day);
    if (month > cor_month_of_day(day_of("2020-06-30")))
        return 0;
    return (strcmp(group, "venezuela") == 0 ? 1500.0 : 3000.0) / cor_month_days(month);
}

static void departures_fall_after_lag(void **state)
{
    (void)state;
    cor_scenario *sc = load_scenario("tests/data/root_causes/invest.yaml");
    cor_scenario *sc0 = load_scenario("tests/data/root_causes/control.yaml");
    assert_non_null(sc);
    assert_non_null(sc0);
    cor_sim *sim = start(sc, 2), *ctl = start(sc0, 1);
    assert_int_equal(cor_sim_run(sim), COR_OK);
    assert_int_equal(cor_sim_run(ctl), COR_OK);
    int s_det = cor_sim_series_id(sim, "deterred_departures");
    assert_true(s_det >= 0);
    const char *names[3] = {"mexico", "guatemala", "venezuela"};
    /* days on which the lagged investment is in force, and its factor */
    const char *from[3] = {"2021-01-01", "2020-04-01", "2020-05-02"}, *to[3] = {"2020-12-31", "2020-12-31", "2020-05-30"};
    double factor[3] = {1, exp(-0.2 * 2), exp(-0.2 * 1)};
    int32_t d0 = day_of("2020-01-01");
    for (int i = 0; i < 3; i++) {
        int g = cor_sc_population_index(sc, names[i]);
        int64_t n[DAYS], n0[DAYS];
        spawns(sim, g, n);
        spawns(ctl, g, n0);
        int32_t lo = day_of(from[i]), hi = day_of(to[i]);
        double got = 0, control = 0, expect = 0, deterred = 0;
        for (int32_t t = d0; t < d0 + DAYS; t++) {
            if (t < lo || t > hi) { /* not before the lag, nor a lag after the end */
                assert_int_equal(n[t - d0], n0[t - d0]);
                continue;
            }
            got += (double)n[t - d0];
            control += (double)n0[t - d0];
            expect += latent(names[i], t) * factor[i];
            deterred += latent(names[i], t) * (1 - factor[i]);
        }
        double series = 0;
        for (int64_t r = 0; r < sim->series.n_rec; r++)
            if (sim->series.rec[r].series == s_det && sim->series.rec[r].group == g)
                series += sim->series.rec[r].value;
        if (i == 0) {
            assert_true(series == 0);
            continue;
        }
        double days = (double)(hi - lo + 1), sd = sqrt(days * 3 * 0.25);
        if (fabs(got - expect) > 5 * sd) {
            fprintf(stderr, "%s: %.0f departures, expected %.1f (sd %.1f)\n", names[i], got, expect, sd);
            fail();
        }
        /* against the control run: the ratio is the factor */
        assert_true(fabs(got / control - factor[i]) < 0.03);
        assert_true(fabs(series - deterred) < 1e-6 * deterred);
    }
    /* Guatemala's April-June: 9000 x 0.670 */
    int gt = cor_sc_population_index(sc, "guatemala");
    int64_t n[DAYS];
    spawns(sim, gt, n);
    int64_t q2 = 0;
    for (int32_t t = day_of("2020-04-01"); t <= day_of("2020-06-30"); t++)
        q2 += n[t - d0];
    assert_true(llabs(q2 - llround(9000 * exp(-0.4))) < 40);
    cor_sim_free(sim);
    cor_sim_free(ctl);
    cor_scenario_free(sc);
    cor_scenario_free(sc0);
}

/* A negative effect raises departures after the lag by exp(-effect x
 * billions), and the deterred people are negative. */
static void negative_effect(void **state)
{
    (void)state;
    cor_scenario *sc = load_scenario("tests/data/root_causes/hump.yaml");
    cor_scenario *sc0 = load_scenario("tests/data/root_causes/control.yaml");
    assert_non_null(sc);
    assert_non_null(sc0);
    cor_sim *sim = start(sc, 1), *ctl = start(sc0, 1);
    assert_int_equal(cor_sim_run(sim), COR_OK);
    assert_int_equal(cor_sim_run(ctl), COR_OK);
    int gt = cor_sc_population_index(sc, "guatemala");
    int64_t n[DAYS], n0[DAYS];
    spawns(sim, gt, n);
    spawns(ctl, gt, n0);
    int32_t d0 = day_of("2020-01-01"), lag_end = day_of("2020-04-01");
    int64_t after = 0;
    for (int32_t t = d0; t < d0 + DAYS; t++) {
        if (t < lag_end)
            assert_int_equal(n[t - d0], n0[t - d0]);
        else
            after += n[t - d0];
    }
    assert_true(llabs(after - llround(9000 * exp(0.1))) < 40);
    double det = cor_sim_series_value(sim, cor_sim_series_id(sim, "deterred_departures"), -1, -1);
    assert_true(fabs(det - 9000 * (1 - exp(0.1))) < 1e-6 * 9000);
    cor_sim_free(sim);
    cor_sim_free(ctl);
    cor_scenario_free(sc);
    cor_scenario_free(sc0);
}

/* 1 and 2 threads give the same run; people are conserved every day. */
static void threads_identical(void **state)
{
    (void)state;
    cor_scenario *sc = load_scenario("tests/data/root_causes/invest.yaml");
    assert_non_null(sc);
    cor_sim *a = start(sc, 1), *b = start(sc, 2);
    run_lockstep_identical(a, b);
    cor_scenario_free(sc);
}

static void expect_error(const char *file, const char *msg) { expect_init_error_has(file, msg); }

static void errors(void **state)
{
    (void)state;
    expect_error("tests/data/root_causes/bad_effect.yaml", "tests/data/root_causes/bad_effect.yaml:3: "
                                                           "parameters.root_causes_lag_months.value: must be in [0, 1200] "
                                                           "(got -1)");
    expect_error("tests/data/root_causes/bad_usd.yaml",
                 "tests/data/root_causes/bad_usd.yaml:3: timeline[0].value: root_causes_usd must be >= 0 USD a year "
                 "(got -5)");
    expect_error("tests/data/root_causes/bad_missing.yaml",
                 "parameters: 'root_causes_lag_months' is not defined (needed by root_causes)");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(departures_fall_after_lag),
        cmocka_unit_test(negative_effect),
        cmocka_unit_test(threads_identical),
        cmocka_unit_test(errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
