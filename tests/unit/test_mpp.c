/* test_mpp.c - Remain in Mexico: returnees wait in the city they crossed
 * from until their hearing, the stranded stock by city, the daily cap in
 * people at two scales, Title 8 past the cap, giving up; and, for the four
 * modules of this group together (mpp, cbp_one, parole, closures, with
 * returns and title8), conservation of people and thread determinism.
 * Fixtures: tests/data/mpp/ on tests/data/modules/net.yaml. */
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
#include "us/mpp.h"

static cor_sim *start(const cor_scenario *sc, int threads) { return sim_start_state(sc, threads, 0, NULL, NULL); }

/* Sum of a series' records matching group (-2: any) and demographic (-2: any). */
static double series_by(const cor_sim *sim, const char *name, int group, int demo, int m0, int m1)
{
    int s = cor_sim_series_id(sim, name);
    assert_true(s >= 0);
    double v = 0;
    for (int64_t i = 0; i < sim->series.n_rec; i++) {
        const cor_series_rec *r = &sim->series.rec[i];
        if (r->series == s && (group == -2 || r->group == group) && (demo == -2 || r->demo == demo) &&
            r->month >= m0 && r->month <= m1)
            v += r->value;
    }
    return v;
}

/* ---------------------------------------------------------------- a test layer */

/* A layer on top that watches mpp_waiting agents decide (the hook runs in
 * parallel, hence atomics) and counts mpp_returned events per day. */
typedef struct {
    int st_mpp;
    int s_returned;
    atomic_long early;           /* mpp_waiting agents deciding before their hearing day */
    atomic_long on_time;         /* ... on it or later */
    long returned_today;         /* mpp_returned events (agents) today: resolve, sequential */
} watcher;

static void watch_decide(cor_ctx *c, void *state, uint32_t a)
{
    watcher *w = state;
    if (w->st_mpp >= 0 && c->sim->agents.status[a] == w->st_mpp) {
        int32_t hearing = cor_mpp_hearing_day(c->sim, a);
        if (hearing < 0 || c->day < hearing)
            atomic_fetch_add(&w->early, 1);
        else
            atomic_fetch_add(&w->on_time, 1);
    }
    cor_next_decide(c, a);
}

static void watch_observe(cor_ctx *c, void *state, int series, int place, uint32_t a)
{
    (void)c, (void)place, (void)a;
    watcher *w = state;
    if (series == w->s_returned)
        w->returned_today++;
}

static const cor_rules watch_rules = {.name = "test_watch", .decide = watch_decide, .observe = watch_observe};

static cor_sim *start_watched(const cor_scenario *sc, int threads, double scale, watcher *w)
{
    memset(w, 0, sizeof *w);
    cor_sim *sim = sim_start_state(sc, threads, scale, &watch_rules, w);
    w->st_mpp = cor_status_find(sim, "mpp_waiting");
    w->s_returned = cor_sim_series_id(sim, "mpp_returned");
    assert_true(w->st_mpp >= 0 && w->s_returned >= 0);
    return sim;
}

/* ---------------------------------------------------------------- waiting */

/* No mpp_waiting agent decides before its hearing day; every one of them
 * waits in the Mexican border city it crossed from (the `from` of the arc
 * it was enrolled at), every day; half attend, a tenth of those get relief. */
static void waits_in_city_until_hearing(void **state)
{
    (void)state;
    cor_scenario *sc = load_scenario("tests/data/mpp/base.yaml");
    assert_non_null(sc);
    watcher w;
    cor_sim *sim = start_watched(sc, 2, 0, &w);
    int st = w.st_mpp, col = cor_agents_find_column(&sim->agents, "mpp_arc");
    assert_true(col >= 0);
    int juarez = cor_sc_place_index(sc, "ciudad_juarez"), reynosa = cor_sc_place_index(sc, "reynosa");
    int64_t most = 0;
    while (!cor_sim_done(sim)) {
        assert_int_equal(cor_sim_step(sim), COR_OK);
        const cor_agents *ag = &sim->agents;
        const int32_t *arc = cor_column_data(sim, col);
        int64_t n = 0;
        for (int64_t a = 0; a < ag->n; a++) {
            if (ag->status[a] != st)
                continue;
            n++;
            int from = sim->net.arcs[arc[a]].from;
            assert_int_equal(ag->place[a], from);
            assert_true(from == juarez || from == reynosa);
            assert_true(cor_mpp_hearing_day(sim, (uint32_t)a) > cor_sim_today(sim) - 1);
        }
        if (n > most)
            most = n;
    }
    assert_int_equal(atomic_load(&w.early), 0);
    /* everyone enrolled by June has had a hearing day by December, nearly */
    double returned = series_total(sim, "mpp_returned"), hearings = series_total(sim, "mpp_hearings");
    double abandoned = series_total(sim, "mpp_abandoned"), relief = series_total(sim, "mpp_relief");
    assert_true(returned > 3000);
    assert_true(most > 500);
    assert_true(atomic_load(&w.on_time) >= (long)(hearings + abandoned) - 1);
    assert_true(hearings + abandoned > 0.98 * returned);
    /* attend 0.5 (binomial, n ~ 4,500: sd 0.008) and relief 0.1 of those */
    double attended = hearings / (hearings + abandoned);
    assert_true(fabs(attended - 0.5) < 0.04);
    assert_true(fabs(relief / hearings - 0.1) < 0.03);
    cor_sim_free(sim);
    cor_scenario_free(sc);
}

