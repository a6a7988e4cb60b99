/* test_hindcast.c - `corredor hindcast` (src/analysis/hindcast.h): the
 * baselines and scores on hand-computed values, the seasonal index, the
 * error messages, and the no-peeking property: altering every raw data row
 * after --train-until leaves the forecast bit-identical (and changes the
 * scores).  Short, coarse setup: tests/data/hindcast/short.yaml (2017-10 ..
 * 2019-12), scale 1000, a 1-round calibration with few evaluations. */
#include <dirent.h>
#include <errno.h>
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

#include "analysis/hindcast.h"
#include "data/demand.h"
#include "scenario/scenario.h"
#include "test_util.h"

#define M(y, m) ((y) * 12 + (m) - 1)

/* ------------------------------------------------------------ pieces */

static void test_baselines(void **state)
{
    (void)state;
    /* record 2018-01 .. 2019-12: value = 1000 + month number (1..24) */
    double rec[24];
    for (int i = 0; i < 24; i++)
        rec[i] = 1000 + i + 1;
    rec[13] = NAN; /* 2019-02 missing */
    double pers[14], seas[14];
    /* trained to 2018-12, 14 months ahead: 2019-01 .. 2020-02 */
    cor_hc_baselines(rec, M(2018, 1), 24, M(2018, 12), M(2019, 1), 14, pers, seas);
    for (int i = 0; i < 14; i++)
        assert_true(pers[i] == 1012);
    assert_true(seas[0] == 1001);   /* 2019-01 <- 2018-01 */
    assert_true(seas[5] == 1006);   /* 2019-06 <- 2018-06 */
    assert_true(seas[11] == 1012);  /* 2019-12 <- 2018-12 */
    assert_true(seas[12] == 1001);  /* 2020-01 <- 2018-01 (2019-01 is after the cut) */
    assert_true(seas[13] == 1002);  /* 2020-02 <- 2018-02 */
    /* trained to 2019-03: persistence is 2019-03; 2019-02 is missing -> NAN */
    cor_hc_baselines(rec, M(2018, 1), 24, M(2019, 3), M(2020, 2), 2, pers, seas);
    assert_true(pers[0] == 1015 && pers[1] == 1015);
    assert_true(isnan(seas[0]));    /* 2020-02 <- 2019-02, missing */
    assert_true(seas[1] == 1015);   /* 2020-03 <- 2019-03 */
    /* outside the record -> NAN */
    cor_hc_baselines(rec, M(2018, 1), 24, M(2017, 12), M(2018, 1), 1, pers, seas);
    assert_true(isnan(pers[0]) && isnan(seas[0]));
}

static void test_scores(void **state)
{
    (void)state;
    const double f[4] = {1, 2, 3, 10}, obs[4] = {2, NAN, 6, 0};
    /* |1-2| + |3-6| + |10-0| over 3 months */
    assert_float_equal(cor_hc_mae(f, obs, 4), 14.0 / 3.0, 1e-12);
    /* (1/2 + 3/6) / 2: the zero month is left out of MAPE */
    assert_float_equal(cor_hc_mape(f, obs, 4), 0.5, 1e-12);
    const double lo[4] = {1, 0, 7, 0}, hi[4] = {3, 9, 9, 0};
    /* 2 in [1,3] yes; 6 in [7,9] no; 0 in [0,0] yes -> 2 of 3 */
    assert_float_equal(cor_hc_coverage(lo, hi, obs, 4), 2.0 / 3.0, 1e-12);
    const double none[2] = {NAN, NAN};
    assert_true(isnan(cor_hc_mae(f, none, 2)));
    assert_true(isnan(cor_hc_coverage(lo, hi, none, 2)));
    double x[4] = {3, 1, 2, 4};
    assert_float_equal(cor_hc_quantile(x, 4, 0.5), 2.5, 1e-12);
    double y[4] = {3, 1, 2, 4};
    assert_float_equal(cor_hc_quantile(y, 4, 0.05), 1.15, 1e-12);   /* 1 + 0.15 * (2 - 1) */
    double z[4] = {3, 1, 2, 4};
    assert_float_equal(cor_hc_quantile(z, 4, 0.95), 3.85, 1e-12);
}

