/* test_due_process.c - the right to seek asylum (src/mexico/due_process.c):
 * protection needs at spawn by group share; informed share at detention;
 * refoulement = deported with a need and never informed (share 0: every
 * deportee with a need; share 1: none); informed detainees with a need ask
 * COMAR (comar_apply) when a module registers it, and leave detention;
 * thread determinism; errors.
 *
 * inm needs the returns module: as in test_inm.c, a stand-in layer named
 * "returns" satisfies that check and settles deported people at home.  A
 * COMAR stand-in registers comar_apply and holds applicants (asylum_mx).
 * Fixture: tests/data/due_process/base.yaml (inm and due_process on
 * tests/data/modules/net.yaml: INM in Tapachula, land deportations to
 * Guatemala, 3 flights a week x 5 seats to Venezuela), with overlays. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <math.h>

#include "engine/rules.h"
#include "engine/sim.h"
#include "test_sim.h"
#include "test_stubs.h"
#include "test_util.h"

/* COMAR stand-in: comar_apply puts the person in asylum_mx for good. */
typedef struct {
    int st, req;
    int64_t requests;
} comar_stub;
static int comar_setup(cor_sim *sim, void **state)
{
    comar_stub *k = calloc(1, sizeof *k);
    if (!k)
        return cor_sim_fail(sim, COR_ENOMEM, "oom");
    *state = k;
    k->st = cor_status_register(sim, "asylum_mx", 0);
    k->req = cor_request_register(sim, "comar_apply");
    return COR_OK;
}
static void comar_resolve(cor_ctx *c, void *state, uint32_t a, int request)
{
    comar_stub *k = state;
    if (request != k->req) {
        cor_next_resolve(c, a, request);
        return;
    }
    k->requests++;
    cor_set_status(c, a, k->st);
    cor_wait(c, a, 100000);
}
static void comar_decide(cor_ctx *c, void *state, uint32_t a)
{
    const comar_stub *k = state;
    if (c->sim->agents.status[a] == k->st)
        cor_wait(c, a, 100000);
    else
        cor_next_decide(c, a);
}
static const cor_rules asylum_stub = {.name = "comar_stub", .setup = comar_setup, .teardown = stub_free,
                                      .resolve = comar_resolve, .decide = comar_decide};

static cor_scenario *overlay(const char *text) { return load_mem_ok("tests/data/due_process/t.yaml", text); }

static cor_sim *run(const cor_scenario *sc, int threads, const cor_rules *extra)
{
    cor_sim *sim = cor_sim_new();
    assert_non_null(sim);
    sim->par_min = 1;
    assert_int_equal(cor_sim_add_rules(sim, returns_stub(0)), COR_OK);
    if (extra)
        assert_int_equal(cor_sim_add_rules(sim, extra), COR_OK);
    cor_options opt = {.threads = threads};
    int rc = cor_sim_init(sim, sc, &opt);
    if (rc)
        fprintf(stderr, "%s\n", cor_sim_errmsg(sim));
    assert_int_equal(rc, COR_OK);
    assert_int_equal(cor_sim_run(sim), COR_OK);
    return sim;
}

enum { ANY = -2 };
static double total(const cor_sim *sim, const char *name, int group, int month)
{
    int s = cor_sim_series_id(sim, name);
    assert_true(s >= 0);
    double v = 0;
    for (int64_t i = 0; i < sim->series.n_rec; i++) {
        const cor_series_rec *r = &sim->series.rec[i];
        if (r->series == s && (group == ANY || r->group == group) && (month == ANY || r->month == month))
            v += r->value;
    }
    return v;
}
static double deported(const cor_sim *sim, int group, int month)
{
    return total(sim, "deportations_land", group, month) + total(sim, "deportations_air", group, month);
}

/* Needs at spawn: 60% of Guatemalans, 90% of Venezuelans, no Mexican (no
 * parameter: 0). */
