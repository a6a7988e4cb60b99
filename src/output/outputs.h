/* outputs.h - writing a run's output folder.
 *
 * cor_sim_write_outputs() (declared in corredor.h) writes, into DIR:
 *   monthly.csv               month,place,status,people   (stocks at month end; zero rows omitted)
 *   encounters_by_sector.csv  month,sector,group,demographic,people (USBP encounters, as events)
 *   series.csv                month,series,place,group,demographic,value (every output series)
 *   summary.json              totals, where people are at the end, encounters, performance
 *   run.json                  what is needed to reproduce the run (scenario hash, seed, ...)
 * through DIR.partial/, renamed when complete.  See docs/OUTPUTS.md.
 */
#ifndef COR_OUTPUTS_H
#define COR_OUTPUTS_H

#include "corredor.h"

#endif