/* mpp_stranded at each month end equals the mpp_waiting agents (x scale)
 * in each city; the summary peak is the largest monthly total. */
static void stranded_stock_by_city(void **state)
{
    (void)state;
    cor_scenario *sc = load_scenario("tests/data/mpp/base.yaml");
    assert_non_null(sc);
    cor_sim *sim = sim_start_state(sc, 2, 3, NULL, NULL);
    assert_int_equal(cor_sim_run(sim), COR_OK);
    int st = cor_status_find(sim, "mpp_waiting"), s = cor_sim_series_id(sim, "mpp_stranded");
    double peak = 0;
    int nonzero = 0;
    for (int m = cor_sim_first_month(sim); m < cor_sim_first_month(sim) + cor_sim_n_months(sim); m++) {
        double month_total = 0;
        for (int p = 0; p < cor_sim_n_places(sim); p++) {
            double want = (double)cor_sim_agents_at_month_end(sim, p, st, m) * 3;
            double got = cor_sim_series_value(sim, s, p, m);
            assert_true(got == want);
            if (want > 0) {
                nonzero++;
                assert_true(strcmp(cor_sim_place_kind(sim, p), "border_city") == 0);
            }
            month_total += got;
        }
        if (month_total > peak)
            peak = month_total;
    }
    assert_true(nonzero >= 10); /* both cities, several months */
    double key;
    assert_int_equal(cor_sim_summary(sim, "mpp_stranded_peak", 0, &key), COR_OK);
    assert_true(key == peak && peak > 0);
    assert_int_equal(cor_sim_summary(sim, "mpp_returned", 0, &key), COR_OK);
    assert_true(key == series_total(sim, "mpp_returned"));
    cor_sim_free(sim);
    cor_scenario_free(sc);
}

/* The cap of 25 people a day at scale 1 and 10: in a day, never more than
 * the day's cap plus the unused capacity carried from up to 7 earlier days
 * (plus one agent), never more than 25 x days since it began, and over
 * February-June (binding every day) 25 x 151 people within one agent.
 * Past the cap, people are processed by title8: each Title 8 encounter has
 * exactly one Title 8 outcome (detention outlasts the run), and Title 8
 * encounters = all encounters - MPP enrolments.  Mexicans and unaccompanied
 * children are never enrolled. */
static void daily_cap_in_people(void **state)
{
    (void)state;
    cor_scenario *sc = load_scenario("tests/data/mpp/base.yaml");
    assert_non_null(sc);
    const double scales[2] = {1, 10};
    for (int i = 0; i < 2; i++) {
        double scale = scales[i];
        watcher w;
        cor_sim *sim = start_watched(sc, 2, scale, &w);
        int32_t feb1 = cor_days_from_civil(2020, 2, 1), jun30 = cor_days_from_civil(2020, 6, 30);
        double cumulative = 0, binding = 0;
        int days = 0;
        while (!cor_sim_done(sim)) {
            int32_t day = cor_sim_today(sim);
            w.returned_today = 0;
            assert_int_equal(cor_sim_step(sim), COR_OK);
            double people = (double)w.returned_today * scale;
            if (day > jun30) {
                assert_true(people == 0); /* MPP over */
                continue;
            }
            days++;
            cumulative += people;
            assert_true(people <= 25 + fmax(7 * 25, scale) + scale + 1e-9);
            assert_true(cumulative <= 25.0 * days + 1e-9);
            if (day >= feb1)
                binding += people;
        }
        assert_true(fabs(binding - 25.0 * 151) < scale);
        double enc = series_total(sim, "us_encounters"), enc8 = series_total(sim, "us_encounters_title8");
        double returned = series_total(sim, "mpp_returned");
        double outcomes = series_total(sim, "us_releases") + series_total(sim, "us_removals") +
                          series_total(sim, "us_voluntary_returns") + series_total(sim, "us_detentions");
        assert_true(enc == enc8);
        assert_true(fabs(outcomes - (enc - returned)) < 1e-6);
        int guatemala = cor_sc_population_index(sc, "guatemala"), mexico = cor_sc_population_index(sc, "mexico");
        int feb = 2020 * 12 + 1, jun = 2020 * 12 + 5;
        /* past the cap: eligible Guatemalans under Title 8 during MPP */
        assert_true(series_by(sim, "us_encounters_title8", guatemala, -2, feb, jun) >
                    series_by(sim, "mpp_returned", guatemala, -2, feb, jun));
        assert_true(series_by(sim, "mpp_returned", mexico, -2, 0, 1 << 30) == 0);
        assert_true(series_by(sim, "mpp_returned", -2, COR_DEMO_UAC, 0, 1 << 30) == 0);
        cor_sim_free(sim);
    }
    cor_scenario_free(sc);
}

