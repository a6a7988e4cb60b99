/* test_validate.c - validation (src/analysis/observed.c, validate.c):
 * the metrics on synthetic inputs with known answers (MAPE, correlation,
 * Flee's averaged relative difference, checked against Flee's own output on
 * Mali when ../shared is there), the record readers on the fixture files of
 * tests/data/validate/ (choice rules, the `until` cut, error messages), the
 * facts loader and the pass/fail of every kind of fact, a whole validation of
 * a hand-built simulated side, and data/facts.csv against the record and the
 * historical scenario. */
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

#include "analysis/observed.h"
#include "analysis/validate.h"
#include "test_util.h"

#define FIX "tests/data/validate"
#define M(y, m) ((y) * 12 + (m) - 1)

#define assert_double_equal(a, b, eps) near_((a), (b), (eps), #a, __LINE__)
static void near_(double a, double b, double eps, const char *expr, int line)
{
    if (!(fabs(a - b) <= eps))
        fail_msg("line %d: %s = %.17g, expected %.17g (+- %g)", line, expr, a, b, eps);
}

/* ------------------------------------------------------------ metrics */

static void test_mape(void **state)
{
    (void)state;
    const double sim[] = {110, 90, 100, 5, 7}, obs[] = {100, 100, 100, NAN, 0};
    int used = -1;
    /* (0.1 + 0.1 + 0) / 3: the NAN and the zero observation are skipped */
    assert_double_equal(cor_metric_mape(sim, obs, 5, &used), 0.2 / 3, 1e-15);
    assert_int_equal(used, 3);
    assert_true(isnan(cor_metric_mape(sim + 3, obs + 3, 2, &used)));
    assert_int_equal(used, 0);
}

static void test_corr(void **state)
{
    (void)state;
    const double a[] = {1, 2, 3, 4}, b[] = {1, 3, 2, 4}, c[] = {8, 6, 4, 2}, k[] = {5, 5, 5, 5};
    int used;
    assert_double_equal(cor_metric_corr(a, b, 4, &used), 0.8, 1e-15);
    assert_int_equal(used, 4);
    assert_double_equal(cor_metric_corr(a, c, 4, NULL), -1, 1e-15);
    assert_true(isnan(cor_metric_corr(a, k, 4, NULL))); /* a constant side */
    const double d[] = {1, 2, NAN, 4}, e[] = {2, 4, 1000, 8};
    assert_double_equal(cor_metric_corr(d, e, 4, &used), 1, 1e-15);
    assert_int_equal(used, 3);
}

static void test_ard(void **state)
{
    (void)state;
    /* 4 months x 3 units; month 3 has a NAN, month 4 no observations */
    const double sim[] = {10, 20, 30, 5, 5, 5, 1, 1, 1, 9, 9, 9};
    const double obs[] = {10, 10, 10, 10, 0, 0, 1, NAN, 1, 0, 0, 0};
    int used;
    /* (30 / 30 + 15 / 10) / 2 */
    assert_double_equal(cor_metric_ard(sim, obs, 4, 3, &used), 1.25, 1e-15);
    assert_int_equal(used, 2);
    const double x[] = {1, NAN, 3}, y[] = {2, 2, 1};
    assert_double_equal(cor_metric_mean_abs_diff(x, y, 3, &used), 1.5, 1e-15);
    assert_int_equal(used, 2);
}

/* Flee's own output for Mali (../shared/flee/reference): the mean over days
 * of sum over camps |sim - data| / "refugees in camps (UNHCR)" is 0.394. */
static void test_ard_flee_mali(void **state)
{
    (void)state;
    char path[4096];
    FILE *f = fopen(src_path(path, sizeof path, "../shared/flee/reference/mali2012.flee-out.csv"), "r");
    if (!f)
        skip();
    char line[8192];
    int sim_col[16], data_col[16], n_camps = 0, camps_col = -1, days = 0;
    assert_non_null(fgets(line, sizeof line, f));
    line[strcspn(line, "\r\n")] = '\0';
    int col = 0;
    for (char *t = strtok(line, ","); t; t = strtok(NULL, ","), col++) {
        const size_t n = strlen(t);
        if (n > 4 && strcmp(t + n - 4, " sim") == 0 && strncmp(t, "total", 5) != 0)
            sim_col[n_camps] = col;
        else if (n > 5 && strcmp(t + n - 5, " data") == 0)
            data_col[n_camps++] = col;
        else if (strcmp(t, "refugees in camps (UNHCR)") == 0)
            camps_col = col;
    }
    assert_int_equal(n_camps, 7);
    assert_true(camps_col > 0);
    double *sim = malloc(sizeof(double) * 7 * 400), *obs = malloc(sizeof(double) * 7 * 400);
    assert_non_null(sim);
    assert_non_null(obs);
    while (fgets(line, sizeof line, f) && days < 400) {
        double v[64];
        col = 0;
        for (char *t = strtok(line, ","); t && col < 64; t = strtok(NULL, ","))
            v[col++] = atof(t);
        double den = 0;
        for (int c = 0; c < 7; c++) {
            sim[days * 7 + c] = v[sim_col[c]];
            obs[days * 7 + c] = v[data_col[c]];
            den += v[data_col[c]];
        }
        assert_double_equal(den, v[camps_col], 1e-6); /* the UNHCR column is the sum over camps */
        days++;
    }
    fclose(f);
    int used;
    const double ard = cor_metric_ard(sim, obs, days, 7, &used);
    assert_int_equal(used, 300);
    assert_double_equal(ard, 0.394, 0.0005);
    free(sim);
    free(obs);
}

