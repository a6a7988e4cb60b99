/* test_title42.c - Title 42: expelled people reappear in the Mexican city
 * they crossed from and some cross again; expulsion shares by
 * demographic; groups and children out of scope go to Title 8; air
 * expulsions send people home; errors. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <math.h>

#include "engine/rules.h"
#include "engine/sim.h"
#include "test_sim.h"
#include "test_util.h"

#define ANY (-2)

static cor_sim *start(const cor_scenario *sc, int threads) { return sim_start(sc, threads, 0, NULL, 0); }

static double sum(const cor_sim *sim, const char *name, int place, int group, int demo, int m0, int m1)
{
    int s = cor_series_find(sim, name);
    assert_true(s >= 0);
    double v = 0;
    for (int64_t i = 0; i < sim->series.n_rec; i++) {
        const cor_series_rec *r = &sim->series.rec[i];
        if (r->series == s && (place == ANY || r->place == place) && (group == ANY || r->group == group) &&
            (demo == ANY || r->demo == demo) && (m0 == ANY || (r->month >= m0 && r->month <= m1)))
            v += r->value;
    }
    return v;
}

/* Binomial z-score of k successes in n trials with probability p. */
static double z(double k, double n, double p) { return (k - n * p) / sqrt(n * p * (1 - p)); }

/* Day by day: everyone returned today is in the city it was in (or left)
 * before the day: the city it crossed from (a returnee may retry and be
 * expelled again on one day: its attempts tell); Guatemalans (whom Title 8
 * sends home) are among them, so Title 42 put them there.  Newly `home`
 * Venezuelans are at their home place (air expulsions and removals). */
static void expelled_reappear_in_city(void **state)
{
    (void)state;
    cor_scenario *sc = load_scenario("tests/data/title42/base.yaml");
    assert_non_null(sc);
    cor_sim *sim = start(sc, 2);
    int st_ret = cor_status_find(sim, "returned"), st_home = cor_status_find(sim, "home");
    uint8_t expelled = cor_flag_find(sim, "title42_expelled");
    assert_true(expelled != 0);
    int gt = cor_sc_population_index(sc, "guatemala"), ve = cor_sc_population_index(sc, "venezuela");
    int juarez = cor_sc_place_index(sc, "ciudad_juarez"), reynosa = cor_sc_place_index(sc, "reynosa");
    int caracas = cor_sc_place_index(sc, "caracas");
    size_t cap = 0;
    uint8_t *st0 = NULL, *fl0 = NULL, *at0 = NULL;
    uint32_t *pl0 = NULL;
    int64_t returned = 0, gt_returned = 0, gt_reynosa = 0, ve_home = 0, first_expulsions = 0;
    while (!cor_sim_done(sim)) {
        const cor_agents *ag = &sim->agents;
        int64_t n0 = ag->n;
        if ((size_t)n0 >= cap) {
            cap = 2 * (size_t)n0 + 1024;
            st0 = realloc(st0, cap);
            fl0 = realloc(fl0, cap);
            at0 = realloc(at0, cap);
            pl0 = realloc(pl0, cap * sizeof *pl0);
            assert_true(st0 && fl0 && at0 && pl0);
        }
        memcpy(st0, ag->status, (size_t)n0);
        memcpy(fl0, ag->flags, (size_t)n0);
        memcpy(at0, ag->attempts, (size_t)n0);
        memcpy(pl0, ag->place, (size_t)n0 * sizeof *pl0);
        assert_int_equal(cor_sim_step(sim), COR_OK);
        for (int64_t a = 0; a < n0; a++) {
            int s = ag->status[a], p = (int)ag->place[a];
            if ((ag->flags[a] & expelled) && !(fl0[a] & expelled))
                first_expulsions++;
            /* returned today: again, after a retry the same day, or anew */
            if (s == st_ret && (st0[a] != st_ret || ag->attempts[a] != at0[a])) {
                assert_int_equal(p, (int)pl0[a]);
                assert_true(p == juarez || p == reynosa);
                returned++;
                if (ag->group[a] == gt) {
                    assert_true(ag->flags[a] & expelled);
                    gt_returned++;
                    gt_reynosa += p == reynosa;
                }
            } else if (s == st_home && s != st0[a] && ag->group[a] == ve && st0[a] != st_ret) {
                assert_int_equal(p, caracas);
                ve_home++;
            }
        }
    }
    assert_true(returned > 1000 && gt_returned > 1000 && gt_reynosa > 100 && ve_home > 500);
    /* every returned person is counted once in returns_to_mexico, at the city */
    double to_mx = sum(sim, "returns_to_mexico", juarez, ANY, ANY, ANY, 0) + sum(sim, "returns_to_mexico", reynosa, ANY, ANY, ANY, 0);
    assert_true(to_mx == (double)returned);
    /* people flagged = people expelled at least once; expulsions count events */
    assert_true((double)first_expulsions <= sum(sim, "title42_expulsions", ANY, ANY, ANY, ANY, 0) +
                                                 sum(sim, "title42_expulsions_air", ANY, ANY, ANY, ANY, 0));
    assert_true(first_expulsions > 1000);
    free(st0);
    free(fl0);
    free(at0);
    free(pl0);
    cor_sim_free(sim);
    cor_scenario_free(sc);
}

