/* test_returns.c - what returnees do: retry, go home, settle, leave home
 * again, with the probabilities and mean waits of the parameters; retry
 * probability by cause; no retries -> no re-encounters; errors; and, with
 * returns, title8, title42 and proclamation all on, conservation of people
 * and bit-identical results on 1, 2 and 3 threads. */
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

static double sum(const cor_sim *sim, const char *name, int place, int group, int demo)
{
    int s = cor_series_find(sim, name);
    assert_true(s >= 0);
    double v = 0;
    for (int64_t i = 0; i < sim->series.n_rec; i++) {
        const cor_series_rec *r = &sim->series.rec[i];
        if (r->series == s && (place == ANY || r->place == place) && (group == ANY || r->group == group) &&
            (demo == ANY || r->demo == demo))
            v += r->value;
    }
    return v;
}

static double z(double k, double n, double p) { return (k - n * p) / sqrt(n * p * (1 - p)); }

/* Retry probability 0 and no one leaving home again: nobody is encountered
 * twice. */
static void no_retry_no_reencounter(void **state)
{
    (void)state;
    cor_scenario *sc = load_scenario("tests/data/returns/no_retry.yaml");
    assert_non_null(sc);
    cor_sim *sim = start(sc, 2);
    assert_int_equal(cor_sim_run(sim), COR_OK);
    const cor_agents *ag = &sim->agents;
    int64_t once = 0;
    for (int64_t a = 0; a < ag->n; a++) {
        assert_true(ag->attempts[a] <= 1);
        once += ag->attempts[a] == 1;
    }
    assert_true(once > 30000);
    assert_true(sum(sim, "us_encounters", ANY, ANY, ANY) == (double)once);
    assert_true(sum(sim, "us_unique_encountered", ANY, ANY, ANY) == (double)once);
    assert_true(sum(sim, "returnee_retries", ANY, ANY, ANY) == 0);
    assert_true(sum(sim, "returnee_remigrations", ANY, ANY, ANY) == 0);
    /* everyone ends settled: in a border city or at home */
    int settled = cor_status_find(sim, "settled");
    assert_int_equal(cor_sim_agents_in_status(sim, settled), once);
    cor_sim_free(sim);
    cor_scenario_free(sc);
}

/* In the border city: retry 0.4, else home with 0.5: (0.4, 0.3, 0.3),
 * chi-square with 2 degrees of freedom < 13.816 (alpha 0.001).  At home:
 * leave again with 0.25 (binomial |z| < 3.29).  Every return to Mexico is
 * decided once. */
static void decision_shares(void **state)
{
    (void)state;
    cor_scenario *sc = load_scenario("tests/data/returns/base.yaml");
    assert_non_null(sc);
    cor_sim *sim = start(sc, 2);
    assert_int_equal(cor_sim_run(sim), COR_OK);
    int juarez = cor_sc_place_index(sc, "ciudad_juarez"), reynosa = cor_sc_place_index(sc, "reynosa");
    int cities[2] = {juarez, reynosa};
    double o[3] = {0}, to_mx = 0;
    for (int i = 0; i < 2; i++) {
        o[0] += sum(sim, "returnee_retries", cities[i], ANY, ANY);
        o[1] += sum(sim, "returnees_home", cities[i], ANY, ANY);
        o[2] += sum(sim, "returnees_settled", cities[i], ANY, ANY);
        to_mx += sum(sim, "returns_to_mexico", cities[i], ANY, ANY);
    }
    int st_ret = cor_status_find(sim, "returned");
    assert_true(o[0] + o[1] + o[2] + (double)cor_sim_agents_in_status(sim, st_ret) == to_mx);
    assert_true(to_mx == sum(sim, "returns_to_mexico", ANY, ANY, ANY));
    int mx = cor_sc_population_index(sc, "mexico");
    assert_true(to_mx == sum(sim, "us_removals", ANY, mx, ANY) + sum(sim, "us_voluntary_returns", ANY, mx, ANY));
    double n = o[0] + o[1] + o[2], p[3] = {0.4, 0.3, 0.3}, chi = 0;
    assert_true(n > 10000);
    for (int i = 0; i < 3; i++)
        chi += (o[i] - n * p[i]) * (o[i] - n * p[i]) / (n * p[i]);
    assert_true(chi < 13.816);
    /* at home */
    double leave = sum(sim, "returnee_remigrations", ANY, ANY, ANY), stay = 0;
    for (int g = 0; g < sc->n_populations; g++)
        stay += sum(sim, "returnees_settled", cor_home_place(sim, g), ANY, ANY);
    assert_true(leave + stay > 10000);
    assert_true(fabs(z(leave, leave + stay, 0.25)) < 3.29);
    cor_sim_free(sim);
    cor_scenario_free(sc);
}

