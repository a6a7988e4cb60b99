/* test_tvrh.c - humanitarian visas: quotas per window (in people, at any
 * scale), visas for everyone who applies while the quota lasts, windows
 * scoped by places and groups, people already there when a window opens,
 * holders never detained (a test-only detection layer standing for INM, in
 * either order of the layers; and the real inm module when it is built),
 * COMAR and TVRH together, parameter errors, conservation and thread
 * determinism. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <math.h>

#include "engine/calendar.h"
#include "engine/rules.h"
#include "engine/sim.h"
#include "mexico/comar.h"
#include "mexico/tvrh.h"
#include "test_sim.h"
#include "test_util.h"

/* ---------------------------------------------------------------- helpers */

/* cmocka 1.1.5 (Debian 12) has no assert_double_equal */
static void near_(double a, double b, double tol, const char *ea, const char *eb, const char *file, int line)
{
    if (fabs(a - b) <= tol)
        return;
    print_error("%s = %.17g, %s = %.17g (tolerance %g)\n", ea, a, eb, b, tol);
    _fail(file, line);
}
#define assert_double_equal(a, b, tol) near_((a), (b), (tol), #a, #b, __FILE__, __LINE__)

static cor_sim *start_x(const cor_scenario *sc, int threads, double scale, const cor_rules *const *extra, int n_extra)
{
    return sim_start(sc, threads, scale, extra, n_extra);
}
static cor_sim *start(const cor_scenario *sc, int threads, double scale) { return start_x(sc, threads, scale, NULL, 0); }

static char mem_name[4096];
static cor_scenario *load_text(const char *text)
{
    src_path(mem_name, sizeof mem_name, "tests/data/tvrh/mem.yaml");
    return load_mem_ok("tests/data/tvrh/mem.yaml", text);
}

static double series(const cor_sim *sim, const char *name, int place, int month)
{
    int s = cor_sim_series_id(sim, name);
    assert_true(s >= 0);
    return cor_sim_series_value(sim, s, place, month);
}

static double series_group(const cor_sim *sim, const char *name, int group, int month)
{
    int s = cor_sim_series_id(sim, name);
    assert_true(s >= 0);
    double v = 0;
    for (int64_t i = 0; i < sim->series.n_rec; i++) {
        const cor_series_rec *r = &sim->series.rec[i];
        if (r->series == s && r->group == group && (month < 0 || r->month == month))
            v += r->value;
    }
    return v;
}

static int64_t holders(const cor_sim *sim, int group)
{
    uint8_t f = cor_flag_find(sim, "tvrh_holder");
    assert_true(f != 0);
    int64_t n = 0;
    for (int64_t a = 0; a < sim->agents.n; a++)
        n += (sim->agents.flags[a] & f) && (group < 0 || sim->agents.group[a] == group);
    return n;
}

static int month_of(const char *date)
{
    int32_t d;
    assert_int_equal(cor_parse_date(date, &d), 0);
    return cor_month_of_day(d);
}

/* ---------------------------------------------------------------- quotas */

/* Demand far above the quota: exactly the quota is issued (500 people at 1
 * and at 10 people per agent; at 7, 71 agents = 497 people and the last
 * visa with probability 3/7), within the window's dates. */