static void need_at_spawn(void **state)
{
    (void)state;
    cor_scenario *sc = overlay("base: base.yaml\n");
    cor_sim *sim = run(sc, 2, NULL);
    uint8_t need = cor_flag_find(sim, "protection_need");
    assert_true(need != 0);
    int64_t n[3] = {0}, k[3] = {0};
    for (int64_t a = 0; a < sim->agents.n; a++) {
        n[sim->agents.group[a]]++;
        k[sim->agents.group[a]] += (sim->agents.flags[a] & need) != 0;
    }
    int mx = cor_sc_population_index(sc, "mexico"), gt = cor_sc_population_index(sc, "guatemala");
    int ve = cor_sc_population_index(sc, "venezuela");
    assert_true(n[mx] > 17000 && k[mx] == 0);
    assert_true(fabs((double)k[gt] / (double)n[gt] - 0.6) < 0.015); /* sd 0.004 */
    assert_true(fabs((double)k[ve] / (double)n[ve] - 0.9) < 0.015); /* sd 0.003 */
    cor_sim_free(sim);
    cor_scenario_free(sc);
}

/* Nobody informed (no lever in force), everyone in need: every deportation,
 * by land or by air, is a refoulement, month by month and group by group. */
static void share_zero_all_refouled(void **state)
{
    (void)state;
    cor_scenario *sc = overlay("base: base.yaml\n"
                               "parameters:\n"
                               "  due_process_need_guatemala: {value: 1, assumed: [0, 1]}\n"
                               "  due_process_need_venezuela: {value: 1, assumed: [0, 1]}\n");
    cor_sim *sim = run(sc, 2, NULL);
    int first = cor_sim_first_month(sim);
    for (int m = first; m < first + cor_sim_n_months(sim); m++)
        for (int g = 0; g < 3; g++)
            assert_true(total(sim, "refoulements", g, m) == deported(sim, g, m));
    assert_true(total(sim, "deportations_land", ANY, ANY) > 10000 && total(sim, "deportations_air", ANY, ANY) > 300);
    assert_true(total(sim, "detainees_informed", ANY, ANY) == 0);
    double key;
    assert_int_equal(cor_sim_summary(sim, "refoulements", 2020, &key), COR_OK);
    assert_true(key == deported(sim, ANY, ANY));
    cor_sim_free(sim);
    cor_scenario_free(sc);
}

/* Everyone informed, nobody applies (no COMAR loaded either): deportations
 * go on, none is a refoulement; every detainee is counted informed. */
static void share_one_none_refouled(void **state)
{
    (void)state;
    cor_scenario *sc = overlay("base: base.yaml\n"
                               "parameters:\n"
                               "  due_process_apply_if_informed: {value: 1, assumed: [0, 1]}\n"
                               "timeline:\n"
                               "  - {lever: due_process_informed_share, value: 1, start: 2020-01-01}\n");
    cor_sim *sim = run(sc, 2, NULL);
    assert_true(deported(sim, ANY, ANY) > 10000);
    assert_true(total(sim, "refoulements", ANY, ANY) == 0);
    assert_true(total(sim, "detainees_informed", ANY, ANY) == total(sim, "inm_detentions", ANY, ANY));
    cor_sim_free(sim);
    cor_scenario_free(sc);
}

/* Amnesty's 25% informed: the share of deportees refouled is need x 0.75
 * (0.45 for Guatemalans, 0.675 for Venezuelans), 1 and 2 threads agree. */
static void share_quarter_and_threads(void **state)
{
    (void)state;
    cor_scenario *sc = overlay("base: base.yaml\n"
                               "timeline:\n"
                               "  - {lever: due_process_informed_share, value: 0.25, start: 2020-01-01}\n");
    cor_sim *sim = run(sc, 1, NULL);
    int gt = cor_sc_population_index(sc, "guatemala"), ve = cor_sc_population_index(sc, "venezuela");
    assert_true(fabs(total(sim, "refoulements", gt, ANY) / deported(sim, gt, ANY) - 0.45) < 0.02);
    assert_true(fabs(total(sim, "refoulements", ve, ANY) / deported(sim, ve, ANY) - 0.675) < 0.07);
    assert_true(fabs(total(sim, "detainees_informed", ANY, ANY) / total(sim, "inm_detentions", ANY, ANY) - 0.25) < 0.015);
    cor_sim *two = run(sc, 2, NULL);
    assert_same_run(sim, two);
    cor_sim_free(two);
    cor_sim_free(sim);
    cor_scenario_free(sc);
}

