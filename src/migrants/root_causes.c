/* root_causes.c - development programmes (see root_causes.h and
 * docs/modules/root_causes.md). */
#include "migrants/root_causes.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/calendar.h"

typedef struct {
    int lever, s_deterred;
    double effect, lag_months;
    int32_t lag_days;
    cor_lever_list ent;         /* this lever's entries in sim->levers */
} root_causes;

/* A required parameter in [lo, hi]. */
static int param_in(cor_sim *sim, const char *name, double lo, double hi, double *v)
{
    return cor_param_in(sim, name, "root_causes", lo, hi, 0, v) ? COR_OK : COR_EINPUT;
}

static int setup(cor_sim *sim, void **state)
{
    root_causes *k = calloc(1, sizeof *k);
    if (!k)
        return cor_sim_fail(sim, COR_ENOMEM, "out of memory");
    *state = k;
    const cor_scenario *sc = sim->sc;
    k->lever = cor_lever_register(sim, "root_causes_usd");
    k->s_deterred = cor_series_register(sim, "deterred_departures", COR_VALUE, NULL, COR_AGG_SUM);
    if (k->lever < 0 || k->s_deterred < 0)
        return cor_sim_fail(sim, COR_ENOMEM, "root_causes: cannot register lever or series");
    int rc;
    /* the effect may be negative: development can raise emigration (the
     * "migration hump"), so a prior range may straddle 0 */
    if ((rc = param_in(sim, "root_causes_effect", -10, 10, &k->effect)) ||
        (rc = param_in(sim, "root_causes_lag_months", 0, 1200, &k->lag_months)))
        return rc;
    k->lag_days = (int32_t)lround(k->lag_months * 365.25 / 12.0);
    for (int i = 0; i < sc->n_timeline; i++) {
        const cor_sc_lever *t = &sc->timeline[i];
        if (strcmp(t->lever, "root_causes_usd") != 0)
            continue;
        if (!(isfinite(t->value) && t->value >= 0))
            return cor_sim_fail(sim, COR_EINPUT, "%s:%d: timeline[%d].value: root_causes_usd must be >= 0 USD a year (got %g)",
                                t->pos.file, t->pos.line, t->index, t->value);
        if (t->scope.n_links)
            return cor_sim_fail(sim, COR_EINPUT,
                                "%s:%d: timeline[%d].scope.links: investment reaches groups and origins, not links",
                                t->pos.file, t->pos.line, t->index);
    }
    return COR_OK;
}

static void teardown(void *state)
{
    root_causes *k = state;
    if (!k)
        return;
    cor_lever_list_free(&k->ent);
    free(k);
}

static int list_entries(cor_sim *sim, root_causes *k)
{
    return cor_lever_list_update(&sim->levers, k->lever, &k->ent) ? cor_sim_fail(sim, COR_ENOMEM, "out of memory")
                                                                  : COR_OK;
}

/* The lever's value in force on `day` for (group, demo) at origin: the
 * last entry in timeline order that covers the day and the scope (as the
 * engine's rule for overlapping entries), else 0. */
static double invested(const root_causes *k, const cor_sim *sim, int group, int demo, int origin, int32_t day)
{
    for (int i = k->ent.n - 1; i >= 0; i--) {
        const cor_lever_entry *e = &sim->levers.entries[k->ent.idx[i]];
        if (day < e->start || day > e->end || !cor_scope_has_place(&e->scope, origin))
            continue;
        if (e->scope.demo_mask && !(e->scope.demo_mask & (1u << demo)))
            continue;
        int hit = e->scope.n_groups == 0;
        for (int j = 0; j < e->scope.n_groups && !hit; j++)
            hit = e->scope.groups[j] == group;
        if (hit)
            return e->value;
    }
    return 0;
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
    root_causes *k = state;
    cor_sim *sim = c->sim;
    double p = cor_next_propensity(c, group, demo, origin);
    if (list_entries(sim, k) || k->ent.n == 0 || k->effect == 0)
        return p;
    double usd = invested(k, sim, group, demo, origin, c->day - k->lag_days);
    if (!(usd > 0))
        return p;
    double m = exp(-k->effect * usd / 1e9);
    /* people not leaving (negative if the investment raises departures) */
    cor_series_add(sim, k->s_deterred, origin, group, demo, latent_today(sim->sc, group, demo, origin, c->day) * p * (1 - m));
    return p * m;
}

const cor_rules cor_root_causes_rules = {
    .name = "root_causes",
    .setup = setup,
    .teardown = teardown,
    .propensity = propensity,
};
