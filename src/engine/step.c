/* step.c - the day loop (spawn, levers, decide, move, resolve, record) and
 * the actions modules take on agents. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#ifdef _OPENMP
#include <omp.h>
#endif

#include "engine/calendar.h"
#include "engine/rules.h"
#include "engine/sim.h"

/* ---------------------------------------------------------------- counters */

#define COR_MAX_THREADS_FLUSH 1025 /* threads are capped at 1024 by the CLI */
#define count_move cor_count_move_
#define set_next cor_set_next_

static void merge_deltas(cor_sim *sim)
{
    int64_t n = (int64_t)sim->net.n_places * sim->n_status;
    for (int t = 0; t < sim->threads; t++) {
        int64_t *d = sim->ctx[t].delta;
        for (int64_t i = 0; i < n; i++) {
            sim->count[i] += d[i];
            d[i] = 0;
        }
    }
}

/* ---------------------------------------------------------------- actions */

void cor_move_to(cor_ctx *c, uint32_t a, int place, int status)
{
    cor_agents *ag = &c->sim->agents;
    count_move(c, ag->place[a], ag->status[a], (uint32_t)place, status);
    ag->place[a] = (uint32_t)place;
    ag->status[a] = (uint8_t)status;
    ag->arc[a] = COR_NONE;
    ag->progress[a] = 0;
    ag->since[a] = c->day;
    if (c->sim->status_flags[status] & COR_STATUS_TERMINAL)
        ag->next_day[a] = COR_NEVER;
}

void cor_finish(cor_ctx *c, uint32_t a, int status)
{
    cor_set_status(c, a, status);
    c->sim->agents.next_day[a] = COR_NEVER;
}

void cor_schedule_now_(cor_ctx *c, uint32_t a, int32_t day)
{
    cor_sim *sim = c->sim;
    if (day <= sim->today && !sim->phase_early)
        day = sim->today + 1;
    if (cor_schedule_push(&sim->sched, day, a))
        c->failed = 1;
    sim->agents.next_day[a] = day;
}

int cor_request(cor_ctx *c, uint32_t a, int code)
{
    if (c->sequential) {
        cor_resolve(c, a, code);
        return 0;
    }
    if (c->n_req == c->cap_req) {
        int64_t cap = c->cap_req ? 2 * c->cap_req : 1024;
        uint32_t *ra = realloc(c->req_agent, sizeof *ra * (size_t)cap);
        if (ra)
            c->req_agent = ra;
        int32_t *rc = realloc(c->req_code, sizeof *rc * (size_t)cap);
        if (rc)
            c->req_code = rc;
        if (!ra || !rc) {
            c->failed = 1;
            return -1;
        }
        c->cap_req = cap;
    }
    c->req_agent[c->n_req] = a;
    c->req_code[c->n_req++] = code;
    return 0;
}

void cor_event(cor_ctx *c, int series, int place, uint32_t a)
{
    const cor_sim *sim = c->sim;
    const cor_agents *ag = &sim->agents;
    c->flows[cor_series_cell(&sim->series, series, place, ag->group[a], ag->demo[a])]++;
    if (sim->has_observers)
        cor_notify_observe(c, series, place, a);
}

void cor_event_n(cor_ctx *c, int series, int place, int group, int demo, int64_t n)
{
    c->flows[cor_series_cell(&c->sim->series, series, place, group, demo)] += n;
}

void cor_series_add(cor_sim *sim, int series, int place, int group, int demo, double value)
{
    sim->series.vals[cor_series_cell(&sim->series, series, place, group, demo)] += value;
}

void cor_series_stock(cor_sim *sim, int series, int place, int group, int demo, double agents)
{
    sim->series.vals[cor_series_cell(&sim->series, series, place, group, demo)] = agents;
}

/* ---------------------------------------------------------------- routes */

void cor_routes_invalidate(cor_sim *sim) { sim->routes_valid = 0; }

