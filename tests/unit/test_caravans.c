/* test_caravans.c - group departures (src/migrants/caravans.c): a caravan
 * spawns on its day at its place, its members stay together every day
 * until a bed separates them, and its people are taken off the group's
 * departures that month so the month's total equals the latent demand. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <math.h>

#include "engine/calendar.h"
#include "engine/rules.h"
#include "engine/sim.h"
#include "migrants/caravans.h"
#include "test_sim.h"
#include "test_util.h"

static cor_sim *start(const cor_scenario *sc, int threads, double scale)
{
    return sim_start(sc, threads, scale, NULL, 0);
}

static int32_t day_of(const char *s)
{
    int32_t d;
    assert_int_equal(cor_parse_date(s, &d), 0);
    return d;
}

static const uint32_t *streams(const cor_sim *sim)
{
    assert_true(sim->stream_col > 0);
    return (const uint32_t *)sim->agents.cols[sim->stream_col - 1].data;
}

/* 1 if every caravan's members share place, status and link today. */
static int together(const cor_sim *sim, int n_caravans)
{
    const cor_agents *ag = &sim->agents;
    const uint32_t *st = streams(sim);
    int64_t first[16];
    for (int i = 0; i < n_caravans; i++)
        first[i] = -1;
    for (int64_t a = 0; a < ag->n; a++) {
        if (st[a] < COR_CARAVAN_STREAM0)
            continue;
        int i = (int)(st[a] - COR_CARAVAN_STREAM0);
        assert_true(i < n_caravans);
        if (first[i] < 0) {
            first[i] = a;
            continue;
        }
        int64_t f = first[i];
        if (ag->place[a] != ag->place[f] || ag->status[a] != ag->status[f] || ag->arc[a] != ag->arc[f])
            return 0;
    }
    return 1;
}

/* agents born on each day of 2020 by group, not in a caravan / in one */
typedef struct {
    int64_t regular[3][COR_N_DEMOS][366], caravan[3][COR_N_DEMOS][366];
} births;

static void count_births(const cor_sim *sim, uint8_t flag, births *b)
{
    memset(b, 0, sizeof *b);
    int32_t d0 = day_of("2020-01-01");
    const cor_agents *ag = &sim->agents;
    for (int64_t a = 0; a < ag->n; a++) {
        int t = ag->born[a] - d0;
        assert_true(t >= 0 && t < 366);
        if (ag->flags[a] & flag)
            b->caravan[ag->group[a]][ag->demo[a]][t]++;
        else
            b->regular[ag->group[a]][ag->demo[a]][t]++;
    }
}

static int64_t sum(const int64_t (*x)[COR_N_DEMOS][366], int g, int d, int32_t from, int32_t to)
{
    int32_t d0 = day_of("2020-01-01");
    int64_t s = 0;
    for (int dd = d < 0 ? 0 : d; dd < (d < 0 ? COR_N_DEMOS : d + 1); dd++)
        for (int32_t t = from - d0; t <= to - d0; t++)
            s += x[g][dd][t];
    return s;
}

