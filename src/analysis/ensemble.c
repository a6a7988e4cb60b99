/* ensemble.c - run plans, parameter draws, results (and their wire format)
 * and the worker that runs one ensemble run.  The executor that spreads runs
 * over threads is ensemble_exec.c; MPI is ensemble_mpi.c. */
#include "analysis/ensemble.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <Random123/philox.h>

#include "scenario/scenario.h"

/* ---------------------------------------------------------------- plan */

int cor_ens_plan_add_vary(cor_ens_plan *plan, const char *arg, char *err, size_t errlen)
{
    const char *eq = strchr(arg, '='), *colon = eq ? strchr(eq + 1, ':') : NULL;
    if (!eq || !colon || eq == arg) {
        snprintf(err, errlen, "--vary '%s': expected NAME=LO:HI", arg);
        return COR_EARG;
    }
    size_t nlen = (size_t)(eq - arg);
    if (nlen >= COR_ENS_NAME_MAX) {
        snprintf(err, errlen, "--vary '%s': the name is longer than %d characters", arg, COR_ENS_NAME_MAX - 1);
        return COR_EARG;
    }
    char num[2][64];
    size_t l0 = (size_t)(colon - eq - 1), l1 = strlen(colon + 1);
    if (l0 == 0 || l1 == 0 || l0 >= sizeof num[0] || l1 >= sizeof num[1]) {
        snprintf(err, errlen, "--vary '%s': expected NAME=LO:HI", arg);
        return COR_EARG;
    }
    memcpy(num[0], eq + 1, l0), num[0][l0] = 0;
    memcpy(num[1], colon + 1, l1 + 1);
    double v[2];
    for (int i = 0; i < 2; i++) {
        char *end;
        errno = 0;
        v[i] = strtod(num[i], &end);
        if (errno || *end || !isfinite(v[i])) {
            snprintf(err, errlen, "--vary '%s': '%s' is not a finite number", arg, num[i]);
            return COR_EARG;
        }
    }
    if (v[0] > v[1]) {
        snprintf(err, errlen, "--vary '%s': LO is above HI", arg);
        return COR_EARG;
    }
    char name[COR_ENS_NAME_MAX];
    memcpy(name, arg, nlen), name[nlen] = 0;
    int at = 0;
    while (at < plan->n_vary && strcmp(plan->vary[at].name, name) < 0)
        at++;
    if (at < plan->n_vary && strcmp(plan->vary[at].name, name) == 0) {
        snprintf(err, errlen, "--vary '%s': %s is already varied", arg, name);
        return COR_EARG;
    }
    if (plan->n_vary >= COR_ENS_MAX_VARY) {
        snprintf(err, errlen, "--vary '%s': at most %d parameters can vary", arg, COR_ENS_MAX_VARY);
        return COR_EARG;
    }
    memmove(&plan->vary[at + 1], &plan->vary[at], (size_t)(plan->n_vary - at) * sizeof plan->vary[0]);
    memcpy(plan->vary[at].name, name, nlen + 1);
    plan->vary[at].lo = v[0];
    plan->vary[at].hi = v[1];
    plan->n_vary++;
    return COR_OK;
}

void cor_ens_vary_spec(const cor_ens_plan *plan, char *out, size_t n)
{
    size_t at = 0;
    if (n)
        out[0] = 0;
    for (int i = 0; i < plan->n_vary && at < n; i++) {
        int w = snprintf(out + at, n - at, "%s%s=%.17g:%.17g", i ? "," : "", plan->vary[i].name, plan->vary[i].lo,
                         plan->vary[i].hi);
        if (w < 0)
            break;
        at += (size_t)w;
    }
}

/* --------------------------------------------------------------- draws */

uint32_t cor_ens_fnv1a32(const char *s)
{
    uint32_t h = 2166136261u;
    for (; *s; s++) {
        h ^= (unsigned char)*s;
        h *= 16777619u;
    }
    return h;
}

double cor_ens_u01(uint64_t seed, uint32_t run, const char *name)
{
    philox2x64_ctr_t c = {{(uint64_t)run << 32 | cor_ens_fnv1a32(name), (uint64_t)0xFFFF << 16}};
    philox2x64_key_t k = {{seed}};
    philox2x64_ctr_t o = philox2x64(c, k);
    return (double)(o.v[0] >> 11) * 0x1.0p-53;
}

double cor_ens_draw(uint64_t seed, uint32_t run, const cor_ens_vary *v)
{
    return v->lo + cor_ens_u01(seed, run, v->name) * (v->hi - v->lo);
}