static void test_season(void **state)
{
    (void)state;
    /* four years from January, June 20% above the other months: the
     * centred 2x12 average is flat (100 + 20/12), so the index is 1.2 and
     * 1.0 over it, normalised to mean 1: 1.2 / (12.2/12) and 1 / (12.2/12) */
    double y[48], idx[12];
    for (int t = 0; t < 48; t++)
        y[t] = t % 12 == 5 ? 120 : 100;
    assert_int_equal(cor_hc_season(y, M(2015, 1), 48, idx), 0);
    for (int c = 0; c < 12; c++)
        assert_float_equal(idx[c], (c == 5 ? 1.2 : 1.0) * 12 / 12.2, 1e-12);
    /* starting in July: calendar months follow the month index */
    assert_int_equal(cor_hc_season(y + 6, M(2015, 7), 42, idx), 0);
    assert_float_equal(idx[5], 1.2 * 12 / 12.2, 1e-12);
    /* no departures in March of every year: no usable index */
    for (int t = 0; t < 48; t++)
        y[t] = t % 12 == 2 ? 0 : 100;
    assert_int_equal(cor_hc_season(y, M(2015, 1), 48, idx), -1);
    /* 20 months give at most one ratio for most calendar months */
    assert_int_equal(cor_hc_season(y, M(2015, 1), 20, idx), -1);
}

/* ------------------------------------------------------------ hindcasts */

static cor_hc_options short_opts(const char *work)
{
    static char deriv[4096];
    src_path(deriv, sizeof deriv, "scenarios/corridor/derivation.yaml");
    cor_hc_options o = {.train_until = M(2019, 3),
                        .horizon = 3,
                        .scale = 1000,
                        .threads = 1,
                        .runs = 4,
                        .derivation = deriv,
                        .work_dir = work,
                        .cal_reps = 1,
                        .cal_max_evals = 8,
                        .cal_rounds = 1,
                        .cal_demand_iters = 3,
                        .cal_no_interval = 1};
    return o;
}

static int expect_error(const char *scen_rel, int until, int horizon, const char *msg)
{
    char scen[4096], data[4096], work[4096];
    src_path(scen, sizeof scen, scen_rel);
    src_path(data, sizeof data, "data");
    tmp_path(work, sizeof work, "hindcast-err");
    cor_hc_options o = short_opts(work);
    o.data_dir = data;
    o.train_until = until;
    o.horizon = horizon;
    cor_hindcast *h = NULL;
    const int rc = cor_hindcast_run(scen, &o, &h);
    assert_non_null(h);
    if (strcmp(h->errmsg, msg) != 0)
        fprintf(stderr, "expected '%s'\n     got '%s'\n", msg, h->errmsg);
    assert_string_equal(h->errmsg, msg);
    cor_hindcast_free(h);
    return rc;
}

static void test_errors(void **state)
{
    (void)state;
    int m;
    assert_int_equal(cor_cal_parse_month("2019-13", &m), -1);
    assert_int_equal(cor_cal_parse_month("2019-6", &m), -1);
    assert_int_equal(cor_cal_parse_month("2019-06", &m), 0);
    assert_int_equal(m, M(2019, 6));
    assert_int_equal(expect_error("tests/data/hindcast/short.yaml", M(2017, 5), 3,
                                  "--train-until 2017-05 is before the scenario's start (2017-10)"),
                     COR_EARG);
    assert_int_equal(expect_error("tests/data/hindcast/short.yaml", M(2018, 3), 3,
                                  "--train-until 2018-03 leaves 6 training months after the scenario's start (2017-10); "
                                  "at least 12 are needed"),
                     COR_EARG);
    assert_int_equal(expect_error("tests/data/hindcast/short.yaml", M(2019, 10), 6,
                                  "--horizon 6 from 2019-10 ends in 2020-04, after the scenario's last full month "
                                  "(2019-12)"),
                     COR_EARG);
    assert_int_equal(expect_error("tests/data/hindcast/short.yaml", M(2019, 3), 0,
                                  "--horizon 0: expected 1 to 36 months"),
                     COR_EARG);
    assert_int_equal(expect_error("tests/data/hindcast/long.yaml", M(2024, 11), 12,
                                  "--horizon 12 from 2024-11 ends in 2025-11, after the last month of the encounter "
                                  "record (2025-08)"),
                     COR_EARG);
    assert_int_equal(expect_error("tests/data/hindcast/long.yaml", M(2025, 1), 3,
                                  "--train-until 2025-01 is after the last month of the encounter record by group "
                                  "(2024-11)"),
                     COR_EARG);
}

