// The order of the function bodies in the .wasm, chosen for gzip (scripts/build-pkg.mjs).
//
// Owns: a byte-level rewrite of a finished module that permutes its defined functions — their
// bodies (code section) and types (function section) — and renumbers every reference to them
// (`call`, `return_call`, `ref.func`, exports, element segments, the start function, global
// initialisers, the name section of a `--names` build). It never changes an instruction, a type,
// a local or the data: only where each body sits and the indices that point at it. Anything this
// reader does not know (an instruction outside MVP + SIMD + bulk memory + reference types + sign
// extension + saturating conversions, an unknown section) fails the build rather than ship a
// module it may have misread.
//
// Why: gzip finds repeats only within its 32 KiB window, and the linker lays functions out in an
// order that has nothing to do with their likeness. Placing each body where deflate packs it best
// puts alike code (the readers of each struct, drop glue, the JS shims) in one window. Binaryen's
// own reordering cannot run after the final -Oz: reading the optimised module back adds scratch
// locals (+0.7 kB).
//
// A module's function order has no meaning to the engine (each body is compiled on its own);
// only the index of each function changes, consistently everywhere.
import { deflateRawSync, gzipSync } from "node:zlib";

/** An unsigned LEB128 at `at`: [value, its length in bytes]. */
export function leb(bytes, at) {
  let value = 0, shift = 0, length = 0, byte;
  do { byte = bytes[at + length++]; value += (byte & 0x7f) * 2 ** shift; shift += 7; } while (byte & 0x80);
  return [value, length];
}

/** `value` as an unsigned LEB128. */
export function uleb(value) {
  const out = [];
  do { let byte = value & 0x7f; value = Math.floor(value / 128); if (value) byte |= 0x80; out.push(byte); } while (value);
  return Buffer.from(out);
}

/** The first section with id `id`: where it begins (`head`, its id byte) and where its payload lies. */
export function section(bytes, id) {
  return sections(bytes).find((s) => s.id === id);
}

/** Every section in file order: `{ id, head, start, end }`. */
export function sections(bytes) {
  const all = [];
  for (let at = 8; at < bytes.length;) {
    const [size, sizeLength] = leb(bytes, at + 1);
    const start = at + 1 + sizeLength, end = start + size;
    all.push({ id: bytes[at], head: at, start, end });
    at = end;
  }
  return all;
}

// The active data segments of a module: their memory address and where their bytes lie in the file.
export function dataSegments(bytes) {
  const segments = [];
  const data = section(bytes, 11);
  if (!data) return segments;
  let [count, q] = leb(bytes, data.start);
  q += data.start;
  for (let i = 0; i < count; i++) {
    // Flag 0: active, memory 0, offset `i32.const N; end` (a signed LEB).
    if (bytes[q] !== 0 || bytes[q + 1] !== 0x41) throw new Error("wasm-layout: a data segment of another form; update dataSegments");
    let address = 0, shift = 0, byte, p = q + 2;
    do { byte = bytes[p++]; address += (byte & 0x7f) * 2 ** shift; shift += 7; } while (byte & 0x80);
    if (byte & 0x40) address -= 2 ** shift;
    if (bytes[p++] !== 0x0b) throw new Error("wasm-layout: a data segment offset that is not a constant; update dataSegments");
    const [length, l] = leb(bytes, p);
    segments.push({ address, start: p + l, end: p + l + length });
    q = p + l + length;
  }
  return segments;
}

/** How many functions the module imports: the indices before its own functions'. */
export function importedFunctions(bytes) {
  let imported = 0;
  const imports = section(bytes, 2);
  if (imports) {
    const r = new Rewriter(bytes, imports.start, (i) => i);
    for (let n = r.u32(); n > 0; n--) {
      r.skipBytes(); // module
      r.skipBytes(); // name
      const kind = bytes[r.at++];
      if (kind === 0) { r.u32(); imported++; }
      else if (kind === 1) { r.at++; const flags = r.u32(); r.u32(); if (flags & 1) r.u32(); }
      else if (kind === 2) { const flags = r.u32(); r.u32(); if (flags & 1) r.u32(); }
      else if (kind === 3) r.at += 2;
      else r.fail(`import kind ${kind}`);
    }
  }
  return imported;
}

