/* returns.c - what returnees do (see returns.h and docs/modules/returns.md). */
#include "us/returns.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ---------------------------------------------------------------- shared helpers */

static int is_mx(const cor_sim *sim, int place)
{
    const char *c = sim->sc->places[place].country;
    return c && strcmp(c, "MX") == 0;
}

int cor_us_geo_init(cor_sim *sim, cor_us_geo *geo)
{
    const cor_network *net = &sim->net;
    int P = net->n_places, G = sim->n_groups;
    memset(geo, 0, sizeof *geo);
    geo->mx_place = calloc((size_t)P + 1, 1);
    geo->mx_group = calloc((size_t)G + 1, 1);
    geo->home = calloc((size_t)G + 1, sizeof *geo->home);
    geo->sector = calloc((size_t)P + 1, sizeof *geo->sector);
    geo->facing = calloc((size_t)P + 1, sizeof *geo->facing);
    if (!geo->mx_place || !geo->mx_group || !geo->home || !geo->sector || !geo->facing) {
        cor_us_geo_free(geo);
        return cor_sim_fail(sim, COR_ENOMEM, "out of memory");
    }
    for (int p = 0; p < P; p++) {
        geo->mx_place[p] = (uint8_t)is_mx(sim, p);
        geo->sector[p] = net->kind[p] == COR_KIND_US_SECTOR ? geo->n_sectors++ : -1;
    }
    for (int g = 0; g < G; g++) {
        geo->home[g] = cor_home_place(sim, g);
        geo->mx_group[g] = (uint8_t)cor_group_is(sim, g, "MX");
    }
    for (int p = 0; p < P; p++) {
        int k = geo->sector[p];
        if (k < 0)
            continue;
        int best = -1;
        double best_km = 0;
        int best_city = 0;
        for (int x = 0; x < net->n_arcs; x++) {
            const cor_arc *r = &net->arcs[x];
            if (r->to != p || !geo->mx_place[r->from])
                continue;
            int city = net->kind[r->from] == COR_KIND_BORDER_CITY;
            if (best < 0 || city > best_city || (city == best_city && r->km < best_km) ||
                (city == best_city && r->km == best_km && r->from < best)) {
                best = r->from;
                best_km = r->km;
                best_city = city;
            }
        }
        geo->facing[k] = best;
    }
    return COR_OK;
}

void cor_us_geo_free(cor_us_geo *geo)
{
    free(geo->mx_place);
    free(geo->mx_group);
    free(geo->home);
    free(geo->sector);
    free(geo->facing);
    memset(geo, 0, sizeof *geo);
}

int cor_us_param(cor_sim *sim, const char *name, const char *who, int required, double lo, double hi,
                 double *value)
{
    double v;
    if (required) {
        if (!cor_param_require(sim, name, who, &v))
            return 0;
    } else if (!cor_param(sim, name, &v)) {
        return 0;
    }
    if (!(v >= lo && v <= hi)) {
        const cor_sc_param *p = cor_param_find(sim, name);
        if (isinf(hi))
            cor_sim_fail(sim, COR_EINPUT, "%s:%d: parameters.%s.value: must be >= %g (got %g)", p->pos.file,
                         p->pos.line, name, lo, v);
        else
            cor_sim_fail(sim, COR_EINPUT, "%s:%d: parameters.%s.value: must be in [%g, %g] (got %g)", p->pos.file,
                         p->pos.line, name, lo, hi, v);
        return 0;
    }
    *value = v;
    return 1;
}

int cor_us_need(cor_sim *sim, const char *who, const char *need)
{
    if (cor_module_loaded(sim, need))
        return COR_OK;
    return cor_sim_fail(sim, COR_EINPUT, "module %s needs module %s: add it to meta.modules", who, need);
}

/* ---------------------------------------------------------------- the module */

/* Causes of a return (low 2 bits of the agent column). */
enum { CAUSE_OTHER = 0, CAUSE_TITLE8 = 1, CAUSE_TITLE42 = 2, CAUSE_MPP = 3 };

/* What an observed series means: the cause it sets and whether it puts the
 * person in Mexico (always, or if Mexican). */
enum { EV_NONE, EV_REMOVAL, EV_VOLUNTARY, EV_T42, EV_T42_AIR, EV_MPP_RETURNED, EV_MPP_OTHER };

static const struct {
    const char *series;
    uint8_t ev;
} observed[] = {
    {"us_removals", EV_REMOVAL},         {"us_voluntary_returns", EV_VOLUNTARY},
    {"title42_expulsions", EV_T42},      {"title42_expulsions_air", EV_T42_AIR},
    {"mpp_returned", EV_MPP_RETURNED},   {"mpp_abandoned", EV_MPP_OTHER},
};