/* --- altering the data after the cut */

static const char *const cut_files[] = {
    "ohss_usbp_sw_monthly_by_citizenship_group_fy2000_fy2025.csv",
    "ohss_usbp_encounters_monthly_by_region_citizenship_fy2000_fy2025.csv",
    "ohss_usbp_encounters_monthly_by_region_family_status_fy2000_fy2025.csv",
    "cbp_sw_land_border_encounters_fy2020_fy2023_by_state_title_citizenship_allcomponents.csv",
    "cbp_sw_land_border_encounters_fy2022_fy2025aug_by_component_title_citizenship.csv",
    "mexico_upm_inm_enforcement_by_nationality_as_reported.csv",
    "usbp_sw_monthly_total_best_fy2000_fy2025.csv",
};

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    const long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *b = malloc((size_t)n + 1);
    if (b && fread(b, 1, (size_t)n, f) != (size_t)n) {
        free(b);
        b = NULL;
    }
    fclose(f);
    if (b)
        b[n] = '\0', *len = (size_t)n;
    return b;
}

#define MAXF 32

/* Split one CSV record at s (quotes honoured) into fields[] (pointers into
 * a copy); returns the position after the record's line end. */
static const char *record(const char *s, char *buf, char **fields, int *nf)
{
    int q = 0;
    char *o = buf;
    *nf = 0;
    fields[(*nf)++] = o;
    for (; *s; s++) {
        if (*s == '"')
            q = !q;
        if (!q && *s == ',') {
            *o++ = '\0';
            if (*nf < MAXF)
                fields[(*nf)++] = o;
            continue;
        }
        if (!q && *s == '\n') {
            s++;
            break;
        }
        *o++ = *s;
    }
    *o = '\0';
    return s;
}

static int all_digits(const char *s)
{
    if (!*s)
        return 0;
    for (; *s; s++)
        if (*s < '0' || *s > '9')
            return 0;
    return 1;
}

/* Copy src to dst; every row of a month after `until` (column "month"
 * YYYY-MM, or "period_label" starting with a year whose January is after
 * the cut) gets each integer field except fiscal_year/year times 3.
 * Returns the number of rows altered. */
static int alter_file(const char *src, const char *dst, int until)
{
    size_t len;
    char *text = slurp(src, &len);
    assert_non_null(text);
    char *buf = malloc(len + 1);
    FILE *out = fopen(dst, "wb");
    assert_non_null(buf);
    assert_non_null(out);
    char *fields[MAXF], hdr[MAXF][64];
    int nf, nh = 0, mcol = -1, pcol = -1, altered = 0;
    const char *s = text;
    s = record(s, buf, fields, &nf);
    for (int i = 0; i < nf; i++) {
        snprintf(hdr[i], sizeof hdr[i], "%s", fields[i]);
        if (strcmp(fields[i], "month") == 0)
            mcol = i;
        if (strcmp(fields[i], "period_label") == 0)
            pcol = i;
        fprintf(out, "%s%s", i ? "," : "", fields[i]);
    }
    nh = nf;
    fprintf(out, "\n");
    assert_true(mcol >= 0 || pcol >= 0);
    while (*s) {
        s = record(s, buf, fields, &nf);
        int after = 0, y, mo;
        if (mcol >= 0 && mcol < nf && sscanf(fields[mcol], "%d-%d", &y, &mo) == 2)
            after = M(y, mo) > until;
        if (pcol >= 0 && pcol < nf && sscanf(fields[pcol], "%d", &y) == 1)
            after = M(y, 1) > until;
        altered += after;
        for (int i = 0; i < nf; i++) {
            fprintf(out, "%s", i ? "," : "");
            const int skip = i == mcol || i == pcol ||
                             (i < nh && (strcmp(hdr[i], "fiscal_year") == 0 || strcmp(hdr[i], "year") == 0));
            if (after && !skip && all_digits(fields[i]))
                fprintf(out, "%lld", 3 * atoll(fields[i]));
            else
                fprintf(out, "%s", fields[i]);
        }
        fprintf(out, "\n");
    }
    assert_int_equal(fclose(out), 0);
    free(buf), free(text);
    return altered;
}

