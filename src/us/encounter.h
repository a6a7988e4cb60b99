/* encounter.h - counting a US Border Patrol encounter, in one place.
 *
 * Every rule that processes a person arriving in a us_sector place (the
 * corridor rules, title8, title42, mpp, ...) counts the encounter through
 * cor_encounter_count(), so the series stay consistent:
 *   us_encounters            FLOW, by sector, group, demographic (summary key us_encounters)
 *   us_encounters_title8     FLOW, the same under Title 8
 *   us_encounters_title42    FLOW, the same under Title 42
 *   us_unique_encountered    FLOW, people counted once per calendar month (summary key us_unique_encountered)
 *   title42_reencounters     FLOW, encounters of people expelled under Title 42 before (summary key title42_reencounters)
 * Encounters are events, as the record counts them: a person crossing
 * twice is counted twice.  The agent's attempts counter goes up by one.
 */
#ifndef COR_ENCOUNTER_H
#define COR_ENCOUNTER_H

#include <stdint.h>

#include "engine/sim.h"

enum { COR_TITLE8 = 8, COR_TITLE42 = 42 };

typedef struct {
    int total, title8, title42, unique, reencounter; /* series ids */
    int col_month;                                   /* agent column: 1 + month of the last encounter */
    uint8_t flag_expelled;                           /* "title42_expelled" agent flag */
} cor_encounter_ids;

/* Register the series, the column and the flag (idempotent); during setup. */
int cor_encounter_setup(cor_sim *sim, cor_encounter_ids *ids);
void cor_encounter_count(cor_ctx *c, const cor_encounter_ids *ids, uint32_t a, int sector, int title);

#endif
