/* guard.c - the National Guard (see guard.h and docs/modules/guard.md). */
#include "mexico/guard.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    int st_sheltered;
    uint8_t f_exit, f_tvrh, f_caravan;   /* looked up on the first day; 0 if no module registers them */
    int req;                             /* inm_detain, 0 without inm */
    int names_done;
    int s_det, s_troops;
    int lv_troops, lv_hr;
    double h_troop, caravan_mult;
    int P, G;
    uint8_t *mexican;                    /* group's home place is in Mexico */
    double *troops;                      /* today's troops per place */
    int dirty;
} guard;

static int param_nonneg(cor_sim *sim, const char *name, double v)
{
    return cor_param_check(sim, name, v, 0, INFINITY, 0);
}

/* guard_troops: value >= 0, scope places in Mexico and nothing else;
 * guard_hr_trained_share: value in [0, 1], scope places only (or none). */
static int check_timeline(cor_sim *sim)
{
    const cor_scenario *sc = sim->sc;
    for (int i = 0; i < sc->n_timeline; i++) {
        const cor_sc_lever *e = &sc->timeline[i];
        int troops = strcmp(e->lever, "guard_troops") == 0;
        if (!troops && strcmp(e->lever, "guard_hr_trained_share") != 0)
            continue;
        const cor_sc_scope *s = &e->scope;
        const char *f = e->pos.file;
        int line = e->pos.line, ix = e->index;
        if (!(e->value >= 0 && (troops || e->value <= 1)))
            return cor_sim_fail(sim, COR_EINPUT, "%s:%d: timeline[%d].value: lever %s must be %s (got %g)", f, line, ix,
                                e->lever, troops ? ">= 0" : "in [0, 1]", e->value);
        const char *bad = s->n_links ? "links" : s->n_groups ? "groups" : s->demo_mask ? "demographics" : NULL;
        if (bad)
            return cor_sim_fail(sim, COR_EINPUT, "%s:%d: timeline[%d].scope.%s: lever %s cannot be scoped by %s (allowed: places)",
                                f, line, ix, bad, e->lever, bad);
        if (troops && !s->n_places)
            return cor_sim_fail(sim, COR_EINPUT, "%s:%d: timeline[%d].scope: lever guard_troops needs scope.places (where the troops are deployed)",
                                f, line, ix);
        for (int k = 0; troops && k < s->n_places; k++) {
            const cor_sc_place *p = &sc->places[s->places[k]];
            if (p->country && strcmp(p->country, "MX") != 0)
                return cor_sim_fail(sim, COR_EINPUT, "%s:%d: timeline[%d].scope.places[%d]: lever guard_troops: place '%s' is in %s, not in Mexico",
                                    f, s->place_lines ? s->place_lines[k] : line, ix, k, p->id, p->country);
        }
    }
    return COR_OK;
}

static void teardown(void *state)
{
    guard *k = state;
    if (!k)
        return;
    free(k->mexican);
    free(k->troops);
    free(k);
}