/* -------------------------------------------------------------- record */

static cor_observed *load_fixture(int until)
{
    char dir[4096], err[600];
    cor_observed *o = NULL;
    int rc = cor_observed_load(src_path(dir, sizeof dir, FIX), until, &o, err, sizeof err);
    if (rc != COR_OK)
        fail_msg("loading the fixture: %s", err);
    return o;
}

static void test_observed_fixture(void **state)
{
    (void)state;
    cor_observed *o = load_fixture(0);
    assert_double_equal(cor_obs_month(o->encounters, M(2020, 1)), 100, 0);
    assert_double_equal(cor_obs_month(o->encounters, M(2020, 6)), 600, 0);
    assert_true(isnan(cor_obs_month(o->encounters, M(2020, 7))));
    assert_true(isnan(cor_obs_month(o->encounters, M(1990, 1)))); /* outside the window */
    assert_int_equal(o->last_month, M(2020, 6));
    /* sectors: the exact file wins where it has all nine (2020-03: not 999) */
    const int sd = cor_obs_sector_index("San Diego"), rgv = cor_obs_sector_index("Rio Grande Valley");
    assert_int_equal(sd, 0);
    assert_int_equal(rgv, 8);
    assert_int_equal(cor_obs_sector_index("Blaine"), -1);
    assert_double_equal(cor_obs_month(o->sector[rgv], M(2020, 3)), 10, 0);
    assert_int_equal(o->sector_exact[M(2020, 3) - COR_OBS_FIRST_MONTH], 1);
    assert_double_equal(cor_obs_month(o->sector[sd], M(2020, 4)), 90, 0);
    assert_double_equal(cor_obs_month(o->sector[rgv], M(2020, 4)), 0, 0);
    assert_int_equal(o->sector_exact[M(2020, 4) - COR_OBS_FIRST_MONTH], 0);
    /* groups */
    assert_double_equal(cor_obs_month(o->group[cor_obs_group_index("honduras")], M(2020, 2)), 20, 0);
    assert_double_equal(cor_obs_month(o->group[cor_obs_group_index("other")], M(2020, 6)), 50, 0);
    /* Title 42: all components before the USBP columns, USBP-only where given */
    assert_double_equal(cor_obs_title42_share(o, M(2020, 2)), 0, 0);
    assert_double_equal(cor_obs_title42_share(o, M(2020, 3)), 0.3, 1e-15);
    assert_int_equal(o->t42_usbp[M(2020, 3) - COR_OBS_FIRST_MONTH], 0);
    assert_double_equal(cor_obs_title42_share(o, M(2020, 4)), 0.8, 1e-15);
    assert_int_equal(o->t42_usbp[M(2020, 4) - COR_OBS_FIRST_MONTH], 1);
    assert_true(isnan(cor_obs_title42_share(o, M(2020, 5))));
    /* COMAR: median of the full-year figures; partial years are not used */
    assert_double_equal(cor_obs_year(o->comar, 2019), 110, 0);
    assert_int_equal(o->comar_n[2019 - COR_OBS_FIRST_YEAR], 3);
    assert_double_equal(cor_obs_year(o->comar, 2020), 210, 0);
    assert_true(isnan(cor_obs_year(o->comar, 2021)));
    /* UPM: only full-year presented-or-channelled events */
    assert_double_equal(cor_obs_year(o->upm, 2019), 3000, 0);
    assert_double_equal(cor_obs_year(o->upm, 2020), 5000, 0);
    assert_true(isnan(cor_obs_year(o->upm, 2021)));
    /* IOM: complete years of the route series; else the published figure */
    assert_double_equal(cor_obs_year(o->deaths, 2019), 120, 0);
    assert_int_equal(o->deaths_headline[2019 - COR_OBS_FIRST_YEAR], 0);
    assert_double_equal(cor_obs_year(o->deaths, 2020), 300, 0);
    assert_int_equal(o->deaths_headline[2020 - COR_OBS_FIRST_YEAR], 1);
    assert_true(isnan(cor_obs_year(o->deaths, 2021))); /* PARTIAL months, no published figure */
    cor_observed_free(o);
}

