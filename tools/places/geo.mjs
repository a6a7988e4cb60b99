// geo.mjs - great-circle distance (haversine, mean Earth radius 6371.0088 km).
export function greatCircleKmOf(a, b) {
  const R = 6371.0088; const rad = (d) => (d * Math.PI) / 180;
  const dl = rad(b.lat - a.lat); const dn = rad(b.lon - a.lon);
  const h = Math.sin(dl / 2) ** 2 + Math.cos(rad(a.lat)) * Math.cos(rad(b.lat)) * Math.sin(dn / 2) ** 2;
  return 2 * R * Math.asin(Math.min(1, Math.sqrt(h)));
}
