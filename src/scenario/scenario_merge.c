/* scenario_merge.c - applying one file's layer onto the scenario (see
 * "Overlays" in docs/SCENARIO.md), freeing items, and the id index. */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "scenario/scenario_internal.h"

/* -------------------------------------------------------------------- index */

int sc_index_init(sc_index *ix, size_t expected)
{
    size_t cap = 16;
    while (cap < 2 * expected + 2)
        cap *= 2;
    ix->keys = calloc(cap, sizeof *ix->keys);
    ix->vals = calloc(cap, sizeof *ix->vals);
    ix->cap = cap;
    ix->n = 0;
    if (!ix->keys || !ix->vals) {
        sc_index_free(ix);
        return COR_ENOMEM;
    }
    return COR_OK;
}

void sc_index_free(sc_index *ix)
{
    free(ix->keys);
    free(ix->vals);
    memset(ix, 0, sizeof *ix);
}

static size_t slot(const sc_index *ix, const char *key)
{
    size_t i = (size_t)XXH3_64bits(key, strlen(key)) & (ix->cap - 1);
    while (ix->keys[i] && strcmp(ix->keys[i], key) != 0)
        i = (i + 1) & (ix->cap - 1);
    return i;
}

int sc_index_get(const sc_index *ix, const char *key)
{
    if (!ix->cap)
        return -1;
    size_t i = slot(ix, key);
    return ix->keys[i] ? ix->vals[i] : -1;
}

int sc_index_put(sc_index *ix, const char *key, int val)
{
    if (2 * (ix->n + 1) > ix->cap) {
        sc_index big;
        if (sc_index_init(&big, ix->cap))
            return COR_ENOMEM;
        for (size_t i = 0; i < ix->cap; i++)
            if (ix->keys[i]) {
                size_t j = slot(&big, ix->keys[i]);
                big.keys[j] = ix->keys[i];
                big.vals[j] = ix->vals[i];
                big.n++;
            }
        sc_index_free(ix);
        *ix = big;
    }
    size_t i = slot(ix, key);
    if (!ix->keys[i])
        ix->n++;
    ix->keys[i] = key;
    ix->vals[i] = val;
    return COR_OK;
}

/* --------------------------------------------------------------------- free */

void sc_free_place(cor_sc_place *p)
{
    free(p->id);
    free(p->name);
    free(p->country);
    free(p->source);
}

void sc_free_link(cor_sc_link *l)
{
    free(l->id);
    free(l->from_id);
    free(l->to_id);
    free(l->source);
}

void sc_free_population(cor_sc_population *p)
{
    free(p->id);
    free(p->name);
    free(p->country);
    for (int i = 0; p->origins && i < p->n_origins; i++)
        free(p->origins[i].place_id);
    free(p->origins);
    free(p->demand);
    free(p->source);
}

void sc_free_param(cor_sc_param *p)
{
    free(p->name);
    free(p->source);
    free(p->note);
}

static void free_ids(char **ids, int n)
{
    for (int i = 0; ids && i < n; i++)
        free(ids[i]);
    free(ids);
}

void sc_free_lever(cor_sc_lever *l)
{
    cor_sc_scope *s = &l->scope;
    free(l->id);
    free(l->lever);
    free(l->source);
    free_ids(s->place_ids, s->n_places);
    free_ids(s->link_ids, s->n_links);
    free_ids(s->group_ids, s->n_groups);
    free(s->places);
    free(s->links);
    free(s->groups);
    free(s->place_lines);
    free(s->link_lines);
    free(s->group_lines);
}

void sc_free_idlist(sc_idlist *l)
{
    free_ids(l->ids, l->n);
    free(l->lines);
    memset(l, 0, sizeof *l);
}

void sc_free_modules(cor_scenario *sc)
{
    for (int i = 0; i < sc->n_modules; i++)
        free(sc->modules[i]);
    free(sc->modules);
    free(sc->module_lines);
    sc->modules = NULL, sc->module_lines = NULL, sc->n_modules = 0;
}

void sc_free_items(cor_scenario *sc)
{
    sc_free_modules(sc);
    free(sc->name);
    free(sc->description);
    free(sc->rules);
    for (int i = 0; sc->places && i < sc->n_places; i++)
        sc_free_place(&sc->places[i]);
    for (int i = 0; sc->links && i < sc->n_links; i++)
        sc_free_link(&sc->links[i]);
    for (int i = 0; sc->populations && i < sc->n_populations; i++)
        sc_free_population(&sc->populations[i]);
    for (int i = 0; sc->params && i < sc->n_params; i++)
        sc_free_param(&sc->params[i]);
    for (int i = 0; sc->timeline && i < sc->n_timeline; i++)
        sc_free_lever(&sc->timeline[i]);
    free(sc->places);
    free(sc->links);
    free(sc->populations);
    free(sc->params);
    free(sc->timeline);
    sc->name = sc->description = sc->rules = NULL;
    sc->places = NULL;
    sc->links = NULL;
    sc->populations = NULL;
    sc->params = NULL;
    sc->timeline = NULL;
    sc->n_places = sc->n_links = sc->n_populations = sc->n_params = sc->n_timeline = 0;
}

/* -------------------------------------------------------------------- merge */

/* One kind of item, handled generically: an array of `size`-byte items whose
 * id (char *) sits at `id_off`. */
typedef struct {
    void **arr;
    int *n;
    size_t size, id_off;
    void (*free_item)(void *);
    const char *what;       /* "place", for messages */
} kind_t;

static void free_place_v(void *p) { sc_free_place(p); }
static void free_link_v(void *p) { sc_free_link(p); }
static void free_population_v(void *p) { sc_free_population(p); }
static void free_param_v(void *p) { sc_free_param(p); }
static void free_lever_v(void *p) { sc_free_lever(p); }

