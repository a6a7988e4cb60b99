/* scenario.h - the in-memory scenario: what a YAML scenario file (plus its
 * `base:` chain and overlays) says, resolved and checked.
 *
 * Ownership: a cor_scenario owns every string and array it points to; they
 * are freed by cor_scenario_free().  Positions (file, line) are kept for
 * every item so that later checks (in the engine or modules) can name the
 * file, line and field of a bad value.
 *
 * Days are counted from 1970-01-01 (day 0), see engine/calendar.h.  Months
 * are counted as year*12 + (month-1) ("month index"), see calendar.h.
 */
#ifndef COR_SCENARIO_H
#define COR_SCENARIO_H

#include <stddef.h>
#include <stdint.h>

#include "corredor.h"

/* ---- enumerations (each ends with a count that sizes arrays) ---- */

typedef enum {
    COR_KIND_ORIGIN,
    COR_KIND_BORDER_CROSSING,
    COR_KIND_TRANSIT,
    COR_KIND_SHELTER,
    COR_KIND_BORDER_CITY,
    COR_KIND_US_SECTOR,
    COR_KIND_DESTINATION,
    COR_N_KINDS
} cor_place_kind;

typedef enum {
    COR_MODE_ROAD,
    COR_MODE_BUS,
    COR_MODE_RAIL,
    COR_MODE_FOOT,
    COR_MODE_RIVER,
    COR_MODE_SEA,
    COR_MODE_AIR,
    COR_N_MODES
} cor_mode;

/* Demographic split as the US record makes it. */
typedef enum {
    COR_DEMO_SINGLE_ADULT,   /* YAML: single_adults */
    COR_DEMO_FAMILY,         /* YAML: family_members */
    COR_DEMO_UAC,            /* YAML: unaccompanied_children */
    COR_N_DEMOS
} cor_demo;

typedef enum {
    COR_PROV_SOURCE,      /* `source: "citation"` */
    COR_PROV_CALIBRATED,  /* `calibrated: [lo, hi]` (prior range) */
    COR_PROV_ASSUMED      /* `assumed: [lo, hi]` (plausible range) */
} cor_provenance;

/* YAML spellings, indexed by the enums above. */
extern const char *const cor_kind_names[COR_N_KINDS];
extern const char *const cor_mode_names[COR_N_MODES];
extern const char *const cor_demo_names[COR_N_DEMOS];

/* Where an item came from: file (one of sc->files) and 1-based line. */
typedef struct {
    const char *file;
    int line;
} cor_pos;

typedef struct {
    char *id, *name, *country, *source;
    cor_place_kind kind;
    double lat, lon;            /* degrees */
    int64_t capacity;           /* beds; -1 when not given (unlimited) */
    cor_pos pos;
    int index;                  /* position in the `places:` list of pos.file (for "places[i]") */
} cor_sc_place;

typedef struct {
    char *id;                   /* given, or "<from>-<to>" (+ "-<mode>" if that is taken) */
    char *from_id, *to_id;
    int from, to;               /* indices into places, set by the checks */
    cor_mode mode;
    double km;                  /* < 0: not given (great circle x detour_<mode>) */
    double risk;                /* >= 0, default 0 */
    double weight;              /* > 0 route-choice multiplier, default 1 */
    int oneway;                 /* 0: usable both ways (default) */
    char *source;               /* optional citation for km / risk */
    cor_pos pos;
    int index;                  /* position in the `links:` list of pos.file */
    int from_line, to_line;     /* lines of `from:` / `to:` in pos.file */
} cor_sc_link;

typedef struct {
    char *place_id;
    int place;                  /* index, set by the checks */
    double share;               /* > 0; shares of a population are normalised to sum 1 */
    int line;                   /* line of `place:` in the population's pos.file */
} cor_sc_origin;