static int build_routes(cor_sim *sim)
{
    const cor_network *net = &sim->net;
    int G = sim->n_groups, n = 0;
    int64_t tables = (int64_t)net->n_places * G * COR_N_DEMOS;
    int64_t need = (int64_t)net->out_start[net->n_places] * G * COR_N_DEMOS;
    if (need > sim->route_cap) {
        int *ra = realloc(sim->route_arc, sizeof *ra * (size_t)(need + 1));
        if (ra)
            sim->route_arc = ra;
        double *rc = realloc(sim->route_cum, sizeof *rc * (size_t)(need + 1));
        if (rc)
            sim->route_cum = rc;
        if (!ra || !rc)
            return cor_sim_fail(sim, COR_ENOMEM, "out of memory building route tables");
        sim->route_cap = (int)need;
    }
    for (int64_t t = 0; t < tables; t++) {
        int p = (int)(t / (G * COR_N_DEMOS)), g = (int)(t / COR_N_DEMOS % G), d = (int)(t % COR_N_DEMOS);
        sim->route_start[t] = n;
        double cum = 0;
        for (int k = net->out_start[p]; k < net->out_start[p + 1]; k++) {
            int arc = net->out_arcs[k];
            double w = cor_link_weight(&sim->seq, arc, g, d);
            if (w > 0 && isfinite(w)) {
                cum += w;
                sim->route_arc[n] = arc;
                sim->route_cum[n++] = cum;
            }
        }
    }
    sim->route_start[tables] = n;
    sim->routes_valid = 1;
    return COR_OK;
}

/* ---------------------------------------------------------------- waking */

int cor_wake(cor_sim *sim, uint32_t a)
{
    cor_agents *ag = &sim->agents;
    if ((int64_t)a >= ag->n || ag->next_day[a] == COR_NEVER)
        return COR_OK;
    int32_t day = sim->phase_early ? sim->today : sim->today + 1;
    if (ag->next_day[a] == day)
        return COR_OK;
    ag->next_day[a] = day;
    if (cor_schedule_push(&sim->sched, day, a))
        return cor_sim_fail(sim, COR_ENOMEM, "out of memory waking agents");
    return COR_OK;
}

int cor_wake_where(cor_sim *sim, const uint8_t *place_mask, const uint8_t *arc_mask)
{
    const cor_agents *ag = &sim->agents;
    for (int64_t a = 0; a < ag->n; a++) {
        if (ag->next_day[a] == COR_NEVER)
            continue;
        int hit = ag->status[a] == COR_ST_TRAVELLING ? (arc_mask && arc_mask[ag->arc[a]])
                                                      : (place_mask && place_mask[ag->place[a]]);
        if (hit) {
            int rc = cor_wake(sim, (uint32_t)a);
            if (rc)
                return rc;
        }
    }
    return COR_OK;
}

/* ---------------------------------------------------------------- spawn */

int cor_spawn(cor_sim *sim, int64_t n, int group, int demo, int place)
{
    return cor_spawn_tagged(sim, n, group, demo, place, 0, 0);
}

int cor_spawn_tagged(cor_sim *sim, int64_t n, int group, int demo, int place, uint8_t flags, uint32_t stream)
{
    if (n <= 0)
        return COR_OK;
    cor_agents *ag = &sim->agents;
    if (ag->n + n > (int64_t)UINT32_MAX - 1)
        return cor_sim_fail(sim, COR_EARG, "more than 4 billion agents: use a larger --scale");
    if (cor_agents_reserve(ag, n))
        return cor_sim_fail(sim, COR_ENOMEM, "out of memory adding %lld agents", (long long)n);
    for (int64_t k = 0; k < n; k++) {
        uint32_t a = (uint32_t)ag->n++;
        ag->group[a] = (uint8_t)group;
        ag->demo[a] = (uint8_t)demo;
        ag->status[a] = COR_ST_WAITING;
        ag->place[a] = (uint32_t)place;
        ag->arc[a] = COR_NONE;
        ag->next_day[a] = sim->today;
        ag->since[a] = sim->today;
        ag->born[a] = sim->today;
        ag->flags[a] = flags;
        if (sim->stream_col)
            ((uint32_t *)ag->cols[sim->stream_col - 1].data)[a] = stream;
        sim->count[(int64_t)place * sim->n_status + COR_ST_WAITING]++;
        if (cor_schedule_push(&sim->sched, sim->today, a))
            return cor_sim_fail(sim, COR_ENOMEM, "out of memory scheduling agents");
        cor_notify_spawned(&sim->seq, a);
    }
    sim->spawned += n;
    return COR_OK;
}

