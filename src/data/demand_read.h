/* demand_read.h - the demand derivation's data readers (private to
 * src/data/demand*.c): a CSV reader (RFC 4180 quoting, LF or CRLF, errors as
 * "file:line:column: problem") and the readers of the data files named below,
 * which fill a dm_data with monthly series. */
#ifndef COR_DEMAND_READ_H
#define COR_DEMAND_READ_H

#include <stddef.h>

#include "data/demand.h"

#define F_GROUPS "ohss_usbp_sw_monthly_by_citizenship_group_fy2000_fy2025.csv"
#define F_CITIZEN "ohss_usbp_encounters_monthly_by_region_citizenship_fy2000_fy2025.csv"
#define F_FAMILY "ohss_usbp_encounters_monthly_by_region_family_status_fy2000_fy2025.csv"
#define F_CBP4 "cbp_sw_land_border_encounters_fy2020_fy2023_by_state_title_citizenship_allcomponents.csv"
#define F_CBP3 "cbp_sw_land_border_encounters_fy2022_fy2025aug_by_component_title_citizenship.csv"
#define F_UPM "mexico_upm_inm_enforcement_by_nationality_as_reported.csv"
#define SW_REGION "Southwest Land Border"

/* Months kept in memory: 1990-01 .. 2040-12; rows outside are skipped. */
#define WIN_LO (1990 * 12)
#define WIN_N (51 * 12)

/* Monthly series, indexed by window month w = month index - WIN_LO. */
typedef struct {
    int until;                          /* window index of the last month read */
    double grp[COR_DG_N][WIN_N];        /* USBP SW encounters by group */
    unsigned char have_grp[WIN_N];
    double fam[COR_N_DEMOS][WIN_N];     /* USBP SW encounters by family status */
    unsigned char seen[COR_N_DEMOS][WIN_N]; /* duplicate checks (EC/CO, family status) */
    double c4[COR_DG_N][COR_N_DEMOS][WIN_N], a4[COR_N_DEMOS][WIN_N]; /* CBP FY2020-23 */
    double c3[COR_DG_N][COR_N_DEMOS][WIN_N], a3[COR_N_DEMOS][WIN_N]; /* CBP FY2022-25, USBP */
    unsigned char have4[WIN_N], have3[WIN_N];
} dm_data;

/* The encounter series (group file, Ecuador and Colombia; "other" = the
 * nine-group file's other minus both, never negative), rows up to `until`
 * (month index; 0: no limit).  Sets x->until to the last month of the group
 * file read.  x must be zeroed.  Errors: COR_EINPUT / COR_EIO / COR_ENOMEM with
 * the message in err. */
int cor_dm_load_encounters(dm_data *x, const char *dir, int until, char *err, size_t errn);

/* The family-status file and the two CBP citizenship x demographic files,
 * rows up to x->until. */
int cor_dm_load_demographics(dm_data *x, const char *dir, char *err, size_t errn);

#endif
