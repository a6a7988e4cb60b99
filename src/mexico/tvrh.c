/* tvrh.c - humanitarian visas (see tvrh.h and docs/modules/tvrh.md). */
#include "mexico/tvrh.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    double used;                 /* people given a visa in this window */
    uint8_t done;                /* no visa left */
    uint8_t opened;              /* started today: offer visas to people already there */
} window;

typedef struct {
    int lv_quota, req_apply, req_detain, s_issued, s_applied, st_sheltered;
    uint8_t flag_holder;
    double apply_prob;
    int P, G;
    uint8_t *mexican;            /* [G] */
    int *win;                    /* [(P * G + g) * DEMOS + d]: issuing entry in force today, or -1 */
    int any;                     /* some window is issuing today */
    int dirty, opened;           /* levers changed; some window opened today */
    window *w;                   /* per lever entry (index into sim->levers.entries) */
    int n_w;
} tvrh;

/* ---------------------------------------------------------------- set-up */

static int check_timeline(cor_sim *sim)
{
    const cor_scenario *sc = sim->sc;
    for (int i = 0; i < sc->n_timeline; i++) {
        const cor_sc_lever *t = &sc->timeline[i];
        if (strcmp(t->lever, "tvrh_quota") != 0)
            continue;
        if (!(isfinite(t->value) && t->value >= 0))
            return cor_sim_fail(sim, COR_EINPUT, "%s:%d: timeline[%d].value: tvrh_quota must be >= 0 people (got %g)",
                                t->pos.file, t->pos.line, t->index, t->value);
        if (t->scope.n_links)
            return cor_sim_fail(sim, COR_EINPUT,
                                "%s:%d: timeline[%d].scope.links: tvrh_quota is issued at places, not on links",
                                t->pos.file, t->pos.line, t->index);
    }
    return COR_OK;
}

static int setup(cor_sim *sim, void **state)
{
    tvrh *k = calloc(1, sizeof *k);
    if (!k)
        return cor_sim_fail(sim, COR_ENOMEM, "out of memory");
    *state = k;
    k->P = sim->net.n_places;
    k->G = sim->n_groups;
    k->lv_quota = cor_lever_register(sim, "tvrh_quota");
    k->req_apply = cor_request_register(sim, "tvrh_apply");
    k->req_detain = cor_request_register(sim, "inm_detain");
    k->s_issued = cor_series_register(sim, "tvrh_issued", COR_FLOW, "tvrh_issued", COR_AGG_SUM);
    k->s_applied = cor_series_register(sim, "tvrh_applications", COR_FLOW, NULL, COR_AGG_SUM);
    k->st_sheltered = cor_status_find(sim, "sheltered");
    if (k->lv_quota < 0 || !k->req_apply || !k->req_detain || k->s_issued < 0 || k->s_applied < 0)
        return cor_sim_fail(sim, COR_ENOMEM, "module tvrh: cannot register its lever, requests or series");
    if (!(k->flag_holder = cor_flag_register(sim, "tvrh_holder")))
        return cor_sim_fail(sim, COR_EINPUT, "module tvrh: no agent flag left for tvrh_holder (8 in all)");
    if (!cor_param_require(sim, "tvrh_apply_prob", "module tvrh", &k->apply_prob))
        return COR_EINPUT;
    if (!(k->apply_prob >= 0 && k->apply_prob <= 1)) {
        const cor_sc_param *p = cor_param_find(sim, "tvrh_apply_prob");
        return cor_sim_fail(sim, COR_EINPUT, "%s:%d: parameters.tvrh_apply_prob.value: must be in [0, 1] (got %g)",
                            p->pos.file, p->pos.line, k->apply_prob);
    }
    k->mexican = calloc((size_t)k->G + 1, 1);
    k->win = malloc(sizeof *k->win * ((size_t)k->P * (size_t)k->G * COR_N_DEMOS + 1));
    if (!k->mexican || !k->win)
        return cor_sim_fail(sim, COR_ENOMEM, "out of memory");
    for (int g = 0; g < k->G; g++) {
        k->mexican[g] = (char)cor_group_is(sim, g, "MX");
    }
    k->dirty = 1;
    return check_timeline(sim);
}

static void teardown(void *state)
{
    tvrh *k = state;
    free(k->mexican);
    free(k->win);
    free(k->w);
    free(k);
}

/* ---------------------------------------------------------------- windows */

static int grow_windows(cor_sim *sim, tvrh *k)
{
    int n = sim->levers.n_entries;
    if (n <= k->n_w)
        return COR_OK;
    window *w = realloc(k->w, sizeof *w * (size_t)n);
    if (!w)
        return cor_sim_fail(sim, COR_ENOMEM, "out of memory");
    memset(w + k->n_w, 0, sizeof *w * (size_t)(n - k->n_w));
    k->w = w;
    k->n_w = n;
    return COR_OK;
}

static void refresh(cor_sim *sim, tvrh *k)
{
    k->any = 0;
    for (int p = 0; p < k->P; p++)
        for (int g = 0; g < k->G; g++)
            for (int d = 0; d < COR_N_DEMOS; d++) {
                int e = cor_levers_entry(&sim->levers, k->lv_quota, p, -1, g, d);
                if (e >= 0 && !(sim->levers.entries[e].value > 0))
                    e = -1;
                k->win[((int64_t)p * k->G + g) * COR_N_DEMOS + d] = e;
                k->any |= e >= 0;
            }
    k->dirty = 0;
}

