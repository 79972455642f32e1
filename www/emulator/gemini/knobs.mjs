// Gemini Live emulation — Gemini-specific `emu_*` query knobs.
//
// Owns: the knobs that only the Gemini emulation reads from the connect URL
// (the generic frame-count faults are parsed by ../faults.mjs):
//   emu_speed=F            pace audio replies F× faster than real time (default 1)
//   emu_expire_after_ms=N  (alias emu_conn_limit_ms) the connection limit: the server closes with
//                          1011 "Deadline expired before operation could complete."
//                          N ms after the first frame (default 600000, the real ≈10 min)
//   emu_goaway_after_ms=N  when to send `goAway{timeLeft}` (default: 60 s before the
//                          limit, or half-way for limits under 2 min); timeLeft is the
//                          remaining time in whole seconds, rounded up ("Ns")
// A value from ctx (server-wide defaults: ctx.speed, ctx.faults.expireAfterMs) is used when
// the URL has none. The generic faults (emu_close_after, emu_malformed_after, …) apply to
// Gemini frames through ../faults.mjs; see gemini.mjs.

const num = (v) => (v === null || v === undefined || v === '' || !Number.isFinite(Number(v)) ? null : Number(v));

export function readKnobs(params, ctx = {}) {
  const speed = num(params.get('emu_speed')) ?? num(ctx.speed) ?? 1;
  const connectionLimitMs = num(params.get('emu_expire_after_ms')) ?? num(params.get('emu_conn_limit_ms'))
    ?? num(ctx.faults?.expireAfterMs) ?? num(ctx.connectionLimitMs) ?? 600_000;
  let goAwayAfterMs = num(params.get('emu_goaway_after_ms'));
  if (goAwayAfterMs === null) goAwayAfterMs = connectionLimitMs - Math.min(60_000, connectionLimitMs / 2);
  return {
    speed: speed > 0 ? speed : 1,
    connectionLimitMs: Math.max(goAwayAfterMs, connectionLimitMs),
    goAwayAfterMs: Math.max(0, goAwayAfterMs),
  };
}
