/* levers.c - dated levers: registration, active set, lookup, changes. */
#include "engine/levers.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void cor_levers_init(cor_levers *lv) { memset(lv, 0, sizeof *lv); }

void cor_levers_free(cor_levers *lv)
{
    for (int i = 0; i < lv->n_levers; i++)
        free(lv->names[i]);
    free(lv->names);
    for (int e = 0; e < lv->n_entries; e++)
        if (lv->entries[e].owned) {
            free((void *)lv->entries[e].scope.places);
            free((void *)lv->entries[e].scope.links);
            free((void *)lv->entries[e].scope.groups);
        }
    free(lv->entries);
    free(lv->active);
    free(lv->active_start);
    free(lv->changes);
    memset(lv, 0, sizeof *lv);
}

int cor_levers_find(const cor_levers *lv, const char *name)
{
    for (int i = 0; i < lv->n_levers; i++)
        if (strcmp(lv->names[i], name) == 0)
            return i;
    return -1;
}

int cor_levers_id(cor_levers *lv, const char *name)
{
    int i = cor_levers_find(lv, name);
    if (i >= 0)
        return i;
    char **nn = realloc(lv->names, sizeof *nn * (size_t)(lv->n_levers + 1));
    int *as = realloc(lv->active_start, sizeof *as * (size_t)(lv->n_levers + 2));
    if (nn) lv->names = nn;
    if (as) lv->active_start = as;
    if (!nn || !as)
        return -1;
    if (!(lv->names[lv->n_levers] = strdup(name)))
        return -1;
    memset(lv->active_start, 0, sizeof *as * (size_t)(lv->n_levers + 2));
    return lv->n_levers++;
}

static cor_lever_entry *add_entry(cor_levers *lv)
{
    if (lv->n_entries == lv->cap_entries) {
        int cap = lv->cap_entries ? 2 * lv->cap_entries : 16;
        cor_lever_entry *e = realloc(lv->entries, sizeof *e * (size_t)cap);
        if (!e)
            return NULL;
        lv->entries = e;
        lv->cap_entries = cap;
    }
    cor_lever_entry *e = &lv->entries[lv->n_entries++];
    memset(e, 0, sizeof *e);
    return e;
}

static int cmp_int(const void *a, const void *b)
{
    int x = *(const int *)a, y = *(const int *)b;
    return (x > y) - (x < y);
}

static int *sorted_copy(const int *src, int n)
{
    if (n == 0)
        return NULL;
    int *d = malloc(sizeof *d * (size_t)n);
    if (d) {
        memcpy(d, src, sizeof *d * (size_t)n);
        qsort(d, (size_t)n, sizeof *d, cmp_int);
    }
    return d;
}

static int copy_scope(cor_scope *dst, const int *places, int np, const int *links, int nl, const int *groups,
                      int ng, unsigned demo_mask)
{
    memset(dst, 0, sizeof *dst);
    dst->places = sorted_copy(places, np);
    dst->links = sorted_copy(links, nl);
    dst->groups = sorted_copy(groups, ng);
    dst->n_places = np, dst->n_links = nl, dst->n_groups = ng;
    dst->demo_mask = demo_mask;
    return (np && !dst->places) || (nl && !dst->links) || (ng && !dst->groups) ? -1 : 0;
}

int cor_levers_load(cor_levers *lv, const cor_scenario *sc, char *err, size_t errlen)
{
    for (int i = 0; i < sc->n_timeline; i++) {
        const cor_sc_lever *t = &sc->timeline[i];
        int id = cor_levers_find(lv, t->lever);
        if (id < 0) {
            int n = snprintf(err, errlen, "%s:%d: timeline[%d].lever: no module reads lever '%s' (known levers:",
                             t->pos.file, t->pos.line, t->index, t->lever);
            for (int k = 0; k < lv->n_levers && n > 0 && (size_t)n < errlen; k++)
                n += snprintf(err + n, errlen - (size_t)n, "%s %s", k ? "," : "", lv->names[k]);
            if (n > 0 && (size_t)n < errlen)
                snprintf(err + n, errlen - (size_t)n, "%s)", lv->n_levers ? "" : " none");
            return -1;
        }
        cor_lever_entry *e = add_entry(lv);
        if (!e)
            goto oom;
        e->lever = id;
        e->value = t->value;
        e->start = t->start;
        e->end = t->end;
        e->origin = t;
        e->owned = 1;
        if (copy_scope(&e->scope, t->scope.places, t->scope.n_places, t->scope.links, t->scope.n_links,
                       t->scope.groups, t->scope.n_groups, t->scope.demo_mask))
            goto oom;
    }
    return 0;
oom:
    snprintf(err, errlen, "out of memory loading the timeline");
    return -1;
}

