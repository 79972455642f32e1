// Where the *gzipped* bytes of the .wasm go, function by function. twiggy (the size tools in
// ../shared/tools/size) ranks raw bytes, but the package budget is gzip -9, and the two disagree:
// code repeated by inlining compresses to back-references, while tables of pointers and one-off
// bodies do not. This compresses the shipped sections in file order and charges each function body
// (and the data, and the module's header sections) with how much gzip(prefix) grew when it was
// appended — what gzip pays for it given everything before it.
//
//   node scripts/build-pkg.mjs --names      (the release build, with the name section kept)
//   node scripts/size-by-function.mjs [file.wasm] [--top N] [--group]
//
// --group sums by the module path of the Rust item (`session::Session`, `web::driver`, …); the
// total is within ~1 % of the shipped file's gzip (the name section is left out; it never ships).
import { readFileSync } from "node:fs";
import { gzipSync } from "node:zlib";

const args = process.argv.slice(2);
const file = args.find((a) => a.endsWith(".wasm")) ?? "pkg/realtime_wasm_bg.wasm";
const top = Number(args[args.indexOf("--top") + 1]) || 40;
const group = args.includes("--group");
const bytes = readFileSync(file);

function leb(pos) {
  let value = 0, shift = 0, byte;
  do { byte = bytes[pos++]; value += (byte & 0x7f) * 2 ** shift; shift += 7; } while (byte & 0x80);
  return [value, pos];
}

const sections = [];
for (let pos = 8; pos < bytes.length;) {
  const id = bytes[pos];
  const [size, start] = leb(pos + 1);
  sections.push({ id, start, end: start + size, head: pos });
  pos = start + size;
}

// Function names (name section, subsection 1) and the number of imported functions (their indices
// come first).
const names = new Map();
let importedFunctions = 0;
for (const s of sections) {
  if (s.id === 2) {
    let [count, p] = leb(s.start);
    for (let i = 0; i < count; i++) {
      for (let k = 0; k < 2; k++) { const [len, q] = leb(p); p = q + len; }
      const kind = bytes[p++];
      if (kind === 0) { p = leb(p)[1]; importedFunctions++; }
      else if (kind === 1) { p++; const [flags, q] = leb(p); p = leb(q)[1]; if (flags & 1) p = leb(p)[1]; }
      else if (kind === 2) { const [flags, q] = leb(p); p = leb(q)[1]; if (flags & 1) p = leb(p)[1]; }
      else if (kind === 3) p += 2;
      else if (kind === 4) p += 2;
    }
  }
  if (s.id === 0) {
    const [len, p0] = leb(s.start);
    if (bytes.subarray(p0, p0 + len).toString() !== "name") continue;
    for (let p = p0 + len; p < s.end;) {
      const sub = bytes[p];
      const [size, q] = leb(p + 1);
      if (sub === 1) {
        let [count, r] = leb(q);
        for (let i = 0; i < count; i++) {
          const [index, r1] = leb(r);
          const [nameLen, r2] = leb(r1);
          names.set(index, bytes.subarray(r2, r2 + nameLen).toString());
          r = r2 + nameLen;
        }
      }
      p = q + size;
    }
  }
}

// The shipped chunks in file order: header sections, each function body, the data.
const chunks = [];
let last = 0;
for (const s of sections) {
  if (s.id === 0) { chunks.push(["<sections before>", bytes.subarray(last, s.head)]); last = s.end; continue; }
  if (s.id === 10) {
    chunks.push(["<types, imports, exports, table>", bytes.subarray(last, s.start)]);
    let [count, p] = leb(s.start);
    for (let i = 0; i < count; i++) {
      const [size, q] = leb(p);
      chunks.push([names.get(importedFunctions + i) ?? `function ${importedFunctions + i}`, bytes.subarray(p, q + size)]);
      p = q + size;
    }
    last = s.end;
  }
  if (s.id === 11) { chunks.push(["<data>", bytes.subarray(last, s.end)]); last = s.end; }
}
if (last < bytes.length) chunks.push(["<sections after>", bytes.subarray(last)]);
if (names.size === 0) console.warn("size-by-function: no name section (build with `node scripts/build-pkg.mjs --names`); functions are numbered");

// gzip(prefix) for each prefix: quadratic, ~15 s for a 280 kB module.
const costs = [];
const prefix = Buffer.concat(chunks.map(([, b]) => b));
let offset = 0, previous = 0;
for (const [name, b] of chunks) {
  offset += b.length;
  const size = b.length === 0 ? previous : gzipSync(prefix.subarray(0, offset), { level: 9 }).length;
  costs.push({ name, raw: b.length, gzip: size - previous });
  previous = size;
}

// `<realtime_wasm::session::Session>::deliver` → `session::Session`; std and glue by crate.
function groupOf(name) {
  const own = name.match(/realtime_wasm(?:\[[0-9a-f]+\])?::(\w+)(?:::(\w+))?/);
  if (own) return own[2] ? `${own[1]}::${own[2]}` : own[1];
  if (name.startsWith("<")) return name;
  const crate = name.match(/^(?:<)?(\w+)/);
  return name.includes("externref shim") || name.includes("multivalue shim") ? "exports (wasm-bindgen shims)" : crate ? crate[1] : "other";
}
const rows = group
  ? [...costs.reduce((m, c) => { const k = groupOf(c.name); const g = m.get(k) ?? { name: k, raw: 0, gzip: 0 }; g.raw += c.raw; g.gzip += c.gzip; return m.set(k, g); }, new Map()).values()]
  : costs;
rows.sort((a, b) => b.gzip - a.gzip);
const strip = (n) => n.replace(/\[[0-9a-f]{16}\]/g, "").replace(/::h[0-9a-f]{16}$/, "");
console.log(`| gzip | raw | ${group ? "group" : "function"} |\n|---:|---:|---|`);
for (const r of rows.slice(0, top)) console.log(`| ${r.gzip} | ${r.raw} | ${strip(r.name).slice(0, 160).replace(/\|/g, "\\|")} |`);
console.log(`\ntotal ${previous} B gzip of ${prefix.length} B shipped sections (${rows.length} ${group ? "groups" : "chunks"}); the file: ${gzipSync(bytes, { level: 9 }).length} B gzip with its custom sections`);