/* With a COMAR (stand-in) loaded, informed detainees with a need apply:
 * everyone in need and informed, probability 1 -> every detention becomes
 * an application and nobody is deported or refouled; and because they
 * leave detention at once, 200 places never fill (no exit orders), while
 * without COMAR they do.  With probability 0.5, about half apply. */
static void informed_apply_to_comar(void **state)
{
    (void)state;
    const char *head = "base: base.yaml\n"
                       "parameters:\n"
                       "  due_process_need_guatemala: {value: 1, assumed: [0, 1]}\n"
                       "  due_process_need_venezuela: {value: 1, assumed: [0, 1]}\n"
                       "  due_process_apply_if_informed: {value: %s, assumed: [0, 1]}\n"
                       "timeline:\n"
                       "  - {lever: due_process_informed_share, value: 1, start: 2020-01-01}\n"
                       "  - {lever: inm_detention_capacity, value: 200, start: 2020-01-01}\n";
    char text[1024];
    snprintf(text, sizeof text, head, "1");
    cor_scenario *sc = overlay(text);
    cor_sim *sim = run(sc, 2, &asylum_stub);
    const comar_stub *k = sim->layers[sim->n_layers - 1].state;
    double det = total(sim, "inm_detentions", ANY, ANY);
    assert_true(det > 10000 && (double)k->requests == det);
    assert_true(deported(sim, ANY, ANY) == 0 && total(sim, "refoulements", ANY, ANY) == 0);
    assert_true(total(sim, "inm_exit_orders", ANY, ANY) == 0);
    assert_int_equal(cor_sim_agents_in_status(sim, cor_status_find(sim, "detained")), 0);
    cor_sim_free(sim);
    sim = run(sc, 2, NULL); /* no COMAR: comar_apply is not registered, nothing is requested */
    assert_true(total(sim, "inm_exit_orders", ANY, ANY) > 1000 && deported(sim, ANY, ANY) > 500);
    cor_sim_free(sim);
    cor_scenario_free(sc);
    snprintf(text, sizeof text, head, "0.5");
    sc = overlay(text);
    sim = run(sc, 2, &asylum_stub);
    k = sim->layers[sim->n_layers - 1].state;
    det = total(sim, "inm_detentions", ANY, ANY);
    assert_true(fabs((double)k->requests / det - 0.5) < 0.02);
    cor_sim_free(sim);
    cor_scenario_free(sc);
}

static void errors(void **state)
{
    (void)state;
    static const struct {
        const char *text, *msg;
    } cases[] = {
        {"base: ../modules/net.yaml\nmeta: {modules: [due_process]}\nparameters:\n"
         "  due_process_need_guatemala: {value: 0.6, assumed: [0, 1]}\n  due_process_apply_if_informed: {value: 0, assumed: [0, 1]}\n",
         "t.yaml: parameters: 'due_process_need_venezuela' is not defined (needed by module due_process (a group whose home is not in Mexico))"},
        {"base: base.yaml\nparameters:\n  due_process_apply_if_informed: {value: 1.5, assumed: [0, 2]}\n",
         "t.yaml:3: parameters.due_process_apply_if_informed.value: must be in [0, 1] (got 1.5)"},
        {"base: base.yaml\nparameters:\n  due_process_need_mexico: {value: -0.5, assumed: [-1, 1]}\n",
         "t.yaml:3: parameters.due_process_need_mexico.value: must be in [0, 1] (got -0.5)"},
        {"base: base.yaml\ntimeline:\n  - {lever: due_process_informed_share, value: 2, start: 2020-01-01}\n",
         "t.yaml:3: timeline[0].value: lever due_process_informed_share must be in [0, 1] (got 2)"},
        {"base: base.yaml\ntimeline:\n  - {lever: due_process_informed_share, value: 0.5, start: 2020-01-01, scope: {links: [tapachula-arriaga]}}\n",
         "t.yaml:3: timeline[0].scope.links: lever due_process_informed_share cannot be scoped by links (allowed: places, groups, demographics)"},
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
        cmocka_unit_test(need_at_spawn),           cmocka_unit_test(share_zero_all_refouled),
        cmocka_unit_test(share_one_none_refouled), cmocka_unit_test(share_quarter_and_threads),
        cmocka_unit_test(informed_apply_to_comar), cmocka_unit_test(errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
