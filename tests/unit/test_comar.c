/* test_comar.c - the COMAR module: backlog with no staff, containment,
 * first-come-first-served decisions at the staff's capacity (carried
 * remainders at any scale), the closed-access multiplier, recognition and
 * integration by group, referrals (comar_apply), spending, parameter errors,
 * conservation and thread determinism. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <math.h>

#include "engine/calendar.h"
#include "engine/rules.h"
#include "engine/sim.h"
#include "mexico/comar.h"
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

static cor_sim *start_x(const cor_scenario *sc, int threads, double scale, const cor_rules *extra)
{
    return sim_start(sc, threads, scale, extra ? &extra : NULL, extra ? 1 : 0);
}
static cor_sim *start(const cor_scenario *sc, int threads) { return start_x(sc, threads, 0, NULL); }

/* A scenario written in the test, as if it were tests/data/comar/mem.yaml
 * (so `base: base.yaml` works). */
static char mem_name[4096];
static cor_scenario *load_text(const char *text)
{
    src_path(mem_name, sizeof mem_name, "tests/data/comar/mem.yaml");
    return load_mem_ok("tests/data/comar/mem.yaml", text);
}

static double series(const cor_sim *sim, const char *name, int place, int month)
{
    int s = cor_sim_series_id(sim, name);
    assert_true(s >= 0);
    return cor_sim_series_value(sim, s, place, month);
}

/* Total of a series for one group over the run. */
static double series_group(const cor_sim *sim, const char *name, int group)
{
    int s = cor_sim_series_id(sim, name);
    assert_true(s >= 0);
    double v = 0;
    for (int64_t i = 0; i < sim->series.n_rec; i++)
        if (sim->series.rec[i].series == s && sim->series.rec[i].group == group)
            v += sim->series.rec[i].value;
    return v;
}

/* Did the day just simulated end a month?  Gives the month. */
static int month_ended(const cor_sim *sim, int *month)
{
    int32_t d = cor_sim_today(sim) - 1;
    *month = cor_month_of_day(d);
    return cor_month_of_day(d + 1) != *month || cor_sim_done(sim);
}

static const uint8_t *applied_col(cor_sim *sim)
{
    int col = cor_agents_find_column(&sim->agents, "comar_applied");
    assert_true(col >= 0);
    return cor_column_data(sim, col);
}

static double summary(const cor_sim *sim, const char *key, int year)
{
    double v = -1;
    assert_int_equal(cor_sim_summary(sim, key, year, &v), COR_OK);
    return v;
}

/* ---------------------------------------------------------------- backlog */

/* No staff: nobody is decided, and at every month end the backlog is the
 * applications so far less the abandonments so far (and the agents in
 * asylum_mx); with no abandonment it is exactly the applications and grows
 * every month applications are made. */
static void check_zero_capacity(cor_scenario *sc, int abandon)
{
    cor_sim *sim = start(sc, 2);
    int st = cor_status_find(sim, "asylum_mx");
    double apps = 0, aband = 0, prev = 0;
    int months = 0;
    while (!cor_sim_done(sim)) {
        assert_int_equal(cor_sim_step(sim), COR_OK);
        int m;
        if (!month_ended(sim, &m))
            continue;
        months++;
        double a = series(sim, "comar_applications", -1, m), b = series(sim, "comar_abandonments", -1, m);
        apps += a;
        aband += b;
        double backlog = series(sim, "comar_backlog", -1, m);
        assert_double_equal(backlog, apps - aband, 1e-9);
        assert_double_equal(backlog - prev, a - b, 1e-9);
        assert_double_equal(series(sim, "comar_decisions", -1, m), 0, 0);
        double agents = 0;
        for (int p = 0; p < cor_sim_n_places(sim); p++)
            agents += (double)cor_sim_agents_at_month_end(sim, p, st, m);
        assert_double_equal(backlog, agents * cor_sim_scale(sim), 1e-9);
        if (!abandon) {
            assert_double_equal(aband, 0, 0);
            if (a > 0)
                assert_true(backlog > prev);
        }
        prev = backlog;
    }
    assert_int_equal(months, 12);
    assert_true(apps > 5000); /* 0.5 x 18,000 Guatemalans + 0.2 x 9,000 Venezuelans */
    if (abandon)
        assert_true(aband > 1000);
    assert_double_equal(summary(sim, "comar_backlog_end", 0), prev, 1e-9);
    assert_double_equal(summary(sim, "comar_backlog_end", 2020), prev, 1e-9);
    assert_double_equal(summary(sim, "comar_applications", 0), apps, 1e-9);
    /* everyone waiting is at Tapachula, the only office */
    int tap = cor_sc_place_index(sc, "tapachula");
    assert_double_equal(series(sim, "comar_backlog", tap, -1), series(sim, "comar_backlog", -1, -1), 1e-9);
    cor_sim_free(sim);
}

