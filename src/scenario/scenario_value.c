/* scenario_value.c - converting YAML scalars to values, each failure reported
 * as "file:line: field: what is wrong" (see scenario_internal.h). */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/calendar.h"
#include "scenario/scenario_internal.h"

/* ------------------------------------------------------------------ errors */

static int vset_error(cor_scenario *sc, cor_pos pos, const char *field, const char *fmt, va_list ap)
{
    char msg[768];
    vsnprintf(msg, sizeof msg, fmt, ap);
    snprintf(sc->errmsg, sizeof sc->errmsg, "%s:%d: %s: %s", pos.file ? pos.file : "?", pos.line,
             field && field[0] ? field : "(top)", msg);
    /* one line: user text (ids, values) may hold control characters */
    for (char *p = sc->errmsg; *p; p++)
        if ((unsigned char)*p < 0x20 || *p == 0x7f)
            *p = ' ';
    return COR_EINPUT;
}

int cor_sc_error(cor_scenario *sc, cor_pos pos, const char *field, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int rc = vset_error(sc, pos, field, fmt, ap);
    va_end(ap);
    return rc;
}

int sc_err(sc_in *in, int line, const char *field, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    cor_pos pos = {in->file, line};
    int rc = vset_error(in->sc, pos, field, fmt, ap);
    va_end(ap);
    return rc;
}

/* ------------------------------------------------------------------- paths */

void sc_path_key(char *out, const char *base, const char *key)
{
    if (base && base[0])
        snprintf(out, SC_PATH, "%.*s.%.*s", SC_PATH / 2, base, SC_PATH / 2 - 2, key);
    else
        snprintf(out, SC_PATH, "%.*s", SC_PATH - 1, key);
}

void sc_path_idx(char *out, const char *base, int i)
{
    snprintf(out, SC_PATH, "%.*s[%d]", SC_PATH - 16, base, i);
}

/* ---------------------------------------------------------------- structure */

int sc_check_keys(sc_in *in, const yt_node *map, const char *path, const char *const *allowed)
{
    for (int i = 0; i < yt_pairs(map); i++) {
        const yt_node *k = yt_key(map, i);
        int ok = 0;
        for (int j = 0; allowed[j] && !ok; j++)
            ok = strcmp(k->str, allowed[j]) == 0;
        if (ok)
            continue;
        char list[512] = "", f[SC_PATH];
        size_t used = 0;
        for (int j = 0; allowed[j] && used < sizeof list; j++)
            used += (size_t)snprintf(list + used, sizeof list - used, "%s%s", j ? ", " : "", allowed[j]);
        sc_path_key(f, path, k->str);
        return sc_err(in, k->line, f, "unknown key (allowed: %s)", list);
    }
    return COR_OK;
}

int sc_missing(sc_in *in, const yt_node *map, const char *path, const char *key)
{
    char f[SC_PATH];
    sc_path_key(f, path, key);
    return sc_err(in, map->line, f, "missing required field");
}

int sc_want_map(sc_in *in, const yt_node *v, const char *field)
{
    if (v->type == YT_MAP)
        return COR_OK;
    return sc_err(in, v->line, field, "expected a mapping, got %s", yt_kind_name(v));
}

int sc_want_seq(sc_in *in, const yt_node *v, const char *field)
{
    if (v->type == YT_SEQ)
        return COR_OK;
    return sc_err(in, v->line, field, "expected a sequence, got %s", yt_kind_name(v));
}

/* "a mapping", "null", "'abc'" or "the quoted string \"12\"": what was found. */
static const char *got(const yt_node *v, char *buf, size_t size)
{
    if (v->type != YT_SCALAR || yt_is_null(v))
        return yt_kind_name(v);
    if (v->plain)
        snprintf(buf, size, "'%.60s%s'", v->str, v->len > 60 ? "..." : "");
    else
        snprintf(buf, size, "the quoted string \"%.60s%s\"", v->str, v->len > 60 ? "..." : "");
    return buf;
}

/* ------------------------------------------------------------------ scalars */

char *sc_strdup(const char *s)
{
    size_t n = strlen(s) + 1;
    char *d = malloc(n);
    if (d)
        memcpy(d, s, n);
    return d;
}

