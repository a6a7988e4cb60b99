/* harm.c - crimes and deaths (see harm.h and docs/modules/harm.md). */
#include "migrants/harm.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const segment_names[COR_HARM_N_SEGMENTS] = {"river", "desert", "train", "road", "sea"};

typedef struct {
    int st_dead;
    int lv_officials, lv_hr;
    double hr_effect;
    int s_crimes, s_officials, s_deaths, s_seg[COR_HARM_N_SEGMENTS];
    double *place_rate;     /* crimes per person-day, by place */
    double *arc_crime;      /* expected crimes per traversal, by arc */
    double *arc_death;      /* death probability per traversal, by arc */
    int8_t *arc_seg;        /* segment by arc, -1 none */
    /* effective officials' share, [(place or P + link) * G + group] * DEMOS + demo,
     * recomputed in day_start when one of the two levers changed */
    float *officials;
    int dirty;
    int n_places, n_links, n_groups;
} harm;

/* ---------------------------------------------------------------- set-up */

static int param_fail(cor_sim *sim, const char *name, const char *what, double v)
{
    const cor_sc_param *p = cor_param_find(sim, name);
    return cor_sim_fail(sim, COR_EINPUT, "%s:%d: parameters.%s.value: must be %s (got %g)", p->pos.file,
                        p->pos.line, name, what, v);
}

/* Read parameter `name` (required or, if not, default 0) and check it is
 * >= 0 (and <= 1 if prob).  Returns COR_OK or a failure code. */
static int read_param(cor_sim *sim, const char *name, int required, const char *needed_by, int prob, double *v)
{
    *v = 0;
    if (required ? !cor_param_require(sim, name, needed_by, v) : !cor_param(sim, name, v))
        return required ? COR_EINPUT : COR_OK;
    if (!isfinite(*v) || *v < 0 || (prob && *v > 1))
        return param_fail(sim, name, prob ? "in [0, 1]" : ">= 0", *v);
    return COR_OK;
}

int cor_harm_segment(const cor_sim *sim, int arc)
{
    const cor_arc *x = &sim->net.arcs[arc];
    switch (x->mode) {
    case COR_MODE_RIVER:
        return COR_HARM_RIVER;
    case COR_MODE_FOOT:
        return sim->net.kind[x->to] == COR_KIND_US_SECTOR ? COR_HARM_DESERT : -1;
    case COR_MODE_RAIL:
        return COR_HARM_TRAIN;
    case COR_MODE_BUS:
    case COR_MODE_ROAD:
        return COR_HARM_ROAD;
    case COR_MODE_SEA:
        return COR_HARM_SEA;
    default:
        return -1;
    }
}

/* Timeline values of a 0..1 lever must be shares. */
static int check_share_lever(cor_sim *sim, const char *lever)
{
    const cor_scenario *sc = sim->sc;
    for (int i = 0; i < sc->n_timeline; i++) {
        const cor_sc_lever *t = &sc->timeline[i];
        if (strcmp(t->lever, lever) == 0 && !(t->value >= 0 && t->value <= 1))
            return cor_sim_fail(sim, COR_EINPUT, "%s:%d: timeline[%d].value: %s must be in [0, 1] (got %g)",
                                t->pos.file, t->pos.line, t->index, lever, t->value);
    }
    return COR_OK;
}

static int timeline_sets(const cor_scenario *sc, const char *lever)
{
    for (int i = 0; i < sc->n_timeline; i++)
        if (strcmp(sc->timeline[i].lever, lever) == 0)
            return 1;
    return 0;
}

static int setup_series(cor_sim *sim, harm *h)
{
    h->s_crimes = cor_series_register(sim, "crimes", COR_FLOW, "crimes", COR_AGG_SUM);
    h->s_officials = cor_series_register(sim, "crimes_by_officials", COR_FLOW, "crimes_by_officials", COR_AGG_SUM);
    h->s_deaths = cor_series_register(sim, "deaths", COR_FLOW, "deaths", COR_AGG_SUM);
    int bad = h->s_crimes < 0 || h->s_officials < 0 || h->s_deaths < 0;
    for (int s = 0; s < COR_HARM_N_SEGMENTS; s++) {
        char name[32];
        snprintf(name, sizeof name, "deaths_%s", segment_names[s]);
        h->s_seg[s] = cor_series_register(sim, name, COR_FLOW, NULL, COR_AGG_SUM);
        bad |= h->s_seg[s] < 0;
    }
    return bad ? cor_sim_fail(sim, COR_EINPUT, "harm: cannot register its series (a name is taken with another kind)")
               : COR_OK;
}

