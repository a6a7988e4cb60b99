/* test_demand.c - the latent departure demand derivation (src/data/demand.c):
 * the formula on synthetic fixtures (tests/data/demand/), the `until`
 * no-peeking property, CSV error messages, parameters, and the committed
 * scenarios/corridor/demand/<group>.csv reproduced from data/ byte for byte. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "data/demand.h"
#include "engine/calendar.h"
#include "scenario/scenario.h"

#define FIX "tests/data/demand/"
#define M(y, m) ((y) * 12 + (m) - 1)
#define GROUPS_CSV "ohss_usbp_sw_monthly_by_citizenship_group_fy2000_fy2025.csv"

/* cmocka 1.1.5 (Debian 12) has no assert_double_equal. */
#define assert_double_equal(a, b, eps) near_((a), (b), (eps), #a, __LINE__)
static void near_(double a, double b, double eps, const char *expr, int line)
{
    if (!(fabs(a - b) <= eps))
        fail_msg("line %d: %s = %.17g, expected %.17g (+- %g)", line, expr, a, b, eps);
}

/* All lags = lag days, stopped shares = stop, every repeat anchor = rep. */
static cor_demand_params flat(double lag, double stop, double rep)
{
    cor_demand_params p;
    for (int g = 0; g < COR_DG_N; g++) {
        p.lag_days[g] = lag;
        p.stopped_share[g] = stop;
    }
    p.repeat_fy2011 = p.repeat_fy2016 = p.repeat_fy2019 = rep;
    p.repeat_t42_first_year = p.repeat_fy2021 = p.repeat_post_t42 = rep;
    return p;
}

static const cor_demand_options fixture_opt = {M(2012, 10), M(2013, 6), 0};

static double cell(const cor_demand *d, int g, int month, int k)
{
    const int m = month - d->month0;
    assert_true(m >= 0 && m < d->n_months);
    return d->people[((size_t)g * (size_t)d->n_months + (size_t)m) * COR_N_DEMOS + (size_t)k];
}

static double total(const cor_demand *d, int g, int month)
{
    return cell(d, g, month, 0) + cell(d, g, month, 1) + cell(d, g, month, 2);
}

static cor_demand *derive_ok(const char *dir, const cor_demand_params *p, const cor_demand_options *opt)
{
    cor_demand *d = cor_demand_new();
    assert_non_null(d);
    const int rc = cor_demand_derive(d, dir, p, opt);
    if (rc)
        fail_msg("derive(%s): %s", dir, d->errmsg);
    return d;
}

/* ------------------------------------------------------------- formula */

static void test_repeat_rule(void **state)
{
    (void)state;
    cor_demand_params p = flat(0, 0, 0);
    p.repeat_fy2011 = 0.20;
    p.repeat_fy2016 = 0.12;
    p.repeat_fy2019 = 0.07;
    p.repeat_t42_first_year = 0.38;
    p.repeat_fy2021 = 0.27;
    p.repeat_post_t42 = 0.09;
    assert_double_equal(cor_demand_repeat_share(&p, M(2010, 1)), 0.20, 1e-12);  /* held before */
    assert_double_equal(cor_demand_repeat_share(&p, M(2011, 4)), 0.20, 1e-12);
    assert_double_equal(cor_demand_repeat_share(&p, M(2013, 10)), 0.16, 1e-12); /* halfway 2011-04..2016-04 */
    assert_double_equal(cor_demand_repeat_share(&p, M(2016, 4)), 0.12, 1e-12);
    assert_double_equal(cor_demand_repeat_share(&p, M(2017, 10)), 0.095, 1e-12); /* halfway to 2019-04 */
    assert_double_equal(cor_demand_repeat_share(&p, M(2019, 4)), 0.07, 1e-12);
    assert_double_equal(cor_demand_repeat_share(&p, M(2020, 3)), 0.07, 1e-12); /* Title 42 from 2020-03-20 */
    assert_double_equal(cor_demand_repeat_share(&p, M(2020, 4)), 0.38, 1e-12);
    assert_double_equal(cor_demand_repeat_share(&p, M(2021, 1)), 0.38, 1e-12);
    assert_double_equal(cor_demand_repeat_share(&p, M(2021, 2)), 0.27, 1e-12);
    assert_double_equal(cor_demand_repeat_share(&p, M(2023, 4)), 0.27, 1e-12);
    assert_double_equal(cor_demand_repeat_share(&p, M(2023, 5)), 0.09, 1e-12); /* ended 2023-05-11 */
    assert_double_equal(cor_demand_repeat_share(&p, M(2024, 12)), 0.09, 1e-12);
}