typedef struct {
    char *id, *name;
    char *country;              /* nationality, ISO 3166-1 alpha-2 (ZZ: several); NULL: the home place's */
    cor_sc_origin *origins;
    int n_origins;
    /* Monthly latent departure demand, people, by demographic:
     * demand[m * COR_N_DEMOS + d] for month index demand_month0 + m.
     * Months not covered have no demand. */
    int demand_month0;
    int n_months;
    double *demand;
    char *source;               /* optional citation for origins and split */
    cor_pos pos;
    int index;                  /* position in the `populations:` list of pos.file */
} cor_sc_population;

typedef struct {
    char *name;
    double value;
    cor_provenance prov;
    char *source;               /* COR_PROV_SOURCE: the citation; may be NULL otherwise */
    double lo, hi;              /* range for CALIBRATED / ASSUMED (lo <= hi) */
    char *note;                 /* optional */
    cor_pos pos;
} cor_sc_param;

/* A scope restricts a lever entry; an empty list means "everywhere / everyone". */
typedef struct {
    int *places; int n_places;  /* indices into places */
    int *links;  int n_links;   /* indices into links */
    int *groups; int n_groups;  /* indices into populations */
    unsigned demo_mask;         /* bit d set: demographic d in scope; 0 = all */
    /* the ids as written, kept for messages and overlays */
    char **place_ids, **link_ids, **group_ids;
    int *place_lines, *link_lines, *group_lines;   /* line of each id (in the entry's pos.file) */
} cor_sc_scope;

typedef struct {
    char *id;                   /* optional; an overlay entry with the same id replaces it */
    char *lever;
    double value;
    int32_t start, end;         /* days, inclusive; end = INT32_MAX when open */
    cor_sc_scope scope;
    char *source;               /* optional citation / note */
    cor_pos pos;
    int index;                  /* position in the `timeline:` list of pos.file */
} cor_sc_lever;

struct cor_scenario {
    /* meta */
    char *name, *description;
    int32_t start, end;         /* days, inclusive */
    uint64_t seed;
    double scale;               /* people per agent, > 0 */
    char *rules;                /* rule set name, default "corridor" */
    char **modules;             /* meta.modules: policy modules to load (docs/MODEL.md) */
    int *module_lines;          /* line of each name */
    int n_modules;
    cor_pos modules_pos;
    cor_pos start_pos, end_pos, rules_pos;   /* where meta.start / end / rules were given
                                                (rules: the top file, line 1, when defaulted) */

    cor_sc_place *places;           int n_places;
    cor_sc_link *links;             int n_links;
    cor_sc_population *populations; int n_populations;
    cor_sc_param *params;           int n_params;
    cor_sc_lever *timeline;         int n_timeline;

    /* every file read (scenario, bases, overlays, CSVs), in reading order */
    char **files; int n_files;
    uint64_t hash_lo, hash_hi;      /* XXH3-128 of the bytes of every file read, in order */

    char errmsg[1024];
    struct cor_sc_state *state;     /* the loader's private state (hash stream...); owned */
};

/* Load one file without following `base:` and without the completeness and
 * cross-reference checks (ids, meta present): for parameter files such as
 * the demand derivation's and --params overlays.  Keys, types and ranges are
 * still checked. */
int cor_scenario_load_fragment(const char *path, cor_scenario **out);

/* Like cor_scenario_load, but the top file's text is buf[0..len) (for the
 * fuzzer and tests): `name` stands for the file in messages and sc->files,
 * and paths in the text (base:, demand CSVs) are relative to the directory
 * of `name`, i.e. to the current directory for a bare name. */
int cor_scenario_load_mem(const char *name, const void *buf, size_t len, cor_scenario **out);

/* Lookups; -1 when absent. */
int cor_sc_place_index(const cor_scenario *sc, const char *id);
int cor_sc_link_index(const cor_scenario *sc, const char *id);
int cor_sc_population_index(const cor_scenario *sc, const char *id);
const cor_sc_param *cor_sc_param_find(const cor_scenario *sc, const char *name);

/* Set sc->errmsg as "file:line: field: message" and return COR_EINPUT. */
int cor_sc_error(cor_scenario *sc, cor_pos pos, const char *field, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 4, 5)))
#endif
    ;

#endif
