/* test_guard.c - the National Guard (src/mexico/guard.c): detection where
 * troops are deployed with probability 1 - exp(-h d), hand-over to INM
 * (every Guard detection becomes an INM detention when the stations have
 * room), nothing changes for anyone without INM, nobody Mexican or with a
 * visa detected, the troops series, thread determinism, errors.
 *
 * inm needs the returns module: as in test_inm.c, a stand-in layer named
 * "returns" (added with cor_sim_add_rules) satisfies that check and settles
 * deported people at home.  Fixtures: tests/data/guard/base.yaml (inm and
 * guard on tests/data/modules/net.yaml) and overlays written by each test. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <math.h>

#include "engine/calendar.h"
#include "engine/rules.h"
#include "engine/sim.h"
#include "test_sim.h"
#include "test_stubs.h"
#include "test_util.h"

static cor_scenario *overlay(const char *text) { return load_mem_ok("tests/data/guard/t.yaml", text); }

static cor_sim *start(const cor_scenario *sc, int threads, int with_returns, const cor_rules *extra)
{
    const cor_rules *layers[2];
    int n = 0;
    if (with_returns)
        layers[n++] = returns_stub(0);
    if (extra)
        layers[n++] = extra;
    return sim_start(sc, threads, 0, layers, n);
}

enum { ANY = -2 };
static double total(const cor_sim *sim, const char *name, int place, int group, int month)
{
    int s = cor_sim_series_id(sim, name);
    assert_true(s >= 0);
    double v = 0;
    for (int64_t i = 0; i < sim->series.n_rec; i++) {
        const cor_series_rec *r = &sim->series.rec[i];
        if (r->series == s && (place == ANY || r->place == place) && (group == ANY || r->group == group) &&
            (month == ANY || r->month == month))
            v += r->value;
    }
    return v;
}
static int month_of(const char *ym)
{
    int m;
    assert_int_equal(cor_parse_month(ym, &m), 0);
    return m;
}

/* 1 - E[exp(-h (1 + G))], G geometric with mean 1 (transit_wait_days = 1). */
static double p_stay(double h) { return 1 - exp(-h) * 0.5 / (1 - 0.5 * exp(-h)); }

/* 3,000 troops in Tapachula (h = 0.3 a day): everyone from Guatemala and
 * Venezuela passes there once; the share detected is p_stay(0.3), and each
 * detection is an INM detention in the same month, place and group. */
static void hands_over_to_inm(void **state)
{
    (void)state;
    cor_scenario *sc = overlay("base: base.yaml\n"
                               "timeline:\n"
                               "  - {lever: guard_troops, value: 3000, start: 2020-01-01, scope: {places: [tapachula]}}\n");
    cor_sim *sim = start(sc, 2, 1, NULL);
    assert_int_equal(cor_sim_run(sim), COR_OK);
    int tap = cor_sc_place_index(sc, "tapachula"), mexico = cor_sc_population_index(sc, "mexico");
    int64_t others = 0;
    for (int64_t a = 0; a < sim->agents.n; a++)
        others += sim->agents.group[a] != mexico;
    double det = total(sim, "guard_detections", tap, ANY, ANY);
    assert_true(det == total(sim, "guard_detections", ANY, ANY, ANY));
    assert_true(fabs(det / (double)others - p_stay(0.3)) < 0.015); /* 0.412, sd 0.003 */
    for (int m = month_of("2020-01"); m <= month_of("2020-12"); m++)
        for (int g = 0; g < 3; g++)
            assert_true(total(sim, "inm_detentions", tap, g, m) == total(sim, "guard_detections", tap, g, m));
    assert_true(total(sim, "inm_detentions", ANY, ANY, ANY) == det);
    cor_sim_free(sim);
    cor_scenario_free(sc);
}

/* Without INM the Guard only counts: every agent ends exactly as in a run
 * without the Guard (its draws are its own), and nobody is detained. */
static void without_inm(void **state)
{
    (void)state;
    cor_scenario *plain = load_scenario("tests/data/modules/net.yaml");
    cor_scenario *sc = overlay("base: ../modules/net.yaml\n"
                               "meta: {modules: [guard]}\n"
                               "parameters:\n"
                               "  guard_detect_per_troop: {value: 0.0001, calibrated: [0, 0.01]}\n"
                               "timeline:\n"
                               "  - {lever: guard_troops, value: 3000, start: 2020-01-01, scope: {places: [tapachula]}}\n");
    assert_non_null(plain);
    cor_sim *a = start(plain, 2, 0, NULL), *b = start(sc, 2, 0, NULL);
    assert_int_equal(cor_sim_run(a), COR_OK);
    assert_int_equal(cor_sim_run(b), COR_OK);
    assert_true(total(b, "guard_detections", ANY, ANY, ANY) > 10000);
    assert_int_equal(cor_status_find(b, "detained"), -1);
    assert_same_agents(a, b);
    assert_true(total(a, "us_encounters", ANY, ANY, ANY) == total(b, "us_encounters", ANY, ANY, ANY));
    cor_sim_free(a);
    cor_sim_free(b);
    cor_scenario_free(sc);
    cor_scenario_free(plain);
}

/* Troops in Mexico City, where Mexicans pass: no Mexican and (with a visa
 * stand-in) no Guatemalan is detected; Venezuelans are. */
