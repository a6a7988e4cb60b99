/* calib_write.c - the outputs of a calibration: a scenario overlay (base:
 * the calibrated scenario) with the fitted parameters and the populations
 * pointing to the re-estimated demand CSVs, the CSVs, and the statistics as
 * JSON.  Every file is written under a temporary name and renamed; the
 * demand folder is written as "<dir>.partial" and renamed; the YAML comes
 * last, so a YAML on disk always has its CSVs and JSON. */
#define _XOPEN_SOURCE 700 /* realpath */
#include <cjson/cJSON.h>
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "analysis/calibrate.h"
#include "scenario/scenario.h"

static int werr(cor_calib *c, const char *path)
{
    snprintf(c->errmsg, sizeof c->errmsg, "cannot write '%.900s': %s", path, strerror(errno ? errno : EIO));
    return COR_EIO;
}

int cor_cal_mkdirs(const char *dir)
{
    char p[PATH_MAX];
    snprintf(p, sizeof p, "%s", dir);
    for (char *s = p + 1; *s; s++)
        if (*s == '/') {
            *s = '\0';
            if (mkdir(p, 0777) && errno != EEXIST)
                return -1;
            *s = '/';
        }
    return mkdir(p, 0777) && errno != EEXIST ? -1 : 0;
}

static int rmtree1(const char *dir) /* a folder of files (no subfolders) */
{
    DIR *d = opendir(dir);
    if (!d)
        return errno == ENOENT ? 0 : -1;
    struct dirent *e;
    char p[PATH_MAX + 300];
    while ((e = readdir(d)))
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) {
            snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
            remove(p);
        }
    closedir(d);
    return rmdir(dir);
}

/* Relative path from folder `from` to file `to` (both existing). */
static int relpath(const char *from, const char *to, char *out, size_t n)
{
    char a[PATH_MAX], b[PATH_MAX];
    if (!realpath(from, a) || !realpath(to, b))
        return -1;
    size_t i = 0, common = 0;
    while (a[i] && a[i] == b[i]) {
        if (a[i] == '/')
            common = i;
        i++;
    }
    if (!a[i] && b[i] == '/')
        common = i;
    else if (!a[i] && !b[i])
        common = i;
    out[0] = '\0';
    size_t len = 0;
    for (const char *s = a + common; *s; s++)
        if (*s == '/')
            len += (size_t)snprintf(out + len, len < n ? n - len : 0, "../");
    snprintf(out + len, len < n ? n - len : 0, "%s", b + common + 1);
    return len < n ? 0 : -1;
}

void cor_cal_yaml_quote(FILE *f, const char *s)
{
    fputc('"', f);
    for (; s && *s; s++) {
        const unsigned char ch = (unsigned char)*s;
        if (ch == '"' || ch == '\\')
            fprintf(f, "\\%c", ch);
        else if (ch == '\n')
            fputs("\\n", f);
        else if (ch < 0x20 || ch == 0x7f)
            fprintf(f, "\\x%02x", ch);
        else
            fputc(ch, f);
    }
    fputc('"', f);
}

void cor_cal_yaml_population(FILE *f, const cor_sc_population *pop)
{
    fprintf(f, "  - id: ");
    cor_cal_yaml_quote(f, pop->id);
    fprintf(f, "\n    name: ");
    cor_cal_yaml_quote(f, pop->name ? pop->name : pop->id);
    if (pop->country) {
        fprintf(f, "\n    country: ");
        cor_cal_yaml_quote(f, pop->country);
    }
    fprintf(f, "\n    origins:\n");
    for (int j = 0; j < pop->n_origins; j++) {
        fprintf(f, "      - {place: ");
        cor_cal_yaml_quote(f, pop->origins[j].place_id);
        fprintf(f, ", share: %.17g}\n", pop->origins[j].share);
    }
}

static const char *status_text(const cor_cal_param *p)
{
    return p->status == COR_CAL_FITTED         ? "fitted"
           : p->status == COR_CAL_FIXED_SCREEN ? "kept (no visible effect)"
           : p->status == COR_CAL_FIXED_GROUP  ? "kept (acts on one group)"
                                               : "kept (--fix)";
}

