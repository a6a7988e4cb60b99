/* test_scenario.c - the scenario loader: a complete scenario (values,
 * defaults, resolved indices, demand from inline and both CSV layouts,
 * positions, hash), base overlays and removes, timeline replacement,
 * --params overlays, fragments, and one exact message per kind of error.
 * Fixtures: tests/data/scenario/ (their line numbers are asserted here). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <math.h>
#include <xxhash.h>

#include "scenario/scenario.h"
#include "test_util.h"

#define DIR "tests/data/scenario/"

static const char *fixture(char *buf, size_t n, const char *name)
{
    char rel[512];
    snprintf(rel, sizeof rel, DIR "%s", name);
    return src_path(buf, n, rel);
}

static cor_scenario *must_load(const char *name)
{
    char path[4096];
    cor_scenario *sc = NULL;
    int rc = cor_scenario_load(fixture(path, sizeof path, name), &sc);
    if (rc)
        fprintf(stderr, "%s\n", cor_scenario_errmsg(sc));
    assert_int_equal(rc, COR_OK);
    assert_non_null(sc);
    return sc;
}

/* XXH3-128 of `text` (may be NULL) followed by the bytes of the given files. */
static XXH128_hash_t hash_of(const char *text, char *const *files, int n)
{
    XXH3_state_t *st = XXH3_createState();
    assert_non_null(st);
    XXH3_128bits_reset(st);
    if (text)
        XXH3_128bits_update(st, text, strlen(text));
    for (int i = 0; i < n; i++) {
        FILE *f = fopen(files[i], "rb");
        assert_non_null(f);
        char buf[4096];
        size_t got;
        while ((got = fread(buf, 1, sizeof buf, f)) > 0)
            XXH3_128bits_update(st, buf, got);
        fclose(f);
    }
    XXH128_hash_t h = XXH3_128bits_digest(st);
    XXH3_freeState(st);
    return h;
}

static XXH128_hash_t hash_files(char *const *files, int n)
{
    return hash_of(NULL, files, n);
}

static const char *ends_with(const char *s, const char *suffix)
{
    size_t a = strlen(s), b = strlen(suffix);
    return a >= b && strcmp(s + a - b, suffix) == 0 ? s : NULL;
}

/* ------------------------------------------------------------- good scenario */

static void good_meta_and_parameters(void **state)
{
    (void)state;
    cor_scenario *sc = must_load("good.yaml");
    assert_string_equal(cor_scenario_name(sc), "good_test");
    assert_string_equal(sc->description, "fixture: a complete small scenario");
    assert_int_equal(sc->start, 15614);          /* 2012-10-01 */
    assert_int_equal(sc->end, 15795);            /* 2013-03 as an end: 2013-03-31 */
    assert_true(sc->seed == UINT64_MAX);
    assert_true(sc->scale == 10);
    assert_string_equal(sc->rules, "corridor"); /* default */
    assert_int_equal(sc->start_pos.line, 6);
    assert_int_equal(sc->end_pos.line, 7);

    assert_int_equal(sc->n_params, 3);
    const cor_sc_param *p = cor_sc_param_find(sc, "speed_bus");
    assert_non_null(p);
    assert_true(p->value == 450);
    assert_int_equal(p->prov, COR_PROV_SOURCE);
    assert_string_equal(p->source, "test value");
    assert_int_equal(p->pos.line, 12);
    p = cor_sc_param_find(sc, "detour_road");
    assert_int_equal(p->prov, COR_PROV_CALIBRATED);
    assert_true(p->value == 1.3 && p->lo == 1.0 && p->hi == 2.0);
    assert_null(p->source);
    p = cor_sc_param_find(sc, "border_wait_days");
    assert_int_equal(p->prov, COR_PROV_ASSUMED);
    assert_true(p->lo == 2 && p->hi == 60);
    assert_string_equal(p->note, "free text");
    assert_null(cor_sc_param_find(sc, "speed_foot"));
    cor_scenario_free(sc);
}

static void good_places_and_links(void **state)
{
    (void)state;
    cor_scenario *sc = must_load("good.yaml");
    assert_int_equal(sc->n_places, 4);
    const cor_sc_place *a = &sc->places[0], *b = &sc->places[1], *g = &sc->places[2], *d = &sc->places[3];
    assert_string_equal(a->id, "alpha");
    assert_string_equal(a->name, "Alpha City");
    assert_string_equal(a->country, "HN");
    assert_string_equal(a->source, "fictional");
    assert_int_equal(a->kind, COR_KIND_ORIGIN);
    assert_true(a->lat == 15.5 && a->lon == -88.0);
    assert_int_equal(a->capacity, -1);
    assert_string_equal(b->name, "beta"); /* name defaults to the id */
    assert_null(b->country);
    assert_true(b->lat == -14.1 && b->lon == 87.2);
    assert_int_equal(g->kind, COR_KIND_SHELTER);
    assert_int_equal(g->capacity, 850);
    assert_int_equal(d->kind, COR_KIND_US_SECTOR);
    /* positions: the line of the item, its index in the file */
    assert_true(ends_with(g->pos.file, DIR "good.yaml") != NULL);
    assert_int_equal(g->pos.line, 35);
    assert_int_equal(g->index, 2);
    assert_int_equal(d->pos.line, 42);
    assert_int_equal(cor_sc_place_index(sc, "gamma"), 2);
    assert_int_equal(cor_sc_place_index(sc, "omega"), -1);

    assert_int_equal(sc->n_links, 4);
    const cor_sc_link *l = sc->links;
    assert_string_equal(l[0].id, "alpha-gamma");
    assert_string_equal(l[1].id, "beta-gamma");
    assert_string_equal(l[2].id, "alpha-gamma-foot"); /* "alpha-gamma" was taken */
    assert_string_equal(l[3].id, "north");
    assert_int_equal(l[0].from, 0);
    assert_int_equal(l[0].to, 2);
    assert_int_equal(l[1].from, 1);
    assert_int_equal(l[3].from, 2);
    assert_int_equal(l[3].to, 3);
    assert_int_equal(l[0].mode, COR_MODE_BUS);
    assert_int_equal(l[1].mode, COR_MODE_ROAD);
    assert_int_equal(l[2].mode, COR_MODE_FOOT);
    assert_int_equal(l[3].mode, COR_MODE_RAIL);
    assert_true(l[0].km == 500 && l[0].risk == 0.2 && l[0].weight == 2);
    assert_string_equal(l[0].source, "test");
    assert_true(l[1].km < 0 && l[1].risk == 0 && l[1].weight == 1); /* defaults */
    assert_int_equal(l[1].oneway, 0);
    assert_int_equal(l[2].oneway, 1);
    assert_int_equal(l[3].pos.line, 48);
    assert_int_equal(l[3].from_line, 49);
    assert_int_equal(l[3].to_line, 50);
    assert_int_equal(l[3].index, 3);
    assert_int_equal(cor_sc_link_index(sc, "alpha-gamma-foot"), 2);
    assert_int_equal(cor_sc_link_index(sc, "gamma-alpha"), -1);
    cor_scenario_free(sc);
}