static int setup(cor_sim *sim, void **state)
{
    guard *k = calloc(1, sizeof *k);
    if (!k)
        return cor_sim_fail(sim, COR_ENOMEM, "out of memory");
    *state = k;
    k->P = sim->net.n_places, k->G = sim->n_groups;
    k->st_sheltered = cor_status_register(sim, "sheltered", 0);
    k->s_det = cor_series_register(sim, "guard_detections", COR_FLOW, NULL, COR_AGG_SUM);
    k->s_troops = cor_series_register(sim, "guard_troops", COR_VALUE, NULL, COR_AGG_SUM);
    k->lv_troops = cor_lever_register(sim, "guard_troops");
    k->lv_hr = cor_lever_register(sim, "guard_hr_trained_share");
    if (k->st_sheltered < 0 || k->s_det < 0 || k->s_troops < 0 || k->lv_troops < 0 || k->lv_hr < 0)
        return cor_sim_fail(sim, COR_ENOMEM, "module guard: cannot register its names (out of memory or a name taken with another kind)");
    if (!cor_param_require(sim, "guard_detect_per_troop", "module guard", &k->h_troop) ||
        !param_nonneg(sim, "guard_detect_per_troop", k->h_troop))
        return COR_EINPUT;
    k->caravan_mult = 1;
    if (cor_param(sim, "caravans_detection_mult", &k->caravan_mult) &&
        !param_nonneg(sim, "caravans_detection_mult", k->caravan_mult))
        return COR_EINPUT;
    int rc = check_timeline(sim);
    if (rc)
        return rc;
    k->mexican = calloc((size_t)k->G + 1, 1);
    k->troops = calloc((size_t)k->P + 1, sizeof *k->troops);
    if (!k->mexican || !k->troops)
        return cor_sim_fail(sim, COR_ENOMEM, "out of memory");
    for (int g = 0; g < k->G; g++)
        k->mexican[g] = (uint8_t)cor_group_is(sim, g, "MX");
    k->dirty = 1;
    return COR_OK;
}

static void lever_changed(cor_ctx *c, void *state, const cor_lever_change *ch)
{
    guard *k = state;
    (void)c;
    if (ch->lever == k->lv_troops)
        k->dirty = 1;
}

static void day_start(cor_ctx *c, void *state)
{
    guard *k = state;
    cor_sim *sim = c->sim;
    if (!k->names_done) { /* names of other modules (inm is below, tvrh and caravans above) */
        k->f_exit = cor_flag_find(sim, "exit_order");
        k->f_tvrh = cor_flag_find(sim, "tvrh_holder");
        k->f_caravan = cor_flag_find(sim, "caravan");
        k->req = cor_request_find(sim, "inm_detain");
        k->names_done = 1;
    }
    if (k->dirty) {
        double v;
        for (int p = 0; p < k->P; p++)
            k->troops[p] = cor_lever(sim, k->lv_troops, p, -1, -1, -1, &v) ? v : 0;
        k->dirty = 0;
    }
}

static void arrive(cor_ctx *c, void *state, uint32_t a, int place, int arc)
{
    const guard *k = state;
    cor_next_arrive(c, a, place, arc);
    double troops = k->troops[place];
    if (troops == 0)
        return;
    const cor_agents *ag = &c->sim->agents;
    int st = ag->status[a];
    if (ag->place[a] != (uint32_t)place || k->mexican[ag->group[a]] || (ag->flags[a] & (k->f_exit | k->f_tvrh)) ||
        !(st == COR_ST_WAITING || st == k->st_sheltered || st == COR_ST_TRAVELLING))
        return;
    int64_t d = ag->next_day[a] == COR_NEVER ? 1 : (int64_t)ag->next_day[a] - c->day;
    double h = troops * k->h_troop * (double)(d < 1 ? 1 : d);
    if (ag->flags[a] & k->f_caravan)
        h *= k->caravan_mult;
    /* the agent's own stream (not a caravan's shared one): detection is individual */
    if (cor_u01(cor_rng_draw(&c->sim->rng, a, c->day, COR_RNG_GUARD_DETECT, 0).w[0]) >= -expm1(-h))
        return;
    cor_event(c, k->s_det, place, a);
    if (k->req)
        cor_request(c, a, k->req);
}

static void month_end(cor_ctx *c, void *state, int month)
{
    const guard *k = state;
    (void)month;
    for (int p = 0; p < k->P; p++)
        if (k->troops[p] > 0)
            cor_series_add(c->sim, k->s_troops, p, -1, -1, k->troops[p]);
}

const cor_rules cor_guard_rules = {
    .name = "guard",
    .setup = setup,
    .teardown = teardown,
    .arrive = arrive,
    .lever_changed = lever_changed,
    .day_start = day_start,
    .month_end = month_end,
};