static int write_csvs(cor_calib *c, const char *dir)
{
    char part[PATH_MAX + 32], path[PATH_MAX + 332], tmp[PATH_MAX + 340], mo[8];
    snprintf(part, sizeof part, "%s.partial", dir);
    rmtree1(part);
    if (cor_cal_mkdirs(part))
        return werr(c, part);
    for (int g = 0; g < c->n_groups; g++) {
        const cor_cal_group *gr = &c->groups[g];
        if (!gr->observed)
            continue;
        snprintf(path, sizeof path, "%s/%s.csv", part, gr->id);
        snprintf(tmp, sizeof tmp, "%s.tmp", path);
        FILE *f = fopen(tmp, "w");
        if (!f)
            return werr(c, tmp);
        fprintf(f, "month,single_adults,family_members,unaccompanied_children\n");
        for (int m = 0; m < gr->n_months; m++) {
            const double *d = gr->demand + (size_t)m * COR_N_DEMOS;
            cor_cal_format_month(gr->month0 + m, mo);
            fprintf(f, "%s,%.2f,%.2f,%.2f\n", mo, d[0], d[1], d[2]);
        }
        const int bad = ferror(f);
        if (fclose(f) || bad || rename(tmp, path))
            return werr(c, path);
    }
    char old[PATH_MAX + 16];
    snprintf(old, sizeof old, "%s.old", dir);
    rmtree1(old);
    if (rename(dir, old) && errno != ENOENT)
        return werr(c, dir);
    if (rename(part, dir))
        return werr(c, dir);
    rmtree1(old);
    return COR_OK;
}

static cJSON *num_array(const double *v, int n)
{
    cJSON *a = cJSON_CreateArray();
    for (int i = 0; a && i < n; i++)
        cJSON_AddItemToArray(a, cJSON_CreateNumber(v[i]));
    return a;
}

static double total(const double *d, int n)
{
    double s = 0;
    for (int i = 0; i < n * COR_N_DEMOS; i++)
        s += d[i];
    return s;
}

