/* test_inm.c - INM enforcement (src/mexico/inm.c): detection only at
 * checkpoints with probability 1 - exp(-h d), nobody Mexican / with a visa /
 * applying for asylum detained, detention capacity, deportation by land and
 * by air (weekly seats, first come first served), release at the maximum
 * stay, alternatives, spending; conservation and thread determinism with
 * inm, guard and due_process on; parameter and lever errors.
 *
 * inm needs the returns module.  So that these tests do not depend on it
 * (src/us/returns.c, another module), they add a stand-in layer named
 * "returns" with cor_sim_add_rules: it satisfies inm's cor_module_loaded
 * check, registers the shared statuses and settles every deported person at
 * home the day after (terminal "settled"), so deportees can be counted where
 * they were sent.  Fixtures: tests/data/inm/ (on tests/data/modules/net.yaml);
 * each test writes its timeline in an overlay on base.yaml. */
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

/* ---------------------------------------------------------------- stand-ins */

/* An asylum stand-in: every Venezuelan arriving in Tapachula applies and
 * waits there (asylum_mx) for the rest of the run. */
typedef struct {
    int st, req, place, group;
} comar_stub;
static int comar_setup(cor_sim *sim, void **state)
{
    comar_stub *k = calloc(1, sizeof *k);
    if (!k)
        return cor_sim_fail(sim, COR_ENOMEM, "oom");
    *state = k;
    k->st = cor_status_register(sim, "asylum_mx", 0);
    k->req = cor_request_register(sim, "comar_apply");
    k->place = cor_sc_place_index(sim->sc, "tapachula");
    k->group = cor_sc_population_index(sim->sc, "venezuela");
    return COR_OK;
}
static void comar_arrive(cor_ctx *c, void *state, uint32_t a, int place, int arc)
{
    const comar_stub *k = state;
    if (place == k->place && c->sim->agents.group[a] == k->group)
        cor_request(c, a, k->req);
    cor_next_arrive(c, a, place, arc);
}
static void comar_resolve(cor_ctx *c, void *state, uint32_t a, int request)
{
    const comar_stub *k = state;
    if (request != k->req) {
        cor_next_resolve(c, a, request);
        return;
    }
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
                                      .arrive = comar_arrive, .resolve = comar_resolve, .decide = comar_decide};

/* A probe (top layer, 1 thread): counts arrivals that INM could detect at
 * Arriaga and at Mexico City by the Arriaga link, and follows detainees
 * through the series inm counts. */
#define PROBE_N 200000
typedef struct {
    int arriaga, cdmx, link, mexico, s_det, s_land, s_air, s_exit;
    uint8_t f_exit;
    int64_t arr_place, arr_link;
    int32_t det_day[PROBE_N];
    int64_t det_ix[PROBE_N], n_det, last_air;
    int64_t fifo_bad, n_air, max_bad, n_max, n_land;
    double land_days;
    int32_t max_days;
} probe;
static int probe_setup(cor_sim *sim, void **state)
{
    probe *p = calloc(1, sizeof *p);
    if (!p)
        return cor_sim_fail(sim, COR_ENOMEM, "oom");
    *state = p;
    p->arriaga = cor_sc_place_index(sim->sc, "arriaga");
    p->cdmx = cor_sc_place_index(sim->sc, "mexico_city");
    p->link = cor_sc_link_index(sim->sc, "arriaga-mexico_city");
    p->mexico = cor_sc_population_index(sim->sc, "mexico");
    p->f_exit = cor_flag_find(sim, "exit_order");
    p->s_det = cor_series_find(sim, "inm_detentions");
    p->s_land = cor_series_find(sim, "deportations_land");
    p->s_air = cor_series_find(sim, "deportations_air");
    p->s_exit = cor_series_find(sim, "inm_exit_orders");
    double v = 0;
    cor_param(sim, "inm_max_detention_days", &v);
    p->max_days = (int32_t)v;
    for (int i = 0; i < PROBE_N; i++)
        p->det_day[i] = -1;
    return COR_OK;
}
static void probe_arrive(cor_ctx *c, void *state, uint32_t a, int place, int arc)
{
    probe *p = state;
    const cor_agents *ag = &c->sim->agents;
    if (ag->group[a] != p->mexico && !(ag->flags[a] & p->f_exit)) {
        p->arr_place += place == p->arriaga;
        p->arr_link += place == p->cdmx && arc >= 0 && c->sim->net.arcs[arc].link == p->link;
    }
    cor_next_arrive(c, a, place, arc);
}
static void probe_observe(cor_ctx *c, void *state, int series, int place, uint32_t a)
{
    probe *p = state;
    (void)place;
    assert_true(a < PROBE_N);
    if (series == p->s_det) {
        p->det_day[a] = c->day;
        p->det_ix[a] = ++p->n_det;
    } else if (series == p->s_air) {
        p->n_air++;
        p->fifo_bad += p->det_ix[a] <= p->last_air; /* boarded before someone detained earlier */
        p->last_air = p->det_ix[a];
    } else if (series == p->s_land) {
        p->n_land++;
        p->land_days += c->day - p->det_day[a];
    } else if (series == p->s_exit && p->det_day[a] >= 0) {
        p->n_max++;
        p->max_bad += c->day - p->det_day[a] != p->max_days;
    }
}
static const cor_rules probe_rules = {.name = "probe", .setup = probe_setup, .teardown = stub_free,
                                      .arrive = probe_arrive, .observe = probe_observe};