/* Guatemala encounters 100, 200, ..., 600 (2012-10 .. 2013-03); lag 1.5
 * months, repeat share 0.1, stopped 0.2: demand = interpolated unique / 0.8. */
static void test_lag_repeat_stopped_hold(void **state)
{
    (void)state;
    cor_demand_params p = flat(0, 0, 0.1);
    p.lag_days[COR_DG_GUATEMALA] = 1.5 * COR_DEMAND_DAYS_PER_MONTH;
    p.stopped_share[COR_DG_GUATEMALA] = 0.2;
    cor_demand *d = derive_ok(FIX "base", &p, &fixture_opt);
    assert_int_equal(d->month0, M(2012, 10));
    assert_int_equal(d->n_months, 9);
    assert_int_equal(d->data_last, M(2013, 3));
    const double k = 0.9 / 0.8;
    assert_double_equal(total(d, COR_DG_GUATEMALA, M(2012, 10)), (0.5 * 200 + 0.5 * 300) * k, 1e-9);
    assert_double_equal(total(d, COR_DG_GUATEMALA, M(2012, 12)), (0.5 * 400 + 0.5 * 500) * k, 1e-9);
    assert_double_equal(total(d, COR_DG_GUATEMALA, M(2013, 1)), (0.5 * 500 + 0.5 * 600) * k, 1e-9);
    /* cohorts after the last data month (2013-03) hold its value */
    assert_double_equal(total(d, COR_DG_GUATEMALA, M(2013, 2)), 600 * k, 1e-9);
    assert_double_equal(total(d, COR_DG_GUATEMALA, M(2013, 6)), 600 * k, 1e-9);
    /* Mexico: no lag, not stopped: 1000 * 0.9 every month */
    for (int m = M(2012, 10); m <= M(2013, 6); m++)
        assert_double_equal(total(d, COR_DG_MEXICO, m), 900, 1e-9);
    cor_demand_free(d);
}

static void test_other_ecuador_colombia(void **state)
{
    (void)state;
    const cor_demand_params p = flat(0, 0, 0);
    cor_demand *d = derive_ok(FIX "base", &p, &fixture_opt);
    const double *e = d->encounters;
    const int n = d->n_months;
    /* other = 60 - Ecuador - Colombia (Southwest rows only), never negative */
    assert_double_equal(e[COR_DG_OTHER * n + 0], 30, 0);
    assert_double_equal(e[COR_DG_OTHER * n + 1], 50, 0);
    assert_double_equal(e[COR_DG_OTHER * n + 5], 0, 0);
    assert_double_equal(e[COR_DG_ECUADOR * n + 0], 10, 0);
    assert_double_equal(e[COR_DG_ECUADOR * n + 5], 100, 0);
    assert_double_equal(e[COR_DG_COLOMBIA * n + 0], 20, 0);
    assert_double_equal(e[COR_DG_COLOMBIA * n + 1], 0, 0);
    assert_double_equal(e[COR_DG_GUATEMALA * n + 8], 0, 0); /* after the data */
    assert_double_equal(total(d, COR_DG_OTHER, M(2013, 3)), 0, 0);
    cor_demand_free(d);
}

/* Odds of family members vs single adults of group g in a month. */
static double odds(const cor_demand *d, int g, int month) { return cell(d, g, month, 1) / cell(d, g, month, 0); }