static int write_json(cor_calib *c, const char *path, const char *date)
{
    char m1[8], m2[8], mu[8], seed[32], tmp[PATH_MAX + 16];
    cor_cal_format_month(c->fit_first, m1);
    cor_cal_format_month(c->fit_last, m2);
    cor_cal_format_month(c->opt.until, mu);
    snprintf(seed, sizeof seed, "%llu", (unsigned long long)c->seed);
    cJSON *j = cJSON_CreateObject();
    cJSON_AddStringToObject(j, "scenario", c->scenario_path);
    cJSON_AddStringToObject(j, "scenario_name", c->scenario_name);
    cJSON_AddStringToObject(j, "date", date);
    cJSON_AddStringToObject(j, "corredor_version", cor_version());
    cJSON_AddStringToObject(j, "until", mu);
    cJSON_AddStringToObject(j, "fit_from", m1);
    cJSON_AddStringToObject(j, "fit_to", m2);
    cJSON_AddNumberToObject(j, "fit_months", c->n_fit);
    cJSON_AddNumberToObject(j, "scale", c->opt.scale);
    cJSON_AddStringToObject(j, "seed", seed);
    cJSON_AddNumberToObject(j, "runs_per_evaluation", c->opt.reps);
    cJSON_AddNumberToObject(j, "threads", c->opt.threads);
    cJSON_AddStringToObject(j, "optimiser", "NLopt LN_BOBYQA");
    cJSON_AddNumberToObject(j, "max_evals_per_round", c->opt.max_evals);
    cJSON_AddNumberToObject(j, "rounds", c->rounds_done);
    cJSON_AddNumberToObject(j, "evaluations", c->evals);
    cJSON_AddNumberToObject(j, "runs", c->sims);
    cJSON_AddNumberToObject(j, "runtime_s", c->runtime_s);
    cJSON *o = cJSON_AddObjectToObject(j, "objective");
    cJSON_AddNumberToObject(o, "start", c->obj_start);
    cJSON_AddNumberToObject(o, "end", c->obj_end);
    cJSON_AddNumberToObject(o, "J_start", c->J_start);
    cJSON_AddNumberToObject(o, "J_end", c->J_end);
    cJSON_AddStringToObject(o, "form", "ln J + lambda * sum (u - u0)^2");
    cJSON_AddNumberToObject(o, "prior_weight_lambda", c->lambda);
    cJSON_AddNumberToObject(o, "sigma2", c->sigma2);
    cJSON_AddNumberToObject(o, "n_eff", c->n_eff);
    cJSON_AddNumberToObject(o, "rho", c->rho);
    cJSON_AddNumberToObject(o, "monte_carlo_J", c->noise_J);
    cJSON_AddNumberToObject(o, "screen_threshold", c->screen_threshold);
    cJSON_AddNumberToObject(o, "screen_one_group_share", c->confine_share);
    cJSON *rs = cJSON_AddArrayToObject(o, "rounds");
    for (int r = 0; r < c->rounds_done; r++) {
        cJSON *e = cJSON_CreateObject();
        cJSON_AddNumberToObject(e, "objective_start", c->round_obj_start[r]);
        cJSON_AddNumberToObject(e, "objective_end", c->round_obj_end[r]);
        cJSON_AddNumberToObject(e, "evaluations", c->round_evals[r]);
        cJSON_AddNumberToObject(e, "inversion_runs", c->round_inv_iters[r]);
        cJSON_AddNumberToObject(e, "inversion_residual_start", c->round_inv_start[r]);
        cJSON_AddNumberToObject(e, "inversion_residual_end", c->round_inv_end[r]);
        cJSON *v = cJSON_AddObjectToObject(e, "values");
        for (int i = 0; i < c->n_params; i++)
            if (c->params[i].status == COR_CAL_FITTED)
                cJSON_AddNumberToObject(v, c->params[i].name, c->round_values[(size_t)r * (size_t)c->n_params + (size_t)i]);
        cJSON_AddItemToArray(rs, e);
    }
    cJSON *fit = cJSON_AddObjectToObject(j, "fit");
    cJSON_AddNumberToObject(fit, "sw_mape_prior", c->mape_start);
    cJSON_AddNumberToObject(fit, "sw_corr_prior", c->corr_start);
    cJSON_AddNumberToObject(fit, "sw_mape_fitted_params_prior_demand", c->mape_params);
    cJSON_AddNumberToObject(fit, "sw_corr_fitted_params_prior_demand", c->corr_params);
    cJSON_AddNumberToObject(fit, "sw_mape", c->mape_end);
    cJSON_AddNumberToObject(fit, "sw_corr", c->corr_end);
    cJSON *mon = cJSON_AddArrayToObject(fit, "monthly");
    for (int t = 0; t < c->n_fit; t++) {
        char m[8];
        cor_cal_format_month(c->fit_first + t, m);
        cJSON *e = cJSON_CreateObject();
        cJSON_AddStringToObject(e, "month", m);
        cJSON_AddNumberToObject(e, "observed", c->sw_obs[t]);
        cJSON_AddNumberToObject(e, "prior", c->sw_start[t]);
        cJSON_AddNumberToObject(e, "fitted_params_prior_demand", c->sw_params[t]);
        cJSON_AddNumberToObject(e, "final", c->sw_end[t]);
        cJSON_AddItemToArray(mon, e);
    }
    cJSON *ps = cJSON_AddArrayToObject(j, "parameters");
    for (int i = 0; i < c->n_params; i++) {
        const cor_cal_param *p = &c->params[i];
        cJSON *e = cJSON_CreateObject();
        cJSON_AddStringToObject(e, "name", p->name);
        cJSON_AddStringToObject(e, "status", p->status == COR_CAL_FITTED         ? "fitted"
                                             : p->status == COR_CAL_FIXED_SCREEN ? "kept_no_effect"
                                             : p->status == COR_CAL_FIXED_GROUP  ? "kept_one_group"
                                                                                 : "kept_fix");
        cJSON_AddNumberToObject(e, "prior", p->start);
        cJSON_AddNumberToObject(e, "value", p->value);
        cJSON_AddItemToObject(e, "range", num_array((double[]){p->lo, p->hi}, 2));
        if (p->status == COR_CAL_FITTED && !isnan(p->ci_lo))
            cJSON_AddItemToObject(e, "ci90", num_array((double[]){p->ci_lo, p->ci_hi}, 2));
        cJSON_AddNumberToObject(e, "screen_effect", p->effect);
        if (p->top_group >= 0) {
            cJSON_AddStringToObject(e, "screen_top_group", c->groups[p->top_group].id);
            cJSON_AddNumberToObject(e, "screen_top_group_share", p->top_share);
        }
        cJSON_AddBoolToObject(e, "log_scale", p->logscale);
        cJSON_AddBoolToObject(e, "identified", p->identified);
        cJSON_AddItemToArray(ps, e);
    }
    cJSON *dm = cJSON_AddObjectToObject(j, "demand");
    cJSON_AddBoolToObject(dm, "converged_to_monte_carlo_level", c->inv_converged);
    cJSON_AddItemToObject(dm, "last_inversion_residual", num_array(c->inv_res, c->inv_iters));
    cJSON *gs = cJSON_AddArrayToObject(dm, "groups");
    for (int g = 0; g < c->n_groups; g++) {
        const cor_cal_group *gr = &c->groups[g];
        cJSON *e = cJSON_CreateObject();
        cJSON_AddStringToObject(e, "id", gr->id);
        cJSON_AddBoolToObject(e, "observed", gr->observed);
        if (gr->observed) {
            cJSON_AddNumberToObject(e, "mean_lag_months", gr->mean_lag);
            cJSON_AddItemToObject(e, "kernel", num_array(gr->kernel, COR_CAL_KMAX + 1));
            cJSON_AddNumberToObject(e, "clamped_months", gr->clamped);
            cJSON_AddNumberToObject(e, "rms_log_residual_prior", gr->rms_start);
            cJSON_AddNumberToObject(e, "rms_log_residual_final", gr->rms_end);
            cJSON_AddNumberToObject(e, "encounters_observed", gr->obs_total);
            cJSON_AddNumberToObject(e, "encounters_prior", gr->model_start_total);
            cJSON_AddNumberToObject(e, "encounters_final", gr->model_end_total);
            const size_t off = (size_t)g * (size_t)c->n_fit;
            cJSON_AddItemToObject(e, "monthly_observed", num_array(c->enc_obs + off, c->n_fit));
            cJSON_AddItemToObject(e, "monthly_prior", num_array(c->enc_start + off, c->n_fit));
            cJSON_AddItemToObject(e, "monthly_final", num_array(c->enc_end + off, c->n_fit));
        }
        cJSON_AddNumberToObject(e, "demand_prior_total", total(gr->prior, gr->n_months));
        cJSON_AddNumberToObject(e, "demand_total", total(gr->demand, gr->n_months));
        cJSON_AddItemToArray(gs, e);
    }
    char *text = cJSON_Print(j);
    cJSON_Delete(j);
    if (!text) {
        snprintf(c->errmsg, sizeof c->errmsg, "out of memory");
        return COR_ENOMEM;
    }
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    FILE *f = fopen(tmp, "w");
    int rc = COR_OK;
    if (!f || fputs(text, f) < 0 || fputc('\n', f) < 0 || ferror(f))
        rc = werr(c, tmp);
    if (f && fclose(f) && rc == COR_OK)
        rc = werr(c, tmp);
    if (rc == COR_OK && rename(tmp, path))
        rc = werr(c, path);
    if (rc != COR_OK)
        remove(tmp);
    free(text);
    return rc;
}

