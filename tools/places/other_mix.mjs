// other_mix.mjs - the route mix of the "other" nationality group (every
// citizenship except the ten named groups), from USBP Southwest-border
// encounters FY2013-FY2024 by citizenship (OHSS, file
// ohss_usbp_encounters_annual_by_region_citizenship_fy2000_fy2025.csv).
//
// Usage (repository root): node tools/places/other_mix.mjs
//
// Each of the largest "other" citizenships is assigned the entry route its
// nationals were reported to use (ROUTE below, with the source of each
// assignment); the unassigned remainder is spread pro rata.  The result is
// the origin shares of population "other" in scenarios/corridor.yaml:
//   air_mexico    -> origin cancun   (flown into Mexico)
//   air_nicaragua -> origin managua  (flown into Nicaragua)
//   darien        -> origin quito    (flown into South America, then the Darién)
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');
const NAME = 'ohss_usbp_encounters_annual_by_region_citizenship_fy2000_fy2025.csv';
const candidates = [join(root, 'data', NAME), join(root, '..', 'shared', 'data', NAME)];

const NAMED = new Set(['Mexico', 'Guatemala', 'Honduras', 'El Salvador', 'Nicaragua',
  'Venezuela', 'Cuba', 'Haiti', 'Ecuador', 'Colombia']);

// citizenship -> { route: share of that citizenship }, with the source.
export const ROUTE = {
  'Brazil': [{ air_mexico: 1 }, 'Mexico re-imposed visas on Brazilians from 2021-12-11 because of air arrivals heading to the US border (sopitas.com 2021-11; oglobo 2021-12)'],
  'Peru': [{ air_mexico: 1 }, 'assumed: Peruvians did not need a Mexican visa for most of the period (named with Brazil as next candidate for a visa, thenewsonline.mx 2021)'],
  'India': [{ air_mexico: 0.5, air_nicaragua: 0.5 }, 'assumed half and half: charter flights of Indians to Central America/Managua (Reuters via lamesaredonda.net 2024) and Indians flying to Mexico'],
  "China, People's Republic": [{ darien: 1 }, 'Panama SNM: 25,344 Chinese crossed the Darién in 2023 (latinoamerica21.com)'],
  'Dominican Republic': [{ air_nicaragua: 1 }, 'assumed: Caribbean nationals flying to Managua (acento.com.do 2023: Nicaragua as "trampolín")'],
  'Turkey': [{ air_mexico: 1 }, 'assumed: flown into Mexico (Cancún/Mexico City) then Tijuana, like Russians (zetatijuana.com 2023; glocal.com.mx 2022)'],
  'Senegal': [{ air_nicaragua: 1 }, 'mundomigrante.com 2024 (AP): "Desde Senegal, a Nicaragua es el pasaje más vendido"'],
  'Mauritania': [{ air_nicaragua: 1 }, 'West Africans flying to Managua (centroamerica360.com, Reuters 2023)'],
  'Guinea': [{ air_nicaragua: 1 }, 'centroamerica360.com (Reuters 2023): migrants from Mali, Angola, Guinea, Senegal flew to Nicaragua'],
  'Romania': [{ air_mexico: 1 }, 'assumed: EU nationals enter Mexico by air without a visa'],
  'Uzbekistan': [{ darien: 1 }, 'IOM 2022 (arepanews.com): Darién crossers include Angola, Bangladesh, Ghana, Uzbekistan'],
  'Georgia': [{ air_mexico: 1 }, 'assumed: flown into Mexico, like Russians'],
  'Russia': [{ air_mexico: 1 }, 'Russians flew to Cancún/Mexico City and went on to Tijuana (glocal.com.mx 2022-03-11; zetatijuana.com 2023-11)'],
  'Chile': [{ darien: 1 }, 'Chilean-born children of Haitian parents crossing the Darién (elmostrador.cl 2023-10)'],
  'Bangladesh': [{ darien: 1 }, 'IOM 2022 (arepanews.com): Bangladesh among Darién crossers'],
  'Nepal': [{ darien: 1 }, 'assumed: South Asian nationals via the Darién like Bangladesh'],
};

function parseCsvLine(line) {
  const out = []; let cur = ''; let q = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (q) { if (ch === '"') { if (line[i + 1] === '"') { cur += '"'; i++; } else q = false; } else cur += ch; }
    else if (ch === '"') q = true; else if (ch === ',') { out.push(cur); cur = ''; } else cur += ch;
  }
  out.push(cur); return out;
}

function main() {
  const file = candidates.find((f) => existsSync(f));
  if (!file) throw new Error(`${NAME} not found in data/ or ../shared/data/`);
  const lines = readFileSync(file, 'utf8').trim().split('\n');
  const hdr = parseCsvLine(lines[0]);
  const iFy = hdr.indexOf('fiscal_year'); const iReg = hdr.indexOf('region');
  const iCit = hdr.indexOf('citizenship'); const iN = hdr.indexOf('usbp_encounters_rounded10');
  const tot = new Map();
  for (const l of lines.slice(1)) {
    const r = parseCsvLine(l);
    const fy = Number(r[iFy]);
    if (!r[iReg].startsWith('Southwest') || fy < 2013 || fy > 2024 || NAMED.has(r[iCit])) continue;
    tot.set(r[iCit], (tot.get(r[iCit]) || 0) + Number(r[iN] || 0));
  }
  const all = [...tot.values()].reduce((a, b) => a + b, 0);
  const route = { air_mexico: 0, air_nicaragua: 0, darien: 0 };
  let assigned = 0;
  for (const [cit, [mix]] of Object.entries(ROUTE)) {
    const n = tot.get(cit) || 0; assigned += n;
    for (const [k, s] of Object.entries(mix)) route[k] += n * s;
    console.log(`${cit.padEnd(28)} ${String(n).padStart(8)}  ${(n / all * 100).toFixed(1)}%`);
  }
  console.log(`"other" USBP SW encounters FY2013-FY2024: ${all}; assigned ${assigned} (${(assigned / all * 100).toFixed(1)}%)`);
  for (const k of Object.keys(route)) {
    console.log(`share ${k.padEnd(14)} ${(route[k] / assigned).toFixed(3)}  (${Math.round(route[k])} of the assigned)`);
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) main();