static void quota_binding(void **state)
{
    (void)state;
    cor_scenario *sc = load_scenario("tests/data/tvrh/base.yaml");
    assert_non_null(sc);
    const double scales[] = {1, 10, 7};
    for (int i = 0; i < 3; i++) {
        cor_sim *sim = start(sc, 2, scales[i]);
        assert_int_equal(cor_sim_run(sim), COR_OK);
        double issued = series(sim, "tvrh_issued", -1, -1);
        if (scales[i] == 7)
            assert_true(issued == 497 || issued == 504);
        else
            assert_double_equal(issued, 500, 0);
        assert_double_equal((double)holders(sim, -1) * scales[i], issued, 1e-9);
        assert_true(series(sim, "tvrh_applications", -1, -1) > 3000); /* everyone arriving applies */
        double summary = -1;
        assert_int_equal(cor_sim_summary(sim, "tvrh_issued", 2020, &summary), COR_OK);
        assert_double_equal(summary, issued, 1e-9);
        int tap = cor_sc_place_index(sc, "tapachula");
        assert_double_equal(series(sim, "tvrh_issued", tap, -1), issued, 1e-9);
        assert_double_equal(series(sim, "tvrh_issued", -1, month_of("2020-01-15")) +
                                series(sim, "tvrh_issued", -1, month_of("2020-02-15")),
                            issued, 1e-9);
        cor_sim_free(sim);
    }
    cor_scenario_free(sc);

    /* stochastic rounding of the last visa is unbiased: over 40 seeds at 7
     * people per agent, the mean is 500 (3/7 of runs give 504) */
    sc = load_scenario("tests/data/tvrh/base.yaml");
    int high = 0;
    for (uint64_t seed = 1; seed <= 40; seed++) {
        cor_sim *sim = cor_sim_new();
        cor_options opt = {.threads = 1, .scale = 7, .seed = seed, .has_seed = 1};
        assert_int_equal(cor_sim_init(sim, sc, &opt), COR_OK);
        int32_t end;
        assert_int_equal(cor_parse_date("2020-02-16", &end), 0);
        while (cor_sim_today(sim) <= end)
            assert_int_equal(cor_sim_step(sim), COR_OK);
        high += holders(sim, -1) == 72;
        cor_sim_free(sim);
    }
    assert_true(high >= 8 && high <= 27); /* binomial(40, 3/7): mean 17.1, sd 3.1 */
    cor_scenario_free(sc);
}

/* Quota above demand: everyone who applies gets a visa.  With a year-long
 * window and everyone applying, every non-Mexican who reached Tapachula is
 * a holder; with half applying, half of them. */
static void quota_not_binding(void **state)
{
    (void)state;
    const char *texts[] = {"base: base.yaml\n"
                           "timeline:\n"
                           "  - {id: window_2020, lever: tvrh_quota, value: 1000000, start: 2020-01-01, "
                           "scope: {places: [tapachula]}}\n",
                           "base: base.yaml\n"
                           "parameters:\n"
                           "  tvrh_apply_prob: {value: 0.5, assumed: [0, 1], note: test}\n"
                           "timeline:\n"
                           "  - {id: window_2020, lever: tvrh_quota, value: 1000000, start: 2020-01-01, "
                           "scope: {places: [tapachula]}}\n"};
    const double share[] = {1.0, 0.5};
    for (int v = 0; v < 2; v++) {
        cor_scenario *sc = load_text(texts[v]);
        cor_sim *sim = start(sc, 2, 1);
        assert_int_equal(cor_sim_run(sim), COR_OK);
        double issued = series(sim, "tvrh_issued", -1, -1);
        assert_double_equal(issued, series(sim, "tvrh_applications", -1, -1), 0);
        assert_double_equal((double)holders(sim, -1), issued, 0);
        uint8_t f = cor_flag_find(sim, "tvrh_holder");
        int64_t past = 0, held = 0;
        for (int g = 0; g < sc->n_populations; g++) {
            int home = cor_home_place(sim, g), mexican = strcmp(sc->populations[g].id, "mexico") == 0;
            for (int64_t a = 0; a < sim->agents.n; a++)
                if (sim->agents.group[a] == g && sim->agents.place[a] != (uint32_t)home) {
                    if (mexican) {
                        assert_false(sim->agents.flags[a] & f);
                        continue;
                    }
                    past++;
                    held += (sim->agents.flags[a] & f) != 0;
                }
        }
        assert_true(past > 20000);
        if (share[v] == 1.0)
            assert_int_equal(held, past);
        else
            assert_double_equal((double)held / (double)past, 0.5, 0.02);
        cor_sim_free(sim);
        cor_scenario_free(sc);
    }
}

/* Each window (timeline entry) has its own quota, shared by its places and
 * limited to its groups. */