static int setup(cor_sim *sim, void **state)
{
    harm *h = calloc(1, sizeof *h);
    if (!h)
        return cor_sim_fail(sim, COR_ENOMEM, "out of memory");
    *state = h;
    const cor_network *net = &sim->net;
    h->n_places = net->n_places;
    h->n_links = sim->sc->n_links;
    h->n_groups = sim->sc->n_populations;
    h->st_dead = cor_status_register(sim, "dead", COR_STATUS_TERMINAL);
    h->lv_officials = cor_lever_register(sim, "harm_officials_share");
    h->lv_hr = cor_lever_register(sim, "guard_hr_trained_share");
    if (h->st_dead < 0 || h->lv_officials < 0 || h->lv_hr < 0)
        return cor_sim_fail(sim, COR_ENOMEM, "out of memory");
    int rc = setup_series(sim, h);
    if (rc)
        return rc;
    if ((rc = check_share_lever(sim, "harm_officials_share")) || (rc = check_share_lever(sim, "guard_hr_trained_share")))
        return rc;
    if ((rc = read_param(sim, "harm_guard_hr_effect", timeline_sets(sim->sc, "guard_hr_trained_share"),
                         "harm (the timeline sets guard_hr_trained_share)", 1, &h->hr_effect)))
        return rc;

    h->place_rate = calloc((size_t)net->n_places + 1, sizeof *h->place_rate);
    h->arc_crime = calloc((size_t)net->n_arcs + 1, sizeof *h->arc_crime);
    h->arc_death = calloc((size_t)net->n_arcs + 1, sizeof *h->arc_death);
    h->arc_seg = calloc((size_t)net->n_arcs + 1, sizeof *h->arc_seg);
    h->officials = calloc((size_t)(h->n_places + h->n_links) * (size_t)h->n_groups * COR_N_DEMOS + 1,
                          sizeof *h->officials);
    if (!h->place_rate || !h->arc_crime || !h->arc_death || !h->arc_seg || !h->officials)
        return cor_sim_fail(sim, COR_ENOMEM, "out of memory");
    h->dirty = 1;

    /* crime rates at places, by kind present */
    double kind_rate[COR_N_KINDS] = {0};
    int kind_present[COR_N_KINDS] = {0};
    for (int p = 0; p < net->n_places; p++)
        kind_present[net->kind[p]] = 1;
    for (int k = 0; k < COR_N_KINDS; k++) {
        if (!kind_present[k])
            continue;
        char name[64], who[96];
        snprintf(name, sizeof name, "harm_crime_rate_%s", cor_kind_names[k]);
        snprintf(who, sizeof who, "harm (%s places)", cor_kind_names[k]);
        int required = k == COR_KIND_BORDER_CROSSING || k == COR_KIND_TRANSIT || k == COR_KIND_SHELTER ||
                       k == COR_KIND_BORDER_CITY;
        if ((rc = read_param(sim, name, required, who, 0, &kind_rate[k])))
            return rc;
    }
    for (int p = 0; p < net->n_places; p++)
        h->place_rate[p] = kind_rate[net->kind[p]];

    /* per traversal: crimes by mode, deaths by segment, both x (1 + risk) */
    double mode_crime[COR_N_MODES] = {0}, seg_death[COR_HARM_N_SEGMENTS] = {0};
    int mode_present[COR_N_MODES] = {0}, seg_present[COR_HARM_N_SEGMENTS] = {0};
    for (int a = 0; a < net->n_arcs; a++) {
        mode_present[net->arcs[a].mode] = 1;
        h->arc_seg[a] = (int8_t)cor_harm_segment(sim, a);
        if (h->arc_seg[a] >= 0)
            seg_present[h->arc_seg[a]] = 1;
    }
    for (int m = 0; m < COR_N_MODES; m++) {
        char name[64], who[96];
        snprintf(name, sizeof name, "harm_crime_per_link_%s", cor_mode_names[m]);
        snprintf(who, sizeof who, "harm (%s links)", cor_mode_names[m]);
        if (mode_present[m] && (rc = read_param(sim, name, 1, who, 0, &mode_crime[m])))
            return rc;
    }
    for (int s = 0; s < COR_HARM_N_SEGMENTS; s++) {
        char name[64], who[96];
        snprintf(name, sizeof name, "harm_death_%s", segment_names[s]);
        snprintf(who, sizeof who, "harm (%s segments)", segment_names[s]);
        if (seg_present[s] && (rc = read_param(sim, name, 1, who, 1, &seg_death[s])))
            return rc;
    }
    for (int a = 0; a < net->n_arcs; a++) {
        double f = 1.0 + net->arcs[a].risk;
        h->arc_crime[a] = mode_crime[net->arcs[a].mode] * f;
        double d = h->arc_seg[a] >= 0 ? seg_death[h->arc_seg[a]] * f : 0;
        h->arc_death[a] = d < 1 ? d : 1;
    }
    return COR_OK;
}

