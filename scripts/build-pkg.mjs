// Builds the npm package into pkg/ with the settings of wasm-pack.toml, then merges
// pkg-template/ (package.json fields, README) over what wasm-pack generated, and replaces wasm-pack's
// generated TypeScript declarations with the hand-written src/web/realtime_wasm.d.ts.
//
//   node scripts/build-pkg.mjs          release build (the npm package, the demo)
//   node scripts/build-pkg.mjs --dev    unoptimised, faster to build
//   node scripts/build-pkg.mjs --names  optimised, with the function names kept (for profiling:
//                                       `node bench/run.mjs --profile …` then names wasm functions)
import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync, copyFileSync, mkdirSync, rmSync, readdirSync } from "node:fs";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { parse } from "smol-toml";
import { transformSync, buildSync } from "esbuild";
import { dataSegments, layOutSmallest, leb, section, uleb } from "./wasm-layout.mjs";
import { blankUnreadPanicTexts, emptyPanicEntries } from "./wasm-traps.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const config = parse(readFileSync(join(root, "wasm-pack.toml"), "utf8"));
const { target, "out-dir": outDir, "out-name": outName, profile, "wasm-opt": wasmOptFlags } = config.build;
const dev = process.argv.includes("--dev");
const names = process.argv.includes("--names");

const args = ["build", root, "--target", target, "--out-dir", outDir, "--out-name", outName,
              dev ? "--dev" : names ? "--profiling" : `--${profile}`,
              // Without std (Cargo.toml's `std` feature): the package's panics trap at once. The
              // dev build keeps std for the console panic message.
              ...(dev ? [] : ["--", "--no-default-features"])];
console.log(`build-pkg: wasm-pack ${args.join(" ")}`);
// wasm-pack leaves the JS snippets of earlier builds in place: the package holds this build's only.
rmSync(join(root, outDir, "snippets"), { recursive: true, force: true });
// The worklet, minified: shipped as pkg/worklets/realtime-audio.js (the source sits at the same
// path in the repo, worklets/, so the package-relative URL resolves in the browser tests too).
const worklet = join(root, "target", "realtime-audio.min.js");
// The worklet's own fields and methods, which the minifier renames too (−0.24 kB gzip): only
// names that never cross its port or arrive in `processorOptions` (those are the protocol:
// `type`, `item`, `samples`, `rendered`, `underruns`, `queued`, `rms`, `resampling`, `chunkFrames`,
// `fadeFrames`, … stay). tests/worklets runs the source; tests/demo runs this minified copy.
const WORKLET_OWN_PROPERTIES = new RegExp(`^(${[
  "chunk", "message", "filled", "running", "step", "carry", "carried", "countedLength", "countedPosition", "history",
  "resampler", "slots", "items", "counters", "head", "converted", "ahead", "offset", "playing", "fadeIn", "fadeOut",
  "drain", "drainTotal", "stopItem", "duckLeft", "held", "newest", "sinceReport", "levelSum", "levelFrames",
  "levelEvery", "stopped", "level", "source", "work", "phase", "position", "count", "frames", "reset", "admit", "keep",
  "begin", "convert", "dot", "enqueue", "convertAhead", "grow", "advance", "flush", "isQueued", "forgetItems", "hold",
  "send", "framesOf",
].join("|")})$`);
mkdirSync(join(root, "target"), { recursive: true });
const workletSource = readFileSync(join(root, "worklets/realtime-audio.js"), "utf8");
writeFileSync(worklet, dev ? workletSource : minify(workletSource, WORKLET_OWN_PROPERTIES));
execFileSync("wasm-pack", args, { stdio: "inherit", cwd: root });

const pkgDir = join(root, outDir);

