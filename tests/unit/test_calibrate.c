/* test_calibrate.c - the calibration (src/analysis/calibrate.c): recovery of
 * known parameters and of a known demand series from synthetic observations
 * (a run of tests/data/calibrate/base.yaml with another seed and a finer
 * scale), the screen, the overlay written and read back, the observation
 * readers, no use of data after --until, thread independence, and error
 * messages. */
#include <cjson/cJSON.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cmocka.h>

#include "analysis/calibrate.h"
#include "scenario/scenario.h"
#include "test_util.h"

#define FIX "tests/data/calibrate/"
#define M(y, m) ((y) * 12 + (m) - 1)

/* The truth of base.yaml. */
#define TRUE_INM 0.002
#define TRUE_GUARD 0.00005

typedef struct {
    cor_cal_obs *obs;   /* us_encounters of base.yaml, scale 1, seed 101, 2019-01..2020-06 */
} fixture;

static int setup(void **state)
{
    const char *tmp = getenv("COR_TEST_TMP");
    if (tmp && *tmp)
        mkdir(tmp, 0777); /* the scratch directory may not exist yet (EEXIST is fine) */
    fixture *f = calloc(1, sizeof *f);
    cor_scenario *sc = load_scenario(FIX "base.yaml");
    cor_sim *sim = cor_sim_new();
    cor_options o = {.seed = 101, .has_seed = 1, .scale = 1, .threads = 1};
    if (!f || !sc || !sim || cor_sim_init(sim, sc, &o) != COR_OK || cor_sim_run(sim) != COR_OK)
        return -1;
    f->obs = cor_cal_obs_new();
    if (!f->obs || cor_cal_obs_from_sim(f->obs, sim, 0) != COR_OK)
        return -1;
    cor_sim_free(sim);
    cor_scenario_free(sc);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    cor_cal_obs_free(f->obs);
    free(f);
    return 0;
}

static const cor_cal_param *param(const cor_calib *c, const char *name)
{
    for (int i = 0; i < c->n_params; i++)
        if (strcmp(c->params[i].name, name) == 0)
            return &c->params[i];
    fail_msg("no calibrated parameter %s", name);
    return NULL;
}

static double dem_total(const double *d, int m)
{
    return d[m * 3] + d[m * 3 + 1] + d[m * 3 + 2];
}

static cor_calib *calibrate_ok(const char *path, const cor_cal_obs *obs, const cor_cal_options *o)
{
    cor_calib *c = NULL;
    const int rc = cor_calibrate(path, obs, o, &c);
    if (rc != COR_OK)
        fail_msg("cor_calibrate(%s): %d: %s", path, rc, c ? c->errmsg : "out of memory");
    return c;
}

/* ------------------------------------------------------------ observations */