static int phase_spawn(cor_sim *sim)
{
    const cor_scenario *sc = sim->sc;
    int month = cor_month_of_day(sim->today), mdays = cor_month_days(month);
    for (int g = 0; g < sc->n_populations; g++) {
        const cor_sc_population *pop = &sc->populations[g];
        int m = month - pop->demand_month0;
        if (m < 0 || m >= pop->n_months)
            continue;
        for (int o = 0; o < pop->n_origins; o++) {
            int place = pop->origins[o].place;
            for (int d = 0; d < COR_N_DEMOS; d++) {
                double people = pop->demand[m * COR_N_DEMOS + d] / mdays * pop->origins[o].share;
                if (!(people > 0))
                    continue;
                double x = people * cor_propensity(&sim->seq, g, d, place) / sim->scale;
                if (!(x > 0))
                    continue;
                double whole = floor(x);
                uint32_t stream = (uint32_t)g << 24 | (uint32_t)o << 4 | (uint32_t)d;
                cor_rand2 r = cor_rng_draw(&sim->rng, stream, sim->today, COR_RNG_SPAWN, 0);
                int64_t n = (int64_t)whole + (cor_u01(r.w[0]) < x - whole);
                int rc = cor_spawn(sim, n, g, d, place);
                if (rc)
                    return rc;
            }
        }
    }
    return COR_OK;
}

/* ---------------------------------------------------------------- the day */

#if defined(__GNUC__)
__attribute__((always_inline))
#endif
static inline void arrive_now(cor_ctx *c, uint32_t a)
{
    /* local copies: stores through uint8_t pointers would force reloads */
    cor_agents *ag = &c->sim->agents;
    uint32_t *place = ag->place, *arcs = ag->arc;
    uint8_t *status = ag->status;
    float *progress = ag->progress;
    int32_t *since = ag->since, day = c->day;
    uint32_t arcs_a = arcs[a];
    int to = c->sim->net.arcs[arcs_a].to;
    count_move(c, place[a], COR_ST_TRAVELLING, (uint32_t)to, COR_ST_WAITING);
    place[a] = (uint32_t)to;
    arcs[a] = COR_NONE;
    progress[a] = 0;
    since[a] = day;
    status[a] = COR_ST_WAITING;
    set_next(c, a, day + 1);
    cor_arrive(c, a, to, (int)arcs_a);
}

/* Evening of the day a travelling agent reaches the end of its arc. */
static inline int32_t arrival_day(const cor_sim *sim, uint32_t a)
{
    const cor_agents *ag = &sim->agents;
    const cor_arc *x = &sim->net.arcs[ag->arc[a]];
    if (ag->progress[a] == 0)
        return ag->since[a] + x->days - 1;
    double d = ceil((x->km - ag->progress[a]) / sim->net.speed[x->mode] - 1e-9);
    return ag->since[a] + (d < 1 ? 1 : (int32_t)d) - 1;
}

static int grow_vec(cor_idvec *v)
{
    int64_t cap = v->cap ? 2 * v->cap : 1024;
    uint32_t *p = realloc(v->ids, sizeof *p * (size_t)cap);
    if (!p)
        return -1;
    v->ids = p;
    v->cap = cap;
    return 0;
}

/* File a processed agent under its next decision day (thread-local lists,
 * merged in thread order after the parallel phase). */
