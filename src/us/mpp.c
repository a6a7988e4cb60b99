/* mpp.c - Remain in Mexico (see mpp.h and docs/modules/mpp.md). */
#include "us/mpp.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "us/encounter.h"

#define FAR_DAY (INT32_MAX - 1) /* "never" for an agent that must stay wakeable */

typedef struct {
    int st_mpp, st_released, st_home, st_returned;
    int lv_mpp, lv_cap, lv_suspended;
    int req;
    int s_returned, s_hearings, s_relief, s_abandoned, s_stranded;
    int col_arc;
    cor_encounter_ids enc;
    double hearing_days, attend, relief, abandon_rate;
    double f_hearing, f_abandon;  /* cor_geometric_factor of the two delays */
    int P, G;
    uint8_t *mx;                  /* [P] place in Mexico */
    uint8_t *sector;              /* [P] us_sector place */
    int *home;                    /* [G] home place */
    uint8_t *eligible;            /* [G * DEMOS]: not Mexican, not an unaccompanied child */
    uint8_t *on;                  /* [P * G * DEMOS]: mpp in force at the sector today */
    int any_on;
    int suspended;                /* no hearings today */
    int resume;                   /* hearings resume today: wake those overdue */
    int dirty;
    int64_t slots;                /* agents that may still be enrolled today */
    double carry;                 /* people: fractional remainder of the cap */
} mpp;

/* ---------------------------------------------------------------- set-up */

static int need(cor_sim *sim, const char *name, double lo, double hi, double *v)
{
    return cor_param_in(sim, name, "module mpp", lo, hi, 0, v);
}

static int check_timeline(cor_sim *sim)
{
    const cor_scenario *sc = sim->sc;
    for (int i = 0; i < sc->n_timeline; i++) {
        const cor_sc_lever *t = &sc->timeline[i];
        int cap = strcmp(t->lever, "mpp_daily_cap") == 0 || strcmp(t->lever, "mpp_hearings_suspended") == 0;
        if (!cap && strcmp(t->lever, "mpp") != 0)
            continue;
        if (!(isfinite(t->value) && t->value >= 0))
            return cor_sim_fail(sim, COR_EINPUT, "%s:%d: timeline[%d].value: %s must be >= 0 (got %g)", t->pos.file,
                                t->pos.line, t->index, t->lever, t->value);
        const cor_sc_scope *s = &t->scope;
        if (cap && (s->n_places || s->n_links || s->n_groups || s->demo_mask))
            return cor_sim_fail(sim, COR_EINPUT, "%s:%d: timeline[%d].scope: %s is national: remove the scope",
                                t->pos.file, t->pos.line, t->index, t->lever);
        if (!cap && s->n_links)
            return cor_sim_fail(sim, COR_EINPUT,
                                "%s:%d: timeline[%d].scope: mpp is scoped by places (us_sector places), groups and "
                                "demographics, not links",
                                t->pos.file, t->pos.line, t->index);
        for (int j = 0; !cap && j < s->n_places; j++)
            if (sim->net.kind[s->places[j]] != COR_KIND_US_SECTOR)
                return cor_sim_fail(sim, COR_EINPUT,
                                    "%s:%d: timeline[%d].scope.places[%d]: '%s' is not a us_sector place (mpp applies "
                                    "at US sectors)",
                                    t->pos.file, s->place_lines ? s->place_lines[j] : t->pos.line, t->index, j,
                                    sc->places[s->places[j]].id);
    }
    return COR_OK;
}

static int is_mx(const cor_sim *sim, int place)
{
    const char *c = place >= 0 ? sim->sc->places[place].country : NULL;
    return c && strcmp(c, "MX") == 0;
}

