/* parole.h - parole pathways: CHNV parole and processing centres.
 *
 * What it models (docs/modules/parole.md):
 *  - CHNV-style parole (January 2023: up to 30,000 people a month from Cuba,
 *    Haiti, Nicaragua and Venezuela with a US sponsor, flying in): a person
 *    of a group under a `parole_monthly` entry who leaves home applies with
 *    probability parole_uptake (the share with a sponsor who apply); while
 *    the entry's monthly quota lasts they are paroled at once, before taking
 *    a single step (`us_entered`, terminal): they never travel through
 *    Mexico.  The rest go overland as usual.  The quota belongs to the
 *    timeline entry: one entry scoped to four groups is one shared quota
 *    (as CHNV's 30,000 was); give one entry per group for separate quotas.
 *    Unaccompanied children are never eligible (a minor had to travel with
 *    a parent or legal guardian).
 *  - Processing centres in Mexico (pre-screening for US entry, e.g. the
 *    2023 Safe Mobility Offices): at a place under `parole_processing_daily`,
 *    people arriving there (of the groups and demographics in scope) join
 *    the centre's first come, first served list; each day the centre admits
 *    up to that number of people who are still waiting or resting there
 *    (`us_entered`).
 * Paroled people are moved to the first place of kind `destination` in the
 * US (else the first such place anywhere, else the first us_sector place):
 * that place's `us_entered` stock is not a border count.  If the network has
 * none of these, CHNV parolees stay, terminal, at their origin.
 *
 * Levers (timeline):
 *   parole_monthly            people per calendar month, per entry (scope:
 *                             groups, demographics); the full quota applies
 *                             in the month an entry starts.
 *   parole_processing_daily   people per day admitted by the centre at each
 *                             scoped place (scope: places, groups,
 *                             demographics; where entries with different
 *                             group scopes overlap at a place, its capacity is
 *                             the largest of their values).
 * Parameters:
 *   parole_uptake             share of eligible departures with a sponsor
 *                             who apply [0, 1] (needed if the timeline has
 *                             parole_monthly)
 *   parole_centre_apply_prob  optional, default 1: probability that a person
 *                             arriving at an open centre applies [0, 1]
 * Statuses: us_entered (terminal).
 * Requests: parole_centre (private: join a centre's list on arrival).
 * Series (people): parole_arrivals (FLOW, at the place the person was
 *   paroled from: the origin for CHNV, the centre; summary key
 *   parole_arrivals).
 * Quotas in people: a month's quota admits floor((quota + carry) / scale)
 *   agents and its fractional remainder carries to the entry's next month;
 *   a centre's day likewise carries to its next day.  Departures are
 *   processed in spawn order (ascending agent id) in day_start, centres in
 *   day_end from lists appended in resolve, so results do not depend on the
 *   thread count.
 * Random purposes (rng.h): 1140 uptake at departure (w[0]); 1141 applying at
 *   a centre (w[0]).
 */
#ifndef COR_PAROLE_H
#define COR_PAROLE_H

#include "engine/rules.h"

extern const cor_rules cor_parole_rules;

enum { COR_RNG_PAROLE_UPTAKE = 1140, COR_RNG_PAROLE_CENTRE = 1141 };

#endif
