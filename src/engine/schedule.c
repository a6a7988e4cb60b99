/* schedule.c - per-day buckets of agent ids (a calendar queue). */
#include "engine/schedule.h"

#include <stdlib.h>
#include <string.h>

int cor_schedule_init(cor_schedule *s, int32_t first_day, int32_t last_day)
{
    memset(s, 0, sizeof *s);
    s->first = first_day;
    s->n_days = last_day >= first_day ? last_day - first_day + 1 : 0;
    s->buckets = calloc((size_t)s->n_days + 1, sizeof *s->buckets);
    if (!s->buckets)
        return -1;
    for (int i = 0; i < s->n_days; i++)
        s->buckets[i].sorted = 1;
    return 0;
}

void cor_schedule_free(cor_schedule *s)
{
    for (int i = 0; i < s->n_days; i++)
        free(s->buckets[i].ids);
    free(s->buckets);
    free(s->tmp);
    free(s->spare);
    memset(s, 0, sizeof *s);
}

int cor_schedule_push(cor_schedule *s, int32_t day, uint32_t id)
{
    int64_t i = (int64_t)day - s->first;
    if (i < 0 || i >= s->n_days)
        return 0;
    cor_bucket *b = &s->buckets[i];
    if (b->cap == 0 && s->spare) {
        b->ids = s->spare;
        b->cap = s->spare_cap;
        s->spare = NULL;
        s->spare_cap = 0;
    }
    if (b->n == b->cap) {
        int64_t cap = b->cap ? b->cap * 2 : 256;
        uint32_t *p = realloc(b->ids, sizeof *p * (size_t)cap);
        if (!p)
            return -1;
        b->ids = p;
        b->cap = cap;
    }
    if (b->n > 0 && b->ids[b->n - 1] >= id)
        b->sorted = 0;
    b->ids[b->n++] = id;
    return 0;
}

int cor_schedule_append(cor_schedule *s, int32_t day, const uint32_t *ids, int64_t n)
{
    int64_t i = (int64_t)day - s->first;
    if (i < 0 || i >= s->n_days || n <= 0)
        return 0;
    cor_bucket *b = &s->buckets[i];
    if (b->cap == 0 && s->spare && s->spare_cap >= n) {
        b->ids = s->spare;
        b->cap = s->spare_cap;
        s->spare = NULL;
        s->spare_cap = 0;
    }
    if (b->n + n > b->cap) {
        int64_t cap = b->cap ? b->cap : 256;
        while (cap < b->n + n)
            cap *= 2;
        uint32_t *p = realloc(b->ids, sizeof *p * (size_t)cap);
        if (!p)
            return -1;
        b->ids = p;
        b->cap = cap;
    }
    if (b->n > 0 && b->ids[b->n - 1] >= ids[0])
        b->sorted = 0;
    memcpy(b->ids + b->n, ids, sizeof *ids * (size_t)n);
    b->n += n;
    return 0;
}

/* LSD radix sort, 4 passes of 8 bits (skipping passes where all keys agree). */
static int radix_sort(cor_schedule *s, uint32_t *a, int64_t n)
{
    if (s->tmp_cap < n) {
        uint32_t *t = realloc(s->tmp, sizeof *t * (size_t)n);
        if (!t)
            return -1;
        s->tmp = t;
        s->tmp_cap = n;
    }
    uint32_t *src = a, *dst = s->tmp;
    for (int shift = 0; shift < 32; shift += 8) {
        int64_t count[257] = {0};
        for (int64_t i = 0; i < n; i++)
            count[((src[i] >> shift) & 0xff) + 1]++;
        int trivial = 0;
        for (int k = 1; k <= 256; k++)
            if (count[k] == n)
                trivial = 1;
        if (trivial)
            continue;
        for (int k = 0; k < 256; k++)
            count[k + 1] += count[k];
        for (int64_t i = 0; i < n; i++)
            dst[count[(src[i] >> shift) & 0xff]++] = src[i];
        uint32_t *t = src;
        src = dst;
        dst = t;
    }
    if (src != a)
        memcpy(a, src, sizeof *a * (size_t)n);
    return 0;
}

cor_bucket *cor_schedule_take(cor_schedule *s, int32_t day)
{
    int64_t i = (int64_t)day - s->first;
    if (i < 0 || i >= s->n_days)
        return NULL;
    cor_bucket *b = &s->buckets[i];
    if (!b->sorted) {
        if (radix_sort(s, b->ids, b->n))
            return NULL;
        int64_t m = 0;
        for (int64_t k = 0; k < b->n; k++)
            if (m == 0 || b->ids[m - 1] != b->ids[k])
                b->ids[m++] = b->ids[k];
        b->n = m;
        b->sorted = 1;
    }
    return b;
}

void cor_schedule_release(cor_schedule *s, int32_t day)
{
    int64_t i = (int64_t)day - s->first;
    if (i < 0 || i >= s->n_days)
        return;
    cor_bucket *b = &s->buckets[i];
    if (b->cap > s->spare_cap) {
        free(s->spare);
        s->spare = b->ids;
        s->spare_cap = b->cap;
    } else {
        free(b->ids);
    }
    memset(b, 0, sizeof *b);
    s->buckets[i].sorted = 1;
}
