/* closures.c - closed crossings and rail bridges (see closures.h and
 * docs/modules/closures.md). */
#include "us/closures.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    int lv_crossing, lv_rail;
    int s_cost, s_days;
    double cost_per_day;
    double detour_km;          /* the corridor rules' route_detour_km; 0: not the corridor rules */
    int st_sheltered;
    int P, G;
    int *in_start, *in_arcs;   /* arcs into each place: in_arcs[in_start[p] .. in_start[p+1]) */
    double *dist;              /* [(G * DEMOS) * P]: km to a us_sector by links open today */
    uint8_t *done;             /* [P] scratch */
    int *stack;                /* [P] scratch */
    uint8_t *wake;             /* [P] places whose people are woken today */
    uint8_t *closed_place;     /* [P] scratch for closure_days */
    int n_wake;
    int any_closed;            /* crossing_closed entries in force today */
    int dirty;
} closures;

/* ---------------------------------------------------------------- set-up */

static int check_timeline(cor_sim *sim, int *has_rail)
{
    const cor_scenario *sc = sim->sc;
    *has_rail = 0;
    for (int i = 0; i < sc->n_timeline; i++) {
        const cor_sc_lever *t = &sc->timeline[i];
        int rail = strcmp(t->lever, "rail_bridge_closed") == 0;
        if (!rail && strcmp(t->lever, "crossing_closed") != 0)
            continue;
        *has_rail |= rail;
        if (!(isfinite(t->value) && t->value >= 0))
            return cor_sim_fail(sim, COR_EINPUT, "%s:%d: timeline[%d].value: %s must be >= 0 (got %g)", t->pos.file,
                                t->pos.line, t->index, t->lever, t->value);
        if (rail && (t->scope.n_links || t->scope.n_groups || t->scope.demo_mask))
            return cor_sim_fail(sim, COR_EINPUT,
                                "%s:%d: timeline[%d].scope: rail_bridge_closed is scoped by places only (it moves no "
                                "migrants)",
                                t->pos.file, t->pos.line, t->index);
    }
    return COR_OK;
}

static int setup(cor_sim *sim, void **state)
{
    closures *k = calloc(1, sizeof *k);
    if (!k)
        return cor_sim_fail(sim, COR_ENOMEM, "out of memory");
    *state = k;
    const cor_network *net = &sim->net;
    k->P = net->n_places;
    k->G = sim->n_groups;
    k->lv_crossing = cor_lever_register(sim, "crossing_closed");
    k->lv_rail = cor_lever_register(sim, "rail_bridge_closed");
    k->s_cost = cor_series_register(sim, "closure_cost_usd", COR_VALUE, "closure_cost_usd", COR_AGG_SUM);
    k->s_days = cor_series_register(sim, "closure_days", COR_VALUE, NULL, COR_AGG_SUM);
    k->st_sheltered = cor_status_find(sim, "sheltered");
    if (k->lv_crossing < 0 || k->lv_rail < 0 || k->s_cost < 0 || k->s_days < 0)
        return cor_sim_fail(sim, COR_ENOMEM, "module closures: cannot register its levers or series");
    int has_rail, rc = check_timeline(sim, &has_rail);
    if (rc)
        return rc;
    const char *name = "closures_cost_usd_per_day";
    int given = has_rail ? cor_param_require(sim, name, "module closures (rail_bridge_closed)", &k->cost_per_day)
                         : cor_param(sim, name, &k->cost_per_day);
    if (has_rail && !given)
        return COR_EINPUT;
    if (given && !(isfinite(k->cost_per_day) && k->cost_per_day >= 0)) {
        const cor_sc_param *p = cor_param_find(sim, name);
        return cor_sim_fail(sim, COR_EINPUT, "%s:%d: parameters.%s.value: must be >= 0 (got %g)", p->pos.file,
                            p->pos.line, name, k->cost_per_day);
    }
    int P = k->P, A = net->n_arcs;
    k->in_start = calloc((size_t)P + 1, sizeof *k->in_start);
    k->in_arcs = calloc((size_t)A + 1, sizeof *k->in_arcs);
    k->dist = calloc((size_t)P * k->G * COR_N_DEMOS + 1, sizeof *k->dist);
    k->done = calloc((size_t)P + 1, 1);
    k->stack = calloc((size_t)P + 1, sizeof *k->stack);
    k->wake = calloc((size_t)P + 1, 1);
    k->closed_place = calloc((size_t)P + 1, 1);
    if (!k->in_start || !k->in_arcs || !k->dist || !k->done || !k->stack || !k->wake || !k->closed_place)
        return cor_sim_fail(sim, COR_ENOMEM, "out of memory");
    for (int i = 0; i < A; i++)
        k->in_start[net->arcs[i].to + 1]++;
    for (int p = 0; p < P; p++)
        k->in_start[p + 1] += k->in_start[p];
    int *pos = k->stack; /* scratch */
    memcpy(pos, k->in_start, sizeof *pos * (size_t)P);
    for (int i = 0; i < A; i++)
        k->in_arcs[pos[net->arcs[i].to]++] = i;
    /* the corridor rules weigh a link by the detour it implies towards the
     * nearest sector: with closures, that detour is measured by open links */
    if (strcmp(sim->layers[0].rules->name, "corridor") != 0 ||
        !(cor_param(sim, "route_detour_km", &k->detour_km) && k->detour_km > 0))
        k->detour_km = 0;
    k->dirty = 1;
    return COR_OK;
}