/* Mean waits: from a return to the next crossing of those who retry
 * (returns_retry_days = 6), and from arriving home to the decision there
 * (returns_home_days = 10); waits are 1 + geometric, variance (m-1) m.
 * Only waits that began before October are measured (none is censored:
 * P(wait > 90 days) < 1e-4).  |mean - m| < 4 standard errors. */
static void mean_waits(void **state)
{
    (void)state;
    cor_scenario *sc = load_scenario("tests/data/returns/base.yaml");
    assert_non_null(sc);
    cor_sim *sim = start(sc, 2);
    int st_ret = cor_status_find(sim, "returned"), st_home = cor_status_find(sim, "home");
    int32_t october;
    assert_int_equal(cor_parse_date("2020-10-01", &october), 0);
    size_t cap = 0;
    int32_t *ret_day = NULL, *home_day = NULL;
    uint8_t *att0 = NULL;
    double sr = 0, nr = 0, sh = 0, nh = 0;
    while (!cor_sim_done(sim)) {
        const cor_agents *ag = &sim->agents;
        int64_t n0 = ag->n;
        if ((size_t)n0 >= cap) {
            size_t old = cap;
            cap = 2 * (size_t)n0 + 1024;
            ret_day = realloc(ret_day, cap * sizeof *ret_day);
            home_day = realloc(home_day, cap * sizeof *home_day);
            att0 = realloc(att0, cap);
            assert_true(ret_day && home_day && att0);
            for (size_t i = old; i < cap; i++)
                ret_day[i] = home_day[i] = -1;
        }
        memcpy(att0, ag->attempts, (size_t)n0);
        int32_t today = cor_sim_today(sim);
        assert_int_equal(cor_sim_step(sim), COR_OK);
        for (int64_t a = 0; a < n0; a++) {
            int s = ag->status[a];
            if (ag->attempts[a] != att0[a] && ret_day[a] >= 0) { /* crossed again after a return */
                if (ret_day[a] < october)
                    sr += today - ret_day[a], nr++;
                ret_day[a] = -1;
            }
            if (home_day[a] >= 0 && s != st_home) { /* decided at home */
                if (home_day[a] < october)
                    sh += today - home_day[a], nh++;
                home_day[a] = -1;
            }
            if (s == st_ret && ag->since[a] == today)
                ret_day[a] = today;
            else if (s != st_ret && s != COR_ST_WAITING && s != COR_ST_TRAVELLING)
                ret_day[a] = -1; /* went home or settled */
            if (s == st_home && ag->since[a] == today)
                home_day[a] = today;
        }
    }
    assert_true(nr > 3000 && nh > 3000);
    double mr = sr / nr, mh = sh / nh;
    assert_true(fabs(mr - 6) < 4 * sqrt(5.0 * 6 / nr));
    assert_true(fabs(mh - 10) < 4 * sqrt(9.0 * 10 / nh));
    free(ret_day);
    free(home_day);
    free(att0);
    cor_sim_free(sim);
    cor_scenario_free(sc);
}

/* Retry by cause: every Title 42 expellee retries (probability 1), no
 * Title 8 returnee does (probability 0). */
static void retry_by_cause(void **state)
{
    (void)state;
    cor_scenario *sc = load_scenario("tests/data/returns/cause.yaml");
    assert_non_null(sc);
    cor_sim *sim = start(sc, 2);
    assert_int_equal(cor_sim_run(sim), COR_OK);
    int mx = cor_sc_population_index(sc, "mexico"), st_ret = cor_status_find(sim, "returned");
    double expelled = sum(sim, "title42_expulsions", ANY, mx, COR_DEMO_SINGLE_ADULT);
    double pending = 0;
    for (int64_t a = 0; a < sim->agents.n; a++)
        pending += sim->agents.status[a] == st_ret && sim->agents.group[a] == mx &&
                   sim->agents.demo[a] == COR_DEMO_SINGLE_ADULT;
    assert_true(expelled > 20000);
    assert_true(sum(sim, "returnee_retries", ANY, mx, COR_DEMO_SINGLE_ADULT) == expelled - pending);
    assert_true(sum(sim, "returnees_settled", ANY, mx, COR_DEMO_SINGLE_ADULT) == 0);
    for (int d = 1; d < COR_N_DEMOS; d++) {
        double returned = sum(sim, "us_removals", ANY, mx, d);
        assert_true(returned > 100);
        assert_true(sum(sim, "returnee_retries", ANY, mx, d) == 0);
        assert_true(sum(sim, "returnees_settled", ANY, mx, d) == returned);
    }
    cor_sim_free(sim);
    cor_scenario_free(sc);
}

