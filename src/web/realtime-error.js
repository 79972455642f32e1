// `RealtimeError`: the class of the SDK's own errors (a rejected `connect()`, `send()`, …), with a
// stable `code` (the d.ts union `RealtimeErrorCode`; the Rust side's `ErrorCode`). Wrong arguments
// stay `TypeError`/`RangeError`, naming the field. The package entry re-exports this class
// (scripts/build-pkg.mjs), so `e instanceof RealtimeError` holds for what the SDK rejects with.
export class RealtimeError extends Error {
  constructor(message, code) {
    super(message);
    this.name = "RealtimeError";
    this.code = code;
  }
}

export function realtimeError(message, code) {
  return new RealtimeError(message, code);
}
