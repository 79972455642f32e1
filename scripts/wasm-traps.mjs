// core's and alloc's panic entry points emptied to a bare `unreachable`, before wasm-opt runs
// (scripts/build-pkg.mjs, the release build without std).
//
// Owns: finding those functions by their names (wasm-bindgen's output still has the name section;
// wasm-opt drops it) and replacing each body by `unreachable`. Must never touch another function,
// or empty one that could return: a matched body must already end in `unreachable` with no
// `return` (core declares each of them `-> !`), else the build fails.
//
// Why: the package's panic handler traps at once (src/lib.rs, the build without std), but each
// panic site still wrote the message's pieces (`fmt::Arguments`, the index and the length, the
// `Location`) to the stack and went through core's formatting entry points first; stable Rust
// cannot leave them out (nightly's `-Zbuild-std` with `panic_immediate_abort` does). Emptied, they
// are inlined by wasm-opt as the `unreachable` they are, and the argument code at every call site
// goes with them: −0.7 kB gzip. A panic traps where it trapped before, its message unread as before.
//
// Also owns zeroing the texts of core's panic messages in the optimised module's data
// ([`blankPanicMessages`]): only core's formatting, behind those entry points, ever read them.
// Their addresses stay (code may still point at them); zeros compress (−0.15 kB gzip). And core's
// two-digit table for integer formatting, once the optimised module names no address in it
// ([`blankUnreadDigitPairs`]; the SDK prints integers with its own loop, src/text.rs): −0.2 kB.
import { addressCandidates, dataSegments, leb, onlyTraps, sections, uleb } from "./wasm-layout.mjs";

const crate = (name) => `${name}(?:\\[[0-9a-f]+\\])?`;

/** Demangled names of functions core and alloc declare `-> !`: they only ever panic. */
export const PANIC_ENTRY = new RegExp(`^(?:${[
  `${crate("core")}::panicking::.+`, // panic, panic_fmt, panic_bounds_check, panic_const::…, assert_failed, …
  `${crate("core")}::slice::index::slice_\\w*fail`,
  `${crate("core")}::str::slice_error_fail\\w*`,
  `${crate("core")}::cell::panic_already_(?:mutably_)?borrowed`,
  `${crate("core")}::option::(?:unwrap|expect)_failed`,
  `${crate("core")}::result::unwrap_failed`,
  `${crate("alloc")}::raw_vec::(?:handle_error|capacity_overflow)`,
  `${crate("alloc")}::alloc::handle_alloc_error`,
  `<${crate("alloc")}::vec::Vec<_, _>>::\\w+::assert_failed`,
  `${crate("__rustc")}::__rdl_alloc_error_handler`, // (`__rust_alloc_error_handler` forwards to it)
].join("|")})$`);

/** The module with every panic entry point's body replaced by `unreachable`, and their names. */
export function emptyPanicEntries(bytes) {
  const all = sections(bytes);
  let imported = 0;
  const imports = all.find((s) => s.id === 2);
  if (imports) {
    let [count, at] = readU32(bytes, imports.start);
    for (; count > 0; count--) {
      for (let k = 0; k < 2; k++) { const [length, next] = readU32(bytes, at); at = next + length; } // module, name
      const kind = bytes[at++];
      if (kind !== 0) throw new Error(`wasm-traps: an import of kind ${kind}; extend scripts/wasm-traps.mjs`);
      imported++;
      at = readU32(bytes, at)[1]; // its type
    }
  }
  const names = functionNames(bytes, all);
  if (names.size === 0) throw new Error("wasm-traps: the module has no function names (is the name section stripped before wasm-opt?)");
  const code = all.find((s) => s.id === 10);
  let [count, at] = readU32(bytes, code.start);
  const parts = [uleb(count)], emptied = [];
  for (let i = 0; i < count; i++) {
    const [size, start] = readU32(bytes, at);
    const body = bytes.subarray(start, start + size);
    at = start + size;
    const name = names.get(imported + i) ?? "";
    if (!PANIC_ENTRY.test(name)) {
      parts.push(uleb(size), body);
      continue;
    }
    if (!onlyTraps(body)) throw new Error(`wasm-traps: ${name} can return (its body does not end in unreachable); update PANIC_ENTRY`);
    emptied.push(name);
    parts.push(uleb(3), Buffer.from([0x00, 0x00, 0x0b])); // no locals; unreachable; end
  }
  const payload = Buffer.concat(parts);
  return {
    bytes: Buffer.concat([bytes.subarray(0, code.head), Buffer.from([10]), uleb(payload.length), payload, bytes.subarray(code.end)]),
    emptied,
  };
}