/* Some expelled people cross again: re-encounters, more encounter events
 * than people encountered, and every Title 42 encounter is an expulsion. */
static void some_cross_again(void **state)
{
    (void)state;
    cor_scenario *sc = load_scenario("tests/data/title42/base.yaml");
    assert_non_null(sc);
    cor_sim *sim = start(sc, 2);
    assert_int_equal(cor_sim_run(sim), COR_OK);
    double reenc = sum(sim, "title42_reencounters", ANY, ANY, ANY, ANY, 0);
    double enc = sum(sim, "us_encounters", ANY, ANY, ANY, ANY, 0);
    double uniq = sum(sim, "us_unique_encountered", ANY, ANY, ANY, ANY, 0);
    double t42 = sum(sim, "us_encounters_title42", ANY, ANY, ANY, ANY, 0);
    double t8 = sum(sim, "us_encounters_title8", ANY, ANY, ANY, ANY, 0);
    double land = sum(sim, "title42_expulsions", ANY, ANY, ANY, ANY, 0);
    double air = sum(sim, "title42_expulsions_air", ANY, ANY, ANY, ANY, 0);
    assert_true(reenc > 1000);
    assert_true(enc > uniq * 1.2);
    assert_true(enc == t42 + t8);
    assert_true(t42 == land + air);
    assert_true(sum(sim, "returnee_retries", ANY, ANY, ANY, ANY, 0) > 1000);
    double total;
    assert_int_equal(cor_sim_summary(sim, "title42_expulsions", 0, &total), COR_OK);
    assert_true(total == land + air);
    assert_int_equal(cor_sim_summary(sim, "title42_reencounters", 2020, &total), COR_OK);
    assert_true(total == reenc);
    cor_sim_free(sim);
    cor_scenario_free(sc);
}

/* No Title 42 before 2020-03-21; from April, expulsion shares by
 * demographic (binomial, |z| < 3.29: alpha 0.001); Mexican and Guatemalan
 * children are exempt and go to Title 8; Venezuelans are only flown home, never to Mexico; without
 * the air lever they are out of scope and all go to Title 8. */
