/* inm.c - INM enforcement (see inm.h and docs/modules/inm.md). */
#include "mexico/inm.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/calendar.h"

/* A detainee waiting for a seat on a flight home: agent and detention day
 * (an entry is stale once the agent is no longer detained since that day). */
typedef struct {
    uint32_t a;
    int32_t day;
} inm_slot;

/* One FIFO per destination group, appended only in resolve (ascending agent
 * id) and served in day_start: the same order whatever the thread count. */
typedef struct {
    inm_slot *q;
    int64_t head, n, cap;        /* waiting: q[head .. n) */
    double seats;                /* seats (people) carried to the next day: less than one agent's worth */
    double per_week;             /* flights per week in force today */
} inm_queue;

typedef struct {
    int st_sheltered, st_detained, st_home;
    uint8_t f_exit, f_tvrh, f_caravan;  /* tvrh_holder and caravan: 0 when no module registers them */
    int names_done;
    int req;
    int s_det, s_land, s_air, s_exit, s_alt, s_stock, s_spend;
    int lv_agents, lv_cap, lv_flights, lv_alt, lv_budget;
    double h_agent, seats, f_det, caravan_mult;
    int32_t max_days;
    int P, L, G;
    uint8_t *mx_place;           /* place is in Mexico */
    uint8_t *mexican;            /* group's home place is in Mexico */
    uint8_t *by_land;            /* group's home place is in GT, HN or SV */
    int *home;                   /* group's home place */
    double *h_place, *h_link;    /* today's detection hazard per day */
    int dirty;                   /* a lever behind the cached values changed */
    double capacity;             /* people; INFINITY when no entry is in force */
    int64_t detained;            /* agents detained, counted at the day's first resolve */
    int32_t counted_day;
    inm_queue *queue;            /* per group */
} inm;

/* Countries INM deports to by road (bus): Guatemala, Honduras, El Salvador. */
static const char *const land_countries[] = {"GT", "HN", "SV"};

/* ---------------------------------------------------------------- checks */

enum { P_OPEN = COR_PARAM_OPEN_LO, P_WHOLE = COR_PARAM_WHOLE }; /* lower bound excluded; whole numbers only */

static int param_range(cor_sim *sim, const char *name, double v, double lo, double hi, unsigned how)
{
    return cor_param_check(sim, name, v, lo, hi, how);
}

enum { SC_PLACES = 1, SC_LINKS = 2, SC_GROUPS = 4, SC_DEMOS = 8, SC_WHERE = 16, SC_MX = 32 };

/* Check every timeline entry of a lever: value in [0, hi], scope limited
 * to the dimensions in `rule` (allowed: how to say them in a message). */
static int check_lever(cor_sim *sim, const char *lever, unsigned rule, double hi, const char *allowed)
{
    const cor_scenario *sc = sim->sc;
    for (int i = 0; i < sc->n_timeline; i++) {
        const cor_sc_lever *e = &sc->timeline[i];
        if (strcmp(e->lever, lever) != 0)
            continue;
        const cor_sc_scope *s = &e->scope;
        const char *f = e->pos.file;
        int line = e->pos.line, ix = e->index;
        if (!(e->value >= 0 && e->value <= hi))
            return cor_sim_fail(sim, COR_EINPUT, "%s:%d: timeline[%d].value: lever %s must be %s (got %g)", f, line,
                                ix, lever, hi == 1 ? "in [0, 1]" : ">= 0", e->value);
        const char *bad = s->n_places && !(rule & SC_PLACES)   ? "places"
                          : s->n_links && !(rule & SC_LINKS)   ? "links"
                          : s->n_groups && !(rule & SC_GROUPS) ? "groups"
                          : s->demo_mask && !(rule & SC_DEMOS) ? "demographics"
                                                               : NULL;
        if (bad) {
            int l = !strcmp(bad, "places") && s->place_lines   ? s->place_lines[0]
                    : !strcmp(bad, "links") && s->link_lines   ? s->link_lines[0]
                    : !strcmp(bad, "groups") && s->group_lines ? s->group_lines[0]
                                                               : line;
            return cor_sim_fail(sim, COR_EINPUT, "%s:%d: timeline[%d].scope.%s: lever %s cannot be scoped by %s (%s)", f,
                                l, ix, bad, lever, bad, allowed);
        }
        if ((rule & SC_WHERE) && !s->n_places == !s->n_links)
            return cor_sim_fail(sim, COR_EINPUT, "%s:%d: timeline[%d].scope: lever %s needs %s scope.places or scope.links%s",
                                f, line, ix, lever, s->n_places ? "either" : "one of",
                                s->n_places ? ", not both (write two entries)" : " (where they are deployed)");
        for (int k = 0; (rule & SC_MX) && k < s->n_places; k++) {
            const cor_sc_place *p = &sc->places[s->places[k]];
            if (p->country && strcmp(p->country, "MX") != 0)
                return cor_sim_fail(sim, COR_EINPUT, "%s:%d: timeline[%d].scope.places[%d]: lever %s: place '%s' is in %s, not in Mexico",
                                    f, s->place_lines ? s->place_lines[k] : line, ix, k, lever, p->id, p->country);
        }
    }
    return COR_OK;
}

