/* registry.c - the rule sets and policy modules built into corredor, by
 * name, in their canonical stacking order.  The engine (src/engine/) knows
 * none of them: it looks them up here (cor_rules_find, cor_rules_rank,
 * declared in engine/rules.h).  To add a module: write it (docs/MODULES.md),
 * add its name below at its place in the order, and document why there. */
#include <string.h>

#include "engine/rules.h"

/* Every rule set and module, in the canonical stacking order (bottom to
 * top): a scenario's meta.modules are stacked in this order whatever order
 * it lists them in, so that chained hooks always meet in the same order
 * (docs/MODEL.md, "Modules").  Layer 0 is the base rule set (meta.rules). */
#define MODULES(X)                                                                                      \
    X(corridor) /* base rule set: movement, shelters, border waits, encounters */                       \
    X(returns) X(title8) X(mpp) X(title42) X(proclamation) X(cbp_one) X(parole) X(closures)            \
    X(comar) X(inm) X(guard) X(due_process) X(tvrh)                                                     \
    X(deterrence) X(root_causes) X(caravans) X(harm)

#define DECLARE(n) extern const cor_rules cor_##n##_rules __attribute__((weak));
MODULES(DECLARE)
#undef DECLARE

typedef struct {
    const char *name;
    const cor_rules *rules;
} module_entry;

#define ENTRY(n) {#n, &cor_##n##_rules},
static const module_entry modules[] = {MODULES(ENTRY)};
#undef ENTRY

const cor_rules *cor_rules_find(const char *name)
{
    for (size_t i = 0; i < sizeof modules / sizeof *modules; i++)
        if (strcmp(name, modules[i].name) == 0)
            return modules[i].rules; /* NULL if that module is not built in */
    return NULL;
}

int cor_rules_rank(const char *name)
{
    for (size_t i = 0; i < sizeof modules / sizeof *modules; i++)
        if (strcmp(name, modules[i].name) == 0 && modules[i].rules)
            return (int)i;
    return -1;
}

const char *cor_rules_names(void)
{
#define NAME(n) " " #n
    static const char names[] = MODULES(NAME);
#undef NAME
    return &names[1]; /* skip the leading space */
}

