/* test_scale.c - scale invariance: the historical scenario at 1 agent per
 * 10 people and at 1 per 100 gives the same headline totals within
 * sampling error.
 *
 * The sampling error is measured, not assumed: R runs at scale 100 with
 * different run numbers give each headline's mean and standard deviation
 * s100.  A count made of agents of `scale` people has a variance that
 * grows with the scale, so one run at scale 10 has sd about s100 x
 * sqrt(10/100).  The test passes a headline when
 *   |v10 - mean100| <= 4 x sqrt(s100^2 / R + s100^2 x 10 / 100)
 * (z <= 4 for each of the headlines: a false alarm somewhere has
 * probability below 0.001).  Headlines whose level is too small to say
 * anything at scale 100 (fewer than 20 agents on average) are skipped. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <math.h>

#include "test_util.h"

enum { R = 8 };

static void run_totals(const cor_scenario *sc, double scale, uint32_t run, const char *const *keys, int nk,
                       double *out)
{
    cor_sim *sim = cor_sim_new();
    assert_non_null(sim);
    cor_options opt = {.threads = 2, .scale = scale, .run = run};
    int rc = cor_sim_init(sim, sc, &opt);
    if (rc)
        fprintf(stderr, "%s\n", cor_sim_errmsg(sim));
    assert_int_equal(rc, COR_OK);
    assert_int_equal(cor_sim_run(sim), COR_OK);
    for (int k = 0; k < nk; k++) {
        out[k] = 0;
        cor_sim_summary(sim, keys[k], 0, &out[k]);
    }
    cor_sim_free(sim);
}

static void headlines_scale_10_vs_100(void **state)
{
    (void)state;
    cor_scenario *sc = load_scenario("scenarios/mexico-2012-2024.yaml");
    assert_non_null(sc);
    int nk;
    const char *const *keys = cor_headline_keys(&nk);
    double v10[64], sum[64] = {0}, sum2[64] = {0}, x[64];
    assert_true(nk <= 64);
    run_totals(sc, 10, 0, keys, nk, v10);
    for (uint32_t r = 1; r <= R; r++) {
        run_totals(sc, 100, r, keys, nk, x);
        for (int k = 0; k < nk; k++) {
            sum[k] += x[k];
            sum2[k] += x[k] * x[k];
        }
    }
    int checked = 0, failed = 0;
    for (int k = 0; k < nk; k++) {
        double mean = sum[k] / R, var = (sum2[k] - R * mean * mean) / (R - 1);
        double s100 = sqrt(var > 0 ? var : 0);
        int money = strstr(keys[k], "usd") || strstr(keys[k], "mxn");
        if (money || mean < 20 * 100) /* not people, or too few agents at scale 100 */
            continue;
        double bound = 4 * sqrt(s100 * s100 / R + s100 * s100 * 10.0 / 100.0);
        double z = bound > 0 ? fabs(v10[k] - mean) / (bound / 4) : (v10[k] == mean ? 0 : INFINITY);
        printf("%-22s scale 10: %12.0f  scale 100: %12.0f +- %8.0f  z = %.2f\n", keys[k], v10[k], mean, s100, z);
        checked++;
        if (!(fabs(v10[k] - mean) <= bound))
            failed++;
    }
    assert_true(checked >= 10);
    assert_int_equal(failed, 0);
    cor_scenario_free(sc);
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(headlines_scale_10_vs_100)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
