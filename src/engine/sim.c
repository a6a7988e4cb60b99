/* sim.c - the simulation handle: creation, set-up from a scenario,
 * registries, parameters and queries.  The day loop is in step.c. */
#include "engine/sim.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/calendar.h"
#include "engine/rules.h"

const char *cor_version(void) { return COR_VERSION; }

cor_sim *cor_sim_new(void)
{
    cor_sim *sim = calloc(1, sizeof *sim);
    if (!sim)
        return NULL;
    cor_levers_init(&sim->levers);
    cor_series_init(&sim->series);
    return sim;
}

static void free_ctx(cor_ctx *c)
{
    for (int k = 0; k < COR_NEAR_DAYS; k++)
        free(c->near[k].ids);
    free(c->far);
    free(c->delta);
    free(c->flows);
    free(c->req_agent);
    free(c->req_code);
}

void cor_sim_free(cor_sim *sim)
{
    if (!sim)
        return;
    for (int l = sim->n_layers - 1; l >= 0; l--)
        if (sim->layers[l].rules->teardown && sim->layers[l].state)
            sim->layers[l].rules->teardown(sim->layers[l].state);
    cor_network_free(&sim->net);
    cor_agents_free(&sim->agents);
    cor_schedule_free(&sim->sched);
    cor_levers_free(&sim->levers);
    for (int i = 0; i < sim->n_status; i++)
        free(sim->status_names[i]);
    for (int i = 0; i < sim->n_flags; i++)
        free(sim->flag_names[i]);
    for (int i = 0; i < sim->n_requests; i++)
        free(sim->request_names[i]);
    cor_series_free(&sim->series);
    free(sim->count);
    free(sim->route_start);
    free(sim->route_arc);
    free(sim->route_cum);
    if (sim->ctx)
        for (int t = 0; t < sim->threads; t++)
            free_ctx(&sim->ctx[t]);
    free(sim->ctx);
    free_ctx(&sim->seq);
    free(sim->stocks);
    free(sim->param_used);
    free(sim);
}

const char *cor_sim_errmsg(const cor_sim *sim) { return sim ? sim->errmsg : "out of memory"; }

int cor_sim_fail(cor_sim *sim, int code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(sim->errmsg, sizeof sim->errmsg, fmt, ap);
    va_end(ap);
    if (code != COR_OK)
        sim->rc = code;
    return code;
}

/* ---------------------------------------------------------------- registries */

static int registry_add(char **names, int *n, int max, const char *name)
{
    for (int i = 0; i < *n; i++)
        if (strcmp(names[i], name) == 0)
            return i;
    if (*n >= max || !(names[*n] = strdup(name)))
        return -1;
    return (*n)++;
}

static int registry_find(char *const *names, int n, const char *name)
{
    for (int i = 0; i < n; i++)
        if (strcmp(names[i], name) == 0)
            return i;
    return -1;
}

int cor_status_register(cor_sim *sim, const char *name, unsigned flags)
{
    if (sim->initialised)
        return -1;
    int id = registry_add(sim->status_names, &sim->n_status, COR_MAX_STATUSES, name);
    if (id >= 0)
        sim->status_flags[id] |= flags;
    return id;
}
int cor_status_find(const cor_sim *sim, const char *name) { return registry_find(sim->status_names, sim->n_status, name); }
int cor_series_register(cor_sim *sim, const char *name, cor_series_kind kind, const char *summary_key,
                        cor_series_agg agg)
{
    return sim->initialised ? cor_series_lookup(&sim->series, name)
                            : cor_series_define(&sim->series, name, kind, summary_key, agg);
}
int cor_series_find(const cor_sim *sim, const char *name) { return cor_series_lookup(&sim->series, name); }

