// Fault and behaviour knobs shared by every emulated provider.
//
// Owns: parsing the `emu_*` query parameters of a connect URL, and the frame
// sender wrapper that applies the frame-count faults to whatever a provider
// sends. Provider modules own the meaning of the provider-specific knobs
// (session expiry, goAway, pacing); this module only parses them.
//
// ── Knobs (all optional; N counts server frames sent by the wrapped sender) ──
//   emu_close_after=N       after the Nth frame, close the socket (N=0: at once)
//   emu_close_code=C        close code for emu_close_after / emu_close_mid_audio
//                           (default 1006 = abrupt drop: TCP torn down, no close frame;
//                           any other value is sent in a close frame)
//   emu_close_reason=TEXT   close reason (default "emulator fault")
//   emu_close_mid_audio=K   close right after the Kth audio frame (1 = first audio chunk)
//   emu_close_after_turns=K close right after the Kth turn's end (OpenAI `response.done`, Gemini
//                           `serverContent.turnComplete`): a drop between turns, whatever
//                           number of frames the turns took
//   emu_malformed_after=N   after the Nth frame, send one frame that is not valid JSON
//   emu_unknown_after=N     after the Nth frame, send one well-formed event of an unknown type
//   emu_oversized_after=N   after the Nth frame, send one oversized frame (a valid unknown
//                           event padded to emu_oversized_bytes, default 16 MiB + 1 byte)
//   emu_delay_ms=D          hold every frame after the emu_delay_after-th (default 0) for
//   emu_delay_after=N       D ms before sending it (order preserved)
//   emu_latency_ms=L        every frame, in each direction, takes L ms more (order kept; applied
//                           to the socket by server.mjs with latency.mjs, not by wrap())
//   emu_error_after=N       after the Nth frame, a server error (OpenAI: `error` event of
//                           type server_error; Gemini: close 1011 "Internal error occurred.")
//   emu_expire_after_ms=T   provider: session lifetime (OpenAI: `session_expired` then close)
//   emu_goaway_after_ms=T   provider: Gemini `goAway` timing
//   emu_speed=F             provider: pace real-time audio F× faster (default 1)
//   emu_tag=TAG             record this connection under TAG (see recorder.mjs)
//
// ── Exported API ──
//   parseFaults(searchParams | URL | string, defaults?) → Faults
//   class Faults {
//     closeAfter, closeCode, closeReason, closeMidAudio, closeAfterTurns, malformedAfter, unknownAfter,
//     oversizedAfter, oversizedBytes, delayMs, delayAfter, latencyMs, errorAfter, expireAfterMs,
//     goawayAfterMs, speed, tag        — numbers (or null when absent), tag a string|null
//     active()                          — true when any frame-count fault is set
//     wrap(rawSend, opts) → send(message)
//   }
//   wrap options:
//     binary   (bool)  frames are binary (Gemini); injected frames follow it
//     encode   (msg → string|Buffer) default JSON.stringify
//     close    ((code, reason) → void) provider close; required for close faults
//     terminate (() → void) abrupt drop (code 1006); default: faults.terminate (set by
//              server.mjs to the socket's terminate()), else close(1011, reason)
//     isAudio  (msg → bool) which messages count as audio (default knows OpenAI
//              `response.output_audio.delta` and Gemini `inlineData` audio parts)
//     isTurnEnd (msg → bool) which messages end a turn (default knows OpenAI `response.done`
//              and Gemini `serverContent.turnComplete`)
//     unknown  (() → msg)  the unknown-type message (default {type:"emulator.unknown_event"})
//     error    (() → msg|null) the server-error message; null/absent → close(1011, …)
//   The returned send(message) encodes and sends, counting frames and injecting
//   faults after the configured counts; after a fault close it drops further frames.
//   send.closed is true once the wrapper closed the socket; send.count the frames sent.

const INT_KNOBS = {
  closeAfter: 'emu_close_after',
  closeCode: 'emu_close_code',
  closeMidAudio: 'emu_close_mid_audio',
  closeAfterTurns: 'emu_close_after_turns',
  malformedAfter: 'emu_malformed_after',
  unknownAfter: 'emu_unknown_after',
  oversizedAfter: 'emu_oversized_after',
  oversizedBytes: 'emu_oversized_bytes',
  delayMs: 'emu_delay_ms',
  delayAfter: 'emu_delay_after',
  latencyMs: 'emu_latency_ms',
  errorAfter: 'emu_error_after',
  expireAfterMs: 'emu_expire_after_ms',
  goawayAfterMs: 'emu_goaway_after_ms',
};

export const DEFAULT_OVERSIZED_BYTES = 16 * 1024 * 1024 + 1;

function toNumber(v) {
  if (v === null || v === undefined || v === '') return null;
  const n = Number(v);
  return Number.isFinite(n) && n >= 0 ? n : null;
}

function defaultIsTurnEnd(msg) {
  if (!msg || typeof msg !== 'object') return false;
  return msg.type === 'response.done' || msg.serverContent?.turnComplete === true;
}

function defaultIsAudio(msg) {
  if (!msg || typeof msg !== 'object') return false;
  if (msg.type === 'response.output_audio.delta') return true;
  const parts = msg.serverContent?.modelTurn?.parts;
  return Array.isArray(parts) && parts.some((p) => p?.inlineData?.mimeType?.startsWith('audio/'));
}