static void zero_capacity_backlog(void **state)
{
    (void)state;
    cor_scenario *sc = load_scenario("tests/data/comar/zero.yaml");
    assert_non_null(sc);
    check_zero_capacity(sc, 1);
    cor_scenario_free(sc);
    sc = load_text("base: zero.yaml\n"
                   "parameters:\n"
                   "  comar_abandon_rate: {value: 0, assumed: [0, 1], note: test}\n");
    check_zero_capacity(sc, 0);
    cor_scenario_free(sc);
}

/* ---------------------------------------------------------------- containment */

/* A layer that wakes everyone at Tapachula every morning: applicants there
 * must still not move. */
typedef struct {
    uint8_t *mask;
} waker;
static int waker_setup(cor_sim *sim, void **state)
{
    waker *w = calloc(1, sizeof *w);
    assert_non_null(w);
    w->mask = calloc((size_t)sim->net.n_places, 1);
    assert_non_null(w->mask);
    w->mask[cor_sc_place_index(sim->sc, "tapachula")] = 1;
    *state = w;
    return COR_OK;
}
static void waker_teardown(void *state)
{
    waker *w = state;
    free(w->mask);
    free(w);
}
static void waker_day_start(cor_ctx *c, void *state)
{
    waker *w = state;
    assert_int_equal(cor_wake_where(c->sim, w->mask, NULL), COR_OK);
}
static const cor_rules waker_rules = {
    .name = "test_waker", .setup = waker_setup, .teardown = waker_teardown, .day_start = waker_day_start};

/* Every day, every applicant is where it applied; the applicants who left
 * asylum_mx are exactly the decisions plus the abandonments. */
static void containment(void **state)
{
    (void)state;
    cor_scenario *sc = load_scenario("tests/data/comar/base.yaml");
    assert_non_null(sc);
    cor_sim *sim = start_x(sc, 2, 0, &waker_rules);
    int st = cor_status_find(sim, "asylum_mx"), tap = cor_sc_place_index(sc, "tapachula");
    const cor_agents *ag = &sim->agents;
    int32_t *where = NULL; /* place where the agent applied, -1 if not an applicant now */
    int64_t n_where = 0, exits = 0, entries = 0;
    while (!cor_sim_done(sim)) {
        assert_int_equal(cor_sim_step(sim), COR_OK);
        if (ag->n > n_where) {
            where = realloc(where, sizeof *where * (size_t)ag->n);
            assert_non_null(where);
            for (int64_t a = n_where; a < ag->n; a++)
                where[a] = -1;
            n_where = ag->n;
        }
        for (int64_t a = 0; a < ag->n; a++) {
            if (ag->status[a] == st) {
                assert_true(ag->arc[a] == COR_NONE);
                if (where[a] < 0) {
                    where[a] = (int32_t)ag->place[a];
                    assert_int_equal(where[a], tap);
                    entries++;
                } else {
                    assert_int_equal(ag->place[a], (uint32_t)where[a]);
                }
            } else if (where[a] >= 0) {
                where[a] = -1;
                exits++;
            }
        }
    }
    double scale = cor_sim_scale(sim);
    double decided = series(sim, "comar_decisions", -1, -1) / scale;
    double abandoned = series(sim, "comar_abandonments", -1, -1) / scale;
    assert_true(decided > 1000 && abandoned > 1000);
    assert_int_equal(exits, (int64_t)llround(decided + abandoned));
    assert_int_equal(entries, (int64_t)llround(series(sim, "comar_applications", -1, -1) / scale));
    /* rejected and abandoning applicants moved on */
    const uint8_t *applied = applied_col(sim);
    int64_t moved = 0;
    for (int64_t a = 0; a < ag->n; a++)
        moved += applied[a] && ag->place[a] != (uint32_t)tap;
    assert_true(moved > 1000);
    free(where);
    cor_sim_free(sim);
    cor_scenario_free(sc);
}

