/* comar.c - asylum in Mexico (see comar.h and docs/modules/comar.md). */
#include "mexico/comar.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/calendar.h"

#define FAR_DAY (INT32_MAX - 1) /* "never" for a non-terminal agent: it must stay wakeable */

typedef struct {
    uint32_t a;
    int32_t day; /* day of application (= since[a] while the claim is pending) */
} claim;

enum { CLOSED_TITLE42, CLOSED_MPP, CLOSED_PROCLAMATION, N_CLOSED };
static const char *const closed_levers[N_CLOSED] = {"title42", "mpp", "proclamation"};

typedef struct {
    int st_asylum, st_refugee;
    int lv_office, lv_staff, lv_budget, lv_closed[N_CLOSED];
    int req_apply, req_arrival;
    int s_app, s_dec, s_rec, s_aband, s_backlog, s_spend;
    int col_applied;             /* uint8 per agent: applied on arrival once */
    uint8_t flag_holder;         /* tvrh_holder (0 if tvrh is not loaded) */
    double closed_mult, cases_per_staff, abandon_rate, integrate, staff_cost;
    int has_staff_cost;
    double f_abandon;            /* 1 / log(1 - abandon_rate) */
    int P, G;
    double *apply_prob, *recog;  /* [G] */
    uint8_t *mexican;            /* [G]: home place in MX */
    double *apply_today;         /* [G * DEMOS]: probability in force today */
    uint8_t *office;             /* [P] */
    int dirty;                   /* levers changed: refresh office / apply_today */
    claim *q;                    /* FIFO: q[head..n) */
    int64_t head, n, cap;
    double credit;               /* decisions capacity carried, people */
    double *cells;               /* [P * G * DEMOS] month-end backlog scratch */
} comar;

/* ---------------------------------------------------------------- set-up */

static int in_range(cor_sim *sim, const char *name, double v, double lo, double hi)
{
    return cor_param_check(sim, name, v, lo, hi, 0);
}

static int need(cor_sim *sim, const char *name, double lo, double hi, double *v)
{
    return cor_param_in(sim, name, "module comar", lo, hi, 0, v);
}

/* <prefix>_<group id>, else <prefix> for every group. */
static int group_param(cor_sim *sim, const char *prefix, const char *group, double *v)
{
    char name[256], who[320];
    snprintf(name, sizeof name, "%s_%s", prefix, group);
    if (cor_param(sim, name, v))
        return in_range(sim, name, *v, 0, 1);
    if (cor_param(sim, prefix, v))
        return in_range(sim, prefix, *v, 0, 1);
    snprintf(who, sizeof who, "module comar for population %s; or give %s for every population", group, prefix);
    return cor_param_require(sim, name, who, v);
}

/* Timeline entries of the module's levers: values >= 0; staff and budget
 * are national, offices are places. */
static int check_timeline(cor_sim *sim)
{
    const cor_scenario *sc = sim->sc;
    for (int i = 0; i < sc->n_timeline; i++) {
        const cor_sc_lever *t = &sc->timeline[i];
        int office = strcmp(t->lever, "comar_office") == 0;
        int national = strcmp(t->lever, "comar_staff") == 0 || strcmp(t->lever, "comar_budget_mxn") == 0;
        if (!office && !national)
            continue;
        if (!(isfinite(t->value) && t->value >= 0))
            return cor_sim_fail(sim, COR_EINPUT, "%s:%d: timeline[%d].value: %s must be >= 0 (got %g)", t->pos.file,
                                t->pos.line, t->index, t->lever, t->value);
        const cor_sc_scope *s = &t->scope;
        if (national && (s->n_places || s->n_links || s->n_groups || s->demo_mask))
            return cor_sim_fail(sim, COR_EINPUT, "%s:%d: timeline[%d].scope: %s is national: remove the scope",
                                t->pos.file, t->pos.line, t->index, t->lever);
        if (office && (s->n_links || s->n_groups || s->demo_mask))
            return cor_sim_fail(sim, COR_EINPUT,
                                "%s:%d: timeline[%d].scope: comar_office is scoped by places only (no links, groups "
                                "or demographics)",
                                t->pos.file, t->pos.line, t->index);
    }
    return COR_OK;
}