static void who_is_detected(void **state)
{
    (void)state;
    cor_scenario *sc = overlay("base: base.yaml\n"
                               "timeline:\n"
                               "  - {lever: guard_troops, value: 10000, start: 2020-01-01, scope: {places: [mexico_city]}}\n");
    cor_sim *sim = start(sc, 2, 1, visa_stub());
    assert_int_equal(cor_sim_run(sim), COR_OK);
    assert_true(total(sim, "guard_detections", ANY, cor_sc_population_index(sc, "mexico"), ANY) == 0);
    assert_true(total(sim, "guard_detections", ANY, cor_sc_population_index(sc, "guatemala"), ANY) == 0);
    assert_true(total(sim, "guard_detections", ANY, cor_sc_population_index(sc, "venezuela"), ANY) > 5000);
    cor_sim_free(sim);
    cor_scenario_free(sc);
}

/* guard_troops records the troops in force at each place at month end;
 * nobody is detected before the deployment.  1 and 2 threads agree. */
static void troops_series_and_threads(void **state)
{
    (void)state;
    cor_scenario *sc = overlay("base: base.yaml\n"
                               "timeline:\n"
                               "  - {lever: guard_troops, value: 6000, start: 2020-06-05, scope: {places: [tapachula]}}\n"
                               "  - {lever: guard_troops, value: 15000, start: 2020-06-24, scope: {places: [monterrey, reynosa]}}\n"
                               "  - {lever: guard_troops, value: 0, start: 2020-09-01, scope: {places: [reynosa]}}\n"
                               "  - {lever: guard_hr_trained_share, value: 0, start: 2020-06-05}\n");
    cor_sim *sim = start(sc, 1, 1, NULL);
    assert_int_equal(cor_sim_run(sim), COR_OK);
    int tap = cor_sc_place_index(sc, "tapachula"), mty = cor_sc_place_index(sc, "monterrey");
    int rey = cor_sc_place_index(sc, "reynosa");
    assert_true(total(sim, "guard_troops", ANY, ANY, month_of("2020-05")) == 0);
    assert_true(total(sim, "guard_troops", tap, ANY, month_of("2020-06")) == 6000);
    assert_true(total(sim, "guard_troops", mty, ANY, month_of("2020-06")) == 15000);
    assert_true(total(sim, "guard_troops", rey, ANY, month_of("2020-08")) == 15000);
    assert_true(total(sim, "guard_troops", rey, ANY, month_of("2020-09")) == 0);
    assert_true(total(sim, "guard_troops", ANY, ANY, month_of("2020-12")) == 21000);
    for (int m = month_of("2020-01"); m <= month_of("2020-05"); m++)
        assert_true(total(sim, "guard_detections", ANY, ANY, m) == 0);
    assert_true(total(sim, "guard_detections", tap, ANY, month_of("2020-06")) > 1000);
    assert_true(total(sim, "guard_detections", mty, ANY, ANY) > 0);
    cor_sim *two = start(sc, 2, 1, NULL);
    assert_int_equal(cor_sim_run(two), COR_OK);
    assert_same_run(sim, two);
    cor_sim_free(two);
    cor_sim_free(sim);
    cor_scenario_free(sc);
}

static void errors(void **state)
{
    (void)state;
    static const struct {
        const char *text, *msg;
    } cases[] = {
        {"base: base.yaml\ntimeline:\n  - {lever: guard_troops, value: 10, start: 2020-01-01, scope: {places: [tapachula], groups: [guatemala]}}\n",
         "t.yaml:3: timeline[0].scope.groups: lever guard_troops cannot be scoped by groups (allowed: places)"},
        {"base: base.yaml\ntimeline:\n  - {lever: guard_troops, value: 10, start: 2020-01-01}\n",
         "t.yaml:3: timeline[0].scope: lever guard_troops needs scope.places (where the troops are deployed)"},
        {"base: base.yaml\ntimeline:\n  - {lever: guard_troops, value: 10, start: 2020-01-01, scope: {places: [usbp_el_paso]}}\n",
         "t.yaml:3: timeline[0].scope.places[0]: lever guard_troops: place 'usbp_el_paso' is in US, not in Mexico"},
        {"base: base.yaml\ntimeline:\n  - {lever: guard_troops, value: -5, start: 2020-01-01, scope: {places: [tapachula]}}\n",
         "t.yaml:3: timeline[0].value: lever guard_troops must be >= 0 (got -5)"},
        {"base: base.yaml\ntimeline:\n  - {lever: guard_hr_trained_share, value: 1.2, start: 2020-01-01}\n",
         "t.yaml:3: timeline[0].value: lever guard_hr_trained_share must be in [0, 1] (got 1.2)"},
        {"base: base.yaml\nparameters:\n  guard_detect_per_troop: {value: -1, assumed: [-2, 2]}\n",
         "t.yaml:3: parameters.guard_detect_per_troop.value: must be >= 0 (got -1)"},
        {"base: ../modules/net.yaml\nmeta: {modules: [guard]}\n",
         "t.yaml: parameters: 'guard_detect_per_troop' is not defined (needed by module guard)"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        cor_scenario *sc = overlay(cases[i].text);
        cor_sim *sim = cor_sim_new();
        assert_int_equal(cor_sim_add_rules(sim, returns_stub(0)), COR_OK);
        assert_int_equal(cor_sim_init(sim, sc, NULL), COR_EINPUT);
        if (!strstr(cor_sim_errmsg(sim), cases[i].msg))
            fail_msg("case %zu: got '%s'", i, cor_sim_errmsg(sim));
        cor_sim_free(sim);
        cor_scenario_free(sc);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(hands_over_to_inm), cmocka_unit_test(without_inm),
        cmocka_unit_test(who_is_detected),   cmocka_unit_test(troops_series_and_threads),
        cmocka_unit_test(errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
