// route_spread.mjs - indicative spread of each nationality group over the nine
// US Border Patrol sectors under the route-choice rule documented for the
// corridor rules (docs/CORRIDOR.md): at each place a person takes an outgoing
// link with weight
//     exp(-extra_km / route_detour_km) * exp(-route_risk_aversion * risk)
// where extra_km = link km + shortest remaining km to a sector from the link's
// end - shortest remaining km from here.  No waiting, no capacity, no policy:
// this only shows that the network offers real alternatives; it is not the
// engine and its numbers are not results.
//
// Usage (repository root):
//   node tools/places/route_spread.mjs [route_detour_km] [route_risk_aversion] [walkers]
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import yaml from 'js-yaml';
import { greatCircleKmOf } from './geo.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const sc = yaml.load(readFileSync(join(here, '..', '..', 'scenarios', 'corridor.yaml'), 'utf8'),
  { schema: yaml.CORE_SCHEMA });
const places = new Map(sc.places.map((p) => [p.id, p]));
const par = (n) => sc.parameters[n].value;
const D = Number(process.argv[2] || par('route_detour_km'));
const A = Number(process.argv[3] || par('route_risk_aversion'));
const N = Number(process.argv[4] || 4000);

const out = new Map([...places.keys()].map((k) => [k, []]));
for (const l of sc.links) {
  const km = l.km ?? greatCircleKmOf(places.get(l.from), places.get(l.to)) * par(`detour_${l.mode}`);
  out.get(l.from).push({ to: l.to, km, risk: l.risk || 0 });
  if (!l.oneway) out.get(l.to).push({ to: l.from, km, risk: l.risk || 0 });
}
// Shortest remaining km to any sector (Dijkstra on the reversed graph).
const dist = new Map([...places.keys()].map((k) => [k, Infinity]));
const into = new Map([...places.keys()].map((k) => [k, []]));
for (const [u, es] of out) for (const e of es) into.get(e.to).push({ from: u, km: e.km });
const todo = new Set();
for (const p of places.values()) if (p.kind === 'us_sector') { dist.set(p.id, 0); todo.add(p.id); }
while (todo.size) {
  let u = null;
  for (const x of todo) if (u === null || dist.get(x) < dist.get(u)) u = x;
  todo.delete(u);
  for (const e of into.get(u)) {
    const nd = dist.get(u) + e.km;
    if (nd < dist.get(e.from)) { dist.set(e.from, nd); todo.add(e.from); }
  }
}
let state = 20121001; // fixed seed: the output is reproducible
const rnd = () => { state = (state * 1103515245 + 12345) % 2147483648; return state / 2147483648; };
function walk(start) {
  let u = start; let steps = 0;
  while (places.get(u).kind !== 'us_sector' && steps < 500) {
    const es = out.get(u);
    const w = es.map((e) => Math.exp(-(e.km + dist.get(e.to) - dist.get(u)) / D) * Math.exp(-A * e.risk));
    let r = rnd() * w.reduce((a, b) => a + b, 0); let i = 0;
    while (i < w.length - 1 && r > w[i]) { r -= w[i]; i++; }
    u = es[i].to; steps++;
  }
  return { sector: places.get(u).name, steps };
}
console.log(`route_detour_km ${D}, route_risk_aversion ${A}, ${N} walkers per group (indicative only)`);
for (const pop of sc.populations) {
  const tot = pop.origins.reduce((a, o) => a + o.share, 0);
  const count = {}; let steps = 0;
  for (let k = 0; k < N; k++) {
    let r = rnd() * tot; let o = pop.origins[pop.origins.length - 1];
    for (const c of pop.origins) { if (r < c.share) { o = c; break; } r -= c.share; }
    const res = walk(o.place); count[res.sector] = (count[res.sector] || 0) + 1; steps += res.steps;
  }
  const shares = Object.entries(count).sort((a, b) => b[1] - a[1])
    .map(([s, c]) => `${s} ${(100 * c / N).toFixed(0)}%`).join(', ');
  console.log(`${pop.id.padEnd(12)} ${(steps / N).toFixed(1).padStart(5)} links  ${shares}`);
}
