/* cbp_one.c - CBP One appointments (see cbp_one.h and docs/modules/cbp_one.md). */
#include "us/cbp_one.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FAR_DAY (INT32_MAX - 1) /* "never" for an agent that must stay wakeable */

typedef struct {
    uint32_t a;
    int32_t day; /* registration day (= since[a] while the person waits) */
} slot;

typedef struct {
    int st_wait, st_entered;
    int lv_daily;
    int req;
    int s_entries, s_reg, s_giveups, s_waiting;
    double use_prob, giveup_rate, f_giveup;
    int P;
    int *port;          /* [P] us_sector place facing a border city, -1 */
    int open;           /* appointments offered today (registration open) */
    slot *q;            /* FIFO: q[head..n) */
    int64_t head, n, cap;
    double carry;       /* people: fractional remainder of the daily number */
} cbp_one;

/* ---------------------------------------------------------------- set-up */

static int need(cor_sim *sim, const char *name, double lo, double hi, double *v)
{
    return cor_param_in(sim, name, "module cbp_one", lo, hi, 0, v);
}

static int check_timeline(cor_sim *sim)
{
    const cor_scenario *sc = sim->sc;
    for (int i = 0; i < sc->n_timeline; i++) {
        const cor_sc_lever *t = &sc->timeline[i];
        if (strcmp(t->lever, "cbp_one_daily") != 0)
            continue;
        if (!(isfinite(t->value) && t->value >= 0))
            return cor_sim_fail(sim, COR_EINPUT, "%s:%d: timeline[%d].value: cbp_one_daily must be >= 0 (got %g)",
                                t->pos.file, t->pos.line, t->index, t->value);
        const cor_sc_scope *s = &t->scope;
        if (s->n_places || s->n_links || s->n_groups || s->demo_mask)
            return cor_sim_fail(sim, COR_EINPUT, "%s:%d: timeline[%d].scope: cbp_one_daily is national: remove the scope",
                                t->pos.file, t->pos.line, t->index);
    }
    return COR_OK;
}

static int setup(cor_sim *sim, void **state)
{
    cbp_one *k = calloc(1, sizeof *k);
    if (!k)
        return cor_sim_fail(sim, COR_ENOMEM, "out of memory");
    *state = k;
    k->P = sim->net.n_places;
    k->st_wait = cor_status_register(sim, "cbp_one_waiting", 0);
    k->st_entered = cor_status_register(sim, "us_entered", COR_STATUS_TERMINAL);
    k->lv_daily = cor_lever_register(sim, "cbp_one_daily");
    k->req = cor_request_register(sim, "cbp_one_register");
    k->s_entries = cor_series_register(sim, "cbp_one_entries", COR_FLOW, "cbp_one_entries", COR_AGG_SUM);
    k->s_reg = cor_series_register(sim, "cbp_one_registrations", COR_FLOW, NULL, COR_AGG_SUM);
    k->s_giveups = cor_series_register(sim, "cbp_one_giveups", COR_FLOW, NULL, COR_AGG_SUM);
    k->s_waiting = cor_series_register(sim, "cbp_one_waiting", COR_STOCK, NULL, COR_AGG_SUM);
    if (k->st_wait < 0 || k->st_entered < 0 || k->lv_daily < 0 || !k->req || k->s_entries < 0 || k->s_reg < 0 ||
        k->s_giveups < 0 || k->s_waiting < 0)
        return cor_sim_fail(sim, COR_ENOMEM, "module cbp_one: cannot register its statuses, lever or series");
    if (!need(sim, "cbp_one_use_prob", 0, 1, &k->use_prob) ||
        !need(sim, "cbp_one_giveup_rate", 0, 1, &k->giveup_rate))
        return COR_EINPUT;
    /* give up on day 1 + geometric with p = rate */
    k->f_giveup = k->giveup_rate > 0 ? cor_geometric_factor((1 - k->giveup_rate) / k->giveup_rate) : 0.0;
    k->port = malloc(sizeof *k->port * ((size_t)k->P + 1));
    if (!k->port)
        return cor_sim_fail(sim, COR_ENOMEM, "out of memory");
    const cor_network *net = &sim->net;
    for (int p = 0; p < k->P; p++) {
        k->port[p] = -1;
        if (net->kind[p] != COR_KIND_BORDER_CITY)
            continue;
        int best = -1; /* the crossing of the first link in scenario order */
        for (int j = net->out_start[p]; j < net->out_start[p + 1]; j++) {
            const cor_arc *x = &net->arcs[net->out_arcs[j]];
            if (net->kind[x->to] == COR_KIND_US_SECTOR && (best < 0 || x->link < net->arcs[best].link))
                best = net->out_arcs[j];
        }
        if (best >= 0)
            k->port[p] = net->arcs[best].to;
    }
    return check_timeline(sim);
}

static void teardown(void *state)
{
    cbp_one *k = state;
    free(k->port);
    free(k->q);
    free(k);
}

/* ---------------------------------------------------------------- agents */