uint8_t cor_flag_register(cor_sim *sim, const char *name)
{
    int i = sim->initialised ? registry_find(sim->flag_names, sim->n_flags, name)
                             : registry_add(sim->flag_names, &sim->n_flags, COR_MAX_FLAGS, name);
    return i < 0 ? 0 : (uint8_t)(1u << i);
}
uint8_t cor_flag_find(const cor_sim *sim, const char *name)
{
    int i = registry_find(sim->flag_names, sim->n_flags, name);
    return i < 0 ? 0 : (uint8_t)(1u << i);
}
int cor_request_register(cor_sim *sim, const char *name)
{
    int i = sim->initialised ? registry_find(sim->request_names, sim->n_requests, name)
                             : registry_add(sim->request_names, &sim->n_requests, COR_MAX_REQUESTS, name);
    return i < 0 ? 0 : i + 1;
}
int cor_request_find(const cor_sim *sim, const char *name)
{
    int i = registry_find(sim->request_names, sim->n_requests, name);
    return i < 0 ? 0 : i + 1;
}
int cor_module_loaded(const cor_sim *sim, const char *name)
{
    for (int l = 0; l < sim->n_layers; l++)
        if (strcmp(sim->layers[l].rules->name, name) == 0)
            return 1;
    return 0;
}
int cor_streams_enable(cor_sim *sim)
{
    if (sim->stream_col > 0)
        return sim->stream_col;
    int col = cor_column_register(sim, "stream", sizeof(uint32_t));
    if (col < 0)
        return cor_sim_fail(sim, COR_ENOMEM, "cannot add the agent stream column"), -1;
    sim->stream_col = col + 1;
    return col;
}
static int largest_origin(const cor_sim *sim, int group, const char *only, const char *not)
{
    const cor_sc_population *p = &sim->sc->populations[group];
    int best = -1;
    for (int o = 0; o < p->n_origins; o++) {
        const char *c = sim->sc->places[p->origins[o].place].country;
        if ((only && (!c || strcmp(c, only) != 0)) || (not && c && strcmp(c, not) == 0))
            continue;
        if (best < 0 || p->origins[o].share > p->origins[best].share)
            best = o;
    }
    return best < 0 ? -1 : p->origins[best].place;
}

const char *cor_group_country(const cor_sim *sim, int group)
{
    const cor_sc_population *p = &sim->sc->populations[group];
    if (p->country)
        return p->country;
    int home = largest_origin(sim, group, NULL, NULL);
    return home >= 0 ? sim->sc->places[home].country : NULL;
}

int cor_group_is(const cor_sim *sim, int group, const char *country)
{
    const char *c = cor_group_country(sim, group);
    return c && strcmp(c, country) == 0;
}

int cor_home_place(const cor_sim *sim, int group)
{
    const char *cc = cor_group_country(sim, group);
    int home = cc ? largest_origin(sim, group, cc, NULL) : -1;
    if (home < 0 && !cor_group_is(sim, group, "MX"))
        home = largest_origin(sim, group, NULL, "MX"); /* foreigners are not "home" in Mexico */
    return home >= 0 ? home : largest_origin(sim, group, NULL, NULL);
}
int cor_lever_register(cor_sim *sim, const char *name) { return cor_levers_id(&sim->levers, name); }
int cor_column_register(cor_sim *sim, const char *name, size_t size)
{
    return sim->initialised ? -1 : cor_agents_add_column(&sim->agents, name, size);
}

/* ---------------------------------------------------------------- parameters */

const cor_sc_param *cor_param_find(cor_sim *sim, const char *name)
{
    const cor_sc_param *p = cor_sc_param_find(sim->sc, name);
    if (p && sim->param_used)
        sim->param_used[p - sim->sc->params] = 1;
    return p;
}

int cor_param(cor_sim *sim, const char *name, double *value)
{
    const cor_sc_param *p = cor_param_find(sim, name);
    if (!p)
        return 0;
    *value = p->value;
    return 1;
}

int cor_param_check(cor_sim *sim, const char *name, double v, double lo, double hi, unsigned how)
{
    if (isfinite(v) && ((how & COR_PARAM_OPEN_LO) ? v > lo : v >= lo) && v <= hi &&
        (!(how & COR_PARAM_WHOLE) || v == floor(v)))
        return 1;
    const cor_sc_param *p = cor_param_find(sim, name);
    const char *file = p ? p->pos.file : (sim->sc->n_files ? sim->sc->files[0] : "scenario");
    int line = p ? p->pos.line : 0;
    char want[96];
    const char *whole = (how & COR_PARAM_WHOLE) ? "a whole number " : "";
    if (isfinite(hi))
        snprintf(want, sizeof want, "%sin [%g, %g]", whole, lo, hi);
    else
        snprintf(want, sizeof want, "%s%s %g", whole, (how & COR_PARAM_OPEN_LO) ? ">" : ">=", lo);
    cor_sim_fail(sim, COR_EINPUT, "%s:%d: parameters.%s.value: must be %s (got %g)", file, line, name, want, v);
    return 0;
}