static void windows(void **state)
{
    (void)state;
    cor_scenario *sc = load_scenario("tests/data/tvrh/windows.yaml");
    assert_non_null(sc);
    cor_sim *sim = start(sc, 2, 1);
    assert_int_equal(cor_sim_run(sim), COR_OK);
    int gt = cor_sc_population_index(sc, "guatemala"), ve = cor_sc_population_index(sc, "venezuela");
    int tap = cor_sc_place_index(sc, "tapachula"), cdmx = cor_sc_place_index(sc, "mexico_city");
    assert_double_equal(series(sim, "tvrh_issued", -1, month_of("2020-01-01")), 100, 0);
    assert_double_equal(series(sim, "tvrh_issued", -1, month_of("2020-02-01")), 50, 0);
    assert_double_equal(series_group(sim, "tvrh_issued", ve, month_of("2020-02-01")), 50, 0);
    assert_double_equal(series_group(sim, "tvrh_applications", gt, month_of("2020-02-01")), 0, 0);
    assert_double_equal(series(sim, "tvrh_issued", -1, month_of("2020-03-01")), 200, 0);
    assert_double_equal(series(sim, "tvrh_issued", -1, month_of("2020-04-01")), 300, 0);
    assert_double_equal(series(sim, "tvrh_issued", tap, -1) + series(sim, "tvrh_issued", cdmx, -1), 650, 0);
    assert_double_equal(series(sim, "tvrh_issued", -1, month_of("2020-05-01")), 0, 0);
    assert_int_equal(holders(sim, -1), 650);
    cor_sim_free(sim);
    cor_scenario_free(sc);

    /* a window everywhere: Mexicans (who pass Mexico City) never get one */
    sc = load_text("base: base.yaml\n"
                   "timeline:\n"
                   "  - {id: window_2020, lever: tvrh_quota, value: 1000000, start: 2020-01-01}\n");
    sim = start(sc, 2, 1);
    assert_int_equal(cor_sim_run(sim), COR_OK);
    int mx = cor_sc_population_index(sc, "mexico");
    assert_int_equal(holders(sim, mx), 0);
    assert_double_equal(series_group(sim, "tvrh_applications", mx, -1), 0, 0);
    assert_true(holders(sim, gt) > 10000);
    cor_sim_free(sim);
    cor_scenario_free(sc);
}

/* Keeps everyone who reaches Arriaga there until 2020-03-01. */
static int32_t stop_until;
static int stopper_setup(cor_sim *sim, void **state)
{
    (void)sim;
    *state = NULL;
    return cor_parse_date("2020-03-01", &stop_until) ? COR_EINPUT : COR_OK;
}
static void stopper_decide(cor_ctx *c, void *state, uint32_t a)
{
    (void)state;
    const cor_agents *ag = &c->sim->agents;
    if (ag->status[a] == COR_ST_WAITING && ag->place[a] == (uint32_t)cor_sc_place_index(c->sim->sc, "arriaga") &&
        c->day < stop_until) {
        cor_wait(c, a, stop_until - c->day);
        return;
    }
    cor_next_decide(c, a);
}
static const cor_rules stopper_rules = {.name = "test_stopper", .setup = stopper_setup, .decide = stopper_decide};

