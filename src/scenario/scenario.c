/* scenario.c - loading scenarios: the public API, reading files (each one
 * hashed and listed in sc->files), following `base:` chains, overlays and
 * fragments.  Parsing is in scenario_parse.c / scenario_groups.c, merging in
 * scenario_merge.c and the checks of the merged result in scenario_check.c. */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L
#endif
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "scenario/scenario_internal.h"

const char *const cor_kind_names[COR_N_KINDS] = {"origin",      "border_crossing", "transit",    "shelter",
                                                 "border_city", "us_sector",       "destination"};
const char *const cor_mode_names[COR_N_MODES] = {"road", "bus", "rail", "foot", "river", "sea", "air"};
const char *const cor_demo_names[COR_N_DEMOS] = {"single_adults", "family_members", "unaccompanied_children"};

/* A base chain longer than this is refused (it is almost surely a mistake). */
#define MAX_BASE_DEPTH 32

enum { LOAD_FULL, LOAD_FRAGMENT, LOAD_OVERLAY };

int sc_nomem(cor_scenario *sc)
{
    snprintf(sc->errmsg, sizeof sc->errmsg, "out of memory");
    return COR_ENOMEM;
}

char *sc_join(const char *file, const char *rel)
{
    const char *slash = strrchr(file, '/');
    if (rel[0] == '/' || !slash)
        return sc_strdup(rel);
    size_t dl = (size_t)(slash - file) + 1, rl = strlen(rel);
    char *s = malloc(dl + rl + 1);
    if (s) {
        memcpy(s, file, dl);
        memcpy(s + dl, rel, rl + 1);
    }
    return s;
}

/* Keep a copy of `path` in sc->files; *file points at it. */
static int add_file(cor_scenario *sc, const char *path, const char **file)
{
    char **f = realloc(sc->files, ((size_t)sc->n_files + 1) * sizeof *f);
    if (!f)
        return sc_nomem(sc);
    sc->files = f;
    if (!(f[sc->n_files] = sc_strdup(path)))
        return sc_nomem(sc);
    *file = f[sc->n_files++];
    return COR_OK;
}

static void scrub(char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s < 0x20 || *s == 0x7f)
            *s = ' ';
}

int sc_read_file(cor_scenario *sc, const char *path, cor_pos at, const char *field, char **out, size_t *out_len,
                 const char **file, uint64_t *dev, uint64_t *ino)
{
    struct stat st;
    FILE *fp = NULL;
    char *buf = NULL;
    size_t len = 0;
    int err = 0;
    if (stat(path, &st) != 0)
        err = errno;
    else if (S_ISDIR(st.st_mode))
        err = EISDIR;
    else if (!S_ISREG(st.st_mode))
        err = -1;
    else if (!(fp = fopen(path, "rb")))
        err = errno;
    else {
        size_t cap = (size_t)st.st_size + 1 > 4096 ? (size_t)st.st_size + 1 : 4096;
        if (!(buf = malloc(cap))) {
            fclose(fp);
            return sc_nomem(sc);
        }
        for (;;) {
            if (len + 1 == cap) {
                char *b = cap < SIZE_MAX / 2 ? realloc(buf, cap * 2) : NULL;
                if (!b) {
                    free(buf);
                    fclose(fp);
                    return sc_nomem(sc);
                }
                buf = b;
                cap *= 2;
            }
            size_t got = fread(buf + len, 1, cap - len - 1, fp);
            len += got;
            if (got == 0)
                break;
        }
        if (ferror(fp))
            err = errno ? errno : EIO;
        fclose(fp);
    }
    if (err) {
        char reason[128] = "not a regular file";
        if (err > 0 && strerror_r(err, reason, sizeof reason) != 0)
            snprintf(reason, sizeof reason, "error %d", err);
        free(buf);
        if (at.file)
            cor_sc_error(sc, at, field, "cannot read '%s': %s", path, reason);
        else {
            snprintf(sc->errmsg, sizeof sc->errmsg, "%s: cannot read: %s", path, reason);
            scrub(sc->errmsg);
        }
        return COR_EIO;
    }
    buf[len] = '\0';
    int rc = add_file(sc, path, file);
    if (rc) {
        free(buf);
        return rc;
    }
    XXH3_128bits_update(sc->state->hash, buf, len);
    *out = buf;
    *out_len = len;
    *dev = (uint64_t)st.st_dev;
    *ino = (uint64_t)st.st_ino;
    return COR_OK;
}

/* ------------------------------------------------------------- base chains */

typedef struct frame {
    const struct frame *up;
    uint64_t dev, ino;
    int has_id;             /* a file on disk (not the in-memory top) */
    const char *file;
} frame;