static int32_t giveup_delay(const cor_sim *sim, const cbp_one *k, uint32_t a, int32_t day0)
{
    if (!(k->giveup_rate > 0))
        return FAR_DAY;
    uint32_t s = a;
    if (sim->stream_col) { /* as cor_draw: agents sharing a stream draw alike */
        const uint32_t *st = (const uint32_t *)sim->agents.cols[sim->stream_col - 1].data;
        if (st[a])
            s = st[a];
    }
    return 1 + cor_geometric_f(cor_rng_draw(&sim->rng, s, day0, COR_RNG_CBP_ONE_GIVEUP, 0).w[0], k->f_giveup);
}

static void wait_until(cor_ctx *c, uint32_t a, int64_t day)
{
    int64_t d = day - c->day;
    cor_wait(c, a, d > FAR_DAY ? FAR_DAY : (int32_t)d);
}

static void day_start(cor_ctx *c, void *state)
{
    cbp_one *k = state;
    double v;
    k->open = cor_lever(c->sim, k->lv_daily, -1, -1, -1, -1, &v) && v > 0;
}

static void arrive(cor_ctx *c, void *state, uint32_t a, int place, int arc)
{
    const cbp_one *k = state;
    if (!k->open || k->port[place] < 0 || !(k->use_prob > 0) ||
        cor_u01(cor_draw(c, a, COR_RNG_CBP_ONE_REGISTER, 0).w[0]) >= k->use_prob) {
        cor_next_arrive(c, a, place, arc);
        return;
    }
    cor_request(c, a, k->req);
}

static int push(cbp_one *k, uint32_t a, int32_t day)
{
    if (k->head > 0 && k->head * 2 >= k->n) { /* drop the served part */
        memmove(k->q, k->q + k->head, sizeof *k->q * (size_t)(k->n - k->head));
        k->n -= k->head;
        k->head = 0;
    }
    if (k->n == k->cap) {
        int64_t cap = k->cap ? 2 * k->cap : 1024;
        slot *q = realloc(k->q, sizeof *q * (size_t)cap);
        if (!q)
            return -1;
        k->q = q;
        k->cap = cap;
    }
    k->q[k->n++] = (slot){a, day};
    return 0;
}

static void resolve(cor_ctx *c, void *state, uint32_t a, int request)
{
    cbp_one *k = state;
    if (request != k->req) {
        cor_next_resolve(c, a, request);
        return;
    }
    cor_sim *sim = c->sim;
    const cor_agents *ag = &sim->agents;
    int place = (int)ag->place[a];
    if (ag->status[a] != COR_ST_WAITING || ag->arc[a] != COR_NONE || k->port[place] < 0)
        return; /* taken by someone else since arriving */
    if (push(k, a, c->day)) {
        cor_sim_fail(sim, COR_ENOMEM, "module cbp_one: out of memory");
        return;
    }
    cor_set_status(c, a, k->st_wait);
    cor_event(c, k->s_reg, place, a);
    wait_until(c, a, (int64_t)c->day + giveup_delay(sim, k, a, c->day));
}

static void decide(cor_ctx *c, void *state, uint32_t a)
{
    const cbp_one *k = state;
    const cor_agents *ag = &c->sim->agents;
    if (ag->status[a] != k->st_wait) {
        cor_next_decide(c, a);
        return;
    }
    int64_t due = (int64_t)ag->since[a] + giveup_delay(c->sim, k, a, ag->since[a]);
    if (c->day < due) { /* woken early (e.g. by a closure): keep waiting */
        wait_until(c, a, due);
        return;
    }
    cor_event(c, k->s_giveups, (int)ag->place[a], a);
    cor_set_status(c, a, COR_ST_WAITING);
    cor_next_decide(c, a); /* cross irregularly: the corridor rules move them on */
}

/* Appointments: the day's number of people from the head of the queue. */
static void day_end(cor_ctx *c, void *state)
{
    cbp_one *k = state;
    cor_sim *sim = c->sim;
    const cor_agents *ag = &sim->agents;
    double daily;
    if (!cor_lever(sim, k->lv_daily, -1, -1, -1, -1, &daily)) {
        k->carry = 0;
        return;
    }
    double people = daily + k->carry;
    double whole = floor(people / sim->scale + 1e-9);
    k->carry = people - whole * sim->scale;
    if (k->carry < 0)
        k->carry = 0;
    int64_t slots = (int64_t)whole;
    while (slots > 0 && k->head < k->n) {
        slot s = k->q[k->head++];
        if (ag->status[s.a] != k->st_wait || ag->since[s.a] != s.day)
            continue; /* gave up (and perhaps registered again later) */
        int port = k->port[ag->place[s.a]];
        cor_event(c, k->s_entries, port, s.a);
        cor_move_to(c, s.a, port, k->st_entered);
        slots--;
    }
}

static void month_end(cor_ctx *c, void *state, int month)
{
    (void)month;
    const cbp_one *k = state;
    cor_sim *sim = c->sim;
    for (int p = 0; p < k->P; p++) {
        int64_t n = cor_count(sim, p, k->st_wait);
        if (n)
            cor_series_stock(sim, k->s_waiting, p, -1, -1, (double)n);
    }
}

const cor_rules cor_cbp_one_rules = {
    .name = "cbp_one",
    .setup = setup,
    .teardown = teardown,
    .decide = decide,
    .arrive = arrive,
    .resolve = resolve,
    .day_start = day_start,
    .day_end = day_end,
    .month_end = month_end,
};
