/* hindcast.c - `corredor hindcast`: re-derive, calibrate, extrapolate,
 * forecast and score (analysis/hindcast.h, docs/VALIDATION.md "Hindcasts"). */
#define _XOPEN_SOURCE 700
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <xxhash.h>

#ifdef _OPENMP
#include <omp.h>
#endif

#include "analysis/ensemble.h"
#include "analysis/hindcast.h"
#include "analysis/observed.h"
#include "scenario/scenario.h"

static int hfail(cor_hindcast *h, int rc, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;
static int hfail(cor_hindcast *h, int rc, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(h->errmsg, sizeof h->errmsg, fmt, ap);
    va_end(ap);
    return rc;
}

static void hprogress(const cor_hindcast *h, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;
static void hprogress(const cor_hindcast *h, const char *fmt, ...)
{
    if (!h->opt.progress)
        return;
    char buf[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    h->opt.progress(h->opt.progress_ctx, buf);
}

static double wall(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* XXH3-128 of a file's bytes; "" when it cannot be read. */
static void hash_file(const char *path, char out[33])
{
    out[0] = '\0';
    FILE *f = fopen(path, "rb");
    if (!f)
        return;
    XXH3_state_t *st = XXH3_createState();
    if (st && XXH3_128bits_reset(st) == XXH_OK) {
        char buf[65536];
        size_t n;
        int ok = 1;
        while ((n = fread(buf, 1, sizeof buf, f)) > 0)
            ok &= XXH3_128bits_update(st, buf, n) == XXH_OK;
        if (ok && !ferror(f)) {
            XXH128_hash_t d = XXH3_128bits_digest(st);
            snprintf(out, 33, "%016llx%016llx", (unsigned long long)d.high64, (unsigned long long)d.low64);
        }
    }
    XXH3_freeState(st);
    fclose(f);
}

static const char *const data_files[] = {
    "ohss_usbp_sw_monthly_by_citizenship_group_fy2000_fy2025.csv",
    "ohss_usbp_encounters_monthly_by_region_citizenship_fy2000_fy2025.csv",
    "ohss_usbp_encounters_monthly_by_region_family_status_fy2000_fy2025.csv",
    "cbp_sw_land_border_encounters_fy2020_fy2023_by_state_title_citizenship_allcomponents.csv",
    "cbp_sw_land_border_encounters_fy2022_fy2025aug_by_component_title_citizenship.csv",
    "mexico_upm_inm_enforcement_by_nationality_as_reported.csv",
    COR_OBS_F_TOTAL,
};

/* ------------------------------------------------------------ step 1 */

/* Derive the prior demand cut at train_until and write the overlay
 * work_dir/prior.yaml with work_dir/prior-demand/<group>.csv. */
static int derive_prior(cor_hindcast *h, const cor_scenario *sc, const char *overlay)
{
    const cor_hc_options *o = &h->opt;
    cor_scenario *frag = NULL;
    int rc = cor_scenario_load_fragment(o->derivation, &frag);
    if (rc != COR_OK) {
        rc = hfail(h, rc, "%s", frag ? cor_scenario_errmsg(frag) : "out of memory");
        cor_scenario_free(frag);
        return rc;
    }
    cor_demand_params p;
    rc = cor_demand_params_from_scenario(frag, &p, h->errmsg, sizeof h->errmsg);
    cor_scenario_free(frag);
    if (rc != COR_OK)
        return rc;
    cor_demand *d = cor_demand_new();
    if (!d)
        return hfail(h, COR_ENOMEM, "out of memory");
    cor_demand_stop_estimate est[COR_DG_N];
    double pooled = -1;
    rc = cor_demand_estimate_stopped(d, o->data_dir, o->train_until, est, &pooled);
    if (rc != COR_OK) {
        rc = hfail(h, rc, "%s", d->errmsg);
        cor_demand_free(d);
        return rc;
    }
    int from[COR_DG_N];
    for (int g = 0; g < COR_DG_N; g++) {
        from[g] = 2;
        if (g == COR_DG_MEXICO)
            continue; /* 0 by definition (docs/DEMAND.md) */
        if (est[g].share >= 0)
            p.stopped_share[g] = est[g].share, from[g] = 0;
        else if (pooled >= 0)
            p.stopped_share[g] = pooled, from[g] = 1;
    }
    cor_demand_options dopt = {.until = o->train_until};
    char ddir[PATH_MAX];
    snprintf(ddir, sizeof ddir, "%s/prior-demand", o->work_dir);
    rc = cor_demand_derive(d, o->data_dir, &p, &dopt);
    if (rc == COR_OK)
        rc = cor_demand_write(d, ddir);
    if (rc != COR_OK) {
        rc = hfail(h, rc, "%s", d->errmsg);
        cor_demand_free(d);
        return rc;
    }
    cor_demand_free(d);
    for (int g = 0; g < h->n_groups; g++)
        for (int k = 0; k < COR_DG_N; k++)
            if (strcmp(h->groups[g].id, cor_demand_group_ids[k]) == 0) {
                h->groups[g].stopped_share = p.stopped_share[k];
                h->groups[g].stopped_from = from[k];
            }

    char abs[PATH_MAX], tmp[PATH_MAX + 8], name[600], end[11], mu[8];
    if (!realpath(h->scenario_path, abs))
        return hfail(h, COR_EIO, "%s: %s", h->scenario_path, strerror(errno));
    if (strchr(abs, '"') || strchr(abs, '\\'))
        return hfail(h, COR_EARG, "%s: scenario paths with quotes or backslashes are not supported", abs);
    snprintf(tmp, sizeof tmp, "%s.tmp", overlay);
    FILE *f = fopen(tmp, "w");
    if (!f)
        return hfail(h, COR_EIO, "%s: %s", tmp, strerror(errno));
    cor_cal_format_month(o->train_until, mu);
    cor_cal_last_day_of(h->month0 + h->n - 1, end);
    snprintf(name, sizeof name, "%s-hindcast-%s", h->scenario_name, mu);
    fprintf(f, "# Written by corredor hindcast: the scenario with its prior latent demand re-derived from the data\n"
               "# files cut at %s (rows after it not used) and meta.end at the end of the horizon.\n",
            mu);
    fprintf(f, "base: ");
    cor_cal_yaml_quote(f, abs);
    fprintf(f, "\n\nmeta:\n  name: ");
    cor_cal_yaml_quote(f, name);
    fprintf(f, "\n  end: %s\n\npopulations:\n", end);
    for (int i = 0; i < sc->n_populations; i++) {
        const cor_sc_population *pop = &sc->populations[i];
        int k = 0;
        while (k < COR_DG_N && strcmp(pop->id, cor_demand_group_ids[k]) != 0)
            k++;
        if (k == COR_DG_N)
            continue; /* not a derived group: kept as in the scenario */
        cor_cal_yaml_population(f, pop);
        char dp[300], src[8192];
        snprintf(dp, sizeof dp, "prior-demand/%s.csv", pop->id);
        fprintf(f, "    demand: ");
        cor_cal_yaml_quote(f, dp);
        snprintf(src, sizeof src, "%s%sPrior demand re-derived by corredor hindcast from data cut at %s.",
                 pop->source ? pop->source : "", pop->source ? " | " : "", mu);
        fprintf(f, "\n    source: ");
        cor_cal_yaml_quote(f, src);
        fprintf(f, "\n");
    }
    const int bad = ferror(f);
    if (fclose(f) || bad || rename(tmp, overlay)) {
        remove(tmp);
        return hfail(h, COR_EIO, "%s: cannot write", overlay);
    }
    return COR_OK;
}

/* ------------------------------------------------------------ step 3 */

typedef struct {
    int g;          /* scenario group */
    int cg;         /* calibration group, -1 if none */
    int month0, n_months;
    double *base;   /* the forecast scenario's demand of the group (n_months x 3) */
} hc_dem;

static double dsum(const double *d, int m)
{
    return d[m * COR_N_DEMOS] + d[m * COR_N_DEMOS + 1] + d[m * COR_N_DEMOS + 2];
}

/* Apply the demand rule to the calibrated scenario sc; fills h->groups,
 * h->sigma and the dem[] copies. */
static int extrapolate(cor_hindcast *h, cor_scenario *sc, hc_dem *dem)
{
    const cor_calib *c = h->calib;
    const int until = h->opt.train_until, f0 = c->fit_first;
    /* pooled index from the sum over groups (months f0 .. until) */
    const int nt = until - f0 + 1;
    double *tot = calloc((size_t)nt, sizeof *tot), pooled[12];
    if (!tot)
        return hfail(h, COR_ENOMEM, "out of memory");
    for (int g = 0; g < h->n_groups; g++) {
        hc_dem *e = &dem[g];
        e->g = g;
        e->cg = -1;
        for (int k = 0; k < c->n_groups; k++)
            if (strcmp(c->groups[k].id, h->groups[g].id) == 0)
                e->cg = k;
        const double *d = cor_scenario_demand(sc, g, &e->month0, &e->n_months);
        if (!(e->base = malloc((size_t)(e->n_months > 0 ? e->n_months : 1) * COR_N_DEMOS * sizeof(double)))) {
            free(tot);
            return hfail(h, COR_ENOMEM, "out of memory");
        }
        if (e->n_months > 0)
            memcpy(e->base, d, (size_t)e->n_months * COR_N_DEMOS * sizeof(double));
        for (int t = 0; t < nt; t++) {
            const int m = f0 + t - e->month0;
            if (m >= 0 && m < e->n_months)
                tot[t] += dsum(e->base, m);
        }
    }
    int pooled_ok = cor_hc_season(tot, f0, nt, pooled) == 0;
    if (!pooled_ok)
        for (int c12 = 0; c12 < 12; c12++)
            pooled[c12] = 1;

    /* per group: L_g, index, level, then overwrite months after L_g */
    double *y = malloc((size_t)nt * sizeof *y);
    if (!y) {
        free(tot);
        return hfail(h, COR_ENOMEM, "out of memory");
    }
    int L_min = until;
    for (int g = 0; g < h->n_groups; g++) {
        hc_dem *e = &dem[g];
        cor_hc_group *hg = &h->groups[g];
        int L = until;
        hg->cum_at_cut = 1;
        if (h->opt.level_rule == COR_HC_LEVEL_LAST) {
            hg->cum_at_cut = e->cg >= 0 ? c->groups[e->cg].kernel[0] : 1;
        } else if (e->cg >= 0 && c->groups[e->cg].observed) {
            const double *kern = c->groups[e->cg].kernel;
            double cum = 0;
            hg->cum_at_cut = kern[0];
            for (int j = 0; j <= COR_CAL_KMAX; j++) {
                cum += kern[j];
                if (cum >= COR_HC_WELL - 1e-12) {
                    L = until - j;
                    break;
                }
            }
        }
        hg->last_well = L;
        if (L < L_min)
            L_min = L;
        const int ny = L - f0 + 1;
        for (int t = 0; t < ny; t++) {
            const int m = f0 + t - e->month0;
            y[t] = m >= 0 && m < e->n_months ? dsum(e->base, m) : 0;
        }
        hg->season_pooled = 0;
        if (h->opt.season_rule == COR_HC_SEASON_POOLED || ny < 1 || cor_hc_season(y, f0, ny, hg->season)) {
            hg->season_pooled = pooled_ok ? 1 : 2;
            memcpy(hg->season, pooled, sizeof pooled);
        }
        for (int dm = 0; dm < COR_N_DEMOS; dm++) {
            double s = 0;
            for (int b = 0; b < COR_HC_BASE; b++) {
                const int month = L - b, m = month - e->month0;
                if (m >= 0 && m < e->n_months)
                    s += e->base[m * COR_N_DEMOS + dm] / hg->season[month % 12];
            }
            hg->level[dm] = s / COR_HC_BASE;
        }
        for (int month = L + 1; month < h->month0 + h->n; month++) {
            const int m = month - e->month0;
            if (m < 0 || m >= e->n_months)
                continue;
            for (int dm = 0; dm < COR_N_DEMOS; dm++)
                e->base[m * COR_N_DEMOS + dm] = hg->level[dm] * hg->season[month % 12];
        }
    }
    /* sigma: monthly changes of ln(deseasonalised total demand) over the
     * last COR_HC_SIGMA_MONTHS months up to the earliest L_g */
    double sx = 0, sxx = 0;
    int k = 0;
    for (int month = L_min - COR_HC_SIGMA_MONTHS + 1; month <= L_min; month++) {
        double a = 0, b = 0;
        for (int g = 0; g < h->n_groups; g++) {
            const hc_dem *e = &dem[g];
            const int m = month - e->month0;
            if (m >= 1 && m < e->n_months) {
                a += dsum(e->base, m - 1) / h->groups[g].season[(month - 1) % 12];
                b += dsum(e->base, m) / h->groups[g].season[month % 12];
            }
        }
        if (month - 1 >= f0 && a > 0 && b > 0) {
            const double x = log(b / a);
            sx += x, sxx += x * x, k++;
        }
    }
    h->sigma = k > 1 ? sqrt(fmax(0, (sxx - sx * sx / k) / (k - 1))) : 0;
    free(y), free(tot);
    return COR_OK;
}

/* ------------------------------------------------------------ step 4 */

static double normal_draw(uint64_t seed, uint32_t run, const char *name)
{
    char a[300], b[300];
    snprintf(a, sizeof a, "hindcast:%s:a", name);
    snprintf(b, sizeof b, "hindcast:%s:b", name);
    const double u1 = 1.0 - cor_ens_u01(seed, run, a), u2 = cor_ens_u01(seed, run, b);
    return sqrt(-2.0 * log(u1)) * cos(6.283185307179586476925 * u2);
}

typedef struct {
    cor_scenario *sc;
    int rc;
    char err[1024];
} hc_thread;

static int one_run(cor_hindcast *h, hc_thread *t, const hc_dem *dem, uint32_t run)
{
    const cor_calib *c = h->calib;
    cor_scenario *sc = t->sc;
    for (int i = 0; i < c->n_params; i++) {
        const cor_cal_param *p = &c->params[i];
        if (p->status != COR_CAL_FITTED)
            continue;
        double v = p->value;
        if (isfinite(p->ci_lo) && isfinite(p->ci_hi) && p->ci_hi > p->ci_lo) {
            v += (p->ci_hi - p->ci_lo) / 3.29 * normal_draw(h->seed, run, p->name);
            v = fmin(p->hi, fmax(p->lo, v));
        }
        if (cor_scenario_set_param(sc, p->name, v) != COR_OK) {
            snprintf(t->err, sizeof t->err, "run %u: cannot set parameter '%s'", run, p->name);
            return COR_EARG;
        }
    }
    const double z = normal_draw(h->seed, run, "demand_level");
    for (int g = 0; g < h->n_groups; g++) {
        const hc_dem *e = &dem[g];
        int m0, nm;
        double *d = cor_scenario_demand(sc, g, &m0, &nm);
        if (nm != e->n_months || m0 != e->month0) {
            snprintf(t->err, sizeof t->err, "run %u: group %s: demand months differ", run, h->groups[g].id);
            return COR_ESTATE;
        }
        const int L = h->groups[g].last_well;
        for (int m = 0; m < nm; m++) {
            const int month = m0 + m;
            const double fac = month > L ? exp(h->sigma * sqrt((double)(month - L)) * z) : 1.0;
            for (int dm = 0; dm < COR_N_DEMOS; dm++)
                d[m * COR_N_DEMOS + dm] = e->base[m * COR_N_DEMOS + dm] * fac;
        }
    }
    cor_sim *sim = cor_sim_new();
    if (!sim) {
        snprintf(t->err, sizeof t->err, "out of memory");
        return COR_ENOMEM;
    }
    cor_options so = {.seed = h->seed, .has_seed = 1, .scale = h->opt.scale, .threads = 1, .run = run};
    int rc = cor_sim_init(sim, sc, &so);
    if (rc == COR_OK)
        rc = cor_sim_run(sim);
    int sid = rc == COR_OK ? cor_sim_series_id(sim, "us_encounters") : -1;
    if (rc == COR_OK && sid < 0)
        rc = COR_EARG, snprintf(t->err, sizeof t->err, "run %u: the scenario has no us_encounters series", run);
    else if (rc != COR_OK)
        snprintf(t->err, sizeof t->err, "run %u: %s", run, cor_sim_errmsg(sim));
    for (int i = 0; rc == COR_OK && i < h->n; i++)
        h->runs[(size_t)run * (size_t)h->n + (size_t)i] = cor_sim_series_value(sim, sid, -1, h->month0 + i);
    cor_sim_free(sim);
    return rc;
}

static int forecast(cor_hindcast *h, const char *overlay, const hc_dem *dem)
{
    const int R = h->opt.runs, T = h->opt.threads < R ? h->opt.threads : R;
    hc_thread *th = calloc((size_t)T, sizeof *th);
    int *rcs = calloc((size_t)R, sizeof *rcs);
    char(*errs)[1024] = calloc((size_t)R, sizeof *errs);
    if (!th || !rcs || !errs) {
        free(th), free(rcs), free(errs);
        return hfail(h, COR_ENOMEM, "out of memory");
    }
    int rc = COR_OK;
    for (int i = 0; i < T && rc == COR_OK; i++) {
        rc = cor_scenario_load(overlay, &th[i].sc);
        if (rc != COR_OK)
            hfail(h, rc, "%s", th[i].sc ? cor_scenario_errmsg(th[i].sc) : "out of memory");
        else if ((rc = cor_calib_apply(h->calib, th[i].sc)) != COR_OK)
            hfail(h, rc, "%s: cannot apply the calibration", overlay);
    }
    if (rc == COR_OK) {
#pragma omp parallel for schedule(dynamic) num_threads(T)
        for (int r = 0; r < R; r++) {
            int tid = 0;
#ifdef _OPENMP
            tid = omp_get_thread_num();
#endif
            rcs[r] = one_run(h, &th[tid], dem, (uint32_t)r);
            if (rcs[r] != COR_OK)
                memcpy(errs[r], th[tid].err, sizeof errs[r]);
        }
        for (int r = 0; r < R && rc == COR_OK; r++)
            if (rcs[r] != COR_OK)
                rc = hfail(h, rcs[r], "%s", errs[r]);
    }
    for (int i = 0; i < T; i++)
        cor_scenario_free(th[i].sc);
    free(th), free(rcs), free(errs);
    return rc;
}

/* ------------------------------------------------------------- main */

static int check_and_setup(cor_hindcast *h, const char *path, const cor_hc_options *opt, cor_scenario **psc,
                           int *rec_last)
{
    h->opt = *opt;
    cor_hc_options *o = &h->opt;
    if (o->scale <= 0)
        o->scale = 100;
    if (o->threads <= 0)
        o->threads = 1;
    if (o->runs <= 0)
        o->runs = 30;
    if (!o->data_dir)
        o->data_dir = "data";
    if (!o->derivation)
        o->derivation = "scenarios/corridor/derivation.yaml";
    if (!o->cal_fix)
        o->cal_fix = "comar_*";
    if (!(h->scenario_path = strdup(path)))
        return hfail(h, COR_ENOMEM, "out of memory");
    if (!o->work_dir)
        return hfail(h, COR_EARG, "no work directory");
    if (o->horizon < 1 || o->horizon > COR_HC_MAX_HORIZON)
        return hfail(h, COR_EARG, "--horizon %d: expected 1 to %d months", o->horizon, COR_HC_MAX_HORIZON);
    char mu[8], ms[8], me[8], mr[8];
    cor_cal_format_month(o->train_until, mu);
    int rc = cor_scenario_load(path, psc);
    if (rc != COR_OK)
        return hfail(h, rc, "%s", *psc ? cor_scenario_errmsg(*psc) : "out of memory");
    cor_scenario *sc = *psc;
    if (!(h->scenario_name = strdup(cor_scenario_name(sc))))
        return hfail(h, COR_ENOMEM, "out of memory");
    h->seed = o->has_seed ? o->seed : cor_scenario_seed(sc);
    int full;
    const int start = cor_cal_day_month(sc->start, NULL), endm = cor_cal_day_month(sc->end, &full), last_full = full ? endm : endm - 1;
    cor_cal_format_month(start, ms);
    cor_cal_format_month(last_full, me);
    if (o->train_until < start)
        return hfail(h, COR_EARG, "--train-until %s is before the scenario's start (%s)", mu, ms);
    if (o->train_until - start + 1 < 12)
        return hfail(h, COR_EARG, "--train-until %s leaves %d training months after the scenario's start (%s); at least 12 are needed",
                     mu, o->train_until - start + 1, ms);
    h->month0 = o->train_until + 1;
    h->n = o->horizon;
    const int end = h->month0 + h->n - 1;
    cor_cal_format_month(end, mr);
    /* the record's extent (not its values) */
    cor_cal_obs *obs = cor_cal_obs_new();
    if (!obs)
        return hfail(h, COR_ENOMEM, "out of memory");
    rc = cor_cal_obs_from_data(obs, o->data_dir, 0);
    const int grp_last = obs->month0 + obs->n_months - 1;
    if (rc != COR_OK)
        hfail(h, rc, "%s", obs->errmsg);
    cor_cal_obs_free(obs);
    if (rc != COR_OK)
        return rc;
    char mg[8];
    cor_cal_format_month(grp_last, mg);
    if (o->train_until > grp_last)
        return hfail(h, COR_EARG, "--train-until %s is after the last month of the encounter record by group (%s)", mu,
                     mg);
    if (end > *rec_last) {
        char ml[8];
        cor_cal_format_month(*rec_last, ml);
        return hfail(h, COR_EARG, "--horizon %d from %s ends in %s, after the last month of the encounter record (%s)",
                     o->horizon, mu, mr, ml);
    }
    if (end > last_full)
        return hfail(h, COR_EARG, "--horizon %d from %s ends in %s, after the scenario's last full month (%s)", o->horizon,
                     mu, mr, me);
    h->n_groups = cor_scenario_n_groups(sc);
    if (!(h->groups = calloc((size_t)(h->n_groups > 0 ? h->n_groups : 1), sizeof *h->groups)))
        return hfail(h, COR_ENOMEM, "out of memory");
    for (int g = 0; g < h->n_groups; g++) {
        snprintf(h->groups[g].id, sizeof h->groups[g].id, "%s", cor_scenario_group_id(sc, g));
        h->groups[g].stopped_from = -1;
        h->groups[g].stopped_share = NAN;
    }
    const size_t nr = (size_t)o->runs * (size_t)h->n, n = (size_t)h->n;
    h->n_runs = o->runs;
    h->runs = calloc(nr, sizeof(double));
    h->median = calloc(n, sizeof(double)), h->p5 = calloc(n, sizeof(double)), h->p95 = calloc(n, sizeof(double));
    h->observed = calloc(n, sizeof(double)), h->persistence = calloc(n, sizeof(double));
    h->seasonal = calloc(n, sizeof(double));
    if (!h->runs || !h->median || !h->p5 || !h->p95 || !h->observed || !h->persistence || !h->seasonal)
        return hfail(h, COR_ENOMEM, "out of memory");
    /* input hashes */
    for (size_t i = 0; i < sizeof data_files / sizeof *data_files && h->n_files < COR_HC_MAX_FILES; i++) {
        char p[PATH_MAX + 200];
        snprintf(p, sizeof p, "%s/%s", o->data_dir, data_files[i]);
        snprintf(h->files[h->n_files].name, sizeof h->files[h->n_files].name, "%s", data_files[i]);
        hash_file(p, h->files[h->n_files++].hash);
    }
    snprintf(h->files[h->n_files].name, sizeof h->files[h->n_files].name, "%s", o->derivation);
    hash_file(o->derivation, h->files[h->n_files++].hash);
    return COR_OK;
}

static void cal_progress(void *ctx, const char *msg)
{
    const cor_hindcast *h = ctx;
    hprogress(h, "calibrate: %s", msg);
}

int cor_hindcast_run(const char *scenario_path, const cor_hc_options *opt, cor_hindcast **out)
{
    cor_hindcast *h = calloc(1, sizeof *h);
    *out = h;
    if (!h)
        return COR_ENOMEM;
    const double t0 = wall();
    cor_scenario *sc = NULL;
    /* the record's last month, for the horizon check (its values are read
     * only after the forecast, below) */
    cor_observed *rec = NULL;
    char err[1024];
    int rec_last = 0;
    int rc = cor_observed_load(opt->data_dir ? opt->data_dir : "data", 0, &rec, err, sizeof err);
    if (rc != COR_OK) {
        hfail(h, rc, "%s", err);
        h->opt = *opt;
        return rc;
    }
    rec_last = rec->last_month;
    cor_observed_free(rec);
    rec = NULL;
    rc = check_and_setup(h, scenario_path, opt, &sc, &rec_last);
    char overlay[PATH_MAX];
    snprintf(overlay, sizeof overlay, "%s/prior.yaml", h->opt.work_dir ? h->opt.work_dir : ".");
    if (rc == COR_OK && mkdir(h->opt.work_dir, 0777) && errno != EEXIST)
        rc = hfail(h, COR_EIO, "%s: %s", h->opt.work_dir, strerror(errno));
    char mu[8];
    cor_cal_format_month(h->opt.train_until, mu);
    if (rc == COR_OK) {
        hprogress(h, "deriving the prior demand from %s cut at %s", h->opt.data_dir, mu);
        rc = derive_prior(h, sc, overlay);
    }
    cor_scenario_free(sc);
    sc = NULL;
    h->runtime_derive_s = wall() - t0;
    if (rc != COR_OK)
        return rc;

    /* step 2: calibrate */
    const double t1 = wall();
    cor_cal_obs *obs = cor_cal_obs_new();
    if (!obs)
        return hfail(h, COR_ENOMEM, "out of memory");
    rc = cor_cal_obs_from_data(obs, h->opt.data_dir, h->opt.train_until);
    if (rc != COR_OK) {
        hfail(h, rc, "%s", obs->errmsg);
        cor_cal_obs_free(obs);
        return rc;
    }
    cor_cal_options co = {.until = h->opt.train_until,
                          .scale = h->opt.scale,
                          .seed = h->seed,
                          .has_seed = 1,
                          .threads = h->opt.threads,
                          .reps = h->opt.cal_reps,
                          .max_evals = h->opt.cal_max_evals,
                          .rounds = h->opt.cal_rounds,
                          .burn_in = -1,
                          .demand_iters = h->opt.cal_demand_iters,
                          .fix = h->opt.cal_fix[0] ? h->opt.cal_fix : NULL,
                          .no_interval = h->opt.cal_no_interval,
                          .progress = h->opt.progress ? cal_progress : NULL,
                          .progress_ctx = h};
    hprogress(h, "calibrating %s up to %s at scale %g", overlay, mu, h->opt.scale);
    rc = cor_calibrate(overlay, obs, &co, &h->calib);
    cor_cal_obs_free(obs);
    if (rc != COR_OK)
        return hfail(h, rc, "%s", h->calib ? h->calib->errmsg : "out of memory");
    h->runtime_calib_s = wall() - t1;

    /* step 3: the demand rule on the calibrated scenario */
    const double t2 = wall();
    rc = cor_scenario_load(overlay, &sc);
    if (rc != COR_OK) {
        hfail(h, rc, "%s", sc ? cor_scenario_errmsg(sc) : "out of memory");
        cor_scenario_free(sc);
        return rc;
    }
    cor_ens_scenario_hash(sc, h->scenario_hash);
    hc_dem *dem = calloc((size_t)(h->n_groups > 0 ? h->n_groups : 1), sizeof *dem);
    if (!dem)
        rc = hfail(h, COR_ENOMEM, "out of memory");
    else if ((rc = cor_calib_apply(h->calib, sc)) != COR_OK)
        hfail(h, rc, "%s: cannot apply the calibration", overlay);
    else
        rc = extrapolate(h, sc, dem);
    cor_scenario_free(sc);

    /* step 4: the runs */
    if (rc == COR_OK) {
        hprogress(h, "forecast: %d runs of %s .. +%d months on %d thread(s)", h->opt.runs, mu, h->n, h->opt.threads);
        rc = forecast(h, overlay, dem);
    }
    for (int g = 0; dem && g < h->n_groups; g++)
        free(dem[g].base);
    free(dem);
    h->runtime_runs_s = wall() - t2;
    if (rc != COR_OK)
        return rc;
    double *col = malloc((size_t)h->n_runs * sizeof *col);
    if (!col)
        return hfail(h, COR_ENOMEM, "out of memory");
    for (int i = 0; i < h->n; i++) {
        for (int r = 0; r < h->n_runs; r++)
            col[r] = h->runs[(size_t)r * (size_t)h->n + (size_t)i];
        h->median[i] = cor_hc_quantile(col, h->n_runs, 0.5);
        h->p5[i] = cor_hc_quantile(col, h->n_runs, 0.05);
        h->p95[i] = cor_hc_quantile(col, h->n_runs, 0.95);
    }
    free(col);

    /* step 5: the record, now read whole, for scoring only */
    rc = cor_observed_load(h->opt.data_dir, 0, &rec, err, sizeof err);
    if (rc != COR_OK) {
        cor_observed_free(rec);
        return hfail(h, rc, "%s", err);
    }
    for (int i = 0; i < h->n; i++)
        h->observed[i] = cor_obs_month(rec->encounters, h->month0 + i);
    h->last_obs = cor_obs_month(rec->encounters, h->opt.train_until);
    cor_hc_baselines(rec->encounters, COR_OBS_FIRST_MONTH, COR_OBS_N_MONTHS, h->opt.train_until, h->month0, h->n,
                     h->persistence, h->seasonal);
    cor_observed_free(rec);
    h->n_scored = 0;
    for (int i = 0; i < h->n; i++)
        h->n_scored += isfinite(h->observed[i]) != 0;
    h->mae_model = cor_hc_mae(h->median, h->observed, h->n);
    h->mae_persistence = cor_hc_mae(h->persistence, h->observed, h->n);
    h->mae_seasonal = cor_hc_mae(h->seasonal, h->observed, h->n);
    h->mape_model = cor_hc_mape(h->median, h->observed, h->n);
    h->mape_persistence = cor_hc_mape(h->persistence, h->observed, h->n);
    h->mape_seasonal = cor_hc_mape(h->seasonal, h->observed, h->n);
    h->coverage_5_95 = cor_hc_coverage(h->p5, h->p95, h->observed, h->n);
    h->runtime_s = wall() - t0;
    return COR_OK;
}

void cor_hindcast_free(cor_hindcast *h)
{
    if (!h)
        return;
    free(h->scenario_path), free(h->scenario_name), free(h->groups);
    cor_calib_free(h->calib);
    free(h->runs), free(h->median), free(h->p5), free(h->p95);
    free(h->observed), free(h->persistence), free(h->seasonal);
    free(h);
}
