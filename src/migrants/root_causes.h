/* root_causes.h - development programmes in the origin countries
 * (docs/modules/root_causes.md).
 *
 * What it models.  Money invested in the origin countries (the lever
 * `root_causes_usd`, USD per year, scope groups and optionally origin
 * places and demographics) lowers departures after a long lag: the
 * departure propensity of a (group, demographic, origin) on day t is
 * multiplied by
 *     exp(-root_causes_effect x I(t - lag) / 1e9)
 * where I(d) is the lever's value in force on day d for that group and
 * origin (0 if none), and lag = root_causes_lag_months x 365.25 / 12 days,
 * rounded to a whole day.  The relation is an assumption, labelled as one,
 * with a prior range for the effect (docs/modules/root_causes.md): there is
 * no study that measures it for these programmes.  The people who do not
 * leave are added to deterred_departures (negative when the effect is).
 *
 * Lever: root_causes_usd (USD per year, >= 0; scope groups, places =
 *   origins, demographics).
 * Parameters: root_causes_effect (relative fall in departures per USD
 *   billion per year, in [-10, 10]: negative = departures rise, as the
 *   "migration hump" allows), root_causes_lag_months (in [0, 1200]).
 * Series: deterred_departures (VALUE: people not leaving, at the origin,
 *   by group and demographic; shared with deterrence).
 * Statuses, flags, requests, random purposes: none (purposes 1300-1319
 *   reserved).
 */
#ifndef COR_ROOT_CAUSES_H
#define COR_ROOT_CAUSES_H

#include "engine/rules.h"

extern const cor_rules cor_root_causes_rules;

#endif