/** The bodies of the module's own functions, in order (views into `bytes`). */
export function functionBodies(bytes) {
  const bodies = [];
  const code = section(bytes, 10);
  if (code) {
    const r = new Rewriter(bytes, code.start, (i) => i);
    for (let n = r.u32(); n > 0; n--) {
      const size = r.u32();
      bodies.push(bytes.subarray(r.at, r.at + size));
      r.at += size;
    }
  }
  return bodies;
}

/** A cursor over `bytes` that copies what it reads into `out`, remapping function indices. */
class Rewriter {
  constructor(bytes, at, remap) {
    this.bytes = bytes;
    this.at = at;
    this.remap = remap;
    this.out = [];
    this.copied = at;
  }
  u32() {
    const [value, length] = leb(this.bytes, this.at);
    this.at += length;
    return value;
  }
  /** A length-prefixed byte string (a name), skipped. */
  skipBytes() {
    const length = this.u32();
    this.at += length;
  }
  skipSigned() {
    while (this.bytes[this.at++] & 0x80);
  }
  /** A function index, written renumbered. */
  func() {
    this.flush();
    const index = this.u32();
    this.out.push(uleb(this.remap(index)));
    this.copied = this.at;
  }
  flush() {
    if (this.at > this.copied) this.out.push(this.bytes.subarray(this.copied, this.at));
    this.copied = this.at;
  }
  result() {
    this.flush();
    return Buffer.concat(this.out);
  }
  fail(what) {
    throw new Error(`wasm-layout: ${what} at byte ${this.at}; extend scripts/wasm-layout.mjs`);
  }
  blockType() {
    const byte = this.bytes[this.at];
    if (byte === 0x40 || (byte >= 0x6f && byte <= 0x7f)) this.at++;
    else this.skipSigned(); // a type index (s33)
  }
  memarg() {
    const align = this.u32();
    if (align & 0x40) this.u32(); // a memory index (multi-memory)
    const offset = this.u32();
    this.onNumber?.(offset); // (read first: `?.` would skip evaluating its argument)
  }
  /** An i64.const's value (a signed LEB128): both 32-bit halves, as numbers (a pointer and a
   *  length stored together can be one 64-bit constant). */
  i64() {
    let value = 0n, shift = 0n, byte;
    do { byte = this.bytes[this.at++]; value |= BigInt(byte & 0x7f) << shift; shift += 7n; } while (byte & 0x80);
    if (shift < 64n && byte & 0x40) value |= -1n << shift;
    this.onNumber?.(Number(BigInt.asUintN(32, value)));
    this.onNumber?.(Number(BigInt.asUintN(32, value >> 32n)));
  }
  /** An i32.const's value (a signed LEB128). */
  i32() {
    let value = 0, shift = 0, byte;
    do { byte = this.bytes[this.at++]; value |= (byte & 0x7f) << shift; shift += 7; } while (byte & 0x80);
    if (shift < 32 && byte & 0x40) value |= -1 << shift;
    this.onNumber?.(value >>> 0);
  }
  /** Instructions until the `end` that closes the expression (a body or an initialiser). */
  expression() {
    let depth = 1;
    // A branch target; one to the body's own label leaves the function.
    const label = () => { if (this.u32() === depth - 1) this.returns = true; };
    while (depth > 0) {
      const op = this.bytes[this.at++];
      this.previous = this.current; // the instruction before the closing `end`, once done
      this.current = op;
      // Leaving the function otherwise: `return` or a tail call.
      if (op === 0x0f || op === 0x12 || op === 0x13) this.returns = true;
      if (op === 0x0b) depth--;
      else if (op >= 0x02 && op <= 0x04) { this.blockType(); depth++; }
      else if (op === 0x10 || op === 0x12 || op === 0xd2) this.func();
      else if (op <= 0x01 || op === 0x05 || op === 0x0f || op === 0x1a || op === 0x1b || op === 0xd1 || (op >= 0x45 && op <= 0xc4)) { /* no immediate */ }
      else if (op === 0x0c || op === 0x0d) label();
      else if ((op >= 0x20 && op <= 0x26) || op === 0x3f || op === 0x40) this.u32();
      else if (op === 0x0e) { for (let n = this.u32() + 1; n > 0; n--) label(); }
      else if (op === 0x11 || op === 0x13) { this.u32(); this.u32(); }
      else if (op === 0x1c) { for (let n = this.u32(); n > 0; n--) this.at++; }
      else if (op >= 0x28 && op <= 0x3e) this.memarg();
      else if (op === 0x41) this.i32();
      else if (op === 0x42) this.i64();
      else if (op === 0x43) this.at += 4;
      else if (op === 0x44) this.at += 8;
      else if (op === 0xd0) this.blockType(); // a heap type: one byte or an s33, as a block type
      else if (op === 0xfc) this.bulk();
      else if (op === 0xfd) this.simd();
      else this.fail(`instruction 0x${op.toString(16)}`);
    }
  }
  bulk() {
    const sub = this.u32();
    if (sub <= 7) return; // saturating conversions
    const immediates = { 8: 2, 9: 1, 10: 2, 11: 1, 12: 2, 13: 1, 14: 2, 15: 1, 16: 1, 17: 1 }[sub];
    if (immediates === undefined) this.fail(`instruction 0xfc ${sub}`);
    for (let n = immediates; n > 0; n--) this.u32();
  }
  simd() {
    const sub = this.u32();
    if (sub <= 11 || sub === 92 || sub === 93) this.memarg();
    else if (sub === 12) { // v128.const: its four 32-bit lanes, as numbers
      for (let lane = 0; lane < 4; lane++) this.onNumber?.(this.bytes.readUInt32LE(this.at + 4 * lane));
      this.at += 16;
    }
    else if (sub === 13) this.at += 16; // i8x16.shuffle
    else if (sub >= 21 && sub <= 34) this.at++; // a lane
    else if (sub >= 84 && sub <= 91) { this.memarg(); this.at++; }
    else if (sub > 275) this.fail(`instruction 0xfd ${sub}`);
  }
}

