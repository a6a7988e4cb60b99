/* hindcast_write.c - hindcast.json and forecast.csv (analysis/hindcast.h). */
#include <cjson/cJSON.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/hindcast.h"

static int werr(cor_hindcast *h, const char *path)
{
    snprintf(h->errmsg, sizeof h->errmsg, "%.900s: cannot write: %s", path, errno ? strerror(errno) : "error");
    return COR_EIO;
}

static cJSON *num(double v) /* NAN -> null */
{
    return isfinite(v) ? cJSON_CreateNumber(v) : cJSON_CreateNull();
}

static void add(cJSON *o, const char *k, double v)
{
    cJSON_AddItemToObject(o, k, num(v));
}

static cJSON *arr(const double *v, int n)
{
    cJSON *a = cJSON_CreateArray();
    for (int i = 0; a && i < n; i++)
        cJSON_AddItemToArray(a, num(v[i]));
    return a;
}

static const char *stopped_from_text(int f)
{
    return f == 0 ? "UPM periods ending by train_until"
           : f == 1 ? "pooled UPM ratio of the groups with data by train_until"
           : f == 2 ? "derivation file (no UPM period ends by train_until, or mexico: 0 by definition)"
                    : "not a derived group";
}

static cJSON *build(const cor_hindcast *h)
{
    const cor_calib *c = h->calib;
    char m[8];
    cJSON *j = cJSON_CreateObject();
    if (!j)
        return NULL;
    cJSON_AddStringToObject(j, "scenario", h->scenario_path);
    cJSON_AddStringToObject(j, "scenario_name", h->scenario_name);
    cJSON_AddStringToObject(j, "version", cor_version());
    cor_cal_format_month(h->opt.train_until, m);
    cJSON_AddStringToObject(j, "train_until", m);
    cJSON_AddNumberToObject(j, "horizon", h->n);
    cor_cal_format_month(h->month0, m);
    cJSON_AddStringToObject(j, "first_forecast_month", m);
    cJSON_AddNumberToObject(j, "scale", h->opt.scale);
    char seed[24];
    snprintf(seed, sizeof seed, "%llu", (unsigned long long)h->seed);
    cJSON_AddStringToObject(j, "seed", seed);
    cJSON_AddNumberToObject(j, "runs", h->n_runs);
    cJSON_AddNumberToObject(j, "threads", h->opt.threads);
    cJSON_AddStringToObject(j, "series", "us_encounters (model, all places) vs usbp_sw_encounters_best (record)");

    add(j, "mae_model", h->mae_model);
    add(j, "mae_persistence", h->mae_persistence);
    add(j, "mae_seasonal", h->mae_seasonal);
    add(j, "mape_model", h->mape_model);
    add(j, "mape_persistence", h->mape_persistence);
    add(j, "mape_seasonal", h->mape_seasonal);
    add(j, "coverage_5_95", h->coverage_5_95);
    cJSON_AddNumberToObject(j, "months_scored", h->n_scored);
    cJSON_AddBoolToObject(j, "beats_persistence", isfinite(h->mae_model) && h->mae_model < h->mae_persistence);
    cJSON_AddBoolToObject(j, "beats_seasonal", isfinite(h->mae_model) && h->mae_model < h->mae_seasonal);
    add(j, "last_observed", h->last_obs);

    cJSON *mo = cJSON_AddObjectToObject(j, "monthly");
    cJSON *ms = cJSON_AddArrayToObject(mo, "month");
    for (int i = 0; i < h->n; i++) {
        cor_cal_format_month(h->month0 + i, m);
        cJSON_AddItemToArray(ms, cJSON_CreateString(m));
    }
    cJSON_AddItemToObject(mo, "observed", arr(h->observed, h->n));
    cJSON_AddItemToObject(mo, "model_median", arr(h->median, h->n));
    cJSON_AddItemToObject(mo, "model_p5", arr(h->p5, h->n));
    cJSON_AddItemToObject(mo, "model_p95", arr(h->p95, h->n));
    cJSON_AddItemToObject(mo, "persistence", arr(h->persistence, h->n));
    cJSON_AddItemToObject(mo, "seasonal", arr(h->seasonal, h->n));

    cJSON *rt = cJSON_AddObjectToObject(j, "runtime_s");
    add(rt, "total", h->runtime_s);
    add(rt, "derive", h->runtime_derive_s);
    add(rt, "calibrate", h->runtime_calib_s);
    add(rt, "forecast", h->runtime_runs_s);

    cJSON *dr = cJSON_AddObjectToObject(j, "demand_rule");
    cJSON_AddStringToObject(dr, "rule",
                            "months after the last well-estimated month L_g (>= 90% of the cohort's encounters by "
                            "train_until): mean of demand / seasonal index over L_g-2..L_g, times the index");
    cJSON_AddStringToObject(dr, "seasonal_index_rule",
                            h->opt.season_rule == COR_HC_SEASON_GROUP ? "A: per group" : "B: all groups together");
    cJSON_AddStringToObject(dr, "level_rule", h->opt.level_rule == COR_HC_LEVEL_LAST
                                                  ? "last 3 training months (diagnostic, chosen after seeing scores)"
                                                  : "last 3 well-estimated months");
    add(dr, "sigma", h->sigma);
    cJSON *gs = cJSON_AddArrayToObject(dr, "groups");
    for (int g = 0; g < h->n_groups; g++) {
        const cor_hc_group *hg = &h->groups[g];
        cJSON *e = cJSON_CreateObject();
        cJSON_AddStringToObject(e, "id", hg->id);
        cor_cal_format_month(hg->last_well, m);
        cJSON_AddStringToObject(e, "last_well_estimated", m);
        add(e, "kernel_share_at_lag0", hg->cum_at_cut);
        cJSON_AddStringToObject(e, "seasonal_index_from",
                                hg->season_pooled == 0 ? "group" : hg->season_pooled == 1 ? "all groups" : "flat");
        cJSON_AddItemToObject(e, "seasonal_index", arr(hg->season, 12));
        cJSON_AddItemToObject(e, "level", arr(hg->level, 3));
        add(e, "stopped_share", hg->stopped_share);
        cJSON_AddStringToObject(e, "stopped_share_from", stopped_from_text(hg->stopped_from));
        cJSON_AddItemToArray(gs, e);
    }

    cJSON *cal = cJSON_AddObjectToObject(j, "calibration");
    cor_cal_format_month(c->fit_first, m);
    cJSON_AddStringToObject(cal, "fit_first", m);
    cor_cal_format_month(c->fit_last, m);
    cJSON_AddStringToObject(cal, "fit_last", m);
    cJSON_AddNumberToObject(cal, "evaluations", c->evals);
    cJSON_AddNumberToObject(cal, "sims", c->sims);
    cJSON_AddNumberToObject(cal, "rounds", c->rounds_done);
    cJSON_AddNumberToObject(cal, "reps", c->opt.reps);
    add(cal, "objective_start", c->obj_start);
    add(cal, "objective_end", c->obj_end);
    add(cal, "sw_mape_fitted", c->mape_end);
    add(cal, "sw_corr_fitted", c->corr_end);
    cJSON *ps = cJSON_AddArrayToObject(cal, "parameters");
    for (int i = 0; i < c->n_params; i++) {
        const cor_cal_param *p = &c->params[i];
        cJSON *e = cJSON_CreateObject();
        cJSON_AddStringToObject(e, "name", p->name);
        add(e, "prior", p->start);
        add(e, "value", p->value);
        add(e, "lo", p->lo);
        add(e, "hi", p->hi);
        add(e, "ci90_lo", p->ci_lo);
        add(e, "ci90_hi", p->ci_hi);
        cJSON_AddStringToObject(e, "status", p->status == COR_CAL_FITTED         ? "fitted"
                                             : p->status == COR_CAL_FIXED_SCREEN ? "kept (no visible effect)"
                                             : p->status == COR_CAL_FIXED_GROUP  ? "kept (acts on one group)"
                                                                                 : "kept (fix)");
        cJSON_AddItemToArray(ps, e);
    }

    cJSON *in = cJSON_AddObjectToObject(j, "inputs_xxh3_128");
    cJSON_AddStringToObject(in, "forecast_scenario", h->scenario_hash);
    for (int i = 0; i < h->n_files; i++)
        cJSON_AddStringToObject(in, h->files[i].name, h->files[i].hash);
    return j;
}