static void test_observed_until(void **state)
{
    (void)state;
    cor_observed *o = load_fixture(M(2020, 3));
    assert_int_equal(o->until, M(2020, 3));
    assert_double_equal(cor_obs_month(o->encounters, M(2020, 3)), 300, 0);
    assert_true(isnan(cor_obs_month(o->encounters, M(2020, 4))));
    assert_int_equal(o->last_month, M(2020, 3));
    assert_double_equal(cor_obs_month(o->sector[0], M(2020, 3)), 10, 0);
    assert_true(isnan(cor_obs_month(o->sector[0], M(2020, 4))));
    assert_true(isnan(cor_obs_month(o->group[0], M(2020, 4))));
    assert_double_equal(cor_obs_title42_share(o, M(2020, 3)), 0.3, 1e-15);
    assert_true(isnan(cor_obs_title42_share(o, M(2020, 4))));
    /* annual figures only for years that end by the cut */
    assert_double_equal(cor_obs_year(o->comar, 2019), 110, 0);
    assert_true(isnan(cor_obs_year(o->comar, 2020)));
    assert_double_equal(cor_obs_year(o->upm, 2019), 3000, 0);
    assert_true(isnan(cor_obs_year(o->upm, 2020)));
    assert_double_equal(cor_obs_year(o->deaths, 2019), 120, 0);
    assert_true(isnan(cor_obs_year(o->deaths, 2020)));
    cor_observed_free(o);
    /* the cut at a year's end keeps that year */
    o = load_fixture(M(2020, 12));
    assert_double_equal(cor_obs_year(o->comar, 2020), 210, 0);
    assert_double_equal(cor_obs_year(o->deaths, 2020), 300, 0);
    cor_observed_free(o);
}

/* Copy the fixture into a scratch folder, replace one file, load: the message. */
static int load_modified(const char *name, const char *text, char *err, size_t errn)
{
    static const char *const files[] = {COR_OBS_F_TOTAL,      COR_OBS_F_SECTOR_EXACT, COR_OBS_F_SECTOR_OHSS,
                                        COR_OBS_F_GROUPS,     COR_OBS_F_TITLE42,      COR_OBS_F_COMAR,
                                        COR_OBS_F_UPM,        COR_OBS_F_IOM_MONTHLY,  COR_OBS_F_IOM_HEADLINE};
    char dir[4096], src[4300], dst[4300], fix[4096];
    tmp_path(dir, sizeof dir, "validate_bad");
    mkdir(tmp_path(fix, sizeof fix, ""), 0777);
    mkdir(dir, 0777);
    for (size_t i = 0; i < sizeof files / sizeof *files; i++) {
        snprintf(src, sizeof src, "%s/%s", src_path(fix, sizeof fix, FIX), files[i]);
        snprintf(dst, sizeof dst, "%s/%s", dir, files[i]);
        FILE *in = fopen(src, "rb"), *out = fopen(dst, "wb");
        assert_non_null(in);
        assert_non_null(out);
        if (strcmp(files[i], name) == 0)
            fputs(text, out);
        else
            for (int c; (c = fgetc(in)) != EOF;)
                fputc(c, out);
        fclose(in);
        fclose(out);
    }
    cor_observed *o = NULL;
    int rc = cor_observed_load(dir, 0, &o, err, errn);
    cor_observed_free(o);
    /* messages name the file by its path: keep the part after the folder */
    const size_t n = strlen(dir);
    if (strncmp(err, dir, n) == 0)
        memmove(err, err + n + 1, strlen(err + n + 1) + 1);
    return rc;
}

static void test_observed_errors(void **state)
{
    (void)state;
    char err[800];
    assert_int_equal(load_modified(COR_OBS_F_TOTAL, "month,usbp_sw_encounters_best\n2020-01,1x0\n", err, sizeof err),
                     COR_EINPUT);
    assert_string_equal(err, COR_OBS_F_TOTAL ":2:9: bad count '1x0' in column 'usbp_sw_encounters_best' (expected a "
                             "number >= 0)");
    assert_int_equal(load_modified(COR_OBS_F_TOTAL, "month,usbp_sw_encounters_best\n2020-13,10\n", err, sizeof err),
                     COR_EINPUT);
    assert_string_equal(err, COR_OBS_F_TOTAL ":2:1: bad month '2020-13' in column 'month' (expected YYYY-MM)");
    assert_int_equal(load_modified(COR_OBS_F_TOTAL, "month,usbp_sw_encounters_best\n2020-01,1\n2020-01,2\n", err,
                                   sizeof err),
                     COR_EINPUT);
    assert_string_equal(err, COR_OBS_F_TOTAL ":3: duplicate row for 2020-01");
    assert_int_equal(load_modified(COR_OBS_F_TOTAL, "month,encounters\n", err, sizeof err), COR_EINPUT);
    assert_string_equal(err, COR_OBS_F_TOTAL ":1: missing column 'usbp_sw_encounters_best'");
    assert_int_equal(load_modified(COR_OBS_F_SECTOR_OHSS,
                                   "month,region,sector,usbp_encounters_rounded10\n2020-05,Southwest Land Border,Marfa,3\n",
                                   err, sizeof err),
                     COR_EINPUT);
    assert_string_equal(err, COR_OBS_F_SECTOR_OHSS ":2:31: unknown southwest sector 'Marfa'");
    assert_int_equal(load_modified(COR_OBS_F_TITLE42,
                                   "month,sw_allcomp_title42,sw_allcomp_title8,usbp_sw_title42,usbp_sw_title8\n"
                                   "2021-10,1,2,3,\n",
                                   err, sizeof err),
                     COR_EINPUT);
    assert_string_equal(err, COR_OBS_F_TITLE42 ":2: usbp_sw_title42 and usbp_sw_title8 must both be given or both be "
                             "empty");
    assert_int_equal(load_modified(COR_OBS_F_COMAR, "year,period,applicants\n2019,full_year,\"12\n", err, sizeof err),
                     COR_EINPUT);
    assert_string_equal(err, COR_OBS_F_COMAR ":2:16: unterminated quoted field");
    assert_int_equal(load_modified(COR_OBS_F_COMAR, "year,period,applicants\n19,full_year,12\n", err, sizeof err),
                     COR_EINPUT);
    assert_string_equal(err, COR_OBS_F_COMAR ":2:1: bad year '19' (expected YYYY)");
    assert_int_equal(load_modified(COR_OBS_F_IOM_MONTHLY, "month,dead_missing,note\n2019-01,1,a,b\n", err, sizeof err),
                     COR_EINPUT);
    assert_string_equal(err, COR_OBS_F_IOM_MONTHLY ":2: expected 3 fields, found 4");
    char dir[4096];
    cor_observed *o = NULL;
    assert_int_equal(cor_observed_load(tmp_path(dir, sizeof dir, "no_such_folder"), 0, &o, err, sizeof err), COR_EIO);
    assert_null(o);
    assert_non_null(strstr(err, "no_such_folder/" COR_OBS_F_TOTAL "': No such file or directory"));
}