/* ---------------------------------------------------------------- FIFO, capacity */

/* Watches the decisions as they are counted: they come in order of
 * application (day, then agent id), and per day. */
typedef struct {
    int s_dec, st;
    int32_t first, prev_since;
    int64_t prev_a, out_of_order, *per_day;
    int n_days;
} watcher;
static int watcher_setup(cor_sim *sim, void **state)
{
    watcher *w = calloc(1, sizeof *w);
    assert_non_null(w);
    w->s_dec = cor_series_find(sim, "comar_decisions");
    w->st = cor_status_find(sim, "asylum_mx");
    w->first = sim->sc->start;
    w->n_days = sim->sc->end - sim->sc->start + 1;
    w->per_day = calloc((size_t)w->n_days, sizeof *w->per_day);
    w->prev_since = INT32_MIN;
    w->prev_a = -1;
    assert_true(w->s_dec >= 0 && w->per_day);
    *state = w;
    return COR_OK;
}
static void watcher_teardown(void *state)
{
    watcher *w = state;
    free(w->per_day);
    free(w);
}
static void watcher_observe(cor_ctx *c, void *state, int s, int place, uint32_t a)
{
    watcher *w = state;
    (void)place;
    if (s != w->s_dec)
        return;
    const cor_agents *ag = &c->sim->agents;
    assert_int_equal(ag->status[a], w->st); /* counted before the outcome */
    int32_t since = ag->since[a];
    if (since < w->prev_since || (since == w->prev_since && (int64_t)a <= w->prev_a))
        w->out_of_order++;
    w->prev_since = since;
    w->prev_a = a;
    w->per_day[c->day - w->first]++;
}
static const cor_rules watcher_rules = {.name = "test_watcher",
                                        .setup = watcher_setup,
                                        .teardown = watcher_teardown,
                                        .observe = watcher_observe};

/* 3 staff x 1.5 claims a day = 4.5 people a day: with a long queue, 4 and
 * 5 decisions on alternate days (the half carries), in order of
 * application.  At 10 people per agent the same capacity decides one agent
 * every 2 or 3 days: the year's total stays 4.5 people a day. */
static void fifo_capacity(void **state)
{
    (void)state;
    cor_scenario *sc = load_scenario("tests/data/comar/base.yaml");
    assert_non_null(sc);
    cor_sim *sim = start_x(sc, 2, 1, &watcher_rules);
    assert_int_equal(cor_sim_run(sim), COR_OK);
    watcher *w = sim->layers[sim->n_layers - 1].state;
    assert_int_equal(w->out_of_order, 0);
    int64_t total = 0;
    for (int d = 0; d < w->n_days; d++) {
        total += w->per_day[d];
        if (d >= 10) {
            assert_true(w->per_day[d] == 4 || w->per_day[d] == 5);
            if (d + 1 < w->n_days)
                assert_int_equal(w->per_day[d] + w->per_day[d + 1], 9);
        }
    }
    assert_double_equal((double)total, series(sim, "comar_decisions", -1, -1), 1e-9);
    double capacity = 4.5 * 366;
    assert_true((double)total <= capacity && (double)total >= capacity - 10);
    assert_true(series(sim, "comar_backlog", -1, cor_sim_first_month(sim) + 11) > 0); /* the queue never ran dry */
    cor_sim_free(sim);

    sim = start_x(sc, 2, 10, NULL);
    assert_int_equal(cor_sim_run(sim), COR_OK);
    double people = series(sim, "comar_decisions", -1, -1);
    assert_true(people <= capacity && people >= capacity - 30);
    assert_double_equal(fmod(people, 10), 0, 1e-9);
    cor_sim_free(sim);
    cor_scenario_free(sc);
}

/* ---------------------------------------------------------------- closed access */

/* Share of a group's agents past their origin (so: arrived at Tapachula)
 * who applied; *n gets how many they were. */