void cor_ens_scenario_hash(const cor_scenario *sc, char out[33])
{
    snprintf(out, 33, "%016llx%016llx", (unsigned long long)sc->hash_hi, (unsigned long long)sc->hash_lo);
}

/* ------------------------------------------------------------- results */

void cor_ens_result_free(cor_ens_result *r)
{
    if (!r)
        return;
    free(r->vary_names);
    free(r->vary_values);
    free(r->series_names); /* one block for the four tables */
    free(r->names);
    free(r->rec);
    free(r);
}

/* Point the four name tables into r->names (n_* already set). */
static int index_names(cor_ens_result *r)
{
    int total = r->n_series + r->n_places + r->n_groups + r->n_demos;
    const char **t = malloc((size_t)(total > 0 ? total : 1) * sizeof *t);
    if (!t)
        return COR_ENOMEM;
    r->series_names = t;
    r->place_ids = t + r->n_series;
    r->group_ids = r->place_ids + r->n_places;
    r->demo_names = r->group_ids + r->n_groups;
    size_t at = 0;
    for (int i = 0; i < total; i++) {
        const char *end = at < r->names_len ? memchr(r->names + at, 0, r->names_len - at) : NULL;
        if (!end)
            return COR_EINPUT;
        t[i] = r->names + at;
        at = (size_t)(end - r->names) + 1;
    }
    return at == r->names_len ? COR_OK : COR_EINPUT;
}

/* Wire format: a fixed header, then vary names and values, the name block,
 * the records; every field in native representation. */
typedef struct {
    uint32_t magic, run;
    uint64_t seed;
    double scale, runtime_s;
    int64_t started, finished, n_rec;
    uint64_t names_len;
    int32_t n_vary, n_series, n_places, n_groups, n_demos, pad;
    char scenario_hash[40];
} wire_head;
#define WIRE_MAGIC 0x434f5245u /* "CORE" */

int cor_ens_result_pack(const cor_ens_result *r, unsigned char **buf, size_t *len)
{
    wire_head h;
    memset(&h, 0, sizeof h);
    h.magic = WIRE_MAGIC, h.run = r->run, h.seed = r->seed, h.scale = r->scale, h.runtime_s = r->runtime_s;
    h.started = r->started, h.finished = r->finished, h.n_rec = r->n_rec, h.names_len = r->names_len;
    h.n_vary = r->n_vary, h.n_series = r->n_series, h.n_places = r->n_places, h.n_groups = r->n_groups;
    h.n_demos = r->n_demos;
    memcpy(h.scenario_hash, r->scenario_hash, sizeof r->scenario_hash);
    size_t nv = (size_t)r->n_vary;
    size_t n = sizeof h + nv * (COR_ENS_NAME_MAX + sizeof(double)) + r->names_len + (size_t)r->n_rec * sizeof(cor_ens_rec);
    unsigned char *b = malloc(n), *p = b;
    if (!b)
        return COR_ENOMEM;
    memcpy(p, &h, sizeof h), p += sizeof h;
    if (nv) {
        memcpy(p, r->vary_names, nv * COR_ENS_NAME_MAX), p += nv * COR_ENS_NAME_MAX;
        memcpy(p, r->vary_values, nv * sizeof(double)), p += nv * sizeof(double);
    }
    if (r->names_len)
        memcpy(p, r->names, r->names_len), p += r->names_len;
    if (r->n_rec)
        memcpy(p, r->rec, (size_t)r->n_rec * sizeof(cor_ens_rec));
    *buf = b;
    *len = n;
    return COR_OK;
}