/**
 * Whether a function body ends in `unreachable` (its last instruction before the closing `end`)
 * and nothing leaves it otherwise (no `return`, tail call or branch to the body's own label): the
 * shape of a function that can only trap (scripts/wasm-traps.mjs).
 */
export function onlyTraps(body) {
  const r = new Rewriter(body, 0, (i) => i);
  for (let groups = r.u32(); groups > 0; groups--) { r.u32(); r.at++; } // locals: count, type
  r.expression();
  return r.previous === 0x00 && !r.returns;
}

/**
 * Every number the module's code and initialisers could use as a memory address: each i32.const,
 * both halves of each i64.const, the lanes of each v128.const, each load and store offset, and
 * every 4-byte word of the data (pointers the data holds).
 * A range of the data that none of them falls in is named by nothing (scripts/wasm-traps.mjs).
 */
export function addressCandidates(bytes) {
  const numbers = new Set();
  const all = sections(bytes);
  // Each entry of a section (a vector), read by `each`.
  const walk = (at, each) => {
    const r = new Rewriter(bytes, at, (i) => i);
    r.onNumber = (n) => numbers.add(n);
    for (let n = r.u32(); n > 0; n--) each(r);
  };
  const code = all.find((s) => s.id === 10);
  if (code) walk(code.start, (r) => {
    const end = r.u32() + r.at;
    for (let groups = r.u32(); groups > 0; groups--) { r.u32(); r.at++; } // locals
    r.expression();
    if (r.at !== end) r.fail("a body that does not end with its expression");
  });
  const globals = all.find((s) => s.id === 6);
  if (globals) walk(globals.start, (r) => { r.at += 2; r.expression(); });
  const data = all.find((s) => s.id === 11);
  if (data) walk(data.start, (r) => {
    const flags = r.u32();
    if (flags === 2) r.u32(); // a memory index
    if (flags !== 1) r.expression(); // an active segment's offset
    const length = r.u32();
    // Every position, not only aligned ones: more numbers can only keep more of the data.
    for (let i = 0; i + 4 <= length; i++) numbers.add(bytes.readUInt32LE(r.at + i));
    r.at += length;
  });
  return numbers;
}