int cor_param_in(cor_sim *sim, const char *name, const char *needed_by, double lo, double hi, unsigned how, double *v)
{
    return cor_param_require(sim, name, needed_by, v) && cor_param_check(sim, name, *v, lo, hi, how);
}

int cor_sim_unused_params(const cor_sim *sim, int i, const char **name, const char **file, int *line)
{
    for (int k = 0, n = 0; sim->param_used && k < sim->sc->n_params; k++)
        if (!sim->param_used[k] && n++ == i) {
            const cor_sc_param *p = &sim->sc->params[k];
            *name = p->name, *file = p->pos.file, *line = p->pos.line;
            return 1;
        }
    return 0;
}

int cor_param_require(cor_sim *sim, const char *name, const char *needed_by, double *value)
{
    if (cor_param(sim, name, value))
        return 1;
    const char *file = sim->sc->n_files > 0 ? sim->sc->files[0] : "scenario";
    cor_sim_fail(sim, COR_EINPUT, "%s: parameters: '%s' is not defined (needed by %s)", file, name, needed_by);
    return 0;
}

int cor_lever_write(cor_sim *sim, int lever, double value, int32_t from, const cor_scope *scope)
{
    if (sim->phase_parallel)
        return cor_sim_fail(sim, COR_ESTATE, "levers may only be written from sequential hooks");
    /* the past cannot change; once today's levers are refreshed (from the
     * lever_changed hooks on), the earliest is tomorrow */
    int32_t earliest = sim->levers_day == sim->today ? sim->today + 1 : sim->today;
    if (from < earliest)
        from = earliest;
    if (cor_levers_write(&sim->levers, lever, value, from, scope))
        return cor_sim_fail(sim, COR_ENOMEM, "out of memory writing lever %s", sim->levers.names[lever]);
    return COR_OK;
}

/* ---------------------------------------------------------------- set-up */

static int init_ctx(cor_sim *sim, cor_ctx *c, int tid, int sequential)
{
    memset(c, 0, sizeof *c);
    c->sim = sim;
    c->tid = tid;
    c->sequential = sequential;
    size_t nd = (size_t)sim->net.n_places * (size_t)sim->n_status;
    size_t nf = (size_t)(sim->series.n ? sim->series.n : 1) * (size_t)sim->series.cells;
    c->delta = sequential ? NULL : calloc(nd + 1, sizeof *c->delta);
    c->counts = sequential ? sim->count : c->delta;
    c->flows = calloc(nf + 1, sizeof *c->flows);
    return (!sequential && !c->delta) || !c->flows ? -1 : 0;
}

static double expected_agents(const cor_sim *sim)
{
    const cor_scenario *sc = sim->sc;
    double people = 0;
    int m0 = cor_month_of_day(sc->start), m1 = cor_month_of_day(sc->end);
    for (int g = 0; g < sc->n_populations; g++) {
        const cor_sc_population *p = &sc->populations[g];
        for (int m = 0; m < p->n_months; m++) {
            int month = p->demand_month0 + m;
            if (month < m0 || month > m1)
                continue;
            for (int d = 0; d < COR_N_DEMOS; d++)
                people += p->demand[m * COR_N_DEMOS + d];
        }
    }
    return people / sim->scale;
}