typedef struct {
    int st_home, st_returned, st_settled;
    int s_to_mexico, s_retries, s_home, s_settled, s_remigrations;
    double retry[4];             /* by cause */
    double go_home, remigrate;
    double f_retry, f_home;      /* geometric factors of the waits' means minus one */
    int col;                     /* agent column "returns_cause" */
    uint8_t *ev_of;              /* [series] EV_*, built on the first day */
    int n_ev;
    cor_us_geo geo;
} returns;

static int setup(cor_sim *sim, void **state)
{
    returns *r = calloc(1, sizeof *r);
    if (!r)
        return cor_sim_fail(sim, COR_ENOMEM, "out of memory");
    *state = r;
    r->st_home = cor_status_register(sim, "home", 0);
    r->st_returned = cor_status_register(sim, "returned", 0);
    r->st_settled = cor_status_register(sim, "settled", COR_STATUS_TERMINAL);
    r->s_to_mexico = cor_series_register(sim, "returns_to_mexico", COR_FLOW, "returns_to_mexico", COR_AGG_SUM);
    r->s_retries = cor_series_register(sim, "returnee_retries", COR_FLOW, NULL, COR_AGG_SUM);
    r->s_home = cor_series_register(sim, "returnees_home", COR_FLOW, NULL, COR_AGG_SUM);
    r->s_settled = cor_series_register(sim, "returnees_settled", COR_FLOW, NULL, COR_AGG_SUM);
    r->s_remigrations = cor_series_register(sim, "returnee_remigrations", COR_FLOW, NULL, COR_AGG_SUM);
    r->col = cor_column_register(sim, "returns_cause", 1);
    if (r->st_home < 0 || r->st_returned < 0 || r->st_settled < 0 || r->s_to_mexico < 0 || r->s_retries < 0 ||
        r->s_home < 0 || r->s_settled < 0 || r->s_remigrations < 0 || r->col < 0)
        return cor_sim_fail(sim, COR_ENOMEM, "module returns: cannot register its statuses, series or column");
    int rc = cor_us_geo_init(sim, &r->geo);
    if (rc)
        return rc;

    const char *who = "module returns";
    double home_days = 1, retry_days = 1;
    if (!cor_us_param(sim, "returns_home_days", who, 1, 1, INFINITY, &home_days) ||
        !cor_us_param(sim, "returns_remigrate", who, 1, 0, 1, &r->remigrate))
        return COR_EINPUT;
    int t8 = cor_module_loaded(sim, "title8"), t42 = cor_module_loaded(sim, "title42");
    int mpp = cor_module_loaded(sim, "mpp");
    if (t8 || t42 || mpp) {
        const char *whom = "module returns (returnees in Mexican border cities)";
        if (!cor_us_param(sim, "returns_retry_title8", whom, 1, 0, 1, &r->retry[CAUSE_TITLE8]) ||
            !cor_us_param(sim, "returns_retry_days", whom, 1, 1, INFINITY, &retry_days) ||
            !cor_us_param(sim, "returns_go_home", whom, 1, 0, 1, &r->go_home))
            return COR_EINPUT;
        if (t42 && !cor_us_param(sim, "returns_retry_title42", "module returns (with title42)", 1, 0, 1,
                                 &r->retry[CAUSE_TITLE42]))
            return COR_EINPUT;
        if (mpp && !cor_us_param(sim, "returns_retry_mpp", "module returns (with mpp)", 1, 0, 1, &r->retry[CAUSE_MPP]))
            return COR_EINPUT;
    }
    r->retry[CAUSE_OTHER] = r->retry[CAUSE_TITLE8];
    r->f_retry = cor_geometric_factor(retry_days - 1);
    r->f_home = cor_geometric_factor(home_days - 1);
    return COR_OK;
}

static void teardown(void *state)
{
    returns *r = state;
    cor_us_geo_free(&r->geo);
    free(r->ev_of);
    free(r);
}

/* Series ids of the other modules are known once every layer is set up. */
static void day_start(cor_ctx *c, void *state)
{
    returns *r = state;
    if (r->ev_of)
        return;
    int n = c->sim->series.n;
    uint8_t *ev = calloc((size_t)n + 1, 1);
    if (!ev) {
        cor_sim_fail(c->sim, COR_ENOMEM, "out of memory");
        return;
    }
    for (size_t i = 0; i < sizeof observed / sizeof *observed; i++) {
        int s = cor_series_find(c->sim, observed[i].series);
        if (s >= 0 && s < n)
            ev[s] = observed[i].ev;
    }
    r->ev_of = ev;
    r->n_ev = n;
}

