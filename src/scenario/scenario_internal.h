/* scenario_internal.h - shared by the scenario loader's files (not a public
 * interface).
 *
 *   scenario.c         public API, reading files (hash, sc->files), base chains
 *   scenario_value.c   scalar conversions and field checks with file:line errors
 *   scenario_parse.c   one YAML file -> a layer: top level, meta, parameters, places, links, remove
 *   scenario_groups.c  populations (origins, split, demand) and the timeline
 *   scenario_csv.c     demand CSV files
 *   scenario_merge.c   applying a layer onto the scenario; freeing items; the id index
 *   scenario_check.c   checks of the merged scenario, resolving ids to indices
 */
#ifndef COR_SCENARIO_INTERNAL_H
#define COR_SCENARIO_INTERNAL_H

#include <stdint.h>
#include <xxhash.h>

#include "scenario/scenario.h"
#include "scenario/yaml_tree.h"

/* Field paths such as "timeline[2].scope.places[0]". */
#define SC_PATH 256

enum { SC_META_NAME, SC_META_DESCRIPTION, SC_META_START, SC_META_END, SC_META_SEED, SC_META_SCALE,
       SC_META_RULES, SC_META_MODULES, SC_N_META };
extern const char *const sc_meta_keys[SC_N_META];

enum { SC_RM_PLACES, SC_RM_LINKS, SC_RM_POPULATIONS, SC_RM_TIMELINE, SC_N_RM };
extern const char *const sc_rm_keys[SC_N_RM];

struct cor_sc_state {
    XXH3_state_t *hash;
    unsigned meta_set;              /* bit SC_META_x: given by some file */
    cor_pos top;                    /* the top file's `meta:` (or line 1): for "missing" meta fields */
};

typedef struct {
    char **ids;
    int *lines;
    int n;
} sc_idlist;

/* What one file says, checked on its own. */
typedef struct {
    cor_scenario *items;            /* meta values and item arrays (items->files unused) */
    unsigned meta_set;
    char *base;                     /* as written */
    int base_line;
    int meta_line;                  /* line of `meta:`, 0 if absent */
    sc_idlist remove[SC_N_RM];
    int remove_line;                /* line of `remove:`, 0 if absent */
} sc_layer;

/* Parsing context: the scenario being built (errors, files, hash) and the
 * file being parsed (a string in sc->files). */
typedef struct {
    cor_scenario *sc;
    const char *file;
} sc_in;

/* A string -> int index (open addressing; keys are borrowed). */
typedef struct {
    const char **keys;
    int *vals;
    size_t cap, n;
} sc_index;
int sc_index_init(sc_index *ix, size_t expected);
int sc_index_get(const sc_index *ix, const char *key);
int sc_index_put(sc_index *ix, const char *key, int val);   /* replaces; 0 or COR_ENOMEM */
void sc_index_free(sc_index *ix);

/* ---- scenario.c */
int sc_nomem(cor_scenario *sc);
/* Read a whole file (regular files only), append it to sc->files and the
 * hash.  `at`/`field`: where it was named, for the message (at.file NULL for
 * the top file).  *file is the copy kept in sc->files. */
int sc_read_file(cor_scenario *sc, const char *path, cor_pos at, const char *field, char **buf, size_t *len,
                 const char **file, uint64_t *dev, uint64_t *ino);
/* dir(file) + rel, or rel when it is absolute or file has no directory. */
char *sc_join(const char *file, const char *rel);
char *sc_strdup(const char *s);

/* ---- scenario_value.c */
int sc_err(sc_in *in, int line, const char *field, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 4, 5)))
#endif
    ;
void sc_path_key(char *out, const char *base, const char *key);   /* out has SC_PATH bytes */
void sc_path_idx(char *out, const char *base, int i);
/* Every key of map must be in the NULL-terminated list `allowed`. */
int sc_check_keys(sc_in *in, const yt_node *map, const char *path, const char *const *allowed);
int sc_missing(sc_in *in, const yt_node *map, const char *path, const char *key);
int sc_want_map(sc_in *in, const yt_node *v, const char *field);
int sc_want_seq(sc_in *in, const yt_node *v, const char *field);
int sc_to_str(sc_in *in, const yt_node *v, const char *field, char **out);          /* non-empty */
int sc_to_id(sc_in *in, const yt_node *v, const char *field, const char *what, char **out); /* [a-z0-9_]+ */
int sc_to_num(sc_in *in, const yt_node *v, const char *field, double *out);         /* finite */
int sc_to_int64(sc_in *in, const yt_node *v, const char *field, int64_t *out);
int sc_to_uint64(sc_in *in, const yt_node *v, const char *field, uint64_t *out);
int sc_to_bool(sc_in *in, const yt_node *v, const char *field, int *out);
int sc_to_date(sc_in *in, const yt_node *v, const char *field, int is_end, int32_t *out);
int sc_to_range(sc_in *in, const yt_node *v, const char *field, double *lo, double *hi);
int sc_to_enum(sc_in *in, const yt_node *v, const char *field, const char *what, const char *const *names, int n,
               int *out);
/* A sequence of ids (strings), each with its line; `what` names them in messages. */
int sc_to_idlist(sc_in *in, const yt_node *v, const char *field, char ***ids, int **lines, int *n);
int sc_valid_id(const char *s);
/* Parse a number written plain: 0 ok, -1 not a number, -2 not finite. */
int sc_parse_num(const char *s, double *out);
void sc_fmt_num(char out[32], double x);

/* ---- scenario_parse.c */
int sc_parse_layer(sc_in *in, const yt_node *root, sc_layer *L);
void sc_layer_free(sc_layer *L);

/* ---- scenario_groups.c */
void sc_free_modules(cor_scenario *sc);
int sc_parse_country(sc_in *in, const yt_node *m, const char *path, char **country);
int sc_parse_id_name(sc_in *in, const yt_node *m, const char *path, char **id, char **name);
typedef int (*sc_item_parser)(sc_in *in, const yt_node *m, const char *path, void *item, int index);
typedef const char *(*sc_item_id)(const void *item);
int sc_parse_items(sc_in *in, const yt_node *s, const char *name, const char *what, size_t size, void **items,
                   int *n, sc_item_parser parse, sc_item_id id_of);
int sc_parse_populations(sc_in *in, const yt_node *v, cor_scenario *it);
int sc_parse_timeline(sc_in *in, const yt_node *v, cor_scenario *it);

/* ---- scenario_csv.c */
/* Read the demand CSV `path` (as written at line/field of in->file) into p;
 * *ncols is 1 (month,people) or COR_N_DEMOS. */
int sc_read_demand_csv(sc_in *in, const char *path, int line, const char *field, cor_sc_population *p, int *ncols);

/* ---- scenario_merge.c */
int sc_apply_layer(sc_in *in, cor_scenario *sc, sc_layer *L);
void sc_free_items(cor_scenario *sc);    /* meta strings and item arrays, not files/state */
void sc_free_place(cor_sc_place *p);
void sc_free_link(cor_sc_link *l);
void sc_free_population(cor_sc_population *p);
void sc_free_param(cor_sc_param *p);
void sc_free_lever(cor_sc_lever *l);
void sc_free_idlist(sc_idlist *l);

/* ---- scenario_check.c */
int sc_check(cor_scenario *sc);

#endif
