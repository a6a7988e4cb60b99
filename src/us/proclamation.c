/* proclamation.c - asylum limits while encounters are high (see
 * proclamation.h and docs/modules/proclamation.md). */
#include "us/proclamation.h"

#include <math.h>
#include <stdlib.h>

#include "us/encounter.h"
#include "us/returns.h"

#define SLOT 8 /* int64 per counter: one cache line each */

typedef struct {
    int lever_on, lever_limit, s_enc, s_days;
    double threshold, off_threshold, limit;
    int32_t off_days;
    int64_t *slots;              /* encounters today (agents), per context */
    int n_slots;
    double ring[7];              /* people encountered on the last 7 days */
    int n_days;                  /* days counted so far (saturates at 7) */
    int head;
    int32_t on_from, off_from;   /* limits apply on days [on_from, off_from) */
} proclamation;

static int setup(cor_sim *sim, void **state)
{
    proclamation *p = calloc(1, sizeof *p);
    if (!p)
        return cor_sim_fail(sim, COR_ENOMEM, "out of memory");
    *state = p;
    int rc = cor_us_need(sim, "proclamation", "title8");
    if (rc)
        return rc;
    cor_encounter_ids enc;
    if ((rc = cor_encounter_setup(sim, &enc)))
        return rc;
    p->s_enc = enc.total;
    p->s_days = cor_series_register(sim, "proclamation_days", COR_VALUE, NULL, COR_AGG_SUM);
    p->lever_on = cor_lever_register(sim, "proclamation");
    p->lever_limit = cor_lever_register(sim, "title8_asylum_limit");
    p->n_slots = sim->threads + 1;
    p->slots = calloc((size_t)p->n_slots * SLOT, sizeof *p->slots);
    if (p->s_days < 0 || p->lever_on < 0 || p->lever_limit < 0 || !p->slots)
        return cor_sim_fail(sim, COR_ENOMEM, "module proclamation: cannot register its series or levers");
    const char *who = "module proclamation";
    double off_days = 0;
    if (!cor_us_param(sim, "proclamation_threshold", who, 1, 0, INFINITY, &p->threshold) ||
        !cor_us_param(sim, "proclamation_limit", who, 1, 0, 1, &p->limit))
        return COR_EINPUT;
    p->off_threshold = p->threshold;
    if ((!cor_us_param(sim, "proclamation_off_threshold", who, 0, 0, INFINITY, &p->off_threshold) && sim->rc) ||
        (!cor_us_param(sim, "proclamation_off_days", who, 0, 0, 3650, &off_days) && sim->rc))
        return sim->rc;
    if (p->off_threshold > p->threshold) {
        const cor_sc_param *q = cor_param_find(sim, "proclamation_off_threshold");
        return cor_sim_fail(sim, COR_EINPUT,
                            "%s:%d: parameters.proclamation_off_threshold.value: must be <= proclamation_threshold "
                            "(%g; got %g)",
                            q->pos.file, q->pos.line, p->threshold, p->off_threshold);
    }
    if (off_days != floor(off_days)) {
        const cor_sc_param *q = cor_param_find(sim, "proclamation_off_days");
        return cor_sim_fail(sim, COR_EINPUT, "%s:%d: parameters.proclamation_off_days.value: must be whole days (got %g)",
                            q->pos.file, q->pos.line, off_days);
    }
    p->off_days = (int32_t)off_days;
    p->on_from = p->off_from = INT32_MAX;
    return COR_OK;
}

static void teardown(void *state)
{
    proclamation *p = state;
    free(p->slots);
    free(p);
}

static void observe(cor_ctx *c, void *state, int series, int place, uint32_t a)
{
    (void)place, (void)a;
    proclamation *p = state;
    if (series != p->s_enc)
        return;
    int i = c->sequential ? p->n_slots - 1 : c->tid;
    p->slots[(size_t)i * SLOT]++;
}

static int on(const proclamation *p, int32_t day) { return day >= p->on_from && day < p->off_from; }

static void day_start(cor_ctx *c, void *state)
{
    const proclamation *p = state;
    if (on(p, c->day))
        cor_series_add(c->sim, p->s_days, -1, -1, -1, 1);
}

/* title8_asylum_limit = value from `from` on, for the demographics the
 * proclamation covers (unaccompanied children are excepted). */
static void write_limit(cor_sim *sim, const proclamation *p, double value, int32_t from)
{
    cor_scope s = {0};
    s.demo_mask = 1u << COR_DEMO_SINGLE_ADULT | 1u << COR_DEMO_FAMILY;
    cor_lever_write(sim, p->lever_limit, value, from, &s);
}

static void day_end(cor_ctx *c, void *state)
{
    proclamation *p = state;
    cor_sim *sim = c->sim;
    int64_t n = 0;
    for (int i = 0; i < p->n_slots; i++) {
        n += p->slots[(size_t)i * SLOT];
        p->slots[(size_t)i * SLOT] = 0;
    }
    p->ring[p->head] = (double)n * sim->scale;
    p->head = (p->head + 1) % 7;
    if (p->n_days < 7)
        p->n_days++;
    int32_t tomorrow = c->day + 1;
    double v = 0;
    int in_force = cor_lever(sim, p->lever_on, -1, -1, -1, -1, &v) && v > 0;
    if (!in_force) {
        if (on(p, tomorrow)) {
            write_limit(sim, p, 0, tomorrow);
            p->off_from = tomorrow;
        }
        return;
    }
    if (p->n_days < 7)
        return;
    double sum = 0;
    for (int i = 0; i < 7; i++)
        sum += p->ring[i];
    double avg = sum / 7;
    if (!on(p, tomorrow)) {
        if (avg >= p->threshold) {
            write_limit(sim, p, p->limit, tomorrow);
            p->on_from = tomorrow;
            p->off_from = INT32_MAX;
        }
    } else if (p->off_from == INT32_MAX && avg < p->off_threshold) {
        p->off_from = tomorrow + p->off_days;
        write_limit(sim, p, 0, p->off_from);
    }
}

const cor_rules cor_proclamation_rules = {
    .name = "proclamation",
    .setup = setup,
    .teardown = teardown,
    .day_start = day_start,
    .day_end = day_end,
    .observe = observe,
};