static int setup(cor_sim *sim, void **state)
{
    mpp *k = calloc(1, sizeof *k);
    if (!k)
        return cor_sim_fail(sim, COR_ENOMEM, "out of memory");
    *state = k;
    if (!cor_module_loaded(sim, "title8"))
        return cor_sim_fail(sim, COR_EINPUT, "module mpp needs module title8: add it to meta.modules");
    if (!cor_module_loaded(sim, "returns"))
        return cor_sim_fail(sim, COR_EINPUT, "module mpp needs module returns: add it to meta.modules");
    k->P = sim->net.n_places;
    k->G = sim->n_groups;
    k->st_mpp = cor_status_register(sim, "mpp_waiting", 0);
    k->st_released = cor_status_register(sim, "us_released", COR_STATUS_TERMINAL);
    k->st_home = cor_status_register(sim, "home", 0);
    k->st_returned = cor_status_register(sim, "returned", 0);
    k->lv_mpp = cor_lever_register(sim, "mpp");
    k->lv_cap = cor_lever_register(sim, "mpp_daily_cap");
    k->lv_suspended = cor_lever_register(sim, "mpp_hearings_suspended");
    k->req = cor_request_register(sim, "mpp_enrol");
    k->s_returned = cor_series_register(sim, "mpp_returned", COR_FLOW, "mpp_returned", COR_AGG_SUM);
    k->s_hearings = cor_series_register(sim, "mpp_hearings", COR_FLOW, NULL, COR_AGG_SUM);
    k->s_relief = cor_series_register(sim, "mpp_relief", COR_FLOW, NULL, COR_AGG_SUM);
    k->s_abandoned = cor_series_register(sim, "mpp_abandoned", COR_FLOW, NULL, COR_AGG_SUM);
    k->s_stranded = cor_series_register(sim, "mpp_stranded", COR_STOCK, "mpp_stranded_peak", COR_AGG_PEAK);
    k->col_arc = cor_column_register(sim, "mpp_arc", sizeof(int32_t));
    if (k->st_mpp < 0 || k->st_released < 0 || k->st_home < 0 || k->st_returned < 0 || k->lv_mpp < 0 || k->lv_cap < 0 ||
        k->lv_suspended < 0 || !k->req ||
        k->s_returned < 0 || k->s_hearings < 0 || k->s_relief < 0 || k->s_abandoned < 0 || k->s_stranded < 0 ||
        k->col_arc < 0)
        return cor_sim_fail(sim, COR_ENOMEM, "module mpp: cannot register its statuses, levers, series or column");
    int rc = cor_encounter_setup(sim, &k->enc);
    if (rc)
        return rc;
    if (!need(sim, "mpp_hearing_days", 1, INFINITY, &k->hearing_days) ||
        !need(sim, "mpp_attend_prob", 0, 1, &k->attend) || !need(sim, "mpp_relief_prob", 0, 1, &k->relief) ||
        !need(sim, "mpp_abandon_rate", 0, 1, &k->abandon_rate))
        return COR_EINPUT;
    /* hearing: 1 + geometric with mean hearing_days - 1; abandonment on day
     * 1 + geometric with p = rate (mean (1 - rate) / rate) */
    k->f_hearing = cor_geometric_factor(k->hearing_days - 1);
    k->f_abandon = k->abandon_rate > 0 ? cor_geometric_factor((1 - k->abandon_rate) / k->abandon_rate) : 0.0;

    int P = k->P, G = k->G, D = COR_N_DEMOS;
    k->mx = calloc((size_t)P + 1, 1);
    k->sector = calloc((size_t)P + 1, 1);
    k->home = calloc((size_t)G + 1, sizeof *k->home);
    k->eligible = calloc((size_t)G * D + 1, 1);
    k->on = calloc((size_t)P * G * D + 1, 1);
    if (!k->mx || !k->sector || !k->home || !k->eligible || !k->on)
        return cor_sim_fail(sim, COR_ENOMEM, "out of memory");
    for (int p = 0; p < P; p++) {
        k->mx[p] = (uint8_t)is_mx(sim, p);
        k->sector[p] = sim->net.kind[p] == COR_KIND_US_SECTOR;
    }
    for (int g = 0; g < G; g++) {
        k->home[g] = cor_home_place(sim, g);
        for (int d = 0; d < D; d++)
            k->eligible[g * D + d] = !is_mx(sim, k->home[g]) && d != COR_DEMO_UAC;
    }
    k->dirty = 1;
    return check_timeline(sim);
}

static void teardown(void *state)
{
    mpp *k = state;
    free(k->mx);
    free(k->sector);
    free(k->home);
    free(k->eligible);
    free(k->on);
    free(k);
}

/* The enrolment draws, keyed by the enrolment day: hearing and
 * abandonment delays in days (>= 1; abandonment FAR_DAY if the rate is 0). */
static void delays(const cor_sim *sim, const mpp *k, uint32_t a, int32_t day0, int64_t *hearing, int64_t *abandon)
{
    uint32_t s = a;
    if (sim->stream_col) { /* as cor_draw: agents sharing a stream draw alike */
        const uint32_t *st = (const uint32_t *)sim->agents.cols[sim->stream_col - 1].data;
        if (st[a])
            s = st[a];
    }
    cor_rand2 r = cor_rng_draw(&sim->rng, s, day0, COR_RNG_MPP_ENROL, 0);
    *hearing = 1 + (int64_t)cor_geometric_f(r.w[0], k->f_hearing);
    *abandon = k->abandon_rate > 0 ? 1 + (int64_t)cor_geometric_f(r.w[1], k->f_abandon) : (int64_t)FAR_DAY;
}

