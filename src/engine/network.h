/* network.h - places and directed arcs built from the scenario's links.
 *
 * Each link gives one arc from -> to, and one back unless it is oneway.
 * Arc length is the link's km, or the great-circle distance times the
 * scenario parameter detour_<mode>.  Travel time on an arc is
 * max(1, ceil(km / speed_<mode>)) days.  dist_border[p] is the shortest
 * distance in km from place p to any us_sector place (INFINITY if none is
 * reachable).
 */
#ifndef COR_NETWORK_H
#define COR_NETWORK_H

#include <stddef.h>
#include <stdint.h>

#include "scenario/scenario.h"

typedef struct {
    int from, to;        /* places */
    int link;            /* index of the scenario link */
    int mode;            /* cor_mode */
    double km;
    double risk, weight;
    int32_t days;        /* travel days, >= 1 */
} cor_arc;

typedef struct {
    int n_places;
    uint8_t *kind;              /* cor_place_kind per place */
    int64_t *capacity;          /* -1: none */
    int n_arcs;
    cor_arc *arcs;
    int *out_start;             /* n_places + 1: arcs leaving p are out_arcs[out_start[p] .. out_start[p+1]) */
    int *out_arcs;
    int *link_arc;              /* 2 per link: forward and backward arc, -1 if none */
    double *dist_border;        /* km to the nearest us_sector place */
    double speed[COR_N_MODES];  /* km per day; 0 when no link uses the mode */
} cor_network;

/* Great-circle distance in km between two points given in degrees. */
double cor_great_circle_km(double lat1, double lon1, double lat2, double lon2);

int cor_network_build(cor_network *net, const cor_scenario *sc, char *err, size_t errlen);
void cor_network_free(cor_network *net);

#endif