static void test_demographic_split(void **state)
{
    (void)state;
    const cor_demand_params p = flat(0, 0, 0);
    cor_demand *d = derive_ok(FIX "base", &p, &fixture_opt);
    static const double fam[4][3] = {{600, 300, 100}, {600, 300, 100}, {600, 300, 100}, {500, 400, 100}};
    for (int i = 0; i < 6; i++) {
        const int month = M(2012, 10) + i;
        /* every group keeps its encounters ... */
        for (int g = 0; g < COR_DG_N; g++)
            assert_double_equal(total(d, g, month), d->encounters[g * d->n_months + i], 1e-6);
        /* ... and the groups add up to the overall family-status split (2013-03 has
         * no family rows: 2013-02's split is held) */
        double all = 0;
        for (int g = 0; g < COR_DG_N; g++)
            all += total(d, g, month);
        const double *f = fam[i < 4 ? 0 : 3];
        for (int k = 0; k < COR_N_DEMOS; k++) {
            double s = 0;
            for (int g = 0; g < COR_DG_N; g++)
                s += cell(d, g, month, k);
            assert_double_equal(s, all * f[k] / (f[0] + f[1] + f[2]), 1e-6 * all);
        }
    }
    /* 2012-11: the FY2020-23-style file (all components; Accompanied Minors
     * count as family members): Mexico 900/70/30, Guatemala 50/40/10 */
    assert_double_equal(odds(d, COR_DG_MEXICO, M(2012, 11)) / odds(d, COR_DG_GUATEMALA, M(2012, 11)),
                        (70.0 / 900) / (40.0 / 50), 1e-6);
    /* 2012-12: the FY2022-25-style file, USBP rows only (the OFO rows are
     * ignored): Mexico 800/100/100, Guatemala 100/100/0 */
    assert_double_equal(odds(d, COR_DG_MEXICO, M(2012, 12)) / odds(d, COR_DG_GUATEMALA, M(2012, 12)),
                        (100.0 / 800) / (100.0 / 100), 1e-6);
    assert_double_equal(cell(d, COR_DG_GUATEMALA, M(2012, 12), 2), 0, 1e-9);
    /* 2012-10: no CBP rows: each group's pooled composition over the covered
     * months (Mexico 2012-11, 2012-12, 2013-03: 900+800+500 / 70+100+500 / 30+100;
     * Guatemala 2012-11, 2012-12, 2013-02: 50+100+10 / 40+100+90 / 10) */
    assert_double_equal(odds(d, COR_DG_MEXICO, M(2012, 10)) / odds(d, COR_DG_GUATEMALA, M(2012, 10)),
                        (670.0 / 2200) / (230.0 / 160), 1e-6);
    cor_demand_free(d);
}

/* ----------------------------------------------------- until: no peeking */

/* tests/data/demand/future differs from base only in rows after 2013-01, in
 * every file. */
static void test_until_no_peeking(void **state)
{
    (void)state;
    cor_demand_params p = flat(20, 0.1, 0.05);
    p.lag_days[COR_DG_GUATEMALA] = 45;
    cor_demand_options opt = fixture_opt;
    opt.until = M(2013, 1);
    cor_demand *a = derive_ok(FIX "base", &p, &opt);
    cor_demand *b = derive_ok(FIX "future", &p, &opt);
    const size_t n = (size_t)COR_DG_N * (size_t)a->n_months * COR_N_DEMOS;
    assert_int_equal(a->data_last, M(2013, 1));
    assert_int_equal(b->n_months, a->n_months);
    assert_memory_equal(a->people, b->people, n * sizeof(double));
    /* months from the cut-off on hold the last value */
    for (int g = 0; g < COR_DG_N; g++)
        for (int k = 0; k < COR_N_DEMOS; k++)
            assert_double_equal(cell(a, g, M(2013, 6), k), cell(a, g, M(2013, 1), k), 0);
    cor_demand_free(a);
    cor_demand_free(b);
    /* without until the later rows do change the result (the test can fail) */
    a = derive_ok(FIX "base", &p, &fixture_opt);
    b = derive_ok(FIX "future", &p, &fixture_opt);
    assert_memory_not_equal(a->people, b->people, n * sizeof(double));
    cor_demand_free(a);
    cor_demand_free(b);
}

/* ---------------------------------------------------------------- errors */

static void expect_error(const char *dir, int code, const char *msg)
{
    const cor_demand_params p = flat(0, 0, 0);
    cor_demand *d = cor_demand_new();
    assert_int_equal(cor_demand_derive(d, dir, &p, &fixture_opt), code);
    assert_string_equal(d->errmsg, msg);
    assert_null(d->people);
    cor_demand_free(d);
}