static double applied_share(cor_sim *sim, const char *group, unsigned demo_mask, int64_t *n)
{
    int g = cor_sc_population_index(sim->sc, group), home = cor_home_place(sim, g);
    const cor_agents *ag = &sim->agents;
    const uint8_t *applied = applied_col(sim);
    int64_t k = 0, yes = 0;
    for (int64_t a = 0; a < ag->n; a++)
        if (ag->group[a] == g && ag->place[a] != (uint32_t)home && (demo_mask >> ag->demo[a] & 1)) {
            k++;
            yes += applied[a];
        }
    *n = k;
    return k ? (double)yes / (double)k : -1;
}

#define ALL_DEMOS 7u
#define ADULTS 3u /* single adults, family members */
#define UAC 4u

static void closed_access(void **state)
{
    (void)state;
    int64_t n;
    /* title42 for Guatemalans: 0.2 x 5 = 1 for them, 0.2 for Venezuelans */
    cor_scenario *sc = load_scenario("tests/data/comar/closed.yaml");
    assert_non_null(sc);
    cor_sim *sim = start(sc, 2);
    assert_int_equal(cor_sim_run(sim), COR_OK);
    assert_double_equal(applied_share(sim, "guatemala", ALL_DEMOS, &n), 1.0, 0);
    assert_true(n > 15000);
    assert_double_equal(applied_share(sim, "venezuela", ALL_DEMOS, &n), 0.2, 0.02);
    assert_true(n > 7000);
    cor_sim_free(sim);
    cor_scenario_free(sc);

    /* MPP at El Paso for Venezuelans: closed for them (in force at some place) */
    sc = load_text("base: base.yaml\n"
                   "parameters:\n"
                   "  comar_apply_prob_guatemala: {value: 0.2, assumed: [0, 1], note: test}\n"
                   "timeline:\n"
                   "  - {lever: mpp, value: 1, start: 2020-01-01, scope: {places: [usbp_el_paso], groups: [venezuela]}}\n");
    sim = start(sc, 2);
    assert_int_equal(cor_sim_run(sim), COR_OK);
    assert_double_equal(applied_share(sim, "venezuela", ALL_DEMOS, &n), 1.0, 0);
    assert_double_equal(applied_share(sim, "guatemala", ALL_DEMOS, &n), 0.2, 0.02);
    cor_sim_free(sim);
    cor_scenario_free(sc);

    /* title42 without unaccompanied children (they were exempt) */
    sc = load_text("base: closed.yaml\n"
                   "timeline:\n"
                   "  - {lever: title42, value: 0, start: 2020-01-01, scope: {demographics: [unaccompanied_children]}}\n");
    sim = start(sc, 2);
    assert_int_equal(cor_sim_run(sim), COR_OK);
    assert_double_equal(applied_share(sim, "guatemala", ADULTS, &n), 1.0, 0);
    assert_double_equal(applied_share(sim, "guatemala", UAC, &n), 0.2, 0.04);
    assert_true(n > 1000);
    cor_sim_free(sim);
    cor_scenario_free(sc);

    /* the proclamation closes access for everyone */
    sc = load_text("base: closed.yaml\n"
                   "timeline:\n"
                   "  - {lever: proclamation, value: 1, start: 2020-01-01}\n");
    sim = start(sc, 2);
    assert_int_equal(cor_sim_run(sim), COR_OK);
    assert_double_equal(applied_share(sim, "venezuela", ALL_DEMOS, &n), 1.0, 0);
    cor_sim_free(sim);
    cor_scenario_free(sc);

    /* a lever at 0 closes nothing; and Mexicans never apply (office where they pass) */
    sc = load_text("base: base.yaml\n"
                   "parameters:\n"
                   "  comar_apply_prob_guatemala: {value: 0.2, assumed: [0, 1], note: test}\n"
                   "timeline:\n"
                   "  - {lever: title42, value: 0, start: 2020-01-01}\n"
                   "  - {lever: comar_office, value: 1, start: 2020-01-01, scope: {places: [mexico_city]}}\n");
    sim = start(sc, 2);
    assert_int_equal(cor_sim_run(sim), COR_OK);
    double share = applied_share(sim, "guatemala", ALL_DEMOS, &n);
    assert_true(share > 0.2 && share < 0.4); /* 0.2 at Tapachula, then 0.2 of the rest at Mexico City */
    assert_double_equal(applied_share(sim, "mexico", ALL_DEMOS, &n), 0.0, 0);
    assert_true(n > 15000);
    cor_sim_free(sim);
    cor_scenario_free(sc);
}