static void teardown(void *state)
{
    harm *h = state;
    if (!h)
        return;
    free(h->place_rate);
    free(h->arc_crime);
    free(h->arc_death);
    free(h->arc_seg);
    free(h->officials);
    free(h);
}

/* ---------------------------------------------------------------- levers */

static void lever_changed(cor_ctx *c, void *state, const cor_lever_change *ch)
{
    harm *h = state;
    (void)c;
    if (ch->lever == h->lv_officials || ch->lever == h->lv_hr)
        h->dirty = 1;
}

/* Effective officials' share for every place and link x group x demographic
 * (only when one of the levers changed: a few thousand look-ups). */
static void day_start(cor_ctx *c, void *state)
{
    harm *h = state;
    if (!h->dirty)
        return;
    h->dirty = 0;
    const cor_sim *sim = c->sim;
    int n = h->n_places + h->n_links;
    for (int i = 0; i < n; i++) {
        int place = i < h->n_places ? i : -1, link = i < h->n_places ? -1 : i - h->n_places;
        for (int g = 0; g < h->n_groups; g++)
            for (int d = 0; d < COR_N_DEMOS; d++) {
                double share = 0, hr = 0;
                cor_lever(sim, h->lv_officials, place, link, g, d, &share);
                cor_lever(sim, h->lv_hr, place, link, g, d, &hr);
                double s = share * (1.0 - hr * h->hr_effect);
                h->officials[((int64_t)i * h->n_groups + g) * COR_N_DEMOS + d] = (float)(s < 0 ? 0 : s > 1 ? 1 : s);
            }
    }
}

/* ---------------------------------------------------------------- draws */

/* Poisson(lambda) by inversion of u.  P(0) = exp(-lambda) >= 1 - lambda,
 * so u < 1 - lambda is 0 without computing exp (most draws). */
static int64_t poisson(double lambda, double u)
{
    if (!(lambda > 0) || u < 1.0 - lambda)
        return 0;
    double p = exp(-lambda), f = p;
    int64_t k = 0;
    while (u >= f && k < 100000) {
        k++;
        p *= lambda / (double)k;
        f += p;
        if (p < 1e-300 && (double)k > lambda)
            break; /* u beyond the representable tail */
    }
    return k;
}

/* Crimes with mean lambda for agent a at `site` (place index, or P + link)
 * counted at `place`: returns nothing; draws are (a, day, purpose, 0..). */
static void crimes(cor_ctx *c, const harm *h, uint32_t a, double lambda, int site, int place, uint16_t purpose,
                   double u0)
{
    int64_t k = poisson(lambda, u0);
    if (k == 0)
        return;
    const cor_agents *ag = &c->sim->agents;
    int g = ag->group[a], d = ag->demo[a];
    cor_event_n(c, h->s_crimes, place, g, d, k);
    double share = h->officials[((int64_t)site * h->n_groups + g) * COR_N_DEMOS + d];
    if (!(share > 0))
        return;
    int64_t j = 0;
    for (int64_t i = 0; i < k; i += 2) {
        cor_rand2 r = cor_rng_draw(&c->sim->rng, a, c->day, purpose, (uint16_t)(1 + (i / 2) % 65535));
        j += cor_u01(r.w[0]) < share;
        if (i + 1 < k)
            j += cor_u01(r.w[1]) < share;
    }
    if (j)
        cor_event_n(c, h->s_officials, place, g, d, j);
}

