/* rules.h - the rules interface: how modules plug into the engine.
 *
 * A rule set is a table of function pointers (as SQLite's VFS).  The
 * simulation holds a stack of layers: layer 0 is the base rule set named by
 * the scenario (e.g. the corridor rules); modules push further layers on
 * top.  Two kinds of hooks:
 *
 *  - chained (decide, arrive, resolve, propensity, link_weight): the top
 *    layer that defines the hook is called; it may replace the decision, or
 *    extend it by calling cor_next_*() to run the layer below.  Below layer 0
 *    sits the engine's default (documented at each hook).
 *  - notified (setup, spawned, lever_changed, day_start, day_end,
 *    month_end, teardown): every layer that defines it is called, from layer
 *    0 upwards.
 *
 * Threading: decide and arrive run in parallel over agents (one context per
 * thread); they may change only the agent they were given, read shared state
 * (counts, levers, parameters) and append events or requests.  Everything
 * else runs sequentially, in a fixed order, on the sequential context.
 * Requests (cor_request) made in parallel are resolved sequentially in
 * ascending agent id, so shared resources (beds, queue slots, seats) are
 * handed out the same way whatever the number of threads.
 */
#ifndef COR_RULES_H
#define COR_RULES_H

#include <stdint.h>

#include "engine/sim.h"

typedef struct cor_rules {
    const char *name;
    /* Create the layer's state; register statuses, events, levers, agent
     * columns; read parameters.  Return COR_OK, or a code after cor_sim_fail(). */
    int (*setup)(cor_sim *sim, void **state);
    void (*teardown)(void *state);

    /* chained */
    double (*propensity)(cor_ctx *c, void *state, int group, int demo, int origin); /* default 1 */
    void (*decide)(cor_ctx *c, void *state, uint32_t a);  /* default: travelling agents keep going, others wait 1 day */
    /* arrival at place by arc (-1: not along a link); default: nothing (decide tomorrow) */
    void (*arrive)(cor_ctx *c, void *state, uint32_t a, int place, int arc);
    void (*resolve)(cor_ctx *c, void *state, uint32_t a, int request); /* default: nothing */
    double (*link_weight)(cor_ctx *c, void *state, int arc, int group, int demo); /* default: the link's weight */

    /* notified */
    void (*spawned)(cor_ctx *c, void *state, uint32_t a);
    void (*lever_changed)(cor_ctx *c, void *state, const cor_lever_change *ch);
    void (*day_start)(cor_ctx *c, void *state);
    void (*day_end)(cor_ctx *c, void *state);
    void (*month_end)(cor_ctx *c, void *state, int month);
    /* agent a was counted in FLOW series `series` at place (cor_event);
     * runs where the count was made (possibly in parallel): it may count
     * further series for a and read shared state, nothing else. */
    void (*observe)(cor_ctx *c, void *state, int series, int place, uint32_t a);
} cor_rules;

/* Push a layer on top (before cor_sim_init).  `rules` must outlive the sim. */
int cor_sim_add_rules(cor_sim *sim, const cor_rules *rules);

/* Rule sets and modules by name ("corridor", "inm", ...); NULL if unknown.
 * cor_rules_rank gives a module's place in the canonical stacking order
 * (modules are stacked in that order, whatever order a scenario lists
 * them in), -1 if unknown; cor_rules_names lists them for messages. */
const cor_rules *cor_rules_find(const char *name);
int cor_rules_rank(const char *name);
const char *cor_rules_names(void);

/* Run the first layer at or below `from` that defines hook H; `call` is the
 * invocation with L bound to that layer, `dflt` the engine default.  (The
 * two hooks on the agents' hot path, decide and arrive, start from the top
 * layer found once at set-up: sim->top_decide, sim->top_arrive.) */
#define CHAIN(H, from, call, dflt)                                                                      \
    do {                                                                                                \
        cor_sim *sim_ = c->sim;                                                                         \
        for (int l_ = (from); l_ >= 0; l_--) {                                                          \
            const cor_layer *L = &sim_->layers[l_];                                                     \
            if (L->rules->H) {                                                                          \
                int saved_ = c->layer;                                                                  \
                c->layer = l_;                                                                          \
                call;                                                                                   \
                c->layer = saved_;                                                                      \
                return;                                                                                 \
            }                                                                                           \
        }                                                                                               \
        dflt;                                                                                           \
    } while (0)

void cor_default_decide_(cor_ctx *c, uint32_t a); /* engine default: travellers keep going, others wait a day */

/* Chain entry points (call the top layer) and continuations (call the layer
 * below the one currently running). */
static inline void cor_decide(cor_ctx *c, uint32_t a)
{
    int l = c->sim->top_decide;
    if (l < 0) {
        cor_default_decide_(c, a);
        return;
    }
    const cor_layer *L = &c->sim->layers[l];
    int saved = c->layer;
    c->layer = l;
    L->rules->decide(c, L->state, a);
    c->layer = saved;
}
static inline void cor_arrive(cor_ctx *c, uint32_t a, int place, int arc)
{
    int l = c->sim->top_arrive;
    if (l < 0)
        return;
    const cor_layer *L = &c->sim->layers[l];
    int saved = c->layer;
    c->layer = l;
    L->rules->arrive(c, L->state, a, place, arc);
    c->layer = saved;
}
double cor_propensity(cor_ctx *c, int group, int demo, int origin);
void cor_resolve(cor_ctx *c, uint32_t a, int request);
double cor_link_weight(cor_ctx *c, int arc, int group, int demo);
double cor_next_propensity(cor_ctx *c, int group, int demo, int origin);
void cor_next_decide(cor_ctx *c, uint32_t a);
void cor_next_arrive(cor_ctx *c, uint32_t a, int place, int arc);
void cor_next_resolve(cor_ctx *c, uint32_t a, int request);
double cor_next_link_weight(cor_ctx *c, int arc, int group, int demo);

/* Notifications (engine use). */
void cor_notify_spawned(cor_ctx *c, uint32_t a);
void cor_notify_lever(cor_ctx *c, const cor_lever_change *ch);
void cor_notify_day_start(cor_ctx *c);
void cor_notify_day_end(cor_ctx *c);
void cor_notify_month_end(cor_ctx *c, int month);
void cor_notify_observe(cor_ctx *c, int series, int place, uint32_t a);

#endif