/** A function body with its function indices renumbered. */
function rewriteBody(body, remap) {
  const r = new Rewriter(body, 0, remap);
  for (let groups = r.u32(); groups > 0; groups--) { r.u32(); r.at++; } // locals: count, type
  r.expression();
  if (r.at !== body.length) r.fail("a body that does not end with its expression");
  return r.result();
}

/**
 * The order to lay `bodies` out in, greedily: after each body, of the `candidates` left that share
 * the most distinct byte triples with it (relative to both sizes), the one that deflate packs
 * best behind the last 32 KiB placed (its size alone minus its size with that window as the
 * dictionary). Starts from the first body; ties go to the earlier one, so the order is
 * deterministic. Measured on the package (gzip of the .wasm): triples alone −1.4 kB, this
 * −2.3 kB; a 16 KiB window was no better. Which number of candidates packs best varies by
 * ±0.1 kB from build to build (a greedy order is chaotic): [`layOutSmallest`] tries several.
 */
export function likenessOrder(bodies, candidates = 16) {
  const WINDOW = 32 * 1024;
  if (bodies.length === 0) return [];
  const triples = bodies.map((body) => {
    const set = new Set();
    for (let i = 0; i + 3 <= body.length; i++) set.add((body[i] << 16) | (body[i + 1] << 8) | body[i + 2]);
    return set;
  });
  const likeness = (a, b) => {
    const [small, large] = a.size < b.size ? [a, b] : [b, a];
    let shared = 0;
    for (const t of small) if (large.has(t)) shared++;
    return shared / (a.size + b.size - shared + 1);
  };
  const alone = bodies.map((body) => deflateRawSync(body, { level: 9 }).length);
  const left = new Set(bodies.keys());
  const order = [];
  let window = Buffer.alloc(0);
  for (let current = 0; ;) {
    order.push(current);
    left.delete(current);
    if (left.size === 0) return order;
    window = Buffer.concat([window, bodies[current]]).subarray(-WINDOW);
    const likest = [...left]
      .map((other) => [other, likeness(triples[current], triples[other])])
      .sort((x, y) => y[1] - x[1] || x[0] - y[0])
      .slice(0, candidates);
    let best = -1, bestGain = -Infinity;
    for (const [other] of likest) {
      const gain = alone[other] - deflateRawSync(bodies[other], { level: 9, dictionary: window }).length;
      if (gain > bestGain) { bestGain = gain; best = other; }
    }
    current = best;
  }
}

/**
 * The module laid out by [`likenessOrder`] with 16, 32, 48, 64 and 96 candidates a step, whichever
 * gzips smallest (deterministic: the same module gives the same bytes). On session 12's module
 * 40–96 candidates packed 0.1–0.2 kB better than 8–32 (up to 128 measured); each count costs
 * 2–6 s of the build.
 */
export function layOutSmallest(bytes) {
  let best;
  for (const candidates of [16, 32, 48, 64, 96]) {
    const laidOut = layOutFunctions(bytes, (bodies) => likenessOrder(bodies, candidates));
    const size = gzipSync(laidOut, { level: 9 }).length;
    if (!best || size < best.size) best = { laidOut, size };
  }
  return best.laidOut;
}