int cor_sim_init(cor_sim *sim, const cor_scenario *sc, const cor_options *opt)
{
    if (sim->initialised)
        return cor_sim_fail(sim, COR_ESTATE, "cor_sim_init called twice");
    if (!sc)
        return cor_sim_fail(sim, COR_EARG, "no scenario");
    sim->sc = sc;
    if (opt)
        sim->opt = *opt;
    sim->rng.seed = sim->opt.has_seed ? sim->opt.seed : sc->seed;
    sim->rng.run = sim->opt.run;
    sim->scale = sim->opt.scale > 0 ? sim->opt.scale : sc->scale;
    if (!(sim->scale > 0) || !isfinite(sim->scale))
        return cor_sim_fail(sim, COR_EARG, "scale must be a positive number of people per agent");
    sim->threads = sim->opt.threads > 0 ? sim->opt.threads : 1;
    if (sim->threads > 1024)
        return cor_sim_fail(sim, COR_EARG, "at most 1024 threads");
    if (sim->par_min <= 0)
        sim->par_min = 4096;
    sim->n_groups = sc->n_populations;
    if (sim->n_groups > 255)
        return cor_sim_fail(sim, COR_EINPUT, "%s: populations: at most 255 groups", sc->files[0]);

    char err[1024];
    if (cor_network_build(&sim->net, sc, err, sizeof err))
        return cor_sim_fail(sim, COR_EINPUT, "%s", err);
    if (!(sim->param_used = calloc((size_t)sc->n_params + 1, 1)))
        return cor_sim_fail(sim, COR_ENOMEM, "out of memory");
    for (int i = 0; i < sc->n_links; i++) { /* the network read these */
        char name[64];
        snprintf(name, sizeof name, "speed_%s", cor_mode_names[sc->links[i].mode]);
        cor_param_find(sim, name);
        if (sc->links[i].km < 0) {
            snprintf(name, sizeof name, "detour_%s", cor_mode_names[sc->links[i].mode]);
            cor_param_find(sim, name);
        }
    }
    if (cor_agents_init(&sim->agents, 1024))
        return cor_sim_fail(sim, COR_ENOMEM, "out of memory");
    if (cor_status_register(sim, "travelling", 0) != COR_ST_TRAVELLING ||
        cor_status_register(sim, "waiting", 0) != COR_ST_WAITING)
        return cor_sim_fail(sim, COR_ENOMEM, "out of memory");

    /* layer 0: the base rule set; then meta.modules in canonical order;
     * then any layers added by the caller (tests) */
    const char *rules_name = sc->rules ? sc->rules : "corridor";
    const cor_rules *base = cor_rules_find(rules_name);
    if (!base || cor_rules_rank(rules_name) != 0)
        return cor_sim_fail(sim, COR_EINPUT, "%s:%d: meta.rules: unknown rule set '%s' (known: corridor)",
                            sc->rules_pos.file ? sc->rules_pos.file : sc->files[0], sc->rules_pos.line, rules_name);
    int n_extra = sim->n_layers;
    cor_layer extra[COR_MAX_LAYERS];
    memcpy(extra, sim->layers, sizeof extra[0] * (size_t)n_extra);
    sim->n_layers = 0;
    sim->layers[sim->n_layers++] = (cor_layer){base, NULL};
    int rank_seen[COR_MAX_LAYERS] = {0};
    for (int i = 0; i < sc->n_modules; i++) {
        int rank = cor_rules_rank(sc->modules[i]);
        const char *file = sc->modules_pos.file ? sc->modules_pos.file : sc->files[0];
        if (rank <= 0)
            return cor_sim_fail(sim, COR_EINPUT, "%s:%d: meta.modules[%d]: unknown module '%s' (known: %s)", file,
                                sc->module_lines ? sc->module_lines[i] : sc->modules_pos.line, i, sc->modules[i],
                                cor_rules_names() + strlen("corridor "));
        if (rank < COR_MAX_LAYERS && rank_seen[rank]++)
            return cor_sim_fail(sim, COR_EINPUT, "%s:%d: meta.modules[%d]: module '%s' is listed twice", file,
                                sc->module_lines ? sc->module_lines[i] : sc->modules_pos.line, i, sc->modules[i]);
    }
    for (int rank = 1; rank < COR_MAX_LAYERS; rank++)
        if (rank_seen[rank])
            for (int i = 0; i < sc->n_modules; i++)
                if (cor_rules_rank(sc->modules[i]) == rank)
                    sim->layers[sim->n_layers++] = (cor_layer){cor_rules_find(sc->modules[i]), NULL};
    if (sim->n_layers + n_extra > COR_MAX_LAYERS)
        return cor_sim_fail(sim, COR_EARG, "too many rule layers");
    memcpy(&sim->layers[sim->n_layers], extra, sizeof extra[0] * (size_t)n_extra);
    sim->n_layers += n_extra;
    for (int l = 0; l < sim->n_layers; l++) {
        const cor_rules *r = sim->layers[l].rules;
        if (r->setup) {
            int rc = r->setup(sim, &sim->layers[l].state);
            if (rc != COR_OK)
                return rc;
        }
    }
    sim->top_decide = sim->top_arrive = -1;
    for (int l = 0; l < sim->n_layers; l++) {
        if (sim->layers[l].rules->decide)
            sim->top_decide = l;
        if (sim->layers[l].rules->arrive)
            sim->top_arrive = l;
        if (sim->layers[l].rules->observe)
            sim->has_observers = 1;
    }
    if (cor_series_finalize(&sim->series, sim->net.n_places, sim->n_groups))
        return cor_sim_fail(sim, COR_ENOMEM, "out of memory");
    if (cor_levers_load(&sim->levers, sc, err, sizeof err))
        return cor_sim_fail(sim, COR_EINPUT, "%s", err);

    /* counters, contexts, schedule, results */
    int P = sim->net.n_places, S = sim->n_status;
    sim->count = calloc((size_t)P * (size_t)S + 1, sizeof *sim->count);
    sim->route_start = calloc((size_t)P * (size_t)sim->n_groups * COR_N_DEMOS + 1, sizeof *sim->route_start);
    sim->ctx = aligned_alloc(64, sizeof *sim->ctx * (size_t)sim->threads);
    if (sim->ctx)
        memset(sim->ctx, 0, sizeof *sim->ctx * (size_t)sim->threads);
    if (!sim->count || !sim->route_start || !sim->ctx)
        return cor_sim_fail(sim, COR_ENOMEM, "out of memory");
    for (int t = 0; t < sim->threads; t++)
        if (init_ctx(sim, &sim->ctx[t], t, 0))
            return cor_sim_fail(sim, COR_ENOMEM, "out of memory");
    if (init_ctx(sim, &sim->seq, 0, 1))
        return cor_sim_fail(sim, COR_ENOMEM, "out of memory");
    if (cor_schedule_init(&sim->sched, sc->start, sc->end))
        return cor_sim_fail(sim, COR_ENOMEM, "out of memory");
    sim->month0 = cor_month_of_day(sc->start);
    sim->n_months = cor_month_of_day(sc->end) - sim->month0 + 1;
    sim->stocks = calloc((size_t)sim->n_months * (size_t)P * (size_t)S + 1, sizeof *sim->stocks);
    if (!sim->stocks)
        return cor_sim_fail(sim, COR_ENOMEM, "out of memory");
    double expect = expected_agents(sim);
    if (expect > 4.0e9)
        return cor_sim_fail(sim, COR_EARG,
                            "about %.3g agents would be needed (more than 4 billion): use a larger --scale", expect);
    if (cor_agents_reserve(&sim->agents, (int64_t)(expect * 1.05) + 1024))
        return cor_sim_fail(sim, COR_ENOMEM, "out of memory reserving %.0f agents", expect);
    sim->today = sc->start;
    sim->levers_day = sc->start - 1;
    sim->initialised = 1;
    return COR_OK;
}

