/* parole.c - CHNV parole and processing centres (see parole.h and
 * docs/modules/parole.md). */
#include "us/parole.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/calendar.h"

typedef struct {
    int month;          /* month index the slots belong to, -1: none yet */
    int64_t slots;      /* agents still admissible this month */
    double carry;       /* people: fractional remainder carried to the next month */
} quota;

typedef struct {
    uint32_t *a;        /* FIFO of applicants: a[head..n) */
    int64_t head, n, cap;
    int64_t compact_at; /* compact (drop those who left) when n reaches this */
} centre_list;

typedef struct {
    int st_entered, st_sheltered;
    int lv_monthly, lv_centre;
    int req;
    int s_arrivals;
    double uptake, centre_apply;
    int has_monthly;    /* the timeline has parole_monthly entries */
    int landing;        /* where paroled people go, -1: stay */
    int P, G;
    uint32_t *pending;  /* agents spawned since the last day_start, in spawn order */
    int64_t n_pending, cap_pending;
    quota *quotas;      /* per lever entry (cor_levers_entry index) */
    int n_quotas;
    double *centre_val; /* [P * G * DEMOS] parole_processing_daily in force */
    double *centre_cap; /* [P] people per day (largest value at the place) */
    double *centre_carry; /* [P] */
    centre_list *lists; /* [P] */
    int centre_any, dirty;
} parole;

/* ---------------------------------------------------------------- set-up */

static int in_range(cor_sim *sim, const char *name, double v, double lo, double hi)
{
    return cor_param_check(sim, name, v, lo, hi, 0);
}

static int check_timeline(cor_sim *sim, parole *k)
{
    const cor_scenario *sc = sim->sc;
    for (int i = 0; i < sc->n_timeline; i++) {
        const cor_sc_lever *t = &sc->timeline[i];
        int monthly = strcmp(t->lever, "parole_monthly") == 0;
        if (!monthly && strcmp(t->lever, "parole_processing_daily") != 0)
            continue;
        k->has_monthly |= monthly;
        if (!(isfinite(t->value) && t->value >= 0))
            return cor_sim_fail(sim, COR_EINPUT, "%s:%d: timeline[%d].value: %s must be >= 0 (got %g)", t->pos.file,
                                t->pos.line, t->index, t->lever, t->value);
        if (t->scope.n_links)
            return cor_sim_fail(sim, COR_EINPUT, "%s:%d: timeline[%d].scope: %s is not scoped by links", t->pos.file,
                                t->pos.line, t->index, t->lever);
        if (!monthly && !t->scope.n_places)
            return cor_sim_fail(sim, COR_EINPUT,
                                "%s:%d: timeline[%d].scope: parole_processing_daily needs scope.places (the places "
                                "with a processing centre)",
                                t->pos.file, t->pos.line, t->index);
    }
    return COR_OK;
}

static int find_landing(const cor_sim *sim)
{
    const cor_scenario *sc = sim->sc;
    for (int pass = 0; pass < 3; pass++)
        for (int p = 0; p < sc->n_places; p++) {
            int kind = sim->net.kind[p];
            int us = sc->places[p].country && strcmp(sc->places[p].country, "US") == 0;
            if ((pass == 0 && kind == COR_KIND_DESTINATION && us) || (pass == 1 && kind == COR_KIND_DESTINATION) ||
                (pass == 2 && kind == COR_KIND_US_SECTOR))
                return p;
        }
    return -1;
}

static int setup(cor_sim *sim, void **state)
{
    parole *k = calloc(1, sizeof *k);
    if (!k)
        return cor_sim_fail(sim, COR_ENOMEM, "out of memory");
    *state = k;
    k->P = sim->net.n_places;
    k->G = sim->n_groups;
    k->st_entered = cor_status_register(sim, "us_entered", COR_STATUS_TERMINAL);
    k->st_sheltered = cor_status_find(sim, "sheltered"); /* -1 without the corridor rules */
    k->lv_monthly = cor_lever_register(sim, "parole_monthly");
    k->lv_centre = cor_lever_register(sim, "parole_processing_daily");
    k->req = cor_request_register(sim, "parole_centre");
    k->s_arrivals = cor_series_register(sim, "parole_arrivals", COR_FLOW, "parole_arrivals", COR_AGG_SUM);
    if (k->st_entered < 0 || k->lv_monthly < 0 || k->lv_centre < 0 || !k->req || k->s_arrivals < 0)
        return cor_sim_fail(sim, COR_ENOMEM, "module parole: cannot register its status, levers or series");
    int rc = check_timeline(sim, k);
    if (rc)
        return rc;
    if (k->has_monthly && !(cor_param_require(sim, "parole_uptake", "module parole (parole_monthly)", &k->uptake) &&
                            in_range(sim, "parole_uptake", k->uptake, 0, 1)))
        return COR_EINPUT;
    k->centre_apply = 1;
    if (cor_param(sim, "parole_centre_apply_prob", &k->centre_apply) &&
        !in_range(sim, "parole_centre_apply_prob", k->centre_apply, 0, 1))
        return COR_EINPUT;
    k->landing = find_landing(sim);
    int P = k->P, G = k->G;
    k->centre_val = calloc((size_t)P * G * COR_N_DEMOS + 1, sizeof *k->centre_val);
    k->centre_cap = calloc((size_t)P + 1, sizeof *k->centre_cap);
    k->centre_carry = calloc((size_t)P + 1, sizeof *k->centre_carry);
    k->lists = calloc((size_t)P + 1, sizeof *k->lists);
    if (!k->centre_val || !k->centre_cap || !k->centre_carry || !k->lists)
        return cor_sim_fail(sim, COR_ENOMEM, "out of memory");
    k->dirty = 1;
    return COR_OK;
}