/* With a daily abandonment hazard of 2% and hearings 60 days away, 54.1%
 * give up before the hearing; adding the half who miss it, 77.1% of those
 * resolved are mpp_abandoned.  They become returnees (cause mpp) whom
 * returns sends home (go_home 1), never across again (retry_mpp 0). */
static void giving_up(void **state)
{
    (void)state;
    cor_scenario *sc = load_scenario("tests/data/mpp/abandon.yaml");
    assert_non_null(sc);
    cor_sim *sim = start(sc, 2);
    assert_int_equal(cor_sim_run(sim), COR_OK);
    double hearings = series_total(sim, "mpp_hearings"), abandoned = series_total(sim, "mpp_abandoned");
    double r = 0.02, p = 1.0 / 60;
    double before = r * (1 - p) / (1 - (1 - r) * (1 - p));
    assert_true(fabs(before - 0.5413) < 1e-4);
    double want = before + (1 - before) * 0.5;
    assert_true(fabs(abandoned / (hearings + abandoned) - want) < 0.03);
    /* the only returnees who are not Mexican are MPP's (Title 8 removes
     * non-Mexicans home): returns sends every one of them home (go_home 1,
     * returns_retry_mpp 0), the day after they give up; none retries */
    int mexico = cor_sc_population_index(sc, "mexico");
    double home_all = series_by(sim, "returnees_home", -2, -2, 0, 1 << 30);
    double home_mx = series_by(sim, "returnees_home", mexico, -2, 0, 1 << 30);
    assert_true(home_all - home_mx <= abandoned && home_all - home_mx >= abandoned - 10);
    assert_true(series_by(sim, "returnee_retries", -2, -2, 0, 1 << 30) ==
                series_by(sim, "returnee_retries", mexico, -2, 0, 1 << 30));
    cor_sim_free(sim);
    cor_scenario_free(sc);
}

/* No hearings from March to June: none held and no one missing one in those
 * months (nobody gives up here), so more people are stranded at the end of
 * June than with hearings; on July 1 everyone whose hearing day has passed
 * has it (attends or not), and still nobody decided before their day. */
static void hearings_suspended(void **state)
{
    (void)state;
    cor_scenario *base = load_scenario("tests/data/mpp/base.yaml");
    cor_scenario *sc = load_scenario("tests/data/mpp/suspended.yaml");
    assert_non_null(base);
    assert_non_null(sc);
    cor_sim *ref = start(base, 2);
    assert_int_equal(cor_sim_run(ref), COR_OK);
    watcher w;
    cor_sim *sim = start_watched(sc, 2, 0, &w);
    int32_t jul1 = cor_days_from_civil(2020, 7, 1);
    while (cor_sim_today(sim) < jul1)
        assert_int_equal(cor_sim_step(sim), COR_OK);
    const cor_agents *ag = &sim->agents;
    int64_t overdue = 0;
    for (int64_t a = 0; a < ag->n; a++)
        if (ag->status[a] == w.st_mpp && cor_mpp_hearing_day(sim, (uint32_t)a) <= jul1)
            overdue++;
    assert_true(overdue > 1000);
    uint8_t *was = calloc((size_t)ag->n + 1, 1);
    assert_non_null(was);
    for (int64_t a = 0; a < ag->n; a++)
        was[a] = ag->status[a] == w.st_mpp && cor_mpp_hearing_day(sim, (uint32_t)a) <= jul1;
    assert_int_equal(cor_sim_step(sim), COR_OK);
    for (int64_t a = 0; a < ag->n; a++)
        if (was[a])
            assert_true(ag->status[a] != w.st_mpp);
    free(was);
    assert_int_equal(cor_sim_run(sim), COR_OK);
    assert_int_equal(atomic_load(&w.early), 0);
    int mar = 2020 * 12 + 2, jun = 2020 * 12 + 5, jul = 2020 * 12 + 6;
    int s_h = cor_sim_series_id(sim, "mpp_hearings"), s_a = cor_sim_series_id(sim, "mpp_abandoned");
    int s_st = cor_sim_series_id(sim, "mpp_stranded");
    for (int m = mar; m <= jun; m++) {
        assert_true(cor_sim_series_value(sim, s_h, -1, m) == 0);
        assert_true(cor_sim_series_value(sim, s_a, -1, m) == 0);
        assert_true(cor_sim_series_value(ref, s_h, -1, m) > 0);
    }
    assert_true(cor_sim_series_value(sim, s_st, -1, jun) > cor_sim_series_value(ref, s_st, -1, jun) + 1000);
    assert_true(cor_sim_series_value(sim, s_h, -1, jul) > cor_sim_series_value(ref, s_h, -1, jul));
    cor_sim_free(sim);
    cor_sim_free(ref);
    cor_scenario_free(sc);
    cor_scenario_free(base);
}