static int setup(cor_sim *sim, void **state)
{
    comar *k = calloc(1, sizeof *k);
    if (!k)
        return cor_sim_fail(sim, COR_ENOMEM, "out of memory");
    *state = k;
    k->P = sim->net.n_places;
    k->G = sim->n_groups;
    k->st_asylum = cor_status_register(sim, "asylum_mx", 0);
    k->st_refugee = cor_status_register(sim, "refugee_mx", COR_STATUS_TERMINAL);
    k->req_apply = cor_request_register(sim, "comar_apply");
    k->req_arrival = cor_request_register(sim, "comar_apply_arrival");
    k->lv_office = cor_lever_register(sim, "comar_office");
    k->lv_staff = cor_lever_register(sim, "comar_staff");
    k->lv_budget = cor_lever_register(sim, "comar_budget_mxn");
    int bad = k->st_asylum < 0 || k->st_refugee < 0 || !k->req_apply || !k->req_arrival || k->lv_office < 0 ||
              k->lv_staff < 0 || k->lv_budget < 0;
    for (int i = 0; i < N_CLOSED; i++)
        bad |= (k->lv_closed[i] = cor_lever_register(sim, closed_levers[i])) < 0;
    k->s_app = cor_series_register(sim, "comar_applications", COR_FLOW, "comar_applications", COR_AGG_SUM);
    k->s_dec = cor_series_register(sim, "comar_decisions", COR_FLOW, NULL, COR_AGG_SUM);
    k->s_rec = cor_series_register(sim, "comar_recognitions", COR_FLOW, NULL, COR_AGG_SUM);
    k->s_aband = cor_series_register(sim, "comar_abandonments", COR_FLOW, NULL, COR_AGG_SUM);
    k->s_backlog = cor_series_register(sim, "comar_backlog", COR_STOCK, "comar_backlog_end", COR_AGG_END);
    k->s_spend = cor_series_register(sim, "comar_spending_mxn", COR_VALUE, "comar_spending_mxn", COR_AGG_SUM);
    bad |= k->s_app < 0 || k->s_dec < 0 || k->s_rec < 0 || k->s_aband < 0 || k->s_backlog < 0 || k->s_spend < 0;
    k->col_applied = cor_column_register(sim, "comar_applied", sizeof(uint8_t));
    bad |= k->col_applied < 0;
    if (cor_module_loaded(sim, "tvrh") && !(k->flag_holder = cor_flag_register(sim, "tvrh_holder")))
        return cor_sim_fail(sim, COR_EINPUT, "module comar: no agent flag left for tvrh_holder (8 in all)");
    if (bad)
        return cor_sim_fail(sim, COR_ENOMEM, "module comar: cannot register its statuses, levers, series or column");

    if (!need(sim, "comar_apply_closed_mult", 0, INFINITY, &k->closed_mult) ||
        !need(sim, "comar_cases_per_staff_day", 0, INFINITY, &k->cases_per_staff) ||
        !need(sim, "comar_abandon_rate", 0, 1, &k->abandon_rate) ||
        !need(sim, "comar_integrate_prob", 0, 1, &k->integrate))
        return COR_EINPUT;
    if ((k->has_staff_cost = cor_param(sim, "comar_staff_cost_mxn", &k->staff_cost)) &&
        !in_range(sim, "comar_staff_cost_mxn", k->staff_cost, 1e-9, INFINITY))
        return COR_EINPUT;
    k->f_abandon = k->abandon_rate > 0 && k->abandon_rate < 1 ? 1.0 / log1p(-k->abandon_rate) : 0.0;

    int P = k->P, G = k->G;
    k->apply_prob = calloc((size_t)G + 1, sizeof *k->apply_prob);
    k->recog = calloc((size_t)G + 1, sizeof *k->recog);
    k->mexican = calloc((size_t)G + 1, 1);
    k->apply_today = calloc((size_t)G * COR_N_DEMOS + 1, sizeof *k->apply_today);
    k->office = calloc((size_t)P + 1, 1);
    k->cells = calloc((size_t)P * (size_t)G * COR_N_DEMOS + 1, sizeof *k->cells);
    if (!k->apply_prob || !k->recog || !k->mexican || !k->apply_today || !k->office || !k->cells)
        return cor_sim_fail(sim, COR_ENOMEM, "out of memory");
    for (int g = 0; g < G; g++) {
        k->mexican[g] = (char)cor_group_is(sim, g, "MX");
        if (k->mexican[g])
            continue; /* Mexicans do not apply to COMAR */
        const char *id = sim->sc->populations[g].id;
        if (!group_param(sim, "comar_apply_prob", id, &k->apply_prob[g]) ||
            !group_param(sim, "comar_recognition", id, &k->recog[g]))
            return COR_EINPUT;
    }
    k->dirty = 1;
    return check_timeline(sim);
}

