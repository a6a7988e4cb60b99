/* test_rng.c - the counter-based random streams. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <math.h>

#include "engine/rng.h"

static void same_key_same_numbers(void **state)
{
    (void)state;
    cor_rng r = {42, 3};
    cor_rand2 a = cor_rng_draw(&r, 17, 1000, COR_RNG_CORRIDOR, 0);
    cor_rand2 b = cor_rng_draw(&r, 17, 1000, COR_RNG_CORRIDOR, 0);
    assert_memory_equal(&a, &b, sizeof a);
}

static void every_key_part_matters(void **state)
{
    (void)state;
    cor_rng r = {42, 3};
    cor_rand2 base = cor_rng_draw(&r, 17, 1000, COR_RNG_CORRIDOR, 0);
    cor_rand2 v[6];
    cor_rng r_seed = {43, 3}, r_run = {42, 4};
    v[0] = cor_rng_draw(&r_seed, 17, 1000, COR_RNG_CORRIDOR, 0);
    v[1] = cor_rng_draw(&r_run, 17, 1000, COR_RNG_CORRIDOR, 0);
    v[2] = cor_rng_draw(&r, 18, 1000, COR_RNG_CORRIDOR, 0);
    v[3] = cor_rng_draw(&r, 17, 1001, COR_RNG_CORRIDOR, 0);
    v[4] = cor_rng_draw(&r, 17, 1000, 1000, 0);
    v[5] = cor_rng_draw(&r, 17, 1000, COR_RNG_CORRIDOR, 1);
    for (int i = 0; i < 6; i++)
        for (int w = 0; w < 2; w++)
            assert_int_not_equal(base.w[w], v[i].w[w]);
}

/* Known-answer checks against Random123's kat_vectors for philox2x64-10:
 * counter {0,0} key {0}, and counter {~0,~0} key {~0} (seed ~0, run and
 * agent ~0, day -1, purpose and index 0xffff). */
static void known_answer(void **state)
{
    (void)state;
    cor_rng r = {0, 0};
    cor_rand2 x = cor_rng_draw(&r, 0, 0, 0, 0);
    assert_int_equal(x.w[0], UINT64_C(0xca00a0459843d731));
    assert_int_equal(x.w[1], UINT64_C(0x66c24222c9a845b5));
    cor_rng f = {UINT64_MAX, UINT32_MAX};
    x = cor_rng_draw(&f, UINT32_MAX, -1, 0xffff, 0xffff);
    assert_int_equal(x.w[0], UINT64_C(0x65b021d60cd8310f));
    assert_int_equal(x.w[1], UINT64_C(0x4d02f3222f86df20));
}

/* Uniformity: chi-square over 64 bins of 256,000 draws from consecutive
 * agents; critical value for 63 df at alpha = 0.001 is 103.4. */
static void uniform_chi_square(void **state)
{
    (void)state;
    cor_rng r = {2024, 0};
    enum { BINS = 64, N = 256000 };
    long count[BINS] = {0};
    for (uint32_t a = 0; a < N / 2; a++) {
        cor_rand2 x = cor_rng_draw(&r, a, 5, COR_RNG_SPAWN, 0);
        for (int w = 0; w < 2; w++) {
            double u = cor_u01(x.w[w]);
            assert_true(u >= 0 && u < 1);
            count[(int)(u * BINS)]++;
        }
    }
    double chi = 0, e = (double)N / BINS;
    for (int b = 0; b < BINS; b++)
        chi += (count[b] - e) * (count[b] - e) / e;
    assert_true(chi < 103.4);
}

/* Geometric waits have the requested mean (within 4 standard errors). */
static void geometric_mean(void **state)
{
    (void)state;
    cor_rng r = {9, 0};
    const double mean = 6.0;
    double sum = 0, sum2 = 0;
    const int n = 200000;
    for (int i = 0; i < n; i++) {
        int32_t k = cor_geometric(cor_rng_draw(&r, (uint32_t)i, 0, 1000, 0).w[0], mean);
        assert_true(k >= 0);
        sum += k;
        sum2 += (double)k * k;
    }
    double m = sum / n, var = sum2 / n - m * m;
    assert_true(fabs(m - mean) < 4 * sqrt(var / n));
    assert_int_equal(cor_geometric(123, 0.0), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(same_key_same_numbers), cmocka_unit_test(every_key_part_matters),
        cmocka_unit_test(known_answer),          cmocka_unit_test(uniform_chi_square),
        cmocka_unit_test(geometric_mean),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
