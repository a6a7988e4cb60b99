/* outputs.c - a run's output folder: monthly.csv, encounters_by_sector.csv,
 * series.csv, summary.json, run.json (see docs/OUTPUTS.md).
 *
 * Files are written into "<dir>.partial/" which is renamed to <dir> only
 * when every file is complete, so a killed run never leaves a folder that
 * looks finished. */
#include "output/outputs.h"

#include <cjson/cJSON.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "engine/calendar.h"
#include "engine/rules.h"
#include "engine/sim.h"

/* ---------------------------------------------------------------- folders */

static int mkdir_p(char *path)
{
    for (char *p = path + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = 0;
        int rc = mkdir(path, 0777);
        *p = '/';
        if (rc && errno != EEXIST)
            return -1;
    }
    return mkdir(path, 0777) && errno != EEXIST ? -1 : 0;
}

/* Remove a folder of plain files (our own output folders are flat). */
static int remove_flat_dir(const char *path)
{
    DIR *d = opendir(path);
    if (!d)
        return errno == ENOENT ? 0 : -1;
    struct dirent *e;
    char buf[4096];
    while ((e = readdir(d))) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        snprintf(buf, sizeof buf, "%s/%s", path, e->d_name);
        if (unlink(buf)) {
            closedir(d);
            return -1;
        }
    }
    closedir(d);
    return rmdir(path);
}

static int exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

/* ---------------------------------------------------------------- writers */

typedef struct {
    cor_sim *sim;
    const char *dir;
    char path[4096];
} writer;

static FILE *open_out(writer *w, const char *name)
{
    snprintf(w->path, sizeof w->path, "%s/%s", w->dir, name);
    FILE *f = fopen(w->path, "w");
    if (!f)
        cor_sim_fail(w->sim, COR_EIO, "cannot write '%s': %s", w->path, strerror(errno));
    return f;
}

static int close_out(writer *w, FILE *f)
{
    int bad = ferror(f);
    if (fclose(f) || bad)
        return cor_sim_fail(w->sim, COR_EIO, "cannot write '%s': %s", w->path, strerror(errno ? errno : EIO));
    return COR_OK;
}

static double people(const cor_sim *sim, int64_t agents) { return (double)agents * sim->scale; }

static int write_monthly(writer *w)
{
    const cor_sim *sim = w->sim;
    FILE *f = open_out(w, "monthly.csv");
    if (!f)
        return COR_EIO;
    fprintf(f, "month,place,status,people\n");
    int P = sim->net.n_places, S = sim->n_status;
    for (int m = 0; m < sim->n_months; m++) {
        char ms[8];
        cor_format_month(sim->month0 + m, ms);
        for (int p = 0; p < P; p++)
            for (int s = 0; s < S; s++) {
                int64_t v = sim->stocks[((int64_t)m * P + p) * S + s];
                if (v)
                    fprintf(f, "%s,%s,%s,%.15g\n", ms, sim->sc->places[p].id, sim->status_names[s], people(sim, v));
            }
    }
    return close_out(w, f);
}

/* series.csv: every stored cell, empty where a dimension does not apply. */
static int write_series(writer *w)
{
    const cor_sim *sim = w->sim;
    const cor_series *r = &sim->series;
    FILE *f = open_out(w, "series.csv");
    if (!f)
        return COR_EIO;
    fprintf(f, "month,series,place,group,demographic,value\n");
    for (int64_t i = 0; i < r->n_rec; i++) {
        const cor_series_rec *x = &r->rec[i];
        char ms[8];
        cor_format_month(x->month, ms);
        fprintf(f, "%s,%s,%s,%s,%s,%.15g\n", ms, r->defs[x->series].name, x->place >= 0 ? sim->sc->places[x->place].id : "",
                x->group >= 0 ? sim->sc->populations[x->group].id : "", x->demo >= 0 ? cor_demo_names[x->demo] : "",
                x->value);
    }
    return close_out(w, f);
}

/* encounters_by_sector.csv: the us_encounters series at us_sector places,
 * named by sector. */
static int write_sectors(writer *w)
{
    const cor_sim *sim = w->sim;
    const cor_series *r = &sim->series;
    int s = cor_series_lookup(r, "us_encounters");
    FILE *f = open_out(w, "encounters_by_sector.csv");
    if (!f)
        return COR_EIO;
    fprintf(f, "month,sector,group,demographic,people\n");
    for (int64_t i = 0; s >= 0 && i < r->n_rec; i++) {
        const cor_series_rec *x = &r->rec[i];
        if (x->series != s || x->place < 0 || sim->net.kind[x->place] != COR_KIND_US_SECTOR || x->group < 0 ||
            x->demo < 0)
            continue;
        char ms[8];
        cor_format_month(x->month, ms);
        fprintf(f, "%s,%s,%s,%s,%.15g\n", ms, sim->sc->places[x->place].name, sim->sc->populations[x->group].id,
                cor_demo_names[x->demo], x->value);
    }
    return close_out(w, f);
}

