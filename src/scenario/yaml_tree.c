/* yaml_tree.c - build a yt_node tree from libyaml events (see yaml_tree.h). */
#include "scenario/yaml_tree.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yaml.h>

void yt_free(yt_node *node)
{
    if (!node)
        return;
    for (int i = 0; i < node->n; i++)
        yt_free(node->kids[i]);
    free(node->kids);
    free(node->str);
    free(node);
}

int yt_find(const yt_node *map, const char *key)
{
    if (!map || map->type != YT_MAP)
        return -1;
    for (int i = 0; i < yt_pairs(map); i++)
        if (strcmp(yt_key(map, i)->str, key) == 0)
            return i;
    return -1;
}

yt_node *yt_get(const yt_node *map, const char *key)
{
    int i = yt_find(map, key);
    return i < 0 ? NULL : yt_val(map, i);
}

int yt_is_null(const yt_node *node)
{
    if (!node || node->type != YT_SCALAR || !node->plain)
        return 0;
    const char *s = node->str;
    return s[0] == '\0' || strcmp(s, "~") == 0 || strcmp(s, "null") == 0 || strcmp(s, "Null") == 0 ||
           strcmp(s, "NULL") == 0;
}

const char *yt_kind_name(const yt_node *node)
{
    if (!node)
        return "nothing";
    switch (node->type) {
    case YT_MAP: return "a mapping";
    case YT_SEQ: return "a sequence";
    default: return yt_is_null(node) ? "null" : "a scalar";
    }
}

/* ------------------------------------------------------------------ builder */

typedef struct {
    yt_node *stack[YT_MAX_DEPTH + 1];
    int depth;              /* open containers */
    yt_node *root;
    int docs;               /* documents started */
    yt_error *err;
} builder;