int cor_hindcast_write(cor_hindcast *h, const char *dir)
{
    char path[PATH_MAX], tmp[PATH_MAX + 8];
    cJSON *j = build(h);
    char *text = j ? cJSON_Print(j) : NULL;
    cJSON_Delete(j);
    if (!text) {
        snprintf(h->errmsg, sizeof h->errmsg, "out of memory");
        return COR_ENOMEM;
    }
    errno = 0;
    snprintf(path, sizeof path, "%s/hindcast.json", dir);
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    FILE *f = fopen(tmp, "w");
    if (!f) {
        free(text);
        return werr(h, tmp);
    }
    fputs(text, f);
    fputc('\n', f);
    free(text);
    int bad = ferror(f);
    if (fclose(f) || bad || rename(tmp, path)) {
        remove(tmp);
        return werr(h, path);
    }
    snprintf(path, sizeof path, "%s/forecast.csv", dir);
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    if (!(f = fopen(tmp, "w")))
        return werr(h, tmp);
    fprintf(f, "month,observed,model_median,model_p5,model_p95,persistence,seasonal\n");
    for (int i = 0; i < h->n; i++) {
        char m[8];
        cor_cal_format_month(h->month0 + i, m);
        fprintf(f, "%s", m);
        const double v[6] = {h->observed[i], h->median[i], h->p5[i], h->p95[i], h->persistence[i], h->seasonal[i]};
        for (int k = 0; k < 6; k++)
            isfinite(v[k]) ? fprintf(f, ",%.2f", v[k]) : fprintf(f, ",");
        fprintf(f, "\n");
    }
    bad = ferror(f);
    if (fclose(f) || bad || rename(tmp, path)) {
        remove(tmp);
        return werr(h, path);
    }
    return COR_OK;
}