static void teardown(void *state)
{
    closures *k = state;
    free(k->in_start);
    free(k->in_arcs);
    free(k->dist);
    free(k->done);
    free(k->stack);
    free(k->wake);
    free(k->closed_place);
    free(k);
}

/* ---------------------------------------------------------------- routes */

static inline int arc_closed(const cor_sim *sim, const closures *k, int arc, int g, int d)
{
    const cor_arc *x = &sim->net.arcs[arc];
    double v;
    return cor_lever(sim, k->lv_crossing, x->to, x->link, g, d, &v) && v > 0;
}

static int n_active(const cor_levers *lv, int lever)
{
    return lv->active_start[lever + 1] - lv->active_start[lever];
}

/* dist[g][d][p]: km from p to the nearest us_sector place by links open to
 * (g, d) today (INFINITY: none reachable): the engine's dist_border without
 * the closed links (Dijkstra backwards from the sectors; O(P^2) per group
 * and demographic, on the days closures change). */
static void compute_dist(const cor_sim *sim, closures *k)
{
    const cor_network *net = &sim->net;
    int P = k->P, G = k->G, D = COR_N_DEMOS;
    for (int g = 0; g < G; g++)
        for (int d = 0; d < D; d++) {
            double *dist = &k->dist[((int64_t)g * D + d) * P];
            for (int p = 0; p < P; p++) {
                dist[p] = net->kind[p] == COR_KIND_US_SECTOR ? 0 : INFINITY;
                k->done[p] = 0;
            }
            for (;;) {
                int u = -1;
                for (int p = 0; p < P; p++)
                    if (!k->done[p] && isfinite(dist[p]) && (u < 0 || dist[p] < dist[u]))
                        u = p;
                if (u < 0)
                    break;
                k->done[u] = 1;
                for (int j = k->in_start[u]; j < k->in_start[u + 1]; j++) {
                    int arc = k->in_arcs[j];
                    const cor_arc *x = &net->arcs[arc];
                    double nd = dist[u] + x->km;
                    if (nd < dist[x->from] && !arc_closed(sim, k, arc, g, d))
                        dist[x->from] = nd;
                }
            }
        }
}

/* The corridor rules' detour term exp(-extra / L0), extra = km + D(to) -
 * D(from) (at least 0; 0 when D(from) is infinite), for distances D. */
static double detour_term(const cor_arc *x, double dto, double dfrom, double L0)
{
    double extra = isfinite(dfrom) ? x->km + dto - dfrom : 0;
    return exp(-(extra > 0 ? extra : 0) / L0);
}

/* A closed link weighs 0, and so does a link into a place from which no
 * sector can be reached by open links.  With the corridor rules, the
 * detour term is recomputed with the distances by open links (the weight
 * is multiplied by the ratio of the two terms, so the corridor's other
 * factors stay): upstream, people re-route to the crossings still open. */
