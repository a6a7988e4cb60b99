/* csv.c - the strict CSV reader shared by the data readers (csv.h). */
#include "data/csv.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "corredor.h"



#if defined(__GNUC__)
__attribute__((format(printf, 4, 5)))
#endif
int cor_csv_err(cor_csv *c, int line, int col, const char *fmt, ...)
{
    char msg[600];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (col > 0)
        snprintf(c->err, c->errn, "%s:%d:%d: %s", c->path, line, col, msg);
    else
        snprintf(c->err, c->errn, "%s:%d: %s", c->path, line, msg);
    return COR_EINPUT;
}

static int cor_csv_col_(const cor_csv *c) { return (int)(c->pos - c->line_start) + 1; }

/* Next record into c->f[0..nf): 1 a record, 0 end of file, < 0 -code.
 * RFC 4180: quoted fields may hold commas, "" and line breaks; LF or CRLF;
 * blank lines are skipped. */
int cor_csv_next(cor_csv *c)
{
    char *b = c->buf;
    for (;;) {
        if (c->pos >= c->len)
            return 0;
        const size_t eol = b[c->pos] == '\n' ? 1 : b[c->pos] == '\r' && b[c->pos + 1] == '\n' ? 2 : 0;
        if (!eol)
            break;
        c->pos += eol;
        c->line++;
        c->line_start = c->pos;
    }
    for (c->nf = 0;;) {
        const int fl = c->line, fc = cor_csv_col_(c);
        char *field = b + c->pos, *w = field;
        if (b[c->pos] == '"') {
            for (c->pos++;; c->pos++) {
                if (c->pos >= c->len)
                    return -cor_csv_err(c, fl, fc, "unterminated quoted field");
                const char ch = b[c->pos];
                if (ch == '"' && b[c->pos + 1] != '"') {
                    c->pos++;
                    break;
                }
                if (ch == '\0')
                    return -cor_csv_err(c, c->line, cor_csv_col_(c), "NUL byte");
                *w++ = ch;
                c->pos += ch == '"';
                if (ch == '\n') {
                    c->line++;
                    c->line_start = c->pos + 1;
                }
            }
        } else {
            for (; c->pos < c->len; c->pos++) {
                const char ch = b[c->pos];
                if (ch == ',' || ch == '\n' || ch == '\r')
                    break;
                if (ch == '"' || ch == '\0')
                    return -cor_csv_err(c, c->line, cor_csv_col_(c), ch ? "quote inside an unquoted field" : "NUL byte");
            }
            w = b + c->pos;
        }
        if (c->nf == COR_CSV_MAXF)
            return -cor_csv_err(c, fl, fc, "more than %d fields", COR_CSV_MAXF);
        c->f[c->nf] = field;
        c->fline[c->nf] = fl;
        c->fcol[c->nf++] = fc;
        const char t = b[c->pos];
        const int col = cor_csv_col_(c);
        if (c->pos >= c->len || t == ',' || t == '\n' || (t == '\r' && b[c->pos + 1] == '\n')) {
            c->pos += c->pos >= c->len ? 0 : t == '\r' ? 2 : 1;
            *w = '\0';
            if (t == ',')
                continue;
            if (t) {
                c->line++;
                c->line_start = c->pos;
            }
            return 1;
        }
        return -cor_csv_err(c, c->line, col,
                        t == '\r' ? "carriage return not followed by a line feed"
                                  : "unexpected character after a closing quote");
    }
}

/* Open a file (dir/name, or name alone when dir is NULL), read it whole
 * and read its header. */
int cor_csv_open(cor_csv *c, const char *dir, const char *name, char *err, size_t errn)
{
    memset(c, 0, sizeof *c);
    c->err = err, c->errn = errn, c->line = 1;
    if (dir)
        snprintf(c->path, sizeof c->path, "%s/%s", dir, name);
    else
        snprintf(c->path, sizeof c->path, "%s", name);
    struct stat st;
    if (stat(c->path, &st) == 0 && !S_ISREG(st.st_mode)) {
        snprintf(err, errn, "cannot read '%s': not a regular file", c->path);
        return COR_EIO;
    }
    FILE *fp = fopen(c->path, "rb");
    long n = -1;
    if (fp && fseek(fp, 0, SEEK_END) == 0 && (n = ftell(fp)) >= 0 && fseek(fp, 0, SEEK_SET) == 0 &&
        (c->buf = malloc((size_t)n + 2)) != NULL)
        c->len = fread(c->buf, 1, (size_t)n, fp);
    const int bad = !fp || n < 0 || (c->buf && (c->len != (size_t)n || ferror(fp)));
    const int e = errno;
    if (fp)
        fclose(fp);
    if (bad) {
        snprintf(err, errn, "cannot read '%s': %s", c->path, strerror(e));
        return COR_EIO;
    }
    if (!c->buf)
        return COR_ENOMEM;
    c->buf[c->len] = c->buf[c->len + 1] = '\0';
    int rc = cor_csv_next(c);
    if (rc < 0)
        return -rc;
    if (rc == 0)
        return cor_csv_err(c, 1, 0, "empty file (no header)");
    memcpy(c->hdr, c->f, sizeof c->hdr);
    c->nhdr = c->nf;
    return COR_OK;
}

void cor_csv_close(cor_csv *c)
{
    free(c->buf);
    c->buf = NULL;
}

/* Column indices of names[0..n); an error names the first one missing. */
int cor_csv_cols(cor_csv *c, const char *const *names, int n, int *idx)
{
    for (int i = 0; i < n; i++) {
        idx[i] = -1;
        for (int j = 0; j < c->nhdr; j++)
            if (strcmp(c->hdr[j], names[i]) == 0)
                idx[i] = j;
        if (idx[i] < 0)
            return cor_csv_err(c, 1, 0, "missing column '%s'", names[i]);
    }
    return COR_OK;
}

/* Next data row with as many fields as the header: 1, 0 (end) or -code. */
int cor_csv_row(cor_csv *c)
{
    const int rc = cor_csv_next(c);
    if (rc == 1 && c->nf != c->nhdr)
        return -cor_csv_err(c, c->fline[0], 0, "expected %d fields, found %d", c->nhdr, c->nf);
    return rc;
}

/* A count >= 0; an empty field is NAN when allow_empty. */
int cor_csv_count(cor_csv *c, int i, int allow_empty, double *v)
{
    if (allow_empty && c->f[i][0] == '\0') {
        *v = NAN;
        return COR_OK;
    }
    char *end;
    errno = 0;
    *v = strtod(c->f[i], &end);
    if (c->f[i][0] == '\0' || isspace((unsigned char)c->f[i][0]) || *end != '\0' || errno || !isfinite(*v) || *v < 0)
        return cor_csv_err(c, c->fline[i], c->fcol[i], "bad count '%.40s' in column '%s' (expected a number >= 0)", c->f[i],
                       c->hdr[i]);
    return COR_OK;
}