/* People already at the place when a window opens apply on its first day. */
static void opening_day(void **state)
{
    (void)state;
    cor_scenario *sc = load_text("base: base.yaml\n"
                                 "remove: {timeline: [window_2020]}\n"
                                 "timeline:\n"
                                 "  - {lever: tvrh_quota, value: 1000000, start: 2020-02-20, end: 2020-02-20, "
                                 "scope: {places: [arriaga]}}\n");
    const cor_rules *extra[] = {&stopper_rules};
    cor_sim *sim = start_x(sc, 2, 1, extra, 1);
    int32_t open;
    assert_int_equal(cor_parse_date("2020-02-20", &open), 0);
    while (cor_sim_today(sim) < open)
        assert_int_equal(cor_sim_step(sim), COR_OK);
    int arriaga = cor_sc_place_index(sc, "arriaga");
    int64_t there = cor_sim_agents_at(sim, arriaga, COR_ST_WAITING);
    assert_true(there > 5000);
    uint8_t *was = calloc((size_t)sim->agents.n, 1);
    assert_non_null(was);
    int64_t n0 = sim->agents.n;
    for (int64_t a = 0; a < n0; a++)
        was[a] = sim->agents.place[a] == (uint32_t)arriaga && sim->agents.status[a] == COR_ST_WAITING;
    assert_int_equal(holders(sim, -1), 0);
    assert_int_equal(cor_sim_step(sim), COR_OK);
    uint8_t f = cor_flag_find(sim, "tvrh_holder");
    for (int64_t a = 0; a < n0; a++)
        if (was[a])
            assert_true(sim->agents.flags[a] & f);
    /* they, and that day's arrivals (series are stored at month end) */
    double arrivals = (double)holders(sim, -1) - (double)there;
    assert_true(arrivals > 0 && arrivals < 400);
    free(was);
    assert_int_equal(cor_sim_run(sim), COR_OK);
    assert_double_equal(series(sim, "tvrh_issued", -1, -1), (double)there + arrivals, 0);
    assert_double_equal((double)holders(sim, -1), (double)there + arrivals, 0);
    cor_sim_free(sim);
    cor_scenario_free(sc);
}

/* ---------------------------------------------------------------- detection */

/* A stand-in for INM: every non-Mexican who is not a visa holder arriving at
 * Tapachula or Arriaga is detected and handed over with inm_detain; the
 * handler detains (and counts any holder it is asked to detain).  Split in
 * two layers so that detection can sit above tvrh and detention below. */
typedef struct {
    int st_det, req, s_det, mexico;
    uint8_t holder, *mask;
    int64_t holders_detained;
} detect;
static int detect_setup(cor_sim *sim, void **state)
{
    detect *d = calloc(1, sizeof *d);
    assert_non_null(d);
    if (sim->n_requests == 0) /* keep code 1 for the corridor's bed requests (as the modules do) */
        cor_request_register(sim, "corridor_rest");
    d->st_det = cor_status_register(sim, "detained", 0);
    d->req = cor_request_register(sim, "inm_detain");
    d->s_det = cor_series_register(sim, "test_detentions", COR_FLOW, NULL, COR_AGG_SUM);
    d->holder = cor_flag_register(sim, "tvrh_holder");
    d->mexico = cor_sc_population_index(sim->sc, "mexico");
    d->mask = calloc((size_t)sim->net.n_places, 1);
    assert_true(d->st_det >= 0 && d->req > 0 && d->s_det >= 0 && d->holder && d->mask);
    d->mask[cor_sc_place_index(sim->sc, "tapachula")] = 1;
    d->mask[cor_sc_place_index(sim->sc, "arriaga")] = 1;
    *state = d;
    return COR_OK;
}
static void detect_teardown(void *state)
{
    detect *d = state;
    free(d->mask);
    free(d);
}
static void detect_arrive(cor_ctx *c, void *state, uint32_t a, int place, int arc)
{
    const detect *d = state;
    const cor_agents *ag = &c->sim->agents;
    if (d->mask[place] && ag->group[a] != d->mexico && !(ag->flags[a] & d->holder) && ag->status[a] == COR_ST_WAITING)
        cor_request(c, a, d->req);
    cor_next_arrive(c, a, place, arc);
}
static void detect_resolve(cor_ctx *c, void *state, uint32_t a, int request)
{
    detect *d = state;
    if (request != d->req) {
        cor_next_resolve(c, a, request);
        return;
    }
    if (c->sim->agents.flags[a] & d->holder)
        d->holders_detained++;
    cor_set_status(c, a, d->st_det);
    cor_event(c, d->s_det, (int)c->sim->agents.place[a], a);
    cor_wait(c, a, 100000);
}
static void detect_decide(cor_ctx *c, void *state, uint32_t a)
{
    const detect *d = state;
    if (c->sim->agents.status[a] == d->st_det) {
        cor_wait(c, a, 100000);
        return;
    }
    cor_next_decide(c, a);
}
static const cor_rules detect_rules = {.name = "test_detect",
                                       .setup = detect_setup,
                                       .teardown = detect_teardown,
                                       .arrive = detect_arrive,
                                       .resolve = detect_resolve,
                                       .decide = detect_decide};