/* ---------------------------------------------------------------- queries */

int32_t cor_sim_today(const cor_sim *sim) { return sim->today; }
int cor_sim_done(const cor_sim *sim) { return sim->initialised && sim->today > sim->sc->end; }
int cor_sim_n_statuses(const cor_sim *sim) { return sim->n_status; }
const char *cor_sim_status_name(const cor_sim *sim, int s)
{
    return s >= 0 && s < sim->n_status ? sim->status_names[s] : NULL;
}
int cor_sim_n_places(const cor_sim *sim) { return sim->net.n_places; }
const char *cor_sim_place_id(const cor_sim *sim, int p)
{
    return p >= 0 && p < sim->net.n_places ? sim->sc->places[p].id : NULL;
}
int64_t cor_sim_agents_spawned(const cor_sim *sim) { return sim->spawned; }
int64_t cor_sim_agents_in_status(const cor_sim *sim, int s)
{
    int64_t n = 0;
    if (s < 0 || s >= sim->n_status)
        return 0;
    for (int p = 0; p < sim->net.n_places; p++)
        n += cor_count(sim, p, s);
    return n;
}
int64_t cor_sim_agents_at(const cor_sim *sim, int p, int s)
{
    return p >= 0 && p < sim->net.n_places && s >= 0 && s < sim->n_status ? cor_count(sim, p, s) : 0;
}
double cor_sim_scale(const cor_sim *sim) { return sim->scale; }
void cor_sim_perf(const cor_sim *sim, cor_perf *out) { *out = sim->perf; }

