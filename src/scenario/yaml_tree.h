/* yaml_tree.h - a small YAML document tree built from libyaml events, keeping
 * the 1-based line and column of every node (libyaml's events carry them; the
 * scenario loader needs them for "file:line: field: message" errors).
 *
 * Only what a scenario needs: scalars, sequences and mappings.  Anchors are
 * ignored, aliases are refused (they would let a tiny file expand into a huge
 * tree), mapping keys must be scalars and may not repeat, nesting is limited
 * to YT_MAX_DEPTH, and only one document per stream is allowed.
 *
 * Ownership: yt_parse() returns a tree the caller frees with yt_free().
 */
#ifndef COR_YAML_TREE_H
#define COR_YAML_TREE_H

#include <stddef.h>

#define YT_MAX_DEPTH 64

typedef enum { YT_SCALAR, YT_SEQ, YT_MAP } yt_type;

typedef struct yt_node yt_node;
struct yt_node {
    yt_type type;
    int line, col;          /* 1-based start of the node */
    /* scalars */
    char *str;              /* NUL-terminated value (NUL bytes inside are refused) */
    size_t len;
    int plain;              /* written plain (unquoted, untagged): may be a number, bool or null */
    /* sequences: kids[0..n-1]; mappings: kids[2i] = key, kids[2i+1] = value, n = 2 * pairs */
    yt_node **kids;
    int n, cap;
};

/* Why a parse failed: 1-based line, a field path such as "places[2].kind"
 * (or "yaml" for a syntax error) and the problem text. */
typedef struct {
    int line;
    char field[256];
    char msg[512];
    int nomem;              /* the failure was out of memory */
} yt_error;

/* Parse buf[0..len) (one YAML document).  On success *root is the top node,
 * or NULL for an empty stream, and 0 is returned; on failure -1 and *err. */
int yt_parse(const void *buf, size_t len, yt_node **root, yt_error *err);
void yt_free(yt_node *node);

/* Mapping helpers. */
static inline int yt_pairs(const yt_node *map) { return map->n / 2; }
static inline yt_node *yt_key(const yt_node *map, int i) { return map->kids[2 * i]; }
static inline yt_node *yt_val(const yt_node *map, int i) { return map->kids[2 * i + 1]; }
/* Index of the pair whose key is `key`, or -1. */
int yt_find(const yt_node *map, const char *key);
/* The value for `key`, or NULL. */
yt_node *yt_get(const yt_node *map, const char *key);

/* A plain null scalar: empty, ~, null, Null, NULL. */
int yt_is_null(const yt_node *node);
/* "a string", "a number"... for messages: "a mapping", "a sequence", "null", "a scalar". */
const char *yt_kind_name(const yt_node *node);

#endif
