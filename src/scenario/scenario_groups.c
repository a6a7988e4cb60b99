/* scenario_groups.c - parsing populations (origins, split, demand) and the
 * timeline of levers (with scopes) of one YAML file. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/calendar.h"
#include "scenario/scenario_internal.h"

static const char *const pop_keys[] = {"id", "name", "country", "origins", "split", "demand", "source", NULL};
static const char *const origin_keys[] = {"place", "share", NULL};
static const char *const lever_keys[] = {"id", "lever", "value", "start", "end", "scope", "source", NULL};
static const char *const scope_keys[] = {"places", "links", "groups", "demographics", NULL};

#define FIELD(path, key) sc_path_key(f, path, key)
#define TRY(x)               \
    do {                     \
        if ((rc = (x)))      \
            return rc;       \
    } while (0)

/* ---------------------------------------------------------------- populations */

static int parse_origins(sc_in *in, const yt_node *s, const char *field, cor_sc_population *p)
{
    char path[SC_PATH], f[SC_PATH];
    sc_index ix;
    int rc;
    TRY(sc_want_seq(in, s, field));
    if (s->n == 0)
        return sc_err(in, s->line, field, "needs at least one origin");
    if (!(p->origins = calloc((size_t)s->n, sizeof *p->origins)))
        return sc_nomem(in->sc);
    if (sc_index_init(&ix, (size_t)s->n))
        return sc_nomem(in->sc);
    p->n_origins = s->n;
    double sum = 0;
    rc = COR_OK;
    for (int i = 0; i < s->n && !rc; i++) {
        const yt_node *m = s->kids[i], *v;
        cor_sc_origin *o = &p->origins[i];
        sc_path_idx(path, field, i);
        if ((rc = sc_want_map(in, m, path)) || (rc = sc_check_keys(in, m, path, origin_keys)))
            break;
        if (!(v = yt_get(m, "place"))) {
            rc = sc_missing(in, m, path, "place");
            break;
        }
        FIELD(path, "place");
        if ((rc = sc_to_id(in, v, f, "place id", &o->place_id)))
            break;
        o->line = v->line;
        o->place = -1;
        int j = sc_index_get(&ix, o->place_id);
        if (j >= 0) {
            rc = sc_err(in, v->line, f, "duplicate origin place '%s' (first at line %d)", o->place_id,
                        p->origins[j].line);
            break;
        }
        if (sc_index_put(&ix, o->place_id, i)) {
            rc = sc_nomem(in->sc);
            break;
        }
        o->share = 1;
        if ((v = yt_get(m, "share"))) {
            FIELD(path, "share");
            if ((rc = sc_to_num(in, v, f, &o->share)))
                break;
            if (!(o->share > 0))
                rc = sc_err(in, v->line, f, "must be > 0, got %s", v->str);
        }
        sum += o->share;
    }
    sc_index_free(&ix);
    if (rc)
        return rc;
    if (!isfinite(sum))
        return sc_err(in, s->line, field, "the shares are too large to add up");
    for (int i = 0; i < p->n_origins; i++)
        p->origins[i].share /= sum;
    return COR_OK;
}

static int parse_split(sc_in *in, const yt_node *m, const char *field, double split[COR_N_DEMOS])
{
    char f[SC_PATH];
    int rc;
    TRY(sc_want_map(in, m, field));
    double sum = 0;
    for (int i = 0; i < yt_pairs(m); i++) {
        const yt_node *k = yt_key(m, i), *v = yt_val(m, i);
        int d;
        FIELD(field, k->str);
        TRY(sc_to_enum(in, k, f, "demographic", cor_demo_names, COR_N_DEMOS, &d));
        TRY(sc_to_num(in, v, f, &split[d]));
        if (split[d] < 0)
            return sc_err(in, v->line, f, "must be >= 0, got %s", v->str);
        sum += split[d];
    }
    if (!(fabs(sum - 1) <= 1e-3)) {
        char s[32];
        sc_fmt_num(s, sum);
        return sc_err(in, m->line, field, "shares sum to %s, not 1 (tolerance 0.001)", s);
    }
    return COR_OK;
}

