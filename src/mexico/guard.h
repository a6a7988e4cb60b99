/* guard.h - the National Guard: troops deployed by place over time, who
 * detect people in transit and hand them to INM (docs/modules/guard.md).
 *
 * What it models.  From June 2019 Mexico deployed the National Guard on
 * its southern border (6,000) and in the north (~15,000); by 2023 ~31,700
 * members worked on migration containment.  Troops detect people arriving
 * at the places where they are deployed, with probability
 * 1 - exp(-h x d): h = troops x guard_detect_per_troop, d = the days the
 * person will stay there (>= 1), times caravans_detection_mult for caravan
 * members when the scenario defines it.  Detected people are counted in
 * guard_detections and handed to INM with the `inm_detain` request (INM
 * decides: detention, alternatives, or release with an exit order when the
 * stations are full).  Without the inm module, the Guard only counts its
 * detections and lets people go on.
 *
 * Who can be detected: as for INM — not Mexican (home place in MX), no
 * humanitarian visa (`tvrh_holder`) or exit order (`exit_order`), and
 * waiting, sheltered or travelling.  Flags and the request are looked up
 * by name on the first day: a module that is not loaded gives nobody the flag.
 *
 * Levers:
 *   guard_troops             troops deployed (>= 0); scope places in Mexico (required)
 *   guard_hr_trained_share   share (0..1) of troops trained in human rights; read by the
 *                            harm module (crimes by officials); registered here so a
 *                            scenario may set it with or without harm
 * Parameters:
 *   guard_detect_per_troop   daily detection hazard per deployed troop (>= 0; calibrated)
 *   caravans_detection_mult  optional (caravans' parameter), default 1
 * Series: guard_detections (FLOW, at the place of detection); guard_troops
 * (VALUE: troops in force at each place on the last day of the month).
 * Random purposes: 1220 detection.
 */
#ifndef COR_GUARD_H
#define COR_GUARD_H

#include "engine/rules.h"

extern const cor_rules cor_guard_rules;

/* Random purposes (rng.h): 1000 + 20 x 11 (guard's place in the stacking order). */
enum { COR_RNG_GUARD_DETECT = 1220 };

#endif