static void teardown(void *state)
{
    parole *k = state;
    free(k->pending);
    free(k->quotas);
    free(k->centre_val);
    free(k->centre_cap);
    free(k->centre_carry);
    if (k->lists)
        for (int p = 0; p < k->P; p++)
            free(k->lists[p].a);
    free(k->lists);
    free(k);
}

/* ---------------------------------------------------------------- CHNV */

static void spawned(cor_ctx *c, void *state, uint32_t a)
{
    parole *k = state;
    if (!k->has_monthly)
        return;
    if (k->n_pending == k->cap_pending) {
        int64_t cap = k->cap_pending ? 2 * k->cap_pending : 1024;
        uint32_t *p = realloc(k->pending, sizeof *p * (size_t)cap);
        if (!p) {
            cor_sim_fail(c->sim, COR_ENOMEM, "module parole: out of memory");
            return;
        }
        k->pending = p;
        k->cap_pending = cap;
    }
    k->pending[k->n_pending++] = a;
}

static void parole_now(cor_ctx *c, const parole *k, uint32_t a)
{
    int place = (int)c->sim->agents.place[a];
    cor_event(c, k->s_arrivals, place, a);
    if (k->landing >= 0)
        cor_move_to(c, a, k->landing, k->st_entered);
    else
        cor_finish(c, a, k->st_entered);
}

/* A quota slot of entry e in this month, if one is left. */
static int take_slot(cor_sim *sim, parole *k, int e, int month)
{
    if (e >= k->n_quotas) {
        int n = sim->levers.n_entries > e ? sim->levers.n_entries : e + 1;
        quota *q = realloc(k->quotas, sizeof *q * (size_t)n);
        if (!q) {
            cor_sim_fail(sim, COR_ENOMEM, "module parole: out of memory");
            return 0;
        }
        for (int i = k->n_quotas; i < n; i++)
            q[i] = (quota){-1, 0, 0};
        k->quotas = q;
        k->n_quotas = n;
    }
    quota *q = &k->quotas[e];
    if (q->month != month) {
        double people = sim->levers.entries[e].value + q->carry;
        double whole = floor(people / sim->scale + 1e-9);
        q->slots = (int64_t)whole;
        q->carry = people - whole * sim->scale;
        if (q->carry < 0)
            q->carry = 0;
        q->month = month;
    }
    if (q->slots <= 0)
        return 0;
    q->slots--;
    return 1;
}

static void chnv(cor_ctx *c, parole *k)
{
    cor_sim *sim = c->sim;
    const cor_agents *ag = &sim->agents;
    int month = cor_month_of_day(c->day);
    for (int64_t i = 0; i < k->n_pending; i++) {
        uint32_t a = k->pending[i];
        if (ag->status[a] != COR_ST_WAITING || ag->born[a] != c->day || ag->demo[a] == COR_DEMO_UAC)
            continue; /* not a departure of today, or not eligible */
        int e = cor_levers_entry(&sim->levers, k->lv_monthly, (int)ag->place[a], -1, ag->group[a], ag->demo[a]);
        if (e < 0 || !(sim->levers.entries[e].value > 0))
            continue;
        if (!(k->uptake > 0) || cor_u01(cor_draw(c, a, COR_RNG_PAROLE_UPTAKE, 0).w[0]) >= k->uptake)
            continue;
        if (take_slot(sim, k, e, month))
            parole_now(c, k, a);
    }
    k->n_pending = 0;
}

/* ---------------------------------------------------------------- centres */

static void lever_changed(cor_ctx *c, void *state, const cor_lever_change *ch)
{
    (void)c;
    parole *k = state;
    if (ch->lever == k->lv_centre)
        k->dirty = 1;
}

