// scripts/wasm-layout.mjs against an independent reader (Binaryen's wasm-dis): a laid-out module
// is the same module — every function body, export and table entry as before, only the indices
// renumbered. Runs on the built package (node scripts/build-pkg.mjs first), which has every
// instruction kind the SDK emits.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { layOutFunctions, likenessOrder } from '../../scripts/wasm-layout.mjs';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const BIN = path.join(REPO, 'node_modules/.bin');
const scratch = mkdtempSync(path.join(tmpdir(), 'wasm-layout-'));

/** Binaryen's text of a module: its functions (`$N` by index), exports and table entries. */
function disassemble(bytes, name) {
  const file = path.join(scratch, `${name}.wasm`);
  writeFileSync(file, bytes);
  const text = execFileSync(path.join(BIN, 'wasm-dis'), [file], { encoding: 'utf8', maxBuffer: 1 << 28 });
  const heads = [...text.matchAll(/\n \(func \$(\d+)/g)];
  const functions = heads.map((m, i) => {
    const body = text.slice(m.index, i + 1 < heads.length ? heads[i + 1].index : text.length);
    return [m[1], body.slice(0, body.indexOf('\n )') + 3)];
  });
  const exports = [...text.matchAll(/\(export "([^"]+)" \(func \$([^\s)]+)\)/g)].map((m) => [m[1], m[2]]);
  const table = text.match(/\(elem [^\n]*/g) ?? [];
  return { functions, exports, table };
}

test('a laid-out module is the same module with its functions renumbered', () => {
  const before = readFileSync(path.join(REPO, 'pkg/realtime_wasm_bg.wasm'));
  // Reversed: every defined function moves (the build's own order is already applied to pkg/).
  let order;
  const after = layOutFunctions(before, (bodies) => (order = [...bodies.keys()].reverse()));
  assert.ok(WebAssembly.validate(after), 'the laid-out module validates');
  assert.notDeepEqual(after, before);

  const a = disassemble(before, 'before'), b = disassemble(after, 'after');
  assert.equal(b.functions.length, a.functions.length);
  assert.equal(order.length, a.functions.length);
  // A function's new name → the name it had: position j of `after` holds old body order[j].
  const positionAfter = new Map(b.functions.map(([name], j) => [name, j]));
  const original = (name) => (positionAfter.has(name) ? a.functions[order[positionAfter.get(name)]][0] : name);
  const renamed = (text) => text
    .replace(/\(func \$(\d+)/, (_, n) => `(func $${original(n)}`)
    .replace(/\((call|return_call|ref\.func) \$([^\s)]+)/g, (_, op, n) => `(${op} $${original(n)}`);
  b.functions.forEach(([name, text], j) => {
    assert.equal(renamed(text), a.functions[order[j]][1], `function ${name} (was ${original(name)})`);
  });
  assert.ok(b.functions.some(([, text]) => /\(call \$\d+/.test(text)), 'the module has calls to renumber');
  assert.deepEqual(b.exports.map(([e, f]) => [e, original(f)]), a.exports);
  const renamedTable = b.table.map((line) => line.replace(/ func (.*)$/, (_, list) => ` func ${list.replace(/(?<=^| )\$(\d+)/g, (__, n) => `$${original(n)}`)}`));
  assert.deepEqual(renamedTable, a.table);
  assert.ok(a.table.length > 0, 'the module has a function table to renumber');
});

test('the likeness order is a permutation and deterministic', () => {
  const bodies = [[1, 2, 3, 4], [9, 9, 9], [1, 2, 3, 5], [9, 9, 9, 9], [7]].map((b) => Buffer.from(b));
  const order = likenessOrder(bodies);
  assert.deepEqual([...order].sort(), [0, 1, 2, 3, 4]);
  assert.equal(order[0], 0);
  assert.equal(order[1], 2, 'the body most like the first follows it');
  assert.deepEqual(likenessOrder(bodies), order);
});

test('an instruction the reader does not know fails the layout instead of being misread', () => {
  // (func (try (do)) ) with legacy exception handling: opcode 0x06.
  const text = path.join(scratch, 'try.wat');
  writeFileSync(text, '(module (func $f (try (do nop))) (func $g (call $f)))');
  const file = path.join(scratch, 'try.wasm');
  execFileSync(path.join(BIN, 'wasm-as'), [text, '--enable-exception-handling', '-o', file]);
  assert.throws(() => layOutFunctions(readFileSync(file)), /wasm-layout: instruction 0x6/);
});
