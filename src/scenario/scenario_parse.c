/* scenario_parse.c - one YAML file -> an sc_layer, checking keys, types and
 * ranges item by item: the top level, meta, parameters, places, links and
 * remove.  Populations and the timeline are in scenario_groups.c. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/calendar.h"
#include "scenario/scenario_internal.h"

const char *const sc_meta_keys[SC_N_META] = {"name", "description", "start", "end", "seed", "scale", "rules",
                                              "modules"};
const char *const sc_rm_keys[SC_N_RM] = {"places", "links", "populations", "timeline"};

static const char *const top_keys[] = {"base",  "meta",        "parameters", "places",
                                       "links", "populations", "timeline",   "remove", NULL};
static const char *const meta_allowed[] = {"name", "description", "start", "end", "seed", "scale", "rules", "modules",
                                           NULL};
static const char *const param_keys[] = {"value", "source", "calibrated", "assumed", "note", NULL};
static const char *const place_keys[] = {"id", "name", "country", "kind", "lat", "lon", "capacity", "source", NULL};
static const char *const link_keys[] = {"id", "from", "to", "mode", "km", "risk", "weight", "oneway", "source", NULL};
static const char *const remove_keys[] = {"places", "links", "populations", "timeline", NULL};

/* Field path "<path>.<key>" into a local buffer named f. */
#define FIELD(path, key) sc_path_key(f, path, key)
#define TRY(x)               \
    do {                     \
        if ((rc = (x)))      \
            return rc;       \
    } while (0)

static int valid_name(const char *s)
{
    if (!*s || *s == '.')
        return 0;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') || *s == '_' ||
              *s == '.' || *s == '-'))
            return 0;
    return 1;
}

static int check_min(sc_in *in, const yt_node *v, const char *field, double x, int strict)
{
    if (strict ? x > 0 : x >= 0)
        return COR_OK;
    return sc_err(in, v->line, field, "must be %s 0, got %s", strict ? ">" : ">=", v->str);
}

/* ---------------------------------------------------------------------- meta */

static int parse_meta(sc_in *in, const yt_node *m, sc_layer *L)
{
    cor_scenario *it = L->items;
    char f[SC_PATH];
    int rc;
    TRY(sc_want_map(in, m, "meta"));
    TRY(sc_check_keys(in, m, "meta", meta_allowed));
    for (int k = 0; k < SC_N_META; k++) {
        const yt_node *v = yt_get(m, sc_meta_keys[k]);
        if (!v)
            continue;
        FIELD("meta", sc_meta_keys[k]);
        cor_pos pos = {in->file, v->line};
        switch (k) {
        case SC_META_NAME:
            if (v->type == YT_SCALAR && !yt_is_null(v) && v->len && !valid_name(v->str))
                return sc_err(in, v->line, f,
                              "'%.80s' is not a valid name (letters, digits, _ . -, not starting with .)", v->str);
            TRY(sc_to_str(in, v, f, &it->name));
            break;
        case SC_META_DESCRIPTION: TRY(sc_to_str(in, v, f, &it->description)); break;
        case SC_META_START:
            TRY(sc_to_date(in, v, f, 0, &it->start));
            it->start_pos = pos;
            break;
        case SC_META_END:
            TRY(sc_to_date(in, v, f, 1, &it->end));
            it->end_pos = pos;
            break;
        case SC_META_SEED: TRY(sc_to_uint64(in, v, f, &it->seed)); break;
        case SC_META_SCALE:
            TRY(sc_to_num(in, v, f, &it->scale));
            TRY(check_min(in, v, f, it->scale, 1));
            break;
        case SC_META_RULES:
            TRY(sc_to_id(in, v, f, "rule set name", &it->rules));
            it->rules_pos = pos;
            break;
        case SC_META_MODULES:
            TRY(sc_to_idlist(in, v, f, &it->modules, &it->module_lines, &it->n_modules));
            it->modules_pos = pos;
            break;
        default: break;
        }
        L->meta_set |= 1u << k;
    }
    unsigned both = (1u << SC_META_START) | (1u << SC_META_END);
    if ((L->meta_set & both) == both && it->end < it->start) {
        char a[11], b[11];
        cor_format_date(it->end, a);
        cor_format_date(it->start, b);
        return sc_err(in, it->end_pos.line, "meta.end", "dates out of order: end %s is before start %s", a, b);
    }
    return COR_OK;
}

