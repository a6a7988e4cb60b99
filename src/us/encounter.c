/* encounter.c - one place where US Border Patrol encounters are counted. */
#include "us/encounter.h"

#include "engine/calendar.h"

int cor_encounter_setup(cor_sim *sim, cor_encounter_ids *ids)
{
    ids->total = cor_series_register(sim, "us_encounters", COR_FLOW, "us_encounters", COR_AGG_SUM);
    ids->title8 = cor_series_register(sim, "us_encounters_title8", COR_FLOW, NULL, COR_AGG_SUM);
    ids->title42 = cor_series_register(sim, "us_encounters_title42", COR_FLOW, NULL, COR_AGG_SUM);
    ids->unique = cor_series_register(sim, "us_unique_encountered", COR_FLOW, "us_unique_encountered", COR_AGG_SUM);
    ids->reencounter = cor_series_register(sim, "title42_reencounters", COR_FLOW, "title42_reencounters", COR_AGG_SUM);
    ids->col_month = cor_agents_find_column(&sim->agents, "encounter_month");
    if (ids->col_month < 0)
        ids->col_month = cor_column_register(sim, "encounter_month", sizeof(int32_t));
    ids->flag_expelled = cor_flag_register(sim, "title42_expelled");
    if (ids->total < 0 || ids->title8 < 0 || ids->title42 < 0 || ids->unique < 0 || ids->reencounter < 0 ||
        ids->col_month < 0 || !ids->flag_expelled)
        return cor_sim_fail(sim, COR_ENOMEM, "cannot register the encounter series (out of memory or out of flags)");
    return COR_OK;
}

void cor_encounter_count(cor_ctx *c, const cor_encounter_ids *ids, uint32_t a, int sector, int title)
{
    cor_sim *sim = c->sim;
    cor_agents *ag = &sim->agents;
    if (ag->attempts[a] < UINT8_MAX)
        ag->attempts[a]++;
    cor_event(c, ids->total, sector, a);
    cor_event(c, title == COR_TITLE42 ? ids->title42 : ids->title8, sector, a);
    int32_t *last = cor_column_data(sim, ids->col_month);
    int32_t month = cor_month_of_day(c->day) + 1;
    if (last[a] != month) {
        last[a] = month;
        cor_event(c, ids->unique, sector, a);
    }
    if (ag->flags[a] & ids->flag_expelled)
        cor_event(c, ids->reencounter, sector, a);
}