static void observe(cor_ctx *c, void *state, int series, int place, uint32_t a)
{
    const returns *r = state;
    if (series >= r->n_ev || !r->ev_of[series])
        return;
    const cor_sim *sim = c->sim;
    uint8_t *cause = cor_column_data(c->sim, r->col);
    int ev = r->ev_of[series], to_mexico = 0;
    switch (ev) {
    case EV_REMOVAL:
        cause[a] = CAUSE_TITLE8;
        to_mexico = r->geo.mx_group[sim->agents.group[a]];
        break;
    case EV_VOLUNTARY:
        cause[a] = CAUSE_TITLE8;
        to_mexico = 1;
        break;
    case EV_T42:
        cause[a] = CAUSE_TITLE42;
        to_mexico = 1;
        break;
    case EV_T42_AIR:
        cause[a] = CAUSE_TITLE42;
        break;
    case EV_MPP_RETURNED:
        cause[a] = CAUSE_MPP;
        to_mexico = 1;
        break;
    default:
        cause[a] = CAUSE_MPP;
        break;
    }
    if (to_mexico) {
        int here = (int)sim->agents.place[a];
        cor_event(c, r->s_to_mexico, r->geo.mx_place[here] || place < 0 ? here : place, a);
    }
}

/* The wait (>= 1 day) that began on the status's first day: drawn with that
 * day's counter, so it is the same whenever the agent is asked. */
static int32_t wait_from_since(const cor_ctx *c, uint32_t a, int word, double f)
{
    const cor_sim *sim = c->sim;
    cor_rand2 u = cor_rng_draw(&sim->rng, a, sim->agents.since[a], COR_RNG_RETURNS_WAIT, 0);
    return 1 + cor_geometric_f(u.w[word], f);
}

/* Leave a returns status for `waiting` and decide at once (the whole chain,
 * so upper layers see a waiting person) or when the wait is over. */
static void leave_at(cor_ctx *c, uint32_t a, int32_t due)
{
    cor_set_status(c, a, COR_ST_WAITING);
    if (due <= c->day)
        cor_decide(c, a);
    else
        cor_wait(c, a, due - c->day);
}

static void at_home(cor_ctx *c, const returns *r, uint32_t a)
{
    int32_t due = c->sim->agents.since[a] + wait_from_since(c, a, 1, r->f_home);
    if (due > c->day) {
        cor_wait(c, a, due - c->day);
        return;
    }
    int place = (int)c->sim->agents.place[a];
    if (cor_u01(cor_draw(c, a, COR_RNG_RETURNS_HOME, 0).w[0]) < r->remigrate) {
        cor_event(c, r->s_remigrations, place, a);
        leave_at(c, a, c->day);
    } else {
        cor_event(c, r->s_settled, place, a);
        cor_finish(c, a, r->st_settled);
    }
}

static void in_mexico(cor_ctx *c, const returns *r, uint32_t a)
{
    const cor_sim *sim = c->sim;
    const uint8_t *cause = cor_column_data(c->sim, r->col);
    int place = (int)sim->agents.place[a];
    cor_rand2 u = cor_draw(c, a, COR_RNG_RETURNS, 0);
    if (cor_u01(u.w[0]) < r->retry[cause[a] & 3]) {
        cor_event(c, r->s_retries, place, a);
        leave_at(c, a, sim->agents.since[a] + wait_from_since(c, a, 0, r->f_retry));
        return;
    }
    int home = r->geo.home[sim->agents.group[a]];
    if (home >= 0 && cor_u01(u.w[1]) < r->go_home) {
        cor_event(c, r->s_home, place, a);
        cor_move_to(c, a, home, r->st_home);
        at_home(c, r, a);
        return;
    }
    cor_event(c, r->s_settled, place, a);
    cor_finish(c, a, r->st_settled);
}

static void decide(cor_ctx *c, void *state, uint32_t a)
{
    const returns *r = state;
    int st = c->sim->agents.status[a];
    if (st == r->st_returned)
        in_mexico(c, r, a);
    else if (st == r->st_home)
        at_home(c, r, a);
    else
        cor_next_decide(c, a);
}

const cor_rules cor_returns_rules = {
    .name = "returns",
    .setup = setup,
    .teardown = teardown,
    .decide = decide,
    .day_start = day_start,
    .observe = observe,
};