static void obs_csv_roundtrip_and_errors(void **state)
{
    fixture *f = *state;
    char path[4096];
    assert_int_equal(f->obs->n_groups, 3);
    assert_string_equal(f->obs->group[1], "guatemala");
    assert_int_equal(f->obs->month0, M(2019, 1));
    assert_int_equal(f->obs->n_months, 18);
    assert_int_equal(cor_cal_obs_write_csv(f->obs, tmp_path(path, sizeof path, "cal_obs.csv")), COR_OK);
    cor_cal_obs *o = cor_cal_obs_new();
    assert_int_equal(cor_cal_obs_from_csv(o, path, 0), COR_OK);
    assert_int_equal(o->n_groups, 3);
    assert_int_equal(o->month0, M(2019, 1));
    assert_int_equal(o->n_months, 18);
    for (int k = 0; k < 3 * 18; k++)
        assert_true(o->people[k] == f->obs->people[k]);
    /* the until cut */
    assert_int_equal(cor_cal_obs_from_csv(o, path, M(2019, 6)), COR_OK);
    assert_int_equal(o->n_months, 6);

    static const struct {
        const char *text, *msg;
    } bad[] = {
        {"month,grp,people\n", ":1: expected the header 'month,group,people'"},
        {"month,group,people\n2019-1,mexico,5\n", ":2:1: month: '2019-1' is not YYYY-MM"},
        {"month,group,people\n2019-01,mexico,-5\n", ":2:16: bad count '-5' in column 'people' (expected a number >= 0)"},
        {"month,group,people\n2019-01,,5\n", ":2:9: group: empty"},
        {"month,group,people\n2019-01,\"mex\"ico,5\n", ":2:14: unexpected character after a closing quote"},
        {"", ":1: empty file (no header)"},
        {"month,group,people\n2019-01,mexico\n", ":2: expected 3 fields, found 2"},
        {"month,group,people\n2019-01,mexico,5\n\n2019-01,mexico,6\n", ":4: duplicate row for group 'mexico', month 2019-01"},
        {"month,group,people\n2019-05,mexico,5\n", ": no rows at or before the until month"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        tmp_path(path, sizeof path, "cal_bad.csv");
        FILE *fp = fopen(path, "w");
        assert_non_null(fp);
        fputs(bad[i].text, fp);
        fclose(fp);
        assert_int_equal(cor_cal_obs_from_csv(o, path, M(2019, 3)), COR_EINPUT);
        char want[4300];
        snprintf(want, sizeof want, "%s%s", path, bad[i].msg);
        assert_string_equal(o->errmsg, want);
    }
    cor_cal_obs_free(o);
}

/* The data readers with the until cut: tests/data/demand/future differs from
 * base only after 2013-01. */
static void obs_from_data_until(void **state)
{
    (void)state;
    cor_cal_obs *a = cor_cal_obs_new(), *b = cor_cal_obs_new();
    assert_int_equal(cor_cal_obs_from_data(a, "tests/data/demand/base", M(2013, 1)), COR_OK);
    assert_int_equal(cor_cal_obs_from_data(b, "tests/data/demand/future", M(2013, 1)), COR_OK);
    assert_int_equal(a->n_groups, 11);
    assert_string_equal(a->group[0], "mexico");
    assert_string_equal(a->group[10], "other");
    assert_int_equal(a->month0, M(2012, 10));
    assert_int_equal(a->n_months, 4);
    assert_int_equal(b->n_months, 4);
    assert_true(a->people[0] == 1000);                /* mexico 2012-10 */
    assert_true(a->people[1 * 4 + 3] == 400);         /* guatemala 2013-01 */
    assert_memory_equal(a->people, b->people, 11 * 4 * sizeof(double));
    assert_int_equal(cor_cal_obs_from_data(a, "tests/data/no-such-dir", M(2013, 1)), COR_EIO);
    assert_string_equal(a->errmsg, "cannot read 'tests/data/no-such-dir/"
                                   "ohss_usbp_sw_monthly_by_citizenship_group_fy2000_fy2025.csv': No such file or directory");
    cor_cal_obs_free(a);
    cor_cal_obs_free(b);
}

/* ------------------------------------------------------------ parameters */

static void recovers_parameters(void **state)
{
    fixture *f = *state;
    cor_cal_options o = {.until = M(2020, 6), .scale = 5, .threads = 2, .reps = 2, .max_evals = 60, .rounds = 1,
                         .burn_in = -1};
    cor_calib *c = calibrate_ok(FIX "start.yaml", f->obs, &o);
    assert_int_equal(c->fit_first, M(2019, 4)); /* three months of burn-in */
    assert_int_equal(c->fit_last, M(2020, 6));
    assert_int_equal(c->n_params, 3);
    const cor_cal_param *inm = param(c, "inm_detect_per_agent"), *guard = param(c, "guard_detect_per_troop");
    const cor_cal_param *t8 = param(c, "title8_detention_days");
    /* nobody is detained by Title 8 here: no effect at all, kept */
    assert_int_equal(t8->status, COR_CAL_FIXED_SCREEN);
    assert_true(t8->effect == 0);
    assert_true(t8->value == 5);
    const double truth[2] = {TRUE_INM, TRUE_GUARD};
    const cor_cal_param *fitted[2] = {inm, guard};
    for (int i = 0; i < 2; i++) {
        const cor_cal_param *p = fitted[i];
        print_message("%s: screen effect %.4f, top group %d share %.3f\n", p->name, p->effect, p->top_group,
                      p->top_share);
        print_message("%s: start %.6g, fitted %.6g, 90%% interval [%.6g, %.6g], truth %.6g\n", p->name, p->start,
                      p->value, p->ci_lo, p->ci_hi, truth[i]);
        assert_int_equal(p->status, COR_CAL_FITTED);
        assert_true(p->logscale);
        assert_true(p->ci_lo <= p->value && p->value <= p->ci_hi);
        if (!(fabs(p->value / truth[i] - 1) <= 0.10 || (p->ci_lo <= truth[i] && truth[i] <= p->ci_hi)))
            fail_msg("%s = %.6g: not within 10%% of %.6g nor inside [%.6g, %.6g]", p->name, p->value, truth[i],
                     p->ci_lo, p->ci_hi);
    }
    assert_true(c->obj_end < c->obj_start);
    assert_true(c->mape_params < c->mape_start);
    assert_true(c->evals > 0 && c->sims == 2 * c->evals);
    cor_calib_free(c);
}

/* ------------------------------------------------------------ demand */

static void recovers_demand(void **state)
{
    fixture *f = *state;
    cor_cal_options o = {.until = M(2020, 6), .scale = 5, .threads = 2, .reps = 2, .no_params = 1, .burn_in = -1,
                         .demand_iters = 20};
    cor_calib *c = calibrate_ok(FIX "demand_off.yaml", f->obs, &o);
    cor_scenario *truth = load_scenario(FIX "base.yaml");
    double worst = 0, ss = 0, worst_prior = 1, worst2 = 0;
    int n = 0;
    for (int g = 0; g < c->n_groups; g++) {
        const cor_cal_group *gr = &c->groups[g];
        int m0, nm;
        const double *d = cor_scenario_demand(truth, g, &m0, &nm);
        assert_true(gr->observed);
        assert_int_equal(m0, gr->month0);
        /* departures whose encounters fall inside the fitted window */
        for (int m = c->fit_first - m0; m < c->fit_last - m0; m++) {
            const double e = log(dem_total(gr->demand, m) / dem_total(d, m));
            const double e0 = fabs(log(dem_total(gr->prior, m) / dem_total(d, m)));
            if (m > c->fit_first - m0) { /* two-month totals */
                const double e2 = log((dem_total(gr->demand, m) + dem_total(gr->demand, m - 1)) /
                                      (dem_total(d, m) + dem_total(d, m - 1)));
                worst2 = fabs(e2) > worst2 ? fabs(e2) : worst2;
            }
            worst = fabs(e) > worst ? fabs(e) : worst;
            worst_prior = e0 < worst_prior ? e0 : worst_prior;
            ss += e * e, n++;
            /* the demographic split of the prior is kept */
            assert_true(fabs(gr->demand[m * 3] / dem_total(gr->demand, m) - gr->prior[m * 3] / dem_total(gr->prior, m)) <
                        1e-12);
        }
    }
    print_message("demand: prior off by %.0f%% or more in every month; re-estimated: worst month %.1f%%, worst "
                  "two-month total %.1f%%, RMS %.1f%% (%d group-months); residual J %.5f -> %.5f in %d runs "
                  "(Monte Carlo level %.5f)\n",
                  100 * (exp(worst_prior) - 1), 100 * (exp(worst) - 1), 100 * (exp(worst2) - 1),
                  100 * (exp(sqrt(ss / n)) - 1), n, c->inv_res[0], c->round_inv_end[0], c->inv_iters, c->noise_J);
    assert_true(worst_prior > log(1.3));
    /* The travel kernel is measured on the model (a run with the demand
     * doubled in every fifth month): a departure cohort of this network
     * reaches the border within two months (an impulse run at scale 1
     * puts 33-57% of its encounters in the departure month, 37-59% in the
     * next, 6-8% later; mean lags 0.56 mexico, 0.65-0.70 guatemala,
     * 0.87-0.93 venezuela).  The former estimate (the shift of the demand
     * best correlated with the encounters) put guatemala at 1.35 months and
     * the inversion then left it 24% low / 25% high in adjacent months. */
    for (int g = 0; g < c->n_groups; g++) {
        double sum = 0;
        for (int j = 0; j <= COR_CAL_KMAX; j++)
            sum += c->groups[g].kernel[j];
        print_message("%s: measured mean travel lag %.2f months\n", c->groups[g].id, c->groups[g].mean_lag);
        assert_true(fabs(sum - 1) < 1e-9);
        assert_true(c->groups[g].mean_lag > 0.3 && c->groups[g].mean_lag < 1.0);
    }
    /* What the inversion can claim (measured, docs/CALIBRATION.md "Results"):
     * a cohort splits its encounters about evenly between two months, so a
     * demand pattern alternating month to month barely moves the encounters
     * (the kernel's response to it is |k0 - k1| = 0.1-0.3) and the Monte
     * Carlo noise of the record (scale 1) and of the model (scale 5, 2 runs),
     * about 3-4% a month, is amplified in it.  Over eight record seeds
     * (101, 202, ..., 808) this case gave: worst month 11.9-22.7%, worst
     * two-month total 4.8-10.8%, RMS 4.6-5.9%; with the model at scale 1 and
     * 4 runs the same record gives 9-11%, 4-8% and 3.5-3.9% (noise-limited).
     * Hence: months within 25%, two-month totals within 12%, RMS within 7%. */
    assert_true(worst < log(1.25));
    assert_true(worst2 < log(1.12));
    assert_true(sqrt(ss / n) < log(1.07));
    assert_true(c->inv_converged);
    assert_true(c->mape_end < 5);
    /* parameters untouched */
    assert_int_equal(param(c, "inm_detect_per_agent")->status, COR_CAL_FIXED_USER);
    assert_true(param(c, "inm_detect_per_agent")->value == TRUE_INM);

    /* the outputs: overlay, CSVs and JSON, read back */
    char yaml[4096], json[4096], buf[4096];
    tmp_path(yaml, sizeof yaml, "cal_out/fit.yaml");
    assert_int_equal(cor_calib_write(c, yaml, "2025-01-02"), COR_OK);
    cor_scenario *back = NULL;
    int rc = cor_scenario_load(yaml, &back);
    if (rc != COR_OK)
        fail_msg("%s", back ? cor_scenario_errmsg(back) : "out of memory");
    assert_string_equal(cor_scenario_name(back), "calibrate_demand_off-calibrated");
    for (int g = 0; g < c->n_groups; g++) {
        int m0, nm;
        const double *d = cor_scenario_demand(back, g, &m0, &nm);
        assert_int_equal(nm, c->groups[g].n_months);
        for (int k = 0; k < nm * 3; k++)
            assert_true(fabs(d[k] - c->groups[g].demand[k]) <= 0.005 + 1e-9);
    }
    const cor_sc_param *p = cor_sc_param_find(back, "inm_detect_per_agent");
    assert_non_null(p);
    assert_true(p->value == TRUE_INM); /* not fitted: the base's value */
    cor_scenario_free(back);
    FILE *fp = fopen(tmp_path(json, sizeof json, "cal_out/fit.json"), "r");
    assert_non_null(fp);
    size_t len = fread(buf, 1, sizeof buf - 1, fp);
    fclose(fp);
    buf[len] = '\0';
    assert_non_null(strstr(buf, "\"until\":\t\"2020-06\""));
    assert_non_null(strstr(buf, "\"optimiser\":\t\"NLopt LN_BOBYQA\""));
    fp = fopen(yaml, "r");
    assert_non_null(fp);
    assert_non_null(fgets(buf, sizeof buf, fp));
    fclose(fp);
    assert_non_null(strstr(buf, "# Calibrated overlay of tests/data/calibrate/demand_off.yaml, written by corredor "
                                "calibrate on 2025-01-02"));
    cor_scenario_free(truth);
    cor_calib_free(c);
}

/* Observations after --until never matter, nor does the number of threads;
 * the demand after the last fitted month keeps that month's correction. */
static void until_no_peeking(void **state)
{
    fixture *f = *state;
    cor_cal_obs *later = cor_cal_obs_new();
    char path[4096];
    assert_int_equal(cor_cal_obs_write_csv(f->obs, tmp_path(path, sizeof path, "cal_obs2.csv")), COR_OK);
    assert_int_equal(cor_cal_obs_from_csv(later, path, 0), COR_OK);
    for (int g = 0; g < later->n_groups; g++)
        for (int m = M(2020, 1) - later->month0; m < later->n_months; m++)
            later->people[g * later->n_months + m] *= 3;
    cor_cal_options o = {.until = M(2019, 12), .scale = 10, .threads = 1, .reps = 1, .max_evals = 8, .rounds = 1,
                         .burn_in = -1, .demand_iters = 4, .no_interval = 1};
    cor_calib *a = calibrate_ok(FIX "demand_off.yaml", f->obs, &o);
    o.threads = 2;
    cor_calib *b = calibrate_ok(FIX "demand_off.yaml", later, &o);
    assert_int_equal(a->fit_last, M(2019, 12));
    assert_int_equal(a->evals, b->evals);
    for (int i = 0; i < a->n_params; i++)
        assert_true(a->params[i].value == b->params[i].value);
    for (int g = 0; g < a->n_groups; g++) {
        const cor_cal_group *ga = &a->groups[g], *gb = &b->groups[g];
        assert_memory_equal(ga->demand, gb->demand, (size_t)ga->n_months * 3 * sizeof(double));
        /* months from the last fitted one on: one correction */
        const int last = a->fit_last - ga->month0;
        const double r = dem_total(ga->demand, last) / dem_total(ga->prior, last);
        assert_true(last + 1 < ga->n_months);
        for (int m = last + 1; m < ga->n_months; m++)
            assert_true(fabs(dem_total(ga->demand, m) / dem_total(ga->prior, m) / r - 1) < 1e-12);
    }
    assert_true(a->obj_end == b->obj_end);
    cor_calib_free(a);
    cor_calib_free(b);
    cor_cal_obs_free(later);
}

static void errors(void **state)
{
    fixture *f = *state;
    cor_calib *c = NULL;
    cor_cal_options o = {.until = M(2020, 6), .scale = 10, .fix = "inm_*,nonesuch", .burn_in = -1};
    assert_int_equal(cor_calibrate(FIX "base.yaml", f->obs, &o, &c), COR_EARG);
    assert_string_equal(c->errmsg, "fix: 'nonesuch' matches no calibrated parameter of " FIX "base.yaml");
    cor_calib_free(c);
    o.fix = NULL;
    o.until = M(2019, 2);
    assert_int_equal(cor_calibrate(FIX "base.yaml", f->obs, &o, &c), COR_EARG);
    assert_string_equal(c->errmsg, "no month to fit: from 2019-04 (scenario start + 3 months of burn-in, or the first "
                                   "observation) to 2019-02 (--until, the last observation or the scenario end)");
    cor_calib_free(c);
    cor_cal_obs *other = cor_cal_obs_new();
    char path[4096];
    FILE *fp = fopen(tmp_path(path, sizeof path, "cal_other.csv"), "w");
    assert_non_null(fp);
    fputs("month,group,people\n2019-05,ruritania,10\n", fp);
    fclose(fp);
    assert_int_equal(cor_cal_obs_from_csv(other, path, 0), COR_OK);
    o.until = M(2020, 6);
    assert_int_equal(cor_calibrate(FIX "base.yaml", other, &o, &c), COR_EINPUT);
    assert_string_equal(c->errmsg, "none of the scenario's groups is in the observations");
    cor_calib_free(c);
    cor_cal_obs_free(other);
    assert_int_equal(cor_calibrate(FIX "missing.yaml", f->obs, &o, &c), COR_EIO);
    assert_non_null(strstr(c->errmsg, "missing.yaml"));
    cor_calib_free(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(obs_csv_roundtrip_and_errors), cmocka_unit_test(obs_from_data_until),
        cmocka_unit_test(recovers_parameters),          cmocka_unit_test(recovers_demand),
        cmocka_unit_test(until_no_peeking),             cmocka_unit_test(errors),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