/* ---------------------------------------------------------------- errors */

/* Set-up fails with exactly this message; a "%s" in it stands for the
 * fixture's path. */
static void expect_error(const char *rel, const char *want_fmt) { expect_init_error_at(rel, want_fmt); }

static void bad_parameters(void **state)
{
    (void)state;
    expect_error("tests/data/mpp/no_title8.yaml", "module mpp needs module title8: add it to meta.modules");
    expect_error("tests/data/mpp/bad_attend.yaml", "%s:6: parameters.mpp_attend_prob.value: must be in [0, 1] (got 1.5)");
    expect_error("tests/data/mpp/bad_hearing.yaml", "%s:6: parameters.mpp_hearing_days.value: must be >= 1 (got 0.5)");
    expect_error("tests/data/mpp/bad_cap_scope.yaml",
                 "%s:6: timeline[0].scope: mpp_daily_cap is national: remove the scope");
    expect_error("tests/data/mpp/bad_place.yaml",
                 "%s:6: timeline[0].scope.places[1]: 'reynosa' is not a us_sector place (mpp applies at US sectors)");
}

/* ---------------------------------------------------------------- all four */

/* Every day, with mpp, cbp_one, parole and closures on (and returns,
 * title8): spawned agents = sum over statuses = sum over places; no count
 * negative; each module did something. */
static void conservation_all(void **state)
{
    (void)state;
    cor_scenario *sc = load_scenario("tests/data/mpp/all.yaml");
    assert_non_null(sc);
    cor_sim *sim = start(sc, 2);
    while (!cor_sim_done(sim)) {
        assert_int_equal(cor_sim_step(sim), COR_OK);
        int64_t by_status = 0, by_place = 0;
        for (int s = 0; s < cor_sim_n_statuses(sim); s++)
            by_status += cor_sim_agents_in_status(sim, s);
        for (int p = 0; p < cor_sim_n_places(sim); p++)
            for (int s = 0; s < cor_sim_n_statuses(sim); s++) {
                int64_t n = cor_sim_agents_at(sim, p, s);
                assert_true(n >= 0);
                by_place += n;
            }
        assert_int_equal(by_status, cor_sim_agents_spawned(sim));
        assert_int_equal(by_place, cor_sim_agents_spawned(sim));
    }
    const char *active[] = {"mpp_returned", "mpp_abandoned", "cbp_one_entries", "cbp_one_giveups",
                            "parole_arrivals", "closure_cost_usd", "returns_to_mexico"};
    for (size_t i = 0; i < sizeof active / sizeof *active; i++)
        assert_true(series_total(sim, active[i]) > 0);
    assert_true(series_total(sim, "closure_cost_usd") == 7 * 1e8);
    cor_sim_free(sim);
    cor_scenario_free(sc);
}

/* The same run on 1, 2 and 3 threads: every agent field, monthly stock and
 * series record identical. */
static void threads_identical_all(void **state)
{
    (void)state;
    cor_scenario *sc = load_scenario("tests/data/mpp/all.yaml");
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
        cmocka_unit_test(waits_in_city_until_hearing),
        cmocka_unit_test(stranded_stock_by_city),
        cmocka_unit_test(daily_cap_in_people),
        cmocka_unit_test(giving_up),
        cmocka_unit_test(hearings_suspended),
        cmocka_unit_test(bad_parameters),
        cmocka_unit_test(conservation_all),
        cmocka_unit_test(threads_identical_all),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
