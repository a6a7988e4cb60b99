/* cbp_one.h - CBP One appointments at the ports of entry.
 *
 * What it models (docs/modules/cbp_one.md): while appointments are offered,
 * a person arriving in a Mexican border city that has a crossing into a US
 * sector may register in the CBP One app instead of crossing between ports
 * (probability cbp_one_use_prob).  Registered people wait in that city
 * (status `cbp_one_waiting`, they do not move) in one national first come,
 * first served queue.  Each day `cbp_one_daily` people are given an
 * appointment and enter at the port facing their city (`us_entered`,
 * terminal): these entries are not USBP encounters (us_encounters does not
 * count them).  Each day a waiting person gives up with probability
 * cbp_one_giveup_rate and crosses irregularly instead (back to `waiting`:
 * the corridor rules move them on, to a USBP encounter).
 *
 * Levers (timeline):
 *   cbp_one_daily   appointments per day, people, national (no scope);
 *                   people register only while it is in force and > 0.
 * Parameters:
 *   cbp_one_use_prob     probability that a person arriving in a border
 *                        city registers [0, 1]
 *   cbp_one_giveup_rate  daily probability that a registered person gives
 *                        up and crosses irregularly [0, 1]
 * Statuses: cbp_one_waiting; us_entered (terminal).
 * Requests: cbp_one_register (private: registration on arrival).
 * Series (people): cbp_one_registrations (FLOW, at the city),
 *   cbp_one_entries (FLOW, at the us_sector place of the port; summary key
 *   cbp_one_entries), cbp_one_giveups (FLOW, at the city; an addition to
 *   docs/MODULES.md), cbp_one_waiting (STOCK, registered people waiting by
 *   city at month end).
 * Queue and capacity: the queue is appended only in resolve (ascending agent
 *   id) and served in day_end, so results do not depend on the thread count.
 *   Each day's allowance in people is cbp_one_daily + carry; it admits
 *   floor(allowance / scale) agents and the fractional remainder carries to
 *   the next day (appointments not used because the queue ran empty are
 *   lost).  The port of a city is the us_sector place its first crossing
 *   link (in scenario order) leads to.
 * Random purposes (rng.h): 1120 registration on arrival (w[0]); 1121 the
 *   give-up delay, keyed by the registration day (w[0]).
 */
#ifndef COR_CBP_ONE_H
#define COR_CBP_ONE_H

#include "engine/rules.h"

extern const cor_rules cor_cbp_one_rules;

enum { COR_RNG_CBP_ONE_REGISTER = 1120, COR_RNG_CBP_ONE_GIVEUP = 1121 };

#endif