static void teardown(void *state)
{
    comar *k = state;
    free(k->apply_prob);
    free(k->recog);
    free(k->mexican);
    free(k->apply_today);
    free(k->office);
    free(k->cells);
    free(k->q);
    free(k);
}

/* ---------------------------------------------------------------- helpers */

/* Is the lever in force (> 0) for group g, demographic d at some place?
 * Looks only at the places of the active entries with a positive value
 * (all places for an entry without a place list) and asks which entry
 * wins there, so later entries (a 0 for some group) are respected. */
static int in_force_somewhere(const cor_sim *sim, int lever, int g, int d)
{
    const cor_levers *lv = &sim->levers;
    for (int k = lv->active_start[lever]; k < lv->active_start[lever + 1]; k++) {
        int id = lv->active[k];
        const cor_lever_entry *e = &lv->entries[id];
        if (!(e->value > 0) || e->scope.n_links || (e->scope.demo_mask && !(e->scope.demo_mask >> d & 1)))
            continue;
        int in_groups = e->scope.n_groups == 0;
        for (int i = 0; i < e->scope.n_groups && !in_groups; i++)
            in_groups = e->scope.groups[i] == g;
        if (!in_groups)
            continue;
        int n = e->scope.n_places ? e->scope.n_places : sim->net.n_places;
        for (int i = 0; i < n; i++)
            if (cor_levers_entry(lv, lever, e->scope.n_places ? e->scope.places[i] : i, -1, g, d) == id)
                return 1;
    }
    return 0;
}

static void refresh(cor_sim *sim, comar *k)
{
    double v;
    for (int p = 0; p < k->P; p++)
        k->office[p] = cor_lever(sim, k->lv_office, p, -1, -1, -1, &v) && v > 0;
    for (int g = 0; g < k->G; g++)
        for (int d = 0; d < COR_N_DEMOS; d++) {
            double p = 0;
            if (!k->mexican[g]) {
                int closed = 0;
                for (int i = 0; i < N_CLOSED && !closed; i++)
                    closed = in_force_somewhere(sim, k->lv_closed[i], g, d);
                p = k->apply_prob[g] * (closed ? k->closed_mult : 1.0);
                p = p > 1 ? 1 : p;
            }
            k->apply_today[g * COR_N_DEMOS + d] = p;
        }
    k->dirty = 0;
}

/* The day an applicant abandons: the day after applying plus a geometric
 * number of days (daily probability comar_abandon_rate), drawn with the
 * day of application as key so that it can be recomputed at any wake-up. */
static int32_t abandon_day(const comar *k, const cor_sim *sim, uint32_t a)
{
    int32_t since = sim->agents.since[a];
    if (!(k->abandon_rate > 0))
        return FAR_DAY;
    if (k->abandon_rate >= 1)
        return since + 1;
    cor_rand2 r = cor_rng_draw(&sim->rng, a, since, COR_RNG_COMAR_ABANDON, 0);
    double g = floor(log(cor_u01_open0(r.w[0])) * k->f_abandon);
    double day = (double)since + 1 + g;
    return day >= FAR_DAY ? FAR_DAY : (int32_t)day;
}

