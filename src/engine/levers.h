/* levers.h - the dated timeline of policy levers.
 *
 * A lever is a named number that modules read: "what is in force today,
 * here, for this person".  Entries come from the scenario's timeline (in
 * file order) and from modules during a run (cor_levers_write, appended
 * after all others, so they win).  Where entries overlap, the later one
 * wins.  Each day the engine refreshes the active entries and reports the
 * entries that started today or ended yesterday as changes, so modules can
 * wake the agents they concern.
 *
 * Levers are registered by name by the modules that read them; a timeline
 * entry naming a lever no module reads is an error (likely a typo).
 */
#ifndef COR_LEVERS_H
#define COR_LEVERS_H

#include <stdint.h>

#include "scenario/scenario.h"

/* A scope; empty lists match everything.  Lists are sorted ascending. */
typedef struct {
    const int *places; int n_places;
    const int *links;  int n_links;
    const int *groups; int n_groups;
    unsigned demo_mask;
} cor_scope;

typedef struct {
    int lever;
    double value;
    int32_t start, end;          /* inclusive */
    cor_scope scope;
    const cor_sc_lever *origin;  /* the timeline entry, or NULL if written by a module */
    int owned;                   /* scope arrays owned by this entry */
} cor_lever_entry;

typedef struct {
    int lever;
    int entry;                   /* index into entries */
    int started;                 /* 1: started today; 0: ended yesterday */
} cor_lever_change;

typedef struct {
    char **names;
    int n_levers;
    cor_lever_entry *entries;
    int n_entries, cap_entries;
    int *active;                 /* per lever: indices of active entries, ascending (later wins) */
    int *active_start;           /* n_levers + 1 offsets into active */
    int n_active, cap_active;
    cor_lever_change *changes;   /* today's changes */
    int n_changes, cap_changes;
} cor_levers;

void cor_levers_init(cor_levers *lv);
void cor_levers_free(cor_levers *lv);

/* Lever id for a name, registering it; -1 out of memory. */
int cor_levers_id(cor_levers *lv, const char *name);
int cor_levers_find(const cor_levers *lv, const char *name);

/* Copy the scenario timeline in (levers must have been registered by the
 * modules); on an unknown lever name, writes a message and returns -1. */
int cor_levers_load(cor_levers *lv, const cor_scenario *sc, char *err, size_t errlen);

/* Add an entry from a module: value in force from day `from` on (open-ended)
 * in the given scope (copied).  Returns 0, or -1 out of memory. */
int cor_levers_write(cor_levers *lv, int lever, double value, int32_t from, const cor_scope *scope);

/* Recompute the active entries for `day` and the list of changes
 * (entries with start == day, or end == day - 1). */
int cor_levers_refresh(cor_levers *lv, int32_t day);

/* The value in force for this lever at (place, link, group, demo) today;
 * pass -1 for a dimension that does not apply (then only entries without a
 * restriction on that dimension match).  Returns 1 and sets *value if an
 * entry is in force, else 0. */
int cor_levers_get(const cor_levers *lv, int lever, int place, int link, int group, int demo, double *value);

/* The index (into entries) of the entry that gives that value, or -1:
 * for modules that keep state per entry (a quota per issuing window). */
int cor_levers_entry(const cor_levers *lv, int lever, int place, int link, int group, int demo);

/* The indices of one lever's entries in lv->entries (timeline entries and
 * module writes, in order), brought up to date by cor_lever_list_update:
 * COR_OK, or COR_ENOMEM (the list is left as it was). */
typedef struct {
    int *idx;
    int n, seen;   /* entries listed; lv->n_entries when last updated */
} cor_lever_list;
int cor_lever_list_update(const cor_levers *lv, int lever, cor_lever_list *l);
void cor_lever_list_free(cor_lever_list *l);

/* Does a scope contain this place / link (empty list: yes)? */
int cor_scope_has_place(const cor_scope *s, int place);
int cor_scope_has_link(const cor_scope *s, int link);

#endif
