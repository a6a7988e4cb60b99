/* fuzz_scenario.c - libFuzzer target for the scenario loader: any bytes as a
 * scenario file named "fuzz.yaml" in the current directory (so base: and
 * demand: paths are tried relative to it).  The loader must never crash,
 * leak or hang, and must always leave a one-line message on failure.
 *
 *   clang -g -fsanitize=fuzzer,address -Iinclude -Isrc src/scenario/[a-z]*.c \
 *     src/engine/calendar.c tests/fuzz/fuzz_scenario.c -lyaml -lxxhash -lm -o fuzz
 *   mkdir -p /tmp/corpus && cp tests/data/scenario/[a-z]*.yaml /tmp/corpus/
 *   ./fuzz -max_total_time=60 /tmp/corpus
 * (libFuzzer adds new inputs to the first corpus directory: use a copy.
 * Run it from tests/data/scenario/ to let base: and demand: reach fixtures.)
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "scenario/scenario.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    cor_scenario *sc = NULL;
    int rc = cor_scenario_load_mem("fuzz.yaml", data, size, &sc);
    if (sc) {
        const char *msg = cor_scenario_errmsg(sc);
        /* a failure always explains itself, on one line */
        if ((rc != COR_OK && msg[0] == '\0') || strchr(msg, '\n'))
            abort();
        if (rc == COR_OK) {
            /* every resolved index is in range */
            for (int i = 0; i < sc->n_links; i++)
                if (sc->links[i].from < 0 || sc->links[i].from >= sc->n_places || sc->links[i].to < 0 ||
                    sc->links[i].to >= sc->n_places)
                    abort();
            for (int i = 0; i < sc->n_populations; i++)
                for (int j = 0; j < sc->populations[i].n_origins; j++)
                    if (sc->populations[i].origins[j].place < 0 ||
                        sc->populations[i].origins[j].place >= sc->n_places)
                        abort();
        }
    }
    cor_scenario_free(sc);
    return 0;
}