/* The window (entry index) open where agent a is, for its group and
 * demographic, if a may apply there (whether or not a visa is left); else
 * -1. */
static inline int window_for(const tvrh *k, const cor_sim *sim, uint32_t a)
{
    const cor_agents *ag = &sim->agents;
    if (!k->any || k->mexican[ag->group[a]] || (ag->flags[a] & k->flag_holder) || ag->arc[a] != COR_NONE)
        return -1;
    return k->win[((int64_t)ag->place[a] * k->G + ag->group[a]) * COR_N_DEMOS + ag->demo[a]];
}

/* Give agent a a visa from window e if one is left (sequential). */
static int issue(cor_ctx *c, tvrh *k, uint32_t a, int e)
{
    cor_sim *sim = c->sim;
    window *w = &k->w[e];
    double quota = sim->levers.entries[e].value, s = sim->scale, eps = 1e-9 * s;
    if (w->done)
        return 0;
    if (w->used + s > quota + eps) { /* less than one agent left: the last visa, with probability left / scale */
        double left = quota - w->used;
        w->done = 1;
        if (!(left > 0) || cor_u01(cor_draw(c, a, COR_RNG_TVRH_LAST, 0).w[0]) >= left / s)
            return 0;
        w->used = quota;
    } else {
        w->used += s;
        if (quota - w->used < eps)
            w->done = 1;
    }
    sim->agents.flags[a] |= k->flag_holder;
    cor_event(c, k->s_issued, (int)sim->agents.place[a], a);
    return 1;
}

/* ---------------------------------------------------------------- hooks */

static void lever_changed(cor_ctx *c, void *state, const cor_lever_change *ch)
{
    tvrh *k = state;
    if (ch->lever != k->lv_quota)
        return;
    k->dirty = 1;
    if (ch->started && grow_windows(c->sim, k) == COR_OK) {
        k->w[ch->entry].opened = 1;
        k->opened = 1;
    }
}

/* Windows that open today: offer a visa to the eligible people already at
 * their places (waiting or resting), in ascending agent id.  One pass over
 * the agents per opening day. */
static void offer_to_present(cor_ctx *c, tvrh *k)
{
    cor_sim *sim = c->sim;
    const cor_agents *ag = &sim->agents;
    for (int64_t i = 0; i < ag->n; i++) {
        uint32_t a = (uint32_t)i;
        int st = ag->status[a];
        if (st != COR_ST_WAITING && st != k->st_sheltered)
            continue;
        int e = window_for(k, sim, a);
        if (e < 0 || !k->w[e].opened || !(cor_u01(cor_draw(c, a, COR_RNG_TVRH_OPEN, 0).w[0]) < k->apply_prob))
            continue;
        cor_event(c, k->s_applied, (int)ag->place[a], a);
        issue(c, k, a, e);
    }
    for (int e = 0; e < k->n_w; e++)
        k->w[e].opened = 0;
    k->opened = 0;
}

static void day_start(cor_ctx *c, void *state)
{
    tvrh *k = state;
    if (!k->dirty)
        return;
    if (grow_windows(c->sim, k))
        return;
    refresh(c->sim, k);
    if (k->opened)
        offer_to_present(c, k);
}

/* Does agent a, who arrived today, apply (the same draw as in arrive)? */
static inline int applies(cor_ctx *c, const tvrh *k, uint32_t a)
{
    return k->apply_prob > 0 && cor_u01(cor_draw(c, a, COR_RNG_TVRH_APPLY, 0).w[0]) < k->apply_prob;
}

static void arrive(cor_ctx *c, void *state, uint32_t a, int place, int arc)
{
    const tvrh *k = state;
    int e;
    if (k->any && c->sim->agents.status[a] == COR_ST_WAITING && (e = window_for(k, c->sim, a)) >= 0 &&
        applies(c, k, a)) {
        cor_event(c, k->s_applied, place, a); /* an application, even with no visa left */
        if (!k->w[e].done)
            cor_request(c, a, k->req_apply);
    }
    cor_next_arrive(c, a, place, arc);
}

static void resolve(cor_ctx *c, void *state, uint32_t a, int request)
{
    tvrh *k = state;
    const cor_agents *ag = &c->sim->agents;
    if (request == k->req_apply) {
        int e = window_for(k, c->sim, a);
        if (e >= 0 && ag->status[a] == COR_ST_WAITING)
            issue(c, k, a, e);
        return;
    }
    if (request == k->req_detain) {
        if (!(ag->flags[a] & k->flag_holder) && ag->status[a] == COR_ST_WAITING && ag->since[a] == c->day) {
            /* arrived today: an application made on arrival comes first */
            int e = window_for(k, c->sim, a);
            if (e >= 0 && applies(c, k, a))
                issue(c, k, a, e);
        }
        if (ag->flags[a] & k->flag_holder)
            return; /* documented: not detained */
    }
    cor_next_resolve(c, a, request);
}

const cor_rules cor_tvrh_rules = {
    .name = "tvrh",
    .setup = setup,
    .teardown = teardown,
    .arrive = arrive,
    .resolve = resolve,
    .lever_changed = lever_changed,
    .day_start = day_start,
};