static void scope_and_shares(void **state)
{
    (void)state;
    cor_scenario *sc = load_scenario("tests/data/title42/base.yaml");
    assert_non_null(sc);
    cor_sim *sim = start(sc, 1);
    assert_int_equal(cor_sim_run(sim), COR_OK);
    int jan = 2020 * 12, feb = jan + 1, apr = jan + 3, dec = jan + 11;
    int gt = cor_sc_population_index(sc, "guatemala"), ve = cor_sc_population_index(sc, "venezuela");
    int mx = cor_sc_population_index(sc, "mexico");
    assert_true(sum(sim, "us_encounters", ANY, ANY, ANY, jan, feb) > 5000);
    assert_true(sum(sim, "us_encounters_title42", ANY, ANY, ANY, jan, feb) == 0);
    const double expel[2] = {0.9, 0.5};
    for (int g = 0; g < 3; g++)
        for (int d = 0; d < 2; d++) {
            double k = sum(sim, "us_encounters_title42", ANY, g, d, apr, dec);
            double n = k + sum(sim, "us_encounters_title8", ANY, g, d, apr, dec);
            assert_true(n > 300);
            assert_true(fabs(z(k, n, expel[d])) < 3.29);
        }
    assert_true(sum(sim, "us_encounters_title42", ANY, mx, COR_DEMO_UAC, ANY, 0) == 0);
    assert_true(sum(sim, "us_encounters_title42", ANY, gt, COR_DEMO_UAC, ANY, 0) == 0);
    assert_true(sum(sim, "us_encounters_title8", ANY, mx, COR_DEMO_UAC, apr, dec) > 100);
    assert_true(sum(sim, "us_encounters_title8", ANY, gt, COR_DEMO_UAC, apr, dec) > 100);
    assert_true(sum(sim, "title42_expulsions", ANY, ve, ANY, ANY, 0) == 0);
    assert_true(sum(sim, "title42_expulsions_air", ANY, ve, ANY, ANY, 0) > 1000);
    assert_true(sum(sim, "title42_expulsions_air", ANY, mx, ANY, ANY, 0) == 0);
    assert_true(sum(sim, "title42_expulsions_air", ANY, gt, ANY, ANY, 0) == 0);
    cor_sim_free(sim);
    cor_scenario_free(sc);

    sc = load_scenario("tests/data/title42/scoped.yaml");
    assert_non_null(sc);
    sim = start(sc, 1);
    assert_int_equal(cor_sim_run(sim), COR_OK);
    assert_true(sum(sim, "us_encounters_title42", ANY, ve, ANY, ANY, 0) == 0);
    assert_true(sum(sim, "title42_expulsions_air", ANY, ANY, ANY, ANY, 0) == 0);
    assert_true(sum(sim, "us_encounters_title8", ANY, ve, ANY, apr, dec) > 1000);
    assert_true(sum(sim, "title42_expulsions", ANY, gt, ANY, apr, dec) > 1000);
    cor_sim_free(sim);
    cor_scenario_free(sc);
}

static char *init_error(const char *name, const char *text) { return sc_init_error(load_mem_ok(name, text)); }

static void errors(void **state)
{
    (void)state;
    char *m = init_error("tests/data/title42/x.yaml", "base: no_returns.yaml\n");
    assert_string_equal(m, "module title42 needs module returns: add it to meta.modules");
    free(m);
    m = init_error("tests/data/title42/x.yaml",
                   "base: base.yaml\nparameters:\n  title42_expel_family_members: {value: -0.1, source: t}\n");
    assert_non_null(strstr(m, "title42/x.yaml:3: parameters.title42_expel_family_members.value: must be in [0, 1] (got -0.1)"));
    free(m);
    /* with title42 loaded, returns needs the retry probability of expellees */
    m = init_error("tests/data/title42/x.yaml", "base: ../title8/base.yaml\nmeta: {name: x, modules: [returns, title8, title42]}\n"
                                                "parameters:\n"
                                                "  title42_expel_single_adults: {value: 1, source: t}\n");
    assert_non_null(strstr(m, "parameters: 'returns_retry_title42' is not defined (needed by module returns (with title42))"));
    free(m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(expelled_reappear_in_city),
        cmocka_unit_test(some_cross_again),
        cmocka_unit_test(scope_and_shares),
        cmocka_unit_test(errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