/* ---------------------------------------------------------------- parameters */

static int parse_param(sc_in *in, const yt_node *key, const yt_node *m, cor_sc_param *p)
{
    static const char *const prov_keys[] = {"source", "calibrated", "assumed"};
    char path[SC_PATH], f[SC_PATH];
    int rc;
    sc_path_key(path, "parameters", key->str);
    if (!sc_valid_id(key->str))
        return sc_err(in, key->line, path, "'%.80s' is not a valid parameter name (lowercase letters, digits and _)",
                      key->str);
    p->name = sc_strdup(key->str);
    if (!p->name)
        return sc_nomem(in->sc);
    p->pos = (cor_pos){in->file, key->line};
    TRY(sc_want_map(in, m, path));
    TRY(sc_check_keys(in, m, path, param_keys));
    const yt_node *v = yt_get(m, "value");
    if (!v)
        return sc_missing(in, m, path, "value");
    FIELD(path, "value");
    TRY(sc_to_num(in, v, f, &p->value));

    int first = -1;
    for (int k = 0; k < 3; k++) {
        int i = yt_find(m, prov_keys[k]);
        if (i < 0)
            continue;
        if (first >= 0) {
            /* report at whichever of the two was written second */
            int a = yt_find(m, prov_keys[first]);
            const yt_node *second = yt_key(m, a > i ? a : i);
            return sc_err(in, second->line, path,
                          "needs exactly one of source, calibrated, assumed (got %s and %s)",
                          prov_keys[a < i ? first : k], prov_keys[a < i ? k : first]);
        }
        first = k;
    }
    if (first < 0)
        return sc_err(in, key->line, path, "needs exactly one of source, calibrated, assumed (none given)");
    const yt_node *pv = yt_get(m, prov_keys[first]);
    FIELD(path, prov_keys[first]);
    if (first == 0) {
        p->prov = COR_PROV_SOURCE;
        TRY(sc_to_str(in, pv, f, &p->source));
    } else {
        p->prov = first == 1 ? COR_PROV_CALIBRATED : COR_PROV_ASSUMED;
        TRY(sc_to_range(in, pv, f, &p->lo, &p->hi));
        if (p->value < p->lo || p->value > p->hi) {
            char a[32], b[32];
            sc_fmt_num(a, p->lo);
            sc_fmt_num(b, p->hi);
            FIELD(path, "value");
            return sc_err(in, v->line, f, "%s is outside its %s range [%s, %s]", v->str, prov_keys[first], a, b);
        }
    }
    if ((v = yt_get(m, "note"))) {
        FIELD(path, "note");
        TRY(sc_to_str(in, v, f, &p->note));
    }
    return COR_OK;
}

static int parse_params(sc_in *in, const yt_node *m, cor_scenario *it)
{
    int rc;
    TRY(sc_want_map(in, m, "parameters"));
    int n = yt_pairs(m);
    it->params = calloc((size_t)n + 1, sizeof *it->params);
    if (!it->params)
        return sc_nomem(in->sc);
    it->n_params = n;
    for (int i = 0; i < n; i++)
        TRY(parse_param(in, yt_key(m, i), yt_val(m, i), &it->params[i]));
    return COR_OK;
}

/* -------------------------------------------------------------------- places */