static int write_json(writer *w, const char *name, cJSON *root)
{
    char *text = root ? cJSON_Print(root) : NULL;
    cJSON_Delete(root);
    if (!text)
        return cor_sim_fail(w->sim, COR_ENOMEM, "out of memory writing %s", name);
    FILE *f = open_out(w, name);
    if (!f) {
        free(text);
        return COR_EIO;
    }
    fputs(text, f);
    fputc('\n', f);
    free(text);
    return close_out(w, f);
}

/* The headline keys every summary carries (0 when no loaded module counts
 * them), then any further keys the modules declare. */
static const char *const headline_keys[] = {
    "us_encounters",     "title42_expulsions", "mpp_returned",       "mpp_stranded_peak", "cbp_one_entries",
    "parole_arrivals",   "inm_detentions",     "deportations_land",  "deportations_air",  "comar_applications",
    "comar_backlog_end", "tvrh_issued",        "refoulements",       "crimes",            "crimes_by_officials",
    "deaths",            "closure_cost_usd",
};

const char *const *cor_headline_keys(int *n)
{
    *n = (int)(sizeof headline_keys / sizeof *headline_keys);
    return headline_keys;
}

static void headlines(const cor_sim *sim, cJSON *obj, int year)
{
    size_t nk = sizeof headline_keys / sizeof *headline_keys;
    for (size_t k = 0; k < nk; k++) {
        double v = 0;
        cor_sim_summary(sim, headline_keys[k], year, &v);
        cJSON_AddNumberToObject(obj, headline_keys[k], v);
    }
    for (int s = 0; s < sim->series.n; s++) {
        const char *key = sim->series.defs[s].key;
        if (!key || cJSON_GetObjectItemCaseSensitive(obj, key))
            continue;
        double v = 0;
        cor_sim_summary(sim, key, year, &v);
        cJSON_AddNumberToObject(obj, key, v);
    }
}

static cJSON *summary_json(const cor_sim *sim)
{
    cJSON *o = cJSON_CreateObject();
    char d0[11], d1[11];
    cor_format_date(sim->sc->start, d0);
    cor_format_date(sim->sc->end, d1);
    cJSON_AddStringToObject(o, "scenario", sim->sc->name);
    cJSON_AddStringToObject(o, "start", d0);
    cJSON_AddStringToObject(o, "end", d1);
    cJSON_AddNumberToObject(o, "scale", sim->scale);
    cJSON_AddNumberToObject(o, "agents_spawned", (double)sim->spawned);
    cJSON_AddNumberToObject(o, "people_spawned", people(sim, sim->spawned));

    cJSON *by_status = cJSON_AddObjectToObject(o, "people_by_status_at_end");
    for (int s = 0; s < sim->n_status; s++)
        cJSON_AddNumberToObject(by_status, sim->status_names[s], people(sim, cor_sim_agents_in_status(sim, s)));
    cJSON *by_kind = cJSON_AddObjectToObject(o, "people_by_place_kind_at_end");
    for (int k = 0; k < COR_N_KINDS; k++) {
        int64_t n = 0;
        for (int p = 0; p < sim->net.n_places; p++)
            if (sim->net.kind[p] == k)
                for (int s = 0; s < sim->n_status; s++)
                    n += cor_count(sim, p, s);
        cJSON_AddNumberToObject(by_kind, cor_kind_names[k], people(sim, n));
    }

    int s_enc = cor_series_lookup(&sim->series, "us_encounters");
    int last = sim->month0 + sim->n_months - 1;
    int from12 = last - 11 > sim->month0 ? last - 11 : sim->month0;
    cJSON *enc = cJSON_AddObjectToObject(o, "encounters_by_sector");
    cJSON *enc12 = cJSON_AddObjectToObject(o, "encounters_by_sector_last_12_months");
    for (int p = 0; s_enc >= 0 && p < sim->net.n_places; p++) {
        if (sim->net.kind[p] != COR_KIND_US_SECTOR)
            continue;
        double recent = 0;
        for (int m = from12; m <= last; m++)
            recent += cor_sim_series_value(sim, s_enc, p, m);
        cJSON_AddNumberToObject(enc, sim->sc->places[p].name, cor_sim_series_value(sim, s_enc, p, -1));
        cJSON_AddNumberToObject(enc12, sim->sc->places[p].name, recent);
    }
    headlines(sim, cJSON_AddObjectToObject(o, "totals"), 0);
    cJSON *by_year = cJSON_AddObjectToObject(o, "by_year");
    for (int y = sim->month0 / 12; y <= last / 12; y++) {
        char ys[16];
        snprintf(ys, sizeof ys, "%d", y);
        headlines(sim, cJSON_AddObjectToObject(by_year, ys), y);
    }

    const cor_perf *pf = &sim->perf;
    cJSON *perf = cJSON_AddObjectToObject(o, "performance");
    cJSON_AddNumberToObject(perf, "threads", sim->threads);
    cJSON_AddNumberToObject(perf, "runtime_s", pf->runtime_s);
    cJSON_AddNumberToObject(perf, "agent_days", (double)pf->agent_days);
    cJSON_AddNumberToObject(perf, "agent_days_per_s", pf->runtime_s > 0 ? (double)pf->agent_days / pf->runtime_s : 0);
    cJSON_AddNumberToObject(perf, "decisions", (double)pf->decisions);
    cJSON_AddNumberToObject(perf, "decisions_per_s", pf->runtime_s > 0 ? (double)pf->decisions / pf->runtime_s : 0);
    cJSON_AddNumberToObject(perf, "bytes_per_agent", (double)cor_agents_bytes_per_agent(&sim->agents));
    return o;
}

