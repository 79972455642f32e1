// Type-checks every ```js / ```ts block of README.md and pkg-template/README.md as written: each
// block becomes a module of its own under target/readme-snippets/ and `tsc` checks them under the
// options of tests/types/tsconfig.json (strict and more), against src/web/realtime_wasm.d.ts.
//
// A block that continues an earlier one may start with `// continues: <name>` — none do yet; blocks
// are self-contained. The npm README's blocks are also regions of the examples (`// #region
// readme:<name>` … `// #endregion` in examples/*/): each must equal its region exactly, so the
// README shows the examples' code and the examples run it (tests/examples/).
//
// Run: node tests/types/readme-snippets.mjs   (exit 1 on a type error or a region mismatch)
import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync, statSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const out = join(root, "target", "readme-snippets");
rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });

/** Fenced blocks of a language in a Markdown file: { lang, code, line, name? }. */
function blocks(file) {
  const lines = readFileSync(join(root, file), "utf8").split("\n");
  const found = [];
  for (let i = 0; i < lines.length; i++) {
    const open = lines[i].match(/^```(js|ts|javascript|typescript|html)\s*$/);
    if (!open) continue;
    const start = i + 1;
    let end = start;
    while (end < lines.length && lines[end] !== "```") end++;
    // `<!-- readme:<name> -->` just above the fence names the example region it shows.
    const marker = lines[i - 1]?.match(/^<!-- readme:([\w-]+) -->$/);
    found.push({ lang: open[1] === "html" ? "html" : open[1].startsWith("t") ? "ts" : "js", code: lines.slice(start, end).join("\n") + "\n", line: start + 1, name: marker?.[1] });
    i = end;
  }
  return found;
}

/** `// #region readme:<name>` … `// #endregion` regions of the examples' sources. */
function regions() {
  const map = new Map();
  const walk = (dir) => {
    for (const entry of readdirSync(dir)) {
      if (entry === "node_modules" || entry === "dist") continue;
      const path = join(dir, entry);
      if (statSync(path).isDirectory()) walk(path);
      else if (/\.(m?[jt]s|html)$/.test(entry)) {
        const text = readFileSync(path, "utf8");
        for (const m of text.matchAll(/^[ \t]*(?:\/\/|<!--) #region readme:([\w-]+)(?: -->)?\n([\s\S]*?)^[ \t]*(?:\/\/|<!--) #endregion(?: -->)?$/gm)) {
          map.set(m[1], { code: m[2], file: relative(root, path) });
        }
      }
    }
  };
  walk(join(root, "examples"));
  return map;
}

const problems = [];
const files = [];
const exampleRegions = regions();
for (const readme of ["README.md", "pkg-template/README.md"]) {
  for (const block of blocks(readme)) {
    if (block.name !== undefined) {
      const region = exampleRegions.get(block.name);
      if (!region) problems.push(`${readme}:${block.line}: no example region readme:${block.name}`);
      else if (region.code !== block.code) problems.push(`${readme}:${block.line}: differs from its example region readme:${block.name} (${region.file}); copy the region into the README`);
    }
    if (block.lang === "html") continue; // compared with its region only
    const name = `${readme.replace(/[/.]/g, "_")}_${block.line}.${block.lang}`;
    // Each block is a module (top-level await, its own scope). A page importing the package as
    // installed (no bundler) is checked against the same declarations.
    const code = block.code.replaceAll("./node_modules/realtime-wasm/realtime_wasm.js", "realtime-wasm");
    writeFileSync(join(out, name), `${code}export {};\n`);
    files.push(name);
  }
}
for (const name of exampleRegions.keys()) {
  const shown = ["README.md", "pkg-template/README.md"].some((r) => blocks(r).some((b) => b.name === name));
  if (!shown) problems.push(`example region readme:${name} is shown in no README`);
}

const base = JSON.parse(readFileSync(join(root, "tests/types/tsconfig.json"), "utf8").replace(/^\s*\/\/.*$/gm, ""));
const tsconfig = {
  compilerOptions: {
    ...base.compilerOptions,
    allowJs: true,
    checkJs: true,
    noUnusedLocals: false, // a snippet may declare what the reader uses next
    paths: { "realtime-wasm": [relative(out, join(root, "src/web/realtime_wasm.d.ts"))] },
  },
  files,
};
writeFileSync(join(out, "tsconfig.json"), JSON.stringify(tsconfig, null, 2));
try {
  execFileSync(join(root, "node_modules/.bin/tsc"), ["-p", out], { stdio: "inherit" });
} catch {
  problems.push(`tsc found errors in README snippets (files in ${relative(root, out)}/, named <readme>_<line>)`);
}
if (problems.length > 0) {
  console.error(`readme-snippets:\n  ${problems.join("\n  ")}`);
  process.exit(1);
}
console.log(`readme-snippets: ${files.length} blocks type-check; ${exampleRegions.size} example regions match their READMEs`);
