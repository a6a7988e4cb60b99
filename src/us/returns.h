/* returns.h - what people do after the US returns them to a Mexican border
 * city or anyone (the US or Mexico) sends them back to their own country.
 * See docs/modules/returns.md.
 *
 * Statuses it registers and decides for:
 *   returned  in a Mexican border city after a US removal, voluntary return
 *             or Title 42 expulsion (set by title8, title42, mpp...);
 *   home      back in the home country after a deportation (inm), a removal
 *             or an air expulsion (title8, title42), or a returnee who went
 *             home (this module);
 *   settled   terminal: stayed, in the border city or at home.
 * A `returned` person decides once, the day after the return (the engine's
 * next decision): try again (probability returns_retry_<cause>) after a
 * wait, else go home (returns_go_home), else settle in the city.  A `home`
 * person decides once, returns_home_days (mean) after arriving: leave again
 * (returns_remigrate) or settle.  Agents sleep between decisions: the module
 * costs one status test per decision of anyone else.
 *
 * The cause of a return is read from the series other modules count
 * (observe): title42_expulsions / title42_expulsions_air -> title42;
 * us_removals / us_voluntary_returns -> title8; mpp_returned / mpp_abandoned
 * -> mpp; anything else (or nothing) -> title8.  It is kept in an agent
 * column "returns_cause" (1 byte).  The same observation counts
 * returns_to_mexico: us_removals of Mexicans, us_voluntary_returns,
 * title42_expulsions and mpp_returned, at the Mexican place where the person
 * now is (else where the event was counted).
 *
 * Parameters (probabilities in [0, 1], days >= 1):
 *   returns_home_days      mean days at home before deciding (always)
 *   returns_remigrate      probability a person at home leaves again (always)
 *   returns_retry_title8   probability a returnee tries again, by cause
 *   returns_retry_title42  (title42 loaded) / returns_retry_mpp (mpp loaded)
 *   returns_retry_days     mean days from the return to the new attempt
 *   returns_go_home        probability a returnee who does not try again goes home
 * (the last four are required when title8, title42 or mpp is loaded).
 * Waits are 1 + G days, G geometric with mean (days - 1), counted from the
 * day the status began (the agent's `since`).
 * Series (FLOW, people): returns_to_mexico (summary key returns_to_mexico),
 * returnee_retries, returnees_home, returnees_settled, returnee_remigrations.
 * Random purposes: COR_RNG_RETURNS (1020) index 0 {retry?, go home?};
 * COR_RNG_RETURNS_WAIT (1021) index 0 {retry wait, home wait}, drawn on the
 * day the status began; COR_RNG_RETURNS_HOME (1022) index 0 {remigrate?}.
 *
 * Also here: geography shared by the US modules (which need returns
 * anyway) and a parameter reader with range checks.
 */
#ifndef COR_RETURNS_H
#define COR_RETURNS_H

#include <stdint.h>

#include "engine/rules.h"

extern const cor_rules cor_returns_rules;

enum { COR_RNG_RETURNS = 1020, COR_RNG_RETURNS_WAIT = 1021, COR_RNG_RETURNS_HOME = 1022 };

/* Where returns go.  Owned arrays; cor_us_geo_free frees them. */
typedef struct {
    uint8_t *mx_place;  /* [place] 1: the place is in Mexico (country MX) */
    uint8_t *mx_group;  /* [group] 1: Mexican nationals (home place in MX) */
    int *home;          /* [group] home place (cor_home_place: the largest origin) */
    int *sector;        /* [place] index among us_sector places, or -1 */
    int *facing;        /* [sector index] the Mexican place facing the sector, or -1 */
    int n_sectors;
} cor_us_geo;

/* Build (COR_OK) or fail the sim (COR_ENOMEM).  The place facing a sector
 * is the Mexican place with the shortest arc into it, preferring
 * border_city places (ties: the lower place index). */
int cor_us_geo_init(cor_sim *sim, cor_us_geo *geo);
void cor_us_geo_free(cor_us_geo *geo);

/* The Mexican place a person arriving at us_sector place `sector` by `arc`
 * (-1: not by an arc) is sent back to: the arc's from place if it is in
 * Mexico, else the place facing the sector; -1 if there is none. */
static inline int cor_us_return_city(const cor_sim *sim, const cor_us_geo *geo, int sector, int arc)
{
    if (arc >= 0 && geo->mx_place[sim->net.arcs[arc].from])
        return sim->net.arcs[arc].from;
    int k = geo->sector[sector];
    return k < 0 ? -1 : geo->facing[k];
}

/* Read a parameter and check lo <= value <= hi (hi = INFINITY: no upper
 * bound).  required: a missing one fails the sim naming `who`; optional:
 * returns 0 and leaves *value as it was.  A value out of range fails the
 * sim with "file:line: parameters.NAME.value: must be in [lo, hi] (got v)"
 * (or "must be >= lo").  Returns 1 when read and valid, 0 otherwise (then
 * sim->rc says whether it failed). */
int cor_us_param(cor_sim *sim, const char *name, const char *who, int required, double lo, double hi,
                 double *value);

/* Fail the sim unless module `need` is loaded: "module WHO needs module
 * NEED: add it to meta.modules".  COR_OK or COR_EINPUT. */
int cor_us_need(cor_sim *sim, const char *who, const char *need);

#endif