int cor_ens_result_unpack(const unsigned char *buf, size_t len, cor_ens_result **out)
{
    *out = NULL;
    wire_head h;
    if (len < sizeof h)
        return COR_EINPUT;
    memcpy(&h, buf, sizeof h);
    if (h.magic != WIRE_MAGIC || h.n_vary < 0 || h.n_vary > COR_ENS_MAX_VARY || h.n_rec < 0 || h.n_series < 0 ||
        h.n_places < 0 || h.n_groups < 0 || h.n_demos < 0 || h.scenario_hash[32] != 0)
        return COR_EINPUT;
    size_t nv = (size_t)h.n_vary, rest = len - sizeof h;
    size_t need_v = nv * (COR_ENS_NAME_MAX + sizeof(double));
    if (rest < need_v || rest - need_v < h.names_len ||
        (rest - need_v - h.names_len) != (uint64_t)h.n_rec * sizeof(cor_ens_rec))
        return COR_EINPUT;
    cor_ens_result *r = calloc(1, sizeof *r);
    if (!r)
        return COR_ENOMEM;
    r->run = h.run, r->seed = h.seed, r->scale = h.scale, r->runtime_s = h.runtime_s;
    r->started = h.started, r->finished = h.finished, r->n_rec = h.n_rec, r->names_len = (size_t)h.names_len;
    r->n_vary = h.n_vary, r->n_series = h.n_series, r->n_places = h.n_places, r->n_groups = h.n_groups;
    r->n_demos = h.n_demos;
    memcpy(r->scenario_hash, h.scenario_hash, sizeof r->scenario_hash);
    const unsigned char *p = buf + sizeof h;
    int rc = COR_ENOMEM;
    r->vary_names = malloc(nv ? nv * COR_ENS_NAME_MAX : 1);
    r->vary_values = malloc(nv ? nv * sizeof(double) : 1);
    r->names = malloc(r->names_len ? r->names_len : 1);
    r->rec = malloc(r->n_rec ? (size_t)r->n_rec * sizeof(cor_ens_rec) : 1);
    if (r->vary_names && r->vary_values && r->names && r->rec) {
        memcpy(r->vary_names, p, nv * COR_ENS_NAME_MAX), p += nv * COR_ENS_NAME_MAX;
        memcpy(r->vary_values, p, nv * sizeof(double)), p += nv * sizeof(double);
        memcpy(r->names, p, r->names_len), p += r->names_len;
        memcpy(r->rec, p, (size_t)r->n_rec * sizeof(cor_ens_rec));
        rc = index_names(r);
        for (size_t i = 0; rc == COR_OK && i < nv; i++)
            if (!memchr(r->vary_names[i], 0, COR_ENS_NAME_MAX))
                rc = COR_EINPUT;
    }
    if (rc != COR_OK) {
        cor_ens_result_free(r);
        return rc;
    }
    *out = r;
    return COR_OK;
}

/* ------------------------------------------------------------- workers */

struct cor_ens_worker {
    const cor_ens_plan *plan;
    cor_scenario *sc;
    uint64_t seed;
    char hash[33];
    char errmsg[1024];
};

