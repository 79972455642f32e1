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
// Also owns zeroing the texts only core's panic formatting read — its message pieces and its
// digit-pair table — in the optimised module's data, where nothing names an address inside them
// any more ([`blankUnreadPanicTexts`]): addresses stay, zeros compress (−0.37 kB gzip).
import { addressCandidates, dataSegments, functionBodies, importedFunctions, leb, onlyTraps, sections, uleb } from "./wasm-layout.mjs";

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
  const names = functionNames(bytes, all);
  if (names.size === 0) throw new Error("wasm-traps: the module has no function names (is the name section stripped before wasm-opt?)");
  const imported = importedFunctions(bytes), bodies = functionBodies(bytes);
  const parts = [uleb(bodies.length)], emptied = [];
  bodies.forEach((body, i) => {
    const name = names.get(imported + i) ?? "";
    if (!PANIC_ENTRY.test(name)) {
      parts.push(uleb(body.length), body);
      return;
    }
    if (!onlyTraps(body)) throw new Error(`wasm-traps: ${name} can return (a return, tail call or branch out, or no unreachable at its end); update PANIC_ENTRY`);
    emptied.push(name);
    parts.push(uleb(3), Buffer.from([0x00, 0x00, 0x0b])); // no locals; unreachable; end
  });
  const code = all.find((s) => s.id === 10);
  const payload = Buffer.concat(parts);
  return {
    bytes: Buffer.concat([bytes.subarray(0, code.head), Buffer.from([10]), uleb(payload.length), payload, bytes.subarray(code.end)]),
    emptied,
  };
}

/**
 * The texts only core's panic formatting reads: the literal pieces of its messages (`index out of
 * bounds: the len is {} but the index is {}`, …) and its integer `Display`'s digit-pair table
 * (`DEC_DIGITS_LUT`, "00" … "99"; the SDK prints integers with its own loop, src/text.rs). None
 * may appear in the SDK's own sources (tests/build checks).
 */
export const PANIC_TEXTS = [
  "index out of bounds: the len is ", " but the index is ", "slice index starts at ", " but ends at ",
  "range start index ", "range end index ", " out of range for slice of length ", "memory allocation of ",
  " bytes failed", "insertion index (is ", ") should be <= len (is ", "removal index (is ", "swap_remove index (is ",
  ") should be < len (is ", "attempt to divide by zero", "capacity overflow", "RefCell already mutably borrowed",
  "RefCell already borrowed", Array.from({ length: 100 }, (_, i) => String(i).padStart(2, "0")).join(""),
];

/**
 * Zeroes, in the optimised module's data, each copy of a [`PANIC_TEXTS`] text that nothing names:
 * no i32.const, i64/v128 constant lane, load or store offset, or data word falls inside it (its
 * readers went with the panic formatting; Binaryen leaves them an `unreachable`). A text something
 * still points into stays, whoever owns it. Returns how many copies were zeroed.
 */
export function blankUnreadPanicTexts(bytes) {
  const numbers = [...addressCandidates(bytes)];
  const texts = PANIC_TEXTS.map((text) => Buffer.from(text));
  let blanked = 0;
  for (const { address, start, end } of dataSegments(bytes)) {
    for (const text of texts) {
      for (let at = bytes.indexOf(text, start); at >= 0 && at + text.length <= end; at = bytes.indexOf(text, at + 1)) {
        const first = address + (at - start), last = first + text.length;
        if (numbers.some((n) => n >= first && n < last)) continue;
        bytes.fill(0, at, at + text.length);
        blanked++;
      }
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