static const cor_rules detect_arrive_rules = {
    .name = "test_detect_arrive", .setup = detect_setup, .teardown = detect_teardown, .arrive = detect_arrive};
static const cor_rules detention_rules = {.name = "test_detention",
                                          .setup = detect_setup,
                                          .teardown = detect_teardown,
                                          .resolve = detect_resolve,
                                          .decide = detect_decide};

static const detect *layer_state(const cor_sim *sim, const cor_rules *r)
{
    for (int l = 0; l < sim->n_layers; l++)
        if (sim->layers[l].rules == r)
            return sim->layers[l].state;
    fail();
    return NULL;
}

/* The 500 holders are never detained, at Tapachula (where detection and
 * the visa happen on the same arrival) or at Arriaga; everyone else
 * arriving there is.  Layers: detection below tvrh (INM's place in the
 * canonical order), then detection above tvrh and detention below. */
static void holders_not_detained(void **state)
{
    (void)state;
    cor_scenario *sc = load_scenario("tests/data/tvrh/nomod.yaml");
    assert_non_null(sc);
    const cor_rules *below[] = {&detect_rules, &cor_tvrh_rules};
    const cor_rules *around[] = {&detention_rules, &cor_tvrh_rules, &detect_arrive_rules};
    const cor_rules *const *stacks[] = {below, around};
    const int n_stack[] = {2, 3};
    for (int v = 0; v < 2; v++) {
        cor_sim *sim = start_x(sc, 2, 1, stacks[v], n_stack[v]);
        assert_int_equal(cor_sim_run(sim), COR_OK);
        const detect *d = layer_state(sim, v ? &detention_rules : &detect_rules);
        assert_int_equal(d->holders_detained, 0);
        assert_int_equal(holders(sim, -1), 500);
        uint8_t f = cor_flag_find(sim, "tvrh_holder");
        int det = cor_status_find(sim, "detained"), tap = cor_sc_place_index(sc, "tapachula");
        int64_t onward = 0, non_mexicans_past = 0, detained = 0;
        for (int64_t a = 0; a < sim->agents.n; a++) {
            const cor_agents *ag = &sim->agents;
            if (ag->flags[a] & f) {
                assert_true(ag->status[a] != det);
                onward += ag->place[a] != (uint32_t)tap;
            }
            if (ag->group[a] != d->mexico && ag->place[a] != (uint32_t)cor_home_place(sim, ag->group[a]))
                non_mexicans_past++;
            detained += ag->status[a] == det;
        }
        assert_true(onward > 450); /* holders went on through Arriaga */
        /* everyone else who reached Tapachula was detained there */
        assert_int_equal(detained, non_mexicans_past - 500);
        assert_double_equal(series(sim, "test_detentions", tap, -1), (double)detained, 0);
        cor_sim_free(sim);
    }
    cor_scenario_free(sc);
}

#if defined(__has_include)
#if __has_include("mexico/inm.h")
#define HAVE_INM 1
#endif
#endif

#ifdef HAVE_INM
/* The real INM module (with returns, which it needs): 100 agents at
 * Tapachula and Arriaga and a quota covering everyone: no holder is
 * detained, so nobody is.  Control: with a quota of 0 INM detains there. */
#define INM_SCENARIO(quota)                                                                                     \
    "base: ../inm/base.yaml\n"                                                                                 \
    "meta: {modules: [returns, inm, tvrh]}\n"                                                                  \
    "parameters:\n"                                                                                            \
    "  returns_home_days: {value: 10, assumed: [1, 365], note: test}\n"                                        \
    "  returns_remigrate: {value: 0.25, assumed: [0, 1], note: test}\n"                                        \
    "  tvrh_apply_prob: {value: 1, assumed: [0, 1], note: test}\n"                                             \
    "timeline:\n"                                                                                              \
    "  - {lever: inm_agents, value: 100, start: 2020-01-01, scope: {places: [tapachula, arriaga]}}\n"          \
    "  - {lever: tvrh_quota, value: " quota ", start: 2020-01-01, scope: {places: [tapachula]}}\n"

