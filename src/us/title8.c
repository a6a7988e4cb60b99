/* title8.c - Title 8 processing (see title8.h and docs/modules/title8.md). */
#include "us/title8.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "us/encounter.h"
#include "us/returns.h"

typedef struct {
    int st_released, st_detained, st_home, st_returned;
    cor_encounter_ids enc;
    int s_releases, s_removals, s_voluntary, s_detentions;
    double release[COR_N_DEMOS], removal[COR_N_DEMOS];
    double end_release[COR_N_DEMOS];  /* release at the end of detention */
    double mx_return;
    double f_detention;
    int lever_limit;
    int dirty;                        /* the limit lever changed: refresh the cache */
    float *limit;                     /* [sector][group][demo] title8_asylum_limit in force */
    cor_us_geo geo;
} title8;

static int setup(cor_sim *sim, void **state)
{
    title8 *t = calloc(1, sizeof *t);
    if (!t)
        return cor_sim_fail(sim, COR_ENOMEM, "out of memory");
    *state = t;
    int rc = cor_us_need(sim, "title8", "returns");
    if (rc)
        return rc;
    t->st_released = cor_status_register(sim, "us_released", COR_STATUS_TERMINAL);
    t->st_detained = cor_status_register(sim, "us_detained", 0);
    t->st_home = cor_status_register(sim, "home", 0);
    t->st_returned = cor_status_register(sim, "returned", 0);
    t->s_releases = cor_series_register(sim, "us_releases", COR_FLOW, NULL, COR_AGG_SUM);
    t->s_removals = cor_series_register(sim, "us_removals", COR_FLOW, "us_removals", COR_AGG_SUM);
    t->s_voluntary = cor_series_register(sim, "us_voluntary_returns", COR_FLOW, NULL, COR_AGG_SUM);
    t->s_detentions = cor_series_register(sim, "us_detentions", COR_FLOW, NULL, COR_AGG_SUM);
    t->lever_limit = cor_lever_register(sim, "title8_asylum_limit");
    if (t->st_released < 0 || t->st_detained < 0 || t->st_home < 0 || t->st_returned < 0 || t->s_releases < 0 ||
        t->s_removals < 0 || t->s_voluntary < 0 || t->s_detentions < 0 || t->lever_limit < 0)
        return cor_sim_fail(sim, COR_ENOMEM, "module title8: cannot register its statuses, series or lever");
    if ((rc = cor_encounter_setup(sim, &t->enc)) || (rc = cor_us_geo_init(sim, &t->geo)))
        return rc;

    const char *who = "module title8";
    double days = 1, end_release = -1;
    for (int d = 0; d < COR_N_DEMOS; d++) {
        char rel[64], rem[64];
        snprintf(rel, sizeof rel, "title8_release_%s", cor_demo_names[d]);
        snprintf(rem, sizeof rem, "title8_removal_%s", cor_demo_names[d]);
        if (!cor_us_param(sim, rel, who, 1, 0, 1, &t->release[d]) ||
            !cor_us_param(sim, rem, who, 1, 0, 1, &t->removal[d]))
            return COR_EINPUT;
        if (t->release[d] + t->removal[d] > 1 + 1e-12) {
            const cor_sc_param *p = cor_param_find(sim, rem);
            return cor_sim_fail(sim, COR_EINPUT, "%s:%d: parameters.%s.value: %s + %s must be <= 1 (got %g)",
                                p->pos.file, p->pos.line, rem, rel, rem, t->release[d] + t->removal[d]);
        }
    }
    if (!cor_us_param(sim, "title8_detention_days", who, 1, 1, INFINITY, &days) ||
        !cor_us_param(sim, "title8_mexican_return", who, 1, 0, 1, &t->mx_return))
        return COR_EINPUT;
    if (!cor_us_param(sim, "title8_detention_release", who, 0, 0, 1, &end_release) && sim->rc)
        return sim->rc;
    for (int d = 0; d < COR_N_DEMOS; d++) {
        double s = t->release[d] + t->removal[d];
        t->end_release[d] = end_release >= 0 ? end_release : s > 0 ? t->release[d] / s : 0;
    }
    t->f_detention = cor_geometric_factor(days - 1);
    size_t cells = (size_t)t->geo.n_sectors * (size_t)sim->n_groups * COR_N_DEMOS;
    t->limit = calloc(cells + 1, sizeof *t->limit);
    if (!t->limit)
        return cor_sim_fail(sim, COR_ENOMEM, "out of memory");
    t->dirty = 1;
    return COR_OK;
}

static void teardown(void *state)
{
    title8 *t = state;
    cor_us_geo_free(&t->geo);
    free(t->limit);
    free(t);
}