int sc_to_str(sc_in *in, const yt_node *v, const char *field, char **out)
{
    if (v->type != YT_SCALAR || yt_is_null(v))
        return sc_err(in, v->line, field, "expected a string, got %s", yt_kind_name(v));
    if (v->len == 0)
        return sc_err(in, v->line, field, "must not be empty");
    char *s = sc_strdup(v->str);
    if (!s)
        return sc_nomem(in->sc);
    free(*out);
    *out = s;
    return COR_OK;
}

int sc_valid_id(const char *s)
{
    if (!*s)
        return 0;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '_'))
            return 0;
    return 1;
}

int sc_to_id(sc_in *in, const yt_node *v, const char *field, const char *what, char **out)
{
    if (v->type == YT_SCALAR && !yt_is_null(v) && v->len > 0 && !sc_valid_id(v->str))
        return sc_err(in, v->line, field, "'%.80s' is not a valid %s (lowercase letters, digits and _)", v->str,
                      what);
    return sc_to_str(in, v, field, out);
}

int sc_parse_num(const char *s, double *out)
{
    const char *p = s;
    if (*p == '+' || *p == '-')
        p++;
    if (p[0] == '.' && (p[1] == 'i' || p[1] == 'I' || p[1] == 'n' || p[1] == 'N')) {
        static const char *const special[] = {"inf", "Inf", "INF", "nan", "NaN", "NAN"};
        for (size_t i = 0; i < sizeof special / sizeof *special; i++)
            if (strcmp(p + 1, special[i]) == 0)
                return -2;
        return -1;
    }
    int digits = 0;
    while (isdigit((unsigned char)*p))
        p++, digits++;
    if (*p == '.') {
        p++;
        while (isdigit((unsigned char)*p))
            p++, digits++;
    }
    if (!digits)
        return -1;
    if (*p == 'e' || *p == 'E') {
        p++;
        if (*p == '+' || *p == '-')
            p++;
        if (!isdigit((unsigned char)*p))
            return -1;
        while (isdigit((unsigned char)*p))
            p++;
    }
    if (*p)
        return -1;
    double x = strtod(s, NULL);
    if (!isfinite(x))
        return -2;
    *out = x;
    return 0;
}

void sc_fmt_num(char out[32], double x)
{
    snprintf(out, 32, "%.10g", x);
}

int sc_to_num(sc_in *in, const yt_node *v, const char *field, double *out)
{
    char g[128];
    if (v->type != YT_SCALAR || yt_is_null(v) || !v->plain)
        return sc_err(in, v->line, field, "expected a number, got %s", got(v, g, sizeof g));
    int rc = sc_parse_num(v->str, out);
    if (rc == -2)
        return sc_err(in, v->line, field, "expected a finite number, got %s", got(v, g, sizeof g));
    if (rc < 0)
        return sc_err(in, v->line, field, "expected a number, got %s", got(v, g, sizeof g));
    return COR_OK;
}

static int all_digits(const char *s)
{
    if (!*s)
        return 0;
    for (; *s; s++)
        if (!isdigit((unsigned char)*s))
            return 0;
    return 1;
}

int sc_to_int64(sc_in *in, const yt_node *v, const char *field, int64_t *out)
{
    char g[128];
    if (v->type != YT_SCALAR || yt_is_null(v) || !v->plain ||
        !all_digits(v->str + (v->str[0] == '-' || v->str[0] == '+')))
        return sc_err(in, v->line, field, "expected an integer, got %s", got(v, g, sizeof g));
    errno = 0;
    long long x = strtoll(v->str, NULL, 10);
    if (errno == ERANGE)
        return sc_err(in, v->line, field, "integer %s is out of range", got(v, g, sizeof g));
    *out = (int64_t)x;
    return COR_OK;
}

int sc_to_uint64(sc_in *in, const yt_node *v, const char *field, uint64_t *out)
{
    char g[128];
    if (v->type != YT_SCALAR || yt_is_null(v) || !v->plain || !all_digits(v->str + (v->str[0] == '+')))
        return sc_err(in, v->line, field, "expected an unsigned integer, got %s", got(v, g, sizeof g));
    errno = 0;
    unsigned long long x = strtoull(v->str, NULL, 10);
    if (errno == ERANGE || x > UINT64_MAX)
        return sc_err(in, v->line, field, "integer %s is out of range", got(v, g, sizeof g));
    *out = (uint64_t)x;
    return COR_OK;
}