static void good_populations(void **state)
{
    (void)state;
    cor_scenario *sc = must_load("good.yaml");
    const int oct2012 = 2012 * 12 + 9;
    assert_int_equal(sc->n_populations, 3);

    const cor_sc_population *p = &sc->populations[0];
    assert_string_equal(p->name, "Inline");
    assert_int_equal(p->n_origins, 2);
    assert_int_equal(p->origins[0].place, 0);
    assert_int_equal(p->origins[1].place, 1);
    assert_true(fabs(p->origins[0].share - 0.75) < 1e-12); /* 3:1 normalised */
    assert_true(fabs(p->origins[1].share - 0.25) < 1e-12);
    assert_int_equal(p->origins[1].line, 58);
    /* inline {2012-10: 1000, 2012-12: 200} split 0.5 / 0.3 / 0.2; November empty */
    assert_int_equal(p->demand_month0, oct2012);
    assert_int_equal(p->n_months, 3);
    const double want_inline[9] = {500, 300, 200, 0, 0, 0, 100, 60, 40};
    for (int i = 0; i < 9; i++)
        assert_true(fabs(p->demand[i] - want_inline[i]) < 1e-9);
    assert_string_equal(p->source, "test");

    /* month,people CSV split {single_adults: 1}; the share defaults to 1 */
    p = &sc->populations[1];
    assert_string_equal(p->name, "pop_people");
    assert_true(p->origins[0].share == 1);
    assert_int_equal(p->demand_month0, oct2012);
    assert_int_equal(p->n_months, 2);
    const double want_people[6] = {100, 0, 0, 200.5, 0, 0};
    for (int i = 0; i < 6; i++)
        assert_true(p->demand[i] == want_people[i]);

    /* demographic CSV (BOM, CRLF, blank line, spaces in the header), gap in Nov-Dec */
    p = &sc->populations[2];
    assert_int_equal(p->demand_month0, oct2012);
    assert_int_equal(p->n_months, 4);
    const double want_demos[12] = {10, 20, 30, 0, 0, 0, 0, 0, 0, 1, 2, 3};
    for (int i = 0; i < 12; i++)
        assert_true(p->demand[i] == want_demos[i]);
    assert_int_equal(p->index, 2);
    assert_int_equal(p->pos.line, 66);
    assert_int_equal(cor_sc_population_index(sc, "pop_demos"), 2);
    assert_int_equal(cor_sc_population_index(sc, "pop_none"), -1);
    cor_scenario_free(sc);
}

static void good_timeline_files_hash(void **state)
{
    (void)state;
    cor_scenario *sc = must_load("good.yaml");
    assert_int_equal(sc->n_timeline, 2);
    const cor_sc_lever *l = &sc->timeline[0];
    assert_string_equal(l->id, "closure");
    assert_string_equal(l->lever, "place_closed");
    assert_true(l->value == 1);
    assert_int_equal(l->start, 15649);          /* 2012-11-05 */
    assert_int_equal(l->end, 15674);            /* 2012-11 as an end: 2012-11-30 */
    assert_int_equal(l->scope.n_places, 1);
    assert_int_equal(l->scope.places[0], 2);
    assert_int_equal(l->scope.n_links, 2);
    assert_int_equal(l->scope.links[0], 0);
    assert_int_equal(l->scope.links[1], 3);
    assert_string_equal(l->scope.link_ids[1], "north");
    assert_int_equal(l->scope.link_lines[1], 77);
    assert_int_equal(l->scope.n_groups, 1);
    assert_int_equal(l->scope.groups[0], 1);
    assert_int_equal(l->scope.demo_mask, (1u << COR_DEMO_FAMILY) | (1u << COR_DEMO_UAC));
    assert_string_equal(l->source, "test");
    l = &sc->timeline[1];
    assert_null(l->id);
    assert_int_equal(l->start, 15706);          /* 2013-01 as a start: 2013-01-01 */
    assert_int_equal(l->end, INT32_MAX);
    assert_int_equal(l->scope.n_places + l->scope.n_links + l->scope.n_groups, 0);
    assert_int_equal(l->scope.demo_mask, 0);
    assert_int_equal(l->pos.line, 82);
    assert_int_equal(l->index, 1);

    /* every file read, in reading order, and the hash of their bytes */
    assert_int_equal(sc->n_files, 3);
    assert_non_null(ends_with(sc->files[0], DIR "good.yaml"));
    assert_non_null(ends_with(sc->files[1], DIR "demand_people.csv"));
    assert_non_null(ends_with(sc->files[2], DIR "csv/demand_demos.csv"));
    XXH128_hash_t h = hash_files(sc->files, sc->n_files);
    assert_true(sc->hash_lo == h.low64 && sc->hash_hi == h.high64);
    assert_string_equal(cor_scenario_errmsg(sc), "");
    cor_scenario_free(sc);
}