// Forgetting `await init()` made the first call fail with "Cannot read properties of undefined
// (reading 'realtimeclient_new')". The entry points now say what to call instead (the glue is
// wasm-bindgen's; the patterns are checked so a new wasm-bindgen cannot silently skip this).
const gluePath = join(pkgDir, `${outName}.js`);
let glue = readFileSync(gluePath, "utf8");
const notInitialised = "if (wasm === undefined) throw new Error(\"realtime-wasm is not initialised: call `await init()` (the module's default export) once before using it\");";
for (const [entry, indent] of [[/\n    constructor\(options\) \{\n(?=        const ret = wasm\.realtimeclient_new)/, "        "], [/\nexport function version\(\) \{\n/, "    "]]) {
  if (!entry.test(glue)) throw new Error(`build-pkg: the wasm-bindgen glue changed shape (no match for ${entry}); update the init guard`);
  glue = glue.replace(entry, (head) => `${head}${indent}${notInitialised}\n`);
}
// `defineTool` is typically called at module top level, before `await init()` (the README's
// examples do): it then returns the tool as it is, and `connect({ tools })` / `registerTool` check it
// (the same check, in Rust). After init it checks at once.
const defineToolEntry = /\nexport function defineTool\(tool\) \{\n/;
if (!defineToolEntry.test(glue)) throw new Error("build-pkg: the wasm-bindgen glue changed shape (no defineTool(tool)); update the pre-init pass-through");
glue = glue.replace(defineToolEntry, (head) => `${head}    if (wasm === undefined) return tool;\n`);
// `RealtimeError` lives in the shell's JS module (src/web/platform.js), which the glue imports
// `realtimeError` from (the SDK creates it from Rust); the package entry re-exports that very
// class, so `instanceof` holds for what the SDK rejects with.
const errorModule = glue.match(/import \{[^}]*\brealtimeError\b[^}]*\} from '(\.\/snippets\/[^']+)';/);
if (!errorModule) throw new Error("build-pkg: the glue does not import realtimeError from a snippet; update the RealtimeError re-export");
glue += `export { RealtimeError } from '${errorModule[1]}';\n`;
if (!dev) glue = optimiseWasm(join(pkgDir, `${outName}_bg.wasm`), glue);
if (!dev) blankPanicLocations(join(pkgDir, `${outName}_bg.wasm`));
// The function bodies in the order gzip packs best (scripts/wasm-layout.mjs): −2.3 kB gzip.
if (!dev) {
  const wasmPath = join(pkgDir, `${outName}_bg.wasm`);
  const laidOut = layOutSmallest(readFileSync(wasmPath));
  if (!WebAssembly.validate(laidOut)) throw new Error("build-pkg: the re-laid-out .wasm does not validate");
  writeFileSync(wasmPath, laidOut);
}
writeFileSync(gluePath, glue);
const generated = JSON.parse(readFileSync(join(pkgDir, "package.json"), "utf8"));
const template = JSON.parse(readFileSync(join(root, config.package.template), "utf8"));
// The AudioWorklet script: the SDK loads it from here (`new URL(…, import.meta.url)` in
// platform.js), and apps that host it elsewhere pass its URL as `audio.workletUrl`.
mkdirSync(join(root, outDir, "worklets"), { recursive: true });
copyFileSync(worklet, join(root, outDir, "worklets/realtime-audio.js"));
bundleGlue(gluePath);
// No snippets/: bundled into the glue (bundleGlue).
const files = [...(generated.files ?? []), ...(template.files ?? []), "worklets/"].filter((f) => !f.startsWith("snippets"));
const merged = { ...generated, ...template, files: [...new Set(files)] };
// wasm-pack copies the repo's package.json dependencies (the dev server's ws, ajv) into the
// package's: the SDK has no runtime dependencies, and an app must not install those.
delete merged.dependencies;
writeFileSync(join(pkgDir, "package.json"), JSON.stringify(merged, null, 2) + "\n");
copyFileSync(join(root, config.package.readme), join(pkgDir, "README.md"));

