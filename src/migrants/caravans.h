/* caravans.h - group departures that travel together (docs/modules/caravans.md).
 *
 * What it models.  A caravan is a timeline entry of the lever `caravan`:
 * value = size in people, start = departure day, scope.places = the one
 * place it leaves from, scope.groups = its nationalities (absent: the
 * groups that have that place among their origins).  On the start day the
 * module spawns size / scale agents there (fractions of an agent carried
 * from one caravan to the next, in timeline order), split among the groups
 * in proportion to their latent demand that month and, within a group,
 * among demographics by the group's demand split that month (largest
 * remainders).  Members get the flag `caravan` and one random stream
 * shared by the caravan (cor_streams_enable; stream = 2^31 + caravan
 * index), so every layer that draws through cor_draw makes the same choice
 * for all of them: they take the same links and wait the same days, until
 * something that is not a shared draw separates them (a shelter bed given
 * in agent order, a detention, a death).
 * Caravans do not add to the latent demand: from the start day to the end
 * of its month, the group's ordinary departures are reduced through the
 * propensity hook by the caravan's people, spread evenly over the days
 * left (by demographic and origin share), never below zero; what a month
 * cannot absorb is taken from the next months.  So the group's departures
 * in the month (ordinary + caravan) equal the latent demand x propensity.
 *
 * Lever: caravan (people; scope places = origin (exactly one), groups).
 * Parameters: caravans_detection_mult (optional, >= 0: read by inm and
 *   guard, which multiply members' detection hazard by it; checked here).
 * Flags: caravan.  Statuses, requests: none.
 * Series: caravan_departures (FLOW, people, at the origin; summary key
 *   caravan_departures).
 * Random purposes: none of its own (members share the stream column).
 * Entries starting outside the run, or written by modules during the run,
 * spawn nothing.
 */
#ifndef COR_CARAVANS_H
#define COR_CARAVANS_H

#include "engine/rules.h"

extern const cor_rules cor_caravans_rules;

/* First shared stream value: caravan i uses COR_CARAVAN_STREAM0 + i. */
#define COR_CARAVAN_STREAM0 0x80000000u

#endif