static void set_err(yt_error *err, int line, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;
static void set_err(yt_error *err, int line, const char *fmt, ...)
{
    va_list ap;
    err->line = line;
    va_start(ap, fmt);
    vsnprintf(err->msg, sizeof err->msg, fmt, ap);
    va_end(ap);
}

/* Append a printf-formatted segment to the field path `path`. */
static void path_add(char *path, size_t size, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;
static void path_add(char *path, size_t size, const char *fmt, ...)
{
    size_t used = strlen(path);
    if (used + 1 >= size)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(path + used, size - used, fmt, ap);
    va_end(ap);
}

/* The field path of the node being worked on: levels stack[0..upto).  With
 * `pending`, the top level is about to receive a new child (sequence: index
 * n; mapping: the value of its last key, or nothing if a key is expected);
 * otherwise every level's current child is its last one. */
static void build_path(const builder *b, int upto, int pending, char *path, size_t size)
{
    path[0] = '\0';
    for (int i = 0; i < upto; i++) {
        const yt_node *c = b->stack[i];
        int pend = pending && i == upto - 1;
        if (c->type == YT_SEQ) {
            path_add(path, size, "[%d]", pend ? c->n : c->n - 1);
        } else {
            int k = pend ? (c->n % 2 ? c->n - 1 : -1) : c->n - 2;
            if (k >= 0)
                path_add(path, size, "%s%s", path[0] ? "." : "", c->kids[k]->str);
        }
    }
}

static yt_node *new_node(yt_type type, const yaml_mark_t *mark)
{
    yt_node *n = calloc(1, sizeof *n);
    if (!n)
        return NULL;
    n->type = type;
    n->line = (int)mark->line + 1;
    n->col = (int)mark->column + 1;
    return n;
}

static int add_kid(yt_node *parent, yt_node *kid)
{
    if (parent->n == parent->cap) {
        int cap = parent->cap ? parent->cap * 2 : 8;
        yt_node **k = realloc(parent->kids, (size_t)cap * sizeof *k);
        if (!k)
            return -1;
        parent->kids = k;
        parent->cap = cap;
    }
    parent->kids[parent->n++] = kid;
    return 0;
}

/* Attach a finished or just-opened node to the current container (or make it
 * the root).  Takes ownership of node in every case. */
static int attach(builder *b, yt_node *node)
{
    if (b->depth == 0) {
        if (b->root) {
            /* cannot happen with one document, but be safe */
            yt_free(node);
            set_err(b->err, 1, "more than one top-level node");
            return -1;
        }
        b->root = node;
        return 0;
    }
    yt_node *top = b->stack[b->depth - 1];
    if (top->type == YT_MAP && top->n % 2 == 0 && node->type != YT_SCALAR) {
        build_path(b, b->depth, 1, b->err->field, sizeof b->err->field);
        set_err(b->err, node->line, "mapping keys must be plain strings, not %s", yt_kind_name(node));
        yt_free(node);
        return -1;
    }
    if (add_kid(top, node) < 0) {
        yt_free(node);
        b->err->nomem = 1;
        set_err(b->err, 0, "out of memory");
        return -1;
    }
    return 0;
}

static int cmp_key(const void *pa, const void *pb)
{
    const yt_node *a = *(yt_node *const *)pa, *b = *(yt_node *const *)pb;
    int c = strcmp(a->str, b->str);
    if (c)
        return c;
    if (a->line != b->line)
        return a->line < b->line ? -1 : 1;
    return (a->col > b->col) - (a->col < b->col);
}

/* At the end of a mapping: refuse repeated keys (O(n log n), so a huge
 * mapping cannot stall the loader).  Reports the earliest repetition. */
static int check_dup_keys(builder *b, yt_node *map)
{
    int n = yt_pairs(map);
    if (n < 2)
        return 0;
    yt_node **keys = malloc((size_t)n * sizeof *keys);
    if (!keys) {
        b->err->nomem = 1;
        set_err(b->err, 0, "out of memory");
        return -1;
    }
    for (int i = 0; i < n; i++)
        keys[i] = yt_key(map, i);
    qsort(keys, (size_t)n, sizeof *keys, cmp_key);
    const yt_node *dup = NULL, *first = NULL;
    for (int i = 1; i < n; i++) {
        if (strcmp(keys[i]->str, keys[i - 1]->str) != 0)
            continue;
        if (!dup || keys[i]->line < dup->line || (keys[i]->line == dup->line && keys[i]->col < dup->col)) {
            dup = keys[i];
            int j = i - 1;
            while (j > 0 && strcmp(keys[j - 1]->str, keys[i]->str) == 0)
                j--;
            first = keys[j];
        }
    }
    int rc = 0;
    if (dup) {
        /* the path of this mapping (still on the stack) plus the key */
        build_path(b, b->depth - 1, 0, b->err->field, sizeof b->err->field);
        path_add(b->err->field, sizeof b->err->field, "%s%s", b->err->field[0] ? "." : "", dup->str);
        set_err(b->err, dup->line, "duplicate key '%s' (first given at line %d)", dup->str, first->line);
        rc = -1;
    }
    free(keys);
    return rc;
}

static int on_event(builder *b, const yaml_event_t *ev)
{
    yt_node *node;
    switch (ev->type) {
    case YAML_DOCUMENT_START_EVENT:
        if (++b->docs > 1) {
            snprintf(b->err->field, sizeof b->err->field, "yaml");
            set_err(b->err, (int)ev->start_mark.line + 1, "only one YAML document is allowed per file");
            return -1;
        }
        return 0;
    case YAML_ALIAS_EVENT:
        build_path(b, b->depth, 1, b->err->field, sizeof b->err->field);
        set_err(b->err, (int)ev->start_mark.line + 1, "YAML aliases (*%s) are not supported",
                (const char *)ev->data.alias.anchor);
        return -1;
    case YAML_SCALAR_EVENT: {
        if (memchr(ev->data.scalar.value, '\0', ev->data.scalar.length)) {
            build_path(b, b->depth, 1, b->err->field, sizeof b->err->field);
            set_err(b->err, (int)ev->start_mark.line + 1, "NUL characters are not allowed in strings");
            return -1;
        }
        node = new_node(YT_SCALAR, &ev->start_mark);
        if (node)
            node->str = malloc(ev->data.scalar.length + 1);
        if (!node || !node->str) {
            free(node);
            b->err->nomem = 1;
            set_err(b->err, 0, "out of memory");
            return -1;
        }
        memcpy(node->str, ev->data.scalar.value, ev->data.scalar.length);
        node->str[ev->data.scalar.length] = '\0';
        node->len = ev->data.scalar.length;
        node->plain = ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE && ev->data.scalar.plain_implicit;
        return attach(b, node);
    }
    case YAML_SEQUENCE_START_EVENT:
    case YAML_MAPPING_START_EVENT:
        if (b->depth >= YT_MAX_DEPTH) {
            build_path(b, b->depth, 1, b->err->field, sizeof b->err->field);
            set_err(b->err, (int)ev->start_mark.line + 1, "nesting deeper than %d levels", YT_MAX_DEPTH);
            return -1;
        }
        node = new_node(ev->type == YAML_MAPPING_START_EVENT ? YT_MAP : YT_SEQ, &ev->start_mark);
        if (!node) {
            b->err->nomem = 1;
            set_err(b->err, 0, "out of memory");
            return -1;
        }
        if (attach(b, node) < 0)
            return -1;
        b->stack[b->depth++] = node;
        return 0;
    case YAML_SEQUENCE_END_EVENT:
        b->depth--;
        return 0;
    case YAML_MAPPING_END_EVENT: {
        int rc = check_dup_keys(b, b->stack[b->depth - 1]);
        b->depth--;
        return rc;
    }
    default:
        return 0;
    }
}

int yt_parse(const void *buf, size_t len, yt_node **root, yt_error *err)
{
    yaml_parser_t parser;
    builder b;
    memset(&b, 0, sizeof b);
    memset(err, 0, sizeof *err);
    b.err = err;
    *root = NULL;
    if (!yaml_parser_initialize(&parser)) {
        err->nomem = 1;
        set_err(err, 0, "out of memory");
        return -1;
    }
    yaml_parser_set_input_string(&parser, (const unsigned char *)buf, len);
    int rc = 0, done = 0;
    while (!done) {
        yaml_event_t ev;
        if (!yaml_parser_parse(&parser, &ev)) {
            snprintf(err->field, sizeof err->field, "yaml");
            if (parser.error == YAML_MEMORY_ERROR) {
                err->nomem = 1;
                set_err(err, 0, "out of memory");
            } else if (parser.context && parser.context_mark.line != parser.problem_mark.line) {
                set_err(err, (int)parser.problem_mark.line + 1, "%s (%s at line %d)",
                        parser.problem ? parser.problem : "syntax error", parser.context,
                        (int)parser.context_mark.line + 1);
            } else if (parser.context) {
                set_err(err, (int)parser.problem_mark.line + 1, "%s (%s)",
                        parser.problem ? parser.problem : "syntax error", parser.context);
            } else {
                set_err(err, (int)parser.problem_mark.line + 1, "%s",
                        parser.problem ? parser.problem : "syntax error");
            }
            rc = -1;
            break;
        }
        done = ev.type == YAML_STREAM_END_EVENT;
        rc = on_event(&b, &ev);
        yaml_event_delete(&ev);
        if (rc < 0)
            break;
    }
    yaml_parser_delete(&parser);
    if (rc < 0) {
        yt_free(b.root);
        if (err->line < 1)
            err->line = 1;
        if (!err->field[0])
            snprintf(err->field, sizeof err->field, "yaml");
        return -1;
    }
    *root = b.root;
    return 0;
}