/* ------------------------------------------------------------------ overlays */

static void base_overlay_and_remove(void **state)
{
    (void)state;
    cor_scenario *sc = must_load("over.yaml");
    assert_string_equal(sc->name, "over_test");                       /* meta per key */
    assert_string_equal(sc->description, "fixture: a complete small scenario");
    assert_int_equal(sc->start, 15614);
    assert_int_equal(sc->end, 15886);
    assert_non_null(ends_with(sc->end_pos.file, "over.yaml"));
    assert_int_equal(sc->end_pos.line, 5);

    assert_int_equal(sc->n_params, 4);                                 /* by name */
    const cor_sc_param *p = cor_sc_param_find(sc, "speed_bus");
    assert_true(p->value == 500 && p->prov == COR_PROV_ASSUMED && p->lo == 400 && p->hi == 600);
    assert_null(p->source);
    assert_non_null(ends_with(p->pos.file, "over.yaml"));
    assert_true(cor_sc_param_find(sc, "extra")->value == 1);

    assert_int_equal(sc->n_places, 5);                                 /* replace in place, add */
    assert_string_equal(sc->places[2].id, "gamma");
    assert_int_equal(sc->places[2].kind, COR_KIND_TRANSIT);
    assert_int_equal(sc->places[2].capacity, -1);
    assert_string_equal(sc->places[4].id, "epsilon");

    assert_int_equal(sc->n_links, 4);                                  /* remove, replace, add */
    assert_string_equal(sc->links[0].id, "alpha-gamma");
    assert_string_equal(sc->links[1].id, "beta-gamma");
    assert_string_equal(sc->links[2].id, "north");
    assert_int_equal(sc->links[2].mode, COR_MODE_BUS);
    assert_int_equal(sc->links[2].to, 4);
    assert_string_equal(sc->links[3].id, "delta-epsilon");
    assert_int_equal(sc->links[3].from, 3);
    assert_int_equal(cor_sc_link_index(sc, "alpha-gamma-foot"), -1);

    assert_int_equal(sc->n_populations, 2);
    assert_int_equal(cor_sc_population_index(sc, "pop_demos"), -1);

    assert_int_equal(sc->n_files, 4);                                  /* the overlay first */
    assert_non_null(ends_with(sc->files[0], "over.yaml"));
    assert_non_null(ends_with(sc->files[1], "good.yaml"));
    XXH128_hash_t h = hash_files(sc->files, sc->n_files);
    assert_true(sc->hash_lo == h.low64 && sc->hash_hi == h.high64);
    cor_scenario_free(sc);
}

static void timeline_replace_and_append(void **state)
{
    (void)state;
    cor_scenario *sc = must_load("over.yaml");
    assert_int_equal(sc->n_timeline, 3);
    /* "closure" replaced where it was (over.yaml lists it second) */
    assert_string_equal(sc->timeline[0].id, "closure");
    assert_true(sc->timeline[0].value == 0);
    assert_int_equal(sc->timeline[0].start, 15737);
    assert_int_equal(sc->timeline[0].end, INT32_MAX);
    assert_int_equal(sc->timeline[0].scope.n_places, 0);
    assert_int_equal(sc->timeline[0].index, 1);
    assert_non_null(ends_with(sc->timeline[0].pos.file, "over.yaml"));
    /* the base's entry stays, the new one is appended after it */
    assert_true(sc->timeline[1].value == 0.5);
    assert_non_null(ends_with(sc->timeline[1].pos.file, "good.yaml"));
    assert_true(sc->timeline[2].value == 0.7);
    assert_int_equal(sc->timeline[2].start, 15796);
    assert_int_equal(sc->timeline[2].index, 0);
    cor_scenario_free(sc);
}

static void remove_timeline_and_links(void **state)
{
    (void)state;
    char name[4096];
    static const char text[] = "base: good.yaml\n"
                               "remove:\n"
                               "  timeline: [closure]\n"
                               "  links: [north, alpha-gamma]\n"
                               "  places: [delta]\n"
                               "links:\n"
                               "  - {from: alpha, to: gamma, mode: river}\n";
    cor_scenario *sc = NULL;
    fixture(name, sizeof name, "in_memory.yaml");
    int rc = cor_scenario_load_mem(name, text, strlen(text), &sc);
    if (rc)
        fprintf(stderr, "%s\n", cor_scenario_errmsg(sc));
    assert_int_equal(rc, COR_OK);
    assert_int_equal(sc->n_timeline, 1);
    assert_null(sc->timeline[0].id);
    assert_int_equal(sc->n_places, 3);
    /* removed first, then the file's own link (default id alpha-gamma) is added */
    assert_int_equal(sc->n_links, 3);
    assert_string_equal(sc->links[0].id, "beta-gamma");
    assert_string_equal(sc->links[1].id, "alpha-gamma-foot");
    assert_string_equal(sc->links[2].id, "alpha-gamma");
    assert_int_equal(sc->links[2].mode, COR_MODE_RIVER);
    assert_string_equal(sc->links[2].pos.file, name);
    assert_int_equal(sc->links[2].pos.line, 7);
    cor_scenario_free(sc);
}

