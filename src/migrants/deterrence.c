/* deterrence.c - announcements (see deterrence.h and docs/modules/deterrence.md). */
#include "migrants/deterrence.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/calendar.h"

typedef struct {
    int lever, s_deterred, st_returned;
    double dep_effect, cross_effect, lag, decay, hold_days, f_hold;
    cor_lever_list ent;         /* this lever's entries in sim->levers */
    float *cross;               /* hold-back probability today, [(place * G + group) * DEMOS + demo] */
    uint8_t *cross_any;         /* by place: some hold-back today */
    int active;                 /* some place has a hold-back today */
    int n_places, n_groups;
} deterrence;

static int param_in(cor_sim *sim, const char *name, double lo, double hi, int lo_open, double *v)
{
    return cor_param_in(sim, name, "deterrence", lo, hi, lo_open ? COR_PARAM_OPEN_LO : 0, v) ? COR_OK : COR_EINPUT;
}

static int setup(cor_sim *sim, void **state)
{
    deterrence *k = calloc(1, sizeof *k);
    if (!k)
        return cor_sim_fail(sim, COR_ENOMEM, "out of memory");
    *state = k;
    const cor_scenario *sc = sim->sc;
    k->lever = cor_lever_register(sim, "deterrence");
    k->s_deterred = cor_series_register(sim, "deterred_departures", COR_VALUE, NULL, COR_AGG_SUM);
    if (k->lever < 0 || k->s_deterred < 0)
        return cor_sim_fail(sim, COR_ENOMEM, "deterrence: cannot register lever or series");
    k->st_returned = cor_status_find(sim, "returned");
    int rc;
    if ((rc = param_in(sim, "deterrence_departure_effect", 0, 1, 0, &k->dep_effect)) ||
        (rc = param_in(sim, "deterrence_crossing_effect", 0, 1, 0, &k->cross_effect)) ||
        (rc = param_in(sim, "deterrence_lag_days", 0, INFINITY, 0, &k->lag)) ||
        (rc = param_in(sim, "deterrence_decay_days", 0, INFINITY, 1, &k->decay)))
        return rc;
    /* how long a held-back person waits: deterrence_hold_days, else the
     * corridor's border wait (so the city's crossing rate is multiplied) */
    const char *hold = cor_param(sim, "deterrence_hold_days", &k->hold_days) ? "deterrence_hold_days"
                       : cor_param(sim, "border_wait_days", &k->hold_days)   ? "border_wait_days"
                                                                              : NULL;
    if (!hold)
        k->hold_days = 0;
    else if ((rc = param_in(sim, hold, 0, INFINITY, 0, &k->hold_days)))
        return rc;
    k->f_hold = cor_geometric_factor(k->hold_days);
    for (int i = 0; i < sc->n_timeline; i++) {
        const cor_sc_lever *t = &sc->timeline[i];
        if (strcmp(t->lever, "deterrence") != 0)
            continue;
        if (!(t->value >= 0 && t->value <= 1))
            return cor_sim_fail(sim, COR_EINPUT,
                                "%s:%d: timeline[%d].value: an announcement's strength must be in [0, 1] (got %g)",
                                t->pos.file, t->pos.line, t->index, t->value);
        if (t->scope.n_links)
            return cor_sim_fail(sim, COR_EINPUT,
                                "%s:%d: timeline[%d].scope.links: an announcement reaches places and groups, not links",
                                t->pos.file, t->pos.line, t->index);
    }
    k->n_places = sim->net.n_places;
    k->n_groups = sc->n_populations;
    k->cross = calloc((size_t)k->n_places * (size_t)k->n_groups * COR_N_DEMOS + 1, sizeof *k->cross);
    k->cross_any = calloc((size_t)k->n_places + 1, 1);
    if (!k->cross || !k->cross_any)
        return cor_sim_fail(sim, COR_ENOMEM, "out of memory");
    return COR_OK;
}

static void teardown(void *state)
{
    deterrence *k = state;
    if (!k)
        return;
    cor_lever_list_free(&k->ent);
    free(k->cross);
    free(k->cross_any);
    free(k);
}

/* The entries of the lever (timeline, and any a module wrote). */
static int list_entries(cor_sim *sim, deterrence *k)
{
    return cor_lever_list_update(&sim->levers, k->lever, &k->ent) ? cor_sim_fail(sim, COR_ENOMEM, "out of memory")
                                                                  : COR_OK;
}

/* Force of an entry on `day` (0 outside [start + lag, end + lag]). */
static double force(const deterrence *k, const cor_lever_entry *e, int32_t day)
{
    double since = (double)day - (double)e->start - k->lag;
    if (since < 0 || (e->end != INT32_MAX && (double)day > (double)e->end + k->lag))
        return 0;
    return e->value * exp(-since / k->decay);
}