static int timeline_uses(const cor_scenario *sc, const char *lever)
{
    for (int i = 0; i < sc->n_timeline; i++)
        if (strcmp(sc->timeline[i].lever, lever) == 0)
            return 1;
    return 0;
}

/* ---------------------------------------------------------------- set-up */

static void teardown(void *state)
{
    inm *k = state;
    if (!k)
        return;
    free(k->mx_place);
    free(k->mexican);
    free(k->by_land);
    free(k->home);
    free(k->h_place);
    free(k->h_link);
    if (k->queue)
        for (int g = 0; g < k->G; g++)
            free(k->queue[g].q);
    free(k->queue);
    free(k);
}

static int in_country(const cor_sc_place *p, const char *cc) { return p->country && strcmp(p->country, cc) == 0; }

static int setup(cor_sim *sim, void **state)
{
    inm *k = calloc(1, sizeof *k);
    if (!k)
        return cor_sim_fail(sim, COR_ENOMEM, "out of memory");
    *state = k;
    if (!cor_module_loaded(sim, "returns"))
        return cor_sim_fail(sim, COR_EINPUT, "%s: meta.modules: module inm needs module returns: add it to meta.modules",
                            sim->sc->files[0]);
    const cor_scenario *sc = sim->sc;
    k->P = sim->net.n_places, k->L = sc->n_links, k->G = sim->n_groups;
    k->st_sheltered = cor_status_register(sim, "sheltered", 0);
    k->st_detained = cor_status_register(sim, "detained", 0);
    k->st_home = cor_status_register(sim, "home", 0);
    k->f_exit = cor_flag_register(sim, "exit_order");
    k->req = cor_request_register(sim, "inm_detain");
    k->s_det = cor_series_register(sim, "inm_detentions", COR_FLOW, "inm_detentions", COR_AGG_SUM);
    k->s_land = cor_series_register(sim, "deportations_land", COR_FLOW, "deportations_land", COR_AGG_SUM);
    k->s_air = cor_series_register(sim, "deportations_air", COR_FLOW, "deportations_air", COR_AGG_SUM);
    k->s_exit = cor_series_register(sim, "inm_exit_orders", COR_FLOW, NULL, COR_AGG_SUM);
    k->s_alt = cor_series_register(sim, "inm_alternatives", COR_FLOW, NULL, COR_AGG_SUM);
    k->s_stock = cor_series_register(sim, "inm_detained", COR_STOCK, NULL, COR_AGG_SUM);
    k->s_spend = cor_series_register(sim, "inm_spending_mxn", COR_VALUE, "inm_spending_mxn", COR_AGG_SUM);
    k->lv_agents = cor_lever_register(sim, "inm_agents");
    k->lv_cap = cor_lever_register(sim, "inm_detention_capacity");
    k->lv_flights = cor_lever_register(sim, "inm_flights_per_week");
    k->lv_alt = cor_lever_register(sim, "inm_alternatives_share");
    k->lv_budget = cor_lever_register(sim, "inm_budget_mxn");
    if (k->st_sheltered < 0 || k->st_detained < 0 || k->st_home < 0 || !k->req || k->s_det < 0 || k->s_land < 0 ||
        k->s_air < 0 || k->s_exit < 0 || k->s_alt < 0 || k->s_stock < 0 || k->s_spend < 0 || k->lv_agents < 0 ||
        k->lv_cap < 0 || k->lv_flights < 0 || k->lv_alt < 0 || k->lv_budget < 0)
        return cor_sim_fail(sim, COR_ENOMEM, "module inm: cannot register its names (out of memory or a name taken with another kind)");
    if (!k->f_exit)
        return cor_sim_fail(sim, COR_EINPUT, "module inm: no agent flag left for exit_order (8 in all)");

    const char *who = "module inm";
    double det_days, max_days;
    if (!cor_param_require(sim, "inm_detect_per_agent", who, &k->h_agent) ||
        !param_range(sim, "inm_detect_per_agent", k->h_agent, 0, INFINITY, 0) ||
        !cor_param_require(sim, "inm_detention_days", who, &det_days) ||
        !param_range(sim, "inm_detention_days", det_days, 1, INFINITY, 0) ||
        !cor_param_require(sim, "inm_max_detention_days", who, &max_days) ||
        !param_range(sim, "inm_max_detention_days", max_days, 1, 36500, P_WHOLE))
        return COR_EINPUT;
    k->f_det = cor_geometric_factor(det_days - 1); /* 1 + G days, G geometric with mean det_days - 1 */
    k->max_days = (int32_t)max_days;
    if (timeline_uses(sc, "inm_flights_per_week") &&
        (!cor_param_require(sim, "inm_seats_per_flight", "module inm (the timeline uses inm_flights_per_week)",
                            &k->seats) ||
         !param_range(sim, "inm_seats_per_flight", k->seats, 0, INFINITY, P_OPEN)))
        return COR_EINPUT;
    k->caravan_mult = 1;
    if (cor_param(sim, "caravans_detection_mult", &k->caravan_mult) &&
        !param_range(sim, "caravans_detection_mult", k->caravan_mult, 0, INFINITY, 0))
        return COR_EINPUT;

    int rc;
    if ((rc = check_lever(sim, "inm_agents", SC_PLACES | SC_LINKS | SC_WHERE | SC_MX, INFINITY,
                          "allowed: places in Mexico or links")) ||
        (rc = check_lever(sim, "inm_detention_capacity", 0, INFINITY, "it is national: no scope")) ||
        (rc = check_lever(sim, "inm_flights_per_week", SC_GROUPS, INFINITY, "allowed: groups, the destination nationality")) ||
        (rc = check_lever(sim, "inm_alternatives_share", SC_PLACES | SC_GROUPS | SC_DEMOS, 1,
                          "allowed: places, groups, demographics")) ||
        (rc = check_lever(sim, "inm_budget_mxn", 0, INFINITY, "it is national: no scope")))
        return rc;

    k->mx_place = calloc((size_t)k->P + 1, 1);
    k->mexican = calloc((size_t)k->G + 1, 1);
    k->by_land = calloc((size_t)k->G + 1, 1);
    k->home = calloc((size_t)k->G + 1, sizeof *k->home);
    k->h_place = calloc((size_t)k->P + 1, sizeof *k->h_place);
    k->h_link = calloc((size_t)k->L + 1, sizeof *k->h_link);
    k->queue = calloc((size_t)k->G + 1, sizeof *k->queue);
    if (!k->mx_place || !k->mexican || !k->by_land || !k->home || !k->h_place || !k->h_link || !k->queue)
        return cor_sim_fail(sim, COR_ENOMEM, "out of memory");
    for (int p = 0; p < k->P; p++)
        k->mx_place[p] = (uint8_t)in_country(&sc->places[p], "MX");
    for (int g = 0; g < k->G; g++) {
        k->home[g] = cor_home_place(sim, g);
        k->mexican[g] = (uint8_t)cor_group_is(sim, g, "MX");
        for (size_t i = 0; i < sizeof land_countries / sizeof *land_countries; i++)
            if (cor_group_is(sim, g, land_countries[i]))
                k->by_land[g] = 1;
    }
    k->dirty = 1;
    k->capacity = INFINITY;
    k->counted_day = INT32_MIN;
    return COR_OK;
}

