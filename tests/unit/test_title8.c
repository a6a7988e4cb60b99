/* test_title8.c - Title 8 processing: outcome shares by demographic (chi
 * square), where returned people go (the city they crossed from; home),
 * the asylum limit lever, and the errors of bad set-ups. */
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

/* People in series `name` over months [m0, m1] (ANY: every month), at
 * place, for group and demographic (ANY: all). */
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

static double chi2(const double *obs, const double *p, int k)
{
    double n = 0, x = 0;
    for (int i = 0; i < k; i++)
        n += obs[i];
    for (int i = 0; i < k; i++) {
        double e = n * p[i];
        x += (obs[i] - e) * (obs[i] - e) / e;
    }
    return x;
}

/* Outcomes at the border: release, removal, detention by demographic with
 * the parameters' probabilities (detention outlasts the run, so every
 * count is a border outcome); Mexican single adults first get a voluntary
 * return with probability 0.7.  Chi-square at alpha = 0.001: 2 degrees of
 * freedom 13.816, 3 degrees 16.266. */
static void outcome_shares(void **state)
{
    (void)state;
    cor_scenario *sc = load_scenario("tests/data/title8/base.yaml");
    assert_non_null(sc);
    cor_sim *sim = start(sc, 2);
    assert_int_equal(cor_sim_run(sim), COR_OK);
    const double rel[3] = {0.2, 0.6, 0.85}, rem[3] = {0.5, 0.3, 0.05}, m = 0.7;
    int mx = cor_sc_population_index(sc, "mexico");
    for (int d = 0; d < COR_N_DEMOS; d++) {
        double o[4] = {0}, enc = 0;
        for (int g = 0; g < sc->n_populations; g++) {
            if (g == mx)
                continue;
            o[0] += sum(sim, "us_releases", ANY, g, d, ANY, 0);
            o[1] += sum(sim, "us_removals", ANY, g, d, ANY, 0);
            o[2] += sum(sim, "us_detentions", ANY, g, d, ANY, 0);
            enc += sum(sim, "us_encounters_title8", ANY, g, d, ANY, 0);
            assert_true(sum(sim, "us_voluntary_returns", ANY, g, d, ANY, 0) == 0);
        }
        assert_true(o[0] + o[1] + o[2] == enc);
        assert_true(enc > 1500);
        double p[3] = {rel[d], rem[d], 1 - rel[d] - rem[d]};
        double x = chi2(o, p, 3);
        if (x >= 13.816)
            fprintf(stderr, "non-Mexican %s: %g %g %g chi2 %g\n", cor_demo_names[d], o[0], o[1], o[2], x);
        assert_true(x < 13.816);
        /* Mexicans */
        double v = sum(sim, "us_voluntary_returns", ANY, mx, d, ANY, 0);
        double q[4] = {(1 - m) * rel[d], (1 - m) * rem[d], (1 - m) * (1 - rel[d] - rem[d]), m};
        double b[4] = {sum(sim, "us_releases", ANY, mx, d, ANY, 0), sum(sim, "us_removals", ANY, mx, d, ANY, 0),
                       sum(sim, "us_detentions", ANY, mx, d, ANY, 0), v};
        assert_true(b[0] + b[1] + b[2] + b[3] == sum(sim, "us_encounters_title8", ANY, mx, d, ANY, 0));
        if (d == COR_DEMO_SINGLE_ADULT) {
            assert_true(v > 5000);
            x = chi2(b, q, 4);
            assert_true(x < 16.266);
        } else {
            assert_true(v == 0); /* voluntary return is for single adults */
            x = chi2(b, p, 3);
            assert_true(x < 13.816);
        }
    }
    /* the module does not release anyone without an encounter */
    assert_true(sum(sim, "us_encounters", ANY, ANY, ANY, ANY, 0) == sum(sim, "us_encounters_title8", ANY, ANY, ANY, ANY, 0));
    cor_sim_free(sim);
    cor_scenario_free(sc);
}