static inline void keep(cor_ctx *c, uint32_t a)
{
    int32_t next = c->sim->agents.next_day[a];
    if (next == COR_NEVER)
        return;
    int64_t k = (int64_t)next - c->day - 1;
    if (k < COR_NEAR_DAYS) {
        cor_idvec *v = &c->near[k];
        if (v->n == v->cap && grow_vec(v)) {
            c->failed = 1;
            return;
        }
        v->ids[v->n++] = a;
        return;
    }
    if (c->n_far == c->cap_far) {
        int64_t cap = c->cap_far ? 2 * c->cap_far : 1024;
        cor_far_entry *f = realloc(c->far, sizeof *f * (size_t)cap);
        if (!f) {
            c->failed = 1;
            return;
        }
        c->far = f;
        c->cap_far = cap;
    }
    c->far[c->n_far++] = (cor_far_entry){next, a};
}

/* Decide and move one due agent (skipping stale bucket entries). */
static void step_agent(cor_ctx *c, uint32_t a)
{
    cor_agents *ag = &c->sim->agents;
    int32_t today = c->day;
    if (ag->next_day[a] != today)
        return;
    c->decisions++;
    if (ag->status[a] == COR_ST_TRAVELLING && arrival_day(c->sim, a) <= today) {
        arrive_now(c, a);
    } else {
        cor_decide(c, a);
        /* move: a trip that ends today (one-day arcs, or a resumed trip) arrives now */
        if (ag->status[a] == COR_ST_TRAVELLING && ag->next_day[a] <= today)
            arrive_now(c, a);
    }
    if (ag->next_day[a] <= today)
        ag->next_day[a] = today + 1;
    keep(c, a);
}

static void parallel_phase(cor_sim *sim, cor_bucket *b)
{
    int64_t n = b->n;
    uint32_t *ids = b->ids;
    int T = sim->threads;
    sim->phase_parallel = 1;
    if (T == 1 || n < sim->par_min) {
        cor_ctx *c = &sim->ctx[0];
        c->day = sim->today;
        for (int64_t i = 0; i < n; i++)
            step_agent(c, ids[i]);
    } else {
#pragma omp parallel num_threads(T)
        {
            int tid = 0;
#ifdef _OPENMP
            tid = omp_get_thread_num();
#endif
            cor_ctx *c = &sim->ctx[tid];
            c->day = sim->today;
            int64_t lo = n * tid / T, hi = n * (tid + 1) / T;
            for (int64_t i = lo; i < hi; i++)
                step_agent(c, ids[i]);
        }
    }
    sim->phase_parallel = 0;
}

/* Move the threads' lists into the schedule, in thread order (= ascending
 * agent id within each day). */
static int merge_schedules(cor_sim *sim)
{
    int32_t today = sim->today;
    for (int k = 0; k < COR_NEAR_DAYS; k++)
        for (int t = 0; t < sim->threads; t++) {
            cor_idvec *v = &sim->ctx[t].near[k];
            if (cor_schedule_append(&sim->sched, today + 1 + k, v->ids, v->n))
                return -1;
            v->n = 0;
        }
    for (int t = 0; t < sim->threads; t++) {
        cor_ctx *c = &sim->ctx[t];
        for (int64_t i = 0; i < c->n_far; i++)
            if (cor_schedule_push(&sim->sched, c->far[i].day, c->far[i].id))
                return -1;
        c->n_far = 0;
    }
    return 0;
}

