/* network.c - directed arcs, travel times and distances to the US border. */
#include "engine/network.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

double cor_great_circle_km(double lat1, double lon1, double lat2, double lon2)
{
    const double r = 6371.0088; /* mean Earth radius, km (IUGG) */
    const double k = 3.14159265358979323846 / 180.0;
    double dlat = (lat2 - lat1) * k, dlon = (lon2 - lon1) * k;
    double a = sin(dlat / 2) * sin(dlat / 2) + cos(lat1 * k) * cos(lat2 * k) * sin(dlon / 2) * sin(dlon / 2);
    return 2.0 * r * asin(fmin(1.0, sqrt(a)));
}

static int mode_param(const cor_scenario *sc, const cor_sc_link *l, const char *what, double *out, char *err,
                      size_t errlen)
{
    char name[64];
    snprintf(name, sizeof name, "%s_%s", what, cor_mode_names[l->mode]);
    const cor_sc_param *p = cor_sc_param_find(sc, name);
    if (!p) {
        snprintf(err, errlen, "%s:%d: links[%s].mode: a %s link needs parameter '%s', which the scenario does not define",
                 l->pos.file, l->pos.line, l->id, cor_mode_names[l->mode], name);
        return -1;
    }
    if (!(p->value > 0)) {
        snprintf(err, errlen, "%s:%d: parameters.%s: must be > 0 (got %g)", p->pos.file, p->pos.line, name, p->value);
        return -1;
    }
    *out = p->value;
    return 0;
}

/* Dijkstra from every us_sector place over reversed arcs (binary heap). */
static int distances(cor_network *net)
{
    int n = net->n_places;
    int *in_start = calloc((size_t)n + 1, sizeof *in_start), *in_arcs = malloc(sizeof *in_arcs * (size_t)(net->n_arcs + 1));
    int *heap = malloc(sizeof *heap * (size_t)(net->n_arcs + n + 1));
    if (!in_start || !in_arcs || !heap) {
        free(in_start), free(in_arcs), free(heap);
        return -1;
    }
    for (int a = 0; a < net->n_arcs; a++)
        in_start[net->arcs[a].to + 1]++;
    for (int p = 0; p < n; p++)
        in_start[p + 1] += in_start[p];
    int *fill = calloc((size_t)n, sizeof *fill);
    if (!fill) {
        free(in_start), free(in_arcs), free(heap);
        return -1;
    }
    for (int a = 0; a < net->n_arcs; a++) {
        int t = net->arcs[a].to;
        in_arcs[in_start[t] + fill[t]++] = a;
    }
    free(fill);
    double *d = net->dist_border;
    int nh = 0;
#define LESS(i, j) (d[heap[i]] < d[heap[j]] || (d[heap[i]] == d[heap[j]] && heap[i] < heap[j]))
#define SWAP(i, j) do { int t_ = heap[i]; heap[i] = heap[j]; heap[j] = t_; } while (0)
    for (int p = 0; p < n; p++) {
        d[p] = INFINITY;
        if (net->kind[p] == COR_KIND_US_SECTOR) {
            d[p] = 0;
            heap[nh++] = p;
        }
    }
    /* all sources have distance 0: the array is already a heap */
    while (nh > 0) {
        int u = heap[0];
        heap[0] = heap[--nh];
        for (int i = 0;;) {
            int l = 2 * i + 1, r = l + 1, m = i;
            if (l < nh && LESS(l, m)) m = l;
            if (r < nh && LESS(r, m)) m = r;
            if (m == i) break;
            SWAP(i, m);
            i = m;
        }
        for (int k = in_start[u]; k < in_start[u + 1]; k++) {
            const cor_arc *a = &net->arcs[in_arcs[k]];
            double nd = d[u] + a->km;
            if (nd < d[a->from]) {
                d[a->from] = nd;
                /* lazy insertion: stale heap entries are harmless (re-relaxing finds nothing better) */
                int i = nh++;
                heap[i] = a->from;
                while (i > 0 && LESS(i, (i - 1) / 2)) {
                    SWAP(i, (i - 1) / 2);
                    i = (i - 1) / 2;
                }
            }
        }
    }
#undef LESS
#undef SWAP
    free(in_start), free(in_arcs), free(heap);
    return 0;
}