/**
 * The literal pieces of core's and alloc's panic messages (`index out of bounds: the len is {} but
 * the index is {}`, …). None may appear in the SDK's own sources (tests/build checks), so a piece
 * found in the data is core's, read by nothing now that every panic traps at its entry point.
 */
export const PANIC_MESSAGE_PIECES = [
  "index out of bounds: the len is ", " but the index is ", "slice index starts at ", " but ends at ",
  "range start index ", "range end index ", " out of range for slice of length ", "memory allocation of ",
  " bytes failed", "insertion index (is ", ") should be <= len (is ", "removal index (is ", "swap_remove index (is ",
  ") should be < len (is ", "attempt to divide by zero", "capacity overflow", "RefCell already mutably borrowed",
  "RefCell already borrowed",
];

/** The module with every occurrence of a panic message piece in its data section zeroed in place. */
export function blankPanicMessages(bytes) {
  const data = sections(bytes).find((s) => s.id === 11);
  let blanked = 0;
  if (data) {
    for (const piece of PANIC_MESSAGE_PIECES.map((p) => Buffer.from(p))) {
      for (let at = bytes.indexOf(piece, data.start); at >= 0 && at + piece.length <= data.end; at = bytes.indexOf(piece, at + piece.length)) {
        bytes.fill(0, at, at + piece.length);
        blanked++;
      }
    }
  }
  return blanked;
}

/** core's `DEC_DIGITS_LUT`: "00", "01", … "99". */
const DIGIT_PAIRS = Buffer.from(Array.from({ length: 100 }, (_, i) => String(i).padStart(2, "0")).join(""));

/**
 * Zeroes core's digit-pair table where no i32.const, load or store offset, or data word of the
 * optimised module falls inside it (its readers, core's integer `Display`, went with the panic
 * formatting: Binaryen leaves them an `unreachable`). Returns how many copies it zeroed.
 */
export function blankUnreadDigitPairs(bytes) {
  const numbers = [...addressCandidates(bytes)];
  let blanked = 0;
  for (const { address, start, end } of dataSegments(bytes)) {
    for (let at = bytes.indexOf(DIGIT_PAIRS, start); at >= 0 && at + DIGIT_PAIRS.length <= end; at = bytes.indexOf(DIGIT_PAIRS, at + 1)) {
      const first = address + (at - start), last = first + DIGIT_PAIRS.length;
      if (numbers.some((n) => n >= first && n < last)) continue;
      bytes.fill(0, at, at + DIGIT_PAIRS.length);
      blanked++;
    }
  }
  return blanked;
}

function readU32(bytes, at) {
  const [value, length] = leb(bytes, at);
  return [value, at + length];
}

/** Function index → name, from the name section (subsection 1). */
function functionNames(bytes, all) {
  const names = new Map();
  for (const s of all.filter((s) => s.id === 0)) {
    let [length, at] = readU32(bytes, s.start);
    if (bytes.toString("utf8", at, at + length) !== "name") continue;
    for (at += length; at < s.end;) {
      const id = bytes[at];
      const [size, start] = readU32(bytes, at + 1);
      at = start + size;
      if (id !== 1) continue;
      let [count, p] = readU32(bytes, start);
      for (; count > 0; count--) {
        const [index, q] = readU32(bytes, p);
        const [nameLength, r] = readU32(bytes, q);
        names.set(index, bytes.toString("utf8", r, r + nameLength));
        p = r + nameLength;
      }
    }
  }
  return names;
}