static void test_csv_errors(void **state)
{
    (void)state;
    expect_error(FIX "err_quote", COR_EINPUT, FIX "err_quote/" GROUPS_CSV ":3:21: unterminated quoted field");
    expect_error(FIX "err_count", COR_EINPUT,
                 FIX "err_count/" GROUPS_CSV ":4:21: bad count '1x0' in column 'guatemala' (expected a number >= 0)");
    expect_error(FIX "err_column", COR_EINPUT, FIX "err_column/" GROUPS_CSV ":1: missing column 'haiti'");
    expect_error(FIX "err_month", COR_EINPUT,
                 FIX "err_month/" GROUPS_CSV ":3:11: bad month '2012-13' in column 'month' (expected YYYY-MM)");
    expect_error(FIX "err_fields", COR_EINPUT, FIX "err_fields/" GROUPS_CSV ":3: expected 13 fields, found 12");
    expect_error(FIX "err_after_quote", COR_EINPUT,
                 FIX "err_after_quote/" GROUPS_CSV ":2:20: unexpected character after a closing quote");
    expect_error(FIX "err_gap", COR_EINPUT, FIX "err_gap/" GROUPS_CSV ": no row for month 2012-12");
    expect_error(FIX "err_family", COR_EINPUT,
                 FIX "err_family/ohss_usbp_encounters_monthly_by_region_family_status_fy2000_fy2025.csv:22:41: "
                     "unknown family_status 'Adults'");
    expect_error(FIX "no_such_dir", COR_EIO, "cannot read '" FIX "no_such_dir/" GROUPS_CSV "': No such file or directory");
    /* the until month before the output range */
    const cor_demand_params p = flat(0, 0, 0);
    cor_demand_options opt = fixture_opt;
    opt.until = M(2012, 9);
    cor_demand *d = cor_demand_new();
    assert_int_equal(cor_demand_derive(d, FIX "base", &p, &opt), COR_EINPUT);
    assert_string_equal(d->errmsg, FIX "base/" GROUPS_CSV ": no rows at or before the until month");
    cor_demand_free(d);
}

/* ------------------------------------------------------------ parameters */

static void test_params(void **state)
{
    (void)state;
    char names[COR_DEMAND_N_PARAMS][64], err[512];
    cor_sc_param params[COR_DEMAND_N_PARAMS + 1];
    char *files[1] = {"x/derivation.yaml"};
    cor_scenario sc;
    memset(&sc, 0, sizeof sc);
    memset(params, 0, sizeof params);
    sc.params = params;
    sc.files = files;
    sc.n_files = 1;
    for (int i = 0; i < COR_DEMAND_N_PARAMS; i++) {
        cor_demand_param_name(i, names[i], sizeof names[i]);
        params[i].name = names[i];
        params[i].value = i < COR_DG_N ? 10 + i : 0.01 * i;
        params[i].pos.file = files[0];
        params[i].pos.line = 3 + i;
    }
    assert_string_equal(names[0], "demand_lag_days_mexico");
    assert_string_equal(names[COR_DG_N + COR_DG_CUBA], "demand_stopped_share_cuba");
    assert_string_equal(names[COR_DEMAND_N_PARAMS - 1], "demand_repeat_share_post_t42");
    cor_demand_params p;
    sc.n_params = COR_DEMAND_N_PARAMS;
    assert_int_equal(cor_demand_params_from_scenario(&sc, &p, err, sizeof err), COR_OK);
    assert_double_equal(p.lag_days[COR_DG_HAITI], 10 + COR_DG_HAITI, 0);
    assert_double_equal(p.stopped_share[COR_DG_OTHER], 0.01 * (2 * COR_DG_N - 1), 1e-15);
    assert_double_equal(p.repeat_t42_first_year, 0.01 * (2 * COR_DG_N + 3), 1e-15);
    /* missing */
    sc.n_params = COR_DEMAND_N_PARAMS - 1;
    assert_int_equal(cor_demand_params_from_scenario(&sc, &p, err, sizeof err), COR_EINPUT);
    assert_string_equal(err, "x/derivation.yaml: missing parameter 'demand_repeat_share_post_t42'");
    /* out of range */
    sc.n_params = COR_DEMAND_N_PARAMS;
    params[COR_DG_N + COR_DG_CUBA].value = 1;
    assert_int_equal(cor_demand_params_from_scenario(&sc, &p, err, sizeof err), COR_EINPUT);
    assert_string_equal(err, "x/derivation.yaml:20: parameters.demand_stopped_share_cuba: value 1 is out of range [0, 1)");
    params[COR_DG_N + COR_DG_CUBA].value = 0.5;
    params[COR_DG_MEXICO].value = -1;
    assert_int_equal(cor_demand_params_from_scenario(&sc, &p, err, sizeof err), COR_EINPUT);
    assert_string_equal(err, "x/derivation.yaml:3: parameters.demand_lag_days_mexico: value -1 is out of range [0, 730] days");
    params[COR_DG_MEXICO].value = 2;
    /* a misspelt demand parameter */
    params[COR_DEMAND_N_PARAMS].name = "demand_lag_days_mexcio";
    params[COR_DEMAND_N_PARAMS].pos = (cor_pos){files[0], 99};
    sc.n_params = COR_DEMAND_N_PARAMS + 1;
    assert_int_equal(cor_demand_params_from_scenario(&sc, &p, err, sizeof err), COR_EINPUT);
    assert_string_equal(err, "x/derivation.yaml:99: parameters.demand_lag_days_mexcio: unknown demand parameter");
    /* the library checks again */
    p = flat(0, 0, 0);
    p.repeat_fy2019 = 1.5;
    cor_demand *d = cor_demand_new();
    assert_int_equal(cor_demand_derive(d, FIX "base", &p, &fixture_opt), COR_EINPUT);
    assert_string_equal(d->errmsg, "parameter demand_repeat_share_fy2019 = 1.5 is out of range [0, 1)");
    cor_demand_free(d);
}