/* Is some entry in force (after its lag) on `day`? */
static int any_force(const deterrence *k, const cor_sim *sim, int32_t day)
{
    for (int i = 0; i < k->ent.n; i++)
        if (force(k, &sim->levers.entries[k->ent.idx[i]], day) > 0)
            return 1;
    return 0;
}

static int in_scope(const cor_lever_entry *e, int place, int group, int demo)
{
    const cor_scope *s = &e->scope;
    if (!cor_scope_has_place(s, place))
        return 0;
    if (s->n_groups) {
        int hit = 0;
        for (int i = 0; i < s->n_groups && !hit; i++)
            hit = s->groups[i] == group;
        if (!hit)
            return 0;
    }
    return !s->demo_mask || (s->demo_mask & (1u << demo));
}

/* prod over entries in scope of (1 - effect x force) */
static double keep_share(const deterrence *k, const cor_sim *sim, double effect, int place, int group, int demo,
                         int32_t day)
{
    double m = 1;
    for (int i = 0; i < k->ent.n; i++) {
        const cor_lever_entry *e = &sim->levers.entries[k->ent.idx[i]];
        if (in_scope(e, place, group, demo))
            m *= 1.0 - effect * force(k, e, day);
    }
    return m;
}

static double latent_today(const cor_scenario *sc, int g, int d, int origin, int32_t day)
{
    const cor_sc_population *pop = &sc->populations[g];
    int month = cor_month_of_day(day), m = month - pop->demand_month0;
    if (m < 0 || m >= pop->n_months)
        return 0;
    for (int o = 0; o < pop->n_origins; o++)
        if (pop->origins[o].place == origin)
            return pop->demand[m * COR_N_DEMOS + d] / cor_month_days(month) * pop->origins[o].share;
    return 0;
}

static double propensity(cor_ctx *c, void *state, int group, int demo, int origin)
{
    deterrence *k = state;
    cor_sim *sim = c->sim;
    double p = cor_next_propensity(c, group, demo, origin);
    if (list_entries(sim, k) || k->ent.n == 0 || !(k->dep_effect > 0) || !any_force(k, sim, c->day))
        return p;
    double m = keep_share(k, sim, k->dep_effect, origin, group, demo, c->day);
    if (m < 1)
        cor_series_add(sim, k->s_deterred, origin, group, demo, latent_today(sim->sc, group, demo, origin, c->day) * p * (1 - m));
    return p * m;
}

/* Today's hold-back probabilities in border cities. */
static void day_start(cor_ctx *c, void *state)
{
    deterrence *k = state;
    cor_sim *sim = c->sim;
    if (list_entries(sim, k))
        return;
    if (k->active)
        memset(k->cross_any, 0, (size_t)k->n_places);
    k->active = 0;
    if (k->ent.n == 0 || !(k->cross_effect > 0) || !any_force(k, sim, c->day))
        return;
    for (int p = 0; p < k->n_places; p++) {
        if (sim->net.kind[p] != COR_KIND_BORDER_CITY)
            continue;
        for (int g = 0; g < k->n_groups; g++)
            for (int d = 0; d < COR_N_DEMOS; d++) {
                double q = 1.0 - keep_share(k, sim, k->cross_effect, p, g, d, c->day);
                k->cross[((int64_t)p * k->n_groups + g) * COR_N_DEMOS + d] = (float)q;
                if (q > 0)
                    k->cross_any[p] = 1, k->active = 1;
            }
    }
}

static void decide(cor_ctx *c, void *state, uint32_t a)
{
    const deterrence *k = state;
    if (!k->active) {
        cor_next_decide(c, a);
        return;
    }
    const cor_agents *ag = &c->sim->agents;
    int st = ag->status[a];
    uint32_t p = ag->place[a];
    if ((st == COR_ST_WAITING || st == k->st_returned) && k->cross_any[p]) {
        float q = k->cross[((int64_t)p * k->n_groups + ag->group[a]) * COR_N_DEMOS + ag->demo[a]];
        if (q > 0) {
            cor_rand2 r = cor_draw(c, a, COR_RNG_DETERRENCE, 0);
            if (cor_u01(r.w[0]) < q) { /* held back: wait and see, then decide again */
                cor_wait(c, a, 1 + cor_geometric_f(r.w[1], k->f_hold));
                return;
            }
        }
    }
    cor_next_decide(c, a);
}

const cor_rules cor_deterrence_rules = {
    .name = "deterrence",
    .setup = setup,
    .teardown = teardown,
    .propensity = propensity,
    .decide = decide,
    .day_start = day_start,
};