static void params_overlay(void **state)
{
    (void)state;
    char path[4096], msg[20000];
    cor_scenario *sc = must_load("good.yaml");
    uint64_t lo = sc->hash_lo;
    assert_int_equal(cor_scenario_overlay(sc, fixture(path, sizeof path, "params.yaml")), COR_OK);
    const cor_sc_param *p = cor_sc_param_find(sc, "border_wait_days");
    assert_true(p->value == 20);
    assert_null(p->note); /* the whole parameter is replaced */
    p = cor_sc_param_find(sc, "detour_road");
    assert_true(p->value == 1.5);
    assert_string_equal(p->note, "changed");
    assert_true(cor_sc_param_find(sc, "speed_bus")->value == 450);
    assert_int_equal(sc->n_params, 3);
    assert_int_equal(sc->n_places, 4);
    assert_int_equal(sc->links[3].to, 3); /* indices still resolved */
    assert_int_equal(sc->n_files, 4);
    assert_non_null(ends_with(sc->files[3], "params.yaml"));
    assert_true(sc->hash_lo != lo);
    XXH128_hash_t h = hash_files(sc->files, sc->n_files);
    assert_true(sc->hash_lo == h.low64 && sc->hash_hi == h.high64);

    /* a bad overlay: the message names the overlay file */
    assert_int_equal(cor_scenario_overlay(sc, fixture(path, sizeof path, "params_bad.yaml")), COR_EINPUT);
    snprintf(msg, sizeof msg, "%s:3: parameters.border_wait_days.value: 90 is outside its assumed range [2, 60]",
             path);
    assert_string_equal(cor_scenario_errmsg(sc), msg);
    /* a missing overlay */
    assert_int_equal(cor_scenario_overlay(sc, fixture(path, sizeof path, "nothing.yaml")), COR_EIO);
    snprintf(msg, sizeof msg, "%s: cannot read: No such file or directory", path);
    assert_string_equal(cor_scenario_errmsg(sc), msg);
    cor_scenario_free(sc);
}

static void fragment(void **state)
{
    (void)state;
    char path[4096];
    cor_scenario *sc = NULL;
    /* no base followed, no meta required, no cross-references, remove ignored */
    assert_int_equal(cor_scenario_load_fragment(fixture(path, sizeof path, "fragment.yaml"), &sc), COR_OK);
    assert_int_equal(sc->n_params, 1);
    assert_true(sc->params[0].value == 0.25 && sc->params[0].prov == COR_PROV_CALIBRATED);
    assert_int_equal(sc->n_links, 1);
    assert_string_equal(sc->links[0].id, "nowhere-elsewhere");
    assert_int_equal(sc->links[0].from, -1);
    assert_int_equal(sc->n_files, 1);
    cor_scenario_free(sc);
    /* but keys, types and ranges are checked */
    assert_int_equal(cor_scenario_load_fragment(fixture(path, sizeof path, "params_bad.yaml"), &sc), COR_EINPUT);
    assert_non_null(strstr(cor_scenario_errmsg(sc), ":3: parameters.border_wait_days.value: 90 is outside"));
    cor_scenario_free(sc);
}

static void load_mem_relative_paths(void **state)
{
    (void)state;
    char name[4096];
    static const char text[] = "base: good.yaml\nmeta: {name: from_memory}\n";
    cor_scenario *sc = NULL;
    fixture(name, sizeof name, "in_memory.yaml"); /* does not exist: only names the text */
    assert_int_equal(cor_scenario_load_mem(name, text, strlen(text), &sc), COR_OK);
    assert_string_equal(sc->name, "from_memory");
    assert_int_equal(sc->n_places, 4);
    assert_int_equal(sc->n_files, 4);
    assert_string_equal(sc->files[0], name);
    assert_string_equal(sc->rules_pos.file, name);
    assert_non_null(ends_with(sc->files[1], DIR "good.yaml"));
    XXH128_hash_t h = hash_of(text, sc->files + 1, 3);
    assert_true(sc->hash_lo == h.low64 && sc->hash_hi == h.high64);
    cor_scenario_free(sc);
}

/* -------------------------------------------------------------------- errors */

#define META "meta: {name: t, start: 2020-01-01, end: 2020-12-31, seed: 1, scale: 1}\n"
#define PLACES "places:\n  - {id: a, kind: origin, lat: 1, lon: 2}\n  - {id: b, kind: transit, lat: 3, lon: 4}\n"
#define MINI META PLACES /* lines 1-4; what follows starts at line 5 */
#define POP(x) "populations:\n  - {id: g, origins: [{place: a}], " x "}\n" /* the item is at line 6 */

static void expect_as(const char *name, const char *text, int rc_want, const char *msg)
{
    cor_scenario *sc = NULL;
    int rc = cor_scenario_load_mem(name, text, strlen(text), &sc);
    assert_non_null(sc);
    assert_string_equal(cor_scenario_errmsg(sc), msg);
    assert_int_equal(rc, rc_want);
    cor_scenario_free(sc);
}

static void expect(const char *text, const char *msg)
{
    expect_as("t.yaml", text, COR_EINPUT, msg);
}

/* As expect(), for text naming files in tests/data/scenario/: "%s" in msg
 * stands for that directory. */
static void expect_in_dir(const char *text, int rc_want, const char *fmt)
{
    char name[4096], dir[4096], msg[20000];
    fixture(name, sizeof name, "mem.yaml");
    fixture(dir, sizeof dir, "");
    dir[strlen(dir) - 1] = '\0'; /* no trailing slash */
    snprintf(msg, sizeof msg, fmt, dir, dir, dir);
    expect_as(name, text, rc_want, msg);
}

