/* caravans.c - group departures (see caravans.h and docs/modules/caravans.md). */
#include "migrants/caravans.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/calendar.h"

/* One caravan's members of one group. */
typedef struct {
    int32_t day;
    int place, group;
    uint32_t stream;
    int64_t n[COR_N_DEMOS];     /* agents by demographic */
} part;

typedef struct {
    int lever, col_stream, s_departures;
    uint8_t flag;
    part *parts;                /* by start day, then timeline order */
    int n_parts;
    int booked, spawned;        /* parts whose people are owed / whose agents exist */
    double *owed;               /* people still to take off departures, [group * DEMOS + demo] */
    double *target;             /* today's take, [group * DEMOS + demo] */
    int32_t *target_day;
} caravans;

/* ---------------------------------------------------------------- set-up */

static double month_demand(const cor_scenario *sc, int g, int month, int d)
{
    const cor_sc_population *pop = &sc->populations[g];
    int m = month - pop->demand_month0;
    if (m < 0 || m >= pop->n_months)
        return 0;
    if (d >= 0)
        return pop->demand[m * COR_N_DEMOS + d];
    double s = 0;
    for (int k = 0; k < COR_N_DEMOS; k++)
        s += pop->demand[m * COR_N_DEMOS + k];
    return s;
}

/* Split n into k <= 256 parts in proportion to w (largest remainders, ties
 * to the lower index); equal weights if they are all zero. */
static void apportion(int64_t n, const double *w, int k, int64_t *out)
{
    double sum = 0;
    for (int i = 0; i < k; i++)
        sum += w[i] > 0 ? w[i] : 0;
    int64_t given = 0;
    double rem[256];
    for (int i = 0; i < k; i++) {
        double share = sum > 0 ? (w[i] > 0 ? w[i] : 0) / sum : 1.0 / k;
        double x = (double)n * share;
        out[i] = (int64_t)floor(x);
        rem[i] = x - (double)out[i];
        given += out[i];
    }
    while (given < n) {
        int best = 0;
        for (int i = 1; i < k; i++)
            if (rem[i] > rem[best])
                best = i;
        out[best]++;
        rem[best] = -1;
        given++;
    }
}

static int cmp_part(const void *x, const void *y)
{
    const part *a = x, *b = y;
    if (a->day != b->day)
        return a->day < b->day ? -1 : 1;
    return a->stream < b->stream ? -1 : a->stream > b->stream;
}

static int add_part(cor_sim *sim, caravans *k, part p)
{
    part *q = realloc(k->parts, sizeof *q * (size_t)(k->n_parts + 1));
    if (!q)
        return cor_sim_fail(sim, COR_ENOMEM, "out of memory");
    k->parts = q;
    k->parts[k->n_parts++] = p;
    return COR_OK;
}

