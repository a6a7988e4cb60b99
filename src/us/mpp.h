/* mpp.h - the Migrant Protection Protocols ("Remain in Mexico").
 *
 * What it models (docs/modules/mpp.md): while MPP is in force at a US
 * sector, a person who crosses there from a Mexican place, who is not
 * Mexican and not an unaccompanied child (the protocols applied to neither),
 * is encountered (Title 8), handed a notice to appear and sent back to the
 * Mexican border city they crossed from, to wait there (status
 * `mpp_waiting`, does not move) for their hearing in a US immigration
 * court, within a national daily cap.  People past the day's cap are
 * processed under Title 8 as usual (cor_next_arrive: module title8).  At the
 * hearing, a person who attends is granted relief (`us_released`, terminal)
 * or ordered removed (`home`, at the home place); a person who does not
 * attend (in absentia), or who gives up waiting before the hearing (a daily
 * hazard), stays a returnee in that city (`returned`): module returns
 * decides whether they cross again, go home or settle (its
 * returns_retry_mpp, returns_go_home).
 *
 * Levers (timeline):
 *   mpp             1 in force (> 0); scope: places = us_sector places,
 *                   groups, demographics.  Mexicans and unaccompanied
 *                   children are never enrolled, whatever the scope.
 *   mpp_daily_cap   people enrolled per day, national (no scope); absent =
 *                   no cap.
 *   mpp_hearings_suspended  1 (> 0): no hearings are held (national; MPP
 *                   hearings stopped in March 2020).  People whose hearing
 *                   day falls in a suspension keep waiting (they may give
 *                   up); when it ends, those overdue have their hearing that
 *                   day.
 * Parameters:
 *   mpp_hearing_days   mean days from return to the hearing (>= 1; the delay
 *                      is 1 + geometric, so its mean is this value)
 *   mpp_attend_prob    probability of attending the hearing [0, 1]
 *   mpp_relief_prob    probability that an attending person is granted
 *                      relief [0, 1]
 *   mpp_abandon_rate   daily probability of giving up waiting [0, 1]
 * Needs modules title8 (people past the cap) and returns (statuses home and
 * returned).
 * Statuses: mpp_waiting; uses us_released (terminal), home, returned.
 * Requests: mpp_enrol (private: enrolment within the day's cap).
 * Agent column: mpp_arc (int32: the arc of the crossing the person was
 *   enrolled at; its `from` is the border city, its `to` the sector).
 * Series (people): mpp_returned (FLOW, at the border city; summary key
 *   mpp_returned), mpp_hearings (FLOW, hearings attended, at the sector),
 *   mpp_relief (FLOW, at the sector), mpp_abandoned (FLOW, gave up or missed
 *   the hearing, at the border city), mpp_stranded (STOCK, mpp_waiting by
 *   border city at month end; summary key mpp_stranded_peak, PEAK).
 *   Enrolled people are counted as Title 8 encounters (us/encounter.h).
 * Cap: each day's allowance in people is cap + carry; it admits
 *   floor(allowance / scale) agents and the fractional remainder (< scale)
 *   carries to the next day, so admissions over n days are within one agent
 *   of n x cap at any scale.  Enrolment is decided in resolve (ascending
 *   agent id), so it does not depend on the thread count.
 * Random purposes (rng.h): 1060 at enrolment, keyed by the enrolment day
 *   (w[0] hearing delay, w[1] abandonment delay; recomputed from `since`
 *   when the agent wakes, so no column holds them); 1061 at the hearing
 *   (w[0] attend, w[1] relief).
 */
#ifndef COR_MPP_H
#define COR_MPP_H

#include "engine/rules.h"

extern const cor_rules cor_mpp_rules;

enum { COR_RNG_MPP_ENROL = 1060, COR_RNG_MPP_HEARING = 1061 };

/* The hearing day of an agent now in status mpp_waiting (days since
 * 1970-01-01), or -1 if the agent is not waiting or mpp is not loaded
 * (for tests and reports). */
int32_t cor_mpp_hearing_day(const cor_sim *sim, uint32_t a);

#endif
