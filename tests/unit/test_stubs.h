/* test_stubs.h - stand-ins for modules, shared by the module tests (include
 * after <cmocka.h>, engine/rules.h and engine/sim.h).  Each is returned by a
 * function so that a test file pays only for the ones it uses. */
#ifndef COR_TEST_STUBS_H
#define COR_TEST_STUBS_H

#include <stdlib.h>

#include "engine/rules.h"
#include "engine/sim.h"
#include "scenario/scenario.h"

static inline void stub_free(void *state) { free(state); }

/* The returns module's names without its behaviour: people sent home
 * (status "home") settle there at once.  With `returned`, the status
 * "returned" is registered too (as the real module does). */
typedef struct {
    int home, settled;
} ret_stub;
static inline int ret_stub_setup_(cor_sim *sim, void **state, int returned)
{
    ret_stub *r = calloc(1, sizeof *r);
    if (!r)
        return cor_sim_fail(sim, COR_ENOMEM, "oom");
    *state = r;
    r->home = cor_status_register(sim, "home", 0);
    if (returned)
        cor_status_register(sim, "returned", 0);
    r->settled = cor_status_register(sim, "settled", COR_STATUS_TERMINAL);
    return COR_OK;
}
static inline int ret_stub_setup(cor_sim *sim, void **state) { return ret_stub_setup_(sim, state, 0); }
static inline int ret_stub_setup_r(cor_sim *sim, void **state) { return ret_stub_setup_(sim, state, 1); }
static inline void ret_stub_decide(cor_ctx *c, void *state, uint32_t a)
{
    const ret_stub *r = state;
    if (c->sim->agents.status[a] == r->home)
        cor_finish(c, a, r->settled);
    else
        cor_next_decide(c, a);
}
static inline const cor_rules *returns_stub(int with_returned)
{
    static const cor_rules plain = {
        .name = "returns", .setup = ret_stub_setup, .teardown = stub_free, .decide = ret_stub_decide};
    static const cor_rules with = {
        .name = "returns", .setup = ret_stub_setup_r, .teardown = stub_free, .decide = ret_stub_decide};
    return with_returned ? &with : &plain;
}

/* A humanitarian-visa stand-in: every Guatemalan holds tvrh_holder from
 * spawn. */
typedef struct {
    uint8_t flag;
    int group;
} tvrh_stub;
static inline int tvrh_stub_setup(cor_sim *sim, void **state)
{
    tvrh_stub *t = calloc(1, sizeof *t);
    if (!t)
        return cor_sim_fail(sim, COR_ENOMEM, "oom");
    *state = t;
    t->flag = cor_flag_register(sim, "tvrh_holder");
    t->group = cor_sc_population_index(sim->sc, "guatemala");
    return COR_OK;
}
static inline void tvrh_stub_spawned(cor_ctx *c, void *state, uint32_t a)
{
    const tvrh_stub *t = state;
    if (c->sim->agents.group[a] == t->group)
        c->sim->agents.flags[a] |= t->flag;
}
static inline const cor_rules *visa_stub(void)
{
    static const cor_rules r = {
        .name = "tvrh_stub", .setup = tvrh_stub_setup, .teardown = stub_free, .spawned = tvrh_stub_spawned};
    return &r;
}

#endif
