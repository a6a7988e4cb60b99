/* rng.h - counter-based random numbers (Random123 Philox2x64-10).
 *
 * Every draw is a pure function of (seed, run, stream, day, purpose, index):
 * key = seed, counter = {run << 32 | stream, day << 32 | purpose << 16 | index}.
 * `stream` is the agent id for agent decisions; streams that belong to no
 * agent (spawning) use their own purpose.  So the numbers an agent sees do
 * not depend on thread count, process count or the order agents are
 * processed.  Each call yields two independent 64-bit words; ask for more
 * with further indices.
 */
#ifndef COR_RNG_H
#define COR_RNG_H

#include <math.h>
#include <stdint.h>

#include <Random123/philox.h>

typedef struct {
    uint64_t seed;
    uint32_t run;
} cor_rng;

/* Purposes used by the engine and the corridor rules; modules pick their own
 * values >= 1000 and document them next to their code. */
enum {
    COR_RNG_SPAWN = 1,     /* engine: stochastic rounding of departures; stream = group/origin/demo */
    COR_RNG_CORRIDOR = 2   /* corridor rules: index 0 {route, wait}, index 1 {rest?, rest length} */
};

typedef struct {
    uint64_t w[2];
} cor_rand2;

static inline cor_rand2 cor_rng_draw(const cor_rng *r, uint32_t stream, int32_t day, uint16_t purpose, uint16_t index)
{
    philox2x64_ctr_t c = {{(uint64_t)r->run << 32 | stream,
                           (uint64_t)(uint32_t)day << 32 | (uint64_t)purpose << 16 | index}};
    philox2x64_key_t k = {{r->seed}};
    philox2x64_ctr_t o = philox2x64(c, k);
    cor_rand2 out = {{o.v[0], o.v[1]}};
    return out;
}

/* Uniform in [0, 1) with 53 random bits. */
static inline double cor_u01(uint64_t w) { return (double)(w >> 11) * 0x1.0p-53; }

/* Uniform in (0, 1]: safe for log(). */
static inline double cor_u01_open0(uint64_t w) { return ((double)(w >> 11) + 1.0) * 0x1.0p-53; }

/* Geometric number of days >= 0 with a given mean (failures before the
 * first success, p = 1 / (1 + mean)), by inversion: floor(log(u) / log(1-p)).
 * cor_geometric_factor(mean) precomputes 1 / log(1-p) (0 when mean <= 0). */
static inline double cor_geometric_factor(double mean)
{
    return mean > 0.0 ? 1.0 / log1p(-1.0 / (1.0 + mean)) : 0.0;
}

static inline int32_t cor_geometric_f(uint64_t w, double factor)
{
    if (factor == 0.0)
        return 0;
    double k = floor(log(cor_u01_open0(w)) * factor);
    return k > 1e9 ? 1000000000 : (int32_t)k;
}

static inline int32_t cor_geometric(uint64_t w, double mean)
{
    return cor_geometric_f(w, cor_geometric_factor(mean));
}

#endif
