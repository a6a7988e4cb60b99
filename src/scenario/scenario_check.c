/* scenario_check.c - checks of the merged scenario: meta complete and in
 * order, and every id reference resolved to an index (link ends, origins,
 * timeline scopes).  Messages point at the file and line where the
 * offending value was written. */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scenario/scenario_internal.h"

static const int required_meta[] = {SC_META_NAME, SC_META_START, SC_META_END, SC_META_SEED, SC_META_SCALE};

static int build_index(cor_scenario *sc, sc_index *ix, const void *arr, int n, size_t size, size_t id_off)
{
    if (sc_index_init(ix, (size_t)n))
        return sc_nomem(sc);
    for (int i = 0; i < n; i++) {
        const char *id;
        memcpy(&id, (const char *)arr + (size_t)i * size + id_off, sizeof id);
        if (id && sc_index_put(ix, id, i))
            return sc_nomem(sc);
    }
    return COR_OK;
}

static int resolve(cor_scenario *sc, const sc_index *ix, const char *id, int *out, cor_pos pos, const char *field,
                   const char *what)
{
    *out = sc_index_get(ix, id);
    if (*out < 0)
        return cor_sc_error(sc, pos, field, "unknown %s id '%s'", what, id);
    return COR_OK;
}

static int check_meta(cor_scenario *sc)
{
    struct cor_sc_state *st = sc->state;
    for (size_t i = 0; i < sizeof required_meta / sizeof *required_meta; i++) {
        int k = required_meta[i];
        if (!(st->meta_set & (1u << k))) {
            char f[SC_PATH];
            sc_path_key(f, "meta", sc_meta_keys[k]);
            return cor_sc_error(sc, st->top, f, "missing required field");
        }
    }
    if (sc->end < sc->start) {
        char a[11], b[11];
        cor_format_date(sc->end, a);
        cor_format_date(sc->start, b);
        return cor_sc_error(sc, sc->end_pos, "meta.end", "dates out of order: end %s is before start %s (given at %s:%d)", a,
                            b, sc->start_pos.file, sc->start_pos.line);
    }
    return COR_OK;
}

static int check_scope(cor_scenario *sc, cor_sc_lever *l, const sc_index ix[3])
{
    static const char *const keys[3] = {"places", "links", "groups"};
    static const char *const what[3] = {"place", "link", "population"};
    cor_sc_scope *s = &l->scope;
    char *const *ids[3] = {s->place_ids, s->link_ids, s->group_ids};
    int *idx[3] = {s->places, s->links, s->groups};
    const int *lines[3] = {s->place_lines, s->link_lines, s->group_lines};
    const int n[3] = {s->n_places, s->n_links, s->n_groups};
    for (int k = 0; k < 3; k++)
        for (int i = 0; i < n[k]; i++) {
            char path[SC_PATH], f[SC_PATH];
            snprintf(path, sizeof path, "timeline[%d].scope.%s", l->index, keys[k]);
            sc_path_idx(f, path, i);
            int rc = resolve(sc, &ix[k], ids[k][i], &idx[k][i], (cor_pos){l->pos.file, lines[k][i]}, f, what[k]);
            if (rc)
                return rc;
        }
    return COR_OK;
}

int sc_check(cor_scenario *sc)
{
    sc_index ix[3]; /* places, links, populations */
    memset(ix, 0, sizeof ix);
    int rc = check_meta(sc);
    if (rc)
        return rc;
    if (!sc->rules) {
        if (!(sc->rules = sc_strdup("corridor")))
            return sc_nomem(sc);
        sc->rules_pos = (cor_pos){sc->n_files ? sc->files[0] : NULL, 1};
    }
    if ((rc = build_index(sc, &ix[0], sc->places, sc->n_places, sizeof *sc->places, offsetof(cor_sc_place, id))) ||
        (rc = build_index(sc, &ix[1], sc->links, sc->n_links, sizeof *sc->links, offsetof(cor_sc_link, id))) ||
        (rc = build_index(sc, &ix[2], sc->populations, sc->n_populations, sizeof *sc->populations,
                          offsetof(cor_sc_population, id))))
        goto out;
    for (int i = 0; i < sc->n_links && !rc; i++) {
        cor_sc_link *l = &sc->links[i];
        char f[SC_PATH];
        snprintf(f, sizeof f, "links[%d].from", l->index);
        if ((rc = resolve(sc, &ix[0], l->from_id, &l->from, (cor_pos){l->pos.file, l->from_line}, f, "place")))
            break;
        snprintf(f, sizeof f, "links[%d].to", l->index);
        rc = resolve(sc, &ix[0], l->to_id, &l->to, (cor_pos){l->pos.file, l->to_line}, f, "place");
    }
    for (int i = 0; i < sc->n_populations && !rc; i++) {
        cor_sc_population *p = &sc->populations[i];
        for (int j = 0; j < p->n_origins && !rc; j++) {
            cor_sc_origin *o = &p->origins[j];
            char f[SC_PATH];
            snprintf(f, sizeof f, "populations[%d].origins[%d].place", p->index, j);
            rc = resolve(sc, &ix[0], o->place_id, &o->place, (cor_pos){p->pos.file, o->line}, f, "place");
        }
    }
    for (int i = 0; i < sc->n_timeline && !rc; i++)
        rc = check_scope(sc, &sc->timeline[i], ix);
out:
    for (int k = 0; k < 3; k++)
        sc_index_free(&ix[k]);
    return rc;
}