static void wait_until(cor_ctx *c, uint32_t a, int64_t day)
{
    int64_t d = day - c->day;
    cor_wait(c, a, d > FAR_DAY ? FAR_DAY : (int32_t)d);
}

/* ---------------------------------------------------------------- levers */

static void lever_changed(cor_ctx *c, void *state, const cor_lever_change *ch)
{
    (void)c;
    mpp *k = state;
    if (ch->lever == k->lv_mpp)
        k->dirty = 1;
    if (ch->lever == k->lv_suspended)
        k->resume = 1; /* checked in day_start: resumed if no longer suspended */
}

static void day_start(cor_ctx *c, void *state)
{
    mpp *k = state;
    const cor_sim *sim = c->sim;
    int G = k->G, D = COR_N_DEMOS;
    if (k->dirty) {
        k->any_on = 0;
        memset(k->on, 0, (size_t)k->P * G * D);
        for (int p = 0; p < k->P; p++) {
            if (!k->sector[p])
                continue;
            for (int g = 0; g < G; g++)
                for (int d = 0; d < D; d++) {
                    double v;
                    int on = k->eligible[g * D + d] && cor_lever(sim, k->lv_mpp, p, -1, g, d, &v) && v > 0;
                    k->on[((int64_t)p * G + g) * D + d] = (uint8_t)on;
                    k->any_on |= on;
                }
        }
        k->dirty = 0;
    }
    double v;
    int was = k->suspended;
    k->suspended = cor_lever(sim, k->lv_suspended, -1, -1, -1, -1, &v) && v > 0;
    if (k->resume && was && !k->suspended) {
        /* hearings resume: those whose hearing day passed meanwhile have it
         * today (a scan of the agents, on this lever change only) */
        const cor_agents *ag = &sim->agents;
        for (int64_t a = 0; a < ag->n; a++) {
            if (ag->status[a] != k->st_mpp)
                continue;
            int64_t hearing, abandon;
            delays(sim, k, (uint32_t)a, ag->since[a], &hearing, &abandon);
            if (ag->since[a] + hearing < c->day && cor_wake(c->sim, (uint32_t)a))
                return;
        }
    }
    k->resume = 0;
    /* today's cap in agents.  Capacity not used on a day stays available
     * for up to a week (the caps are daily averages of monthly enrolment
     * counts): people carried = unused capacity, at most 7 days' worth.
     * Without this, coarse agents (large scale) waste more of the cap on
     * days when few eligible people arrive, and totals depend on the scale. */
    double cap;
    if (cor_lever(sim, k->lv_cap, -1, -1, -1, -1, &cap)) {
        double unused = k->slots > 0 && k->slots < INT64_MAX ? (double)k->slots * sim->scale : 0;
        double carried = k->carry + unused;
        if (carried > fmax(7 * cap, sim->scale)) /* at least one agent's worth, for small caps */
            carried = fmax(7 * cap, sim->scale);
        double people = cap + carried;
        double n = floor(people / sim->scale + 1e-9);
        k->slots = (int64_t)n;
        k->carry = people - n * sim->scale;
        if (k->carry < 0)
            k->carry = 0;
    } else {
        k->slots = INT64_MAX;
        k->carry = 0;
    }
}

/* ---------------------------------------------------------------- agents */

static void arrive(cor_ctx *c, void *state, uint32_t a, int place, int arc)
{
    const mpp *k = state;
    const cor_sim *sim = c->sim;
    if (!k->any_on || !k->sector[place] || arc < 0) {
        cor_next_arrive(c, a, place, arc);
        return;
    }
    const cor_agents *ag = &sim->agents;
    if (!k->on[((int64_t)place * k->G + ag->group[a]) * COR_N_DEMOS + ag->demo[a]] ||
        !k->mx[sim->net.arcs[arc].from]) {
        cor_next_arrive(c, a, place, arc);
        return;
    }
    ((int32_t *)cor_column_data(c->sim, k->col_arc))[a] = arc;
    cor_request(c, a, k->req);
}

