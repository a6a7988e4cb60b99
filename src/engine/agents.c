/* agents.c - structure-of-arrays storage for agents. */
#include "engine/agents.h"

#include <stdlib.h>
#include <string.h>

#define FIELDS(X)                                                                                       \
    X(group) X(demo) X(status) X(flags) X(attempts) X(place) X(arc) X(progress) X(next_day) X(since) X(born)

static int grow(void **p, size_t elem, int64_t oldcap, int64_t newcap)
{
    void *q = realloc(*p, elem * (size_t)newcap);
    if (!q)
        return -1;
    memset((char *)q + elem * (size_t)oldcap, 0, elem * (size_t)(newcap - oldcap));
    *p = q;
    return 0;
}

static int resize(cor_agents *ag, int64_t newcap)
{
#define GROW(f)                                                                                         \
    if (grow((void **)&ag->f, sizeof *ag->f, ag->cap, newcap))                                          \
        return -1;
    FIELDS(GROW)
#undef GROW
    for (int c = 0; c < ag->n_cols; c++)
        if (grow(&ag->cols[c].data, ag->cols[c].size, ag->cap, newcap))
            return -1;
    ag->cap = newcap;
    return 0;
}

int cor_agents_init(cor_agents *ag, int64_t cap)
{
    memset(ag, 0, sizeof *ag);
    return resize(ag, cap > 16 ? cap : 16);
}

void cor_agents_free(cor_agents *ag)
{
#define FREE(f) free(ag->f);
    FIELDS(FREE)
#undef FREE
    for (int c = 0; c < ag->n_cols; c++)
        free(ag->cols[c].data);
    memset(ag, 0, sizeof *ag);
}

int cor_agents_reserve(cor_agents *ag, int64_t more)
{
    if (ag->n + more <= ag->cap)
        return 0;
    int64_t cap = ag->cap;
    while (cap < ag->n + more)
        cap = cap + cap / 2 + 16;
    return resize(ag, cap);
}

int cor_agents_add_column(cor_agents *ag, const char *name, size_t size)
{
    if (ag->n_cols >= COR_MAX_COLUMNS || size == 0 || strlen(name) >= sizeof ag->cols[0].name ||
        cor_agents_find_column(ag, name) >= 0)
        return -1;
    cor_column *c = &ag->cols[ag->n_cols];
    c->data = calloc((size_t)ag->cap, size);
    if (!c->data)
        return -1;
    strcpy(c->name, name);
    c->size = size;
    return ag->n_cols++;
}

int cor_agents_find_column(const cor_agents *ag, const char *name)
{
    for (int c = 0; c < ag->n_cols; c++)
        if (strcmp(ag->cols[c].name, name) == 0)
            return c;
    return -1;
}

size_t cor_agents_bytes_per_agent(const cor_agents *ag)
{
    size_t b = 0;
#define SZ(f) b += sizeof *ag->f;
    FIELDS(SZ)
#undef SZ
    for (int c = 0; c < ag->n_cols; c++)
        b += ag->cols[c].size;
    return b;
}