static int cycle_error(cor_scenario *sc, cor_pos at, const frame *me)
{
    const frame *chain[MAX_BASE_DEPTH + 2];
    int n = 0;
    for (const frame *f = me; f && n < MAX_BASE_DEPTH + 2; f = f->up)
        chain[n++] = f;
    char list[768] = "";
    size_t used = 0;
    for (int i = n - 1; i >= 0 && used < sizeof list; i--)
        used += (size_t)snprintf(list + used, sizeof list - used, "%s%s", i == n - 1 ? "" : " -> ", chain[i]->file);
    return cor_sc_error(sc, at, "base", "cycle: %s", list);
}

/* Load `path` (or the in-memory text mem[0..memlen)) and, in LOAD_FULL mode,
 * its base chain, applying each file onto sc from the deepest base up. */
static int load_file(cor_scenario *sc, const char *path, const void *mem, size_t memlen, cor_pos at, const frame *up,
                     int depth, int mode)
{
    char *buf = NULL;
    size_t len = 0;
    const char *file;
    uint64_t dev = 0, ino = 0;
    int rc;
    if (mem) {
        if ((rc = add_file(sc, path, &file)))
            return rc;
        XXH3_128bits_update(sc->state->hash, mem, memlen);
    } else if ((rc = sc_read_file(sc, path, at, "base", &buf, &len, &file, &dev, &ino))) {
        return rc;
    }
    frame me = {up, dev, ino, !mem, file};
    for (const frame *f = up; f && !mem; f = f->up)
        if (f->has_id && f->dev == dev && f->ino == ino) {
            free(buf);
            return cycle_error(sc, at, &me);
        }
    if (depth > MAX_BASE_DEPTH) {
        free(buf);
        return cor_sc_error(sc, at, "base", "the base chain is longer than %d files", MAX_BASE_DEPTH);
    }

    yt_node *root;
    yt_error e;
    int prc = yt_parse(mem ? mem : buf, mem ? memlen : len, &root, &e);
    free(buf);
    if (prc)
        return e.nomem ? sc_nomem(sc) : cor_sc_error(sc, (cor_pos){file, e.line}, e.field, "%s", e.msg);
    sc_in in = {sc, file};
    sc_layer L;
    rc = sc_parse_layer(&in, root, &L);
    yt_free(root);
    if (!rc && depth == 0 && mode != LOAD_OVERLAY)
        sc->state->top = (cor_pos){file, L.meta_line ? L.meta_line : 1};
    if (!rc && L.base && mode == LOAD_OVERLAY)
        rc = sc_err(&in, L.base_line, "base", "not allowed in an overlay (it applies to the loaded scenario)");
    if (!rc && L.remove_line && mode == LOAD_FULL && !L.base)
        rc = sc_err(&in, L.remove_line, "remove", "only allowed in a file with base: (or in an overlay)");
    if (!rc && mode == LOAD_FRAGMENT)
        for (int k = 0; k < SC_N_RM; k++)
            sc_free_idlist(&L.remove[k]);
    if (!rc && L.base && mode == LOAD_FULL) {
        char *bp = sc_join(file, L.base);
        if (!bp)
            rc = sc_nomem(sc);
        else
            rc = load_file(sc, bp, NULL, 0, (cor_pos){file, L.base_line}, &me, depth + 1, mode);
        free(bp);
    }
    if (!rc)
        rc = sc_apply_layer(&in, sc, &L);
    sc_layer_free(&L);
    return rc;
}

static void finish_hash(cor_scenario *sc)
{
    XXH128_hash_t h = XXH3_128bits_digest(sc->state->hash);
    sc->hash_lo = h.low64;
    sc->hash_hi = h.high64;
}

static cor_scenario *sc_new(void)
{
    cor_scenario *sc = calloc(1, sizeof *sc);
    if (!sc)
        return NULL;
    if (!(sc->state = calloc(1, sizeof *sc->state)) || !(sc->state->hash = XXH3_createState()) ||
        XXH3_128bits_reset(sc->state->hash) != XXH_OK) {
        cor_scenario_free(sc);
        return NULL;
    }
    return sc;
}

static int load_top(const char *path, const void *mem, size_t len, cor_scenario **out, int mode)
{
    if (!out)
        return COR_EARG;
    *out = NULL;
    cor_scenario *sc = sc_new();
    if (!sc)
        return COR_ENOMEM;
    *out = sc;
    if (!path) {
        snprintf(sc->errmsg, sizeof sc->errmsg, "no scenario file given");
        return COR_EARG;
    }
    int rc = load_file(sc, path, mem, len, (cor_pos){NULL, 0}, NULL, 0, mode);
    if (!rc && mode == LOAD_FULL)
        rc = sc_check(sc);
    finish_hash(sc);
    return rc;
}