/* Day by day: a person newly `returned` is in the Mexican city it crossed
 * from (its place before the day: the city it waited in or the place it
 * left), or, at the end of a detention, in the city facing the sector;
 * newly `home` people are non-Mexicans at their home place; released and
 * detained people stay at the sector.  Reynosa faces two sectors: people
 * who crossed from it to El Paso go back to Reynosa, not Ciudad Juárez. */
static void returned_where_they_came_from(void **state)
{
    (void)state;
    cor_scenario *sc = load_scenario("tests/data/title8/stay.yaml");
    assert_non_null(sc);
    cor_sim *sim = start(sc, 2);
    int st_ret = cor_status_find(sim, "returned"), st_home = cor_status_find(sim, "home");
    int st_rel = cor_status_find(sim, "us_released"), st_det = cor_status_find(sim, "us_detained");
    int st_set = cor_status_find(sim, "settled");
    int mx = cor_sc_population_index(sc, "mexico");
    int juarez = cor_sc_place_index(sc, "ciudad_juarez"), reynosa = cor_sc_place_index(sc, "reynosa");
    int el_paso = cor_sc_place_index(sc, "usbp_el_paso"), rgv = cor_sc_place_index(sc, "usbp_rgv");
    size_t cap = (size_t)sim->agents.cap;
    uint8_t *st0 = malloc(cap);
    uint32_t *pl0 = malloc(cap * sizeof *pl0);
    assert_non_null(st0);
    assert_non_null(pl0);
    int64_t to_reynosa = 0, to_juarez = 0, from_detention = 0, home = 0, released = 0;
    while (!cor_sim_done(sim)) {
        const cor_agents *ag = &sim->agents;
        int64_t n0 = ag->n;
        if ((size_t)n0 >= cap) {
            cap = 2 * (size_t)n0 + 1024;
            st0 = realloc(st0, cap);
            pl0 = realloc(pl0, cap * sizeof *pl0);
            assert_non_null(st0);
            assert_non_null(pl0);
        }
        memcpy(st0, ag->status, (size_t)n0);
        memcpy(pl0, ag->place, (size_t)n0 * sizeof *pl0);
        assert_int_equal(cor_sim_step(sim), COR_OK);
        for (int64_t a = 0; a < n0; a++) {
            int s = ag->status[a], p = (int)ag->place[a];
            if (s == st0[a])
                continue;
            if (s == st_ret) {
                assert_int_equal(ag->group[a], mx);
                if (st0[a] == st_det) {
                    assert_int_equal(p, (int)pl0[a] == el_paso ? juarez : reynosa);
                    from_detention++;
                } else {
                    assert_int_equal(p, (int)pl0[a]);
                    assert_true(p == juarez || p == reynosa);
                    to_reynosa += p == reynosa, to_juarez += p == juarez;
                }
            } else if (s == st_home && st0[a] != st_ret) {
                assert_true(ag->group[a] != mx);
                assert_int_equal(p, cor_home_place(sim, ag->group[a]));
                home++;
            } else if (s == st_rel || (s == st_det && st0[a] != st_det)) {
                assert_true(p == el_paso || p == rgv);
                released += s == st_rel;
            }
        }
    }
    assert_true(to_reynosa > 100 && to_juarez > 100 && from_detention > 10 && home > 100 && released > 100);
    /* more people went back to Reynosa than the Rio Grande Valley sent
     * back at the border: some crossed from Reynosa into El Paso */
    double rgv_returns = sum(sim, "us_voluntary_returns", rgv, mx, ANY, ANY, 0) +
                         sum(sim, "us_removals", rgv, mx, ANY, ANY, 0);
    assert_true((double)to_reynosa > rgv_returns + 50);
    /* with no retries and no going home, every returnee settles in its city */
    assert_int_equal(cor_sim_agents_in_status(sim, st_ret), 0);
    int64_t settled_cities = cor_sim_agents_at(sim, juarez, st_set) + cor_sim_agents_at(sim, reynosa, st_set);
    assert_int_equal(settled_cities, to_reynosa + to_juarez + from_detention);
    /* returns_to_mexico counts them in those cities */
    assert_true(sum(sim, "returns_to_mexico", juarez, ANY, ANY, ANY, 0) + sum(sim, "returns_to_mexico", reynosa, ANY, ANY, ANY, 0) ==
                (double)settled_cities);
    assert_true(sum(sim, "returns_to_mexico", ANY, ANY, ANY, ANY, 0) == (double)settled_cities);
    free(st0);
    free(pl0);
    cor_sim_free(sim);
    cor_scenario_free(sc);
}

