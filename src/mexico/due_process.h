/* due_process.h - the right to seek asylum in detention, and refoulement
 * (docs/modules/due_process.md).
 *
 * What it models.  Some migrants need international protection.  When INM
 * detains someone, the authorities should tell them of their right to seek
 * asylum; Amnesty International (2017) found that 75% of the detainees it
 * interviewed had not been told.  A person with a protection need who is
 * informed may apply to COMAR from detention; one who is deported without
 * ever having been informed is counted as a refoulement (return to a risk
 * of persecution without access to a procedure).
 *
 * Behaviour.
 *  - At spawn: flag `protection_need` with the group's share
 *    (due_process_need_<population id>).
 *  - On each detention (observes the series inm_detentions): flag `informed`
 *    with the share `due_process_informed_share` in force for the person at
 *    the place (the flag is never cleared: once told, a person knows); an
 *    informed person with a need asks COMAR (request `comar_apply`) with
 *    probability due_process_apply_if_informed.  If no module registers
 *    `comar_apply` (comar not loaded), nothing is requested.
 *  - On each deportation (observes deportations_land, deportations_air): a
 *    person with `protection_need` and without `informed` is a refoulement,
 *    counted at the place the person was deported from.
 * Without the inm module it only flags needs at spawn.
 *
 * Lever:
 *   due_process_informed_share  share (0..1) of detainees informed; scope places,
 *                               groups, demographics; none in force = 0
 * Parameters:
 *   due_process_need_<group>    share (0..1) of the group with a protection need: required
 *                               for every group whose home is not in Mexico (Mexicans are
 *                               never detained by INM), optional (default 0) for the others
 *   due_process_apply_if_informed  probability (0..1) that an informed detainee with a need applies
 * Flags: `protection_need`, `informed` (registered here).
 * Series: refoulements (FLOW, summary key refoulements), detainees_informed (FLOW).
 * Random purposes: 1240 need at spawn, 1241 informed, 1242 applies.
 */
#ifndef COR_DUE_PROCESS_H
#define COR_DUE_PROCESS_H

#include "engine/rules.h"

extern const cor_rules cor_due_process_rules;

/* Random purposes (rng.h): 1000 + 20 x 12 (due_process's place in the stacking order). */
enum { COR_RNG_DUE_NEED = 1240, COR_RNG_DUE_INFORMED = 1241, COR_RNG_DUE_APPLY = 1242 };

#endif