/* ---------------------------------------------------------------- public API */

int cor_scenario_load(const char *path, cor_scenario **out)
{
    return load_top(path, NULL, 0, out, LOAD_FULL);
}

int cor_scenario_load_mem(const char *name, const void *buf, size_t len, cor_scenario **out)
{
    return load_top(name, buf ? buf : "", buf ? len : 0, out, LOAD_FULL);
}

int cor_scenario_load_fragment(const char *path, cor_scenario **out)
{
    return load_top(path, NULL, 0, out, LOAD_FRAGMENT);
}

int cor_scenario_overlay(cor_scenario *sc, const char *path)
{
    if (!sc || !path)
        return COR_EARG;
    sc->errmsg[0] = '\0';
    int rc = load_file(sc, path, NULL, 0, (cor_pos){NULL, 0}, NULL, 0, LOAD_OVERLAY);
    if (!rc)
        rc = sc_check(sc);
    finish_hash(sc);
    return rc;
}

const char *cor_scenario_errmsg(const cor_scenario *sc)
{
    return sc ? sc->errmsg : "out of memory";
}

const char *cor_scenario_name(const cor_scenario *sc)
{
    return sc && sc->name ? sc->name : "";
}

uint64_t cor_scenario_seed(const cor_scenario *sc) { return sc ? sc->seed : 0; }

int cor_scenario_n_params(const cor_scenario *sc) { return sc ? sc->n_params : 0; }

int cor_scenario_n_groups(const cor_scenario *sc) { return sc ? sc->n_populations : 0; }
const char *cor_scenario_group_id(const cor_scenario *sc, int g)
{
    return sc && g >= 0 && g < sc->n_populations ? sc->populations[g].id : NULL;
}
double *cor_scenario_demand(cor_scenario *sc, int g, int *month0, int *n_months)
{
    if (!sc || g < 0 || g >= sc->n_populations)
        return NULL;
    *month0 = sc->populations[g].demand_month0;
    *n_months = sc->populations[g].n_months;
    return sc->populations[g].demand;
}

const char *cor_scenario_param(const cor_scenario *sc, int i, double *value, int *provenance, double *lo, double *hi)
{
    if (!sc || i < 0 || i >= sc->n_params)
        return NULL;
    const cor_sc_param *p = &sc->params[i];
    if (value)
        *value = p->value;
    if (provenance)
        *provenance = p->prov == COR_PROV_SOURCE ? COR_PARAM_SOURCE
                      : p->prov == COR_PROV_CALIBRATED ? COR_PARAM_CALIBRATED : COR_PARAM_ASSUMED;
    if (lo)
        *lo = p->prov == COR_PROV_SOURCE ? p->value : p->lo;
    if (hi)
        *hi = p->prov == COR_PROV_SOURCE ? p->value : p->hi;
    return p->name;
}

int cor_scenario_set_param(cor_scenario *sc, const char *name, double value)
{
    for (int i = 0; sc && i < sc->n_params; i++)
        if (strcmp(sc->params[i].name, name) == 0) {
            sc->params[i].value = value;
            return COR_OK;
        }
    return COR_EARG;
}
double cor_scenario_scale(const cor_scenario *sc) { return sc ? sc->scale : 0; }

void cor_scenario_free(cor_scenario *sc)
{
    if (!sc)
        return;
    sc_free_items(sc);
    for (int i = 0; i < sc->n_files; i++)
        free(sc->files[i]);
    free(sc->files);
    if (sc->state) {
        if (sc->state->hash)
            XXH3_freeState(sc->state->hash);
        free(sc->state);
    }
    free(sc);
}

int cor_sc_place_index(const cor_scenario *sc, const char *id)
{
    for (int i = 0; sc && id && i < sc->n_places; i++)
        if (strcmp(sc->places[i].id, id) == 0)
            return i;
    return -1;
}

int cor_sc_link_index(const cor_scenario *sc, const char *id)
{
    for (int i = 0; sc && id && i < sc->n_links; i++)
        if (strcmp(sc->links[i].id, id) == 0)
            return i;
    return -1;
}

int cor_sc_population_index(const cor_scenario *sc, const char *id)
{
    for (int i = 0; sc && id && i < sc->n_populations; i++)
        if (strcmp(sc->populations[i].id, id) == 0)
            return i;
    return -1;
}

const cor_sc_param *cor_sc_param_find(const cor_scenario *sc, const char *name)
{
    for (int i = 0; sc && name && i < sc->n_params; i++)
        if (strcmp(sc->params[i].name, name) == 0)
            return &sc->params[i];
    return NULL;
}
