// The package's size budget (a budget, not a timed test: sizes are deterministic for a given
// toolchain). Fails when what an app downloads from pkg/ — the .wasm, the JS glue and its
// snippets (bundled into it since session 10), the worklet — exceeds BUDGET bytes gzipped (-9). Run by scripts/test.sh after the
// package build; prints the parts so a failure says where the bytes went.
//
// The goal is 100 kB (issue #11); the budget ratchets down with every change that shrinks the
// core, so a regression cannot slip in meanwhile. It sits about 1 % above the latest measured
// size, room for a dependency's patch release, not for a feature's worth (see the README's
// size section for how it moved this session, feature by feature).
//
//   node scripts/size-budget.mjs [pkgdir]
import { readFileSync, readdirSync, statSync, existsSync } from "node:fs";
import { join, relative } from "node:path";
import { gzipSync } from "node:zlib";

const BUDGET = 104_400;

const dir = process.argv[2] ?? "pkg";
const walk = (d) => readdirSync(d).flatMap((n) => (statSync(join(d, n)).isDirectory() ? walk(join(d, n)) : [join(d, n)]));
if (!existsSync(dir)) throw new Error(`size-budget: ${dir}/ does not exist (build it with node scripts/build-pkg.mjs)`);
const shipped = walk(dir).filter((p) => /(_bg\.wasm|realtime_wasm\.js|\/snippets\/.*\.js|\/worklets\/.*\.js)$/.test(p));
let total = 0;
for (const file of shipped) {
  const bytes = readFileSync(file);
  const gz = gzipSync(bytes, { level: 9 }).length;
  total += gz;
  console.log(`size-budget: ${relative(dir, file).padEnd(60)} ${String(bytes.length).padStart(8)} B raw ${String(gz).padStart(8)} B gzip`);
}
console.log(`size-budget: total ${total} B gzipped, budget ${BUDGET} B`);
if (!shipped.some((p) => p.endsWith("_bg.wasm"))) throw new Error("size-budget: no .wasm in the package");
if (total > BUDGET) {
  console.error(`size-budget: the package is ${total - BUDGET} B over its budget`);
  process.exit(1);
}