/* ---------------------------------------------------------------- helpers */

/* A scenario from text that names its base relative to tests/data/inm/. */
static cor_scenario *overlay(const char *text) { return load_mem_ok("tests/data/inm/t.yaml", text); }

static cor_sim *start_opt(const cor_scenario *sc, int threads, double scale, const cor_rules *const *extra, int n_extra)
{
    cor_sim *sim = sim_prepare();
    assert_int_equal(cor_sim_add_rules(sim, returns_stub(1)), COR_OK);
    for (int i = 0; i < n_extra; i++)
        assert_int_equal(cor_sim_add_rules(sim, extra[i]), COR_OK);
    sim_init_ok(sim, sc, threads, scale);
    return sim;
}
static cor_sim *start(const cor_scenario *sc, int threads, const cor_rules *extra)
{
    return start_opt(sc, threads, 0, &extra, extra ? 1 : 0);
}

enum { ANY = -2 };
/* Sum of a series' records (people) over the matching cells; ANY matches all. */
static double total(const cor_sim *sim, const char *name, int place, int group, int demo, int month)
{
    int s = cor_sim_series_id(sim, name);
    assert_true(s >= 0);
    double v = 0;
    for (int64_t i = 0; i < sim->series.n_rec; i++) {
        const cor_series_rec *r = &sim->series.rec[i];
        if (r->series == s && (place == ANY || r->place == place) && (group == ANY || r->group == group) &&
            (demo == ANY || r->demo == demo) && (month == ANY || r->month == month))
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
static void *layer_state(const cor_sim *sim, const char *name)
{
    for (int l = 0; l < sim->n_layers; l++)
        if (strcmp(sim->layers[l].rules->name, name) == 0)
            return sim->layers[l].state;
    fail_msg("no layer %s", name);
    return NULL;
}

/* 1 - E[exp(-h (1 + G))], G geometric with mean 1 (transit_wait_days = 1). */
static double p_stay(double h) { return 1 - exp(-h) * 0.5 / (1 - 0.5 * exp(-h)); }

/* ---------------------------------------------------------------- tests */

/* Agents at Arriaga (30 x 0.01 = 0.3 a day, stays of 1 + G days) and on the
 * Arriaga - Mexico City link (50 x 0.01 = 0.5, one day): the share of
 * detectable arrivals detained matches 1 - exp(-h d) at each, and nobody is
 * detained anywhere else. */
static void detection_probability(void **state)
{
    (void)state;
    cor_scenario *sc = overlay("base: base.yaml\n"
                               "timeline:\n"
                               "  - {lever: inm_agents, value: 30, start: 2020-01-01, scope: {places: [arriaga]}}\n"
                               "  - {lever: inm_agents, value: 50, start: 2020-01-01, scope: {links: [arriaga-mexico_city]}}\n");
    cor_sim *sim = start(sc, 1, &probe_rules);
    assert_int_equal(cor_sim_run(sim), COR_OK);
    const probe *p = layer_state(sim, "probe");
    int arriaga = cor_sc_place_index(sc, "arriaga"), cdmx = cor_sc_place_index(sc, "mexico_city");
    double at_arriaga = total(sim, "inm_detentions", arriaga, ANY, ANY, ANY);
    double at_cdmx = total(sim, "inm_detentions", cdmx, ANY, ANY, ANY);
    assert_true(p->arr_place > 20000 && p->arr_link > 10000);
    assert_true(fabs(at_arriaga / (double)p->arr_place - p_stay(0.3)) < 0.015);  /* 0.412; sd 0.003 */
    assert_true(fabs(at_cdmx / (double)p->arr_link - (1 - exp(-0.5))) < 0.02); /* 0.393 (not 0.53 = 1 + G) */
    assert_true(total(sim, "inm_detentions", ANY, ANY, ANY, ANY) == at_arriaga + at_cdmx);
    cor_sim_free(sim);
    cor_scenario_free(sc);
}

/* Agents in Mexico City, where Mexicans pass too: no Mexican is ever
 * detained (checked every day), Guatemalans and Venezuelans are, and the
 * Mexicans all reach the border. */
static void no_mexican_detained(void **state)
{
    (void)state;
    cor_scenario *sc = overlay("base: base.yaml\n"
                               "timeline:\n"
                               "  - {lever: inm_agents, value: 200, start: 2020-01-01, scope: {places: [mexico_city]}}\n");
    cor_sim *sim = start(sc, 2, NULL);
    int detained = cor_status_find(sim, "detained"), mexico = cor_sc_population_index(sc, "mexico");
    int arrived = cor_status_find(sim, "arrived");
    int64_t mexicans = 0, mex_arrived = 0;
    while (!cor_sim_done(sim)) {
        assert_int_equal(cor_sim_step(sim), COR_OK);
        for (int64_t a = 0; a < sim->agents.n; a++)
            assert_false(sim->agents.group[a] == mexico && sim->agents.status[a] == detained);
    }
    for (int64_t a = 0; a < sim->agents.n; a++)
        if (sim->agents.group[a] == mexico) {
            mexicans++;
            mex_arrived += sim->agents.status[a] == arrived;
        }
    assert_true(total(sim, "inm_detentions", ANY, mexico, ANY, ANY) == 0);
    assert_true(total(sim, "inm_detentions", ANY, cor_sc_population_index(sc, "guatemala"), ANY, ANY) > 10000);
    assert_true(total(sim, "inm_detentions", ANY, cor_sc_population_index(sc, "venezuela"), ANY, ANY) > 5000);
    assert_true(mexicans > 17000 && mex_arrived == mexicans);
    cor_sim_free(sim);
    cor_scenario_free(sc);
}

/* Capacity 300 people until March, 100 from April, at scale 1 and 10: the
 * detained never exceed it (people = agents x scale), it binds (exit orders
 * for the rest), and after the cut nobody is admitted while above 100. */
static void capacity_never_exceeded(void **state)
{
    (void)state;
    cor_scenario *sc = overlay("base: base.yaml\n"
                               "timeline:\n"
                               "  - {lever: inm_agents, value: 200, start: 2020-01-01, scope: {places: [tapachula]}}\n"
                               "  - {lever: inm_detention_capacity, value: 300, start: 2020-01-01}\n"
                               "  - {lever: inm_detention_capacity, value: 100, start: 2020-04-01}\n");
    int32_t cut;
    assert_int_equal(cor_parse_date("2020-04-01", &cut), 0);
    for (int scale = 1; scale <= 10; scale += 9) {
        cor_sim *sim = start_opt(sc, 2, scale, NULL, 0);
        int detained = cor_status_find(sim, "detained");
        int64_t most = 0, before = 0;
        while (!cor_sim_done(sim)) {
            int32_t day = cor_sim_today(sim);
            assert_int_equal(cor_sim_step(sim), COR_OK);
            int64_t n = cor_sim_agents_in_status(sim, detained);
            double cap = day < cut ? 300 : 100;
            if (day < cut) {
                assert_true((double)n * scale <= cap);
                most = n > most ? n : most;
            } else {
                assert_true((double)n * scale <= cap || n <= before); /* no admissions above the cap */
            }
            before = n;
        }
        assert_int_equal(most * scale, 300); /* the limit binds */
        double exits = total(sim, "inm_exit_orders", cor_sc_place_index(sc, "tapachula"), ANY, ANY, ANY);
        assert_true(exits > 5000);
        cor_sim_free(sim);
    }
    cor_scenario_free(sc);
}

/* Unlimited stations, flights to Venezuela 3 a week x 5 seats: Guatemalans
 * go home by land after 1 + G days (mean 5), Venezuelans by air at
 * 15/7 people a day, first detained first flown, and those not flown are
 * released with an exit order after exactly 30 days. */
static void deportation_routes(void **state)
{
    (void)state;
    cor_scenario *sc = overlay("base: base.yaml\n"
                               "timeline:\n"
                               "  - {lever: inm_agents, value: 100, start: 2020-01-01, scope: {places: [tapachula]}}\n"
                               "  - {lever: inm_flights_per_week, value: 3, start: 2020-01-01, scope: {groups: [venezuela]}}\n");
    cor_sim *sim = start(sc, 1, &probe_rules);
    assert_int_equal(cor_sim_run(sim), COR_OK);
    const probe *p = layer_state(sim, "probe");
    int gt = cor_sc_population_index(sc, "guatemala"), ve = cor_sc_population_index(sc, "venezuela");
    int settled = cor_status_find(sim, "settled");
    double land = total(sim, "deportations_land", ANY, ANY, ANY, ANY);
    double air = total(sim, "deportations_air", ANY, ANY, ANY, ANY);
    /* by land only to Guatemala (home in GT), by air only to Venezuela */
    assert_true(land > 10000 && land == total(sim, "deportations_land", ANY, gt, ANY, ANY));
    assert_true(air > 300 && air == total(sim, "deportations_air", ANY, ve, ANY, ANY));
    assert_true((double)cor_sim_agents_at(sim, cor_sc_place_index(sc, "guatemala_city"), settled) == land);
    assert_true((double)cor_sim_agents_at(sim, cor_sc_place_index(sc, "caracas"), settled) == air);
    /* seats: 15/7 people a day while people wait (the fraction carries over) */
    const char *months[] = {"2020-02", "2020-03", "2020-04", "2020-05", "2020-06", "2020-07"};
    for (int i = 0; i < 6; i++) {
        int m = month_of(months[i]);
        assert_true(fabs(total(sim, "deportations_air", ANY, ANY, ANY, m) - cor_month_days(m) * 15.0 / 7) <= 1.0);
    }
    assert_true(p->n_air == (int64_t)air && p->fifo_bad == 0);
    /* everyone else from Venezuela: released after the maximum stay */
    assert_true(p->n_max > 5000 && p->max_bad == 0);
    assert_true(total(sim, "inm_exit_orders", ANY, ve, ANY, ANY) > 0.99 * (double)p->n_max);
    /* land: mean stay 5 days (4.96 with the 30-day cap; sd of the mean 0.04) */
    assert_true(p->n_land == (int64_t)land && fabs(p->land_days / (double)p->n_land - 4.96) < 0.15);
    cor_sim_free(sim);
    cor_scenario_free(sc);
}

/* Alternatives: all unaccompanied children and 30% of family members
 * detected get them; single adults never.  Children given alternatives in
 * Tapachula carry an exit order and are not detected again in Arriaga: there
 * only the share 1 - p not detected in Tapachula are (p = p_stay(1) at both). */
static void alternatives_share(void **state)
{
    (void)state;
    cor_scenario *sc = overlay("base: base.yaml\n"
                               "timeline:\n"
                               "  - {lever: inm_agents, value: 100, start: 2020-01-01, scope: {places: [tapachula, arriaga]}}\n"
                               "  - {lever: inm_alternatives_share, value: 1, start: 2020-01-01, scope: {demographics: [unaccompanied_children]}}\n"
                               "  - {lever: inm_alternatives_share, value: 0.3, start: 2020-01-01, scope: {demographics: [family_members]}}\n");
    cor_sim *sim = start(sc, 2, NULL);
    assert_int_equal(cor_sim_run(sim), COR_OK);
    int tap = cor_sc_place_index(sc, "tapachula"), arr = cor_sc_place_index(sc, "arriaga");
    assert_true(total(sim, "inm_detentions", ANY, ANY, COR_DEMO_UAC, ANY) == 0);
    double uac_tap = total(sim, "inm_alternatives", tap, ANY, COR_DEMO_UAC, ANY);
    double uac_arr = total(sim, "inm_alternatives", arr, ANY, COR_DEMO_UAC, ANY);
    assert_true(uac_tap > 1200 && fabs(uac_arr / uac_tap - (1 - p_stay(1))) < 0.04); /* 0.225, sd 0.012 */
    assert_true(total(sim, "inm_alternatives", ANY, ANY, COR_DEMO_SINGLE_ADULT, ANY) == 0);
    double alt = total(sim, "inm_alternatives", tap, ANY, COR_DEMO_FAMILY, ANY);
    double det = total(sim, "inm_detentions", tap, ANY, COR_DEMO_FAMILY, ANY);
    assert_true(alt + det > 5000 && fabs(alt / (alt + det) - 0.3) < 0.03);
    cor_sim_free(sim);
    cor_scenario_free(sc);
}

/* inm_spending_mxn: the annual budget / 366 days (2020) each day.  No agents
 * are deployed: nobody is detained, and shelters still give beds. */
static void spending(void **state)
{
    (void)state;
    cor_scenario *sc = overlay("base: base.yaml\n"
                               "timeline:\n"
                               "  - {lever: inm_budget_mxn, value: 3660000000, start: 2020-01-01}\n"
                               "  - {lever: inm_budget_mxn, value: 7320000000, start: 2020-07-01}\n");
    cor_sim *sim = start(sc, 1, NULL);
    assert_int_equal(cor_sim_run(sim), COR_OK);
    assert_true(fabs(total(sim, "inm_spending_mxn", ANY, ANY, ANY, month_of("2020-01")) - 310e6) < 1e-3);
    assert_true(fabs(total(sim, "inm_spending_mxn", ANY, ANY, ANY, month_of("2020-02")) - 290e6) < 1e-3);
    assert_true(fabs(total(sim, "inm_spending_mxn", ANY, ANY, ANY, month_of("2020-07")) - 620e6) < 1e-3);
    double year;
    assert_int_equal(cor_sim_summary(sim, "inm_spending_mxn", 2020, &year), COR_OK);
    assert_true(fabs(year - (182 * 10e6 + 184 * 20e6)) < 1e-2);
    /* no agents deployed: nobody detained, and the corridor's shelter-bed
     * requests are not taken for inm_detain */
    assert_true(total(sim, "inm_detentions", ANY, ANY, ANY, ANY) == 0);
    assert_int_equal(cor_sim_agents_in_status(sim, cor_status_find(sim, "detained")), 0);
    assert_true(cor_sim_agents_at_month_end(sim, cor_sc_place_index(sc, "mexico_city"), cor_status_find(sim, "sheltered"),
                                            month_of("2020-03")) > 0);
    cor_sim_free(sim);
    cor_scenario_free(sc);
}

/* Visa holders (flag tvrh_holder, set here by a stand-in for Guatemalans)
 * and asylum applicants (a stand-in puts Venezuelans in asylum_mx on
 * arrival in Tapachula) are never detained; the others are. */
static void visa_holders_and_applicants(void **state)
{
    (void)state;
    cor_scenario *sc = overlay("base: base.yaml\n"
                               "timeline:\n"
                               "  - {lever: inm_agents, value: 200, start: 2020-01-01, scope: {places: [tapachula]}}\n");
    int gt = cor_sc_population_index(sc, "guatemala"), ve = cor_sc_population_index(sc, "venezuela");
    cor_sim *sim = start(sc, 2, visa_stub());
    assert_int_equal(cor_sim_run(sim), COR_OK);
    assert_true(total(sim, "inm_detentions", ANY, gt, ANY, ANY) == 0);
    assert_true(total(sim, "inm_detentions", ANY, ve, ANY, ANY) > 5000);
    cor_sim_free(sim);
    sim = start(sc, 2, &asylum_stub);
    assert_int_equal(cor_sim_run(sim), COR_OK);
    assert_true(total(sim, "inm_detentions", ANY, ve, ANY, ANY) == 0);
    assert_true(total(sim, "inm_detentions", ANY, gt, ANY, ANY) > 10000);
    assert_true(cor_sim_agents_in_status(sim, cor_status_find(sim, "asylum_mx")) > 5000);
    cor_sim_free(sim);
    cor_scenario_free(sc);
}

/* enforcement.yaml (inm, guard, due_process): people are conserved every
 * day, and 1, 2 and 3 threads give bit-identical agents, stocks and series. */
static void conservation_and_threads(void **state)
{
    (void)state;
    cor_scenario *sc = load_scenario("tests/data/inm/enforcement.yaml");
    assert_non_null(sc);
    cor_sim *ref = start(sc, 1, NULL);
    while (!cor_sim_done(ref)) {
        assert_int_equal(cor_sim_step(ref), COR_OK);
        int64_t n = 0;
        for (int s = 0; s < cor_sim_n_statuses(ref); s++)
            n += cor_sim_agents_in_status(ref, s);
        assert_int_equal(n, cor_sim_agents_spawned(ref));
    }
    double det = 0, land = 0, air = 0, guard = 0, ref_n = 0;
    assert_int_equal(cor_sim_summary(ref, "inm_detentions", 0, &det), COR_OK);
    assert_int_equal(cor_sim_summary(ref, "deportations_land", 0, &land), COR_OK);
    assert_int_equal(cor_sim_summary(ref, "deportations_air", 0, &air), COR_OK);
    assert_int_equal(cor_sim_summary(ref, "refoulements", 0, &ref_n), COR_OK);
    guard = total(ref, "guard_detections", ANY, ANY, ANY, ANY);
    assert_true(det > 1000 && land > 500 && air > 100 && guard > 100 && ref_n > 100);
    for (int threads = 2; threads <= 3; threads++) {
        cor_sim *sim = start(sc, threads, NULL);
        assert_int_equal(cor_sim_run(sim), COR_OK);
        const cor_agents *a = &ref->agents, *b = &sim->agents;
        assert_int_equal(a->n, b->n);
        size_t n = (size_t)a->n;
        assert_memory_equal(a->status, b->status, n);
        assert_memory_equal(a->flags, b->flags, n);
        assert_memory_equal(a->place, b->place, n * sizeof *a->place);
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

/* Errors name the file, line and field. */
static void errors(void **state)
{
    (void)state;
    static const struct {
        const char *text, *msg;
    } cases[] = {
        {"base: base.yaml\ntimeline:\n  - {lever: inm_detention_capacity, value: 10, start: 2020-01-01, scope: {places: [tapachula]}}\n",
         "t.yaml:3: timeline[0].scope.places: lever inm_detention_capacity cannot be scoped by places (it is national: no scope)"},
        {"base: base.yaml\ntimeline:\n  - {lever: inm_agents, value: 10, start: 2020-01-01}\n",
         "t.yaml:3: timeline[0].scope: lever inm_agents needs one of scope.places or scope.links (where they are deployed)"},
        {"base: base.yaml\ntimeline:\n  - {lever: inm_agents, value: 10, start: 2020-01-01, scope: {places: [arriaga], links: [arriaga-mexico_city]}}\n",
         "t.yaml:3: timeline[0].scope: lever inm_agents needs either scope.places or scope.links, not both (write two entries)"},
        {"base: base.yaml\ntimeline:\n  - {lever: inm_agents, value: 1, start: 2020-01-01, scope: {places: [arriaga]}}\n  - {lever: inm_agents, value: 10, start: 2020-01-01,\n     scope: {places: [tapachula, guatemala_city]}}\n",
         "t.yaml:5: timeline[1].scope.places[1]: lever inm_agents: place 'guatemala_city' is in GT, not in Mexico"},
        {"base: base.yaml\ntimeline:\n  - {lever: inm_alternatives_share, value: 1.5, start: 2020-01-01}\n",
         "t.yaml:3: timeline[0].value: lever inm_alternatives_share must be in [0, 1] (got 1.5)"},
        {"base: base.yaml\ntimeline:\n  - {lever: inm_flights_per_week, value: 2, start: 2020-01-01, scope: {places: [tapachula]}}\n",
         "t.yaml:3: timeline[0].scope.places: lever inm_flights_per_week cannot be scoped by places (allowed: groups, the destination nationality)"},
        {"base: base.yaml\nparameters:\n  inm_max_detention_days: {value: 2.5, assumed: [1, 120]}\n",
         "t.yaml:3: parameters.inm_max_detention_days.value: must be a whole number in [1, 36500] (got 2.5)"},
        {"base: base.yaml\nparameters:\n  inm_detention_days: {value: 0.5, assumed: [0, 120]}\n",
         "t.yaml:3: parameters.inm_detention_days.value: must be >= 1 (got 0.5)"},
        {"base: base.yaml\nparameters:\n  inm_detect_per_agent: {value: -0.1, assumed: [-1, 1]}\n",
         "t.yaml:3: parameters.inm_detect_per_agent.value: must be >= 0 (got -0.1)"},
        {"base: ../modules/net.yaml\nmeta: {modules: [inm]}\nparameters:\n"
         "  inm_detention_days: {value: 5, assumed: [1, 60]}\n  inm_max_detention_days: {value: 30, assumed: [1, 120]}\n",
         "t.yaml: parameters: 'inm_detect_per_agent' is not defined (needed by module inm)"},
        {"base: ../modules/net.yaml\nmeta: {modules: [inm]}\nparameters:\n  inm_detect_per_agent: {value: 0, assumed: [0, 1]}\n"
         "  inm_detention_days: {value: 5, assumed: [1, 60]}\n  inm_max_detention_days: {value: 30, assumed: [1, 120]}\n"
         "timeline:\n  - {lever: inm_flights_per_week, value: 2, start: 2020-01-01}\n",
         "t.yaml: parameters: 'inm_seats_per_flight' is not defined (needed by module inm (the timeline uses inm_flights_per_week))"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        cor_scenario *sc = overlay(cases[i].text);
        cor_sim *sim = cor_sim_new();
        assert_int_equal(cor_sim_add_rules(sim, returns_stub(1)), COR_OK);
        assert_int_equal(cor_sim_init(sim, sc, NULL), COR_EINPUT);
        if (!strstr(cor_sim_errmsg(sim), cases[i].msg))
            fail_msg("case %zu: got '%s'", i, cor_sim_errmsg(sim));
        cor_sim_free(sim);
        cor_scenario_free(sc);
    }
    /* without returns */
    cor_scenario *sc = overlay("base: base.yaml\n");
    cor_sim *sim = cor_sim_new();
    assert_int_equal(cor_sim_init(sim, sc, NULL), COR_EINPUT);
    assert_non_null(strstr(cor_sim_errmsg(sim), "t.yaml: meta.modules: module inm needs module returns: add it to meta.modules"));
    cor_sim_free(sim);
    cor_scenario_free(sc);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(detection_probability),   cmocka_unit_test(no_mexican_detained),
        cmocka_unit_test(capacity_never_exceeded), cmocka_unit_test(deportation_routes),
        cmocka_unit_test(alternatives_share),      cmocka_unit_test(spending),
        cmocka_unit_test(visa_holders_and_applicants), cmocka_unit_test(conservation_and_threads),
        cmocka_unit_test(errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
