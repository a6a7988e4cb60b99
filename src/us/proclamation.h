/* proclamation.h - the June 2024 proclamation limiting asylum when border
 * encounters are high (Proclamation 10773, "Securing the Border").
 * See docs/modules/proclamation.md.
 *
 * Counts US Border Patrol encounters (people) each day by observing the
 * series us_encounters.  At the end of each day on which the lever
 * `proclamation` is in force, the average of the last 7 days' encounters
 * (once 7 days have been counted) decides:
 *   - limits off and average >= proclamation_threshold: from the next day,
 *     title8_asylum_limit = proclamation_limit;
 *   - limits on and average < proclamation_off_threshold: the limits are
 *     lifted proclamation_off_days days after the next day (the
 *     proclamation: 14 calendar days after a 7-day average below 1,500).
 * If the lever `proclamation` is no longer in force, limits in place are
 * lifted from the next day.  The lever is written for single adults and
 * family members only: unaccompanied children are excepted (Proclamation
 * 10773 sec. 3(b)).  While limits apply, this module owns
 * title8_asylum_limit for those demographics (its writes are later than any
 * timeline entry, so they win).
 *
 * Lever: proclamation (1 in force; read nationally, no scope).
 * Parameters: proclamation_threshold (people per day, >= 0),
 *   proclamation_limit (0..1), optional proclamation_off_threshold (people
 *   per day, default = proclamation_threshold), optional
 *   proclamation_off_days (days >= 0, default 0).
 * Series: proclamation_days (VALUE, days with limits in force, national).
 * Determinism: the day's encounters are counted per thread (one padded
 *   counter per parallel context, one for the sequential context) and
 *   summed in day_end.  No random numbers.  Needs module title8.
 */
#ifndef COR_PROCLAMATION_H
#define COR_PROCLAMATION_H

#include "engine/rules.h"

extern const cor_rules cor_proclamation_rules;

#endif
