/* title42.c - Title 42 expulsions (see title42.h and docs/modules/title42.md). */
#include "us/title42.h"

#include <stdio.h>
#include <stdlib.h>

#include "us/encounter.h"
#include "us/returns.h"

enum { MODE_NONE = 0, MODE_MEXICO = 1, MODE_AIR = 2 };

typedef struct {
    int st_home, st_returned;
    cor_encounter_ids enc;
    int s_expulsions, s_air;
    int lever_t42, lever_air;
    double expel[COR_N_DEMOS];
    int dirty;
    uint8_t *mode;               /* [sector][group][demo] MODE_* in force today */
    cor_us_geo geo;
} title42;

static int setup(cor_sim *sim, void **state)
{
    title42 *t = calloc(1, sizeof *t);
    if (!t)
        return cor_sim_fail(sim, COR_ENOMEM, "out of memory");
    *state = t;
    int rc = cor_us_need(sim, "title42", "returns");
    if (rc)
        return rc;
    t->st_home = cor_status_register(sim, "home", 0);
    t->st_returned = cor_status_register(sim, "returned", 0);
    t->s_expulsions = cor_series_register(sim, "title42_expulsions", COR_FLOW, "title42_expulsions", COR_AGG_SUM);
    t->s_air = cor_series_register(sim, "title42_expulsions_air", COR_FLOW, "title42_expulsions", COR_AGG_SUM);
    t->lever_t42 = cor_lever_register(sim, "title42");
    t->lever_air = cor_lever_register(sim, "title42_air");
    if (t->st_home < 0 || t->st_returned < 0 || t->s_expulsions < 0 || t->s_air < 0 || t->lever_t42 < 0 ||
        t->lever_air < 0)
        return cor_sim_fail(sim, COR_ENOMEM, "module title42: cannot register its statuses, series or levers");
    if ((rc = cor_encounter_setup(sim, &t->enc)) || (rc = cor_us_geo_init(sim, &t->geo)))
        return rc;
    for (int d = 0; d < COR_N_DEMOS; d++) {
        char name[64];
        snprintf(name, sizeof name, "title42_expel_%s", cor_demo_names[d]);
        if (!cor_us_param(sim, name, "module title42", 1, 0, 1, &t->expel[d]))
            return COR_EINPUT;
    }
    size_t cells = (size_t)t->geo.n_sectors * (size_t)sim->n_groups * COR_N_DEMOS;
    t->mode = calloc(cells + 1, 1);
    if (!t->mode)
        return cor_sim_fail(sim, COR_ENOMEM, "out of memory");
    t->dirty = 1;
    return COR_OK;
}

static void teardown(void *state)
{
    title42 *t = state;
    cor_us_geo_free(&t->geo);
    free(t->mode);
    free(t);
}

static void lever_changed(cor_ctx *c, void *state, const cor_lever_change *ch)
{
    (void)c;
    title42 *t = state;
    if (ch->lever == t->lever_t42 || ch->lever == t->lever_air)
        t->dirty = 1;
}

static void day_start(cor_ctx *c, void *state)
{
    title42 *t = state;
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
                uint8_t m = MODE_NONE;
                if (cor_lever(sim, t->lever_t42, p, -1, g, d, &v) && v > 0)
                    m = MODE_MEXICO;
                else if (cor_lever(sim, t->lever_air, p, -1, g, d, &v) && v > 0)
                    m = MODE_AIR;
                t->mode[((size_t)k * (size_t)G + (size_t)g) * COR_N_DEMOS + (size_t)d] = m;
            }
    }
    t->dirty = 0;
}

static void arrive(cor_ctx *c, void *state, uint32_t a, int place, int arc)
{
    const title42 *t = state;
    cor_sim *sim = c->sim;
    int k = t->geo.sector[place];
    if (k < 0) {
        cor_next_arrive(c, a, place, arc);
        return;
    }
    int g = sim->agents.group[a], d = sim->agents.demo[a];
    int m = t->mode[((size_t)k * (size_t)sim->n_groups + (size_t)g) * COR_N_DEMOS + (size_t)d];
    int to = m == MODE_MEXICO ? cor_us_return_city(sim, &t->geo, place, arc) : m == MODE_AIR ? t->geo.home[g] : -1;
    if (to < 0 || !(cor_u01(cor_draw(c, a, COR_RNG_TITLE42, 0).w[0]) < t->expel[d])) {
        cor_next_arrive(c, a, place, arc);
        return;
    }
    cor_encounter_count(c, &t->enc, a, place, COR_TITLE42);
    sim->agents.flags[a] |= t->enc.flag_expelled;
    if (m == MODE_MEXICO) {
        cor_move_to(c, a, to, t->st_returned);
        cor_event(c, t->s_expulsions, place, a);
    } else {
        cor_move_to(c, a, to, t->st_home);
        cor_event(c, t->s_air, place, a);
    }
}

const cor_rules cor_title42_rules = {
    .name = "title42",
    .setup = setup,
    .teardown = teardown,
    .arrive = arrive,
    .lever_changed = lever_changed,
    .day_start = day_start,
};