int cor_network_build(cor_network *net, const cor_scenario *sc, char *err, size_t errlen)
{
    memset(net, 0, sizeof *net);
    int n = net->n_places = sc->n_places;
    net->kind = malloc((size_t)n + 1);
    net->capacity = malloc(sizeof *net->capacity * ((size_t)n + 1));
    net->dist_border = malloc(sizeof *net->dist_border * ((size_t)n + 1));
    net->arcs = malloc(sizeof *net->arcs * (2 * (size_t)sc->n_links + 1));
    net->link_arc = malloc(sizeof *net->link_arc * (2 * (size_t)sc->n_links + 1));
    net->out_start = calloc((size_t)n + 1, sizeof *net->out_start);
    net->out_arcs = malloc(sizeof *net->out_arcs * (2 * (size_t)sc->n_links + 1));
    if (!net->kind || !net->capacity || !net->dist_border || !net->arcs || !net->link_arc || !net->out_start ||
        !net->out_arcs) {
        snprintf(err, errlen, "out of memory building the network");
        return -1;
    }
    for (int p = 0; p < n; p++) {
        net->kind[p] = (uint8_t)sc->places[p].kind;
        net->capacity[p] = sc->places[p].capacity;
    }
    for (int i = 0; i < sc->n_links; i++) {
        const cor_sc_link *l = &sc->links[i];
        double speed, km = l->km;
        if (mode_param(sc, l, "speed", &speed, err, errlen))
            return -1;
        net->speed[l->mode] = speed;
        if (km < 0) {
            double detour;
            if (mode_param(sc, l, "detour", &detour, err, errlen))
                return -1;
            const cor_sc_place *a = &sc->places[l->from], *b = &sc->places[l->to];
            km = cor_great_circle_km(a->lat, a->lon, b->lat, b->lon) * detour;
        }
        double days = ceil(km / speed - 1e-9);
        for (int dir = 0; dir < 2; dir++) {
            net->link_arc[2 * i + dir] = -1;
            if (dir == 1 && l->oneway)
                continue;
            cor_arc *a = &net->arcs[net->n_arcs];
            a->from = dir ? l->to : l->from;
            a->to = dir ? l->from : l->to;
            a->link = i;
            a->mode = (int)l->mode;
            a->km = km;
            a->risk = l->risk;
            a->weight = l->weight;
            a->days = days < 1 ? 1 : (days > 1e6 ? 1000000 : (int32_t)days);
            net->link_arc[2 * i + dir] = net->n_arcs++;
        }
    }
    for (int a = 0; a < net->n_arcs; a++)
        net->out_start[net->arcs[a].from + 1]++;
    for (int p = 0; p < n; p++)
        net->out_start[p + 1] += net->out_start[p];
    int *fill = calloc((size_t)n + 1, sizeof *fill);
    if (!fill) {
        snprintf(err, errlen, "out of memory building the network");
        return -1;
    }
    for (int a = 0; a < net->n_arcs; a++) {
        int f = net->arcs[a].from;
        net->out_arcs[net->out_start[f] + fill[f]++] = a;
    }
    free(fill);
    if (distances(net)) {
        snprintf(err, errlen, "out of memory building the network");
        return -1;
    }
    return 0;
}

void cor_network_free(cor_network *net)
{
    free(net->kind);
    free(net->capacity);
    free(net->arcs);
    free(net->out_start);
    free(net->out_arcs);
    free(net->link_arc);
    free(net->dist_border);
    memset(net, 0, sizeof *net);
}
