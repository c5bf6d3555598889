// Copy the built front-end libraries into endpoint/static/vendor/ so riikg serves them
// itself: no CDN at run time. Run by `make vendor` (npm ci && node build.mjs).
//
// YASGUI (@zazuko/yasgui) ships a ready bundle; it references no CDN fonts or stylesheets.
// Its class/property autocompleters query lov.linkeddata.es from the browser: the editor
// template turns them off (only the bundled prefix list and variable completion remain).
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const vendor = join(here, "..", "endpoint", "static", "vendor");
const modules = join(here, "node_modules");

const copies = [
  ["@zazuko/yasgui/build/yasgui.min.js", "yasgui/yasgui.min.js"],
  ["@zazuko/yasgui/build/yasgui.min.css", "yasgui/yasgui.min.css"],
  ["@zazuko/yasgui/LICENSE", "yasgui/LICENSE", true],
  ["leaflet/dist/leaflet.js", "leaflet/leaflet.js"],
  ["leaflet/dist/leaflet.css", "leaflet/leaflet.css"],
  ["leaflet/dist/images", "leaflet/images"],
  ["leaflet/LICENSE", "leaflet/LICENSE", true],
];

rmSync(vendor, { recursive: true, force: true });
for (const [from, to, optional] of copies) {
  const src = join(modules, from);
  if (!existsSync(src)) {
    if (optional) continue;
    throw new Error(`missing ${src}: run npm ci first`);
  }
  const dest = join(vendor, to);
  mkdirSync(dirname(dest), { recursive: true });
  cpSync(src, dest, { recursive: true });
}

// Refuse a bundle that would load fonts or styles from a CDN at run time.
const forbidden = /(fonts\.googleapis|fonts\.gstatic|cdn\.jsdelivr|unpkg\.com|cdnjs\.cloudflare)/;
for (const file of ["yasgui/yasgui.min.js", "yasgui/yasgui.min.css", "leaflet/leaflet.css"]) {
  const text = readFileSync(join(vendor, file), "utf8");
  const hit = text.match(forbidden);
  if (hit) throw new Error(`${file} references a CDN (${hit[0]}); strip it before serving`);
}

const versions = Object.fromEntries(
  ["@zazuko/yasgui", "leaflet"].map((name) => [
    name,
    JSON.parse(readFileSync(join(modules, name, "package.json"), "utf8")).version,
  ]),
);
writeFileSync(join(vendor, "versions.json"), JSON.stringify(versions, null, 2) + "\n");
console.log(`vendor libraries copied to ${vendor}:`, versions);