static int parse_place(sc_in *in, const yt_node *m, const char *path, cor_sc_place *p)
{
    char f[SC_PATH];
    const yt_node *v;
    int rc;
    p->capacity = -1;
    p->pos = (cor_pos){in->file, m->line};
    TRY(sc_want_map(in, m, path));
    TRY(sc_check_keys(in, m, path, place_keys));
    TRY(sc_parse_id_name(in, m, path, &p->id, &p->name));
    TRY(sc_parse_country(in, m, path, &p->country));
    if (!(v = yt_get(m, "kind")))
        return sc_missing(in, m, path, "kind");
    FIELD(path, "kind");
    int kind;
    TRY(sc_to_enum(in, v, f, "kind", cor_kind_names, COR_N_KINDS, &kind));
    p->kind = (cor_place_kind)kind;
    static const char *const ll[2] = {"lat", "lon"};
    for (int k = 0; k < 2; k++) {
        double *x = k ? &p->lon : &p->lat, lim = k ? 180 : 90;
        if (!(v = yt_get(m, ll[k])))
            return sc_missing(in, m, path, ll[k]);
        FIELD(path, ll[k]);
        TRY(sc_to_num(in, v, f, x));
        if (*x < -lim || *x > lim)
            return sc_err(in, v->line, f, "%s %s is outside [%g, %g]", k ? "longitude" : "latitude", v->str, -lim,
                          lim);
    }
    if ((v = yt_get(m, "capacity"))) {
        FIELD(path, "capacity");
        TRY(sc_to_int64(in, v, f, &p->capacity));
        if (p->capacity < 0)
            return sc_err(in, v->line, f, "must be >= 0, got %s", v->str);
    }
    if ((v = yt_get(m, "source"))) {
        FIELD(path, "source");
        TRY(sc_to_str(in, v, f, &p->source));
    }
    return COR_OK;
}

/* An item's optional `country`: an ISO 3166-1 alpha-2 code. */
int sc_parse_country(sc_in *in, const yt_node *m, const char *path, char **country)
{
    char f[SC_PATH];
    const yt_node *v = yt_get(m, "country");
    int rc;
    if (!v)
        return COR_OK;
    FIELD(path, "country");
    TRY(sc_to_str(in, v, f, country));
    const char *c = *country;
    if (strlen(c) != 2 || c[0] < 'A' || c[0] > 'Z' || c[1] < 'A' || c[1] > 'Z')
        return sc_err(in, v->line, f, "'%.20s' is not an ISO 3166-1 alpha-2 code (two capital letters, e.g. MX)", c);
    return COR_OK;
}

/* An item's required `id` and optional `name` (default: the id). */
int sc_parse_id_name(sc_in *in, const yt_node *m, const char *path, char **id, char **name)
{
    char f[SC_PATH];
    const yt_node *v;
    int rc;
    if (!(v = yt_get(m, "id")))
        return sc_missing(in, m, path, "id");
    FIELD(path, "id");
    TRY(sc_to_id(in, v, f, "id", id));
    if ((v = yt_get(m, "name"))) {
        FIELD(path, "name");
        TRY(sc_to_str(in, v, f, name));
    } else if (!(*name = sc_strdup(*id))) {
        return sc_nomem(in->sc);
    }
    return COR_OK;
}

/* Parse the sequence s (the section `name`) into a new array of s->n items
 * of `size` bytes with parse(), and check that the ids given (id_of() may
 * return NULL for an item without one) are unique within the file.  The
 * array and its count are stored in *items / *n before parsing, so that a
 * failure leaves what was parsed for the scenario's cleanup to free. */
int sc_parse_items(sc_in *in, const yt_node *s, const char *name, const char *what, size_t size, void **items,
                   int *n, sc_item_parser parse, sc_item_id id_of)
{
    char path[SC_PATH], f[SC_PATH];
    sc_index ix;
    int rc;
    TRY(sc_want_seq(in, s, name));
    *items = calloc((size_t)s->n + 1, size);
    int *lines = calloc((size_t)s->n + 1, sizeof *lines);
    if (!*items || !lines || sc_index_init(&ix, (size_t)s->n)) {
        free(lines);
        return sc_nomem(in->sc);
    }
    *n = s->n;
    rc = COR_OK;
    for (int i = 0; i < s->n && !rc; i++) {
        void *item = (char *)*items + (size_t)i * size;
        sc_path_idx(path, name, i);
        if ((rc = parse(in, s->kids[i], path, item, i)))
            break;
        const char *id = id_of(item);
        if (!id)
            continue;
        lines[i] = yt_get(s->kids[i], "id")->line;
        FIELD(path, "id");
        int j = sc_index_get(&ix, id);
        if (j >= 0)
            rc = sc_err(in, lines[i], f, "duplicate %s id '%s' (first at line %d)", what, id, lines[j]);
        else if (sc_index_put(&ix, id, i))
            rc = sc_nomem(in->sc);
    }
    sc_index_free(&ix);
    free(lines);
    return rc;
}

