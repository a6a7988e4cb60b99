/* csv.h - a strict CSV reader for the data files (RFC 4180: quoted fields
 * may hold commas, "" and line breaks; LF or CRLF; blank lines skipped).
 * Every error names the file, line and column: "path:line:col: message".
 * Ownership: cor_csv_open reads the whole file into a buffer that
 * cor_csv_close frees; fields point into it (unescaped in place). */
#ifndef COR_CSV_H
#define COR_CSV_H

#include <stddef.h>

#define COR_CSV_MAXF 64

typedef struct {
    char path[4200];
    char *buf;
    size_t len, pos, line_start;
    int line;                                   /* line of buf[pos] */
    char *f[COR_CSV_MAXF];                      /* fields of the current record */
    int fline[COR_CSV_MAXF], fcol[COR_CSV_MAXF], nf;
    char *hdr[COR_CSV_MAXF];                    /* the header's fields */
    int nhdr;
    char *err;
    size_t errn;
} cor_csv;

/* Open dir/name (name alone when dir is NULL), read it whole and read its
 * header.  COR_OK, COR_EIO (cannot read), COR_EINPUT (bad CSV), COR_ENOMEM;
 * the message goes to err. */
int cor_csv_open(cor_csv *c, const char *dir, const char *name, char *err, size_t errn);
void cor_csv_close(cor_csv *c);
/* Next record into f[0..nf): 1 a record, 0 end of file, < 0 -code. */
int cor_csv_next(cor_csv *c);
/* Next data row with as many fields as the header: 1, 0 (end) or -code. */
int cor_csv_row(cor_csv *c);
/* Column indices of names[0..n); an error names the first one missing. */
int cor_csv_cols(cor_csv *c, const char *const *names, int n, int *idx);
/* Field i as a count >= 0; an empty field is NAN when allow_empty. */
int cor_csv_count(cor_csv *c, int i, int allow_empty, double *v);
/* Record an error "path:line[:col]: message" (col <= 0: none); returns COR_EINPUT. */
int cor_csv_err(cor_csv *c, int line, int col, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 4, 5)))
#endif
    ;

#endif
