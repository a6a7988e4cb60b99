/* test_engine.c - the day loop: conservation, determinism across thread
 * counts, shelter capacity, route-choice frequencies, waking skipped agents. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <math.h>
#include <pthread.h>

#include "engine/calendar.h"
#include "engine/rules.h"
#include "engine/sim.h"
#include "test_sim.h"
#include "test_util.h"

static cor_sim *start(const cor_scenario *sc, int threads, const cor_rules *extra)
{
    return sim_start(sc, threads, 0, extra ? &extra : NULL, extra ? 1 : 0);
}

/* Every day, the agents spawned so far equal the sum over all statuses
 * (and over places), and no count is negative. */
static void conservation(void **state)
{
    (void)state;
    cor_scenario *sc = load_scenario("tests/data/engine/small.yaml");
    assert_non_null(sc);
    cor_sim *sim = start(sc, 2, NULL);
    int days = 0;
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
        days++;
    }
    assert_int_equal(days, 182);
    /* demand 3100+2900+3100+1500 people at 1 person per agent: stochastic
     * rounding keeps the total within a few agents per origin-day */
    assert_true(llabs(cor_sim_agents_spawned(sim) - 10600) < 200);
    /* by June everyone spawned by April has crossed */
    int arrived = cor_status_find(sim, "arrived");
    assert_true(cor_sim_agents_in_status(sim, arrived) > cor_sim_agents_spawned(sim) * 95 / 100);
    cor_sim_free(sim);
    cor_scenario_free(sc);
}

/* Run to the end and compare every agent field, stock and event with a
 * 1-thread run. */