static int place_item(sc_in *in, const yt_node *m, const char *path, void *item, int i)
{
    cor_sc_place *p = item;
    p->index = i;
    return parse_place(in, m, path, p);
}
static const char *place_id(const void *item) { return ((const cor_sc_place *)item)->id; }

static int parse_places(sc_in *in, const yt_node *s, cor_scenario *it)
{
    void *items = NULL;
    int rc = sc_parse_items(in, s, "places", "place", sizeof *it->places, &items, &it->n_places, place_item, place_id);
    it->places = items;
    return rc;
}

/* --------------------------------------------------------------------- links */

static int parse_link(sc_in *in, const yt_node *m, const char *path, cor_sc_link *l)
{
    char f[SC_PATH];
    const yt_node *v;
    int rc;
    l->km = -1;
    l->weight = 1;
    l->from = l->to = -1;
    l->pos = (cor_pos){in->file, m->line};
    TRY(sc_want_map(in, m, path));
    TRY(sc_check_keys(in, m, path, link_keys));
    if ((v = yt_get(m, "id"))) {
        FIELD(path, "id");
        TRY(sc_to_id(in, v, f, "id", &l->id));
    }
    if (!(v = yt_get(m, "from")))
        return sc_missing(in, m, path, "from");
    FIELD(path, "from");
    TRY(sc_to_id(in, v, f, "place id", &l->from_id));
    l->from_line = v->line;
    if (!(v = yt_get(m, "to")))
        return sc_missing(in, m, path, "to");
    FIELD(path, "to");
    TRY(sc_to_id(in, v, f, "place id", &l->to_id));
    l->to_line = v->line;
    if (strcmp(l->from_id, l->to_id) == 0)
        return sc_err(in, v->line, f, "the link goes from '%s' to itself", l->to_id);
    if (!(v = yt_get(m, "mode")))
        return sc_missing(in, m, path, "mode");
    FIELD(path, "mode");
    int mode;
    TRY(sc_to_enum(in, v, f, "mode", cor_mode_names, COR_N_MODES, &mode));
    l->mode = (cor_mode)mode;
    static const char *const nk[3] = {"km", "risk", "weight"};
    for (int k = 0; k < 3; k++) {
        double *x = k == 0 ? &l->km : k == 1 ? &l->risk : &l->weight;
        if (!(v = yt_get(m, nk[k])))
            continue;
        FIELD(path, nk[k]);
        TRY(sc_to_num(in, v, f, x));
        TRY(check_min(in, v, f, *x, k == 2));
    }
    if ((v = yt_get(m, "oneway"))) {
        FIELD(path, "oneway");
        TRY(sc_to_bool(in, v, f, &l->oneway));
    }
    if ((v = yt_get(m, "source"))) {
        FIELD(path, "source");
        TRY(sc_to_str(in, v, f, &l->source));
    }
    return COR_OK;
}

/* Links without an id get "<from>-<to>", or "<from>-<to>-<mode>" when an
 * earlier link of this file took that.  Given ids cannot contain '-', so
 * defaults only ever collide with other defaults. */
static int default_link_ids(sc_in *in, cor_scenario *it)
{
    sc_index ix;
    int rc = COR_OK;
    if (sc_index_init(&ix, (size_t)it->n_links))
        return sc_nomem(in->sc);
    for (int i = 0; i < it->n_links && !rc; i++) {
        cor_sc_link *l = &it->links[i];
        if (l->id)
            continue;
        size_t n = strlen(l->from_id) + strlen(l->to_id) + strlen(cor_mode_names[l->mode]) + 3;
        if (!(l->id = malloc(n))) {
            rc = sc_nomem(in->sc);
            break;
        }
        snprintf(l->id, n, "%s-%s", l->from_id, l->to_id);
        if (sc_index_get(&ix, l->id) >= 0)
            snprintf(l->id, n, "%s-%s-%s", l->from_id, l->to_id, cor_mode_names[l->mode]);
        int j = sc_index_get(&ix, l->id);
        if (j >= 0) {
            char path[SC_PATH];
            sc_path_idx(path, "links", i);
            rc = sc_err(in, l->pos.line, path,
                        "its default id '%s' is taken by the link at line %d; give one of them an id", l->id,
                        it->links[j].pos.line);
        } else if (sc_index_put(&ix, l->id, i)) {
            rc = sc_nomem(in->sc);
        }
    }
    sc_index_free(&ix);
    return rc;
}