/* ------------------------------------------------------------- facts */

static void test_facts_load(void **state)
{
    (void)state;
    char path[4096], err[800];
    cor_fact *f;
    int n;
    assert_int_equal(cor_facts_load(src_path(path, sizeof path, FIX "/facts.csv"), &f, &n, err, sizeof err), COR_OK);
    assert_int_equal(n, 10);
    assert_string_equal(f[1].name, "visas_count_over");
    assert_int_equal(f[1].n_series, 2);
    assert_string_equal(f[1].series[1], "comar_applications");
    assert_int_equal(f[1].a0, M(2019, 1));
    assert_int_equal(f[1].a1, M(2019, 2));
    assert_int_equal(f[2].kind, COR_FACT_RANGE);
    assert_double_equal(f[2].observed_hi, 100, 0);
    assert_int_equal(f[5].kind, COR_FACT_CHANGE);
    assert_string_equal(f[5].place, "San Diego");
    assert_string_equal(f[5].source, "fixture: a sector by name, \"quoted\"");
    assert_int_equal(f[6].a0, M(2019, 1));
    assert_int_equal(f[6].b1, M(2020, 12));
    assert_true(isnan(f[6].tolerance));
    assert_double_equal(f[6].threshold, 0, 0);
    assert_int_equal(f[6].line, 8);
    cor_facts_free(f);

    static const struct {
        const char *row, *msg;
    } bad[] = {
        {"x,counts,us_encounters,,2020,,1,,,0.25,s", ":2:3: unknown kind 'counts' (count, range, count_above, change, "
                                                     "change_below, change_above)"},
        {"Bad,count,us_encounters,,2020,,1,,,0.25,s",
         ":2:1: bad fact name 'Bad' (lower-case letters, digits, '_'; at most 63)"},
        {"a,count,us_encounters,,2020-1,,1,,,0.25,s", ":2:24: bad period '2020-1' (YYYY, YYYY-MM or YYYY-MM..YYYY-MM)"},
        {"a,count,us_encounters,,2020-05..2020-01,,1,,,0.25,s",
         ":2:24: bad period '2020-05..2020-01' (YYYY, YYYY-MM or YYYY-MM..YYYY-MM)"},
        {"a,count,us_encounters,,2020,2021,1,,,0.25,s", ":2:29: period_b is only for change kinds"},
        {"a,change,us_encounters,,2020,,1,,,0.25,s", ":2:30: bad period_b '' (YYYY, YYYY-MM or YYYY-MM..YYYY-MM)"},
        {"a,count,us_encounters,,2020,,,,,0.25,s", ":2:30: column 'observed' is required for this kind of fact"},
        {"a,count,us_encounters,,2020,,1,,,25,s", ":2:34: tolerance 25 outside [0, 1] (a fraction: 0.25 = 25%)"},
        {"a,count_above,us_encounters,,2020,,1,,5,0.25,s", ":2:41: a threshold test has no tolerance"},
        {"a,change_below,us_encounters,,2020,2021,-0.6,,,,s",
         ":2:47: column 'threshold' is required for this kind of fact"},
        {"a,range,us_encounters,,2020,,10,5,,0.25,s", ":2:33: observed_hi 5 below observed 10"},
        {"a,count,us_encounters+,,2020,,1,,,0.25,s", ":2:9: bad series 'us_encounters+' (1 to 4 names joined by '+')"},
        {"a,count,us_encounters,,2020,,1,,,0.25,", ":2:39: the source is required (at most 999 characters)"},
        {"a,count,us_encounters,,2020,,1e,,,0.25,s", ":2:30: bad number '1e' in column 'observed'"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        tmp_path(path, sizeof path, "validate_facts.csv");
        FILE *out = fopen(path, "w");
        assert_non_null(out);
        fprintf(out, "name,kind,series,place,period,period_b,observed,observed_hi,threshold,tolerance,source\n%s\n",
                bad[i].row);
        fclose(out);
        if (cor_facts_load(path, &f, &n, err, sizeof err) != COR_EINPUT)
            fail_msg("row '%s' loads", bad[i].row);
        assert_null(f);
        char want[5000];
        snprintf(want, sizeof want, "%s%s", path, bad[i].msg);
        assert_string_equal(err, want);
    }
    FILE *out = fopen(path, "w");
    fputs("name,kind,series,place,period,period_b,observed,observed_hi,threshold,tolerance,source\n"
          "a,count,deaths,,2020,,1,,,0.25,s\na,count,deaths,,2021,,1,,,0.25,s\n",
          out);
    fclose(out);
    assert_int_equal(cor_facts_load(path, &f, &n, err, sizeof err), COR_EINPUT);
    char want[5000];
    snprintf(want, sizeof want, "%s:3:1: duplicate fact 'a' (first on line 2)", path);
    assert_string_equal(err, want);
}

/* --------------------------------------------------- a hand-built run */

enum { S_ENC, S_T42, S_COMAR, S_DET, S_ALT, S_EXIT, S_DEATHS, S_DESERT, S_RIVER, S_TVRH, N_S };

static cor_vsim *synthetic(void)
{
    static const char *const series[N_S] = {"us_encounters",  "us_encounters_title42", "comar_applications",
                                            "inm_detentions", "inm_alternatives",      "inm_exit_orders",
                                            "deaths",         "deaths_desert",         "deaths_river",
                                            "tvrh_issued"};
    const char *ids[10], *names[10], *kinds[10];
    static const char *const sid[9] = {"usbp_sd", "usbp_ec", "usbp_yu", "usbp_tu", "usbp_ep",
                                       "usbp_bb", "usbp_dr", "usbp_la", "usbp_rgv"};
    for (int s = 0; s < 9; s++)
        ids[s] = sid[s], names[s] = cor_obs_sector_names[s], kinds[s] = "us_sector";
    ids[9] = "tapachula", names[9] = "Tapachula", kinds[9] = "transit";
    static const char *const groups[3] = {"mexico", "honduras", "ecuador"};
    cor_vsim *v = cor_vsim_new(M(2019, 1), 36, N_S, series, 10, ids, names, kinds, 3, groups);
    assert_non_null(v);
    for (int i = 1; i <= 6; i++) { /* all encounters at San Diego, half Mexican, half Ecuadorian ("other") */
        cor_vsim_add(v, S_ENC, 0, 0, M(2020, i), 25.0 * i);
        cor_vsim_add(v, S_ENC, 0, 2, M(2020, i), 25.0 * i);
    }
    cor_vsim_add(v, S_T42, 0, 0, M(2020, 3), 75);  /* share 0.5 against 0.3 */
    cor_vsim_add(v, S_T42, 0, 0, M(2020, 4), 100); /* share 0.5 against 0.8 */
    cor_vsim_add(v, S_COMAR, 9, 1, M(2019, 1), 121);
    cor_vsim_add(v, S_COMAR, 9, 1, M(2020, 7), 105);
    cor_vsim_add(v, S_DET, 9, 1, M(2019, 5), 1500);
    cor_vsim_add(v, S_DET, 9, 1, M(2020, 5), 3000);
    cor_vsim_add(v, S_ALT, 9, 1, M(2020, 5), 1000);
    cor_vsim_add(v, S_EXIT, 9, 1, M(2020, 12), 1000);
    cor_vsim_add(v, S_DESERT, 3, 0, M(2019, 2), 30);
    cor_vsim_add(v, S_RIVER, 8, 0, M(2019, 8), 30);
    cor_vsim_add(v, S_DEATHS, -1, -1, M(2019, 8), 100);
    cor_vsim_add(v, S_DESERT, 3, 0, M(2020, 2), 300);
    cor_vsim_add(v, S_DEATHS, -1, -1, M(2020, 2), 600);
    cor_vsim_add(v, S_TVRH, 9, 1, M(2019, 1), 60);
    cor_vsim_add(v, S_TVRH, 9, 1, M(2019, 2), 65);
    cor_vsim_add(v, S_TVRH, 9, 1, M(2025, 2), 1e9); /* outside the table: ignored */
    return v;
}

static void test_vsim(void **state)
{
    (void)state;
    cor_vsim *v = synthetic();
    assert_int_equal(cor_vsim_series(v, "deaths_river"), S_RIVER);
    assert_int_equal(cor_vsim_series(v, "mpp_returned"), -1);
    assert_int_equal(cor_vsim_place(v, "tapachula"), 9);
    assert_int_equal(cor_vsim_sector(v, "Rio Grande Valley"), 8);
    assert_int_equal(cor_vsim_sector(v, "Tapachula"), -1); /* not a us_sector */
    assert_int_equal(cor_vsim_group(v, "ecuador"), 2);
    assert_double_equal(cor_vsim_value(v, S_ENC, -1, M(2020, 2)), 100, 0);
    assert_double_equal(cor_vsim_value(v, S_ENC, 0, M(2020, 2)), 100, 0);
    assert_double_equal(cor_vsim_value(v, S_ENC, 1, M(2020, 2)), 0, 0);
    assert_double_equal(cor_vsim_group_value(v, S_ENC, 2, M(2020, 2)), 50, 0);
    assert_double_equal(cor_vsim_value(v, S_DEATHS, -1, M(2019, 8)), 100, 0); /* a cell without a place */
    assert_double_equal(cor_vsim_value(v, S_TVRH, -1, M(2025, 2)), 0, 0);
    cor_vsim_free(v);
}

static void test_validate_synthetic(void **state)
{
    (void)state;
    cor_vsim *v = synthetic();
    cor_observed *o = load_fixture(0);
    char path[4096], err[600];
    cor_fact *f;
    int n;
    assert_int_equal(cor_facts_load(src_path(path, sizeof path, FIX "/facts.csv"), &f, &n, err, sizeof err), COR_OK);
    cor_validation r;
    assert_int_equal(cor_validate(v, o, f, n, M(2013, 1), M(2024, 11), &r, err, sizeof err), COR_OK);
    assert_int_equal(r.from, M(2019, 1)); /* clipped to the run */
    assert_int_equal(r.to, M(2021, 12));
    /* fit: sim = obs / 2 in every month of the record */
    assert_double_equal(r.encounters_mape, 0.5, 1e-15);
    assert_int_equal(r.encounters_n, 6);
    assert_double_equal(r.encounters_corr, 1, 1e-12);
    assert_double_equal(r.group_ard, 1.25, 1e-15); /* (50+40+90+140+190+240) / 100 / 6 */
    assert_int_equal(r.group_n, 6);
    assert_int_equal(r.n_enc_year, 0); /* no complete year in the record */
    /* held out: (120 + 170 + 220 + 110 + 160 + 210) / 90 / 6 */
    assert_double_equal(r.sector_ard, 990.0 / 540.0, 1e-12);
    assert_int_equal(r.sector_n, 6);
    assert_double_equal(r.sector_sim[0], 1050, 0);
    assert_double_equal(r.sector_obs[0], 300, 0);
    assert_double_equal(r.sector_obs[8], 30, 0);
    assert_double_equal(r.title42_share_error, 0.25, 1e-15);
    assert_int_equal(r.title42_n, 2);
    assert_int_equal(r.title42_usbp_n, 1);
    assert_int_equal(r.n_comar, 2);
    assert_int_equal(r.comar[0].year, 2019);
    assert_double_equal(r.comar[0].sim, 121, 0);
    assert_double_equal(r.comar[0].rel_error, 0.1, 1e-15);
    assert_double_equal(r.comar[1].rel_error, -0.5, 1e-15);
    assert_int_equal(r.n_upm, 2);
    assert_double_equal(r.upm[0].rel_error, -0.5, 1e-15);
    assert_double_equal(r.upm[1].sim, 5000, 0);
    assert_int_equal(r.n_deaths, 2);
    assert_double_equal(r.deaths[0].obs, 120, 0);
    assert_double_equal(r.deaths[0].sim_border, 60, 0);
    assert_double_equal(r.deaths[0].sim_total, 100, 0);
    assert_double_equal(r.deaths[1].sim_border, 300, 0);
    /* facts */
    static const struct {
        int evaluated, pass;
        double sim, lower, upper;
    } want[] = {
        {1, 1, 125, 75, 125},             /* the upper edge of a count is inside */
        {1, 0, 246, 75, 125},             /* tvrh + comar */
        {1, 1, 125, 60, 125},             /* range */
        {1, 0, 300, 300, NAN},            /* strictly above: equal fails */
        {1, 0, -0.5, NAN, -0.5},          /* strictly below: equal fails */
        {1, 1, 1, 0.75, 1.25},            /* San Diego doubles */
        {1, 0, -16.0 / 121, 0, NAN},      /* comar falls */
        {0, 0, NAN, NAN, NAN},            /* 2023: outside */
        {0, 0, NAN, NAN, NAN},            /* no such place */
        {0, 0, NAN, NAN, NAN},            /* no module */
    };
    assert_int_equal(r.n_facts, 10);
    for (int i = 0; i < 10; i++) {
        const cor_fact_result *x = &r.facts[i];
        if (x->evaluated != want[i].evaluated || x->pass != want[i].pass)
            fail_msg("fact %s: evaluated %d pass %d (%s)", f[i].name, x->evaluated, x->pass, x->why);
        if (!want[i].evaluated)
            continue;
        assert_double_equal(x->simulated, want[i].sim, 1e-12);
        if (isnan(want[i].lower))
            assert_true(isnan(x->lower));
        else
            assert_double_equal(x->lower, want[i].lower, 1e-12);
        if (isnan(want[i].upper))
            assert_true(isnan(x->upper));
        else
            assert_double_equal(x->upper, want[i].upper, 1e-12);
    }
    assert_string_equal(r.facts[7].why, "its months lie outside the period compared or the run");
    assert_string_equal(r.facts[8].why, "the scenario has no place 'nowhere'");
    assert_string_equal(r.facts[9].why, "no loaded module counts the series 'mpp_returned'");
    assert_int_equal(r.n_facts_evaluated, 7);
    assert_int_equal(r.n_facts_pass, 3);
    char def[400];
    cor_fact_definition(&f[5], def, sizeof def);
    assert_string_equal(def, "relative change of us_encounters (San Diego) from 2020-01 to 2020-02: (B - A) / A");
    cor_fact_definition(&f[1], def, sizeof def);
    assert_string_equal(def, "sum of tvrh_issued + comar_applications (all places) over 2019-01..2019-02");

    /* the JSON carries every key of the contract */
    cJSON *j = cor_validation_json(&r);
    assert_non_null(j);
    cJSON *fit = cJSON_GetObjectItemCaseSensitive(j, "fit"), *ho = cJSON_GetObjectItemCaseSensitive(j, "held_out");
    assert_double_equal(cJSON_GetObjectItemCaseSensitive(fit, "encounters_mape")->valuedouble, 0.5, 1e-15);
    assert_non_null(cJSON_GetObjectItemCaseSensitive(fit, "encounters_corr"));
    assert_double_equal(cJSON_GetObjectItemCaseSensitive(ho, "sector_ard")->valuedouble, 990.0 / 540.0, 1e-12);
    assert_double_equal(cJSON_GetObjectItemCaseSensitive(ho, "title42_share_error")->valuedouble, 0.25, 1e-15);
    cJSON *c19 = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(ho, "comar_by_year"), "2019");
    assert_double_equal(cJSON_GetObjectItemCaseSensitive(c19, "obs")->valuedouble, 110, 0);
    assert_true(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(ho, "upm"), "compared")));
    assert_non_null(cJSON_GetObjectItemCaseSensitive(ho, "deaths"));
    cJSON *facts = cJSON_GetObjectItemCaseSensitive(j, "facts");
    assert_int_equal(cJSON_GetArraySize(facts), 10);
    static const char *const keys[] = {"name", "source", "observed", "simulated", "tolerance", "pass"};
    for (size_t k = 0; k < sizeof keys / sizeof *keys; k++)
        assert_non_null(cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(facts, 0), keys[k]));
    cJSON *t = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(j, "targets"), "encounters_mape");
    assert_true(cJSON_IsFalse(cJSON_GetObjectItemCaseSensitive(t, "met")));
    t = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(j, "targets"), "encounters_corr");
    assert_true(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(t, "met")));
    cJSON_Delete(j);
    cor_validation_free(&r);

    /* a narrower period: annual figures and facts follow it */
    assert_int_equal(cor_validate(v, o, f, n, M(2020, 2), M(2020, 4), &r, err, sizeof err), COR_OK);
    assert_int_equal(r.encounters_n, 3);
    assert_int_equal(r.n_comar, 0); /* 2020 begins before the period */
    assert_int_equal(r.title42_n, 2);
    assert_int_equal(r.facts[0].evaluated, 0);
    assert_int_equal(r.facts[4].evaluated, 0); /* 2020-02 -> 2020-01 starts before the period */
    cor_validation_free(&r);
    assert_int_equal(cor_validate(v, o, f, n, M(2022, 1), M(2022, 12), &r, err, sizeof err), COR_EARG);
    assert_string_equal(err, "the period 2022-01..2022-12 does not overlap the run (2019-01..2021-12)");
    cor_validation_free(&r);
    cor_facts_free(f);
    cor_observed_free(o);
    cor_vsim_free(v);
}