static double link_weight(cor_ctx *c, void *state, int arc, int group, int demo)
{
    const closures *k = state;
    double w = cor_next_link_weight(c, arc, group, demo);
    if (!k->any_closed || !(w > 0))
        return w;
    const cor_sim *sim = c->sim;
    if (arc_closed(sim, k, arc, group, demo))
        return 0;
    const cor_arc *x = &sim->net.arcs[arc];
    const double *dist = &k->dist[((int64_t)group * COR_N_DEMOS + demo) * k->P];
    if (!isfinite(dist[x->to]))
        return 0;
    if (k->detour_km > 0) {
        const double *d0 = sim->net.dist_border;
        double before = detour_term(x, d0[x->to], d0[x->from], k->detour_km);
        if (before > 0)
            w *= detour_term(x, dist[x->to], dist[x->from], k->detour_km) / before;
    }
    return w;
}

/* ---------------------------------------------------------------- changes */

static void lever_changed(cor_ctx *c, void *state, const cor_lever_change *ch)
{
    closures *k = state;
    if (ch->lever != k->lv_crossing)
        return;
    k->dirty = 1;
    /* the places where a link this entry closes (or closed) starts */
    const cor_network *net = &c->sim->net;
    const cor_scope *s = &c->sim->levers.entries[ch->entry].scope;
    for (int i = 0; i < net->n_arcs; i++) {
        const cor_arc *x = &net->arcs[i];
        if (cor_scope_has_place(s, x->to) && cor_scope_has_link(s, x->link) && !k->wake[x->from]) {
            k->wake[x->from] = 1;
            k->n_wake++;
        }
    }
}

static void day_start(cor_ctx *c, void *state)
{
    closures *k = state;
    cor_sim *sim = c->sim;
    if (k->dirty) {
        k->any_closed = n_active(&sim->levers, k->lv_crossing) > 0;
        if (k->any_closed)
            compute_dist(sim, k);
        k->dirty = 0;
    }
    if (k->n_wake) {
        /* people waiting or resting there choose again today, with the
         * route tables the engine rebuilds after day_start */
        const cor_agents *ag = &sim->agents;
        for (int64_t a = 0; a < ag->n; a++) {
            int st = ag->status[a];
            if ((st == COR_ST_WAITING || (k->st_sheltered >= 0 && st == k->st_sheltered)) && k->wake[ag->place[a]] &&
                cor_wake(sim, (uint32_t)a))
                return;
        }
        memset(k->wake, 0, (size_t)k->P);
        k->n_wake = 0;
    }
}

/* ---------------------------------------------------------------- records */

static void mark(closures *k, const cor_scope *s, const cor_sim *sim, int *nowhere)
{
    if (s->n_places) {
        for (int i = 0; i < s->n_places; i++)
            k->closed_place[s->places[i]] = 1;
    } else if (s->n_links) {
        for (int i = 0; i < s->n_links; i++)
            k->closed_place[sim->sc->links[s->links[i]].to] = 1;
    } else {
        *nowhere = 1;
    }
}

static void day_end(cor_ctx *c, void *state)
{
    closures *k = state;
    cor_sim *sim = c->sim;
    const cor_levers *lv = &sim->levers;
    int rail = 0, nowhere = 0, any = 0;
    int levers[2] = {k->lv_crossing, k->lv_rail};
    for (int l = 0; l < 2; l++)
        for (int j = lv->active_start[levers[l]]; j < lv->active_start[levers[l] + 1]; j++) {
            const cor_lever_entry *e = &lv->entries[lv->active[j]];
            if (!(e->value > 0))
                continue;
            any = 1;
            rail |= levers[l] == k->lv_rail;
            mark(k, &e->scope, sim, &nowhere);
        }
    if (!any)
        return;
    if (rail && k->cost_per_day > 0)
        cor_series_add(sim, k->s_cost, -1, -1, -1, k->cost_per_day);
    if (nowhere)
        cor_series_add(sim, k->s_days, -1, -1, -1, 1);
    for (int p = 0; p < k->P; p++)
        if (k->closed_place[p]) {
            cor_series_add(sim, k->s_days, p, -1, -1, 1);
            k->closed_place[p] = 0;
        }
}

const cor_rules cor_closures_rules = {
    .name = "closures",
    .setup = setup,
    .teardown = teardown,
    .link_weight = link_weight,
    .lever_changed = lever_changed,
    .day_start = day_start,
    .day_end = day_end,
};