static int stale(const comar *k, const cor_sim *sim, const claim *e)
{
    return sim->agents.status[e->a] != k->st_asylum || sim->agents.since[e->a] != e->day;
}

/* ---------------------------------------------------------------- hooks */

static void lever_changed(cor_ctx *c, void *state, const cor_lever_change *ch)
{
    comar *k = state;
    (void)c;
    if (ch->lever == k->lv_office)
        k->dirty = 1;
    for (int i = 0; i < N_CLOSED; i++)
        if (ch->lever == k->lv_closed[i])
            k->dirty = 1;
}

/* Applicants stay where they applied until decided (day_start) or until
 * their abandonment day; then they are ordinary waiting migrants again. */
static void decide(cor_ctx *c, void *state, uint32_t a)
{
    const comar *k = state;
    cor_sim *sim = c->sim;
    if (sim->agents.status[a] != k->st_asylum) {
        cor_next_decide(c, a);
        return;
    }
    int32_t due = abandon_day(k, sim, a);
    if (c->day < due) {
        cor_wait(c, a, due - c->day);
        return;
    }
    cor_event(c, k->s_aband, (int)sim->agents.place[a], a);
    cor_set_status(c, a, COR_ST_WAITING);
    cor_next_decide(c, a);
}

static void arrive(cor_ctx *c, void *state, uint32_t a, int place, int arc)
{
    const comar *k = state;
    if (k->office[place]) {
        cor_sim *sim = c->sim;
        const cor_agents *ag = &sim->agents;
        const uint8_t *applied = cor_column_data(sim, k->col_applied);
        double p = k->apply_today[ag->group[a] * COR_N_DEMOS + ag->demo[a]];
        if (p > 0 && !applied[a] && ag->status[a] == COR_ST_WAITING && !(ag->flags[a] & k->flag_holder) &&
            cor_u01(cor_draw(c, a, COR_RNG_COMAR_APPLY, 0).w[0]) < p) {
            cor_request(c, a, k->req_arrival); /* applies: stays here (resolve) */
            return;
        }
    }
    cor_next_arrive(c, a, place, arc);
}

static int push(cor_sim *sim, comar *k, uint32_t a, int32_t day)
{
    if (k->n == k->cap) {
        if (k->head > 0) { /* reuse the consumed front */
            memmove(k->q, k->q + k->head, sizeof *k->q * (size_t)(k->n - k->head));
            k->n -= k->head;
            k->head = 0;
        }
        if (k->n == k->cap) {
            int64_t cap = k->cap ? 2 * k->cap : 4096;
            claim *q = realloc(k->q, sizeof *q * (size_t)cap);
            if (!q)
                return cor_sim_fail(sim, COR_ENOMEM, "out of memory in the COMAR queue");
            k->q = q;
            k->cap = cap;
        }
    }
    k->q[k->n++] = (claim){a, day};
    return COR_OK;
}

static void apply(cor_ctx *c, comar *k, uint32_t a)
{
    cor_sim *sim = c->sim;
    cor_agents *ag = &sim->agents;
    int place = (int)ag->place[a];
    if (ag->arc[a] != COR_NONE)
        cor_move_to(c, a, place, k->st_asylum);
    else
        cor_set_status(c, a, k->st_asylum);
    ((uint8_t *)cor_column_data(sim, k->col_applied))[a] = 1;
    cor_event(c, k->s_app, place, a);
    if (push(sim, k, a, c->day))
        return;
    if (ag->next_day[a] == COR_NEVER)
        ag->next_day[a] = c->day;
    cor_wait(c, a, abandon_day(k, sim, a) - c->day);
}