static char *item_id(const kind_t *k, const void *arr, int i)
{
    char *item = (char *)arr + (size_t)i * k->size;
    char *id;
    memcpy(&id, item + k->id_off, sizeof id);
    return id;
}

static int find_id(const kind_t *k, const char *id)
{
    for (int i = 0; i < *k->n; i++) {
        const char *x = item_id(k, *k->arr, i);
        if (x && strcmp(x, id) == 0)
            return i;
    }
    return -1;
}

/* Drop the items listed in `rm` (by id) from the scenario. */
static int remove_items(sc_in *in, const kind_t *k, const sc_idlist *rm, const char *key)
{
    for (int r = 0; r < rm->n; r++) {
        int i = find_id(k, rm->ids[r]);
        if (i < 0) {
            char path[SC_PATH], f[SC_PATH];
            sc_path_key(path, "remove", key);
            sc_path_idx(f, path, r);
            return sc_err(in, rm->lines[r], f, "unknown %s id '%s'", k->what, rm->ids[r]);
        }
        char *base = *k->arr;
        k->free_item(base + (size_t)i * k->size);
        memmove(base + (size_t)i * k->size, base + (size_t)(i + 1) * k->size, (size_t)(*k->n - i - 1) * k->size);
        (*k->n)--;
    }
    return COR_OK;
}

/* Move the layer's items into the scenario: an item whose id is already
 * there replaces it in place, others are appended.  The layer's copies are
 * zeroed (ownership moves). */
static int merge_items(cor_scenario *sc, const kind_t *k, void *larr, int ln)
{
    if (ln == 0)
        return COR_OK;
    char *arr = realloc(*k->arr, (size_t)(*k->n + ln + 1) * k->size);
    if (!arr)
        return sc_nomem(sc);
    *k->arr = arr;
    sc_index ix;
    if (sc_index_init(&ix, (size_t)(*k->n + ln)))
        return sc_nomem(sc);
    int rc = COR_OK;
    for (int i = 0; i < *k->n && !rc; i++) {
        const char *id = item_id(k, arr, i);
        if (id && sc_index_put(&ix, id, i))
            rc = sc_nomem(sc);
    }
    for (int j = 0; j < ln && !rc; j++) {
        char *src = (char *)larr + (size_t)j * k->size;
        const char *id = item_id(k, larr, j);
        int i = id ? sc_index_get(&ix, id) : -1;
        if (i < 0) {
            i = (*k->n)++;
            if (id && sc_index_put(&ix, id, i))
                rc = sc_nomem(sc);
        } else {
            /* point the index at the new id before the old one is freed */
            if (sc_index_put(&ix, id, i)) {
                rc = sc_nomem(sc);
                break;
            }
            k->free_item(arr + (size_t)i * k->size);
        }
        memcpy(arr + (size_t)i * k->size, src, k->size);
        memset(src, 0, k->size);
    }
    sc_index_free(&ix);
    return rc;
}

static void take_str(char **dst, char **src)
{
    free(*dst);
    *dst = *src;
    *src = NULL;
}

int sc_apply_layer(sc_in *in, cor_scenario *sc, sc_layer *L)
{
    cor_scenario *it = L->items;
    kind_t kinds[5] = {
        {(void **)&sc->places, &sc->n_places, sizeof(cor_sc_place), offsetof(cor_sc_place, id), free_place_v, "place"},
        {(void **)&sc->links, &sc->n_links, sizeof(cor_sc_link), offsetof(cor_sc_link, id), free_link_v, "link"},
        {(void **)&sc->populations, &sc->n_populations, sizeof(cor_sc_population), offsetof(cor_sc_population, id),
         free_population_v, "population"},
        {(void **)&sc->timeline, &sc->n_timeline, sizeof(cor_sc_lever), offsetof(cor_sc_lever, id), free_lever_v,
         "timeline"},
        {(void **)&sc->params, &sc->n_params, sizeof(cor_sc_param), offsetof(cor_sc_param, name), free_param_v,
         "parameter"},
    };
    int rc;
    for (int r = 0; r < SC_N_RM; r++)
        if ((rc = remove_items(in, &kinds[r], &L->remove[r], sc_rm_keys[r])))
            return rc;

    unsigned set = L->meta_set;
    if (set & (1u << SC_META_NAME))
        take_str(&sc->name, &it->name);
    if (set & (1u << SC_META_DESCRIPTION))
        take_str(&sc->description, &it->description);
    if (set & (1u << SC_META_START))
        sc->start = it->start, sc->start_pos = it->start_pos;
    if (set & (1u << SC_META_END))
        sc->end = it->end, sc->end_pos = it->end_pos;
    if (set & (1u << SC_META_SEED))
        sc->seed = it->seed;
    if (set & (1u << SC_META_SCALE))
        sc->scale = it->scale;
    if (set & (1u << SC_META_RULES)) {
        take_str(&sc->rules, &it->rules);
        sc->rules_pos = it->rules_pos;
    }
    if (set & (1u << SC_META_MODULES)) { /* the list is replaced as a whole */
        sc_free_modules(sc);
        sc->modules = it->modules, sc->module_lines = it->module_lines, sc->n_modules = it->n_modules;
        sc->modules_pos = it->modules_pos;
        it->modules = NULL, it->module_lines = NULL, it->n_modules = 0;
    }
    sc->state->meta_set |= set;

    void *larr[5] = {it->places, it->links, it->populations, it->timeline, it->params};
    int ln[5] = {it->n_places, it->n_links, it->n_populations, it->n_timeline, it->n_params};
    for (int k = 0; k < 5; k++)
        if ((rc = merge_items(sc, &kinds[k], larr[k], ln[k])))
            return rc;
    return COR_OK;
}