static void holders_not_detained_inm(void **state)
{
    (void)state;
    cor_scenario *sc = load_text(INM_SCENARIO("1000000"));
    cor_sim *sim = start(sc, 2, 1);
    assert_int_equal(cor_sim_run(sim), COR_OK);
    assert_true(series(sim, "tvrh_issued", -1, -1) > 20000);
    assert_double_equal(series(sim, "tvrh_issued", -1, -1), series(sim, "tvrh_applications", -1, -1), 0);
    assert_double_equal(series(sim, "inm_detentions", -1, -1), 0, 0);
    int det = cor_status_find(sim, "detained");
    uint8_t f = cor_flag_find(sim, "tvrh_holder");
    assert_true(det >= 0);
    for (int64_t a = 0; a < sim->agents.n; a++)
        if (sim->agents.flags[a] & f)
            assert_true(sim->agents.status[a] != det);
    cor_sim_free(sim);
    cor_scenario_free(sc);

    sc = load_text(INM_SCENARIO("0"));
    sim = start(sc, 2, 1);
    assert_int_equal(cor_sim_run(sim), COR_OK);
    assert_double_equal(series(sim, "tvrh_issued", -1, -1), 0, 0);
    assert_true(series(sim, "inm_detentions", cor_sc_place_index(sc, "tapachula"), -1) > 10000);
    cor_sim_free(sim);
    cor_scenario_free(sc);
}
#endif

/* ---------------------------------------------------------------- with comar */

/* Counts COMAR applications made by visa holders, and visas given to
 * people who had applied to COMAR (rejected or abandoning: allowed). */
typedef struct {
    int s_app, s_issued, col_applied;
    uint8_t holder;
    int64_t holders_applying, applicants_given_visa;
} pair_watch;
static int pair_setup(cor_sim *sim, void **state)
{
    pair_watch *w = calloc(1, sizeof *w);
    assert_non_null(w);
    w->s_app = cor_series_find(sim, "comar_applications");
    w->s_issued = cor_series_find(sim, "tvrh_issued");
    w->col_applied = cor_agents_find_column(&sim->agents, "comar_applied");
    w->holder = cor_flag_find(sim, "tvrh_holder");
    assert_true(w->s_app >= 0 && w->s_issued >= 0 && w->col_applied >= 0 && w->holder);
    *state = w;
    return COR_OK;
}
static void pair_teardown(void *state) { free(state); }
static void pair_observe(cor_ctx *c, void *state, int s, int place, uint32_t a)
{
    pair_watch *w = state;
    (void)place;
    if (s == w->s_app && (c->sim->agents.flags[a] & w->holder))
        w->holders_applying++;
    if (s == w->s_issued && ((const uint8_t *)c->sim->agents.cols[w->col_applied].data)[a])
        w->applicants_given_visa++;
}
static const cor_rules pair_rules = {
    .name = "test_pair", .setup = pair_setup, .teardown = pair_teardown, .observe = pair_observe};

/* Visa holders do not apply to COMAR, on the arrival where they got the
 * visa or later; people whose claim ended may get a visa. */
static void with_comar(void **state)
{
    (void)state;
    cor_scenario *sc = load_scenario("tests/data/tvrh/with_comar.yaml");
    assert_non_null(sc);
    const cor_rules *extra[] = {&pair_rules};
    cor_sim *sim = start_x(sc, 2, 1, extra, 1);
    assert_int_equal(cor_sim_run(sim), COR_OK);
    assert_double_equal(series(sim, "tvrh_issued", -1, -1), 3000, 0);
    assert_true(series(sim, "comar_applications", -1, -1) > 3000);
    const pair_watch *w = sim->layers[sim->n_layers - 1].state;
    assert_int_equal(w->holders_applying, 0);
    /* half of the arrivals in the window apply for a visa and get one while
     * they last; of the others, half apply to COMAR */
    int tap = cor_sc_place_index(sc, "tapachula"), feb = month_of("2020-02-01");
    assert_true(series(sim, "comar_applications", tap, feb) < 0.5 * series(sim, "tvrh_applications", tap, feb));
    cor_sim_free(sim);
    cor_scenario_free(sc);
}