static void err_unknown_key(void **state)
{
    (void)state;
    expect(META "places:\n  - {id: a, knd: origin, lat: 1, lon: 2}\n",
           "t.yaml:3: places[0].knd: unknown key (allowed: id, name, country, kind, lat, lon, capacity, source)");
    expect(MINI "place: []\n",
           "t.yaml:5: place: unknown key (allowed: base, meta, parameters, places, links, populations, timeline, "
           "remove)");
    expect("meta:\n  name: t\n  seeds: 3\n",
           "t.yaml:3: meta.seeds: unknown key (allowed: name, description, start, end, seed, scale, rules, modules)");
    expect(MINI "parameters:\n  p: {value: 1, source: x, notes: y}\n",
           "t.yaml:6: parameters.p.notes: unknown key (allowed: value, source, calibrated, assumed, note)");
    expect(MINI "timeline:\n  - {lever: x, value: 1, start: 2020-01, scope: {place: [a]}}\n",
           "t.yaml:6: timeline[0].scope.place: unknown key (allowed: places, links, groups, demographics)");
}

static void err_missing(void **state)
{
    (void)state;
    expect(META "places:\n  - id: a\n    kind: origin\n    lat: 1\n", "t.yaml:3: places[0].lon: missing required field");
    expect("meta: {name: t, start: 2020-01-01, end: 2020-12-31, scale: 1}\n",
           "t.yaml:1: meta.seed: missing required field");
    expect("# nothing but a comment\nplaces: []\n", "t.yaml:1: meta.name: missing required field");
    expect(MINI "links:\n  - {from: a, to: b}\n", "t.yaml:6: links[0].mode: missing required field");
    expect(MINI "populations:\n  - {id: g, origins: [{place: a}], split: {single_adults: 1}}\n",
           "t.yaml:6: populations[0].demand: missing required field");
    expect(MINI POP("demand: {2020-01: 5}"),
           "t.yaml:6: populations[0].split: missing required field (the demand gives people, not single_adults, "
           "family_members and unaccompanied_children)");
    expect(MINI "timeline:\n  - {lever: x, start: 2020-01}\n", "t.yaml:6: timeline[0].value: missing required field");
}

static void err_wrong_type(void **state)
{
    (void)state;
    expect(META "places:\n  - {id: a, kind: origin, lat: abc, lon: 2}\n",
           "t.yaml:3: places[0].lat: expected a number, got 'abc'");
    expect(META "places:\n  - {id: a, kind: origin, lat: \"12\", lon: 2}\n",
           "t.yaml:3: places[0].lat: expected a number, got the quoted string \"12\"");
    expect("meta: {name: t, start: 2020-01-01, end: 2020-12-31, seed: 1.5, scale: 1}\n",
           "t.yaml:1: meta.seed: expected an unsigned integer, got '1.5'");
    expect("meta: {name: t, start: 2020-01-01, end: 2020-12-31, seed: -1, scale: 1}\n",
           "t.yaml:1: meta.seed: expected an unsigned integer, got '-1'");
    expect("meta: {name: t, start: 2020-01-01, end: 2020-12-31, seed: 18446744073709551616, scale: 1}\n",
           "t.yaml:1: meta.seed: integer '18446744073709551616' is out of range");
    expect(META "places:\n  - {id: a, kind: origin, lat: 1, lon: 2, capacity: 2.5}\n",
           "t.yaml:3: places[0].capacity: expected an integer, got '2.5'");
    expect(META "places:\n  - {id: a, name: {x: 1}, kind: origin, lat: 1, lon: 2}\n",
           "t.yaml:3: places[0].name: expected a string, got a mapping");
    expect(META "places: {a: 1}\n", "t.yaml:2: places: expected a sequence, got a mapping");
    expect(MINI "links:\n  - {from: a, to: b, mode: foot, oneway: yes}\n",
           "t.yaml:6: links[0].oneway: expected true or false, got 'yes'");
    expect(MINI "parameters:\n  p: {value: 1, assumed: 3}\n",
           "t.yaml:6: parameters.p.assumed: expected a range [lo, hi], got a scalar");
    expect(MINI "parameters:\n  p: {value: 1, assumed: [1, 2, 3]}\n",
           "t.yaml:6: parameters.p.assumed: expected a range [lo, hi], got 3 items");
    expect(MINI POP("split: {single_adults: 1}, demand: [1, 2]"),
           "t.yaml:6: populations[0].demand: expected a CSV file name or a mapping of month to people, got a "
           "sequence");
    expect("- a\n- b\n", "t.yaml:1: yaml: the top level must be a mapping, got a sequence");
}

static void err_non_finite(void **state)
{
    (void)state;
    expect(META "places:\n  - {id: a, kind: origin, lat: .inf, lon: 2}\n",
           "t.yaml:3: places[0].lat: expected a finite number, got '.inf'");
    expect(META "places:\n  - {id: a, kind: origin, lat: 1, lon: -.NaN}\n",
           "t.yaml:3: places[0].lon: expected a finite number, got '-.NaN'");
    expect(MINI "parameters:\n  p: {value: 1e999, source: x}\n",
           "t.yaml:6: parameters.p.value: expected a finite number, got '1e999'");
    expect(MINI "parameters:\n  p: {value: 0x10, source: x}\n",
           "t.yaml:6: parameters.p.value: expected a number, got '0x10'");
}

