/* corridor.h - the corridor rules: the base rule set for the migration
 * corridor (departure, route choice, rest at shelters, waiting in border
 * cities, crossing into a US sector = an encounter).  See docs/MODEL.md.
 *
 * Statuses it adds: "sheltered" (in a shelter bed, limited by the place's
 * capacity) and "arrived" (terminal: reached a US sector or a destination).
 * Series it counts: the US encounter series (us/encounter.h) on arrival at a
 * us_sector place.
 * Parameters it reads: route_detour_km, route_risk_aversion,
 * mode_pref_<mode> (optional, neutral 1), transit_wait_days (if the network
 * has transit, origin or border_crossing places), shelter_rest_prob and
 * shelter_rest_days (if it has shelters), border_wait_days (if it has
 * border cities).
 */
#ifndef COR_CORRIDOR_H
#define COR_CORRIDOR_H

#include "engine/rules.h"
#include "us/encounter.h"

extern const cor_rules cor_corridor_rules;

/* It registers the request "corridor_rest" (a shelter bed), resolved in
 * ascending agent id. */

#endif
