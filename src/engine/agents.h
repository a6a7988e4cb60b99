/* agents.h - agents stored as structure-of-arrays (one array per field).
 *
 * An agent is an index into every array.  Agents are never moved or
 * reused, so an id is stable for the whole run and keys its random streams.
 * Modules may add columns of their own (cor_agents_add_column); they grow
 * with the agents and are zeroed for new agents.
 * Ownership: the cor_agents struct owns every array; cor_agents_free frees.
 */
#ifndef COR_AGENTS_H
#define COR_AGENTS_H

#include <stddef.h>
#include <stdint.h>

#define COR_NONE UINT32_MAX       /* no link / no place */
#define COR_NEVER INT32_MAX        /* next-decision day of an agent that never wakes */
#define COR_MAX_COLUMNS 32

typedef struct {
    char name[32];
    size_t size;                  /* bytes per agent */
    void *data;
} cor_column;

typedef struct {
    int64_t n, cap;
    uint8_t *group;               /* nationality group (population index) */
    uint8_t *demo;                /* demographic (cor_demo) */
    uint8_t *status;              /* status id (see sim status registry) */
    uint8_t *flags;               /* bits for modules (COR_FLAG_*) */
    uint8_t *attempts;            /* crossing attempts (saturating) */
    uint32_t *place;              /* current place; while travelling, the place left */
    uint32_t *arc;                /* directed link being travelled, or COR_NONE */
    float *progress;              /* km travelled on arc at day `since` */
    int32_t *next_day;            /* day of the next decision (COR_NEVER: none) */
    int32_t *since;               /* day the current status / trip began */
    int32_t *born;                /* day spawned */
    cor_column cols[COR_MAX_COLUMNS];
    int n_cols;
} cor_agents;

int cor_agents_init(cor_agents *ag, int64_t cap);
void cor_agents_free(cor_agents *ag);
/* Make room for n more agents; 0 on success, -1 out of memory. */
int cor_agents_reserve(cor_agents *ag, int64_t more);
/* Register a module column; returns its index, or -1. */
int cor_agents_add_column(cor_agents *ag, const char *name, size_t size);
int cor_agents_find_column(const cor_agents *ag, const char *name);
/* Bytes per agent of every array together. */
size_t cor_agents_bytes_per_agent(const cor_agents *ag);

#endif