/* One timeline entry: check it and split it into parts by group. */
static int plan_caravan(cor_sim *sim, caravans *k, const cor_sc_lever *t, uint32_t stream, double *carry)
{
    const cor_scenario *sc = sim->sc;
    if (!isfinite(t->value) || t->value < 0)
        return cor_sim_fail(sim, COR_EINPUT, "%s:%d: timeline[%d].value: a caravan's size must be >= 0 people (got %g)",
                            t->pos.file, t->pos.line, t->index, t->value);
    if (t->scope.n_places != 1)
        return cor_sim_fail(sim, COR_EINPUT,
                            "%s:%d: timeline[%d].scope.places: a caravan leaves from exactly one place (got %d)",
                            t->pos.file, t->pos.line, t->index, t->scope.n_places);
    int place = t->scope.places[0];
    int kind = sim->net.kind[place];
    if (kind == COR_KIND_US_SECTOR || kind == COR_KIND_DESTINATION)
        return cor_sim_fail(sim, COR_EINPUT, "%s:%d: timeline[%d].scope.places[0]: a caravan cannot leave from '%s' (a %s)",
                            t->pos.file, t->scope.place_lines ? t->scope.place_lines[0] : t->pos.line, t->index,
                            sc->places[place].id, cor_kind_names[kind]);
    if (t->scope.demo_mask)
        return cor_sim_fail(sim, COR_EINPUT,
                            "%s:%d: timeline[%d].scope.demographics: a caravan's demographics follow its groups' split; "
                            "remove the list",
                            t->pos.file, t->pos.line, t->index);
    int groups[256], ng = 0;
    if (t->scope.n_groups > 0) {
        for (int i = 0; i < t->scope.n_groups && ng < 256; i++)
            groups[ng++] = t->scope.groups[i];
    } else {
        for (int g = 0; g < sc->n_populations && ng < 256; g++)
            for (int o = 0; o < sc->populations[g].n_origins; o++)
                if (sc->populations[g].origins[o].place == place) {
                    groups[ng++] = g;
                    break;
                }
        if (ng == 0)
            return cor_sim_fail(sim, COR_EINPUT,
                                "%s:%d: timeline[%d].scope.groups: no population leaves from '%s': name the caravan's groups",
                                t->pos.file, t->pos.line, t->index, sc->places[place].id);
    }
    if (t->start < sc->start || t->start > sc->end)
        return COR_OK; /* outside the run: nothing to spawn */
    double x = t->value / sim->scale + *carry;
    int64_t n = (int64_t)floor(x + 1e-9);
    *carry = x - (double)n;
    if (*carry < 0)
        *carry = 0;
    int month = cor_month_of_day(t->start);
    double w[256];
    int64_t ngot[256];
    for (int i = 0; i < ng; i++)
        w[i] = month_demand(sc, groups[i], month, -1);
    apportion(n, w, ng, ngot);
    for (int i = 0; i < ng; i++) {
        int g = groups[i];
        double wd[COR_N_DEMOS], tot = 0;
        for (int d = 0; d < COR_N_DEMOS; d++)
            tot += (wd[d] = month_demand(sc, g, month, d));
        if (!(tot > 0)) /* no demand that month: the group's split over all months */
            for (int mm = 0; mm < sc->populations[g].n_months; mm++)
                for (int d = 0; d < COR_N_DEMOS; d++)
                    wd[d] += sc->populations[g].demand[mm * COR_N_DEMOS + d];
        part p = {.day = t->start, .place = place, .group = g, .stream = stream};
        apportion(ngot[i], wd, COR_N_DEMOS, p.n);
        int rc = add_part(sim, k, p);
        if (rc)
            return rc;
    }
    return COR_OK;
}

static int setup(cor_sim *sim, void **state)
{
    caravans *k = calloc(1, sizeof *k);
    if (!k)
        return cor_sim_fail(sim, COR_ENOMEM, "out of memory");
    *state = k;
    const cor_scenario *sc = sim->sc;
    k->lever = cor_lever_register(sim, "caravan");
    k->flag = cor_flag_register(sim, "caravan");
    k->s_departures = cor_series_register(sim, "caravan_departures", COR_FLOW, "caravan_departures", COR_AGG_SUM);
    if (k->lever < 0 || k->s_departures < 0)
        return cor_sim_fail(sim, COR_ENOMEM, "out of memory");
    if (!k->flag)
        return cor_sim_fail(sim, COR_EINPUT, "caravans: no agent flag bit left for 'caravan' (8 in all)");
    if ((k->col_stream = cor_streams_enable(sim)) < 0)
        return COR_ENOMEM;
    double mult;
    if (cor_param(sim, "caravans_detection_mult", &mult) && !(isfinite(mult) && mult >= 0)) {
        const cor_sc_param *p = cor_sc_param_find(sc, "caravans_detection_mult");
        return cor_sim_fail(sim, COR_EINPUT, "%s:%d: parameters.caravans_detection_mult.value: must be >= 0 (got %g)",
                            p->pos.file, p->pos.line, mult);
    }
    size_t gd = (size_t)sc->n_populations * COR_N_DEMOS + 1;
    k->owed = calloc(gd, sizeof *k->owed);
    k->target = calloc(gd, sizeof *k->target);
    k->target_day = calloc(gd, sizeof *k->target_day);
    if (!k->owed || !k->target || !k->target_day)
        return cor_sim_fail(sim, COR_ENOMEM, "out of memory");
    for (size_t i = 0; i < gd; i++)
        k->target_day[i] = INT32_MIN;
    double carry = 0;
    uint32_t stream = COR_CARAVAN_STREAM0;
    for (int i = 0; i < sc->n_timeline; i++)
        if (strcmp(sc->timeline[i].lever, "caravan") == 0) {
            int rc = plan_caravan(sim, k, &sc->timeline[i], stream++, &carry);
            if (rc)
                return rc;
        }
    if (k->n_parts > 1)
        qsort(k->parts, (size_t)k->n_parts, sizeof *k->parts, cmp_part);
    return COR_OK;
}

