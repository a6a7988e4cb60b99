/* deterrence.h - announcements that deter departures and crossings
 * (docs/modules/deterrence.md).
 *
 * What it models.  An announcement is a timeline entry of the lever
 * `deterrence`: value = its strength s in [0, 1], start = the day it is
 * made, end (optional) = the day it is withdrawn, scope groups (who hears
 * it), places (origins whose departures it reaches and/or border cities
 * whose crossings it reaches; absent = all) and demographics.  From
 * start + lag its force is
 *     f(t) = s x exp(-(t - start - lag) / decay)   until end + lag,
 * (0 before and after).  Then, with several announcements in force,
 *  - departures of a scoped (group, demographic) from a scoped origin are
 *    multiplied by prod (1 - deterrence_departure_effect x f) (propensity
 *    hook; the people who do not leave are added to deterred_departures);
 *  - a person deciding in a scoped border city (status waiting, or
 *    returned if the returns module is loaded) is held back with
 *    probability q = 1 - prod (1 - deterrence_crossing_effect x f): it
 *    waits 1 + G days, G geometric with mean deterrence_hold_days (by
 *    default border_wait_days, the corridor rules' wait in a border city),
 *    and decides again.  With the default, the city's crossing rate is
 *    multiplied by (1 - q) while the announcement is in force; the people
 *    held back cross later, once its force has decayed.
 *    The draws come from cor_draw, so a caravan holds back together.
 * The lag and decay apply to the timeline entries themselves (not to the
 * lever value in force today), so the module reads the entries of its
 * lever directly.
 *
 * Lever: deterrence (strength 0..1; scope groups, places, demographics).
 * Parameters: deterrence_departure_effect, deterrence_crossing_effect (both
 *   in [0, 1]), deterrence_lag_days (>= 0), deterrence_decay_days (> 0),
 *   deterrence_hold_days (optional, >= 0: mean extra days of a held-back
 *   person; default border_wait_days, else 0).
 * Series: deterred_departures (VALUE: people not leaving, at the origin, by
 *   group and demographic; shared with root_causes).
 * Statuses, flags, requests: none.
 * Random purposes: 1280 (index 0: word 0 hold back a crossing decision,
 *   word 1 how long).
 */
#ifndef COR_DETERRENCE_H
#define COR_DETERRENCE_H

#include "engine/rules.h"

extern const cor_rules cor_deterrence_rules;

enum { COR_RNG_DETERRENCE = 1280 };

#endif
