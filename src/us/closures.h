/* closures.h - closed border crossings and rail bridges.
 *
 * What it models (docs/modules/closures.md):
 *  - `crossing_closed`: a closed crossing carries no one.  Its route weight
 *    is 0, and so is the weight of every link into a place from which, with
 *    the closures in force, no us_sector place can be reached any more.
 *    With the corridor rules as the base rule set, the detour term of every
 *    other link is recomputed with the distances to a sector by open links
 *    (route_detour_km, the corridor's parameter), so a place whose crossing
 *    closed and whose way on is long becomes unattractive: people re-route
 *    upstream to the crossings still open (a closed crossing gets no traffic
 *    and its neighbours more).  When a closure starts or ends, the engine
 *    rebuilds the route tables and this module wakes the people waiting or
 *    resting at the places where a closed link starts, so they choose again
 *    that same day (those with no way left wait; they are woken again when
 *    it reopens).  People already on a link carry on.
 *  - `rail_bridge_closed`: a closed rail crossing (the December 2023
 *    closures at Eagle Pass and El Paso) moves no migrants; it costs the
 *    economy closures_cost_usd_per_day for every day one is in force.
 *
 * Levers (timeline):
 *   crossing_closed     1 (> 0) closed.  Scope: links (these links, both
 *                       ways if two-way), and/or places (links into these
 *                       places); groups and demographics restrict whom the
 *                       closure stops.  No scope closes every link.
 *   rail_bridge_closed  1 (> 0) closed (scope: places, for closure_days only).
 * Parameter:
 *   closures_cost_usd_per_day   USD lost per day with a rail-bridge closure
 *                       in force (>= 0; the seeds: ~100 million a day from
 *                       COPARMEX; Union Pacific: ~200 million).  Required when
 *                       the timeline has rail_bridge_closed; else optional.
 * Series: closure_cost_usd (VALUE, USD, national; summary key
 *   closure_cost_usd): the parameter once per day with any rail-bridge
 *   closure in force, however many bridges; closure_days (VALUE, days): one
 *   per day for each place closed that day (a crossing_closed entry's
 *   places, or the `to` place of its links; a rail_bridge_closed entry's
 *   places), or at no place for entries without such a scope.
 * No random numbers (purposes 1160-1179 reserved).
 */
#ifndef COR_CLOSURES_H
#define COR_CLOSURES_H

#include "engine/rules.h"

extern const cor_rules cor_closures_rules;

#endif
