/* test_deterrence.c - announcements (src/migrants/deterrence.c): fewer
 * crossings from a scoped border city in the days after an announcement
 * than without it (held back, not prevented), departures multiplied by
 * (1 - effect x strength x decay) after the lag and not before, and only
 * while the announcement lasts; error messages. */
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

#define DAYS 366 /* 2020 */

/* People (agents, scale 1) of group g spawned on each day of 2020. */
static void spawns(const cor_sim *sim, int g, int64_t *out)
{
    memset(out, 0, sizeof *out * DAYS);
    int32_t d0 = day_of("2020-01-01");
    for (int64_t a = 0; a < sim->agents.n; a++)
        if (sim->agents.group[a] == g)
            out[sim->agents.born[a] - d0]++;
}

/* Latent people of a net.yaml group on a day (all demographics). */
static double latent(const char *group, int32_t day)
{
    int month = cor_month_of_day(day);
    if (month > cor_month_of_day(day_of("2020-06-30")))
        return 0;
    double m = strcmp(group, "venezuela") == 0 ? 1500 : 3000;
    return m / cor_month_days(month);
}

/* Run `file` and the control side by side; crossings into El Paso on the
 * announcement day (1 March) and in its first week, in both runs; checks
 * that the runs agree before the announcement, that Rio Grande Valley (not
 * reached) is untouched every day, and that by December everyone held
 * back has crossed. */
static void crossings(const char *file, int64_t first_day[2], int64_t week[2])
{
    cor_scenario *sc = load_scenario(file);
    cor_scenario *sc0 = load_scenario("tests/data/deterrence/control.yaml");
    assert_non_null(sc);
    assert_non_null(sc0);
    cor_sim *sim = start(sc, 2), *ctl = start(sc0, 2);
    int ep = cor_sc_place_index(sc, "usbp_el_paso"), rgv = cor_sc_place_index(sc, "usbp_rgv");
    int arrived = cor_status_find(sim, "arrived");
    int32_t announce = day_of("2020-03-01");
    int64_t prev[2][2] = {{0}};
    week[0] = week[1] = first_day[0] = first_day[1] = 0;
    while (!cor_sim_done(sim)) {
        int32_t today = cor_sim_today(sim);
        assert_int_equal(cor_sim_step(sim), COR_OK);
        assert_int_equal(cor_sim_step(ctl), COR_OK);
        int64_t e[2][2];
        for (int r = 0; r < 2; r++) {
            const cor_sim *s = r ? ctl : sim;
            e[r][0] = cor_sim_agents_at(s, ep, arrived) - prev[r][0];
            e[r][1] = cor_sim_agents_at(s, rgv, arrived) - prev[r][1];
            prev[r][0] += e[r][0];
            prev[r][1] += e[r][1];
        }
        assert_int_equal(e[0][1], e[1][1]); /* RGV: every day the same */
        if (today < announce)
            assert_int_equal(e[0][0], e[1][0]);
        if (today == announce)
            first_day[0] = e[0][0], first_day[1] = e[1][0];
        if (today >= announce && today < announce + 7)
            week[0] += e[0][0], week[1] += e[1][0];
    }
    /* held back, not prevented; no origin in scope: no one deterred from leaving */
    assert_int_equal(prev[0][0], prev[1][0]);
    assert_int_equal(cor_sim_agents_spawned(sim), cor_sim_agents_spawned(ctl));
    assert_true(cor_sim_series_value(sim, cor_sim_series_id(sim, "deterred_departures"), -1, -1) == 0);
    cor_sim_free(sim);
    cor_sim_free(ctl);
    cor_scenario_free(sc);
    cor_scenario_free(sc0);
}

/* An announcement of strength 1 reaching Ciudad Juárez on 1 March (effect
 * 0.5, decay 30 days): on the first day each person due to cross is held
 * back with probability 0.5, so crossings are Binomial(control's, 0.5);
 * held back for 1 + geometric(border_wait_days = 3) days, the city's
 * crossing rate stays about halved, so the week's crossings fall well
 * below the control's. */
static void fewer_crossings(void **state)
{
    (void)state;
    int64_t first[2], week[2];
    crossings("tests/data/deterrence/crossing.yaml", first, week);
    assert_true(first[1] > 40);
    assert_true(fabs((double)first[0] - 0.5 * (double)first[1]) < 5 * sqrt(0.25 * (double)first[1]));
    assert_true(week[1] > 400);
    assert_true((double)week[0] < 0.75 * (double)week[1] && (double)week[0] > 0.45 * (double)week[1]);
}

/* Held back for one day only (deterrence_hold_days 0), people cross the
 * next day: the first day is halved just the same, but the week much less. */
static void short_hold(void **state)
{
    (void)state;
    int64_t first[2], week[2];
    crossings("tests/data/deterrence/short_hold.yaml", first, week);
    assert_true(fabs((double)first[0] - 0.5 * (double)first[1]) < 5 * sqrt(0.25 * (double)first[1]));
    assert_true((double)week[0] > 0.8 * (double)week[1] && week[0] < week[1]);
}

