/* schedule.h - who decides on which day: one bucket of agent ids per day.
 *
 * An agent sits in the bucket of its next-decision day and costs nothing
 * on the days between.  Rescheduling or waking an agent appends it to
 * another bucket; the entry left behind is stale and is skipped because
 * the agent's next_day no longer matches.  Before a day is processed its
 * bucket is sorted and de-duplicated, so agents are always processed in
 * ascending id order whatever the thread count.
 * Ownership: the schedule owns its buckets.
 */
#ifndef COR_SCHEDULE_H
#define COR_SCHEDULE_H

#include <stdint.h>

typedef struct {
    uint32_t *ids;
    int64_t n, cap;
    int sorted;                  /* ids strictly ascending */
} cor_bucket;

typedef struct {
    int32_t first;               /* day of buckets[0] */
    int n_days;
    cor_bucket *buckets;
    uint32_t *tmp;               /* radix-sort scratch */
    int64_t tmp_cap;
    uint32_t *spare;             /* memory of a released bucket, reused by the next new one */
    int64_t spare_cap;
} cor_schedule;

int cor_schedule_init(cor_schedule *s, int32_t first_day, int32_t last_day);
void cor_schedule_free(cor_schedule *s);
/* Append id to the bucket of `day`; days outside the run are ignored.
 * Returns 0, or -1 out of memory. */
int cor_schedule_push(cor_schedule *s, int32_t day, uint32_t id);
/* Append n ascending ids to the bucket of `day`. */
int cor_schedule_append(cor_schedule *s, int32_t day, const uint32_t *ids, int64_t n);
/* Sort and de-duplicate the bucket of `day` and return it (NULL if outside). */
cor_bucket *cor_schedule_take(cor_schedule *s, int32_t day);
/* Free the memory of a processed day. */
void cor_schedule_release(cor_schedule *s, int32_t day);

#endif