/* title8_asylum_limit = 1 from March for single adults and families: no
 * such release from March on, the removals take their place; children
 * are still released. */
static void asylum_limit(void **state)
{
    (void)state;
    cor_scenario *sc = load_scenario("tests/data/title8/limit.yaml");
    assert_non_null(sc);
    cor_sim *sim = start(sc, 2);
    assert_int_equal(cor_sim_run(sim), COR_OK);
    int jan = 2020 * 12, mar = 2020 * 12 + 2, dec = 2020 * 12 + 11;
    int gt = cor_sc_population_index(sc, "guatemala");
    for (int d = 0; d < 2; d++) {
        assert_true(sum(sim, "us_releases", ANY, ANY, d, jan, jan + 1) > 100);
        assert_true(sum(sim, "us_releases", ANY, ANY, d, mar, dec) == 0);
    }
    assert_true(sum(sim, "us_releases", ANY, ANY, COR_DEMO_UAC, mar, dec) > 100);
    /* Guatemalan single adults from March: removed with probability
     * 0.2 + 0.5 (releases become removals); binomial z at alpha 0.001 */
    double n = sum(sim, "us_encounters_title8", ANY, gt, 0, mar, dec), k = sum(sim, "us_removals", ANY, gt, 0, mar, dec);
    assert_true(n > 1000);
    assert_true(fabs(k - 0.7 * n) / sqrt(n * 0.7 * 0.3) < 3.29);
    cor_sim_free(sim);
    cor_scenario_free(sc);
}

static char *load_error(const char *name, const char *text) { return sc_init_error(load_mem_ok(name, text)); }

static void errors(void **state)
{
    (void)state;
    char *m = load_error("tests/data/title8/x.yaml", "base: no_returns.yaml\n");
    assert_string_equal(m, "module title8 needs module returns: add it to meta.modules");
    free(m);
    m = load_error("tests/data/title8/x.yaml", "base: base.yaml\nparameters:\n"
                                               "  title8_release_family_members: {value: 0.75, source: t}\n"
                                               "  title8_removal_family_members: {value: 0.5, source: t}\n");
    assert_non_null(strstr(m, "title8/x.yaml:4: parameters.title8_removal_family_members.value: "
                              "title8_release_family_members + title8_removal_family_members must be <= 1 (got 1.25)"));
    free(m);
    m = load_error("tests/data/title8/x.yaml", "base: base.yaml\nparameters:\n"
                                               "  title8_mexican_return: {value: 1.5, source: t}\n");
    assert_non_null(strstr(m, "title8/x.yaml:3: parameters.title8_mexican_return.value: must be in [0, 1] (got 1.5)"));
    free(m);
    m = load_error("tests/data/title8/x.yaml", "base: base.yaml\nparameters:\n"
                                               "  title8_detention_days: {value: 0.5, source: t}\n");
    assert_non_null(strstr(m, "title8/x.yaml:3: parameters.title8_detention_days.value: must be >= 1 (got 0.5)"));
    free(m);
    m = load_error("tests/data/title8/x.yaml", "base: ../modules/net.yaml\nmeta: {name: x, modules: [returns, title8]}\n"
                                               "parameters:\n"
                                               "  returns_home_days: {value: 3, source: t}\n"
                                               "  returns_remigrate: {value: 0, source: t}\n"
                                               "  returns_retry_title8: {value: 0, source: t}\n"
                                               "  returns_retry_days: {value: 3, source: t}\n"
                                               "  returns_go_home: {value: 0, source: t}\n");
    assert_non_null(strstr(m, "title8/x.yaml: parameters: 'title8_release_single_adults' is not defined (needed by module title8)"));
    free(m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(outcome_shares),
        cmocka_unit_test(returned_where_they_came_from),
        cmocka_unit_test(asylum_limit),
        cmocka_unit_test(errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