static void resolve(cor_ctx *c, void *state, uint32_t a, int request)
{
    mpp *k = state;
    if (request != k->req) {
        cor_next_resolve(c, a, request);
        return;
    }
    cor_sim *sim = c->sim;
    const cor_agents *ag = &sim->agents;
    int arc = ((const int32_t *)cor_column_data(sim, k->col_arc))[a];
    int sector = sim->net.arcs[arc].to, city = sim->net.arcs[arc].from;
    if (ag->status[a] != COR_ST_WAITING || ag->place[a] != (uint32_t)sector)
        return; /* taken by someone else since arriving */
    if (k->slots <= 0) {
        cor_next_arrive(c, a, sector, arc); /* past the day's cap: Title 8 */
        return;
    }
    k->slots--;
    cor_encounter_count(c, &k->enc, a, sector, COR_TITLE8);
    cor_move_to(c, a, city, k->st_mpp);
    cor_event(c, k->s_returned, city, a);
    int64_t hearing, abandon;
    delays(sim, k, a, c->day, &hearing, &abandon);
    wait_until(c, a, c->day + (hearing < abandon ? hearing : abandon));
}

/* Give up waiting (or miss the hearing): a returnee in the border city,
 * whom module returns sends across again, home, or settles (cause mpp, as
 * it reads from mpp_abandoned). */
static void give_up(cor_ctx *c, const mpp *k, uint32_t a)
{
    cor_set_status(c, a, k->st_returned);
    cor_event(c, k->s_abandoned, (int)c->sim->agents.place[a], a);
    cor_wait(c, a, 1);
}

static void decide(cor_ctx *c, void *state, uint32_t a)
{
    const mpp *k = state;
    cor_sim *sim = c->sim;
    const cor_agents *ag = &sim->agents;
    if (ag->status[a] != k->st_mpp) {
        cor_next_decide(c, a);
        return;
    }
    int64_t hearing, abandon;
    delays(sim, k, a, ag->since[a], &hearing, &abandon);
    int64_t due = (int64_t)ag->since[a] + (hearing < abandon ? hearing : abandon);
    if (c->day < due) { /* woken early (e.g. by a closure): keep waiting */
        wait_until(c, a, due);
        return;
    }
    if (abandon < hearing) {
        give_up(c, k, a);
        return;
    }
    if (k->suspended) { /* no hearings: wait until they resume, or give up */
        int64_t give = (int64_t)ag->since[a] + abandon;
        if (give <= c->day)
            give_up(c, k, a);
        else
            wait_until(c, a, give);
        return;
    }
    cor_rand2 r = cor_draw(c, a, COR_RNG_MPP_HEARING, 0);
    if (cor_u01(r.w[0]) >= k->attend) {
        give_up(c, k, a); /* in absentia: still in Mexico */
        return;
    }
    int sector = sim->net.arcs[((const int32_t *)cor_column_data(sim, k->col_arc))[a]].to;
    cor_event(c, k->s_hearings, sector, a);
    if (cor_u01(r.w[1]) < k->relief) {
        cor_event(c, k->s_relief, sector, a);
        cor_move_to(c, a, sector, k->st_released);
        return;
    }
    cor_move_to(c, a, k->home[ag->group[a]], k->st_home); /* removed */
    cor_wait(c, a, 1);
}

/* ---------------------------------------------------------------- records */

static void month_end(cor_ctx *c, void *state, int month)
{
    (void)month;
    const mpp *k = state;
    cor_sim *sim = c->sim;
    for (int p = 0; p < k->P; p++) {
        int64_t n = cor_count(sim, p, k->st_mpp);
        if (n)
            cor_series_stock(sim, k->s_stranded, p, -1, -1, (double)n);
    }
}

int32_t cor_mpp_hearing_day(const cor_sim *sim, uint32_t a)
{
    for (int l = 0; l < sim->n_layers; l++) {
        if (sim->layers[l].rules != &cor_mpp_rules || !sim->layers[l].state)
            continue;
        const mpp *k = sim->layers[l].state;
        if ((int64_t)a >= sim->agents.n || sim->agents.status[a] != k->st_mpp)
            return -1;
        int64_t hearing, abandon;
        delays(sim, k, a, sim->agents.since[a], &hearing, &abandon);
        int64_t day = sim->agents.since[a] + hearing;
        return day > INT32_MAX ? INT32_MAX : (int32_t)day;
    }
    return -1;
}

const cor_rules cor_mpp_rules = {
    .name = "mpp",
    .setup = setup,
    .teardown = teardown,
    .decide = decide,
    .arrive = arrive,
    .resolve = resolve,
    .lever_changed = lever_changed,
    .day_start = day_start,
    .month_end = month_end,
};