int sc_to_bool(sc_in *in, const yt_node *v, const char *field, int *out)
{
    static const char *const t[] = {"true", "True", "TRUE"}, *const f[] = {"false", "False", "FALSE"};
    char g[128];
    if (v->type == YT_SCALAR && v->plain)
        for (int i = 0; i < 3; i++) {
            if (strcmp(v->str, t[i]) == 0)
                return *out = 1, COR_OK;
            if (strcmp(v->str, f[i]) == 0)
                return *out = 0, COR_OK;
        }
    return sc_err(in, v->line, field, "expected true or false, got %s", got(v, g, sizeof g));
}

int sc_to_date(sc_in *in, const yt_node *v, const char *field, int is_end, int32_t *out)
{
    if (v->type != YT_SCALAR || yt_is_null(v))
        return sc_err(in, v->line, field, "expected a date (YYYY-MM-DD or YYYY-MM), got %s", yt_kind_name(v));
    int month;
    if (cor_parse_date(v->str, out) == 0)
        return COR_OK;
    if (cor_parse_month(v->str, &month) == 0) {
        *out = is_end ? cor_month_last_day(month) : cor_month_first_day(month);
        return COR_OK;
    }
    return sc_err(in, v->line, field, "'%.40s' is not a date (YYYY-MM-DD or YYYY-MM)", v->str);
}

int sc_to_range(sc_in *in, const yt_node *v, const char *field, double *lo, double *hi)
{
    char f[SC_PATH];
    if (v->type != YT_SEQ)
        return sc_err(in, v->line, field, "expected a range [lo, hi], got %s", yt_kind_name(v));
    if (v->n != 2)
        return sc_err(in, v->line, field, "expected a range [lo, hi], got %d item%s", v->n, v->n == 1 ? "" : "s");
    int rc;
    sc_path_idx(f, field, 0);
    if ((rc = sc_to_num(in, v->kids[0], f, lo)))
        return rc;
    sc_path_idx(f, field, 1);
    if ((rc = sc_to_num(in, v->kids[1], f, hi)))
        return rc;
    if (*lo > *hi) {
        char a[32], b[32];
        sc_fmt_num(a, *lo);
        sc_fmt_num(b, *hi);
        return sc_err(in, v->line, field, "range [%s, %s] has lo > hi", a, b);
    }
    return COR_OK;
}

int sc_to_enum(sc_in *in, const yt_node *v, const char *field, const char *what, const char *const *names, int n,
               int *out)
{
    if (v->type != YT_SCALAR || yt_is_null(v))
        return sc_err(in, v->line, field, "expected a %s, got %s", what, yt_kind_name(v));
    for (int i = 0; i < n; i++)
        if (strcmp(v->str, names[i]) == 0)
            return *out = i, COR_OK;
    char list[512] = "";
    size_t used = 0;
    for (int i = 0; i < n && used < sizeof list; i++)
        used += (size_t)snprintf(list + used, sizeof list - used, "%s%s", i == 0 ? "" : i == n - 1 ? " or " : ", ",
                                 names[i]);
    return sc_err(in, v->line, field, "unknown %s '%.80s' (expected %s)", what, v->str, list);
}

int sc_to_idlist(sc_in *in, const yt_node *v, const char *field, char ***ids, int **lines, int *n)
{
    int rc = sc_want_seq(in, v, field);
    if (rc)
        return rc;
    *ids = calloc((size_t)v->n + 1, sizeof **ids);
    *lines = calloc((size_t)v->n + 1, sizeof **lines);
    if (!*ids || !*lines)
        return sc_nomem(in->sc);
    for (int i = 0; i < v->n; i++) {
        char f[SC_PATH];
        sc_path_idx(f, field, i);
        if ((rc = sc_to_str(in, v->kids[i], f, &(*ids)[i])))
            return rc;
        (*lines)[i] = v->kids[i]->line;
        *n = i + 1;
    }
    return COR_OK;
}
