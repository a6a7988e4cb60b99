/* tvrh.h - humanitarian visas: the Tarjeta de Visitante por Razones
 * Humanitarias (TVRH) issued by INM.
 *
 * What it models (docs/modules/tvrh.md): issuing windows, each with a quota
 * of visas in people, at given places (Ciudad Hidalgo / Tapachula in early
 * 2019).  People who are not Mexican and do not yet hold a visa apply with
 * probability tvrh_apply_prob when they arrive at an issuing place during a
 * window, or, if they are already there (waiting or resting) when the window
 * opens, on its first day.  Visas are handed out in ascending agent id until
 * the window's quota is used.  Holders carry the flag tvrh_holder: documented
 * transit and work, so INM and the National Guard do not detain them.
 *
 * Lever (timeline):
 *   tvrh_quota   visas (people) available in a window = the entry's
 *                start..end, shared by the places (scope.places) and
 *                nationalities (scope.groups, demographics) it covers; each
 *                timeline entry is one window with its own count.
 * Parameter:
 *   tvrh_apply_prob   probability that an eligible person at an issuing
 *                place during a window applies (0..1)
 * Flag: tvrh_holder (set for life: the visa's one-year validity is not
 *   modelled, crossings of Mexico being shorter).
 * Requests: tvrh_apply (private: an application made on arrival); handles
 *   inm_detain (registered here too, by name): a holder is not detained (the
 *   request stops here); a person who arrived today and applies is given a
 *   visa first if the window has one left, so that the order of the layers
 *   does not matter.
 * Series: tvrh_issued (FLOW, people, at the issuing place; summary key
 *   tvrh_issued), tvrh_applications (FLOW, people who applied, with or
 *   without a visa left).
 * Quotas in people: each visa takes `scale` people of the window's quota;
 *   when less than `scale` people are left, the next applicant gets the last
 *   visa with probability left / scale (unbiased at any scale; exact when the
 *   quota is a multiple of the scale) and the window is then closed.
 * Random purposes (rng.h): 1260 apply on arrival (w[0]); 1261 apply when a
 *   window opens (w[0]); 1262 last visa of a window (w[0]).
 */
#ifndef COR_TVRH_H
#define COR_TVRH_H

#include "engine/rules.h"

extern const cor_rules cor_tvrh_rules;

enum { COR_RNG_TVRH_APPLY = 1260, COR_RNG_TVRH_OPEN = 1261, COR_RNG_TVRH_LAST = 1262 };

#endif
