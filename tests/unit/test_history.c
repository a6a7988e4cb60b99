/* test_history.c - the historical scenario with every module on: people are
 * conserved every day, and 1 and 2 threads give bit-identical results. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "engine/sim.h"
#include "test_sim.h"
#include "test_util.h"

static cor_sim *start(const cor_scenario *sc, int threads) { return sim_start(sc, threads, 400, NULL, 0); }

static void every_module_loaded(void **state)
{
    (void)state;
    cor_scenario *sc = load_scenario("scenarios/mexico-2012-2024.yaml");
    assert_non_null(sc);
    cor_sim *sim = start(sc, 1);
    const char *mods[] = {"returns", "title8",  "mpp",         "title42", "proclamation", "cbp_one",
                          "parole",  "closures", "comar",      "inm",     "guard",        "due_process",
                          "tvrh",    "deterrence", "root_causes", "caravans", "harm"};
    for (size_t i = 0; i < sizeof mods / sizeof *mods; i++)
        assert_true(cor_module_loaded(sim, mods[i]));
    cor_sim_free(sim);
    cor_scenario_free(sc);
}

/* spawned == sum over statuses and over places, every day, all modules on */
static void conservation(void **state)
{
    (void)state;
    cor_scenario *sc = load_scenario("scenarios/mexico-2012-2024.yaml");
    assert_non_null(sc);
    cor_sim *sim = start(sc, 2);
    while (!cor_sim_done(sim)) {
        assert_int_equal(cor_sim_step(sim), COR_OK);
        int64_t total = 0;
        for (int p = 0; p < cor_sim_n_places(sim); p++)
            for (int s = 0; s < cor_sim_n_statuses(sim); s++) {
                int64_t n = cor_sim_agents_at(sim, p, s);
                assert_true(n >= 0);
                total += n;
            }
        assert_int_equal(total, cor_sim_agents_spawned(sim));
    }
    /* every headline module did something */
    const char *keys[] = {"us_encounters", "title42_expulsions", "mpp_returned", "inm_detentions",
                          "comar_applications", "tvrh_issued", "cbp_one_entries", "parole_arrivals", "crimes"};
    for (size_t i = 0; i < sizeof keys / sizeof *keys; i++) {
        double v = 0;
        assert_int_equal(cor_sim_summary(sim, keys[i], 0, &v), COR_OK);
        if (!(v > 0))
            fprintf(stderr, "%s = %g\n", keys[i], v);
        assert_true(v > 0);
    }
    cor_sim_free(sim);
    cor_scenario_free(sc);
}

static void threads_identical(void **state)
{
    (void)state;
    cor_scenario *sc = load_scenario("scenarios/mexico-2012-2024.yaml");
    assert_non_null(sc);
    cor_sim *a = start(sc, 1), *b = start(sc, 2);
    assert_int_equal(cor_sim_run(a), COR_OK);
    assert_int_equal(cor_sim_run(b), COR_OK);
    assert_same_run(a, b);
    cor_sim_free(a);
    cor_sim_free(b);
    cor_scenario_free(sc);
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(every_module_loaded), cmocka_unit_test(conservation),
                                       cmocka_unit_test(threads_identical)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