export class Faults {
  constructor(values = {}) {
    for (const key of Object.keys(INT_KNOBS)) this[key] = values[key] ?? null;
    this.closeReason = values.closeReason ?? null;
    this.speed = values.speed ?? null;
    this.tag = values.tag ?? null;
    this.terminate = null; // server.mjs: () => ws.terminate()
  }

  /** True when a frame-count fault is configured (the sender must be wrapped). */
  active() {
    return [this.closeAfter, this.closeMidAudio, this.closeAfterTurns, this.malformedAfter, this.unknownAfter,
      this.oversizedAfter, this.delayMs, this.errorAfter].some((v) => v !== null);
  }

  /** Wrap a raw frame sender (see the header comment). */
  wrap(rawSend, opts = {}) {
    const encode = opts.encode ?? ((m) => JSON.stringify(m));
    const binary = Boolean(opts.binary);
    const isAudio = opts.isAudio ?? defaultIsAudio;
    const isTurnEnd = opts.isTurnEnd ?? defaultIsTurnEnd;
    const faults = this;
    const reason = this.closeReason ?? 'emulator fault';
    const frame = (text) => (binary ? Buffer.from(text, 'utf8') : text);
    let count = 0;
    let audioCount = 0;
    let turnCount = 0;
    let closed = false;
    let delayChain = null;
    let lastDue = 0;

    const doClose = () => {
      if (closed) return;
      closed = true;
      send.closed = true;
      const code = faults.closeCode ?? 1006;
      if (code === 1006) {
        const terminate = opts.terminate ?? faults.terminate;
        if (terminate) terminate();
        else opts.close?.(1011, reason);
      } else {
        opts.close?.(code, reason);
      }
    };

    const transmit = (payload) => {
      if (closed) return;
      if (faults.delayMs !== null && count >= (faults.delayAfter ?? 0)) {
        const due = Math.max(Date.now() + faults.delayMs, lastDue);
        lastDue = due;
        delayChain = (delayChain ?? Promise.resolve()).then(() => new Promise((resolve) => {
          setTimeout(() => {
            if (!closed) rawSend(payload);
            resolve();
          }, Math.max(0, due - Date.now()));
        }));
      } else {
        rawSend(payload);
      }
    };

    // Injections that fire once `count` frames have been sent.
    const afterCount = () => {
      if (faults.malformedAfter === count) transmit(frame('{"emulator":"malformed frame injected by emu_malformed_after'));
      if (faults.unknownAfter === count) {
        const msg = opts.unknown ? opts.unknown() : { type: 'emulator.unknown_event', note: 'injected by emu_unknown_after' };
        transmit(frame(typeof msg === 'string' ? msg : JSON.stringify(msg)));
      }
      if (faults.oversizedAfter === count) {
        const size = faults.oversizedBytes ?? DEFAULT_OVERSIZED_BYTES;
        const head = '{"type":"emulator.oversized_event","padding":"';
        const tail = '"}';
        const pad = 'x'.repeat(Math.max(0, size - head.length - tail.length));
        transmit(frame(head + pad + tail));
      }
      if (faults.errorAfter === count) {
        const msg = opts.error ? opts.error() : null;
        if (msg) transmit(typeof msg === 'string' ? frame(msg) : frame(JSON.stringify(msg)));
        else {
          closed = true;
          send.closed = true;
          opts.close?.(1011, 'Internal error occurred.');
          return;
        }
      }
      if (faults.closeAfter === count) doClose();
    };

    let zeroDone = false;
    const zero = () => {
      if (zeroDone) return;
      zeroDone = true;
      if (count === 0) afterCount();
    };

    function send(message) {
      zero();
      if (closed) return false;
      const payload = encode(message);
      count += 1;
      send.count = count;
      transmit(typeof payload === 'string' && binary ? Buffer.from(payload, 'utf8') : payload);
      afterCount();
      if (!closed && faults.closeMidAudio !== null && faults.closeMidAudio > 0 && isAudio(message)) {
        audioCount += 1;
        if (audioCount === faults.closeMidAudio) doClose();
      }
      if (!closed && faults.closeAfterTurns !== null && faults.closeAfterTurns > 0 && isTurnEnd(message)) {
        turnCount += 1;
        if (turnCount === faults.closeAfterTurns) doClose();
      }
      return true;
    }
    send.closed = false;
    send.count = 0;
    // N = 0 faults fire before the first provider frame.
    if ([this.closeAfter, this.malformedAfter, this.unknownAfter, this.oversizedAfter, this.errorAfter].includes(0)) {
      setImmediate(zero);
    }
    return send;
  }
}

/** Parse the `emu_*` knobs from a URL, URLSearchParams or query string. */
export function parseFaults(input, defaults = {}) {
  let params;
  if (input instanceof URLSearchParams) params = input;
  else if (input instanceof URL) params = input.searchParams;
  else params = new URL(String(input ?? ''), 'http://localhost').searchParams;
  const values = { ...defaults };
  for (const [key, name] of Object.entries(INT_KNOBS)) {
    const n = toNumber(params.get(name));
    if (n !== null) values[key] = Math.floor(n);
  }
  const speed = toNumber(params.get('emu_speed'));
  if (speed !== null && speed > 0) values.speed = speed;
  if (params.has('emu_close_reason')) values.closeReason = params.get('emu_close_reason');
  if (params.has('emu_tag') && params.get('emu_tag') !== '') values.tag = params.get('emu_tag');
  return new Faults(values);
}
