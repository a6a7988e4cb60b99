/* title8.h - Title 8 processing of US Border Patrol encounters.
 * See docs/modules/title8.md.
 *
 * Handles every arrival at a us_sector place that no module above took
 * (title42, mpp): counts the encounter under Title 8 (us/encounter.h), then,
 * by the person's demographic d:
 *   - Mexican single adults: voluntary return with probability
 *     title8_mexican_return -> `returned` in the Mexican city they crossed
 *     from (the arc's from place), us_voluntary_returns;
 *   - otherwise: release with a notice to appear (title8_release_<d>) ->
 *     `us_released` (terminal), us_releases; removal (title8_removal_<d>)
 *     -> Mexicans `returned` in the city they crossed from, others `home` at
 *     their home place, us_removals; else detention -> `us_detained` at the
 *     sector, us_detentions, for 1 + G days (G geometric with mean
 *     title8_detention_days - 1), then release with probability
 *     title8_detention_release (default: release_d / (release_d + removal_d))
 *     or removal (Mexicans to the city facing the sector).
 *   - While the lever title8_asylum_limit (share, 0..1) is in force for the
 *     person at the sector, each release (at the border or from detention)
 *     becomes a removal with that probability.
 * d = single_adults, family_members, unaccompanied_children.
 *
 * Lever: title8_asylum_limit (scope: sectors, groups, demographics; written
 *   by proclamation, or set in a scenario).  Cached per (sector, group,
 *   demographic) on the days it changes.
 * Parameters: title8_release_<d>, title8_removal_<d> (probabilities, their
 *   sum <= 1), title8_detention_days (mean days, >= 1),
 *   title8_mexican_return (probability), title8_detention_release (optional,
 *   probability).
 * Statuses: us_released (terminal), us_detained (decided here); uses home and
 *   returned (decided by returns).  Needs module returns.
 * Series (FLOW, people, at the sector): us_releases, us_removals (summary key
 *   us_removals), us_voluntary_returns, us_detentions.
 * Random purposes: COR_RNG_TITLE8 (1040) index 0 {voluntary return?,
 *   outcome}, index 1 {limit turns the release into a removal?, detention
 *   length}; COR_RNG_TITLE8_END (1041) index 0 {released at the end of
 *   detention?, limit?}.
 */
#ifndef COR_TITLE8_H
#define COR_TITLE8_H

#include "engine/rules.h"

extern const cor_rules cor_title8_rules;

enum { COR_RNG_TITLE8 = 1040, COR_RNG_TITLE8_END = 1041 };

#endif
