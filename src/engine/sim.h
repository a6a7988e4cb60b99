/* sim.h - the simulation handle and what modules may do with it.
 *
 * A cor_sim owns one run's world: network, agents, schedule, levers, rule
 * layers, counters and results.  Nothing is global, so handles run side by
 * side.  The day loop runs fixed phases, in this order:
 *
 *   1. spawn    new agents at origins (latent demand x propensity / scale)
 *   2. levers   refresh the timeline; notify lever changes; day_start hooks
 *   3. decide   agents due today choose (parallel, ascending id chunks)
 *   4. move     departures and arrivals of the day (same parallel pass)
 *   5. resolve  requests from 3-4, sequentially in ascending agent id
 *   6. record   reschedule, merge counters, day_end; at month end, snapshot
 *
 * Counts: count[place][status] holds agents (not people) at each place in
 * each status; it is exact between phases.  During the parallel phase it
 * reads as at the start of the phase (changes are buffered per thread).
 */
#ifndef COR_SIM_H
#define COR_SIM_H

#include <math.h>
#include <stdint.h>

#include "corredor.h"
#include "engine/agents.h"
#include "engine/levers.h"
#include "engine/network.h"
#include "engine/rng.h"
#include "engine/schedule.h"
#include "engine/series.h"
#include "scenario/scenario.h"

struct cor_rules;

#define COR_MAX_LAYERS 32
#define COR_MAX_STATUSES 64
#define COR_MAX_FLAGS 8
#define COR_MAX_REQUESTS 64

/* Built-in statuses. */
enum { COR_ST_TRAVELLING = 0, COR_ST_WAITING = 1 };
#define COR_STATUS_TERMINAL 1u   /* flag: agents in this status never wake again */

#define COR_NEAR_DAYS 16         /* per-thread schedule lists for the next 16 days */

typedef struct {
    uint32_t *ids;
    int64_t n, cap;
} cor_idvec;

typedef struct {
    int32_t day;
    uint32_t id;
} cor_far_entry;

typedef struct cor_ctx {
    _Alignas(64) struct cor_sim *sim;   /* contexts sit on their own cache lines */
    int tid;                     /* thread number; the sequential context is also 0: check `sequential` */
    int32_t day;
    int layer;                   /* layer of the hook now running */
    int sequential;              /* counts change in place (no buffering) */
    int64_t *counts;             /* the sim's counts (sequential) or this thread's deltas */
    int64_t *delta;              /* [place * n_status + status], parallel contexts */
    int64_t *flows;              /* FLOW series counts this month, [series][cell] (series.h) */
    uint32_t *req_agent;
    int32_t *req_code;
    int64_t n_req, cap_req;
    int64_t decisions;
    int failed;                  /* out of memory inside a parallel phase */
    /* agents processed by this thread today, by next decision day: the
     * next COR_NEAR_DAYS days in near[], later days in far[] */
    cor_idvec near[COR_NEAR_DAYS];
    cor_far_entry *far;
    int64_t n_far, cap_far;
    /* the last draw, reused when asked again (same agent, day, purpose, index) */
    cor_rand2 cache;
    uint32_t cache_a, cache_purpose, cache_index;
    int32_t cache_day;
} cor_ctx;

typedef struct {
    const struct cor_rules *rules;
    void *state;
} cor_layer;

struct cor_sim {
    const cor_scenario *sc;
    cor_options opt;
    cor_rng rng;
    double scale;
    int threads;

    cor_network net;
    cor_agents agents;
    cor_schedule sched;
    cor_levers levers;

    cor_layer layers[COR_MAX_LAYERS];
    int n_layers;
    int top_decide, top_arrive;  /* highest layer defining the hook, -1 if none */
    int initialised;

    char *status_names[COR_MAX_STATUSES];
    unsigned status_flags[COR_MAX_STATUSES];
    int n_status;
    char *flag_names[COR_MAX_FLAGS];          /* agent flag bits, by name */
    int n_flags;
    char *request_names[COR_MAX_REQUESTS];    /* request codes, by name (code = index + 1) */
    int n_requests;
    cor_series series;
    int has_observers;                        /* some layer defines observe */
    int stream_col;                           /* 1 + agent column of shared random streams, 0: none */

    int n_groups;
    int64_t *count;              /* [place * n_status + status] */
    int64_t spawned;

    /* route tables: for (place, group, demo), arcs with positive weight and
     * their cumulative weights */
    int *route_start;            /* P*G*D + 1 */
    int *route_arc;
    double *route_cum;
    int route_cap;
    int routes_valid;