/* ---------------------------------------------------------------- helpers */

/* Can this person be detected (or detained, when handed over)? */
static inline int eligible(const inm *k, const cor_agents *ag, uint32_t a)
{
    int st = ag->status[a];
    return (st == COR_ST_WAITING || st == k->st_sheltered || st == COR_ST_TRAVELLING) && !k->mexican[ag->group[a]] &&
           !(ag->flags[a] & (k->f_exit | k->f_tvrh));
}

/* The day a detainee detained on `since` leaves detention: by land after
 * 1 + G days (G geometric, mean inm_detention_days - 1) if the home country
 * is reached by road, capped at the maximum stay (then: released). */
static int32_t release_day(const inm *k, const cor_sim *sim, uint32_t a, int32_t since)
{
    if (!k->by_land[sim->agents.group[a]])
        return since + k->max_days;
    cor_rand2 r = cor_rng_draw(&sim->rng, a, since, COR_RNG_INM_LAND_DAYS, 0);
    int32_t days = 1 + cor_geometric_f(r.w[0], k->f_det);
    return since + (days < k->max_days ? days : k->max_days);
}

/* Per-agent draws on the agent's own stream (not a caravan's shared one:
 * detention outcomes are individual). */
static inline double u01(const cor_ctx *c, uint32_t a, uint16_t purpose)
{
    return cor_u01(cor_rng_draw(&c->sim->rng, a, c->day, purpose, 0).w[0]);
}