static void threads_identical(void **state)
{
    (void)state;
    const char *files[] = {"tests/data/engine/small.yaml", "tests/data/engine/routes.yaml"};
    for (size_t f = 0; f < 2; f++) {
        cor_scenario *sc = load_scenario(files[f]);
        assert_non_null(sc);
        cor_sim *ref = start(sc, 1, NULL);
        assert_int_equal(cor_sim_run(ref), COR_OK);
        for (int threads = 2; threads <= 3; threads++) {
            cor_sim *sim = start(sc, threads, NULL);
            assert_int_equal(cor_sim_run(sim), COR_OK);
            const cor_agents *a = &ref->agents, *b = &sim->agents;
            assert_int_equal(a->n, b->n);
            size_t n = (size_t)a->n;
            assert_memory_equal(a->group, b->group, n);
            assert_memory_equal(a->demo, b->demo, n);
            assert_memory_equal(a->status, b->status, n);
            assert_memory_equal(a->attempts, b->attempts, n);
            assert_memory_equal(a->place, b->place, n * sizeof *a->place);
            assert_memory_equal(a->arc, b->arc, n * sizeof *a->arc);
            assert_memory_equal(a->progress, b->progress, n * sizeof *a->progress);
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
}

/* The shelter holds at most its capacity (40 people) every day, and the
 * limit binds at some point (rest probability 0.8, ~58 arrivals a day). */
static void capacity_never_exceeded(void **state)
{
    (void)state;
    cor_scenario *sc = load_scenario("tests/data/engine/small.yaml");
    assert_non_null(sc);
    cor_sim *sim = start(sc, 2, NULL);
    int shelter = cor_sc_place_index(sc, "shelter_c"), sheltered = cor_status_find(sim, "sheltered");
    assert_true(shelter >= 0 && sheltered >= 0);
    int64_t most = 0;
    while (!cor_sim_done(sim)) {
        assert_int_equal(cor_sim_step(sim), COR_OK);
        int64_t n = cor_sim_agents_at(sim, shelter, sheltered);
        assert_true(n <= 40);
        if (n > most)
            most = n;
    }
    assert_int_equal(most, 40);
    cor_sim_free(sim);
    cor_scenario_free(sc);
}

/* From the hub, three arcs with weights w = weight * exp(-a risk) *
 * exp(-extra / L0); extra = km + D(to) - D(hub).  Chi-square goodness of
 * fit of the observed choices, 2 degrees of freedom: reject at
 * alpha = 0.001 when chi2 > 13.816. */
static void route_frequencies(void **state)
{
    (void)state;
    cor_scenario *sc = load_scenario("tests/data/engine/routes.yaml");
    assert_non_null(sc);
    cor_sim *sim = start(sc, 2, NULL);
    assert_int_equal(cor_sim_run(sim), COR_OK);
    const double L0 = 100, a = 2, dhub = 210;
    double w[3] = {1.0 * exp(-(200 + 10 - dhub) / L0), 1.0 * exp(-a * 0.3) * exp(-(250 + 10 - dhub) / L0),
                   2.5 * exp(-(300 + 10 - dhub) / L0)};
    const char *cities[3] = {"city_x", "city_y", "city_z"}, *sectors[3] = {"sector_x", "sector_y", "sector_z"};
    double n[3], total = 0, wsum = w[0] + w[1] + w[2];
    for (int i = 0; i < 3; i++) {
        int c = cor_sc_place_index(sc, cities[i]), s = cor_sc_place_index(sc, sectors[i]);
        n[i] = 0;
        for (int st = 0; st < cor_sim_n_statuses(sim); st++)
            n[i] += (double)(cor_sim_agents_at(sim, c, st) + cor_sim_agents_at(sim, s, st));
        total += n[i];
    }
    int hub = cor_sc_place_index(sc, "hub");
    double at_hub = 0;
    for (int st = 0; st < cor_sim_n_statuses(sim); st++)
        at_hub += (double)cor_sim_agents_at(sim, hub, st);
    assert_true(total + at_hub == (double)cor_sim_agents_spawned(sim));
    assert_true(total > 150000);
    double chi = 0;
    for (int i = 0; i < 3; i++) {
        double e = total * w[i] / wsum;
        chi += (n[i] - e) * (n[i] - e) / e;
    }
    assert_true(chi < 13.816);
    cor_sim_free(sim);
    cor_scenario_free(sc);
}

/* A test module: lever "evict" empties a place.  When it starts, the module
 * wakes the agents there (or not, in the control) and refuses beds. */
typedef struct {
    int lever, wake;
} evictor;

static int ev_setup_common(cor_sim *sim, void **state, int wake)
{
    evictor *e = calloc(1, sizeof *e);
    if (!e)
        return cor_sim_fail(sim, COR_ENOMEM, "oom");
    e->lever = cor_lever_register(sim, "evict");
    e->wake = wake;
    *state = e;
    return COR_OK;
}
static int ev_setup_wake(cor_sim *sim, void **state) { return ev_setup_common(sim, state, 1); }
static int ev_setup_nowake(cor_sim *sim, void **state) { return ev_setup_common(sim, state, 0); }
static void ev_teardown(void *state) { free(state); }

static void ev_lever(cor_ctx *c, void *state, const cor_lever_change *ch)
{
    const evictor *e = state;
    cor_sim *sim = c->sim;
    if (!e->wake || ch->lever != e->lever || !ch->started)
        return;
    const cor_scope *s = &sim->levers.entries[ch->entry].scope;
    uint8_t *mask = calloc((size_t)sim->net.n_places, 1);
    assert_non_null(mask);
    for (int p = 0; p < sim->net.n_places; p++)
        mask[p] = (uint8_t)cor_scope_has_place(s, p);
    assert_int_equal(cor_wake_where(sim, mask, NULL), COR_OK);
    free(mask);
}

static void ev_resolve(cor_ctx *c, void *state, uint32_t a, int request)
{
    const evictor *e = state;
    double v;
    if (cor_lever(c->sim, e->lever, (int)c->sim->agents.place[a], -1, -1, -1, &v) && v > 0)
        return; /* no beds while evicted */
    cor_next_resolve(c, a, request);
}

static const cor_rules evict_wake = {.name = "evict", .setup = ev_setup_wake, .teardown = ev_teardown,
                                     .lever_changed = ev_lever, .resolve = ev_resolve};
static const cor_rules evict_nowake = {.name = "evict", .setup = ev_setup_nowake, .teardown = ev_teardown,
                                       .lever_changed = ev_lever, .resolve = ev_resolve};

/* wake.yaml: shelter_rest_days 60, lever evict at shelter_c from 2020-02-10.
 * With waking, the shelter is empty at the end of 2020-02-10 and the agents
 * who were resting there left that day; without, they are still resting. */
static void wake_on_lever(void **state)
{
    (void)state;
    cor_scenario *sc = load_scenario("tests/data/engine/wake.yaml");
    assert_non_null(sc);
    int32_t evict_day;
    assert_int_equal(cor_parse_date("2020-02-10", &evict_day), 0);
    int shelter = cor_sc_place_index(sc, "shelter_c");
    for (int wake = 1; wake >= 0; wake--) {
        cor_sim *sim = start(sc, 2, wake ? &evict_wake : &evict_nowake);
        int sheltered = cor_status_find(sim, "sheltered");
        while (cor_sim_today(sim) < evict_day)
            assert_int_equal(cor_sim_step(sim), COR_OK);
        int64_t before = cor_sim_agents_at(sim, shelter, sheltered);
        assert_true(before > 0);
        /* remember who was resting and until when */
        const cor_agents *ag = &sim->agents;
        int64_t resting_later = 0;
        for (int64_t a = 0; a < ag->n; a++)
            if (ag->status[a] == sheltered && ag->next_day[a] > evict_day)
                resting_later++;
        assert_true(resting_later > 0);
        assert_int_equal(cor_sim_step(sim), COR_OK); /* the eviction day */
        int64_t after = cor_sim_agents_at(sim, shelter, sheltered);
        if (wake) {
            assert_int_equal(after, 0);
            int64_t left_today = 0;
            for (int64_t a = 0; a < ag->n; a++)
                if (ag->status[a] == COR_ST_TRAVELLING && ag->place[a] == (uint32_t)shelter &&
                    ag->since[a] == evict_day)
                    left_today++;
            assert_true(left_today >= before);
        } else {
            assert_true(after >= resting_later);
        }
        cor_sim_free(sim);
    }
    cor_scenario_free(sc);
}

/* Levers: the later entry wins where entries overlap; scopes restrict. */
static void lever_lookup(void **state)
{
    (void)state;
    cor_scenario *sc = load_scenario("tests/data/engine/wake.yaml");
    assert_non_null(sc);
    cor_sim *sim = start(sc, 1, &evict_nowake);
    int lever = cor_levers_find(&sim->levers, "evict");
    int32_t d;
    double v;
    int shelter = cor_sc_place_index(sc, "shelter_c"), transit = cor_sc_place_index(sc, "transit_b");
    assert_int_equal(cor_parse_date("2020-02-09", &d), 0);
    while (cor_sim_today(sim) <= d)
        assert_int_equal(cor_sim_step(sim), COR_OK);
    assert_int_equal(cor_lever(sim, lever, shelter, -1, -1, -1, &v), 0);
    assert_int_equal(cor_sim_step(sim), COR_OK); /* 2020-02-10 */
    assert_int_equal(cor_lever(sim, lever, shelter, -1, -1, -1, &v), 1);
    assert_true(v == 1);
    assert_int_equal(cor_lever(sim, lever, transit, -1, -1, -1, &v), 0);
    assert_int_equal(cor_parse_date("2020-03-01", &d), 0);
    while (cor_sim_today(sim) <= d)
        assert_int_equal(cor_sim_step(sim), COR_OK);
    /* the second entry (value 0 from March) is later in the file: it wins */
    assert_int_equal(cor_lever(sim, lever, shelter, -1, -1, -1, &v), 1);
    assert_true(v == 0);
    /* a module writes the lever from tomorrow on: it wins over the file */
    cor_scope s = {0};
    assert_int_equal(cor_lever_write(sim, lever, 5, cor_sim_today(sim), &s), COR_OK);
    assert_int_equal(cor_lever(sim, lever, transit, -1, -1, -1, &v), 0);
    assert_int_equal(cor_sim_step(sim), COR_OK);
    assert_int_equal(cor_lever(sim, lever, transit, -1, -1, -1, &v), 1);
    assert_true(v == 5);
    cor_sim_free(sim);
    cor_scenario_free(sc);
}

/* A timeline entry naming a lever that no module reads is an error. */
static void unknown_lever(void **state)
{
    (void)state;
    cor_scenario *sc = load_scenario("tests/data/engine/wake.yaml");
    assert_non_null(sc);
    cor_sim *sim = cor_sim_new();
    assert_int_equal(cor_sim_init(sim, sc, NULL), COR_EINPUT);
    assert_non_null(strstr(cor_sim_errmsg(sim), "wake.yaml:"));
    assert_non_null(strstr(cor_sim_errmsg(sim), "timeline[0].lever: no module reads lever 'evict'"));
    cor_sim_free(sim);
    cor_scenario_free(sc);
}

/* The same seed gives the same run; another seed a different one. */
static void seeds(void **state)
{
    (void)state;
    cor_scenario *sc = load_scenario("tests/data/engine/small.yaml");
    assert_non_null(sc);
    cor_sim *a = start(sc, 1, NULL), *b = start(sc, 1, NULL);
    cor_sim *c = cor_sim_new();
    cor_options o = {.threads = 1, .seed = 8, .has_seed = 1};
    assert_int_equal(cor_sim_init(c, sc, &o), COR_OK);
    assert_int_equal(cor_sim_run(a), COR_OK);
    assert_int_equal(cor_sim_run(b), COR_OK);
    assert_int_equal(cor_sim_run(c), COR_OK);
    assert_int_equal(a->agents.n, b->agents.n);
    assert_memory_equal(a->agents.next_day, b->agents.next_day, (size_t)a->agents.n * sizeof(int32_t));
    int differ = a->agents.n != c->agents.n ||
                 memcmp(a->agents.next_day, c->agents.next_day, (size_t)a->agents.n * sizeof(int32_t)) != 0;
    assert_true(differ);
    cor_sim_free(a);
    cor_sim_free(b);
    cor_sim_free(c);
    cor_scenario_free(sc);
}

/* --scale 10: about a tenth of the agents, and people counts stay close. */
static void scale_rounding(void **state)
{
    (void)state;
    cor_scenario *sc = load_scenario("tests/data/engine/small.yaml");
    assert_non_null(sc);
    cor_sim *sim = cor_sim_new();
    cor_options o = {.threads = 1, .scale = 10};
    assert_int_equal(cor_sim_init(sim, sc, &o), COR_OK);
    assert_int_equal(cor_sim_run(sim), COR_OK);
    int64_t n = cor_sim_agents_spawned(sim);
    /* expected 1060 agents; the sum of 546 Bernoulli roundings has sd < 12 */
    assert_true(llabs(n - 1060) < 60);
    assert_true(cor_sim_scale(sim) == 10);
    cor_sim_free(sim);
    cor_scenario_free(sc);
}

/* Two handles run side by side on two threads and give the same results
 * as one after the other: all state hangs off the handle. */
typedef struct {
    const cor_scenario *sc;
    cor_sim *sim;
    int rc;
} side_run;

static void *side_main(void *p)
{
    side_run *r = p;
    r->sim = cor_sim_new();
    cor_options o = {.threads = 1};
    r->rc = r->sim ? cor_sim_init(r->sim, r->sc, &o) : COR_ENOMEM;
    if (r->rc == COR_OK)
        r->rc = cor_sim_run(r->sim);
    return NULL;
}

static void handles_side_by_side(void **state)
{
    (void)state;
    cor_scenario *a = load_scenario("tests/data/engine/small.yaml"), *b = load_scenario("tests/data/engine/routes.yaml");
    assert_non_null(a);
    assert_non_null(b);
    side_run r[4] = {{a, NULL, 0}, {b, NULL, 0}, {a, NULL, 0}, {b, NULL, 0}};
    pthread_t t[2];
    assert_int_equal(pthread_create(&t[0], NULL, side_main, &r[0]), 0);
    assert_int_equal(pthread_create(&t[1], NULL, side_main, &r[1]), 0);
    pthread_join(t[0], NULL);
    pthread_join(t[1], NULL);
    side_main(&r[2]);
    side_main(&r[3]);
    for (int i = 0; i < 2; i++) {
        assert_int_equal(r[i].rc, COR_OK);
        assert_int_equal(r[i + 2].rc, COR_OK);
        const cor_sim *x = r[i].sim, *y = r[i + 2].sim;
        assert_int_equal(x->agents.n, y->agents.n);
        size_t stocks = (size_t)x->n_months * (size_t)x->net.n_places * (size_t)x->n_status;
        assert_memory_equal(x->stocks, y->stocks, stocks * sizeof *x->stocks);
        assert_memory_equal(x->agents.next_day, y->agents.next_day, (size_t)x->agents.n * sizeof(int32_t));
    }
    for (int i = 0; i < 4; i++)
        cor_sim_free(r[i].sim);
    cor_scenario_free(a);
    cor_scenario_free(b);
}

/* Nationality and home: a population's `country`, else its largest
 * origin's; foreigners who fly into Mexico are not "home" in Mexico. */
static void nationality_and_home(void **state)
{
    (void)state;
    cor_scenario *sc = load_scenario("scenarios/corridor.yaml");
    assert_non_null(sc);
    cor_sim *sim = cor_sim_new();
    assert_int_equal(cor_sim_init(sim, sc, NULL), COR_OK);
    int other = cor_sc_population_index(sc, "other"), mexico = cor_sc_population_index(sc, "mexico");
    int hn = cor_sc_population_index(sc, "honduras");
    assert_true(other >= 0 && mexico >= 0 && hn >= 0);
    assert_string_equal(cor_group_country(sim, other), "ZZ");
    assert_false(cor_group_is(sim, other, "MX")); /* its largest origin is Cancún, yet they are not Mexicans */
    assert_true(cor_group_is(sim, mexico, "MX"));
    assert_true(cor_group_is(sim, hn, "HN"));
    const char *home_other = sc->places[cor_home_place(sim, other)].country;
    assert_string_not_equal(home_other, "MX");
    assert_string_equal(sc->places[cor_home_place(sim, hn)].country, "HN");
    assert_string_equal(sc->places[cor_home_place(sim, mexico)].country, "MX");
    cor_sim_free(sim);
    cor_scenario_free(sc);
    /* without `country`, the largest origin's country */
    sc = load_scenario("tests/data/engine/small.yaml");
    assert_non_null(sc);
    sim = cor_sim_new();
    assert_int_equal(cor_sim_init(sim, sc, NULL), COR_OK);
    assert_string_equal(cor_group_country(sim, 0), "GT");
    cor_sim_free(sim);
    cor_scenario_free(sc);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(conservation),      cmocka_unit_test(threads_identical),
        cmocka_unit_test(capacity_never_exceeded), cmocka_unit_test(route_frequencies),
        cmocka_unit_test(wake_on_lever),     cmocka_unit_test(lever_lookup),
        cmocka_unit_test(unknown_lever),     cmocka_unit_test(seeds),
        cmocka_unit_test(scale_rounding),    cmocka_unit_test(handles_side_by_side),
        cmocka_unit_test(nationality_and_home),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
