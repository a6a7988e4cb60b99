/* inm.h - INM enforcement: checkpoints, detention stations, deportation by
 * land and by air, release with an exit order (docs/modules/inm.md).
 *
 * What it models.  Mexico's National Migration Institute (INM) detects
 * people at checkpoints (places and links where INM agents are deployed),
 * holds them in detention stations of limited national capacity, and then
 * deports them by land (home country reached by road: GT, HN, SV), puts
 * them on deportation flights (weekly seats by destination nationality,
 * first detained first served), or releases them with an exit order when
 * the stations are full, when it gives "alternatives to detention", or when
 * the legal maximum stay runs out.  Anyone who detects (INM itself, the
 * National Guard) hands the person over with the `inm_detain` request;
 * stations are filled in `resolve`, ascending agent id.
 *
 * Who can be detected: people who are not Mexican (home place in MX), do
 * not hold a humanitarian visa (flag `tvrh_holder`, looked up by name: if
 * no module registers it nobody has one) or an exit order (flag
 * `exit_order`), and are waiting, sheltered or travelling (so asylum
 * applicants, people waiting for a US hearing or appointment, returnees and
 * detainees are not).  Detection happens on arrival at a place in Mexico,
 * with probability 1 - exp(-(h_link + h_place x d)): h_place = agents at
 * the place x inm_detect_per_agent, d = the days the person will stay
 * there (>= 1); h_link = agents on the link just travelled x
 * inm_detect_per_agent (d = 1).  Members of a caravan (flag `caravan`)
 * have the hazard multiplied by the parameter caravans_detection_mult when
 * the scenario defines it.
 *
 * Levers:
 *   inm_agents               INM agents at checkpoints (>= 0); scope places (in MX) or links, one of them
 *   inm_detention_capacity   people the stations can hold (>= 0), national, no scope; absent = no limit
 *   inm_flights_per_week     deportation flights per week (>= 0); scope groups (destination nationality)
 *   inm_alternatives_share   share (0..1) of those handed over given alternatives to detention
 *                            (released with an exit order, no deportation); scope places, groups, demographics
 *   inm_budget_mxn           annual budget, MXN (>= 0), national, no scope: inm_spending_mxn
 * Parameters:
 *   inm_detect_per_agent     daily detection hazard per deployed agent (>= 0; calibrated)
 *   inm_seats_per_flight     seats per deportation flight, people (> 0); required if the
 *                            timeline uses inm_flights_per_week
 *   inm_detention_days       mean days in detention before deportation by land (>= 1)
 *   inm_max_detention_days   whole days after which a detainee is released with an exit order (>= 1)
 *   caravans_detection_mult  optional (caravans' parameter), default 1
 * Statuses: `detained` (held at the place of detection), `home` (deported;
 * the returns module decides what they do next).
 * Flags: `exit_order` (registered here; holders are not detected again).
 * Requests: `inm_detain` (registered here).
 * Series: inm_detentions, deportations_land, deportations_air, inm_exit_orders,
 * inm_alternatives (FLOW, at the place of detention); inm_detained (STOCK by
 * place); inm_spending_mxn (VALUE: budget / days in the year, each day).
 * Random purposes: 1200 detection, 1201 alternatives, 1202 days before a
 * land deportation (keyed by the detention day).
 * Needs the module `returns` (for `home`).
 */
#ifndef COR_INM_H
#define COR_INM_H

#include "engine/rules.h"

extern const cor_rules cor_inm_rules;

/* Random purposes (rng.h): 1000 + 20 x 10 (inm's place in the stacking order). */
enum { COR_RNG_INM_DETECT = 1200, COR_RNG_INM_ALTERNATIVE = 1201, COR_RNG_INM_LAND_DAYS = 1202 };

#endif