/* with_comar.yaml with its modules stacked by the test around a detection
 * layer: comar, detection (INM's place), tvrh. */
static cor_sim *stacked(const cor_scenario *sc, int threads, double scale)
{
    const cor_rules *extra[] = {&cor_comar_rules, &detect_rules, &cor_tvrh_rules};
    return start_x(sc, threads, scale, extra, 3);
}
static cor_scenario *with_comar_nomod(void)
{
    return load_text("base: with_comar.yaml\n"
                     "meta: {modules: []}\n");
}

/* ---------------------------------------------------------------- errors */

static void expect_error(const char *text, const char *fmt)
{
    char *got = sc_init_error(load_text(text)), want[8192];
    snprintf(want, sizeof want, fmt, mem_name);
    assert_string_equal(got, want);
    free(got);
}

static void errors(void **state)
{
    (void)state;
    expect_error("base: base.yaml\n"
                 "parameters:\n"
                 "  tvrh_apply_prob: {value: 1.5, assumed: [0, 2], note: t}\n",
                 "%s:3: parameters.tvrh_apply_prob.value: must be in [0, 1] (got 1.5)");
    expect_error("base: ../modules/net.yaml\n"
                 "meta: {modules: [tvrh]}\n",
                 "%s: parameters: 'tvrh_apply_prob' is not defined (needed by module tvrh)");
    expect_error("base: base.yaml\n"
                 "timeline:\n"
                 "  - {lever: tvrh_quota, value: -5, start: 2020-03-01, scope: {places: [arriaga]}}\n",
                 "%s:3: timeline[0].value: tvrh_quota must be >= 0 people (got -5)");
    expect_error("base: base.yaml\n"
                 "timeline:\n"
                 "  - {lever: tvrh_quota, value: 5, start: 2020-03-01, scope: {links: [juarez_crossing]}}\n",
                 "%s:3: timeline[0].scope.links: tvrh_quota is issued at places, not on links");
}

/* ---------------------------------------------------------------- invariants */

static void conservation(void **state)
{
    (void)state;
    cor_scenario *sc = with_comar_nomod();
    cor_sim *sim = stacked(sc, 2, 1);
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
    assert_true(series(sim, "tvrh_issued", -1, -1) > 0 && series(sim, "test_detentions", -1, -1) > 0);
    cor_sim_free(sim);
    cor_scenario_free(sc);
}

static void threads_identical(void **state)
{
    (void)state;
    cor_scenario *sc = with_comar_nomod();
    for (int scale = 1; scale <= 7; scale += 6) {
        cor_sim *ref = stacked(sc, 1, scale);
        assert_int_equal(cor_sim_run(ref), COR_OK);
        assert_true(series(ref, "tvrh_issued", -1, -1) > 0);
        for (int threads = 2; threads <= 3; threads++) {
            cor_sim *sim = stacked(sc, threads, scale);
            assert_int_equal(cor_sim_run(sim), COR_OK);
            const cor_agents *a = &ref->agents, *b = &sim->agents;
            assert_int_equal(a->n, b->n);
            size_t n = (size_t)a->n;
            assert_memory_equal(a->status, b->status, n);
            assert_memory_equal(a->flags, b->flags, n);
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
    }
    cor_scenario_free(sc);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(quota_binding),        cmocka_unit_test(quota_not_binding),
        cmocka_unit_test(windows),              cmocka_unit_test(opening_day),
        cmocka_unit_test(holders_not_detained),
#ifdef HAVE_INM
        cmocka_unit_test(holders_not_detained_inm),
#endif
        cmocka_unit_test(with_comar),           cmocka_unit_test(errors),
        cmocka_unit_test(conservation),         cmocka_unit_test(threads_identical),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