/* Departures: Guatemalans' from 11 February (lag 10 days) are multiplied
 * by 1 - 0.5 x 0.8 x exp(-t / 60); Venezuelans' from 11 March to 10 April
 * by 1 - 0.5 x exp(-t / 60); Mexicans' never.  Before (and after) that,
 * every day's departures equal the control's exactly. */
static void fewer_departures(void **state)
{
    (void)state;
    cor_scenario *sc = load_scenario("tests/data/deterrence/departures.yaml");
    cor_scenario *sc0 = load_scenario("tests/data/deterrence/control.yaml");
    assert_non_null(sc);
    assert_non_null(sc0);
    cor_sim *sim = start(sc, 2), *ctl = start(sc0, 1);
    assert_int_equal(cor_sim_run(sim), COR_OK);
    assert_int_equal(cor_sim_run(ctl), COR_OK);
    const char *names[3] = {"mexico", "guatemala", "venezuela"};
    const char *from[3] = {"2021-01-01", "2020-02-11", "2020-03-11"}, *to[3] = {"2020-12-31", "2020-12-31", "2020-04-10"};
    const char *start_day[3] = {"2020-07-01", "2020-02-11", "2020-03-11"};
    double strength[3] = {0, 0.8, 1};
    int32_t d0 = day_of("2020-01-01");
    int s_det = cor_sim_series_id(sim, "deterred_departures");
    assert_true(s_det >= 0);
    double det_total = 0;
    for (int i = 0; i < 3; i++) {
        int g = cor_sc_population_index(sc, names[i]);
        int64_t n[DAYS], n0[DAYS];
        spawns(sim, g, n);
        spawns(ctl, g, n0);
        int32_t lo = day_of(from[i]), hi = day_of(to[i]), t0 = day_of(start_day[i]);
        double expect = 0, deterred = 0, got = 0, control = 0;
        for (int32_t t = d0; t < d0 + DAYS; t++) {
            if (t < lo || t > hi) {
                assert_int_equal(n[t - d0], n0[t - d0]);
                continue;
            }
            double m = 1 - 0.5 * strength[i] * exp(-(double)(t - t0) / 60);
            expect += latent(names[i], t) * m;
            deterred += latent(names[i], t) * (1 - m);
            got += (double)n[t - d0];
            control += (double)n0[t - d0];
        }
        if (i == 0)
            continue;
        /* stochastic rounding: at most 3 cells a day, each of variance <= 1/4 */
        double days = (double)(hi - lo + 1), sd = sqrt(days * 3 * 0.25);
        if (fabs(got - expect) > 5 * sd) {
            fprintf(stderr, "%s: %.0f departures, expected %.1f (sd %.1f)\n", names[i], got, expect, sd);
            fail();
        }
        assert_true(got < control - 0.5 * deterred);
        double series = 0;
        for (int m = cor_sim_first_month(sim); m < cor_sim_first_month(sim) + 12; m++)
            for (int64_t r = 0; r < sim->series.n_rec; r++) {
                const cor_series_rec *x = &sim->series.rec[r];
                if (x->series == s_det && x->month == m && x->group == g)
                    series += x->value;
            }
        assert_true(fabs(series - deterred) < 1e-6 * deterred);
        det_total += deterred;
    }
    double all = cor_sim_series_value(sim, s_det, -1, -1);
    assert_true(fabs(all - det_total) < 1e-6 * det_total);
    /* deterred at the origin of the group */
    assert_true(fabs(cor_sim_series_value(sim, s_det, cor_sc_place_index(sc, "caracas"), -1) +
                     cor_sim_series_value(sim, s_det, cor_sc_place_index(sc, "guatemala_city"), -1) - all) < 1e-6 * all);
    cor_sim_free(sim);
    cor_sim_free(ctl);
    cor_scenario_free(sc);
    cor_scenario_free(sc0);
}

/* 1 and 3 threads give the same run; people are conserved every day. */
static void threads_identical(void **state)
{
    (void)state;
    cor_scenario *sc = load_scenario("tests/data/deterrence/crossing.yaml");
    assert_non_null(sc);
    cor_sim *a = start(sc, 1), *b = start(sc, 3);
    run_lockstep_identical(a, b);
    cor_scenario_free(sc);
}

static void expect_error(const char *file, const char *msg) { expect_init_error_has(file, msg); }

static void errors(void **state)
{
    (void)state;
    expect_error("tests/data/deterrence/bad_strength.yaml",
                 "tests/data/deterrence/bad_strength.yaml:3: timeline[0].value: an announcement's strength must be in "
                 "[0, 1] (got 1.5)");
    expect_error("tests/data/deterrence/bad_decay.yaml",
                 "tests/data/deterrence/bad_decay.yaml:3: parameters.deterrence_decay_days.value: must be > 0 (got 0)");
    expect_error("tests/data/deterrence/bad_links.yaml",
                 "tests/data/deterrence/bad_links.yaml:3: timeline[0].scope.links: an announcement reaches places and "
                 "groups, not links");
    expect_error("tests/data/deterrence/bad_missing.yaml",
                 "parameters: 'deterrence_lag_days' is not defined (needed by deterrence)");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(fewer_crossings),
        cmocka_unit_test(short_hold),
        cmocka_unit_test(fewer_departures),
        cmocka_unit_test(threads_identical),
        cmocka_unit_test(errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