static cJSON *run_json(const cor_sim *sim)
{
    cJSON *o = cJSON_CreateObject();
    char hash[40], seed[24], d0[11], d1[11];
    snprintf(hash, sizeof hash, "%016llx%016llx", (unsigned long long)sim->sc->hash_hi,
             (unsigned long long)sim->sc->hash_lo);
    snprintf(seed, sizeof seed, "%llu", (unsigned long long)sim->rng.seed);
    cor_format_date(sim->sc->start, d0);
    cor_format_date(sim->sc->end, d1);
    cJSON_AddStringToObject(o, "corredor_version", COR_VERSION);
    cJSON_AddStringToObject(o, "scenario", sim->sc->name);
    cJSON_AddStringToObject(o, "scenario_hash_xxh3_128", hash);
    cJSON *files = cJSON_AddArrayToObject(o, "scenario_files");
    for (int i = 0; i < sim->sc->n_files; i++)
        cJSON_AddItemToArray(files, cJSON_CreateString(sim->sc->files[i]));
    cJSON_AddStringToObject(o, "seed", seed); /* a string: 64-bit seeds do not fit a JSON double */
    cJSON_AddNumberToObject(o, "run", (double)sim->rng.run);
    cJSON_AddNumberToObject(o, "threads", sim->threads);
    cJSON_AddNumberToObject(o, "scale", sim->scale);
    cJSON_AddStringToObject(o, "start", d0);
    cJSON_AddStringToObject(o, "end", d1);
    cJSON *layers = cJSON_AddArrayToObject(o, "rule_layers");
    for (int l = 0; l < sim->n_layers; l++)
        cJSON_AddItemToArray(layers, cJSON_CreateString(sim->layers[l].rules->name));
    return o;
}

int cor_sim_write_outputs(cor_sim *sim, const char *dir)
{
    if (!sim->initialised)
        return cor_sim_fail(sim, COR_ESTATE, "no run to write");
    size_t n = strlen(dir);
    while (n > 1 && dir[n - 1] == '/')
        n--;
    if (n == 0 || n > 3000)
        return cor_sim_fail(sim, COR_EARG, "bad output folder '%s'", dir);
    char final[3100], partial[3200], old[3200];
    snprintf(final, sizeof final, "%.*s", (int)n, dir);
    snprintf(partial, sizeof partial, "%.*s.partial", (int)n, dir);
    snprintf(old, sizeof old, "%.*s.old", (int)n, dir);
    if (remove_flat_dir(partial) || mkdir_p(partial))
        return cor_sim_fail(sim, COR_EIO, "cannot create '%s': %s", partial, strerror(errno));
    writer w = {sim, partial, {0}};
    int rc;
    if ((rc = write_monthly(&w)) || (rc = write_sectors(&w)) || (rc = write_series(&w)) ||
        (rc = write_json(&w, "summary.json", summary_json(sim))) ||
        (rc = write_json(&w, "run.json", run_json(sim))))
        return rc;
    if (exists(final)) {
        if (remove_flat_dir(old) || rename(final, old))
            return cor_sim_fail(sim, COR_EIO, "cannot replace '%s': %s", final, strerror(errno));
    }
    if (rename(partial, final))
        return cor_sim_fail(sim, COR_EIO, "cannot rename '%s' to '%s': %s", partial, final, strerror(errno));
    if (remove_flat_dir(old))
        return cor_sim_fail(sim, COR_EIO, "cannot remove '%s': %s", old, strerror(errno));
    return COR_OK;
}
