/* corridor.c - the corridor rules (see corridor.h and docs/MODEL.md). */
#include "corridor/corridor.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

typedef struct {
    int st_sheltered, st_arrived;
    int req_rest;                          /* request code "corridor_rest": ask for a bed */
    cor_encounter_ids enc;
    double detour_km, risk_aversion, mode_pref[COR_N_MODES];
    double transit_wait, rest_prob, rest_days, border_wait;
    double f_transit, f_rest, f_border;   /* cor_geometric_factor of the three means */
} corridor;

static int has_kind(const cor_sim *sim, int kind)
{
    for (int p = 0; p < sim->net.n_places; p++)
        if (sim->net.kind[p] == kind)
            return 1;
    return 0;
}

static int positive(cor_sim *sim, const char *name, double v, int allow_zero)
{
    if (isfinite(v) && (v > 0 || (allow_zero && v == 0)))
        return 1;
    const cor_sc_param *p = cor_param_find(sim, name);
    cor_sim_fail(sim, COR_EINPUT, "%s:%d: parameters.%s.value: must be %s (got %g)", p->pos.file, p->pos.line, name,
                 allow_zero ? ">= 0" : "> 0", v);
    return 0;
}

static int setup(cor_sim *sim, void **state)
{
    corridor *k = calloc(1, sizeof *k);
    if (!k)
        return cor_sim_fail(sim, COR_ENOMEM, "out of memory");
    *state = k;
    k->st_sheltered = cor_status_register(sim, "sheltered", 0);
    k->st_arrived = cor_status_register(sim, "arrived", COR_STATUS_TERMINAL);
    if (k->st_sheltered < 0 || k->st_arrived < 0)
        return cor_sim_fail(sim, COR_ENOMEM, "out of memory");
    int rc = cor_encounter_setup(sim, &k->enc);
    if (rc)
        return rc;
    if (!(k->req_rest = cor_request_register(sim, "corridor_rest")))
        return cor_sim_fail(sim, COR_ENOMEM, "cannot register the corridor's request");
    const char *who = "the corridor rules";
    if (!cor_param_require(sim, "route_detour_km", who, &k->detour_km) ||
        !positive(sim, "route_detour_km", k->detour_km, 0) ||
        !cor_param_require(sim, "route_risk_aversion", who, &k->risk_aversion) ||
        !positive(sim, "route_risk_aversion", k->risk_aversion, 1))
        return COR_EINPUT;
    for (int m = 0; m < COR_N_MODES; m++) {
        char name[64];
        snprintf(name, sizeof name, "mode_pref_%s", cor_mode_names[m]);
        k->mode_pref[m] = 1.0;
        if (cor_param(sim, name, &k->mode_pref[m]) && !positive(sim, name, k->mode_pref[m], 1))
            return COR_EINPUT;
    }
    if (has_kind(sim, COR_KIND_TRANSIT) || has_kind(sim, COR_KIND_BORDER_CROSSING) ||
        has_kind(sim, COR_KIND_ORIGIN) || has_kind(sim, COR_KIND_SHELTER)) {
        if (!cor_param_require(sim, "transit_wait_days", "transit, origin, border_crossing and shelter places",
                               &k->transit_wait) ||
            !positive(sim, "transit_wait_days", k->transit_wait, 1))
            return COR_EINPUT;
    }
    if (has_kind(sim, COR_KIND_SHELTER)) {
        if (!cor_param_require(sim, "shelter_rest_prob", "shelter places", &k->rest_prob) ||
            !cor_param_require(sim, "shelter_rest_days", "shelter places", &k->rest_days) ||
            !positive(sim, "shelter_rest_days", k->rest_days, 1))
            return COR_EINPUT;
        if (!(k->rest_prob >= 0 && k->rest_prob <= 1)) {
            const cor_sc_param *p = cor_param_find(sim, "shelter_rest_prob");
            return cor_sim_fail(sim, COR_EINPUT, "%s:%d: parameters.shelter_rest_prob.value: must be in [0, 1] (got %g)",
                                p->pos.file, p->pos.line, k->rest_prob);
        }
    }
    if (has_kind(sim, COR_KIND_BORDER_CITY) &&
        (!cor_param_require(sim, "border_wait_days", "border_city places", &k->border_wait) ||
         !positive(sim, "border_wait_days", k->border_wait, 1)))
        return COR_EINPUT;
    k->f_transit = cor_geometric_factor(k->transit_wait);
    k->f_rest = cor_geometric_factor(k->rest_days);
    k->f_border = cor_geometric_factor(k->border_wait);
    return COR_OK;
}

