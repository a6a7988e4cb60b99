/* scenario_csv.c - demand CSV files: `month,people` or
 * `month,single_adults,family_members,unaccompanied_children`, month as
 * YYYY-MM strictly increasing, counts finite and >= 0.  Errors name the CSV
 * file, its line and the column. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/calendar.h"
#include "scenario/scenario_internal.h"

#define MAX_COLS (1 + COR_N_DEMOS)

static const char *const header_people[] = {"month", "people"};
static const char *const header_demos[] = {"month", "single_adults", "family_members", "unaccompanied_children"};

typedef struct {
    int month;
    double v[COR_N_DEMOS];
} row_t;

/* Split line (modified in place) at commas; trim blanks and one pair of
 * surrounding double quotes.  Returns the number of fields (up to max; more
 * are counted but not stored). */
static int split_fields(char *line, char **fields, int max)
{
    int n = 0;
    char *p = line;
    for (;;) {
        char *end = strchr(p, ',');
        if (end)
            *end = '\0';
        while (*p == ' ' || *p == '\t')
            p++;
        size_t len = strlen(p);
        while (len && (p[len - 1] == ' ' || p[len - 1] == '\t'))
            p[--len] = '\0';
        if (len >= 2 && p[0] == '"' && p[len - 1] == '"') {
            p[len - 1] = '\0';
            p++;
        }
        if (n < max)
            fields[n] = p;
        n++;
        if (!end)
            return n;
        p = end + 1;
    }
}

static int blank(const char *s)
{
    for (; *s; s++)
        if (*s != ' ' && *s != '\t')
            return 0;
    return 1;
}

static int parse_rows(cor_scenario *sc, const char *file, char *text, int *ncols_out, row_t **rows_out, int *nrows_out)
{
    cor_pos pos = {file, 0};
    char *fields[MAX_COLS];
    row_t *rows = NULL;
    int nrows = 0, cap = 0, ncols = 0, rc = COR_OK;
    char *line = text;
    if ((unsigned char)line[0] == 0xEF && (unsigned char)line[1] == 0xBB && (unsigned char)line[2] == 0xBF)
        line += 3; /* UTF-8 byte order mark */
    while (line && !rc) {
        pos.line++;
        char *next = strchr(line, '\n');
        if (next)
            *next++ = '\0';
        size_t len = strlen(line);
        if (len && line[len - 1] == '\r')
            line[--len] = '\0';
        if (ncols == 0) {
            char seen[64];
            snprintf(seen, sizeof seen, "%.50s%s", line, len > 50 ? "..." : "");
            int n = split_fields(line, fields, MAX_COLS);
            const char *const *want = n == 2 ? header_people : n == MAX_COLS ? header_demos : NULL;
            for (int i = 0; want && i < n; i++)
                if (strcmp(fields[i], want[i]) != 0)
                    want = NULL;
            if (!want) {
                rc = cor_sc_error(sc, pos, "header",
                                  "expected 'month,people' or "
                                  "'month,single_adults,family_members,unaccompanied_children', got '%s'",
                                  seen);
                break;
            }
            ncols = n - 1;
            line = next;
            continue;
        }
        if (blank(line)) {
            line = next;
            continue;
        }
        int n = split_fields(line, fields, MAX_COLS);
        const char *const *names = ncols == 1 ? header_people : header_demos;
        if (n < ncols + 1) {
            rc = cor_sc_error(sc, pos, names[n], "missing field (the header has %d columns)", ncols + 1);
            break;
        }
        if (n > ncols + 1) {
            rc = cor_sc_error(sc, pos, "row", "%d fields, but the header has %d columns", n, ncols + 1);
            break;
        }
        if (nrows == cap) {
            cap = cap ? cap * 2 : 64;
            row_t *r = realloc(rows, (size_t)cap * sizeof *r);
            if (!r) {
                rc = sc_nomem(sc);
                break;
            }
            rows = r;
        }
        row_t *r = &rows[nrows];
        memset(r, 0, sizeof *r);
        if (cor_parse_month(fields[0], &r->month) != 0) {
            rc = cor_sc_error(sc, pos, "month", "'%.40s' is not a month (YYYY-MM)", fields[0]);
            break;
        }
        if (nrows > 0 && r->month <= rows[nrows - 1].month) {
            char prev[8];
            cor_format_month(rows[nrows - 1].month, prev);
            rc = cor_sc_error(sc, pos, "month", "months must be strictly increasing ('%s' comes after '%s')",
                              fields[0], prev);
            break;
        }
        for (int c = 1; c <= ncols && !rc; c++) {
            int k = sc_parse_num(fields[c], &r->v[c - 1]);
            if (k == -2)
                rc = cor_sc_error(sc, pos, names[c], "'%.40s' is not a finite number", fields[c]);
            else if (k < 0)
                rc = cor_sc_error(sc, pos, names[c], "'%.40s' is not a number", fields[c]);
            else if (r->v[c - 1] < 0)
                rc = cor_sc_error(sc, pos, names[c], "must be >= 0, got %s", fields[c]);
        }
        nrows++;
        line = next;
    }
    if (!rc && ncols == 0) {
        pos.line = 1;
        rc = cor_sc_error(sc, pos, "header", "the file is empty");
    }
    if (rc) {
        free(rows);
        return rc;
    }
    *ncols_out = ncols;
    *rows_out = rows;
    *nrows_out = nrows;
    return COR_OK;
}

int sc_read_demand_csv(sc_in *in, const char *path, int line, const char *field, cor_sc_population *p, int *ncols)
{
    char *full = sc_join(in->file, path), *buf = NULL;
    size_t len;
    const char *file;
    uint64_t dev, ino;
    if (!full)
        return sc_nomem(in->sc);
    int rc = sc_read_file(in->sc, full, (cor_pos){in->file, line}, field, &buf, &len, &file, &dev, &ino);
    free(full);
    if (rc)
        return rc;
    const char *nul = memchr(buf, '\0', len);
    if (nul) {
        int l = 1;
        for (const char *q = buf; q < nul; q++)
            l += *q == '\n';
        free(buf);
        return cor_sc_error(in->sc, (cor_pos){file, l}, "row", "NUL byte in a text file");
    }
    row_t *rows = NULL;
    int nrows = 0;
    rc = parse_rows(in->sc, file, buf, ncols, &rows, &nrows);
    free(buf);
    if (rc)
        return rc;
    if (nrows > 0) {
        p->demand_month0 = rows[0].month;
        p->n_months = rows[nrows - 1].month - rows[0].month + 1;
        p->demand = calloc((size_t)p->n_months * COR_N_DEMOS, sizeof *p->demand);
        if (!p->demand) {
            free(rows);
            return sc_nomem(in->sc);
        }
        /* one column: people go to slot 0 and are split by the caller */
        for (int i = 0; i < nrows; i++)
            memcpy(p->demand + (size_t)(rows[i].month - p->demand_month0) * COR_N_DEMOS, rows[i].v,
                   sizeof rows[i].v);
    }
    free(rows);
    return COR_OK;
}