static void err_unknown_ids(void **state)
{
    (void)state;
    expect(MINI "links:\n  - {from: a, to: c, mode: foot}\n", "t.yaml:6: links[0].to: unknown place id 'c'");
    expect(MINI "links:\n  - from: x\n    to: a\n    mode: foot\n", "t.yaml:6: links[0].from: unknown place id 'x'");
    expect(MINI "populations:\n  - id: g\n    origins: [{place: a}, {place: q}]\n    split: {single_adults: 1}\n"
                "    demand: {2020-01: 1}\n",
           "t.yaml:7: populations[0].origins[1].place: unknown place id 'q'");
    expect(MINI "links:\n  - {from: a, to: b, mode: foot}\ntimeline:\n  - lever: x\n    value: 1\n"
                "    start: 2020-01\n    scope:\n      links: [a-b, b-a]\n",
           "t.yaml:12: timeline[0].scope.links[1]: unknown link id 'b-a'");
    expect(MINI "timeline:\n  - {lever: x, value: 1, start: 2020-01, scope: {places: [a, z]}}\n",
           "t.yaml:6: timeline[0].scope.places[1]: unknown place id 'z'");
    expect(MINI "timeline:\n  - {lever: x, value: 1, start: 2020-01, scope: {groups: [hn]}}\n",
           "t.yaml:6: timeline[0].scope.groups[0]: unknown population id 'hn'");
    expect(MINI "timeline:\n  - {lever: x, value: 1, start: 2020-01, scope: {demographics: [adults]}}\n",
           "t.yaml:6: timeline[0].scope.demographics[0]: unknown demographic 'adults' (expected single_adults, "
           "family_members or unaccompanied_children)");
    expect(MINI POP("split: {single_adults: 0.5, families: 0.5}, demand: {2020-01: 1}"),
           "t.yaml:6: populations[0].split.families: unknown demographic 'families' (expected single_adults, "
           "family_members or unaccompanied_children)");
    expect(META "places:\n  - {id: a, kind: city, lat: 1, lon: 2}\n",
           "t.yaml:3: places[0].kind: unknown kind 'city' (expected origin, border_crossing, transit, shelter, "
           "border_city, us_sector or destination)");
    expect(MINI "links:\n  - {from: a, to: b, mode: boat}\n",
           "t.yaml:6: links[0].mode: unknown mode 'boat' (expected road, bus, rail, foot, river, sea or air)");
}

static void err_duplicate_ids(void **state)
{
    (void)state;
    expect(META "places:\n  - {id: a, kind: origin, lat: 1, lon: 2}\n  - {id: a, kind: origin, lat: 1, lon: 2}\n",
           "t.yaml:4: places[1].id: duplicate place id 'a' (first at line 3)");
    expect(MINI "links:\n  - {id: l, from: a, to: b, mode: foot}\n  - {id: l, from: b, to: a, mode: foot}\n",
           "t.yaml:7: links[1].id: duplicate link id 'l' (first at line 6)");
    expect(MINI "links:\n  - {from: a, to: b, mode: foot}\n  - {from: a, to: b, mode: bus}\n"
                "  - {from: a, to: b, mode: bus}\n",
           "t.yaml:8: links[2]: its default id 'a-b-bus' is taken by the link at line 7; give one of them an id");
    expect(MINI "populations:\n  - {id: g, origins: [{place: a}, {place: a}], split: {single_adults: 1}, "
                "demand: {2020-01: 1}}\n",
           "t.yaml:6: populations[0].origins[1].place: duplicate origin place 'a' (first at line 6)");
    expect(MINI "timeline:\n  - {id: c, lever: x, value: 1, start: 2020-01}\n"
                "  - {id: c, lever: y, value: 1, start: 2020-01}\n",
           "t.yaml:7: timeline[1].id: duplicate timeline id 'c' (first at line 6)");
}

static void err_dates(void **state)
{
    (void)state;
    char path[4096], msg[20000];
    expect("meta: {name: t, start: 2012-13-01, end: 2020-12-31, seed: 1, scale: 1}\n",
           "t.yaml:1: meta.start: '2012-13-01' is not a date (YYYY-MM-DD or YYYY-MM)");
    expect(MINI "timeline:\n  - lever: x\n    value: 1\n    start: 2020-02-30\n",
           "t.yaml:8: timeline[0].start: '2020-02-30' is not a date (YYYY-MM-DD or YYYY-MM)");
    expect(MINI POP("split: {single_adults: 1}, demand: {2020-01-01: 5}"),
           "t.yaml:6: populations[0].demand.2020-01-01: '2020-01-01' is not a month (YYYY-MM)");
    /* out of order */
    expect("meta: {name: t, start: 2020-01-01, end: 2019-12, seed: 1, scale: 1}\n",
           "t.yaml:1: meta.end: dates out of order: end 2019-12-31 is before start 2020-01-01");
    expect(MINI "timeline:\n  - lever: x\n    value: 1\n    start: 2020-02-01\n    end: 2020-01\n",
           "t.yaml:9: timeline[0].end: dates out of order: end 2020-01-31 is before start 2020-02-01");
    /* across files: the merged meta is checked */
    cor_scenario *sc = NULL;
    char start[4096];
    assert_int_equal(cor_scenario_load(fixture(path, sizeof path, "late_start.yaml"), &sc), COR_EINPUT);
    fixture(start, sizeof start, "good.yaml");
    snprintf(msg, sizeof msg,
             "%s:7: meta.end: dates out of order: end 2013-03-31 is before start 2014-01-01 (given at %s:4)", start,
             path);
    assert_string_equal(cor_scenario_errmsg(sc), msg);
    cor_scenario_free(sc);
}

static void err_negative_and_non_positive(void **state)
{
    (void)state;
    expect(META "places:\n  - {id: a, kind: origin, lat: 1, lon: 2, capacity: -1}\n",
           "t.yaml:3: places[0].capacity: must be >= 0, got -1");
    expect(MINI POP("split: {single_adults: 1}, demand: {2020-01: 5, 2020-02: -5}"),
           "t.yaml:6: populations[0].demand.2020-02: must be >= 0, got -5");
    expect(MINI "links:\n  - {from: a, to: b, mode: foot, km: -1}\n", "t.yaml:6: links[0].km: must be >= 0, got -1");
    expect(MINI "links:\n  - {from: a, to: b, mode: foot, risk: -0.1}\n",
           "t.yaml:6: links[0].risk: must be >= 0, got -0.1");
    expect(MINI "links:\n  - {from: a, to: b, mode: foot, weight: 0}\n",
           "t.yaml:6: links[0].weight: must be > 0, got 0");
    expect("meta: {name: t, start: 2020-01-01, end: 2020-12-31, seed: 1, scale: 0}\n",
           "t.yaml:1: meta.scale: must be > 0, got 0");
    expect(MINI "populations:\n  - {id: g, origins: [{place: a, share: 0}], split: {single_adults: 1}, "
                "demand: {2020-01: 1}}\n",
           "t.yaml:6: populations[0].origins[0].share: must be > 0, got 0");
    expect(MINI POP("split: {single_adults: 1.2, family_members: -0.2}, demand: {2020-01: 1}"),
           "t.yaml:6: populations[0].split.family_members: must be >= 0, got -0.2");
    expect(MINI POP("split: {single_adults: 0.5, family_members: 0.4}, demand: {2020-01: 1}"),
           "t.yaml:6: populations[0].split: shares sum to 0.9, not 1 (tolerance 0.001)");
}