static void refresh(inm *k, cor_sim *sim)
{
    double v;
    for (int p = 0; p < k->P; p++)
        k->h_place[p] = k->mx_place[p] && cor_lever(sim, k->lv_agents, p, -1, -1, -1, &v) ? v * k->h_agent : 0;
    for (int l = 0; l < k->L; l++)
        k->h_link[l] = cor_lever(sim, k->lv_agents, -1, l, -1, -1, &v) ? v * k->h_agent : 0;
    k->capacity = cor_lever(sim, k->lv_cap, -1, -1, -1, -1, &v) ? v : INFINITY;
    for (int g = 0; g < k->G; g++)
        k->queue[g].per_week = cor_lever(sim, k->lv_flights, -1, -1, g, -1, &v) ? v : 0;
    k->dirty = 0;
}

static int push_slot(inm_queue *q, uint32_t a, int32_t day)
{
    if (q->head > 0 && q->head >= q->n / 2) { /* compact: drop the served part */
        memmove(q->q, q->q + q->head, sizeof *q->q * (size_t)(q->n - q->head));
        q->n -= q->head;
        q->head = 0;
    }
    if (q->n == q->cap) {
        int64_t cap = q->cap ? 2 * q->cap : 256;
        inm_slot *s = realloc(q->q, sizeof *s * (size_t)cap);
        if (!s)
            return -1;
        q->q = s;
        q->cap = cap;
    }
    q->q[q->n++] = (inm_slot){a, day};
    return 0;
}

/* ---------------------------------------------------------------- hooks */

static void lever_changed(cor_ctx *c, void *state, const cor_lever_change *ch)
{
    inm *k = state;
    (void)c;
    if (ch->lever == k->lv_agents || ch->lever == k->lv_cap || ch->lever == k->lv_flights)
        k->dirty = 1;
}

/* Deportation flights: each group's seats for the day (flights per week x
 * seats / 7, plus the seats carried from the days before) go to its
 * detainees in detention order while a whole agent (scale people) fits.
 * Seats not used stay available for up to a week (flights are weekly),
 * so that coarse agents do not waste more seats than fine ones. */
static void fly(inm *k, cor_ctx *c)
{
    cor_sim *sim = c->sim;
    cor_agents *ag = &sim->agents;
    double scale = sim->scale;
    for (int g = 0; g < k->G; g++) {
        inm_queue *q = &k->queue[g];
        double avail = q->per_week > 0 ? q->seats + q->per_week * k->seats / 7.0 : 0;
        while (q->head < q->n) {
            inm_slot s = q->q[q->head];
            if (ag->status[s.a] != k->st_detained || ag->since[s.a] != s.day) {
                q->head++; /* left detention another way */
                continue;
            }
            if (avail < scale - 1e-9)
                break;
            q->head++;
            avail -= scale;
            cor_event(c, k->s_air, (int)ag->place[s.a], s.a);
            cor_move_to(c, s.a, k->home[g], k->st_home);
            cor_wait(c, s.a, 1);
        }
        if (avail < 0)
            avail = 0;
        /* at most a week of unused seats, but at least one agent's worth:
         * a small flight schedule must still fly someone at a large scale */
        double keep = fmax(q->per_week * k->seats, scale);
        q->seats = avail < keep ? avail : keep;
    }
}

static void day_start(cor_ctx *c, void *state)
{
    inm *k = state;
    cor_sim *sim = c->sim;
    if (!k->names_done) { /* registered by modules above this one, if loaded */
        k->f_tvrh = cor_flag_find(sim, "tvrh_holder");
        k->f_caravan = cor_flag_find(sim, "caravan");
        k->names_done = 1;
    }
    if (k->dirty)
        refresh(k, sim);
    double budget;
    if (cor_lever(sim, k->lv_budget, -1, -1, -1, -1, &budget) && budget > 0) {
        int y, m, d;
        cor_civil_from_days(c->day, &y, &m, &d);
        int32_t days = cor_days_from_civil(y + 1, 1, 1) - cor_days_from_civil(y, 1, 1);
        cor_series_add(sim, k->s_spend, -1, -1, -1, budget / days);
    }
    fly(k, c);
}