static void refresh_centres(const cor_sim *sim, parole *k)
{
    int G = k->G, D = COR_N_DEMOS;
    k->centre_any = 0;
    for (int p = 0; p < k->P; p++) {
        double most = 0;
        for (int g = 0; g < G; g++)
            for (int d = 0; d < D; d++) {
                double v = 0;
                if (!cor_lever(sim, k->lv_centre, p, -1, g, d, &v) || !(v > 0))
                    v = 0;
                k->centre_val[((int64_t)p * G + g) * D + d] = v;
                if (v > most)
                    most = v;
            }
        k->centre_cap[p] = most;
        if (most > 0)
            k->centre_any = 1;
        else {
            k->centre_carry[p] = 0;
            k->lists[p].head = k->lists[p].n = 0; /* a closed centre forgets its list */
        }
    }
}

static void day_start(cor_ctx *c, void *state)
{
    parole *k = state;
    if (k->dirty) {
        refresh_centres(c->sim, k);
        k->dirty = 0;
    }
    if (k->n_pending)
        chnv(c, k);
}

static inline double centre_value(const parole *k, int place, int g, int d)
{
    return k->centre_val[((int64_t)place * k->G + g) * COR_N_DEMOS + d];
}

static void arrive(cor_ctx *c, void *state, uint32_t a, int place, int arc)
{
    const parole *k = state;
    if (k->centre_any && k->centre_cap[place] > 0) {
        const cor_agents *ag = &c->sim->agents;
        if (ag->demo[a] != COR_DEMO_UAC && centre_value(k, place, ag->group[a], ag->demo[a]) > 0 &&
            (k->centre_apply >= 1 || cor_u01(cor_draw(c, a, COR_RNG_PAROLE_CENTRE, 0).w[0]) < k->centre_apply))
            cor_request(c, a, k->req);
    }
    cor_next_arrive(c, a, place, arc); /* applicants carry on as usual until admitted */
}

/* Is agent a still waiting (or resting) at place p, eligible there? */
static int present(const parole *k, const cor_agents *ag, uint32_t a, int p)
{
    int st = ag->status[a];
    return ag->place[a] == (uint32_t)p && ag->arc[a] == COR_NONE &&
           (st == COR_ST_WAITING || (k->st_sheltered >= 0 && st == k->st_sheltered)) &&
           centre_value(k, p, ag->group[a], ag->demo[a]) > 0;
}

static void resolve(cor_ctx *c, void *state, uint32_t a, int request)
{
    parole *k = state;
    if (request != k->req) {
        cor_next_resolve(c, a, request);
        return;
    }
    const cor_agents *ag = &c->sim->agents;
    int p = (int)ag->place[a];
    if (!present(k, ag, a, p))
        return;
    centre_list *L = &k->lists[p];
    if (L->n == L->cap) {
        if (L->head > 0) { /* drop the served part first */
            memmove(L->a, L->a + L->head, sizeof *L->a * (size_t)(L->n - L->head));
            L->n -= L->head;
            L->head = 0;
        }
        if (L->n == L->cap) {
            int64_t cap = L->cap ? 2 * L->cap : 256;
            uint32_t *v = realloc(L->a, sizeof *v * (size_t)cap);
            if (!v) {
                cor_sim_fail(c->sim, COR_ENOMEM, "module parole: out of memory");
                return;
            }
            L->a = v;
            L->cap = cap;
        }
    }
    L->a[L->n++] = a;
}

/* Drop applicants who have left (amortised: when the list has doubled). */
static void compact(const parole *k, const cor_agents *ag, centre_list *L, int p)
{
    if (L->n < L->compact_at)
        return;
    int64_t m = 0;
    for (int64_t i = L->head; i < L->n; i++)
        if (present(k, ag, L->a[i], p))
            L->a[m++] = L->a[i];
    L->head = 0;
    L->n = m;
    L->compact_at = 2 * m > 1024 ? 2 * m : 1024;
}

static void day_end(cor_ctx *c, void *state)
{
    parole *k = state;
    if (!k->centre_any)
        return;
    cor_sim *sim = c->sim;
    const cor_agents *ag = &sim->agents;
    for (int p = 0; p < k->P; p++) {
        if (!(k->centre_cap[p] > 0))
            continue;
        double people = k->centre_cap[p] + k->centre_carry[p];
        double whole = floor(people / sim->scale + 1e-9);
        k->centre_carry[p] = people - whole * sim->scale;
        if (k->centre_carry[p] < 0)
            k->centre_carry[p] = 0;
        int64_t slots = (int64_t)whole;
        centre_list *L = &k->lists[p];
        while (slots > 0 && L->head < L->n) {
            uint32_t a = L->a[L->head++];
            if (!present(k, ag, a, p))
                continue;
            parole_now(c, k, a);
            slots--;
        }
        compact(k, ag, L, p);
    }
}

const cor_rules cor_parole_rules = {
    .name = "parole",
    .setup = setup,
    .teardown = teardown,
    .arrive = arrive,
    .resolve = resolve,
    .spawned = spawned,
    .lever_changed = lever_changed,
    .day_start = day_start,
    .day_end = day_end,
};
