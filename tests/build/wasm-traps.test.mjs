// scripts/wasm-traps.mjs: core's panic entry points become a bare `unreachable`; every other
// function is left byte for byte; a matched function that could return fails the build.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { blankUnreadPanicTexts, emptyPanicEntries, PANIC_ENTRY, PANIC_TEXTS } from '../../scripts/wasm-traps.mjs';
import { functionBodies } from '../../scripts/wasm-layout.mjs';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const scratch = mkdtempSync(path.join(tmpdir(), 'wasm-traps-'));

/** A module from text, with its function names (wasm-as -g), as wasm-bindgen hands it over. */
function assemble(text, ...features) {
  const source = path.join(scratch, 'm.wat'), file = path.join(scratch, 'm.wasm');
  writeFileSync(source, text);
  execFileSync(path.join(REPO, 'node_modules/.bin/wasm-as'), [source, '-g', ...features, '-o', file]);
  return readFileSync(file);
}

// A panic entry point writes its message's pieces, then traps; its caller computes the arguments.
const PANICKING = `(func $%NAME% (param i32 i32) (local i32)
    (i32.store (i32.const 64) (local.get 0)) (i32.store (i32.const 68) (local.get 1)) (unreachable))`;

test('panic entry points become a bare trap; every other function stays as it was', () => {
  const before = assemble(`(module (import "a" "b" (func $imported (param i32)))
    (memory 1)
    ${PANICKING.replace('%NAME%', '"core[0123abcd]::panicking::panic_bounds_check"')}
    ${PANICKING.replace('%NAME%', 'app::not_a_panic')}
    ${PANICKING.replace('%NAME%', '"alloc[99]::raw_vec::handle_error"')}
    (func $"app::caller" (export "caller") (param i32)
      (if (i32.gt_u (local.get 0) (i32.const 9)) (then (call $"core[0123abcd]::panicking::panic_bounds_check" (local.get 0) (i32.const 9))))
      (call $imported (local.get 0))))`);
  const { bytes: after, emptied } = emptyPanicEntries(before);
  assert.deepEqual(emptied, ['core[0123abcd]::panicking::panic_bounds_check', 'alloc[99]::raw_vec::handle_error']);
  assert.ok(WebAssembly.validate(after));
  const [b, a] = [functionBodies(before), functionBodies(after)];
  assert.deepEqual(a[0], Buffer.from([0x00, 0x00, 0x0b]), 'no locals, unreachable, end');
  assert.deepEqual(a[1], b[1], 'a function of another name is untouched');
  assert.deepEqual(a[2], Buffer.from([0x00, 0x00, 0x0b]));
  assert.deepEqual(a[3], b[3], 'callers are untouched (wasm-opt inlines the trap)');
  // Still a trap where it trapped, and the rest runs as before.
  const seen = [];
  const { exports } = new WebAssembly.Instance(new WebAssembly.Module(after), { a: { b: (x) => seen.push(x) } });
  exports.caller(3);
  assert.deepEqual(seen, [3]);
  assert.throws(() => exports.caller(10), WebAssembly.RuntimeError);
});

test('a function of a panic entry\'s name that can return fails the build', () => {
  const module = assemble(`(module (func $"core[1]::panicking::panic_fmt" (param i32) (result i32) (local.get 0)))`);
  assert.throws(() => emptyPanicEntries(module), /wasm-traps: core\[1\]::panicking::panic_fmt can return/);
  const early = assemble(`(module (func $"core::option::unwrap_failed" (param i32)
    (if (local.get 0) (then (return))) (unreachable)))`);
  assert.throws(() => emptyPanicEntries(early), /can return/);
  // A branch to the body's own label leaves the function as `return` does; one to an inner block
  // does not.
  const branch = (depth) => assemble(`(module (func $"core::option::expect_failed" (param i32)
    (block $inner (br_if ${depth} (local.get 0))) (unreachable)))`);
  assert.throws(() => emptyPanicEntries(branch(1)), /can return/);
  assert.deepEqual(emptyPanicEntries(branch(0)).emptied, ['core::option::expect_failed']);
  const table = assemble(`(module (func $"core::result::unwrap_failed" (param i32)
    (block $inner (br_table $inner 1 (local.get 0))) (unreachable)))`);
  assert.throws(() => emptyPanicEntries(table), /can return/);
  const tail = assemble(`(module (func $g (unreachable))
    (func $"core::panicking::panic" (return_call $g) (unreachable)))`, '--enable-tail-call');
  assert.throws(() => emptyPanicEntries(tail), /can return/);
});

test('a module without function names fails the build instead of shipping unemptied', () => {
  const source = path.join(scratch, 'bare.wat'), file = path.join(scratch, 'bare.wasm');
  writeFileSync(source, '(module (func $f (unreachable)))');
  execFileSync(path.join(REPO, 'node_modules/.bin/wasm-as'), [source, '-o', file]);
  assert.throws(() => emptyPanicEntries(readFileSync(file)), /no function names/);
});

