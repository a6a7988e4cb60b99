/* rules.c - dispatch through the stack of rule layers. */
#include "engine/rules.h"

#include <string.h>


int cor_sim_add_rules(cor_sim *sim, const cor_rules *rules)
{
    if (sim->initialised)
        return cor_sim_fail(sim, COR_ESTATE, "rules can only be added before cor_sim_init");
    if (sim->n_layers >= COR_MAX_LAYERS)
        return cor_sim_fail(sim, COR_EARG, "too many rule layers (max %d)", COR_MAX_LAYERS);
    sim->layers[sim->n_layers++] = (cor_layer){rules, NULL};
    return COR_OK;
}

#define CHAIN_VALUE(H, from, call, dflt)                                                                \
    do {                                                                                                \
        cor_sim *sim_ = c->sim;                                                                         \
        for (int l_ = (from); l_ >= 0; l_--) {                                                          \
            const cor_layer *L = &sim_->layers[l_];                                                     \
            if (L->rules->H) {                                                                          \
                int saved_ = c->layer;                                                                  \
                c->layer = l_;                                                                          \
                double v_ = call;                                                                       \
                c->layer = saved_;                                                                      \
                return v_;                                                                              \
            }                                                                                           \
        }                                                                                               \
        return dflt;                                                                                    \
    } while (0)

void cor_default_decide_(cor_ctx *c, uint32_t a)
{
    const cor_agents *ag = &c->sim->agents;
    if (ag->status[a] == COR_ST_TRAVELLING) {
        /* woken on a link before arriving: keep going (engine computes the rest) */
        cor_depart(c, a, (int)ag->arc[a]);
        return;
    }
    cor_wait(c, a, 1);
}

static double default_weight(const cor_ctx *c, int arc) { return c->sim->net.arcs[arc].weight; }

double cor_propensity(cor_ctx *c, int group, int demo, int origin)
{
    CHAIN_VALUE(propensity, c->sim->n_layers - 1, L->rules->propensity(c, L->state, group, demo, origin), 1.0);
}
double cor_next_propensity(cor_ctx *c, int group, int demo, int origin)
{
    CHAIN_VALUE(propensity, c->layer - 1, L->rules->propensity(c, L->state, group, demo, origin), 1.0);
}
void cor_next_decide(cor_ctx *c, uint32_t a)
{
    CHAIN(decide, c->layer - 1, L->rules->decide(c, L->state, a), cor_default_decide_(c, a));
}
void cor_next_arrive(cor_ctx *c, uint32_t a, int place, int arc)
{
    CHAIN(arrive, c->layer - 1, L->rules->arrive(c, L->state, a, place, arc), (void)0);
}
void cor_resolve(cor_ctx *c, uint32_t a, int request)
{
    CHAIN(resolve, c->sim->n_layers - 1, L->rules->resolve(c, L->state, a, request), (void)0);
}
void cor_next_resolve(cor_ctx *c, uint32_t a, int request)
{
    CHAIN(resolve, c->layer - 1, L->rules->resolve(c, L->state, a, request), (void)0);
}
double cor_link_weight(cor_ctx *c, int arc, int group, int demo)
{
    CHAIN_VALUE(link_weight, c->sim->n_layers - 1, L->rules->link_weight(c, L->state, arc, group, demo),
                default_weight(c, arc));
}
double cor_next_link_weight(cor_ctx *c, int arc, int group, int demo)
{
    CHAIN_VALUE(link_weight, c->layer - 1, L->rules->link_weight(c, L->state, arc, group, demo),
                default_weight(c, arc));
}

#define NOTIFY(H, call)                                                                                 \
    do {                                                                                                \
        cor_sim *sim_ = c->sim;                                                                         \
        int saved_ = c->layer;                                                                          \
        for (int l_ = 0; l_ < sim_->n_layers; l_++) {                                                   \
            const cor_layer *L = &sim_->layers[l_];                                                     \
            if (L->rules->H) {                                                                          \
                c->layer = l_;                                                                          \
                call;                                                                                   \
            }                                                                                           \
        }                                                                                               \
        c->layer = saved_;                                                                              \
    } while (0)

void cor_notify_spawned(cor_ctx *c, uint32_t a) { NOTIFY(spawned, L->rules->spawned(c, L->state, a)); }
void cor_notify_lever(cor_ctx *c, const cor_lever_change *ch) { NOTIFY(lever_changed, L->rules->lever_changed(c, L->state, ch)); }
void cor_notify_day_start(cor_ctx *c) { NOTIFY(day_start, L->rules->day_start(c, L->state)); }
void cor_notify_day_end(cor_ctx *c) { NOTIFY(day_end, L->rules->day_end(c, L->state)); }
void cor_notify_month_end(cor_ctx *c, int month) { NOTIFY(month_end, L->rules->month_end(c, L->state, month)); }
void cor_notify_observe(cor_ctx *c, int series, int place, uint32_t a)
{
    NOTIFY(observe, L->rules->observe(c, L->state, series, place, a));
}