int cor_sim_series_id(const cor_sim *sim, const char *name) { return cor_series_lookup(&sim->series, name); }
int cor_sim_n_series(const cor_sim *sim) { return sim->series.n; }
const char *cor_sim_series_name(const cor_sim *sim, int s)
{
    return s >= 0 && s < sim->series.n ? sim->series.defs[s].name : NULL;
}

double cor_sim_series_value(const cor_sim *sim, int s, int place, int month)
{
    double v = 0;
    for (int64_t i = 0; i < sim->series.n_rec; i++) {
        const cor_series_rec *r = &sim->series.rec[i];
        if (r->series == s && (place < 0 || r->place == place) && (month < 0 || r->month == month))
            v += r->value;
    }
    return v;
}

int64_t cor_sim_n_records(const cor_sim *sim) { return sim->series.n_rec; }

int cor_sim_record(const cor_sim *sim, int64_t i, int *month, int *series, int *place, int *group, int *demo,
                   double *value)
{
    if (i < 0 || i >= sim->series.n_rec)
        return COR_EARG;
    const cor_series_rec *r = &sim->series.rec[i];
    *month = r->month, *series = r->series, *place = r->place, *group = r->group, *demo = r->demo;
    *value = r->value;
    return COR_OK;
}

int cor_sim_n_groups(const cor_sim *sim) { return sim->n_groups; }
const char *cor_sim_group_id(const cor_sim *sim, int g)
{
    return g >= 0 && g < sim->n_groups ? sim->sc->populations[g].id : NULL;
}
const char *cor_demo_name(int d) { return d >= 0 && d < COR_N_DEMOS ? cor_demo_names[d] : NULL; }

int cor_sim_summary(const cor_sim *sim, const char *key, int year, double *out)
{
    int m0 = sim->month0, m1 = sim->month0 + sim->n_months - 1;
    if (year) {
        if (year * 12 > m1 || year * 12 + 11 < m0)
            return COR_EARG;
        m0 = year * 12 > m0 ? year * 12 : m0;
        m1 = year * 12 + 11 < m1 ? year * 12 + 11 : m1;
    }
    *out = 0;
    int found = 0;
    for (int s = 0; s < sim->series.n; s++)
        if (sim->series.defs[s].key && strcmp(sim->series.defs[s].key, key) == 0) {
            *out += cor_series_aggregate(&sim->series, s, m0, m1);
            found = 1;
        }
    return found ? COR_OK : COR_EARG;
}

const char *cor_sim_place_name(const cor_sim *sim, int p)
{
    return p >= 0 && p < sim->net.n_places ? sim->sc->places[p].name : NULL;
}
const char *cor_sim_place_kind(const cor_sim *sim, int p)
{
    return p >= 0 && p < sim->net.n_places ? cor_kind_names[sim->net.kind[p]] : NULL;
}
int cor_sim_first_month(const cor_sim *sim) { return sim->month0; }
int cor_sim_n_months(const cor_sim *sim) { return sim->n_months; }
int64_t cor_sim_agents_at_month_end(const cor_sim *sim, int p, int s, int month)
{
    int m = month - sim->month0;
    if (p < 0 || p >= sim->net.n_places || s < 0 || s >= sim->n_status || m < 0 || m >= sim->n_months)
        return 0;
    return sim->stocks[((int64_t)m * sim->net.n_places + p) * sim->n_status + s];
}