/* Detection on arrival, after the layers below have set the stay. */
static void arrive(cor_ctx *c, void *state, uint32_t a, int place, int arc)
{
    const inm *k = state;
    cor_next_arrive(c, a, place, arc);
    double hp = k->h_place[place], hl = arc >= 0 ? k->h_link[c->sim->net.arcs[arc].link] : 0;
    if (hp == 0 && hl == 0)
        return;
    const cor_agents *ag = &c->sim->agents;
    if (!k->mx_place[place] || ag->place[a] != (uint32_t)place || !eligible(k, ag, a))
        return;
    int64_t d = ag->next_day[a] == COR_NEVER ? 1 : (int64_t)ag->next_day[a] - c->day;
    double h = hl + hp * (double)(d < 1 ? 1 : d);
    if (ag->flags[a] & k->f_caravan)
        h *= k->caravan_mult;
    if (u01(c, a, COR_RNG_INM_DETECT) < -expm1(-h))
        cor_request(c, a, k->req);
}

/* A person handed over (inm_detain): alternatives, a place in detention,
 * or release with an exit order when the stations are full. */
static void resolve(cor_ctx *c, void *state, uint32_t a, int request)
{
    inm *k = state;
    if (request != k->req) {
        cor_next_resolve(c, a, request);
        return;
    }
    cor_sim *sim = c->sim;
    cor_agents *ag = &sim->agents;
    if (!eligible(k, ag, a)) /* got a visa, applied for asylum, already detained today... */
        return;
    int place = (int)ag->place[a];
    double alt;
    if (cor_lever(sim, k->lv_alt, place, -1, ag->group[a], ag->demo[a], &alt) && alt > 0 &&
        u01(c, a, COR_RNG_INM_ALTERNATIVE) < alt) {
        ag->flags[a] |= k->f_exit;
        cor_event(c, k->s_alt, place, a);
        return;
    }
    if (k->counted_day != c->day) { /* detained now: today's flights, deportations and releases are done */
        k->detained = 0;
        for (int p = 0; p < k->P; p++)
            k->detained += cor_count(sim, p, k->st_detained);
        k->counted_day = c->day;
    }
    if ((double)(k->detained + 1) * sim->scale > k->capacity + 1e-9) {
        ag->flags[a] |= k->f_exit; /* stations full */
        cor_event(c, k->s_exit, place, a);
        return;
    }
    if (ag->status[a] == COR_ST_TRAVELLING)
        cor_move_to(c, a, place, k->st_detained);
    else
        cor_set_status(c, a, k->st_detained);
    k->detained++;
    cor_wait(c, a, release_day(k, sim, a, c->day) - c->day);
    if (push_slot(&k->queue[ag->group[a]], a, c->day)) {
        c->failed = 1;
        return;
    }
    cor_event(c, k->s_det, place, a);
    if (ag->status[a] != k->st_detained) /* an observer moved them on (due_process -> comar) */
        k->detained--;
}

/* Detainees whose day has come: deported by land, or released with an exit
 * order at the maximum stay.  Woken early (by another module): back to wait. */
static void decide(cor_ctx *c, void *state, uint32_t a)
{
    const inm *k = state;
    cor_agents *ag = &c->sim->agents;
    if (ag->status[a] != k->st_detained) {
        cor_next_decide(c, a);
        return;
    }
    int32_t since = ag->since[a], due = release_day(k, c->sim, a, since);
    if (c->day < due) {
        cor_wait(c, a, due - c->day);
        return;
    }
    int place = (int)ag->place[a];
    if (c->day - since < k->max_days) {
        cor_event(c, k->s_land, place, a);
        cor_move_to(c, a, k->home[ag->group[a]], k->st_home);
        cor_wait(c, a, 1);
        return;
    }
    ag->flags[a] |= k->f_exit;
    cor_set_status(c, a, COR_ST_WAITING);
    cor_event(c, k->s_exit, place, a);
    cor_next_decide(c, a);
}

static void month_end(cor_ctx *c, void *state, int month)
{
    const inm *k = state;
    (void)month;
    for (int p = 0; p < k->P; p++) {
        int64_t n = cor_count(c->sim, p, k->st_detained);
        if (n)
            cor_series_stock(c->sim, k->s_stock, p, -1, -1, (double)n);
    }
}

const cor_rules cor_inm_rules = {
    .name = "inm",
    .setup = setup,
    .teardown = teardown,
    .decide = decide,
    .arrive = arrive,
    .resolve = resolve,
    .lever_changed = lever_changed,
    .day_start = day_start,
    .month_end = month_end,
};