static void err_parameters(void **state)
{
    (void)state;
    expect(MINI "parameters:\n  p:\n    value: 3\n    assumed: [5, 2]\n",
           "t.yaml:8: parameters.p.assumed: range [5, 2] has lo > hi");
    expect(MINI "parameters:\n  p:\n    value: 70\n    assumed: [2, 60]\n",
           "t.yaml:7: parameters.p.value: 70 is outside its assumed range [2, 60]");
    expect(MINI "parameters:\n  p: {value: 0.5, calibrated: [1, 2]}\n",
           "t.yaml:6: parameters.p.value: 0.5 is outside its calibrated range [1, 2]");
    expect(MINI "parameters:\n  p:\n    value: 3\n    note: x\n",
           "t.yaml:6: parameters.p: needs exactly one of source, calibrated, assumed (none given)");
    expect(MINI "parameters:\n  p:\n    value: 3\n    assumed: [1, 5]\n    source: \"a report\"\n",
           "t.yaml:9: parameters.p: needs exactly one of source, calibrated, assumed (got assumed and source)");
    expect(MINI "parameters:\n  Speed: {value: 1, source: x}\n",
           "t.yaml:6: parameters.Speed: 'Speed' is not a valid parameter name (lowercase letters, digits and _)");
}

static void err_links_and_coordinates(void **state)
{
    (void)state;
    expect(MINI "links:\n  - from: a\n    to: a\n    mode: foot\n",
           "t.yaml:7: links[0].to: the link goes from 'a' to itself");
    expect(META "places:\n  - {id: a, kind: origin, lat: 95, lon: 2}\n",
           "t.yaml:3: places[0].lat: latitude 95 is outside [-90, 90]");
    expect(META "places:\n  - {id: a, kind: origin, lat: 1, lon: -180.5}\n",
           "t.yaml:3: places[0].lon: longitude -180.5 is outside [-180, 180]");
    expect(META "places:\n  - {id: a, kind: origin, lat: 1, lon: 2, country: Mexico}\n",
           "t.yaml:3: places[0].country: 'Mexico' is not an ISO 3166-1 alpha-2 code (two capital letters, e.g. MX)");
}

static void err_names(void **state)
{
    (void)state;
    expect("meta: {name: a b, start: 2020-01-01, end: 2020-12-31, seed: 1, scale: 1}\n",
           "t.yaml:1: meta.name: 'a b' is not a valid name (letters, digits, _ . -, not starting with .)");
    expect("meta: {name: .., start: 2020-01-01, end: 2020-12-31, seed: 1, scale: 1}\n",
           "t.yaml:1: meta.name: '..' is not a valid name (letters, digits, _ . -, not starting with .)");
    expect(META "places:\n  - {id: Alpha, kind: origin, lat: 1, lon: 2}\n",
           "t.yaml:3: places[0].id: 'Alpha' is not a valid id (lowercase letters, digits and _)");
    expect(MINI "timeline:\n  - {lever: close-border, value: 1, start: 2020-01}\n",
           "t.yaml:6: timeline[0].lever: 'close-border' is not a valid lever name (lowercase letters, digits and _)");
}

static void err_demand_months_and_csv(void **state)
{
    (void)state;
    expect(MINI POP("split: {single_adults: 1}, demand: {2020-02: 1, 2020-01: 2}"),
           "t.yaml:6: populations[0].demand.2020-01: months must be strictly increasing ('2020-01' comes after "
           "'2020-02')");
    expect_in_dir(MINI POP("split: {single_adults: 1}, demand: bad_order.csv"), COR_EINPUT,
                  "%s/bad_order.csv:4: month: months must be strictly increasing ('2012-11' comes after '2012-12')");
    expect_in_dir(MINI POP("split: {single_adults: 1}, demand: bad_header.csv"), COR_EINPUT,
                  "%s/bad_header.csv:1: header: expected 'month,people' or "
                  "'month,single_adults,family_members,unaccompanied_children', got 'month,persons'");
    expect_in_dir(MINI POP("demand: bad_field.csv"), COR_EINPUT,
                  "%s/bad_field.csv:3: family_members: 'x' is not a number");
    expect_in_dir(MINI POP("split: {single_adults: 1}, demand: bad_short.csv"), COR_EINPUT,
                  "%s/bad_short.csv:3: people: missing field (the header has 2 columns)");
    expect_in_dir(MINI POP("split: {single_adults: 1}, demand: bad_negative.csv"), COR_EINPUT,
                  "%s/bad_negative.csv:2: people: must be >= 0, got -4");
    expect_in_dir(MINI POP("split: {single_adults: 1}, demand: csv/demand_demos.csv"), COR_EINPUT,
                  "%s/mem.yaml:6: populations[0].split: not allowed: the demand CSV already has single_adults, "
                  "family_members and unaccompanied_children columns");
    expect_in_dir(MINI POP("split: {single_adults: 1}, demand: no_such.csv"), COR_EIO,
                  "%s/mem.yaml:6: populations[0].demand: cannot read '%s/no_such.csv': No such file or directory");
    expect_in_dir(MINI POP("split: {single_adults: 1}, demand: csv"), COR_EIO,
                  "%s/mem.yaml:6: populations[0].demand: cannot read '%s/csv': Is a directory");
}