/* ---------------------------------------------------------------- decisions */

/* Everyone is decided: recognition shares by group, integration share of
 * the recognised, and everyone else moved on. */
static void recognition(void **state)
{
    (void)state;
    cor_scenario *sc = load_scenario("tests/data/comar/decide_all.yaml");
    assert_non_null(sc);
    cor_sim *sim = start(sc, 2);
    assert_int_equal(cor_sim_run(sim), COR_OK);
    assert_double_equal(summary(sim, "comar_backlog_end", 0), 0, 0);
    assert_double_equal(series(sim, "comar_abandonments", -1, -1), 0, 0);
    assert_double_equal(series(sim, "comar_decisions", -1, -1), series(sim, "comar_applications", -1, -1), 0);
    int gt = cor_sc_population_index(sc, "guatemala"), ve = cor_sc_population_index(sc, "venezuela");
    double dec_gt = series_group(sim, "comar_decisions", gt), dec_ve = series_group(sim, "comar_decisions", ve);
    assert_true(dec_gt > 5000 && dec_ve > 1000);
    assert_double_equal(series_group(sim, "comar_recognitions", gt) / dec_gt, 0.6, 0.03);
    assert_double_equal(series_group(sim, "comar_recognitions", ve) / dec_ve, 0.98, 0.015);
    int ref = cor_status_find(sim, "refugee_mx"), tap = cor_sc_place_index(sc, "tapachula");
    double refugees = (double)cor_sim_agents_in_status(sim, ref);
    assert_double_equal((double)cor_sim_agents_at(sim, tap, ref), refugees, 0);
    double rec = series(sim, "comar_recognitions", -1, -1);
    assert_double_equal(refugees / rec, 0.5, 0.03);
    const cor_agents *ag = &sim->agents;
    const uint8_t *applied = applied_col(sim);
    int64_t others = 0;
    for (int64_t a = 0; a < ag->n; a++)
        if (applied[a] && ag->status[a] != ref) {
            assert_true(ag->place[a] != (uint32_t)tap || ag->status[a] == COR_ST_TRAVELLING);
            others++;
        }
    assert_double_equal((double)others, series(sim, "comar_decisions", -1, -1) - refugees, 0);
    cor_sim_free(sim);
    cor_scenario_free(sc);
}

/* ---------------------------------------------------------------- referrals */

/* A stand-in for INM + due process: every non-Mexican arriving at Arriaga
 * is detained and referred to COMAR with the comar_apply request. */
typedef struct {
    int st_detained, req, s_ref, arriaga, mexico;
} referrer;
static int referrer_setup(cor_sim *sim, void **state)
{
    referrer *r = calloc(1, sizeof *r);
    assert_non_null(r);
    r->st_detained = cor_status_register(sim, "detained", 0);
    r->req = cor_request_register(sim, "comar_apply");
    r->s_ref = cor_series_register(sim, "test_referrals", COR_FLOW, NULL, COR_AGG_SUM);
    r->arriaga = cor_sc_place_index(sim->sc, "arriaga");
    r->mexico = cor_sc_population_index(sim->sc, "mexico");
    assert_true(r->st_detained >= 0 && r->req > 0 && r->s_ref >= 0);
    *state = r;
    return COR_OK;
}
static void referrer_teardown(void *state) { free(state); }
static void referrer_arrive(cor_ctx *c, void *state, uint32_t a, int place, int arc)
{
    const referrer *r = state;
    if (place == r->arriaga && c->sim->agents.group[a] != r->mexico) {
        cor_set_status(c, a, r->st_detained);
        cor_event(c, r->s_ref, place, a);
        cor_request(c, a, r->req);
        return;
    }
    cor_next_arrive(c, a, place, arc);
}
static const cor_rules referrer_rules = {.name = "test_referrer",
                                         .setup = referrer_setup,
                                         .teardown = referrer_teardown,
                                         .arrive = referrer_arrive};