static void teardown(void *state)
{
    caravans *k = state;
    if (!k)
        return;
    free(k->parts);
    free(k->owed);
    free(k->target);
    free(k->target_day);
    free(k);
}

/* ---------------------------------------------------------------- hooks */

/* From its start day on, a caravan's people are owed by its group. */
static void book(caravans *k, const cor_sim *sim, int32_t day)
{
    for (; k->booked < k->n_parts && k->parts[k->booked].day <= day; k->booked++) {
        const part *p = &k->parts[k->booked];
        for (int d = 0; d < COR_N_DEMOS; d++)
            k->owed[p->group * COR_N_DEMOS + d] += (double)p->n[d] * sim->scale;
    }
}

/* Latent people of (group, demo) leaving `origin` on `day`, as the engine
 * computes them (phase_spawn), and the origin's share. */
static double latent_today(const cor_scenario *sc, int g, int d, int origin, int32_t day, double *share)
{
    const cor_sc_population *pop = &sc->populations[g];
    int month = cor_month_of_day(day), m = month - pop->demand_month0;
    *share = 0;
    if (m < 0 || m >= pop->n_months)
        return 0;
    for (int o = 0; o < pop->n_origins; o++)
        if (pop->origins[o].place == origin) {
            *share = pop->origins[o].share;
            return pop->demand[m * COR_N_DEMOS + d] / cor_month_days(month) * pop->origins[o].share;
        }
    return 0;
}

static double propensity(cor_ctx *c, void *state, int group, int demo, int origin)
{
    caravans *k = state;
    const cor_sim *sim = c->sim;
    book(k, sim, c->day);
    double p = cor_next_propensity(c, group, demo, origin);
    int gd = group * COR_N_DEMOS + demo;
    if (!(k->owed[gd] > 0) || !(p > 0))
        return p;
    double share, people = latent_today(sim->sc, group, demo, origin, c->day, &share);
    double x = people * p;
    if (!(x > 0))
        return p;
    if (k->target_day[gd] != c->day) { /* spread what is owed over the days left in the month */
        int32_t last = cor_month_last_day(cor_month_of_day(c->day));
        k->target_day[gd] = c->day;
        k->target[gd] = k->owed[gd] / (double)(last - c->day + 1);
    }
    double want = k->target[gd] * share, take = want < x ? want : x;
    k->owed[gd] -= take;
    if (k->owed[gd] < 1e-9)
        k->owed[gd] = 0;
    return p * (1.0 - take / x);
}

static void day_start(cor_ctx *c, void *state)
{
    caravans *k = state;
    cor_sim *sim = c->sim;
    book(k, sim, c->day);
    for (; k->spawned < k->n_parts && k->parts[k->spawned].day <= c->day; k->spawned++) {
        const part *p = &k->parts[k->spawned];
        if (p->day < c->day)
            continue;
        for (int d = 0; d < COR_N_DEMOS; d++) {
            int64_t first = sim->agents.n;
            /* flag and stream are set before the layers' spawned hooks run */
            if (cor_spawn_tagged(sim, p->n[d], p->group, d, p->place, k->flag, p->stream))
                return;
            for (int64_t a = first; a < sim->agents.n; a++)
                cor_event(c, k->s_departures, p->place, (uint32_t)a);
        }
    }
}

const cor_rules cor_caravans_rules = {
    .name = "caravans",
    .setup = setup,
    .teardown = teardown,
    .propensity = propensity,
    .day_start = day_start,
};
