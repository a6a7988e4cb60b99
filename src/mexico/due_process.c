/* due_process.c - the right to seek asylum and refoulement (see
 * due_process.h and docs/modules/due_process.md). */
#include "mexico/due_process.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    uint8_t f_need, f_informed;
    int s_ref, s_inf;
    int lv_share;
    double apply;
    double *need;                   /* per group */
    int names_done;
    int s_det, s_land, s_air;       /* inm's series, -1 without inm */
    int req_comar;                  /* comar_apply, 0 without comar */
} due_process;

static int share_ok(cor_sim *sim, const char *name, double v)
{
    if (v >= 0 && v <= 1)
        return 1;
    const cor_sc_param *p = cor_param_find(sim, name);
    cor_sim_fail(sim, COR_EINPUT, "%s:%d: parameters.%s.value: must be in [0, 1] (got %g)", p->pos.file, p->pos.line,
                 name, v);
    return 0;
}

static int check_timeline(cor_sim *sim)
{
    const cor_scenario *sc = sim->sc;
    for (int i = 0; i < sc->n_timeline; i++) {
        const cor_sc_lever *e = &sc->timeline[i];
        if (strcmp(e->lever, "due_process_informed_share") != 0)
            continue;
        if (!(e->value >= 0 && e->value <= 1))
            return cor_sim_fail(sim, COR_EINPUT, "%s:%d: timeline[%d].value: lever due_process_informed_share must be in [0, 1] (got %g)",
                                e->pos.file, e->pos.line, e->index, e->value);
        if (e->scope.n_links)
            return cor_sim_fail(sim, COR_EINPUT, "%s:%d: timeline[%d].scope.links: lever due_process_informed_share cannot be scoped by links (allowed: places, groups, demographics)",
                                e->pos.file, e->scope.link_lines ? e->scope.link_lines[0] : e->pos.line, e->index);
    }
    return COR_OK;
}

static void teardown(void *state)
{
    due_process *k = state;
    if (!k)
        return;
    free(k->need);
    free(k);
}

static int setup(cor_sim *sim, void **state)
{
    due_process *k = calloc(1, sizeof *k);
    if (!k)
        return cor_sim_fail(sim, COR_ENOMEM, "out of memory");
    *state = k;
    const cor_scenario *sc = sim->sc;
    k->f_need = cor_flag_register(sim, "protection_need");
    k->f_informed = cor_flag_register(sim, "informed");
    if (!k->f_need || !k->f_informed)
        return cor_sim_fail(sim, COR_EINPUT, "module due_process: no agent flag left for protection_need and informed (8 in all)");
    k->s_ref = cor_series_register(sim, "refoulements", COR_FLOW, "refoulements", COR_AGG_SUM);
    k->s_inf = cor_series_register(sim, "detainees_informed", COR_FLOW, NULL, COR_AGG_SUM);
    k->lv_share = cor_lever_register(sim, "due_process_informed_share");
    if (k->s_ref < 0 || k->s_inf < 0 || k->lv_share < 0)
        return cor_sim_fail(sim, COR_ENOMEM, "module due_process: cannot register its names (out of memory or a name taken with another kind)");
    if (!cor_param_require(sim, "due_process_apply_if_informed", "module due_process", &k->apply) ||
        !share_ok(sim, "due_process_apply_if_informed", k->apply))
        return COR_EINPUT;
    k->need = calloc((size_t)sim->n_groups + 1, sizeof *k->need);
    if (!k->need)
        return cor_sim_fail(sim, COR_ENOMEM, "out of memory");
    for (int g = 0; g < sim->n_groups; g++) {
        char name[160];
        snprintf(name, sizeof name, "due_process_need_%s", sc->populations[g].id);
        int mexican = cor_group_is(sim, g, "MX");
        if (mexican) {
            if (!cor_param(sim, name, &k->need[g]))
                continue; /* never detained by INM: no need to say */
        } else if (!cor_param_require(sim, name, "module due_process (a group whose home is not in Mexico)",
                                      &k->need[g])) {
            return COR_EINPUT;
        }
        if (!share_ok(sim, name, k->need[g]))
            return COR_EINPUT;
    }
    k->s_det = k->s_land = k->s_air = -1;
    return check_timeline(sim);
}

static inline double u01(const cor_ctx *c, uint32_t a, uint16_t purpose)
{
    return cor_u01(cor_rng_draw(&c->sim->rng, a, c->day, purpose, 0).w[0]);
}

static void spawned(cor_ctx *c, void *state, uint32_t a)
{
    const due_process *k = state;
    cor_agents *ag = &c->sim->agents;
    double need = k->need[ag->group[a]];
    if (need > 0 && u01(c, a, COR_RNG_DUE_NEED) < need)
        ag->flags[a] |= k->f_need;
}

static void day_start(cor_ctx *c, void *state)
{
    due_process *k = state;
    if (k->names_done)
        return;
    const cor_sim *sim = c->sim; /* names of inm (below) and comar (below), if loaded */
    k->s_det = cor_series_find(sim, "inm_detentions");
    k->s_land = cor_series_find(sim, "deportations_land");
    k->s_air = cor_series_find(sim, "deportations_air");
    k->req_comar = cor_request_find(sim, "comar_apply");
    k->names_done = 1;
}

/* Detentions: inform, and maybe apply; deportations: refoulements.  Runs
 * where inm counts the event (resolve for detentions, decide or day_start
 * for deportations) and changes only agent a. */
static void observe(cor_ctx *c, void *state, int series, int place, uint32_t a)
{
    const due_process *k = state;
    if (series < 0)
        return;
    cor_agents *ag = &c->sim->agents;
    if (series == k->s_det) {
        double share;
        if (cor_lever(c->sim, k->lv_share, place, -1, ag->group[a], ag->demo[a], &share) && share > 0 &&
            u01(c, a, COR_RNG_DUE_INFORMED) < share) {
            ag->flags[a] |= k->f_informed;
            cor_event(c, k->s_inf, place, a);
        }
        if (k->req_comar && (ag->flags[a] & k->f_informed) && (ag->flags[a] & k->f_need) &&
            u01(c, a, COR_RNG_DUE_APPLY) < k->apply)
            cor_request(c, a, k->req_comar);
    } else if (series == k->s_land || series == k->s_air) {
        if ((ag->flags[a] & k->f_need) && !(ag->flags[a] & k->f_informed))
            cor_event(c, k->s_ref, place, a);
    }
}

const cor_rules cor_due_process_rules = {
    .name = "due_process",
    .setup = setup,
    .teardown = teardown,
    .spawned = spawned,
    .day_start = day_start,
    .observe = observe,
};