static void referral(void **state)
{
    (void)state;
    cor_scenario *sc = load_scenario("tests/data/comar/zero.yaml"); /* no decisions: everyone stays queued */
    assert_non_null(sc);
    cor_sim *sim = start_x(sc, 2, 0, &referrer_rules);
    assert_int_equal(cor_sim_run(sim), COR_OK);
    int arriaga = cor_sc_place_index(sc, "arriaga"), tap = cor_sc_place_index(sc, "tapachula");
    int st = cor_status_find(sim, "asylum_mx"), det = cor_status_find(sim, "detained");
    double referred = series(sim, "test_referrals", -1, -1);
    assert_true(referred > 1000);
    /* every referral became an application at Arriaga, where there is no office */
    assert_double_equal(series(sim, "comar_applications", arriaga, -1), referred, 0);
    assert_int_equal(cor_sim_agents_at(sim, arriaga, det), 0);
    double at_arriaga = (double)cor_sim_agents_at(sim, arriaga, st);
    double abandoned = series(sim, "comar_abandonments", arriaga, -1);
    assert_double_equal(at_arriaga * cor_sim_scale(sim), referred - abandoned, 1e-9);
    int last = cor_sim_first_month(sim) + cor_sim_n_months(sim) - 1;
    assert_double_equal(series(sim, "comar_backlog", arriaga, last), referred - abandoned, 1e-9);
    /* the backlog is by place: both offices' queues add up */
    assert_double_equal(summary(sim, "comar_backlog_end", 0),
                        series(sim, "comar_backlog", arriaga, last) + series(sim, "comar_backlog", tap, last), 1e-9);
    cor_sim_free(sim);
    cor_scenario_free(sc);
}

#if defined(__has_include)
#if __has_include("mexico/inm.h") && __has_include("mexico/due_process.h") && __has_include("us/returns.h")
#define HAVE_INM 1
#endif
#endif

#ifdef HAVE_INM
static double series_pg(const cor_sim *sim, const char *name, int place, int group)
{
    int s = cor_sim_series_id(sim, name);
    assert_true(s >= 0);
    double v = 0;
    for (int64_t i = 0; i < sim->series.n_rec; i++) {
        const cor_series_rec *r = &sim->series.rec[i];
        if (r->series == s && r->place == place && r->group == group)
            v += r->value;
    }
    return v;
}

/* With the real INM and due process: every detention of a Guatemalan at
 * Arriaga becomes a COMAR application there, Venezuelans (no protection
 * need) are never referred, and the referred stay queued at Arriaga. */
static void referral_from_inm(void **state)
{
    (void)state;
    cor_scenario *sc = load_scenario("tests/data/comar/referral_inm.yaml");
    assert_non_null(sc);
    cor_sim *sim = start(sc, 2);
    assert_int_equal(cor_sim_run(sim), COR_OK);
    int arriaga = cor_sc_place_index(sc, "arriaga"), gt = cor_sc_population_index(sc, "guatemala"),
        ve = cor_sc_population_index(sc, "venezuela");
    double detained_gt = series_pg(sim, "inm_detentions", arriaga, gt);
    assert_true(detained_gt > 1000 && series_pg(sim, "inm_detentions", arriaga, ve) > 500);
    assert_double_equal(series_pg(sim, "comar_applications", arriaga, gt), detained_gt, 0);
    assert_double_equal(series_group(sim, "comar_applications", ve), 0, 0);
    assert_double_equal(series(sim, "comar_applications", -1, -1), detained_gt, 0);
    int st = cor_status_find(sim, "asylum_mx");
    assert_double_equal((double)cor_sim_agents_at(sim, arriaga, st) * cor_sim_scale(sim),
                        detained_gt - series(sim, "comar_abandonments", -1, -1), 1e-9);
    assert_double_equal(series_pg(sim, "deportations_land", arriaga, gt), 0, 0);
    cor_sim_free(sim);
    cor_scenario_free(sc);
}
#endif

/* ---------------------------------------------------------------- spending */

/* 36.6 million pesos in 2020 (366 days) is 100,000 a day; with
 * comar_staff_cost_mxn = 12.2 million and no comar_staff entry, the budget
 * pays for 3 staff: the same decisions as base.yaml's 3 staff. */
