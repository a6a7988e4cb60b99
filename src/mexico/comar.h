/* comar.h - asylum in Mexico: the Comisión Mexicana de Ayuda a Refugiados.
 *
 * What it models (docs/modules/comar.md): people who are not Mexican may
 * apply for asylum when they arrive at a place where COMAR takes
 * applications; people detained by INM may be referred (request
 * `comar_apply`).  Applicants wait, contained, at the place where they
 * applied (status `asylum_mx`: the rule that they must stay in the state
 * where their case began) until their claim is decided or they abandon it.
 * Claims are decided first come, first served, at a daily capacity set by
 * COMAR's eligibility staff.  A recognised refugee stays and integrates
 * (`refugee_mx`, terminal) or moves north; a rejected or abandoning
 * applicant goes back to `waiting` and moves on.
 *
 * Levers (timeline):
 *   comar_office        1 where COMAR takes applications (scope: places)
 *   comar_staff         eligibility staff, national (no scope)
 *   comar_budget_mxn    annual budget, MXN, national: comar_spending_mxn
 *   title42, mpp, proclamation   read only: while one is in force for a
 *                       person (for the person's group and demographic, at
 *                       any place), access to the US is closed to them.
 *                       Registered here too, so a scenario may set them
 *                       without the US modules.
 * Parameters:
 *   comar_apply_prob_<group>  probability that a person of that population
 *                       applies on arriving at a place with an office
 *                       (fallback: comar_apply_prob); not needed for groups
 *                       whose home place is in Mexico (they never apply)
 *   comar_apply_closed_mult   multiplier on it while access to the US is
 *                       closed for the person (result capped at 1)
 *   comar_cases_per_staff_day claims decided per staff member per day
 *   comar_abandon_rate  daily probability that an applicant abandons
 *   comar_recognition_<group> share of decisions that recognise the
 *                       applicant (refugee or complementary protection;
 *                       fallback: comar_recognition)
 *   comar_integrate_prob probability that a recognised refugee stays
 *   comar_staff_cost_mxn (optional) annual MXN per eligibility staff: on
 *                       days without a comar_staff entry in force, staff =
 *                       comar_budget_mxn / comar_staff_cost_mxn
 * Statuses: asylum_mx (waiting for a decision, does not move), refugee_mx
 *   (terminal).  Reads the flag tvrh_holder (visa holders do not apply on
 *   arrival) when the tvrh module is loaded.
 * Requests: comar_apply (public: put the person in the queue where they
 *   are, whatever their status; ignored for applicants and terminal
 *   statuses), comar_apply_arrival (private: an application on arrival).
 * Series: comar_applications, comar_decisions, comar_recognitions,
 *   comar_abandonments (FLOW, people, at the place of application);
 *   comar_backlog (STOCK: applicants waiting at month end, by place, group
 *   and demographic; summary key comar_backlog_end, END); comar_spending_mxn
 *   (VALUE, MXN per day summed over the month, summary key comar_spending_mxn).
 * Queue and capacity: one national FIFO queue, appended only in resolve
 *   (ascending agent id) and consumed in day_start, so results do not depend
 *   on the thread count.  Capacity is in people: each day adds
 *   staff x cases_per_staff_day to a credit, each decision consumes `scale`
 *   people; the fractional remainder carries to the next day (unused whole
 *   decisions are lost when the queue runs empty).
 * Random purposes (rng.h): 1180 apply on arrival (w[0]); 1181 abandonment
 *   day, keyed by the day of application (w[0]); 1182 decision (w[0]
 *   recognition, w[1] integration).
 */
#ifndef COR_COMAR_H
#define COR_COMAR_H

#include "engine/rules.h"

extern const cor_rules cor_comar_rules;

enum { COR_RNG_COMAR_APPLY = 1180, COR_RNG_COMAR_ABANDON = 1181, COR_RNG_COMAR_DECIDE = 1182 };

#endif