/* `demand: {2012-10: 1200, ...}`: people per month, into slot 0 of each month. */
static int parse_inline_demand(sc_in *in, const yt_node *m, const char *field, cor_sc_population *p)
{
    char f[SC_PATH];
    int rc, n = yt_pairs(m);
    int *months = calloc((size_t)n + 1, sizeof *months);
    double *people = calloc((size_t)n + 1, sizeof *people);
    if (!months || !people) {
        rc = sc_nomem(in->sc);
        goto out;
    }
    rc = COR_OK;
    for (int i = 0; i < n && !rc; i++) {
        const yt_node *k = yt_key(m, i), *v = yt_val(m, i);
        FIELD(field, k->str);
        if (cor_parse_month(k->str, &months[i]) != 0) {
            rc = sc_err(in, k->line, f, "'%.40s' is not a month (YYYY-MM)", k->str);
        } else if (i > 0 && months[i] <= months[i - 1]) {
            rc = sc_err(in, k->line, f, "months must be strictly increasing ('%s' comes after '%s')", k->str,
                        yt_key(m, i - 1)->str);
        } else if (!(rc = sc_to_num(in, v, f, &people[i])) && people[i] < 0) {
            rc = sc_err(in, v->line, f, "must be >= 0, got %s", v->str);
        }
    }
    if (rc || n == 0)
        goto out;
    p->demand_month0 = months[0];
    p->n_months = months[n - 1] - months[0] + 1;
    if (!(p->demand = calloc((size_t)p->n_months * COR_N_DEMOS, sizeof *p->demand))) {
        rc = sc_nomem(in->sc);
        goto out;
    }
    for (int i = 0; i < n; i++)
        p->demand[(size_t)(months[i] - months[0]) * COR_N_DEMOS] = people[i];
out:
    free(months);
    free(people);
    return rc;
}

static int parse_population(sc_in *in, const yt_node *m, const char *path, cor_sc_population *p)
{
    char f[SC_PATH];
    const yt_node *v;
    int rc;
    p->pos = (cor_pos){in->file, m->line};
    TRY(sc_want_map(in, m, path));
    TRY(sc_check_keys(in, m, path, pop_keys));
    TRY(sc_parse_id_name(in, m, path, &p->id, &p->name));
    TRY(sc_parse_country(in, m, path, &p->country));
    if (!(v = yt_get(m, "origins")))
        return sc_missing(in, m, path, "origins");
    FIELD(path, "origins");
    TRY(parse_origins(in, v, f, p));
    double split[COR_N_DEMOS] = {0};
    int i_split = yt_find(m, "split");
    if (i_split >= 0) {
        FIELD(path, "split");
        TRY(parse_split(in, yt_val(m, i_split), f, split));
    }
    if (!(v = yt_get(m, "demand")))
        return sc_missing(in, m, path, "demand");
    FIELD(path, "demand");
    int ncols = 1;
    if (v->type == YT_MAP) {
        TRY(parse_inline_demand(in, v, f, p));
    } else if (v->type == YT_SCALAR && !yt_is_null(v)) {
        if (v->len == 0)
            return sc_err(in, v->line, f, "must not be empty");
        TRY(sc_read_demand_csv(in, v->str, v->line, f, p, &ncols));
    } else {
        return sc_err(in, v->line, f, "expected a CSV file name or a mapping of month to people, got %s",
                      yt_kind_name(v));
    }
    if (ncols == COR_N_DEMOS && i_split >= 0) {
        FIELD(path, "split");
        return sc_err(in, yt_key(m, i_split)->line, f,
                      "not allowed: the demand CSV already has single_adults, family_members and "
                      "unaccompanied_children columns");
    }
    if (ncols == 1) {
        if (i_split < 0) {
            FIELD(path, "split");
            return sc_err(in, m->line, f,
                          "missing required field (the demand gives people, not single_adults, family_members and "
                          "unaccompanied_children)");
        }
        for (int k = 0; k < p->n_months; k++) {
            double *row = p->demand + (size_t)k * COR_N_DEMOS, people = row[0];
            for (int d = 0; d < COR_N_DEMOS; d++)
                row[d] = people * split[d];
        }
    }
    if ((v = yt_get(m, "source"))) {
        FIELD(path, "source");
        TRY(sc_to_str(in, v, f, &p->source));
    }
    return COR_OK;
}

static int population_item(sc_in *in, const yt_node *m, const char *path, void *item, int i)
{
    cor_sc_population *p = item;
    p->index = i;
    return parse_population(in, m, path, p);
}
static const char *population_id(const void *item) { return ((const cor_sc_population *)item)->id; }