test('the names matched are core\'s and alloc\'s diverging entry points only', () => {
  for (const name of ['core[c5930c85a12de822]::panicking::panic_fmt', 'core::panicking::panic_const::panic_const_div_by_zero',
    'core[1]::slice::index::slice_index_fail', 'core[1]::slice::index::slice_end_index_len_fail', 'core[1]::cell::panic_already_mutably_borrowed',
    'core[1]::option::unwrap_failed', 'core[1]::option::expect_failed', 'core[1]::result::unwrap_failed', 'alloc[2]::alloc::handle_alloc_error',
    '<alloc[3ca501edff3f0c7c]::vec::Vec<_, _>>::swap_remove::assert_failed', '__rustc[b7974e8690430dd9]::__rdl_alloc_error_handler']) {
    assert.ok(PANIC_ENTRY.test(name), name);
  }
  for (const name of ['<core::ops::range::Range<usize> as core::slice::index::SliceIndex<[T]>>::index', 'core[1]::cell::RefCell::borrow',
    'realtime_wasm::panicking::x', 'core[1]::option::Option<T>::unwrap', 'alloc[2]::raw_vec::RawVecInner::grow_amortized',
    '__rustc[1]::__rust_alloc_error_handler', 'mycore::panicking::panic']) {
    assert.ok(!PANIC_ENTRY.test(name), name);
  }
});

test('core\'s panic texts are zeroed in the data, and nothing else', () => {
  const module = assemble(`(module (memory 1)
    (data (i32.const 16) "keep index out of bounds: the len is \\00 but the index is keep too")
    (func $f (export "f") (result i32) (i32.const 16)))`);
  const text = (bytes) => bytes.toString('latin1');
  const blanked = Buffer.from(module);
  assert.equal(blankUnreadPanicTexts(blanked), 2);
  assert.equal(blanked.length, module.length, 'addresses stay where they were');
  // The two pieces (32 and 18 characters) around the data's own zero byte, which stays.
  const expected = 'keep ' + '\0'.repeat(32) + '\0' + '\0'.repeat(18) + 'keep too';
  assert.ok(text(blanked).includes(expected), text(blanked));
  assert.ok(!text(module).includes(expected));
  assert.ok(WebAssembly.validate(blanked));
  // A piece outside the data section (a function's name) is not the data's.
  const named = assemble('(module (func $"capacity overflow" (unreachable)))');
  const copy = Buffer.from(named);
  assert.equal(blankUnreadPanicTexts(copy), 0);
  assert.deepEqual(copy, named);
});

test('no panic text is a text of the SDK\'s own', () => {
  const files = [];
  const walk = (dir) => {
    for (const entry of readdirSync(path.join(REPO, dir), { withFileTypes: true })) {
      const name = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(name);
      else if (/\.(rs|js)$/.test(entry.name)) files.push(name);
    }
  };
  walk('src');
  walk('worklets');
  assert.ok(files.length > 20, 'the sources were found');
  for (const file of files) {
    const source = readFileSync(path.join(REPO, file), 'utf8');
    for (const piece of PANIC_TEXTS) assert.ok(!source.includes(piece), `${file} has ${JSON.stringify(piece)}`);
  }
});

test('a panic text is zeroed only where nothing in the module names an address in it', () => {
  const pairs = Array.from({ length: 100 }, (_, i) => String(i).padStart(2, '0')).join('');
  // The table at address 1000 (to 1200), after 8 bytes of other data at 992.
  const module = (uses) => assemble(`(module (memory 1)
    (data (i32.const 992) "other...${pairs}")
    (func $f (export "f") (param i32) (result i32) ${uses}))`, '--enable-simd');
  const cases = [
    ['(local.get 0)', 1],
    ['(i32.const 1200)', 1], // just past its end
    ['(i32.const 999)', 1], // just before it
    ['(i32.const 1000)', 0],
    ['(i32.load8_u (i32.add (local.get 0) (i32.const 1199)))', 0],
    ['(i32.load8_u offset=1010 (local.get 0))', 0], // a load offset inside it
    // A pointer and a length stored together as one 64-bit constant (0x1_000003F2: 1010, 1).
    ['(i64.store (local.get 0) (i64.const 4294968306)) (local.get 0)', 0],
    ['(i64.store (local.get 0) (i64.const 4294967297)) (local.get 0)', 1], // 1, 1
    ['(v128.store (local.get 0) (v128.const i32x4 0 0 1010 0)) (local.get 0)', 0], // a lane
  ];
  for (const [uses, zeroed] of cases) {
    const bytes = module(uses);
    assert.equal(blankUnreadPanicTexts(bytes), zeroed, uses);
    assert.equal(bytes.includes(Buffer.from(pairs)), zeroed === 0, uses);
    assert.ok(bytes.includes(Buffer.from('other...')), 'the data around it stays');
  }
  // A pointer to it held in the data (a vtable, a &str) keeps it too.
  const held = assemble(`(module (memory 1)
    (data (i32.const 992) "other...${pairs}")
    (data (i32.const 2000) "\\e8\\03\\00\\00")
    (func $f (export "f") (result i32) (i32.const 2000)))`);
  assert.equal(blankUnreadPanicTexts(held), 0);
});