/* ------------------------------------------ data/facts.csv and the record */

/* The record's figures written into data/facts.csv are those of data/. */
static void test_repo_facts_match_record(void **state)
{
    (void)state;
    char path[4096], err[800];
    cor_fact *f;
    int n;
    assert_int_equal(cor_facts_load(src_path(path, sizeof path, "data/facts.csv"), &f, &n, err, sizeof err), COR_OK);
    assert_true(n >= 7);
    cor_observed *o = NULL;
    if (cor_observed_load(src_path(path, sizeof path, "data"), 0, &o, err, sizeof err) != COR_OK)
        fail_msg("%s", err);
    int checked = 0;
    for (int i = 0; i < n; i++) {
        if (strcmp(f[i].series[0], "us_encounters") != 0 && strcmp(f[i].series[0], "comar_applications") != 0)
            continue;
        const int comar = strcmp(f[i].series[0], "comar_applications") == 0;
        const int s = f[i].place[0] ? cor_obs_sector_index(f[i].place) : -1;
        double a = 0, b = 0;
        if (comar) {
            a = cor_obs_year(o->comar, f[i].a0 / 12);
            b = f[i].kind >= COR_FACT_CHANGE ? cor_obs_year(o->comar, f[i].b0 / 12) : 0;
        } else {
            for (int m = f[i].a0; m <= f[i].a1; m++)
                a += cor_obs_month(s >= 0 ? o->sector[s] : o->encounters, m);
            for (int m = f[i].b0; f[i].kind >= COR_FACT_CHANGE && m <= f[i].b1; m++)
                b += cor_obs_month(s >= 0 ? o->sector[s] : o->encounters, m);
        }
        const double rec = f[i].kind >= COR_FACT_CHANGE ? (b - a) / a : a;
        if (fabs(rec - f[i].observed) > 1e-6 * fmax(1, fabs(rec)))
            fail_msg("%s: data/facts.csv says %.9g, the record gives %.9g", f[i].name, f[i].observed, rec);
        checked++;
    }
    assert_int_equal(checked, 6);
    cor_observed_free(o);
    cor_facts_free(f);
}