static int wfail(cor_ens_worker *w, int code, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;
static int wfail(cor_ens_worker *w, int code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(w->errmsg, sizeof w->errmsg, fmt, ap);
    va_end(ap);
    return code;
}

int cor_ens_worker_new(const cor_ens_plan *plan, cor_ens_worker **out)
{
    cor_ens_worker *w = calloc(1, sizeof *w);
    *out = w;
    if (!w)
        return COR_ENOMEM;
    w->plan = plan;
    int rc = cor_scenario_load(plan->scenario, &w->sc);
    if (rc == COR_OK && plan->params)
        rc = cor_scenario_overlay(w->sc, plan->params);
    if (rc != COR_OK)
        return wfail(w, rc, "%s", w->sc ? cor_scenario_errmsg(w->sc) : "out of memory");
    for (int i = 0; i < plan->n_vary; i++)
        if (cor_scenario_set_param(w->sc, plan->vary[i].name, plan->vary[i].lo) != COR_OK)
            return wfail(w, COR_EARG, "--vary %s: %s has no parameter of that name", plan->vary[i].name,
                         plan->scenario);
    w->seed = plan->has_seed ? plan->seed : cor_scenario_seed(w->sc);
    cor_ens_scenario_hash(w->sc, w->hash);
    return COR_OK;
}

const char *cor_ens_worker_errmsg(const cor_ens_worker *w) { return w ? w->errmsg : "out of memory"; }
const char *cor_ens_worker_hash(const cor_ens_worker *w) { return w->hash; }
uint64_t cor_ens_worker_seed(const cor_ens_worker *w) { return w->seed; }

void cor_ens_worker_free(cor_ens_worker *w)
{
    if (!w)
        return;
    cor_scenario_free(w->sc);
    free(w);
}

static double mono_now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

/* Copy the sim's name tables into r. */
static int collect_names(const cor_sim *sim, cor_ens_result *r)
{
    r->n_series = cor_sim_n_series(sim);
    r->n_places = cor_sim_n_places(sim);
    r->n_groups = cor_sim_n_groups(sim);
    r->n_demos = 0;
    while (cor_demo_name(r->n_demos))
        r->n_demos++;
    size_t n = 0;
    for (int pass = 0; pass < 2; pass++) {
        size_t at = 0;
        for (int t = 0; t < 4; t++) {
            int cnt = t == 0 ? r->n_series : t == 1 ? r->n_places : t == 2 ? r->n_groups : r->n_demos;
            for (int i = 0; i < cnt; i++) {
                const char *s = t == 0   ? cor_sim_series_name(sim, i)
                                : t == 1 ? cor_sim_place_id(sim, i)
                                : t == 2 ? cor_sim_group_id(sim, i)
                                         : cor_demo_name(i);
                size_t l = strlen(s ? s : "") + 1;
                if (pass)
                    memcpy(r->names + at, s ? s : "", l);
                at += l;
            }
        }
        if (!pass) {
            n = at;
            if (!(r->names = malloc(n ? n : 1)))
                return COR_ENOMEM;
        }
    }
    r->names_len = n;
    return index_names(r);
}

int cor_ens_worker_run(cor_ens_worker *w, uint32_t run, cor_ens_result **out)
{
    *out = NULL;
    const cor_ens_plan *plan = w->plan;
    double t0 = mono_now();
    cor_ens_result *r = calloc(1, sizeof *r);
    if (!r)
        return wfail(w, COR_ENOMEM, "run %u: out of memory", run);
    r->started = (int64_t)time(NULL);
    r->run = run;
    r->seed = w->seed;
    r->n_vary = plan->n_vary;
    memcpy(r->scenario_hash, w->hash, sizeof r->scenario_hash);
    r->vary_names = calloc(plan->n_vary ? (size_t)plan->n_vary : 1, COR_ENS_NAME_MAX);
    r->vary_values = calloc(plan->n_vary ? (size_t)plan->n_vary : 1, sizeof(double));
    if (!r->vary_names || !r->vary_values) {
        cor_ens_result_free(r);
        return wfail(w, COR_ENOMEM, "run %u: out of memory", run);
    }
    for (int i = 0; i < plan->n_vary; i++) {
        r->vary_values[i] = cor_ens_draw(w->seed, run, &plan->vary[i]);
        memcpy(r->vary_names[i], plan->vary[i].name, COR_ENS_NAME_MAX);
        cor_scenario_set_param(w->sc, plan->vary[i].name, r->vary_values[i]);
    }
    cor_options opt = {.seed = w->seed, .has_seed = 1, .scale = plan->scale, .threads = 1, .run = run};
    cor_sim *sim = cor_sim_new();
    int rc = sim ? cor_sim_init(sim, w->sc, &opt) : COR_ENOMEM;
    if (rc == COR_OK)
        rc = cor_sim_run(sim);
    if (rc == COR_OK)
        rc = collect_names(sim, r);
    if (rc == COR_OK) {
        r->scale = cor_sim_scale(sim);
        r->n_rec = cor_sim_n_records(sim);
        r->rec = malloc(r->n_rec ? (size_t)r->n_rec * sizeof *r->rec : 1);
        if (!r->rec)
            rc = COR_ENOMEM;
        for (int64_t i = 0; rc == COR_OK && i < r->n_rec; i++) {
            int m, s, p, g, d;
            cor_sim_record(sim, i, &m, &s, &p, &g, &d, &r->rec[i].value);
            r->rec[i].month = m, r->rec[i].series = s, r->rec[i].place = p, r->rec[i].group = g, r->rec[i].demo = d;
        }
    }
    if (rc != COR_OK) {
        wfail(w, rc, "run %u: %s", run, !sim ? "out of memory" : rc == COR_ENOMEM ? "out of memory" : cor_sim_errmsg(sim));
        cor_sim_free(sim);
        cor_ens_result_free(r);
        return rc;
    }
    cor_sim_free(sim);
    r->finished = (int64_t)time(NULL);
    r->runtime_s = mono_now() - t0;
    *out = r;
    return COR_OK;
}

int cor_ens_mpi_env_size(void)
{
    static const char *const vars[] = {"OMPI_COMM_WORLD_SIZE", "PMIX_SIZE", "PMI_SIZE"};
    for (size_t i = 0; i < sizeof vars / sizeof *vars; i++) {
        const char *v = getenv(vars[i]);
        if (v && *v) {
            char *end;
            long n = strtol(v, &end, 10);
            if (!*end && n > 0 && n < 1 << 20)
                return (int)n;
        }
    }
    return 0;
}