static void err_files_and_bases(void **state)
{
    (void)state;
    char path[4096], other[4096], msg[20000];
    cor_scenario *sc = NULL;
    /* the top file */
    assert_int_equal(cor_scenario_load(fixture(path, sizeof path, "nothing.yaml"), &sc), COR_EIO);
    snprintf(msg, sizeof msg, "%s: cannot read: No such file or directory", path);
    assert_string_equal(cor_scenario_errmsg(sc), msg);
    cor_scenario_free(sc);
    /* a base */
    assert_int_equal(cor_scenario_load(fixture(path, sizeof path, "missing_base.yaml"), &sc), COR_EIO);
    fixture(other, sizeof other, "no_such_base.yaml");
    snprintf(msg, sizeof msg, "%s:3: base: cannot read '%s': No such file or directory", path, other);
    assert_string_equal(cor_scenario_errmsg(sc), msg);
    cor_scenario_free(sc);
    /* a cycle: named at the base: line that closes it */
    assert_int_equal(cor_scenario_load(fixture(path, sizeof path, "cycle_a.yaml"), &sc), COR_EINPUT);
    fixture(other, sizeof other, "cycle_b.yaml");
    {
        /* the last path is cycle_b's directory + "./cycle_a.yaml", as written there */
        char last[4096];
        snprintf(last, sizeof last, "%.*s./cycle_a.yaml", (int)(strlen(other) - strlen("cycle_b.yaml")), other);
        snprintf(msg, sizeof msg, "%s:4: base: cycle: %s -> %s -> %s", other, path, other, last);
    }
    assert_string_equal(cor_scenario_errmsg(sc), msg);
    cor_scenario_free(sc);
    /* a removed place still used by the base: the message points into the base */
    assert_int_equal(cor_scenario_load(fixture(path, sizeof path, "dangling.yaml"), &sc), COR_EINPUT);
    fixture(other, sizeof other, "good.yaml");
    snprintf(msg, sizeof msg, "%s:50: links[3].to: unknown place id 'delta'", other);
    assert_string_equal(cor_scenario_errmsg(sc), msg);
    cor_scenario_free(sc);
    /* remove: of something the base does not have; remove: without a base */
    expect_in_dir("base: good.yaml\nremove:\n  places: [alpha]\n  links: [zeta]\n", COR_EINPUT,
                  "%s/mem.yaml:4: remove.links[0]: unknown link id 'zeta'");
    expect(MINI "remove:\n  places: [a]\n", "t.yaml:5: remove: only allowed in a file with base: (or in an overlay)");
    /* an overlay may not have a base */
    sc = must_load("good.yaml");
    assert_int_equal(cor_scenario_overlay(sc, fixture(path, sizeof path, "over.yaml")), COR_EINPUT);
    snprintf(msg, sizeof msg, "%s:2: base: not allowed in an overlay (it applies to the loaded scenario)", path);
    assert_string_equal(cor_scenario_errmsg(sc), msg);
    cor_scenario_free(sc);
}

static void err_yaml(void **state)
{
    (void)state;
    expect("meta:\n  name: t\n  start: 2020-01-01\n  name: u\n",
           "t.yaml:4: meta.name: duplicate key 'name' (first given at line 2)");
    expect(META "places:\n  - id: a\n    kind: origin\n    id: b\n",
           "t.yaml:5: places[0].id: duplicate key 'id' (first given at line 3)");
    expect("meta: {name: t\nplaces: []\n",
           "t.yaml:2: yaml: did not find expected ',' or '}' (while parsing a flow mapping at line 1)");
    expect("meta:\n  name: t\n bad: 1\n",
           "t.yaml:3: yaml: did not find expected key (while parsing a block mapping at line 1)");
    expect("meta: \"unterminated\n", "t.yaml:2: yaml: found unexpected end of stream (while scanning a quoted "
                                      "scalar at line 1)");
    expect("meta: &m {name: t}\nbase: *m\n", "t.yaml:2: base: YAML aliases (*m) are not supported");
    expect("meta: {name: t}\n---\nmeta: {name: u}\n", "t.yaml:2: yaml: only one YAML document is allowed per file");
    expect("? [a, b]\n: 1\n", "t.yaml:1: yaml: mapping keys must be plain strings, not a sequence");
    expect("meta: {name: \"a\\0b\"}\n", "t.yaml:1: meta.name: NUL characters are not allowed in strings");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(good_meta_and_parameters),
        cmocka_unit_test(good_places_and_links),
        cmocka_unit_test(good_populations),
        cmocka_unit_test(good_timeline_files_hash),
        cmocka_unit_test(base_overlay_and_remove),
        cmocka_unit_test(timeline_replace_and_append),
        cmocka_unit_test(remove_timeline_and_links),
        cmocka_unit_test(params_overlay),
        cmocka_unit_test(fragment),
        cmocka_unit_test(load_mem_relative_paths),
        cmocka_unit_test(err_unknown_key),
        cmocka_unit_test(err_missing),
        cmocka_unit_test(err_wrong_type),
        cmocka_unit_test(err_non_finite),
        cmocka_unit_test(err_unknown_ids),
        cmocka_unit_test(err_duplicate_ids),
        cmocka_unit_test(err_dates),
        cmocka_unit_test(err_negative_and_non_positive),
        cmocka_unit_test(err_parameters),
        cmocka_unit_test(err_links_and_coordinates),
        cmocka_unit_test(err_names),
        cmocka_unit_test(err_demand_months_and_csv),
        cmocka_unit_test(err_files_and_bases),
        cmocka_unit_test(err_yaml),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