/* Every series and place named in data/facts.csv exists in the historical scenario. */
static void test_repo_facts_names(void **state)
{
    (void)state;
    char path[4096], err[800];
    cor_fact *f;
    int n;
    assert_int_equal(cor_facts_load(src_path(path, sizeof path, "data/facts.csv"), &f, &n, err, sizeof err), COR_OK);
    cor_scenario *sc = load_scenario("scenarios/mexico-2012-2024.yaml");
    assert_non_null(sc);
    cor_sim *sim = cor_sim_new();
    cor_options opt = {.scale = 1000};
    if (cor_sim_init(sim, sc, &opt) != COR_OK)
        fail_msg("%s", cor_sim_errmsg(sim));
    for (int i = 0; i < n; i++) {
        for (int k = 0; k < f[i].n_series; k++)
            if (cor_sim_series_id(sim, f[i].series[k]) < 0)
                fail_msg("%s: no series '%s'", f[i].name, f[i].series[k]);
        int found = !f[i].place[0];
        for (int p = 0; !found && p < cor_sim_n_places(sim); p++)
            found = strcmp(cor_sim_place_id(sim, p), f[i].place) == 0 ||
                    (strcmp(cor_sim_place_kind(sim, p), "us_sector") == 0 &&
                     strcmp(cor_sim_place_name(sim, p), f[i].place) == 0);
        if (!found)
            fail_msg("%s: no place '%s'", f[i].name, f[i].place);
    }
    /* and the nine sectors of the record are the scenario's us_sector places */
    for (int s = 0; s < COR_OBS_N_SECTORS; s++) {
        int found = 0;
        for (int p = 0; p < cor_sim_n_places(sim); p++)
            found += strcmp(cor_sim_place_kind(sim, p), "us_sector") == 0 &&
                     strcmp(cor_sim_place_name(sim, p), cor_obs_sector_names[s]) == 0;
        assert_int_equal(found, 1);
    }
    cor_sim_free(sim);
    cor_scenario_free(sc);
    cor_facts_free(f);
}