static void lever_changed(cor_ctx *c, void *state, const cor_lever_change *ch)
{
    (void)c;
    title8 *t = state;
    if (ch->lever == t->lever_limit)
        t->dirty = 1;
}

static void day_start(cor_ctx *c, void *state)
{
    title8 *t = state;
    if (!t->dirty)
        return;
    const cor_sim *sim = c->sim;
    int G = sim->n_groups;
    for (int p = 0; p < sim->net.n_places; p++) {
        int k = t->geo.sector[p];
        if (k < 0)
            continue;
        for (int g = 0; g < G; g++)
            for (int d = 0; d < COR_N_DEMOS; d++) {
                double v = 0;
                if (!cor_lever(sim, t->lever_limit, p, -1, g, d, &v) || !(v > 0))
                    v = 0;
                t->limit[((size_t)k * (size_t)G + (size_t)g) * COR_N_DEMOS + (size_t)d] = (float)(v < 1 ? v : 1);
            }
    }
    t->dirty = 0;
}

static double limit_at(const title8 *t, const cor_sim *sim, int sector, uint32_t a)
{
    int k = t->geo.sector[sector];
    return t->limit[((size_t)k * (size_t)sim->n_groups + sim->agents.group[a]) * COR_N_DEMOS + sim->agents.demo[a]];
}

/* Removal: Mexicans to the Mexican city (`city`), others home. */
static void remove_person(cor_ctx *c, const title8 *t, uint32_t a, int sector, int city)
{
    int g = c->sim->agents.group[a];
    if (t->geo.mx_group[g] && city >= 0)
        cor_move_to(c, a, city, t->st_returned);
    else
        cor_move_to(c, a, t->geo.home[g] >= 0 ? t->geo.home[g] : sector, t->st_home);
    cor_event(c, t->s_removals, sector, a);
}

/* A release, unless the asylum limit turns it into a removal (u: uniform). */
static void release_person(cor_ctx *c, const title8 *t, uint32_t a, int sector, int city, double u)
{
    double lim = limit_at(t, c->sim, sector, a);
    if (lim > 0 && u < lim) {
        remove_person(c, t, a, sector, city);
        return;
    }
    cor_finish(c, a, t->st_released);
    cor_event(c, t->s_releases, sector, a);
}

static void arrive(cor_ctx *c, void *state, uint32_t a, int place, int arc)
{
    const title8 *t = state;
    cor_sim *sim = c->sim;
    if (sim->net.kind[place] != COR_KIND_US_SECTOR) {
        cor_next_arrive(c, a, place, arc);
        return;
    }
    cor_encounter_count(c, &t->enc, a, place, COR_TITLE8);
    int g = sim->agents.group[a], d = sim->agents.demo[a];
    int city = cor_us_return_city(sim, &t->geo, place, arc);
    cor_rand2 u = cor_draw(c, a, COR_RNG_TITLE8, 0);
    if (t->geo.mx_group[g] && d == COR_DEMO_SINGLE_ADULT && city >= 0 && cor_u01(u.w[0]) < t->mx_return) {
        cor_move_to(c, a, city, t->st_returned);
        cor_event(c, t->s_voluntary, place, a);
        return;
    }
    double x = cor_u01(u.w[1]);
    cor_rand2 v = cor_draw(c, a, COR_RNG_TITLE8, 1);
    if (x < t->release[d]) {
        release_person(c, t, a, place, city, cor_u01(v.w[0]));
    } else if (x < t->release[d] + t->removal[d]) {
        remove_person(c, t, a, place, city);
    } else {
        cor_set_status(c, a, t->st_detained);
        cor_event(c, t->s_detentions, place, a);
        cor_wait(c, a, 1 + cor_geometric_f(v.w[1], t->f_detention));
    }
}

/* The end of a detention (the person is at the sector). */
static void decide(cor_ctx *c, void *state, uint32_t a)
{
    const title8 *t = state;
    const cor_sim *sim = c->sim;
    if (sim->agents.status[a] != t->st_detained) {
        cor_next_decide(c, a);
        return;
    }
    int sector = (int)sim->agents.place[a], d = sim->agents.demo[a];
    int city = cor_us_return_city(sim, &t->geo, sector, -1);
    cor_rand2 u = cor_draw(c, a, COR_RNG_TITLE8_END, 0);
    if (cor_u01(u.w[0]) < t->end_release[d])
        release_person(c, t, a, sector, city, cor_u01(u.w[1]));
    else
        remove_person(c, t, a, sector, city);
}

const cor_rules cor_title8_rules = {
    .name = "title8",
    .setup = setup,
    .teardown = teardown,
    .decide = decide,
    .arrive = arrive,
    .lever_changed = lever_changed,
    .day_start = day_start,
};