static void record_month(cor_sim *sim, int month)
{
    int P = sim->net.n_places, S = sim->n_status;
    int m = month - sim->month0;
    if (m >= 0 && m < sim->n_months)
        memcpy(&sim->stocks[(int64_t)m * P * S], sim->count, sizeof *sim->count * (size_t)P * (size_t)S);
    int64_t *flows[COR_MAX_THREADS_FLUSH];
    int nf = 0;
    flows[nf++] = sim->seq.flows;
    for (int t = 0; t < sim->threads && nf < COR_MAX_THREADS_FLUSH; t++)
        flows[nf++] = sim->ctx[t].flows;
    if (cor_series_flush(&sim->series, month, flows, nf, sim->scale))
        sim->seq.failed = 1;
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static int step_day(cor_sim *sim);

int cor_sim_step(cor_sim *sim)
{
    if (!sim->initialised)
        return cor_sim_fail(sim, COR_ESTATE, "cor_sim_step before cor_sim_init");
    if (cor_sim_done(sim))
        return cor_sim_fail(sim, COR_ESTATE, "the run has already reached its end date");
    double t0 = now_s();
    sim->in_step = 1;
    int rc = step_day(sim);
    sim->in_step = 0;
    sim->phase_early = sim->phase_parallel = 0;
    sim->perf.runtime_s += now_s() - t0;
    return rc;
}

static int step_day(cor_sim *sim)
{
    int32_t today = sim->today;
    int rc;
    sim->seq.day = today;
    sim->rc = COR_OK;

    /* 1-2. spawn, levers, day_start (a wake now means today) */
    sim->phase_early = 1;
    if ((rc = phase_spawn(sim)))
        return rc;
    if (cor_levers_refresh(&sim->levers, today))
        return cor_sim_fail(sim, COR_ENOMEM, "out of memory");
    sim->levers_day = today;
    for (int i = 0; i < sim->levers.n_changes; i++)
        cor_notify_lever(&sim->seq, &sim->levers.changes[i]);
    if (sim->levers.n_changes)
        sim->routes_valid = 0;
    cor_notify_day_start(&sim->seq);
    sim->phase_early = 0;
    if (sim->rc)
        return sim->rc;
    if (!sim->routes_valid && (rc = build_routes(sim)))
        return rc;

    /* 3-4. decide and move */
    cor_bucket *b = cor_schedule_take(&sim->sched, today);
    if (!b)
        return cor_sim_fail(sim, COR_ENOMEM, "out of memory sorting the day's agents");
    parallel_phase(sim, b);
    merge_deltas(sim);
    for (int t = 0; t < sim->threads; t++)
        if (sim->ctx[t].failed)
            return cor_sim_fail(sim, COR_ENOMEM, "out of memory during the day's decisions");
    if (merge_schedules(sim))
        return cor_sim_fail(sim, COR_ENOMEM, "out of memory scheduling agents");

    /* 5. resolve requests in ascending agent id (thread chunks are in order) */
    for (int t = 0; t < sim->threads; t++) {
        cor_ctx *c = &sim->ctx[t];
        for (int64_t i = 0; i < c->n_req; i++)
            cor_resolve(&sim->seq, c->req_agent[i], c->req_code[i]);
        if (sim->rc)
            return sim->rc;
        if (sim->seq.failed)
            return cor_sim_fail(sim, COR_ENOMEM, "out of memory resolving requests");
        c->n_req = 0;
        sim->perf.decisions += c->decisions;
        c->decisions = 0;
    }

    /* 6. record: day_end, month end */
    cor_schedule_release(&sim->sched, today);
    cor_notify_day_end(&sim->seq);

    int64_t live = 0;
    for (int s = 0; s < sim->n_status; s++)
        if (!(sim->status_flags[s] & COR_STATUS_TERMINAL))
            live += cor_sim_agents_in_status(sim, s);
    sim->perf.agent_days += live;

    int month = cor_month_of_day(today);
    if (cor_month_of_day(today + 1) != month || today == sim->sc->end) {
        cor_notify_month_end(&sim->seq, month);
        record_month(sim, month);
        if (sim->seq.failed)
            return cor_sim_fail(sim, COR_ENOMEM, "out of memory recording results");
    }
    if (sim->rc)
        return sim->rc;
    sim->today = today + 1;
    return COR_OK;
}

int cor_sim_run(cor_sim *sim)
{
    while (!cor_sim_done(sim)) {
        int rc = cor_sim_step(sim);
        if (rc)
            return rc;
    }
    return COR_OK;
}