/* mkdir -p */
static void make_dirs(const char *dir)
{
    char p[4096];
    snprintf(p, sizeof p, "%s", dir);
    for (char *s = p + 1; *s; s++)
        if (*s == '/') {
            *s = '\0';
            mkdir(p, 0777);
            *s = '/';
        }
    mkdir(p, 0777);
}

static void copy_data(const char *src, const char *dst, int until)
{
    make_dirs(dst);
    DIR *d = opendir(src);
    assert_non_null(d);
    struct dirent *e;
    int n_altered_files = 0;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.')
            continue;
        char a[4400], b[4400];
        snprintf(a, sizeof a, "%s/%s", src, e->d_name);
        snprintf(b, sizeof b, "%s/%s", dst, e->d_name);
        int alter = 0;
        for (size_t i = 0; i < sizeof cut_files / sizeof *cut_files; i++)
            alter |= strcmp(e->d_name, cut_files[i]) == 0;
        if (alter) {
            assert_true(alter_file(a, b, until) > 0);
            n_altered_files++;
        } else {
            size_t len;
            char *t = slurp(a, &len);
            if (!t)
                continue; /* not a regular file */
            FILE *f = fopen(b, "wb");
            assert_non_null(f);
            assert_int_equal(fwrite(t, 1, len, f), len);
            fclose(f);
            free(t);
        }
    }
    closedir(d);
    assert_int_equal(n_altered_files, (int)(sizeof cut_files / sizeof *cut_files));
}

static cor_hindcast *run_short(const char *data, const char *work, int threads)
{
    char scen[4096];
    src_path(scen, sizeof scen, "tests/data/hindcast/short.yaml");
    make_dirs(work);
    cor_hc_options o = short_opts(work);
    o.data_dir = data;
    o.threads = threads;
    cor_hindcast *h = NULL;
    const int rc = cor_hindcast_run(scen, &o, &h);
    if (rc != COR_OK)
        fprintf(stderr, "hindcast: %s\n", h ? h->errmsg : "out of memory");
    assert_int_equal(rc, COR_OK);
    return h;
}

/* The derivation without a cut sees the alteration (so it touched what
 * matters); with the cut it does not. */
static void check_derivation(const char *a, const char *b, int until)
{
    char deriv[4096];
    cor_scenario *frag = NULL;
    assert_int_equal(cor_scenario_load_fragment(src_path(deriv, sizeof deriv, "scenarios/corridor/derivation.yaml"), &frag),
                     COR_OK);
    cor_demand_params p;
    char err[512];
    assert_int_equal(cor_demand_params_from_scenario(frag, &p, err, sizeof err), COR_OK);
    cor_scenario_free(frag);
    for (int cut = 0; cut < 2; cut++) {
        cor_demand *da = cor_demand_new(), *db = cor_demand_new();
        cor_demand_options o = {.until = cut ? until : 0};
        assert_int_equal(cor_demand_derive(da, a, &p, &o), COR_OK);
        assert_int_equal(cor_demand_derive(db, b, &p, &o), COR_OK);
        assert_int_equal(da->n_months, db->n_months);
        const size_t n = (size_t)COR_DG_N * (size_t)da->n_months * COR_N_DEMOS;
        const int same = memcmp(da->people, db->people, n * sizeof(double)) == 0;
        assert_int_equal(same, cut);
        cor_demand_free(da), cor_demand_free(db);
    }
}