static void caravans_travel_together(void **state)
{
    (void)state;
    cor_scenario *sc = load_scenario("tests/data/caravans/caravan.yaml");
    cor_scenario *sc0 = load_scenario("tests/data/caravans/control.yaml");
    assert_non_null(sc);
    assert_non_null(sc0);
    cor_sim *sim = start(sc, 2, 0), *ctl = start(sc0, 2, 0);
    uint8_t flag = cor_flag_find(sim, "caravan");
    assert_true(flag != 0);
    int arrived = cor_status_find(sim, "arrived");
    int32_t first_arrival = -1;
    while (!cor_sim_done(sim)) {
        int32_t today = cor_sim_today(sim);
        assert_int_equal(cor_sim_step(sim), COR_OK);
        assert_int_equal(cor_sim_step(ctl), COR_OK);
        assert_true(together(sim, 4));
        /* caravan 0 crosses on one day, all of it */
        const uint32_t *st = streams(sim);
        for (int64_t a = 0; a < sim->agents.n && first_arrival < 0; a++)
            if (st[a] == COR_CARAVAN_STREAM0 && sim->agents.status[a] == arrived)
                first_arrival = today;
    }
    assert_true(first_arrival > day_of("2020-03-05"));

    /* members: day, place, group, demographic split, flag */
    const cor_agents *ag = &sim->agents;
    const uint32_t *st = streams(sim);
    int gt = cor_sc_population_index(sc, "guatemala"), ve = cor_sc_population_index(sc, "venezuela");
    int n_members[4] = {0}, by[4][3][COR_N_DEMOS];
    memset(by, 0, sizeof by);
    for (int64_t a = 0; a < ag->n; a++) {
        int caravan = (ag->flags[a] & flag) != 0;
        assert_int_equal(caravan, st[a] >= COR_CARAVAN_STREAM0);
        if (!caravan)
            continue;
        int i = (int)(st[a] - COR_CARAVAN_STREAM0);
        n_members[i]++;
        by[i][ag->group[a]][ag->demo[a]]++;
        const char *day = i == 0 ? "2020-03-05" : i == 1 ? "2020-04-10" : i == 2 ? "2020-05-20" : "2020-05-25";
        assert_int_equal(ag->born[a], day_of(day));
        if (i == 0) {
            assert_int_equal(ag->status[a], arrived);
            assert_int_equal(ag->since[a], first_arrival);
        }
    }
    assert_int_equal(n_members[0], 1000);
    assert_int_equal(n_members[1], 600);
    assert_int_equal(n_members[2], 15);
    assert_int_equal(n_members[3], 15);
    /* March split of guatemala 0.6 / 0.3 / 0.1 */
    assert_int_equal(by[0][gt][0], 600);
    assert_int_equal(by[0][gt][1], 300);
    assert_int_equal(by[0][gt][2], 100);
    /* April demand 1500 (ve) : 3000 (gt) -> 200 : 400; ve split 0.5 / 0.45 / 0.05 */
    assert_int_equal(by[1][ve][0] + by[1][ve][1] + by[1][ve][2], 200);
    assert_int_equal(by[1][gt][0] + by[1][gt][1] + by[1][gt][2], 400);
    assert_int_equal(by[1][ve][1], 90);
    double v = cor_sim_series_value(sim, cor_sim_series_id(sim, "caravan_departures"),
                                    cor_sc_place_index(sc, "guatemala_city"), cor_month_of_day(day_of("2020-03-05")));
    assert_true(v == 1000);
    v = cor_sim_series_value(sim, cor_sim_series_id(sim, "caravan_departures"), cor_sc_place_index(sc, "tapachula"), -1);
    assert_true(v == 600);
    assert_int_equal(cor_sim_summary(sim, "caravan_departures", 0, &v), COR_OK);
    assert_true(v == 1630);

    /* departures: equal to the control's before the caravan, and each month's
     * total (ordinary + caravan) equals the latent demand within rounding */
    births *b = malloc(sizeof *b), *b0 = malloc(sizeof *b0);
    assert_non_null(b);
    assert_non_null(b0);
    count_births(sim, flag, b);
    count_births(ctl, flag, b0);
    for (int g = 0; g < 3; g++)
        assert_true(sum(b->regular, g, -1, day_of("2020-01-01"), day_of("2020-03-04")) ==
                    sum(b0->regular, g, -1, day_of("2020-01-01"), day_of("2020-03-04")));
    assert_true(sum(b->regular, gt, -1, day_of("2020-03-05"), day_of("2020-03-31")) <
                sum(b0->regular, gt, -1, day_of("2020-03-05"), day_of("2020-03-31")) - 900);
    const char *months[6][2] = {{"2020-01-01", "2020-01-31"}, {"2020-02-01", "2020-02-29"}, {"2020-03-01", "2020-03-31"},
                                {"2020-04-01", "2020-04-30"}, {"2020-05-01", "2020-05-31"}, {"2020-06-01", "2020-06-30"}};
    double split[3][COR_N_DEMOS] = {{0.85, 0.12, 0.03}, {0.6, 0.3, 0.1}, {0.5, 0.45, 0.05}};
    double demand[3] = {3000, 3000, 1500};
    for (int m = 0; m < 6; m++)
        for (int g = 0; g < 3; g++)
            for (int d = 0; d < COR_N_DEMOS; d++) {
                int32_t from = day_of(months[m][0]), to = day_of(months[m][1]);
                int64_t n = sum(b->regular, g, d, from, to) + sum(b->caravan, g, d, from, to);
                double want = demand[g] * split[g][d];
                if (llabs(n - llround(want)) > 15) {
                    fprintf(stderr, "month %d group %d demo %d: %lld people, latent %.0f\n", m + 1, g, d, (long long)n,
                            want);
                    fail();
                }
            }
    free(b);
    free(b0);
    cor_sim_free(sim);
    cor_sim_free(ctl);
    cor_scenario_free(sc);
    cor_scenario_free(sc0);
}

/* At 10 people per agent: 100, 60, then 1 and 2 agents (15 people = 1.5
 * agents; the half is carried to the next caravan), and each month's
 * people still add up to the latent demand. */