/* Uniforms with 32 random bits from the two halves of a word (ample for
 * crime counts; deaths use 53 bits). */
static inline double u32_hi(uint64_t w) { return (double)(w >> 32) * 0x1.0p-32; }
static inline double u32_lo(uint64_t w) { return (double)(w & 0xffffffffu) * 0x1.0p-32; }

/* Crimes for `days` person-days where the agent now is, given a uniform u
 * (NAN: draw one for `purpose`). */
static void charge_stay(cor_ctx *c, const harm *h, uint32_t a, int64_t days, uint16_t purpose, double u)
{
    const cor_agents *ag = &c->sim->agents;
    int place = (int)ag->place[a];
    double rate = h->place_rate[place];
    if (!(rate > 0) || days <= 0)
        return;
    if (isnan(u))
        u = cor_u01(cor_rng_draw(&c->sim->rng, a, c->day, purpose, 0).w[0]);
    crimes(c, h, a, rate * (double)days, place, place, purpose, u);
}

/* The stay an agent at a place plans from today: days to its next decision. */
static inline int64_t planned_days(const cor_ctx *c, uint32_t a)
{
    const cor_agents *ag = &c->sim->agents;
    int32_t next = ag->next_day[a];
    if (next == COR_NEVER || ag->status[a] == COR_ST_TRAVELLING)
        return 0;
    return (int64_t)next - c->day;
}

/* ---------------------------------------------------------------- hooks */

static void arrive(cor_ctx *c, void *state, uint32_t a, int place, int arc)
{
    const harm *h = state;
    double u_stay = NAN;
    if (arc >= 0) { /* one draw: w[0] death, w[1] crimes on the link (high half) and in the stay (low half) */
        cor_rand2 r = cor_rng_draw(&c->sim->rng, a, c->day, COR_RNG_HARM_LINK, 0);
        int link = c->sim->net.arcs[arc].link;
        crimes(c, h, a, h->arc_crime[arc], h->n_places + link, place, COR_RNG_HARM_LINK, u32_hi(r.w[1]));
        if (h->arc_death[arc] > 0 && cor_u01(r.w[0]) < h->arc_death[arc]) {
            cor_finish(c, a, h->st_dead);
            cor_event(c, h->s_deaths, place, a);
            cor_event(c, h->s_seg[h->arc_seg[arc]], place, a);
            return; /* no layer below sees the arrival */
        }
        u_stay = u32_lo(r.w[1]);
    }
    cor_next_arrive(c, a, place, arc);
    if (c->sim->status_flags[c->sim->agents.status[a]] & COR_STATUS_TERMINAL)
        return;
    charge_stay(c, h, a, planned_days(c, a), COR_RNG_HARM_STAY, u_stay);
}

static void decide(cor_ctx *c, void *state, uint32_t a)
{
    const harm *h = state;
    cor_next_decide(c, a);
    const cor_agents *ag = &c->sim->agents;
    if (ag->status[a] == COR_ST_TRAVELLING || !(h->place_rate[ag->place[a]] > 0) ||
        (c->sim->status_flags[ag->status[a]] & COR_STATUS_TERMINAL))
        return;
    charge_stay(c, h, a, planned_days(c, a), COR_RNG_HARM_STAY, NAN);
}

static void resolve(cor_ctx *c, void *state, uint32_t a, int request)
{
    const harm *h = state;
    const cor_agents *ag = &c->sim->agents;
    if (ag->status[a] == h->st_dead)
        return; /* the dead never move again */
    int32_t before = ag->next_day[a];
    cor_next_resolve(c, a, request);
    int32_t after = ag->next_day[a];
    if (after == COR_NEVER || after <= before || ag->status[a] == COR_ST_TRAVELLING ||
        (c->sim->status_flags[ag->status[a]] & COR_STATUS_TERMINAL))
        return;
    /* the stay grew (a bed, a detention...): charge the extra days */
    int64_t from = before == COR_NEVER || before < c->day ? c->day : before;
    charge_stay(c, h, a, (int64_t)after - from, COR_RNG_HARM_EXTEND, NAN);
}

const cor_rules cor_harm_rules = {
    .name = "harm",
    .setup = setup,
    .teardown = teardown,
    .decide = decide,
    .arrive = arrive,
    .resolve = resolve,
    .lever_changed = lever_changed,
    .day_start = day_start,
};