int sc_parse_populations(sc_in *in, const yt_node *s, cor_scenario *it)
{
    void *items = NULL;
    int rc = sc_parse_items(in, s, "populations", "population", sizeof *it->populations, &items, &it->n_populations,
                            population_item, population_id);
    it->populations = items;
    return rc;
}

/* ------------------------------------------------------------------ timeline */

static int parse_scope(sc_in *in, const yt_node *m, const char *path, cor_sc_scope *sc)
{
    char f[SC_PATH];
    int rc;
    TRY(sc_want_map(in, m, path));
    TRY(sc_check_keys(in, m, path, scope_keys));
    const yt_node *v;
    struct {
        const char *key;
        char ***ids;
        int **lines, **idx, *n;
    } lists[3] = {{"places", &sc->place_ids, &sc->place_lines, &sc->places, &sc->n_places},
                  {"links", &sc->link_ids, &sc->link_lines, &sc->links, &sc->n_links},
                  {"groups", &sc->group_ids, &sc->group_lines, &sc->groups, &sc->n_groups}};
    for (int k = 0; k < 3; k++) {
        if (!(v = yt_get(m, lists[k].key)))
            continue;
        FIELD(path, lists[k].key);
        TRY(sc_to_idlist(in, v, f, lists[k].ids, lists[k].lines, lists[k].n));
        if (!(*lists[k].idx = calloc((size_t)*lists[k].n + 1, sizeof **lists[k].idx)))
            return sc_nomem(in->sc);
        for (int i = 0; i < *lists[k].n; i++)
            (*lists[k].idx)[i] = -1;
    }
    if ((v = yt_get(m, "demographics"))) {
        char item[SC_PATH];
        FIELD(path, "demographics");
        TRY(sc_want_seq(in, v, f));
        for (int i = 0; i < v->n; i++) {
            int d;
            sc_path_idx(item, f, i);
            TRY(sc_to_enum(in, v->kids[i], item, "demographic", cor_demo_names, COR_N_DEMOS, &d));
            sc->demo_mask |= 1u << d;
        }
    }
    return COR_OK;
}

static int parse_lever(sc_in *in, const yt_node *m, const char *path, cor_sc_lever *l)
{
    char f[SC_PATH];
    const yt_node *v;
    int rc;
    l->pos = (cor_pos){in->file, m->line};
    l->end = INT32_MAX;
    TRY(sc_want_map(in, m, path));
    TRY(sc_check_keys(in, m, path, lever_keys));
    if ((v = yt_get(m, "id"))) {
        FIELD(path, "id");
        TRY(sc_to_id(in, v, f, "id", &l->id));
    }
    if (!(v = yt_get(m, "lever")))
        return sc_missing(in, m, path, "lever");
    FIELD(path, "lever");
    TRY(sc_to_id(in, v, f, "lever name", &l->lever));
    if (!(v = yt_get(m, "value")))
        return sc_missing(in, m, path, "value");
    FIELD(path, "value");
    TRY(sc_to_num(in, v, f, &l->value));
    if (!(v = yt_get(m, "start")))
        return sc_missing(in, m, path, "start");
    FIELD(path, "start");
    TRY(sc_to_date(in, v, f, 0, &l->start));
    if ((v = yt_get(m, "end"))) {
        FIELD(path, "end");
        TRY(sc_to_date(in, v, f, 1, &l->end));
        if (l->end < l->start) {
            char a[11], b[11];
            cor_format_date(l->end, a);
            cor_format_date(l->start, b);
            return sc_err(in, v->line, f, "dates out of order: end %s is before start %s", a, b);
        }
    }
    if ((v = yt_get(m, "scope"))) {
        FIELD(path, "scope");
        TRY(parse_scope(in, v, f, &l->scope));
    }
    if ((v = yt_get(m, "source"))) {
        FIELD(path, "source");
        TRY(sc_to_str(in, v, f, &l->source));
    }
    return COR_OK;
}

static int lever_item(sc_in *in, const yt_node *m, const char *path, void *item, int i)
{
    cor_sc_lever *l = item;
    l->index = i;
    return parse_lever(in, m, path, l);
}
static const char *lever_id(const void *item) { return ((const cor_sc_lever *)item)->id; }

int sc_parse_timeline(sc_in *in, const yt_node *s, cor_scenario *it)
{
    void *items = NULL;
    int rc = sc_parse_items(in, s, "timeline", "timeline", sizeof *it->timeline, &items, &it->n_timeline, lever_item,
                            lever_id);
    it->timeline = items;
    return rc;
}