static int link_item(sc_in *in, const yt_node *m, const char *path, void *item, int i)
{
    cor_sc_link *l = item;
    l->index = i;
    return parse_link(in, m, path, l);
}
static const char *link_id(const void *item) { return ((const cor_sc_link *)item)->id; }

static int parse_links(sc_in *in, const yt_node *s, cor_scenario *it)
{
    void *items = NULL;
    int rc = sc_parse_items(in, s, "links", "link", sizeof *it->links, &items, &it->n_links, link_item, link_id);
    it->links = items;
    return rc ? rc : default_link_ids(in, it);
}

/* -------------------------------------------------------------------- remove */

static int parse_remove(sc_in *in, const yt_node *m, sc_layer *L)
{
    char f[SC_PATH];
    int rc;
    TRY(sc_want_map(in, m, "remove"));
    TRY(sc_check_keys(in, m, "remove", remove_keys));
    for (int k = 0; k < SC_N_RM; k++) {
        const yt_node *v = yt_get(m, sc_rm_keys[k]);
        if (!v)
            continue;
        FIELD("remove", sc_rm_keys[k]);
        sc_idlist *r = &L->remove[k];
        TRY(sc_to_idlist(in, v, f, &r->ids, &r->lines, &r->n));
    }
    return COR_OK;
}

/* ----------------------------------------------------------------- top level */

int sc_parse_layer(sc_in *in, const yt_node *root, sc_layer *L)
{
    const yt_node *v;
    int rc;
    memset(L, 0, sizeof *L);
    if (!(L->items = calloc(1, sizeof *L->items)))
        return sc_nomem(in->sc);
    if (!root || yt_is_null(root))
        return COR_OK; /* an empty file says nothing */
    if (root->type != YT_MAP)
        return sc_err(in, root->line, "yaml", "the top level must be a mapping, got %s", yt_kind_name(root));
    TRY(sc_check_keys(in, root, "", top_keys));
    if ((v = yt_get(root, "base"))) {
        TRY(sc_to_str(in, v, "base", &L->base));
        L->base_line = v->line;
    }
    int i = yt_find(root, "meta");
    if (i >= 0) {
        L->meta_line = yt_key(root, i)->line;
        TRY(parse_meta(in, yt_val(root, i), L));
    }
    if ((v = yt_get(root, "parameters")) && !yt_is_null(v))
        TRY(parse_params(in, v, L->items));
    if ((v = yt_get(root, "places")) && !yt_is_null(v))
        TRY(parse_places(in, v, L->items));
    if ((v = yt_get(root, "links")) && !yt_is_null(v))
        TRY(parse_links(in, v, L->items));
    if ((v = yt_get(root, "populations")) && !yt_is_null(v))
        TRY(sc_parse_populations(in, v, L->items));
    if ((v = yt_get(root, "timeline")) && !yt_is_null(v))
        TRY(sc_parse_timeline(in, v, L->items));
    if ((i = yt_find(root, "remove")) >= 0) {
        L->remove_line = yt_key(root, i)->line;
        TRY(parse_remove(in, yt_val(root, i), L));
    }
    return COR_OK;
}

void sc_layer_free(sc_layer *L)
{
    if (L->items) {
        sc_free_items(L->items);
        free(L->items);
    }
    free(L->base);
    for (int k = 0; k < SC_N_RM; k++)
        sc_free_idlist(&L->remove[k]);
    memset(L, 0, sizeof *L);
}