static void spending_and_budget_staff(void **state)
{
    (void)state;
    cor_scenario *sc = load_scenario("tests/data/comar/base.yaml");
    assert_non_null(sc);
    cor_sim *ref = start(sc, 2);
    assert_int_equal(cor_sim_run(ref), COR_OK);
    int m0 = cor_sim_first_month(ref);
    assert_double_equal(series(ref, "comar_spending_mxn", -1, m0), 3100000, 1e-3);      /* January */
    assert_double_equal(series(ref, "comar_spending_mxn", -1, m0 + 1), 2900000, 1e-3);  /* February */
    assert_double_equal(summary(ref, "comar_spending_mxn", 0), 36600000, 1e-3);
    assert_double_equal(summary(ref, "comar_spending_mxn", 2020), 36600000, 1e-3);

    cor_scenario *sc2 = load_text("base: base.yaml\n"
                                  "parameters:\n"
                                  "  comar_staff_cost_mxn: {value: 12200000, assumed: [1000000, 50000000], note: test}\n"
                                  "remove:\n"
                                  "  timeline: [staff_2020]\n");
    cor_sim *sim = start(sc2, 2);
    assert_int_equal(cor_sim_run(sim), COR_OK);
    for (int m = m0; m < m0 + 12; m++)
        assert_double_equal(series(sim, "comar_decisions", -1, m), series(ref, "comar_decisions", -1, m), 0);
    assert_true(series(sim, "comar_decisions", -1, -1) > 1000);
    cor_sim_free(sim);
    cor_scenario_free(sc2);
    cor_sim_free(ref);
    cor_scenario_free(sc);
}

/* ---------------------------------------------------------------- errors */

static void expect_error(const char *text, const char *fmt)
{
    char *got = sc_init_error(load_text(text)), want[8192];
    snprintf(want, sizeof want, fmt, mem_name);
    assert_string_equal(got, want);
    free(got);
}

#define ALL_PARAMS_BUT_RECOGNITION_VE                                                                           \
    "  comar_apply_prob_guatemala: {value: 0.5, assumed: [0, 1], note: t}\n"                                  \
    "  comar_apply_prob_venezuela: {value: 0.2, assumed: [0, 1], note: t}\n"                                  \
    "  comar_apply_closed_mult: {value: 5, assumed: [1, 10], note: t}\n"                                      \
    "  comar_cases_per_staff_day: {value: 1.5, assumed: [0, 10], note: t}\n"                                  \
    "  comar_abandon_rate: {value: 0.01, assumed: [0, 1], note: t}\n"                                         \
    "  comar_recognition_guatemala: {value: 0.6, assumed: [0, 1], note: t}\n"

static void errors(void **state)
{
    (void)state;
    expect_error("base: base.yaml\n"
                 "parameters:\n"
                 "  comar_abandon_rate: {value: 2, assumed: [0, 5], note: t}\n",
                 "%s:3: parameters.comar_abandon_rate.value: must be in [0, 1] (got 2)");
    expect_error("base: base.yaml\n"
                 "parameters:\n"
                 "  comar_cases_per_staff_day: {value: -1, assumed: [-5, 5], note: t}\n",
                 "%s:3: parameters.comar_cases_per_staff_day.value: must be >= 0 (got -1)");
    expect_error("base: base.yaml\n"
                 "parameters:\n"
                 "\n"
                 "  comar_recognition_venezuela: {value: 1.5, assumed: [0, 2], note: t}\n",
                 "%s:4: parameters.comar_recognition_venezuela.value: must be in [0, 1] (got 1.5)");
    expect_error("base: base.yaml\n"
                 "timeline:\n"
                 "  - {lever: comar_staff, value: 3, start: 2020-02-01, scope: {places: [tapachula]}}\n",
                 "%s:3: timeline[0].scope: comar_staff is national: remove the scope");
    expect_error("base: base.yaml\n"
                 "timeline:\n"
                 "  - {lever: comar_budget_mxn, value: 1, start: 2020-02-01}\n"
                 "  - {lever: comar_office, value: -1, start: 2020-02-01, scope: {places: [arriaga]}}\n",
                 "%s:4: timeline[1].value: comar_office must be >= 0 (got -1)");
    expect_error("base: base.yaml\n"
                 "timeline:\n"
                 "  - {lever: comar_office, value: 1, start: 2020-02-01, scope: {groups: [venezuela]}}\n",
                 "%s:3: timeline[0].scope: comar_office is scoped by places only (no links, groups or "
                 "demographics)");
    expect_error("base: ../modules/net.yaml\n"
                 "meta: {modules: [comar]}\n"
                 "parameters:\n" ALL_PARAMS_BUT_RECOGNITION_VE
                 "  comar_integrate_prob: {value: 0.5, assumed: [0, 1], note: t}\n",
                 "%s: parameters: 'comar_recognition_venezuela' is not defined (needed by module comar for "
                 "population venezuela; or give comar_recognition for every population)");
    expect_error("base: ../modules/net.yaml\n"
                 "meta: {modules: [comar]}\n"
                 "parameters:\n" ALL_PARAMS_BUT_RECOGNITION_VE
                 "  comar_recognition_venezuela: {value: 0.98, assumed: [0, 1], note: t}\n",
                 "%s: parameters: 'comar_integrate_prob' is not defined (needed by module comar)");
    expect_error("base: base.yaml\n"
                 "parameters:\n"
                 "  comar_staff_cost_mxn: {value: 0, assumed: [0, 5], note: t}\n",
                 "%s:3: parameters.comar_staff_cost_mxn.value: must be >= 1e-09 (got 0)");

    /* the group-free fallback; and title42 / mpp / proclamation entries
     * are accepted without the US modules */
    cor_scenario *sc = load_text("base: ../modules/net.yaml\n"
                                 "meta: {modules: [comar]}\n"
                                 "parameters:\n" ALL_PARAMS_BUT_RECOGNITION_VE
                                 "  comar_recognition: {value: 0.7, assumed: [0, 1], note: t}\n"
                                 "  comar_integrate_prob: {value: 0.5, assumed: [0, 1], note: t}\n"
                                 "timeline:\n"
                                 "  - {lever: title42, value: 1, start: 2020-03-21}\n"
                                 "  - {lever: mpp, value: 1, start: 2020-03-21}\n"
                                 "  - {lever: proclamation, value: 1, start: 2020-03-21}\n");
    cor_sim *sim = cor_sim_new();
    assert_int_equal(cor_sim_init(sim, sc, NULL), COR_OK);
    cor_sim_free(sim);
    cor_scenario_free(sc);
}