static void yaml_header(FILE *f, const cor_calib *c, const char *date)
{
    char m1[8], m2[8], mu[8];
    cor_cal_format_month(c->fit_first, m1);
    cor_cal_format_month(c->fit_last, m2);
    cor_cal_format_month(c->opt.until, mu);
    fprintf(f, "# Calibrated overlay of %s, written by corredor calibrate on %s (docs/CALIBRATION.md).\n",
            c->scenario_path, date);
    fprintf(f, "# Fitted to USBP southwest encounters by group, %s .. %s (--until %s), scale %g, seed %llu,\n", m1, m2,
            mu, c->opt.scale, (unsigned long long)c->seed);
    fprintf(f, "# %d runs per evaluation (common random numbers), NLopt BOBYQA.\n", c->opt.reps);
    fprintf(f, "# Use this file as the scenario (corredor run FILE, corredor validate FILE), not as --params:\n"
               "# it names its base itself.\n");
    fprintf(f, "# %d round(s), %d evaluations (%d runs), %.0f s; J %.6f at the prior values.\n", c->rounds_done,
            c->evals, c->sims, c->runtime_s, c->J_start);
    for (int r = 0; r < c->rounds_done; r++)
        if (c->round_evals[r] > 0)
            fprintf(f, "# Round %d objective (ln J + prior pull%s): %.4f -> %.4f in %d evaluations.\n", r + 1,
                    r > 0 ? ", J against the demand correction: not comparable with round 1" : "",
                    c->round_obj_start[r], c->round_obj_end[r], c->round_evals[r]);
    fprintf(f, "# Monthly SW encounters %s .. %s: prior run MAPE %.1f%%, correlation %.3f; fitted parameters with the"
               " prior demand MAPE %.1f%%, correlation %.3f; with the re-estimated demand MAPE %.1f%%, correlation %.3f.\n",
            m1, m2, c->mape_start, c->corr_start, c->mape_params, c->corr_params, c->mape_end, c->corr_end);
    if (c->inv_iters > 0)
        fprintf(f, "# Demand inversion (last round): residual J %.6f -> %.6f in %d runs (Monte Carlo level of the prior"
                   " run %.6f)%s.\n",
                c->inv_res[0], c->round_inv_end[c->rounds_done > 0 ? c->rounds_done - 1 : 0], c->inv_iters, c->noise_J,
                c->inv_converged ? ", converged" : "");
    fprintf(f, "# Parameters (prior -> fitted [approximate 90%% interval]); kept: effect of the whole range on the"
               " encounters below %.3f, or %.0f%% of it on one group:\n", c->screen_threshold, 100 * c->confine_share);
    for (int i = 0; i < c->n_params; i++) {
        const cor_cal_param *p = &c->params[i];
        if (p->status == COR_CAL_FITTED)
            fprintf(f, "#   %-34s %.6g -> %.6g [%.6g, %.6g]%s\n", p->name, p->start, p->value, p->ci_lo, p->ci_hi,
                    p->identified ? "" : " (weakly identified)");
        else
            fprintf(f, "#   %-34s %.6g %s, effect %.4f%s%s\n", p->name, p->start, status_text(p), p->effect,
                    p->status == COR_CAL_FIXED_GROUP ? ", on " : "",
                    p->status == COR_CAL_FIXED_GROUP ? c->groups[p->top_group].id : "");
    }
    fprintf(f, "# Statistics in the .json file next to this one.\n\n");
}