static void caravans_scale(void **state)
{
    (void)state;
    cor_scenario *sc = load_scenario("tests/data/caravans/caravan.yaml");
    assert_non_null(sc);
    cor_sim *sim = start(sc, 1, 10);
    assert_int_equal(cor_sim_run(sim), COR_OK);
    const uint32_t *st = streams(sim);
    int n[4] = {0};
    for (int64_t a = 0; a < sim->agents.n; a++)
        if (st[a] >= COR_CARAVAN_STREAM0)
            n[st[a] - COR_CARAVAN_STREAM0]++;
    assert_int_equal(n[0], 100);
    assert_int_equal(n[1], 60);
    assert_int_equal(n[2], 1);
    assert_int_equal(n[3], 2);
    double v;
    assert_int_equal(cor_sim_summary(sim, "caravan_departures", 0, &v), COR_OK);
    assert_true(v == 1630);
    births *b = malloc(sizeof *b);
    assert_non_null(b);
    count_births(sim, cor_flag_find(sim, "caravan"), b);
    int gt = cor_sc_population_index(sc, "guatemala");
    int64_t march = sum(b->regular, gt, -1, day_of("2020-03-01"), day_of("2020-03-31")) +
                    sum(b->caravan, gt, -1, day_of("2020-03-01"), day_of("2020-03-31"));
    assert_true(llabs(march - 300) <= 12);
    free(b);
    cor_sim_free(sim);
    cor_scenario_free(sc);
}

/* With everyone asking for a bed and about 500 of Mexico City's 1500 beds
 * free, the caravan of 1000 is split there (the check above can fail). */
static void beds_separate(void **state)
{
    (void)state;
    cor_scenario *sc = load_scenario("tests/data/caravans/beds.yaml");
    assert_non_null(sc);
    cor_sim *sim = start(sc, 2, 0);
    int split_day = -1;
    while (!cor_sim_done(sim) && split_day < 0) {
        assert_int_equal(cor_sim_step(sim), COR_OK);
        if (!together(sim, 4))
            split_day = cor_sim_today(sim) - 1;
    }
    assert_true(split_day > day_of("2020-03-05"));
    /* split in Mexico City, some in a bed and some not */
    const cor_agents *ag = &sim->agents;
    const uint32_t *st = streams(sim);
    int mc = cor_sc_place_index(sc, "mexico_city"), sheltered = cor_status_find(sim, "sheltered");
    int64_t in_bed = 0, not_in_bed = 0;
    for (int64_t a = 0; a < ag->n; a++)
        if (st[a] == COR_CARAVAN_STREAM0 && ag->place[a] == (uint32_t)mc) {
            in_bed += ag->status[a] == sheltered;
            not_in_bed += ag->status[a] != sheltered;
        }
    assert_true(in_bed > 0 && in_bed < 1000);
    assert_true(not_in_bed > 0 && in_bed + not_in_bed == 1000);
    cor_sim_free(sim);
    cor_scenario_free(sc);
}

/* Same results on 1 and 2 threads, and people conserved every day. */
static void caravans_threads(void **state)
{
    (void)state;
    cor_scenario *sc = load_scenario("tests/data/caravans/caravan.yaml");
    assert_non_null(sc);
    cor_sim *a = start(sc, 1, 0), *b = start(sc, 2, 0);
    run_lockstep_identical(a, b);
    cor_scenario_free(sc);
}

static void expect_error(const char *file, const char *msg) { expect_init_error_has(file, msg); }

static void errors(void **state)
{
    (void)state;
    expect_error("tests/data/caravans/bad_places.yaml", "tests/data/caravans/bad_places.yaml:3: timeline[0].scope.places: "
                                                        "a caravan leaves from exactly one place (got 2)");
    expect_error("tests/data/caravans/bad_groups.yaml",
                 "tests/data/caravans/bad_groups.yaml:3: timeline[0].scope.groups: no population leaves from "
                 "'tapachula': name the caravan's groups");
    expect_error("tests/data/caravans/bad_size.yaml",
                 "tests/data/caravans/bad_size.yaml:3: timeline[0].value: a caravan's size must be >= 0 people (got -5)");
    expect_error("tests/data/caravans/bad_mult.yaml",
                 "tests/data/caravans/bad_mult.yaml:3: parameters.caravans_detection_mult.value: must be >= 0 (got -1)");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(caravans_travel_together), cmocka_unit_test(caravans_scale), cmocka_unit_test(beds_separate),
        cmocka_unit_test(caravans_threads),         cmocka_unit_test(errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