static void test_no_peeking(void **state)
{
    (void)state;
    char data[4096], alt[4096], wa[4096], wb[4096];
    src_path(data, sizeof data, "data");
    tmp_path(alt, sizeof alt, "hindcast-data-altered");
    tmp_path(wa, sizeof wa, "hindcast-a");
    tmp_path(wb, sizeof wb, "hindcast-b");
    const int until = M(2019, 3);
    copy_data(data, alt, until);
    check_derivation(data, alt, until);

    cor_hindcast *a = run_short(data, wa, 1);
    cor_hindcast *b = run_short(alt, wb, 2); /* also: results do not depend on threads */
    assert_int_equal(a->n, 3);
    assert_int_equal(a->month0, M(2019, 4));
    assert_int_equal(a->n_runs, 4);
    /* the forecast: bit-identical */
    assert_memory_equal(a->runs, b->runs, (size_t)a->n_runs * (size_t)a->n * sizeof(double));
    assert_memory_equal(a->median, b->median, (size_t)a->n * sizeof(double));
    assert_memory_equal(a->p5, b->p5, (size_t)a->n * sizeof(double));
    assert_memory_equal(a->p95, b->p95, (size_t)a->n * sizeof(double));
    assert_true(a->sigma == b->sigma);
    assert_int_equal(a->calib->n_params, b->calib->n_params);
    for (int i = 0; i < a->calib->n_params; i++)
        assert_true(a->calib->params[i].value == b->calib->params[i].value);
    for (int g = 0; g < a->n_groups; g++) {
        assert_int_equal(a->groups[g].last_well, b->groups[g].last_well);
        assert_memory_equal(a->groups[g].level, b->groups[g].level, sizeof a->groups[g].level);
    }
    /* the baselines' training value too; the record after the cut differs */
    assert_true(a->last_obs == b->last_obs);
    assert_memory_equal(a->persistence, b->persistence, (size_t)a->n * sizeof(double));
    for (int i = 0; i < a->n; i++) {
        assert_true(a->median[i] > 0);
        assert_true(a->p5[i] <= a->median[i] && a->median[i] <= a->p95[i]);
        assert_float_equal(b->observed[i], 3 * a->observed[i], 1e-9);
    }
    /* the scores differ */
    assert_true(a->mae_model != b->mae_model);
    assert_true(a->mae_persistence != b->mae_persistence);
    assert_true(a->mape_model != b->mape_model);
    /* observed 2019-04..06 in the record (usbp_sw_monthly_total_best) */
    assert_float_equal(a->observed[0], 99273, 0);
    assert_float_equal(a->observed[1], 132856, 0);
    assert_float_equal(a->observed[2], 94902, 0);
    assert_float_equal(a->last_obs, 92833, 0);   /* 2019-03 */
    /* write: hindcast.json and forecast.csv */
    assert_int_equal(cor_hindcast_write(a, wa), COR_OK);
    char p[4200];
    snprintf(p, sizeof p, "%s/forecast.csv", wa);
    size_t len;
    char *csv = slurp(p, &len);
    assert_non_null(csv);
    assert_true(strncmp(csv, "month,observed,model_median,model_p5,model_p95,persistence,seasonal\n2019-04,99273.00,", 84) ==
                0);
    free(csv);
    snprintf(p, sizeof p, "%s/hindcast.json", wa);
    char *js = slurp(p, &len);
    assert_non_null(js);
    assert_non_null(strstr(js, "\"mae_model\""));
    assert_non_null(strstr(js, "\"coverage_5_95\""));
    assert_non_null(strstr(js, "\"train_until\":\t\"2019-03\""));
    free(js);
    cor_hindcast_free(a);
    cor_hindcast_free(b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_baselines),
        cmocka_unit_test(test_scores),
        cmocka_unit_test(test_season),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_no_peeking),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