/** The module with its defined functions laid out by likeness (see the module docs). */
export function layOutFunctions(bytes, orderOf = likenessOrder) {
  const all = sections(bytes);
  const known = new Set([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
  for (const s of all) if (!known.has(s.id)) throw new Error(`wasm-layout: section ${s.id}; extend scripts/wasm-layout.mjs`);
  const of = (id) => all.find((s) => s.id === id);

  // Imported functions keep their indices (0 … imported-1); defined ones follow.
  const imported = importedFunctions(bytes);
  const functions = of(3);
  const bodies = functionBodies(bytes);
  const types = [];
  {
    const r = new Rewriter(bytes, functions.start, (i) => i);
    for (let n = r.u32(); n > 0; n--) types.push(r.u32());
  }
  if (types.length !== bodies.length) throw new Error("wasm-layout: the function and code sections disagree");

  const order = orderOf(bodies); // new position → old defined index
  const newIndex = new Array(order.length);
  order.forEach((old, position) => { newIndex[old] = position; });
  const remap = (index) => {
    if (index < imported) return index;
    const moved = newIndex[index - imported];
    if (moved === undefined) throw new Error(`wasm-layout: function index ${index} out of range`);
    return moved + imported;
  };

  const rebuilt = new Map(); // section id → new payload
  rebuilt.set(3, Buffer.concat([uleb(order.length), ...order.map((old) => uleb(types[old]))]));
  rebuilt.set(10, Buffer.concat([uleb(order.length), ...order.flatMap((old) => {
    const body = rewriteBody(bodies[old], remap);
    return [uleb(body.length), body];
  })]));
  const exports = of(7);
  if (exports) {
    const r = new Rewriter(bytes, exports.start, remap);
    for (let n = r.u32(); n > 0; n--) {
      r.skipBytes(); // name
      const kind = bytes[r.at++];
      if (kind === 0) r.func();
      else r.u32();
    }
    rebuilt.set(7, r.result());
  }
  const start = of(8);
  if (start) {
    const r = new Rewriter(bytes, start.start, remap);
    r.func();
    rebuilt.set(8, r.result());
  }
  const globals = of(6);
  if (globals) {
    const r = new Rewriter(bytes, globals.start, remap);
    for (let n = r.u32(); n > 0; n--) { r.at += 2; r.expression(); } // type, mutability, initialiser
    rebuilt.set(6, r.result());
  }
  const elements = of(9);
  if (elements) {
    const r = new Rewriter(bytes, elements.start, remap);
    for (let n = r.u32(); n > 0; n--) {
      const flags = r.u32();
      if (flags & 2 && !(flags & 1)) r.u32(); // a table index
      if (!(flags & 1)) r.expression(); // an active segment's offset
      if (flags & 3) r.at++; // an element kind or a reference type
      for (let m = r.u32(); m > 0; m--) {
        if (flags & 4) r.expression();
        else r.func();
      }
    }
    rebuilt.set(9, r.result());
  }
  // The name section of a --names build: function names and local names are keyed by function
  // index, in increasing order.
  const custom = new Map(); // head → new payload
  for (const s of all.filter((s) => s.id === 0)) {
    const [nameLength, l] = leb(bytes, s.start);
    if (bytes.toString("utf8", s.start + l, s.start + l + nameLength) !== "name") continue;
    const parts = [bytes.subarray(s.start, s.start + l + nameLength)];
    for (let at = s.start + l + nameLength; at < s.end;) {
      const id = bytes[at];
      const [size, sizeLength] = leb(bytes, at + 1);
      const payloadStart = at + 1 + sizeLength, payloadEnd = payloadStart + size;
      let payload = bytes.subarray(payloadStart, payloadEnd);
      if (id === 1 || id === 2) {
        const r = new Rewriter(bytes, payloadStart, remap);
        const entries = [];
        for (let n = r.u32(); n > 0; n--) {
          const index = r.u32();
          const from = r.at;
          if (id === 1) r.skipBytes();
          else for (let m = r.u32(); m > 0; m--) { r.u32(); r.skipBytes(); }
          entries.push([remap(index), bytes.subarray(from, r.at)]);
        }
        entries.sort((a, b) => a[0] - b[0]);
        payload = Buffer.concat([uleb(entries.length), ...entries.flatMap(([index, rest]) => [uleb(index), rest])]);
      }
      parts.push(Buffer.from([id]), uleb(payload.length), payload);
      at = payloadEnd;
    }
    custom.set(s.head, Buffer.concat(parts));
  }

  const out = [bytes.subarray(0, 8)];
  for (const s of all) {
    const payload = s.id === 0 ? custom.get(s.head) : rebuilt.get(s.id);
    if (payload) out.push(Buffer.from([s.id]), uleb(payload.length), payload);
    else out.push(bytes.subarray(s.head, s.end));
  }
  return Buffer.concat(out);
}
