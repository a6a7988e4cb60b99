/* test_series.c - output series: cells, monthly flush, aggregation into
 * summary totals (SUM, PEAK, END), and series.csv through a run. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "engine/series.h"
#include "engine/sim.h"
#include "test_util.h"

static void define_and_lookup(void **state)
{
    (void)state;
    cor_series r;
    cor_series_init(&r);
    int a = cor_series_define(&r, "flows", COR_FLOW, "flows", COR_AGG_SUM);
    assert_int_equal(a, 0);
    assert_int_equal(cor_series_define(&r, "flows", COR_FLOW, "flows", COR_AGG_SUM), 0); /* same: found */
    assert_int_equal(cor_series_define(&r, "flows", COR_STOCK, "flows", COR_AGG_SUM), -1); /* other kind */
    assert_int_equal(cor_series_define(&r, "flows", COR_FLOW, "other", COR_AGG_SUM), -1);  /* other key */
    assert_int_equal(cor_series_lookup(&r, "nope"), -1);
    assert_int_equal(cor_series_finalize(&r, 3, 2), 0);
    assert_int_equal(cor_series_define(&r, "late", COR_FLOW, NULL, COR_AGG_SUM), -1); /* after finalize */
    cor_series_free(&r);
}

/* Months 0..3 (a fake month index 24000.. = 2000-01..): flows in agents,
 * scaled by 10 at flush; a stock series with PEAK and one with END; a value
 * series is not scaled. */
static void flush_and_aggregate(void **state)
{
    (void)state;
    cor_series r;
    cor_series_init(&r);
    int f = cor_series_define(&r, "f", COR_FLOW, "f_total", COR_AGG_SUM);
    int pk = cor_series_define(&r, "p", COR_STOCK, "p_peak", COR_AGG_PEAK);
    int en = cor_series_define(&r, "e", COR_STOCK, "e_end", COR_AGG_END);
    int v = cor_series_define(&r, "v", COR_VALUE, "v_total", COR_AGG_SUM);
    assert_int_equal(cor_series_finalize(&r, 3, 2), 0);
    int64_t *flows[2];
    flows[0] = calloc((size_t)(r.n * r.cells), sizeof(int64_t));
    flows[1] = calloc((size_t)(r.n * r.cells), sizeof(int64_t));
    const double stock_p[4] = {5, 9, 2, 0}, stock_e[4] = {1, 2, 3, 4};
    for (int m = 0; m < 4; m++) {
        flows[0][cor_series_cell(&r, f, 1, 0, 2)] += m + 1;  /* place 1, group 0, demo 2 */
        flows[1][cor_series_cell(&r, f, -1, 1, -1)] += 2;    /* no place, group 1, no demo */
        r.vals[cor_series_cell(&r, pk, 0, -1, -1)] = stock_p[m];
        r.vals[cor_series_cell(&r, en, 2, -1, -1)] = stock_e[m];
        r.vals[cor_series_cell(&r, v, -1, -1, -1)] += 1.5;
        assert_int_equal(cor_series_flush(&r, 24000 + m, flows, 2, 10.0), 0);
    }
    /* flows: (1+2+3+4 + 4*2) agents * 10 people */
    assert_true(cor_series_aggregate(&r, f, 24000, 24003) == 180.0);
    assert_true(cor_series_aggregate(&r, f, 24001, 24001) == 40.0);
    /* stocks are scaled too; PEAK of monthly totals, END = last month */
    assert_true(cor_series_aggregate(&r, pk, 24000, 24003) == 90.0);
    assert_true(cor_series_aggregate(&r, pk, 24002, 24003) == 20.0);
    assert_true(cor_series_aggregate(&r, en, 24000, 24003) == 40.0);
    assert_true(cor_series_aggregate(&r, en, 24000, 24001) == 20.0);
    /* values are not scaled */
    assert_true(cor_series_aggregate(&r, v, 24000, 24003) == 6.0);
    /* flushed accumulators are zero; empty cells are not stored */
    for (int64_t i = 0; i < r.n * r.cells; i++)
        assert_true(flows[0][i] == 0 && flows[1][i] == 0);
    int64_t per_month = 0;
    for (int64_t i = 0; i < r.n_rec; i++)
        per_month += r.rec[i].month == 24003;
    assert_int_equal(per_month, 4); /* f twice (two cells), e once, v once; p is 0 that month */
    /* dimensions round-trip, -1 = none */
    int seen = 0;
    for (int64_t i = 0; i < r.n_rec; i++)
        if (r.rec[i].series == f && r.rec[i].place == -1) {
            assert_int_equal(r.rec[i].group, 1);
            assert_int_equal(r.rec[i].demo, -1);
            seen++;
        }
    assert_int_equal(seen, 4);
    free(flows[0]);
    free(flows[1]);
    cor_series_free(&r);
}

/* Through a run: the summary's totals equal the sum over years, and the
 * us_encounters total equals the sum of the series' cells. */
static void summary_by_year(void **state)
{
    (void)state;
    cor_scenario *sc = load_scenario("tests/data/engine/small.yaml");
    assert_non_null(sc);
    cor_sim *sim = cor_sim_new();
    assert_int_equal(cor_sim_init(sim, sc, NULL), COR_OK);
    assert_int_equal(cor_sim_run(sim), COR_OK);
    double total, y2020, cells = 0;
    assert_int_equal(cor_sim_summary(sim, "us_encounters", 0, &total), COR_OK);
    assert_int_equal(cor_sim_summary(sim, "us_encounters", 2020, &y2020), COR_OK);
    assert_int_equal(cor_sim_summary(sim, "us_encounters", 2019, &y2020), COR_EARG); /* outside the run */
    assert_int_equal(cor_sim_summary(sim, "us_encounters", 2020, &y2020), COR_OK);
    assert_int_equal(cor_sim_summary(sim, "no_such_key", 0, &cells), COR_EARG);
    cells = cor_sim_series_value(sim, cor_sim_series_id(sim, "us_encounters"), -1, -1);
    assert_true(total > 9000);
    assert_true(total == y2020);
    assert_true(total == cells);
    cor_sim_free(sim);
    cor_scenario_free(sc);
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(define_and_lookup), cmocka_unit_test(flush_and_aggregate),
                                       cmocka_unit_test(summary_by_year)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