    cor_ctx *ctx;                /* threads parallel contexts */
    cor_ctx seq;                 /* the sequential context */
    int64_t par_min;             /* buckets smaller than this run on one thread (tests set 1) */
    int phase_parallel;          /* inside the parallel phase */
    int phase_early;             /* spawn/levers/day_start: wake means today */
    int in_step;                 /* inside cor_sim_step */
    int32_t levers_day;          /* day of the last lever refresh */

    int32_t today;               /* next day to simulate */
    int month0, n_months;        /* results cover these months */
    int64_t *stocks;             /* [m][place][status] agents at the end of each month */

    cor_perf perf;
    int rc;                      /* set by cor_sim_fail: a sequential hook failed */
    char *param_used;            /* per scenario parameter: read by the engine or a module */
    char errmsg[1024];
};

/* ---- errors ---- */
/* Record an error message and code on the handle (sequential code only; a
 * hook that fails calls this and returns; the engine stops the day). */
int cor_sim_fail(cor_sim *sim, int code, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

/* ---- registries (during setup) ---- */
int cor_status_register(cor_sim *sim, const char *name, unsigned flags);  /* id, or -1 */
int cor_status_find(const cor_sim *sim, const char *name);
/* Output series (series.h): id, or -1 if the name exists with another kind. */
int cor_series_register(cor_sim *sim, const char *name, cor_series_kind kind, const char *summary_key,
                        cor_series_agg agg);
int cor_series_find(const cor_sim *sim, const char *name);
/* Agent flag bits: the mask for a name (registering it), 0 when all 8 bits
 * are taken; cor_flag_find gives 0 if no module registered the name. */
uint8_t cor_flag_register(cor_sim *sim, const char *name);
uint8_t cor_flag_find(const cor_sim *sim, const char *name);
/* Request codes for cor_request (> 0), by name; cor_request_find gives 0
 * if no module registered the name (so the request cannot be made). */
int cor_request_register(cor_sim *sim, const char *name);
int cor_request_find(const cor_sim *sim, const char *name);
/* Is a rule layer of this name loaded? */
int cor_module_loaded(const cor_sim *sim, const char *name);
/* Let agents share random streams (caravans): returns the index of a
 * uint32 agent column "stream" (or -1); cor_draw then uses stream[a] when
 * it is not 0 (use values >= 2^31, which are no agent's id).  Setup only. */
int cor_streams_enable(cor_sim *sim);
/* A group's nationality: the population's `country`, else the country of
 * its largest origin; cor_group_is compares it ("MX": Mexican nationals).
 * Home: the largest origin in that country; for non-Mexicans without one,
 * the largest origin outside Mexico (people who fly into Mexico are not
 * "home" there); else the largest origin. */
const char *cor_group_country(const cor_sim *sim, int group);
int cor_group_is(const cor_sim *sim, int group, const char *country);
int cor_home_place(const cor_sim *sim, int group);
int cor_lever_register(cor_sim *sim, const char *name);                    /* id, or -1 */
int cor_column_register(cor_sim *sim, const char *name, size_t size);      /* id, or -1 */
static inline void *cor_column_data(cor_sim *sim, int col) { return sim->agents.cols[col].data; }

/* Parameters: 1 and *value if the scenario defines it, else 0.
 * cor_param_find gives the parameter (value, range, file and line for
 * messages) or NULL.  Both note that the parameter is used: `corredor
 * check` warns about parameters no loaded module reads. */
int cor_param(cor_sim *sim, const char *name, double *value);
const cor_sc_param *cor_param_find(cor_sim *sim, const char *name);
/* Range checks with one message for all modules: 1 if lo <= v <= hi (lo < v
 * with COR_PARAM_OPEN_LO; whole numbers only with COR_PARAM_WHOLE; hi may be
 * INFINITY), else fail the sim with "file:line: parameters.NAME.value: must
 * be in [lo, hi] (got v)" (or "must be >= lo", "a whole number ...") and
 * return 0.  cor_param_in also requires the parameter to exist. */
enum { COR_PARAM_OPEN_LO = 1, COR_PARAM_WHOLE = 2 };
int cor_param_check(cor_sim *sim, const char *name, double v, double lo, double hi, unsigned how);
int cor_param_in(cor_sim *sim, const char *name, const char *needed_by, double lo, double hi, unsigned how, double *v);
/* As cor_param, but a missing parameter fails the sim with a message naming
 * the scenario file and who needs it. */
int cor_param_require(cor_sim *sim, const char *name, const char *needed_by, double *value);

/* ---- levers ---- */
static inline int cor_lever(const cor_sim *sim, int lever, int place, int link, int group, int demo, double *value)
{
    return cor_levers_get(&sim->levers, lever, place, link, group, demo, value);
}
/* The lever in force today for agent a: at its place (or on its link
 * while travelling), for its group and demographic. */
static inline int cor_lever_for(const cor_sim *sim, int lever, uint32_t a, double *value)
{
    const cor_agents *ag = &sim->agents;
    int link = ag->arc[a] == COR_NONE ? -1 : sim->net.arcs[ag->arc[a]].link;
    int place = ag->arc[a] == COR_NONE ? (int)ag->place[a] : -1;
    return cor_levers_get(&sim->levers, lever, place, link, ag->group[a], ag->demo[a], value);
}
/* Write a lever from day `from` on (sequential code only).  Takes effect
 * from max(from, earliest): earliest is the day being simulated if its
 * levers are not yet refreshed (between days, or in spawned hooks), else
 * the next day (from lever_changed and day_start on). */
int cor_lever_write(cor_sim *sim, int lever, double value, int32_t from, const cor_scope *scope);

/* ---- the agent being processed (parallel-safe for that agent) ----
 * The hot ones are inline so that rule modules pay no call for them. */

/* Move one agent between (place, status) cells of the counts. */
static inline void cor_count_move_(cor_ctx *c, uint32_t place_from, int st_from, uint32_t place_to, int st_to)
{
    int64_t S = c->sim->n_status;
    int64_t *d = c->counts;
    d[(int64_t)place_from * S + st_from]--;
    d[(int64_t)place_to * S + st_to]++;
}

void cor_schedule_now_(cor_ctx *c, uint32_t a, int32_t day); /* sequential filing (step.c) */

/* Set an agent's next decision day.  In the parallel phase the engine files
 * the agent under that day when the agent's turn ends; sequential code
 * files it at once (after the decide phase, no earlier than tomorrow). */
static inline void cor_set_next_(cor_ctx *c, uint32_t a, int32_t day)
{
    if (c->sequential && day != COR_NEVER) {
        cor_schedule_now_(c, a, day);
        return;
    }
    c->sim->agents.next_day[a] = day;
}

/* Change status, keeping place and arc (use cor_move_to to take a traveller
 * off its link). */
static inline void cor_set_status(cor_ctx *c, uint32_t a, int status)
{
    cor_agents *ag = &c->sim->agents;
    if (ag->status[a] == status)
        return;
    cor_count_move_(c, ag->place[a], ag->status[a], ag->place[a], status);
    ag->status[a] = (uint8_t)status;
    ag->since[a] = c->day;
    if (c->sim->status_flags[status] & COR_STATUS_TERMINAL)
        ag->next_day[a] = COR_NEVER;
}

/* Decide again after `days` (>= 1) days. */
static inline void cor_wait(cor_ctx *c, uint32_t a, int32_t days)
{
    if (c->sim->agents.next_day[a] == COR_NEVER)
        return;
    int64_t next = (int64_t)c->day + (days < 1 ? 1 : days);
    cor_set_next_(c, a, next > INT32_MAX - 1 ? INT32_MAX - 1 : (int32_t)next);
}

/* Start (or resume, if already on it) travelling on arc; the agent wakes on
 * its arrival day (same-day arrivals are handled by the engine at once). */
#if defined(__GNUC__)
__attribute__((always_inline))
#endif
static inline void cor_depart(cor_ctx *c, uint32_t a, int arc)
{
    /* local copies: stores through uint8_t pointers would force reloads */
    cor_sim *sim = c->sim;
    cor_agents *ag = &sim->agents;
    uint8_t *status = ag->status;
    uint32_t *place = ag->place, *arcs = ag->arc;
    float *progress = ag->progress;
    int32_t *since = ag->since, day = c->day;
    const cor_arc *x = &sim->net.arcs[arc];
    int32_t days = x->days;
    if (status[a] == COR_ST_TRAVELLING && arcs[a] == (uint32_t)arc) {
        double speed = sim->net.speed[x->mode];
        double p = progress[a] + (double)(day - since[a]) * speed;
        progress[a] = (float)(p < x->km ? p : x->km);
        if (progress[a] > 0) {
            double d = ceil((x->km - progress[a]) / speed - 1e-9);
            days = d < 1 ? 1 : (int32_t)d;
        }
    } else {
        if (status[a] != COR_ST_TRAVELLING || place[a] != (uint32_t)x->from) {
            cor_count_move_(c, place[a], status[a], (uint32_t)x->from, COR_ST_TRAVELLING);
            place[a] = (uint32_t)x->from;
            status[a] = COR_ST_TRAVELLING;
        }
        arcs[a] = (uint32_t)arc;
        progress[a] = 0;
    }
    since[a] = day;
    cor_set_next_(c, a, day + days - 1); /* arrives in the evening of that day */
}

/* Choose an outgoing arc of the agent's place by the route weights, given a
 * uniform u in [0, 1); -1 if none. */
static inline int cor_choose_arc(const cor_ctx *c, uint32_t a, double u01)
{
    const cor_sim *sim = c->sim;
    const cor_agents *ag = &sim->agents;
    int64_t t = ((int64_t)ag->place[a] * sim->n_groups + ag->group[a]) * COR_N_DEMOS + ag->demo[a];
    int lo = sim->route_start[t], hi = sim->route_start[t + 1];
    if (lo == hi)
        return -1;
    const double *cum = sim->route_cum;
    double u = u01 * cum[hi - 1];
    if (hi - lo <= 8) { /* short tables: linear scan */
        while (lo < hi - 1 && cum[lo] <= u)
            lo++;
        return sim->route_arc[lo];
    }
    while (lo < hi - 1) {
        int mid = (lo + hi) / 2;
        if (cum[mid - 1] > u)
            hi = mid;
        else
            lo = mid;
    }
    return sim->route_arc[lo];
}

void cor_move_to(cor_ctx *c, uint32_t a, int place, int status);   /* teleport (not along a link) */
void cor_finish(cor_ctx *c, uint32_t a, int status);               /* terminal status: never woken again */
int cor_request(cor_ctx *c, uint32_t a, int code);                 /* resolved sequentially this day */
/* Count agent a (its group and demographic) in FLOW series s at place
 * (-1: none); layers' observe hooks see it.  cor_event_n counts n agents
 * with explicit dimensions (-1: none) and is not observed. */
void cor_event(cor_ctx *c, int series, int place, uint32_t a);
void cor_event_n(cor_ctx *c, int series, int place, int group, int demo, int64_t n);
/* Two random words for (agent, today, purpose, index); asking twice in a
 * row costs one generator call.  Agents given a shared stream (caravan
 * members, cor_streams_enable) draw the same numbers: they move together. */
static inline cor_rand2 cor_draw(cor_ctx *c, uint32_t a, uint16_t purpose, uint16_t index)
{
    uint32_t s = a;
    if (c->sim->stream_col) { /* agents sharing a stream (a caravan) draw alike */
        const uint32_t *st = (const uint32_t *)c->sim->agents.cols[c->sim->stream_col - 1].data;
        if (st[a])
            s = st[a];
    }
    if (c->cache_a != s || c->cache_day != c->day || c->cache_purpose != purpose || c->cache_index != index) {
        c->cache = cor_rng_draw(&c->sim->rng, s, c->day, purpose, index);
        c->cache_a = s, c->cache_day = c->day, c->cache_purpose = purpose, c->cache_index = index;
    }
    return c->cache;
}

/* Series values from sequential code: VALUE series add `value`; STOCK series
 * set the month's value in agents (call at month end). -1 = no dimension. */
void cor_series_add(cor_sim *sim, int series, int place, int group, int demo, double value);
void cor_series_stock(cor_sim *sim, int series, int place, int group, int demo, double agents);

/* ---- sequential only ---- */
/* Wake agent a: it decides today if called before the decide phase (spawn,
 * lever_changed, day_start), else tomorrow. */
int cor_wake(cor_sim *sim, uint32_t a);
/* Wake every non-terminal agent at a place in place_mask (byte per place),
 * or travelling on an arc in arc_mask (byte per arc; either may be NULL). */
int cor_wake_where(cor_sim *sim, const uint8_t *place_mask, const uint8_t *arc_mask);
void cor_routes_invalidate(cor_sim *sim);
static inline int64_t cor_count(const cor_sim *sim, int place, int status)
{
    return sim->count[(int64_t)place * sim->n_status + status];
}

/* Spawn n agents now (sequential; engine and benchmarks).  The tagged form
 * sets their flags and shared random stream (0: own) before the layers'
 * spawned hooks see them (caravans). */
int cor_spawn(cor_sim *sim, int64_t n, int group, int demo, int place);
int cor_spawn_tagged(cor_sim *sim, int64_t n, int group, int demo, int place, uint8_t flags, uint32_t stream);

#endif