/* The real record: a few figures checked by hand against data/. */
static void test_repo_record(void **state)
{
    (void)state;
    char path[4096], err[800];
    cor_observed *o = NULL;
    if (cor_observed_load(src_path(path, sizeof path, "data"), 0, &o, err, sizeof err) != COR_OK)
        fail_msg("%s", err);
    assert_double_equal(cor_obs_month(o->encounters, M(2019, 5)), 132856, 0);
    assert_double_equal(cor_obs_month(o->sector[cor_obs_sector_index("El Paso")], M(2023, 10)), 22110, 0);
    assert_double_equal(cor_obs_month(o->sector[cor_obs_sector_index("El Paso")], M(2020, 9)), 7900, 0);
    assert_int_equal(o->sector_exact[M(2020, 9) - COR_OBS_FIRST_MONTH], 1);
    assert_int_equal(o->sector_exact[M(2020, 10) - COR_OBS_FIRST_MONTH], 0);
    /* Title 42: USBP-only from FY2022 (2022-10: 80,054 / (80,054 + 125,080)) */
    assert_double_equal(cor_obs_title42_share(o, M(2022, 10)), 80054.0 / (80054 + 125080), 1e-15);
    assert_int_equal(o->t42_usbp[M(2021, 9) - COR_OBS_FIRST_MONTH], 0);
    assert_double_equal(cor_obs_year(o->comar, 2022), 118617, 0); /* median of 104,727 118,478 118,756 119,273 */
    assert_double_equal(cor_obs_year(o->upm, 2024), 1234698, 0);
    assert_double_equal(cor_obs_year(o->deaths, 2021), 727, 0);
    assert_double_equal(cor_obs_year(o->deaths, 2022), 686, 0);
    assert_true(isnan(cor_obs_year(o->deaths, 2023)));
    cor_observed_free(o);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_mape),
        cmocka_unit_test(test_corr),
        cmocka_unit_test(test_ard),
        cmocka_unit_test(test_ard_flee_mali),
        cmocka_unit_test(test_observed_fixture),
        cmocka_unit_test(test_observed_until),
        cmocka_unit_test(test_observed_errors),
        cmocka_unit_test(test_facts_load),
        cmocka_unit_test(test_vsim),
        cmocka_unit_test(test_validate_synthetic),
        cmocka_unit_test(test_repo_facts_match_record),
        cmocka_unit_test(test_repo_facts_names),
        cmocka_unit_test(test_repo_record),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