// The hand-written declarations replace wasm-pack's (which type the messages as `any`). Every name
// wasm-bindgen exports must be declared there too, so a new export cannot ship untyped.
const dts = join(pkgDir, `${outName}.d.ts`);
const handWritten = join(root, "src/web/realtime_wasm.d.ts");
const exported = (text) => new Set([...text.matchAll(/^export\s+(?:declare\s+)?(?:default\s+)?(?:function|class|type|interface|const|enum)\s+([A-Za-z_$][\w$]*)/gm)].map((m) => m[1]));
const internal = new Set(["start", "__wbg_init"]); // the #[wasm_bindgen(start)] hook; init's local name
const declared = exported(readFileSync(handWritten, "utf8"));
const missing = [...exported(readFileSync(dts, "utf8"))].filter((name) => !internal.has(name) && !declared.has(name));
if (missing.length > 0) {
  throw new Error(`build-pkg: src/web/realtime_wasm.d.ts does not declare ${missing.join(", ")} (exported by wasm-bindgen)`);
}
// Member drift: every method and accessor of each exported class, both ways (a member the d.ts
// promises but the runtime lacks, or one that would ship untyped).
const classMembers = (text) => {
  const classes = new Map();
  for (const m of text.matchAll(/^export\s+(?:declare\s+)?class\s+(\w+)[^{]*\{([\s\S]*?)^\}/gm)) {
    const names = new Set();
    for (const line of m[2].split("\n")) {
      const t = line.trim();
      if (t === "" || t.startsWith("/*") || t.startsWith("*") || t.startsWith("//") || t.startsWith("[") || t.startsWith("private ")) continue;
      const name = t.match(/^(?:static\s+)?(?:(?:get|set|readonly)\s+)?([A-Za-z_$][\w$]*)\s*[(<:?]/);
      if (name && line.match(/^\s*/)[0].length <= 4) names.add(name[1]);
    }
    classes.set(m[1], names);
  }
  return classes;
};
const generatedClasses = classMembers(readFileSync(dts, "utf8"));
const declaredClasses = classMembers(readFileSync(handWritten, "utf8"));
const drift = [];
for (const [name, members] of generatedClasses) {
  const declaredMembers = declaredClasses.get(name) ?? new Set();
  for (const m of members) if (!declaredMembers.has(m)) drift.push(`${name}.${m} is exported but not declared`);
  for (const m of declaredMembers) if (!members.has(m)) drift.push(`${name}.${m} is declared but the runtime has no such member`);
}
if (drift.length > 0) throw new Error(`build-pkg: src/web/realtime_wasm.d.ts drifted from the exports:\n  ${drift.join("\n  ")}`);
copyFileSync(handWritten, dts);
console.log(`build-pkg: ${outDir}/ ready (${merged.name}@${merged.version})`);

// Runs wasm-opt over the release .wasm (the flags of wasm-pack.toml) with
// --minify-imports-and-exports-and-modules: the 145 imports (`__wbg_getTracks_2c7d559721fa27d8`:
// a hash each, in the .wasm and again in the glue) and 51 exports get one- or two-letter names, all
// imports one module `a` (−2.4 kB gzip of .wasm, more in the glue). Returns the glue renamed to
// match; every renamed name must be found where wasm-bindgen writes it, so a new wasm-bindgen whose
// glue has another shape fails the build instead of shipping a module that cannot link.
function optimiseWasm(wasmPath, glue) {
  const flags = names ? [...wasmOptFlags.filter((f) => f !== "--strip-debug"), "-g"] : wasmOptFlags;
  // core's panic entry points as the bare trap they end in (scripts/wasm-traps.mjs): −0.7 kB gzip.
  const { bytes: trapping, emptied } = emptyPanicEntries(readFileSync(wasmPath));
  writeFileSync(wasmPath, trapping);
  console.log(`build-pkg: ${emptied.length} panic entry points emptied to a trap`);
  // One more -Oz after the renaming packs the renamed module better (−0.2 kB gzip); not
  // --converge, which would rename the short names again.
  const map = JSON.parse(execFileSync(join(root, "node_modules/.bin/wasm-opt"), [wasmPath, "-o", wasmPath, ...flags, "--minify-imports-and-exports-and-modules", "-Oz"],
                                      { cwd: root, encoding: "utf8", maxBuffer: 1 << 24 }));
  const fail = (what) => { throw new Error(`build-pkg: the wasm-bindgen glue changed shape (${what}); update optimiseWasm`); };
  const member = (name) => (/^[A-Za-z_$][\w$]*$/.test(name) ? `.${name}` : `[${JSON.stringify(name)}]`);
  // Imports: wasm-bindgen's own (`import0`, functions keyed by name) and the snippet module's
  // (a namespace import, `import1`) become the members of one object, module `a`.
  const tableHead = glue.indexOf("function __wbg_get_imports() {");
  const tableEnd = glue.indexOf("\n}\n", tableHead);
  if (tableHead < 0 || tableEnd < 0) fail("no __wbg_get_imports");
  let table = glue.slice(tableHead, tableEnd);
  const modules = new Map([...table.matchAll(/\n        ("[^"]+"): (import\d+),/g)].map((m) => [JSON.parse(m[1]), m[2]]));
  const moduleNames = new Set(map.imports.map(([module]) => module));
  if (modules.size !== moduleNames.size || ![...moduleNames].every((m) => modules.has(m))) fail(`import modules ${[...moduleNames].join(", ")}`);
  const fromSnippets = [];
  for (const [module, name, short] of map.imports) {
    const local = modules.get(module);
    if (local === "import0") {
      const key = `\n        ${name}: function`;
      const at = table.indexOf(key);
      if (at < 0 || table.indexOf(key, at + 1) >= 0) fail(`import ${name}`);
      table = table.slice(0, at) + `\n        ${JSON.stringify(short)}: function` + table.slice(at + key.length);
    } else {
      fromSnippets.push(`${JSON.stringify(short)}: ${local}${member(name)}`);
    }
  }
  const returned = /\n    return \{\n        __proto__: null,\n(?:        "[^"]+": import\d+,\n)+    \};$/;
  if (!returned.test(table)) fail("the returned import object");
  table = table.replace(returned, `\n    return { __proto__: null, a: { ...import0, ${fromSnippets.join(", ")} } };`);
  glue = glue.slice(0, tableHead) + table + glue.slice(tableEnd);
  // Exports: every `wasm.<name>` of the glue. `memory` keeps its name: `init()` resolves to the raw
  // exports, and the d.ts promises `memory` on them.
  const exports = new Map(map.exports);
  const memory = exports.get("memory");
  if (memory === undefined) fail("no memory export");
  writeFileSync(wasmPath, renameExport(readFileSync(wasmPath), memory, "memory"));
  exports.set("memory", "memory");
  glue = glue.replace(/\bwasm\.([A-Za-z_$][\w$]*)/g, (whole, name) => {
    if (!exports.has(name)) fail(`wasm.${name} is not an export`);
    return `wasm${member(exports.get(name))}`;
  });
  return glue;
}

// The glue and the shell's JS module (wasm-bindgen's snippet, src/web/platform.js) become one
// module, pkg/realtime_wasm.js: one gzip stream shares their vocabulary (−0.4 kB against two
// files) and an app makes one request fewer. Minified in the release build: half of their gzip.
// Local names go too (esbuild's `keepNames` would wrap each of the glue's import functions to
// keep theirs: +0.7 kB); an app's own bundler would rename them anyway.
function bundleGlue(gluePath) {
  const snippets = join(dirname(gluePath), "snippets");
  const shell = readdirSync(snippets, { recursive: true }).filter((f) => f.endsWith(".js")).map((f) => join(snippets, f));
  // The worklet's URL is relative to the module that names it: from the snippet's folder in the
  // repo (the browser tests' ../../../../ stops at the server's root), from the package root here.
  const workletUrl = "'../../../../worklets/realtime-audio.js'";
  for (const file of shell) {
    const text = readFileSync(file, "utf8");
    if (text.includes("worklets/realtime-audio.js") && !text.includes(workletUrl)) throw new Error(`build-pkg: ${file} names the worklet as ${workletUrl} no more; update bundleGlue`);
    writeFileSync(file, text.replace(workletUrl, "'./worklets/realtime-audio.js'"));
  }
  const [bundle] = buildSync({ entryPoints: [gluePath], bundle: true, write: false, format: "esm", target: "es2022",
                               minify: !dev, legalComments: "none", logLevel: "warning" }).outputFiles;
  writeFileSync(gluePath, bundle.text);
  rmSync(snippets, { recursive: true });
}

function minify(text, mangleProps) {
  return transformSync(text, { minify: true, format: "esm", target: "es2022", legalComments: "none", mangleProps }).code;
}

// The package's panic handler traps without reading anything (src/lib.rs, the build without std),
// so the panic `Location`s in the data section — {file: &str, line, column}, 16 bytes each — and
// the file names they point at (`src/session/playback.rs`, `/rustc/<hash>/library/core/src/…`)
// are never read. Stable Rust cannot leave them out (nightly's `-Zlocation-detail=none` does), so
// they are zeroed here, in place: every address stays as it was, and zeros compress (−0.5 kB
// gzip). A record counts only when it is 4-byte aligned, its pointer and length name a string in
// the data made of path characters and ending in `.rs`, and its line and column are plausible.
function blankPanicLocations(wasmPath) {
  const bytes = readFileSync(wasmPath);
  const segments = dataSegments(bytes);
  const fileOffset = (address, length) => {
    const s = segments.find((s) => address >= s.address && address + length <= s.address + (s.end - s.start));
    return s && s.start + (address - s.address);
  };
  const records = [], files = new Map(); // file offset of a name → its length
  for (const { address, start, end } of segments) {
    for (let i = start + ((4 - (address % 4)) % 4); i + 16 <= end; i += 4) {
      const [pointer, length, line, column] = [0, 4, 8, 12].map((k) => bytes.readUInt32LE(i + k));
      if (length < 4 || length > 200 || line === 0 || line > 100_000 || column > 1_000) continue;
      const name = fileOffset(pointer, length);
      if (name === undefined || !/^[\w.\/-]+\.rs$/.test(bytes.toString("latin1", name, name + length))) continue;
      records.push(i);
      files.set(name, length);
    }
  }
  for (const i of records) bytes.fill(0, i, i + 16);
  for (const [name, length] of files) bytes.fill(0, name, name + length);
  // The texts only panic formatting read, likewise (scripts/wasm-traps.mjs).
  const texts = blankUnreadPanicTexts(bytes);
  writeFileSync(wasmPath, bytes);
  console.log(`build-pkg: ${records.length} panic locations, ${files.size} file names and ${texts} panic texts zeroed in the data section`);
}

// The .wasm with export `from` named `to` (the export section rewritten; every other byte as it was).
function renameExport(bytes, from, to) {
  const exports = section(bytes, 7);
  if (!exports) throw new Error("build-pkg: the .wasm has no export section");
  let [count, q] = leb(bytes, exports.start);
  q += exports.start;
  const entries = [uleb(count)];
  let renamed = 0;
  for (let i = 0; i < count; i++) {
    const [nameLength, l] = leb(bytes, q);
    const name = bytes.subarray(q + l, q + l + nameLength).toString("utf8");
    const kind = q + l + nameLength;
    const [, indexLength] = leb(bytes, kind + 1);
    const next = kind + 1 + indexLength;
    const written = Buffer.from(name === from ? to : name, "utf8");
    if (name === from) renamed++;
    entries.push(uleb(written.length), written, bytes.subarray(kind, next));
    q = next;
  }
  if (renamed !== 1) throw new Error(`build-pkg: export ${from} found ${renamed} times`);
  const payload = Buffer.concat(entries);
  return Buffer.concat([bytes.subarray(0, exports.head), Buffer.from([7]), uleb(payload.length), payload, bytes.subarray(exports.end)]);
}