static void teardown(void *state) { free(state); }

/* weight = link weight x mode preference x exp(-a risk) x exp(-extra km / L0),
 * extra km = km + D(to) - D(from) >= 0 (detour relative to the shortest way
 * to the border from here); 0 if the border cannot be reached from `to`. */
static double link_weight(cor_ctx *c, void *state, int arc, int group, int demo)
{
    const corridor *k = state;
    const cor_network *net = &c->sim->net;
    const cor_arc *x = &net->arcs[arc];
    double dto = net->dist_border[x->to], dfrom = net->dist_border[x->from];
    if (!isfinite(dto))
        return 0;
    double extra = x->km + dto - (isfinite(dfrom) ? dfrom : dto + x->km);
    if (extra < 0)
        extra = 0;
    return cor_next_link_weight(c, arc, group, demo) * k->mode_pref[x->mode] * exp(-k->risk_aversion * x->risk) *
           exp(-extra / k->detour_km);
}

/* The corridor's random words for (agent, day): see COR_RNG_CORRIDOR. */
static inline cor_rand2 draw(cor_ctx *c, uint32_t a, uint16_t index) { return cor_draw(c, a, COR_RNG_CORRIDOR, index); }

static void move_on(cor_ctx *c, uint32_t a)
{
    int arc = cor_choose_arc(c, a, cor_u01(draw(c, a, 0).w[0]));
    if (arc < 0)
        cor_wait(c, a, 7); /* nowhere to go: look again in a week (levers may reopen a way) */
    else
        cor_depart(c, a, arc);
}

static void decide(cor_ctx *c, void *state, uint32_t a)
{
    const corridor *k = state;
    const cor_agents *ag = &c->sim->agents;
    int st = ag->status[a];
    if (st == COR_ST_TRAVELLING) {
        cor_next_decide(c, a);
        return;
    }
    if (st != COR_ST_WAITING && st != k->st_sheltered) {
        cor_next_decide(c, a); /* a status some other layer owns */
        return;
    }
    int kind = c->sim->net.kind[ag->place[a]];
    if (kind == COR_KIND_US_SECTOR || kind == COR_KIND_DESTINATION) {
        cor_finish(c, a, k->st_arrived);
        return;
    }
    move_on(c, a);
}

/* Wait 1 + G days, G geometric with the mean behind factor f. */
static inline void dwell(cor_ctx *c, uint32_t a, double f)
{
    cor_wait(c, a, f != 0.0 ? 1 + cor_geometric_f(draw(c, a, 0).w[1], f) : 1);
}

static void arrive(cor_ctx *c, void *state, uint32_t a, int place, int arc)
{
    const corridor *k = state;
    (void)arc;
    switch (c->sim->net.kind[place]) {
    case COR_KIND_US_SECTOR:
        /* no US processing in these rules: an encounter, and the person is in */
        cor_encounter_count(c, &k->enc, a, place, COR_TITLE8);
        cor_finish(c, a, k->st_arrived);
        break;
    case COR_KIND_DESTINATION:
        cor_finish(c, a, k->st_arrived);
        break;
    case COR_KIND_BORDER_CITY:
        dwell(c, a, k->f_border);
        break;
    case COR_KIND_SHELTER:
        dwell(c, a, k->f_transit);
        if (k->rest_prob > 0 && cor_u01(draw(c, a, 1).w[0]) < k->rest_prob)
            cor_request(c, a, k->req_rest);
        break;
    default:
        dwell(c, a, k->f_transit);
        break;
    }
}

/* A bed if one is free (beds go in ascending agent id); otherwise the agent
 * keeps the ordinary wait set on arrival. */
static void resolve(cor_ctx *c, void *state, uint32_t a, int request)
{
    const corridor *k = state;
    if (request != k->req_rest) {
        cor_next_resolve(c, a, request);
        return;
    }
    const cor_sim *sim = c->sim;
    int place = (int)sim->agents.place[a];
    int64_t cap = sim->net.capacity[place];
    if (cap >= 0 && cor_count(sim, place, k->st_sheltered) * sim->scale + sim->scale > (double)cap + 1e-9)
        return;
    cor_set_status(c, a, k->st_sheltered);
    cor_wait(c, a, 1 + cor_geometric_f(draw(c, a, 1).w[1], k->f_rest));
}

const cor_rules cor_corridor_rules = {
    .name = "corridor",
    .setup = setup,
    .teardown = teardown,
    .decide = decide,
    .arrive = arrive,
    .resolve = resolve,
    .link_weight = link_weight,
};