int cor_levers_write(cor_levers *lv, int lever, double value, int32_t from, const cor_scope *scope)
{
    cor_lever_entry *e = add_entry(lv);
    if (!e)
        return -1;
    e->lever = lever;
    e->value = value;
    e->start = from;
    e->end = INT32_MAX;
    e->owned = 1;
    cor_scope empty = {0};
    const cor_scope *s = scope ? scope : &empty;
    return copy_scope(&e->scope, s->places, s->n_places, s->links, s->n_links, s->groups, s->n_groups,
                      s->demo_mask);
}

static int push_change(cor_levers *lv, int lever, int entry, int started)
{
    if (lv->n_changes == lv->cap_changes) {
        int cap = lv->cap_changes ? 2 * lv->cap_changes : 16;
        cor_lever_change *c = realloc(lv->changes, sizeof *c * (size_t)cap);
        if (!c)
            return -1;
        lv->changes = c;
        lv->cap_changes = cap;
    }
    lv->changes[lv->n_changes++] = (cor_lever_change){lever, entry, started};
    return 0;
}

int cor_levers_refresh(cor_levers *lv, int32_t day)
{
    lv->n_changes = 0;
    lv->n_active = 0;
    if (lv->n_levers == 0)
        return 0;
    if (lv->cap_active < lv->n_entries) {
        int *a = realloc(lv->active, sizeof *a * (size_t)lv->n_entries);
        if (!a)
            return -1;
        lv->active = a;
        lv->cap_active = lv->n_entries;
    }
    /* counting sort of active entries by lever, keeping entry order */
    memset(lv->active_start, 0, sizeof *lv->active_start * (size_t)(lv->n_levers + 1));
    for (int e = 0; e < lv->n_entries; e++) {
        const cor_lever_entry *x = &lv->entries[e];
        if (x->start <= day && day <= x->end)
            lv->active_start[x->lever + 1]++;
        if ((x->start == day || (x->end != INT32_MAX && x->end == day - 1)) &&
            push_change(lv, x->lever, e, x->start == day))
            return -1;
    }
    for (int l = 0; l < lv->n_levers; l++)
        lv->active_start[l + 1] += lv->active_start[l];
    lv->n_active = lv->active_start[lv->n_levers];
    int *pos = malloc(sizeof *pos * (size_t)(lv->n_levers + 1));
    if (!pos)
        return -1;
    memcpy(pos, lv->active_start, sizeof *pos * (size_t)(lv->n_levers + 1));
    for (int e = 0; e < lv->n_entries; e++) {
        const cor_lever_entry *x = &lv->entries[e];
        if (x->start <= day && day <= x->end)
            lv->active[pos[x->lever]++] = e;
    }
    free(pos);
    return 0;
}

static int has(const int *list, int n, int v)
{
    if (n == 0)
        return 1;
    if (v < 0)
        return 0;
    int lo = 0, hi = n - 1;
    while (lo <= hi) {
        int mid = (lo + hi) / 2;
        if (list[mid] == v)
            return 1;
        if (list[mid] < v)
            lo = mid + 1;
        else
            hi = mid - 1;
    }
    return 0;
}

int cor_scope_has_place(const cor_scope *s, int place) { return has(s->places, s->n_places, place); }
int cor_scope_has_link(const cor_scope *s, int link) { return has(s->links, s->n_links, link); }

int cor_levers_entry(const cor_levers *lv, int lever, int place, int link, int group, int demo)
{
    if (lever < 0 || lever >= lv->n_levers)
        return -1;
    for (int k = lv->active_start[lever + 1] - 1; k >= lv->active_start[lever]; k--) {
        const cor_lever_entry *e = &lv->entries[lv->active[k]];
        const cor_scope *s = &e->scope;
        if (!has(s->places, s->n_places, place) || !has(s->links, s->n_links, link) ||
            !has(s->groups, s->n_groups, group))
            continue;
        if (s->demo_mask && (demo < 0 || !(s->demo_mask & (1u << demo))))
            continue;
        return lv->active[k];
    }
    return -1;
}

int cor_levers_get(const cor_levers *lv, int lever, int place, int link, int group, int demo, double *value)
{
    int e = cor_levers_entry(lv, lever, place, link, group, demo);
    if (e < 0)
        return 0;
    *value = lv->entries[e].value;
    return 1;
}

int cor_lever_list_update(const cor_levers *lv, int lever, cor_lever_list *l)
{
    if (l->seen == lv->n_entries)
        return COR_OK;
    int *e = realloc(l->idx, sizeof *e * (size_t)(lv->n_entries + 1));
    if (!e)
        return COR_ENOMEM;
    l->idx = e;
    l->n = 0;
    for (int i = 0; i < lv->n_entries; i++)
        if (lv->entries[i].lever == lever)
            l->idx[l->n++] = i;
    l->seen = lv->n_entries;
    return COR_OK;
}

void cor_lever_list_free(cor_lever_list *l)
{
    free(l->idx);
    l->idx = NULL;
    l->n = l->seen = 0;
}
