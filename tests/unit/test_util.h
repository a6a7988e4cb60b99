/* test_util.h - helpers shared by the unit tests (header-only). */
#ifndef COR_TEST_UTIL_H
#define COR_TEST_UTIL_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "corredor.h"

/* Path of a file in the source tree (COR_SOURCE_DIR, else the cwd). */
static inline const char *src_path(char *buf, size_t n, const char *rel)
{
    const char *root = getenv("COR_SOURCE_DIR");
    snprintf(buf, n, "%s/%s", root && *root ? root : ".", rel);
    return buf;
}

/* Scratch directory for outputs (COR_TEST_TMP, else /tmp). */
static inline const char *tmp_path(char *buf, size_t n, const char *rel)
{
    const char *root = getenv("COR_TEST_TMP");
    snprintf(buf, n, "%s/%s", root && *root ? root : "/tmp", rel);
    return buf;
}

/* Load a scenario from the source tree or fail the test with its message. */
static inline cor_scenario *load_scenario(const char *rel)
{
    char path[4096];
    cor_scenario *sc = NULL;
    int rc = cor_scenario_load(src_path(path, sizeof path, rel), &sc);
    if (rc != COR_OK) {
        fprintf(stderr, "loading %s: %s\n", rel, sc ? cor_scenario_errmsg(sc) : "out of memory");
        cor_scenario_free(sc);
        return NULL;
    }
    return sc;
}

#endif