/* ------------------------------------------------ share stopped in Mexico */

static void test_estimate_fixture(void **state)
{
    (void)state;
    cor_demand_stop_estimate est[COR_DG_N];
    double pooled;
    cor_demand *d = cor_demand_new();
    assert_int_equal(cor_demand_estimate_stopped(d, FIX "base", 0, est, &pooled), COR_OK);
    /* Guatemala 2013 Jan-Feb: mean of 300 and 500 (the shorter Jan-Jan row and
     * other metrics ignored; 2012 lacks US months) vs 400 + 500 USBP */
    assert_int_equal(est[COR_DG_GUATEMALA].n_periods, 1);
    assert_int_equal(est[COR_DG_GUATEMALA].end_month[0], 2);
    assert_double_equal(est[COR_DG_GUATEMALA].share, 400.0 / 1300.0, 1e-12);
    assert_double_equal(est[COR_DG_ECUADOR].share, 110.0 / 230.0, 1e-12);
    assert_double_equal(est[COR_DG_HONDURAS].share, -1, 0); /* 2013 full year: no US data */
    assert_double_equal(est[COR_DG_MEXICO].share, -1, 0);
    assert_double_equal(est[COR_DG_OTHER].share, -1, 0);
    assert_double_equal(pooled, 510.0 / 1530.0, 1e-12);
    /* with until 2013-02 the Jan-Mar period is not used */
    assert_int_equal(cor_demand_estimate_stopped(d, FIX "base", M(2013, 2), est, &pooled), COR_OK);
    assert_double_equal(est[COR_DG_ECUADOR].share, -1, 0);
    assert_double_equal(est[COR_DG_GUATEMALA].share, 400.0 / 1300.0, 1e-12);
    cor_demand_free(d);
}

/* ----------------------------------------------------------------- files */

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    char *buf = malloc(1 << 20);
    assert_non_null(buf);
    const size_t n = fread(buf, 1, (1 << 20) - 1, f);
    buf[n] = '\0';
    fclose(f);
    return buf;
}

static void tmp_path(char *out, size_t n, const char *name)
{
    const char *t = getenv("COR_TEST_TMP");
    snprintf(out, n, "%s/test_demand/%s", t ? t : "/tmp", name);
}

static void test_write(void **state)
{
    (void)state;
    char dir[512], path[600];
    cor_demand_params p = flat(0, 0, 0);
    p.stopped_share[COR_DG_MEXICO] = 0.5;
    cor_demand *d = derive_ok(FIX "base", &p, &fixture_opt);
    tmp_path(dir, sizeof dir, "write/nested");
    assert_int_equal(cor_demand_write(d, dir), COR_OK);
    snprintf(path, sizeof path, "%s/honduras.csv", dir);
    char *s = slurp(path);
    assert_non_null(s);
    assert_string_equal(s, "month,single_adults,family_members,unaccompanied_children\n"
                           "2012-10,0.00,0.00,0.00\n2012-11,0.00,0.00,0.00\n2012-12,0.00,0.00,0.00\n"
                           "2013-01,0.00,0.00,0.00\n2013-02,0.00,0.00,0.00\n2013-03,0.00,0.00,0.00\n"
                           "2013-04,0.00,0.00,0.00\n2013-05,0.00,0.00,0.00\n2013-06,0.00,0.00,0.00\n");
    free(s);
    snprintf(path, sizeof path, "%s/mexico.csv", dir);
    s = slurp(path);
    assert_non_null(s);
    char *line = strchr(s, '\n') + 1; /* 2012-10 */
    double a, b, c;
    assert_int_equal(sscanf(line, "2012-10,%lf,%lf,%lf\n", &a, &b, &c), 3);
    assert_double_equal(a + b + c, 2000, 0.015);
    assert_double_equal(a, cell(d, COR_DG_MEXICO, M(2012, 10), 0), 0.005);
    free(s);
    for (int g = 0; g < COR_DG_N; g++) {
        snprintf(path, sizeof path, "%s/%s.csv.tmp", dir, cor_demand_group_ids[g]);
        assert_int_equal(access(path, F_OK), -1);
    }
    cor_demand_free(d);
}