static char *init_error(const char *text) { return sc_init_error(load_mem_ok("tests/data/returns/x.yaml", text)); }

static void errors(void **state)
{
    (void)state;
    char *m = init_error("base: base.yaml\nparameters:\n  returns_retry_days: {value: 0.5, source: t}\n");
    assert_non_null(strstr(m, "returns/x.yaml:3: parameters.returns_retry_days.value: must be >= 1 (got 0.5)"));
    free(m);
    m = init_error("base: base.yaml\nparameters:\n  returns_go_home: {value: 2, source: t}\n");
    assert_non_null(strstr(m, "returns/x.yaml:3: parameters.returns_go_home.value: must be in [0, 1] (got 2)"));
    free(m);
    m = init_error("base: ../modules/net.yaml\nmeta: {name: x, modules: [returns]}\n");
    assert_non_null(strstr(m, "returns/x.yaml: parameters: 'returns_home_days' is not defined (needed by module returns)"));
    free(m);
    m = init_error("base: ../modules/net.yaml\nmeta: {name: x, modules: [returns]}\nparameters:\n"
                   "  returns_home_days: {value: 3, source: t}\n  returns_remigrate: {value: -1, source: t}\n");
    assert_non_null(strstr(m, "returns/x.yaml:5: parameters.returns_remigrate.value: must be in [0, 1] (got -1)"));
    free(m);
}

/* All four modules on: every day the agents spawned so far equal the sum
 * over statuses and places, with no negative count; the proclamation went
 * on and off; detentions ended. */
static void conservation_all(void **state)
{
    (void)state;
    cor_scenario *sc = load_scenario("tests/data/returns/all.yaml");
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
    assert_true(cor_sim_agents_spawned(sim) > 40000);
    int procl = cor_series_find(sim, "proclamation_days");
    double days = sum(sim, "proclamation_days", ANY, ANY, ANY);
    assert_true(days > 10 && days < 300);
    assert_true(cor_sim_series_value(sim, procl, -1, 2020 * 12 + 3) == 30);  /* on in April */
    assert_true(cor_sim_series_value(sim, procl, -1, 2020 * 12 + 11) == 0); /* off by December */
    assert_true(sum(sim, "title42_expulsions", ANY, ANY, ANY) > 1000);
    assert_true(sum(sim, "title42_expulsions_air", ANY, ANY, ANY) > 100);
    assert_true(sum(sim, "us_detentions", ANY, ANY, ANY) > 1000);
    assert_true(sum(sim, "returnee_remigrations", ANY, ANY, ANY) > 100);
    cor_sim_free(sim);
    cor_scenario_free(sc);
}

static void threads_identical_all(void **state)
{
    (void)state;
    cor_scenario *sc = load_scenario("tests/data/returns/all.yaml");
    assert_non_null(sc);
    cor_sim *ref = start(sc, 1);
    assert_int_equal(cor_sim_run(ref), COR_OK);
    for (int threads = 2; threads <= 3; threads++) {
        cor_sim *sim = start(sc, threads);
        assert_int_equal(cor_sim_run(sim), COR_OK);
        const cor_agents *a = &ref->agents, *b = &sim->agents;
        assert_int_equal(a->n, b->n);
        size_t n = (size_t)a->n;
        assert_memory_equal(a->group, b->group, n);
        assert_memory_equal(a->demo, b->demo, n);
        assert_memory_equal(a->status, b->status, n);
        assert_memory_equal(a->flags, b->flags, n);
        assert_memory_equal(a->attempts, b->attempts, n);
        assert_memory_equal(a->place, b->place, n * sizeof *a->place);
        assert_memory_equal(a->arc, b->arc, n * sizeof *a->arc);
        assert_memory_equal(a->next_day, b->next_day, n * sizeof *a->next_day);
        assert_memory_equal(a->since, b->since, n * sizeof *a->since);
        size_t stocks = (size_t)ref->n_months * (size_t)ref->net.n_places * (size_t)ref->n_status;
        assert_memory_equal(ref->stocks, sim->stocks, stocks * sizeof *ref->stocks);
        assert_int_equal(ref->series.n_rec, sim->series.n_rec);
        assert_memory_equal(ref->series.rec, sim->series.rec, (size_t)ref->series.n_rec * sizeof *ref->series.rec);
        cor_sim_free(sim);
    }
    cor_sim_free(ref);
    cor_scenario_free(sc);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(no_retry_no_reencounter),
        cmocka_unit_test(decision_shares),
        cmocka_unit_test(mean_waits),
        cmocka_unit_test(retry_by_cause),
        cmocka_unit_test(errors),
        cmocka_unit_test(conservation_all),
        cmocka_unit_test(threads_identical_all),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