static void resolve(cor_ctx *c, void *state, uint32_t a, int request)
{
    comar *k = state;
    if (request != k->req_apply && request != k->req_arrival) {
        cor_next_resolve(c, a, request);
        return;
    }
    const cor_sim *sim = c->sim;
    const cor_agents *ag = &sim->agents;
    int st = ag->status[a];
    if (st == k->st_asylum || (sim->status_flags[st] & COR_STATUS_TERMINAL))
        return;
    if (request == k->req_arrival &&
        (st != COR_ST_WAITING || (ag->flags[a] & k->flag_holder) ||
         ((const uint8_t *)sim->agents.cols[k->col_applied].data)[a]))
        return; /* detained, given a visa or applied already since the arrival */
    apply(c, k, a);
}

static void decide_claim(cor_ctx *c, const comar *k, uint32_t a)
{
    cor_sim *sim = c->sim;
    const cor_agents *ag = &sim->agents;
    int place = (int)ag->place[a];
    cor_rand2 r = cor_draw(c, a, COR_RNG_COMAR_DECIDE, 0);
    cor_event(c, k->s_dec, place, a);
    if (cor_u01(r.w[0]) < k->recog[ag->group[a]]) {
        cor_event(c, k->s_rec, place, a);
        if (cor_u01(r.w[1]) < k->integrate) {
            cor_finish(c, a, k->st_refugee);
            return;
        }
    }
    cor_set_status(c, a, COR_ST_WAITING); /* rejected, or recognised and moving on */
    cor_wake(sim, a);                     /* decides today */
}

static void day_start(cor_ctx *c, void *state)
{
    comar *k = state;
    cor_sim *sim = c->sim;
    if (k->dirty)
        refresh(sim, k);
    double budget = 0, staff = 0;
    int has_budget = cor_lever(sim, k->lv_budget, -1, -1, -1, -1, &budget);
    if (has_budget) {
        int y = cor_month_of_day(c->day) / 12;
        double days = (double)(cor_days_from_civil(y + 1, 1, 1) - cor_days_from_civil(y, 1, 1));
        cor_series_add(sim, k->s_spend, -1, -1, -1, budget / days);
    }
    if (!cor_lever(sim, k->lv_staff, -1, -1, -1, -1, &staff))
        staff = has_budget && k->has_staff_cost ? budget / k->staff_cost : 0;
    k->credit += staff * k->cases_per_staff;
    double scale = sim->scale;
    while (k->head < k->n && k->credit + 1e-9 * scale >= scale) {
        const claim *e = &k->q[k->head++];
        if (stale(k, sim, e))
            continue;
        k->credit -= scale;
        decide_claim(c, k, e->a);
    }
    while (k->head < k->n && stale(k, sim, &k->q[k->head]))
        k->head++;
    if (k->head == k->n) {
        k->head = k->n = 0;
        if (k->credit >= scale)
            k->credit = fmod(k->credit, scale); /* idle staff: only the part of a decision carries */
    }
    if (k->credit < 0)
        k->credit = 0;
}

static void month_end(cor_ctx *c, void *state, int month)
{
    comar *k = state;
    cor_sim *sim = c->sim;
    (void)month;
    int64_t cells = (int64_t)k->P * k->G * COR_N_DEMOS;
    memset(k->cells, 0, sizeof *k->cells * (size_t)cells);
    const cor_agents *ag = &sim->agents;
    for (int64_t i = k->head; i < k->n; i++) {
        const claim *e = &k->q[i];
        if (stale(k, sim, e))
            continue;
        k->cells[((int64_t)ag->place[e->a] * k->G + ag->group[e->a]) * COR_N_DEMOS + ag->demo[e->a]] += 1;
    }
    for (int64_t x = 0; x < cells; x++)
        if (k->cells[x] > 0)
            cor_series_stock(sim, k->s_backlog, (int)(x / (k->G * COR_N_DEMOS)), (int)(x / COR_N_DEMOS % k->G),
                             (int)(x % COR_N_DEMOS), k->cells[x]);
}

const cor_rules cor_comar_rules = {
    .name = "comar",
    .setup = setup,
    .teardown = teardown,
    .decide = decide,
    .arrive = arrive,
    .resolve = resolve,
    .lever_changed = lever_changed,
    .day_start = day_start,
    .month_end = month_end,
};