static int write_yaml(cor_calib *c, const cor_scenario *sc, const char *path, const char *base_rel,
                      const char *demand_rel, const char *date)
{
    char tmp[PATH_MAX + 16], mu[8];
    cor_cal_format_month(c->opt.until, mu);
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    FILE *f = fopen(tmp, "w");
    if (!f)
        return werr(c, tmp);
    yaml_header(f, c, date);
    fprintf(f, "base: ");
    cor_cal_yaml_quote(f, base_rel);
    fprintf(f, "\n\nmeta:\n  name: ");
    char name[600];
    snprintf(name, sizeof name, "%s-calibrated", c->scenario_name);
    cor_cal_yaml_quote(f, name);
    fprintf(f, "\n");
    int nfit = 0;
    for (int i = 0; i < c->n_params; i++)
        nfit += c->params[i].status == COR_CAL_FITTED;
    if (nfit)
        fprintf(f, "\nparameters:\n");
    for (int i = 0; i < c->n_params; i++) {
        const cor_cal_param *p = &c->params[i];
        if (p->status != COR_CAL_FITTED)
            continue;
        const cor_sc_param *sp = cor_sc_param_find(sc, p->name);
        char note[4096];
        snprintf(note, sizeof note,
                 "fitted by corredor calibrate on %s: until %s, scale %g, seed %llu, %d runs per evaluation; objective "
                 "%.6f (%.6f at the prior values); approximate 90%% interval [%.6g, %.6g]%s; prior value %.6g. "
                 "Prior note: %s",
                 date, mu, c->opt.scale, (unsigned long long)c->seed, c->opt.reps, c->obj_end, c->obj_start, p->ci_lo,
                 p->ci_hi, p->identified ? "" : " (weakly identified by the encounters)", p->start,
                 sp && sp->note ? sp->note : "");
        fprintf(f, "  %s:\n    value: %.6g\n    calibrated: [%.10g, %.10g]\n    note: ", p->name, p->value, p->lo,
                p->hi);
        cor_cal_yaml_quote(f, note);
        fprintf(f, "\n");
    }
    int first = 1;
    for (int g = 0; g < c->n_groups; g++) {
        const cor_cal_group *gr = &c->groups[g];
        const int pi = cor_sc_population_index(sc, gr->id);
        if (!gr->observed || pi < 0)
            continue;
        const cor_sc_population *pop = &sc->populations[pi];
        if (first)
            fprintf(f, "\npopulations:\n");
        first = 0;
        cor_cal_yaml_population(f, pop);
        char dp[PATH_MAX + 300], src[8192];
        snprintf(dp, sizeof dp, "%s/%s.csv", demand_rel, gr->id);
        fprintf(f, "    demand: ");
        cor_cal_yaml_quote(f, dp);
        snprintf(src, sizeof src,
                 "%s%sDemand re-estimated by corredor calibrate on %s (until %s, scale %g): the prior demand times a "
                 "monthly correction so that the model reproduces the group's USBP southwest encounters "
                 "(docs/CALIBRATION.md).",
                 pop->source ? pop->source : "", pop->source ? " | " : "", date, mu, c->opt.scale);
        fprintf(f, "\n    source: ");
        cor_cal_yaml_quote(f, src);
        fprintf(f, "\n");
    }
    const int bad = ferror(f);
    if (fclose(f) || bad || rename(tmp, path)) {
        remove(tmp);
        return werr(c, path);
    }
    return COR_OK;
}

