/* title42.h - Title 42 expulsions (2020-03-21 to 2023-05-11).
 * See docs/modules/title42.md.
 *
 * At an arrival in a us_sector place, while the lever `title42` is in force
 * (value > 0) for the person (scope: sectors, groups = the nationalities
 * Mexico accepted back, demographics), the person is expelled with
 * probability title42_expel_<d>: counted as a Title 42 encounter
 * (us/encounter.h), flagged `title42_expelled`, and put `returned` in the
 * Mexican city they crossed from (the arc's from place; else the city facing
 * the sector), title42_expulsions.  Where `title42` is not in force for the
 * person but `title42_air` is, the expelled person is flown home instead:
 * `home` at the home place, title42_expulsions_air.  Everyone else
 * (not expelled, out of scope) passes down the stack (mpp, title8), where
 * the encounter is counted under Title 8 — as the record counts it: an
 * encounter is a Title 42 expulsion or a Title 8 apprehension, never both.
 * Re-attempts come from module returns (returns_retry_title42);
 * re-encounters of flagged people are counted by us/encounter.c.
 *
 * Levers: title42, title42_air (1 in force; cached per (sector, group,
 *   demographic) on the days either changes).
 * Parameters: title42_expel_<d> (probability), d = single_adults,
 *   family_members, unaccompanied_children.
 * Flag: title42_expelled.  Statuses used: returned, home (decided by
 *   returns).  Needs module returns.
 * Series (FLOW, people, at the sector): title42_expulsions (summary key
 *   title42_expulsions), title42_expulsions_air (also under summary key
 *   title42_expulsions, so that the headline counts every Title 42
 *   expulsion).
 * Random purpose: COR_RNG_TITLE42 (1080) index 0 {expelled?}.
 */
#ifndef COR_TITLE42_H
#define COR_TITLE42_H

#include "engine/rules.h"

extern const cor_rules cor_title42_rules;

enum { COR_RNG_TITLE42 = 1080 };

#endif
