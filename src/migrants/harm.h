/* harm.h - crimes against migrants and deaths on the way (docs/modules/harm.md).
 *
 * What it models.  Crimes (extortion, kidnapping, assault, robbery: one
 * count) happen
 *  - at places: Poisson, `harm_crime_rate_<kind>` crimes per person-day at a
 *    place of that kind, charged for the stay the agent plans when it
 *    arrives or decides (its next decision day - today), so sleeping agents
 *    are never woken for it; a stay lengthened in `resolve` (a shelter bed,
 *    a detention...) is charged for the extra days;
 *  - on links: Poisson, `harm_crime_per_link_<mode>` x (1 + link risk)
 *    crimes per traversal, charged on arrival.
 * A share of the crimes is committed by officials: the lever
 * `harm_officials_share` x (1 - `guard_hr_trained_share` x
 * `harm_guard_hr_effect`), clipped to [0, 1].
 * Deaths: each traversal of a link of a segment kills with probability
 * `harm_death_<segment>` x (1 + link risk); segments: river (river links),
 * desert (foot links into a us_sector), train (rail), road (bus and road),
 * sea (sea); other links (foot elsewhere, air) kill no one.  The dead get
 * the terminal status `dead` at the place the link leads to, before any
 * other layer sees the arrival (so they are never encountered, detained or
 * counted elsewhere); requests pending for a dead agent are dropped.
 * Events on a link are recorded at the place the link leads to.
 *
 * Levers: harm_officials_share (0..1; scope places, links, groups),
 *         guard_hr_trained_share (0..1; registered by guard too).
 * Parameters: harm_crime_rate_<kind> (per person-day; required for the
 *   kinds border_crossing, transit, shelter, border_city present in the
 *   network, optional (default 0) for origin, us_sector, destination),
 *   harm_crime_per_link_<mode> (per traversal; required for the modes
 *   present), harm_death_<segment> (per traversal, in [0, 1]; required for
 *   the segments present), harm_guard_hr_effect (in [0, 1]; required when
 *   the timeline sets guard_hr_trained_share, else 0).
 * Statuses: dead (terminal).  Flags, requests: none.
 * Series (FLOW, people): crimes, crimes_by_officials, deaths (summary keys
 *   crimes, crimes_by_officials, deaths), deaths_river, deaths_desert,
 *   deaths_train, deaths_road, deaths_sea.
 * Random purposes (agent's own stream, never a caravan's shared one, so
 * members of a caravan are harmed one by one): 1340 arrival by a link
 * (index 0: word 0 death, word 1 crimes on the link (high 32 bits) and in
 * the stay that follows (low 32 bits); 1+: officials), 1341 a stay planned
 * on a decision (or on an arrival not along a link) (index 0: crimes; 1+:
 * officials), 1342 a stay lengthened in resolve (same indices).
 */
#ifndef COR_HARM_H
#define COR_HARM_H

#include "engine/rules.h"

extern const cor_rules cor_harm_rules;

enum { COR_RNG_HARM_LINK = 1340, COR_RNG_HARM_STAY = 1341, COR_RNG_HARM_EXTEND = 1342 };

/* Death segments, in the order of the series deaths_<segment>. */
enum { COR_HARM_RIVER, COR_HARM_DESERT, COR_HARM_TRAIN, COR_HARM_ROAD, COR_HARM_SEA, COR_HARM_N_SEGMENTS };

/* The segment of a directed arc of the sim's network, or -1 (no deaths). */
int cor_harm_segment(const cor_sim *sim, int arc);

#endif