int cor_calib_write(cor_calib *c, const char *yaml_path, const char *date)
{
    char stem[PATH_MAX], dir[PATH_MAX], ddir[PATH_MAX + 8], json[PATH_MAX + 8], base_rel[PATH_MAX], demand_rel[PATH_MAX + 16];
    size_t n = strlen(yaml_path);
    if (n >= sizeof stem - 16)
        return werr(c, yaml_path);
    snprintf(stem, sizeof stem, "%s", yaml_path);
    if (n > 5 && strcmp(stem + n - 5, ".yaml") == 0)
        stem[n - 5] = '\0';
    else if (n > 4 && strcmp(stem + n - 4, ".yml") == 0)
        stem[n - 4] = '\0';
    const char *slash = strrchr(yaml_path, '/');
    snprintf(dir, sizeof dir, "%.*s", slash ? (int)(slash - yaml_path) : 1, slash ? yaml_path : ".");
    if (slash == yaml_path)
        snprintf(dir, sizeof dir, "/");
    snprintf(ddir, sizeof ddir, "%s-demand", stem);
    snprintf(json, sizeof json, "%s.json", stem);
    const char *sstem = strrchr(stem, '/');
    snprintf(demand_rel, sizeof demand_rel, "%s-demand", sstem ? sstem + 1 : stem);
    errno = 0;
    if (cor_cal_mkdirs(dir))
        return werr(c, dir);
    if (relpath(dir, c->scenario_path, base_rel, sizeof base_rel))
        return werr(c, yaml_path);
    cor_scenario *sc = NULL;
    int rc = cor_scenario_load(c->scenario_path, &sc);
    if (rc != COR_OK) {
        snprintf(c->errmsg, sizeof c->errmsg, "%s", sc ? cor_scenario_errmsg(sc) : "out of memory");
        cor_scenario_free(sc);
        return rc;
    }
    rc = write_csvs(c, ddir);
    if (rc == COR_OK)
        rc = write_json(c, json, date);
    if (rc == COR_OK)
        rc = write_yaml(c, sc, yaml_path, base_rel, demand_rel, date);
    cor_scenario_free(sc);
    return rc;
}