/* ----------------------------------------------------- the repo's data */

static int load_repo_params(cor_demand_params *p)
{
    cor_scenario *sc = NULL;
    char err[512];
    const int rc = cor_scenario_load_fragment("scenarios/corridor/derivation.yaml", &sc);
    if (rc)
        fail_msg("load derivation.yaml: %s", sc ? cor_scenario_errmsg(sc) : "out of memory");
    if (cor_demand_params_from_scenario(sc, p, err, sizeof err))
        fail_msg("%s", err);
    cor_scenario_free(sc);
    return 0;
}

static void test_repo_reproduces_committed_csv(void **state)
{
    (void)state;
    cor_demand_params p;
    char dir[512], a[700], b[700];
    load_repo_params(&p);
    cor_demand *d = derive_ok("data", &p, NULL);
    assert_int_equal(d->month0, M(2012, 10));
    assert_int_equal(d->n_months, 147);
    assert_int_equal(d->data_last, M(2024, 11));
    tmp_path(dir, sizeof dir, "repro");
    assert_int_equal(cor_demand_write(d, dir), COR_OK);
    for (int g = 0; g < COR_DG_N; g++) {
        snprintf(a, sizeof a, "%s/%s.csv", dir, cor_demand_group_ids[g]);
        snprintf(b, sizeof b, "scenarios/corridor/demand/%s.csv", cor_demand_group_ids[g]);
        char *x = slurp(a), *y = slurp(b);
        assert_non_null(x);
        if (!y)
            fail_msg("missing committed %s", b);
        if (strcmp(x, y) != 0)
            fail_msg("%s differs from the derivation (run: corredor demand scenarios/corridor/derivation.yaml)", b);
        free(x);
        free(y);
    }
    cor_demand_free(d);
}

/* The stopped shares in derivation.yaml are the estimator's (3 decimals). */
static void test_repo_stopped_shares_match_estimate(void **state)
{
    (void)state;
    cor_demand_params p;
    cor_demand_stop_estimate est[COR_DG_N];
    double pooled;
    load_repo_params(&p);
    cor_demand *d = cor_demand_new();
    assert_int_equal(cor_demand_estimate_stopped(d, "data", 0, est, &pooled), COR_OK);
    for (int g = 0; g < COR_DG_N; g++) {
        const double want = g == COR_DG_MEXICO ? 0 : g == COR_DG_OTHER ? pooled : est[g].share;
        assert_true(want >= 0);
        if (fabs(p.stopped_share[g] - round(want * 1000) / 1000) > 1e-12)
            fail_msg("demand_stopped_share_%s = %g, estimate %.3f", cor_demand_group_ids[g], p.stopped_share[g], want);
    }
    cor_demand_free(d);
}

/* A hindcast cut-off on the real data: everything from the cut-off on is held. */
static void test_repo_until(void **state)
{
    (void)state;
    cor_demand_params p;
    load_repo_params(&p);
    const cor_demand_options opt = {0, 0, M(2019, 12)};
    cor_demand *d = derive_ok("data", &p, &opt);
    assert_int_equal(d->data_last, M(2019, 12));
    for (int g = 0; g < COR_DG_N; g++)
        for (int m = M(2019, 12); m <= M(2024, 12); m++)
            for (int k = 0; k < COR_N_DEMOS; k++)
                assert_double_equal(cell(d, g, m, k), cell(d, g, M(2019, 12), k), 0);
    assert_true(total(d, COR_DG_MEXICO, M(2019, 12)) > 0);
    cor_demand_free(d);
}

int main(void)
{
    const char *src = getenv("COR_SOURCE_DIR");
    if (src && chdir(src) != 0)
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_repeat_rule),
        cmocka_unit_test(test_lag_repeat_stopped_hold),
        cmocka_unit_test(test_other_ecuador_colombia),
        cmocka_unit_test(test_demographic_split),
        cmocka_unit_test(test_until_no_peeking),
        cmocka_unit_test(test_csv_errors),
        cmocka_unit_test(test_params),
        cmocka_unit_test(test_estimate_fixture),
        cmocka_unit_test(test_write),
        cmocka_unit_test(test_repo_reproduces_committed_csv),
        cmocka_unit_test(test_repo_stopped_shares_match_estimate),
        cmocka_unit_test(test_repo_until),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