/* ---------------------------------------------------------------- invariants */

static void conservation(void **state)
{
    (void)state;
    cor_scenario *sc = load_scenario("tests/data/comar/base.yaml");
    assert_non_null(sc);
    cor_sim *sim = start_x(sc, 2, 0, &referrer_rules);
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
    assert_true(cor_sim_agents_in_status(sim, cor_status_find(sim, "refugee_mx")) > 100);
    cor_sim_free(sim);
    cor_scenario_free(sc);
}

static void threads_identical(void **state)
{
    (void)state;
    const char *files[] = {"tests/data/comar/base.yaml", "tests/data/comar/closed.yaml"};
    for (size_t f = 0; f < 2; f++) {
        cor_scenario *sc = load_scenario(files[f]);
        assert_non_null(sc);
        const cor_rules *extra = f ? &referrer_rules : NULL;
        cor_sim *ref = start_x(sc, 1, 0, extra);
        assert_int_equal(cor_sim_run(ref), COR_OK);
        for (int threads = 2; threads <= 3; threads++) {
            cor_sim *sim = start_x(sc, threads, 0, extra);
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
            assert_memory_equal(applied_col(ref), applied_col(sim), n);
            size_t stocks = (size_t)ref->n_months * (size_t)ref->net.n_places * (size_t)ref->n_status;
            assert_memory_equal(ref->stocks, sim->stocks, stocks * sizeof *ref->stocks);
            assert_int_equal(ref->series.n_rec, sim->series.n_rec);
            assert_memory_equal(ref->series.rec, sim->series.rec, (size_t)ref->series.n_rec * sizeof *ref->series.rec);
            cor_sim_free(sim);
        }
        assert_true(series(ref, "comar_decisions", -1, -1) > 0);
        cor_sim_free(ref);
        cor_scenario_free(sc);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(zero_capacity_backlog), cmocka_unit_test(containment),
        cmocka_unit_test(fifo_capacity),         cmocka_unit_test(closed_access),
        cmocka_unit_test(recognition),           cmocka_unit_test(referral),
#ifdef HAVE_INM
        cmocka_unit_test(referral_from_inm),
#endif
        cmocka_unit_test(spending_and_budget_staff), cmocka_unit_test(errors),
        cmocka_unit_test(conservation),          cmocka_unit_test(threads_identical),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
