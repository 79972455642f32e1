// Audio levels for the meters. No DOM here (Node tests import it).
//
// Owns: the level scale (0–1 from dBFS, −60 dB → 0, 0 dB → 1) and the stand-in output level the
// page uses until the SDK emits `outputLevel` itself: the RMS of the `outputAudioDelta` PCM16 bytes,
// scheduled on a virtual playback clock, so a burst of deltas that arrives faster than real time
// (real providers) moves the meter at the speed the audio would play, not at network speed.

/** Floor of the meter scale, in dBFS. */
export const FLOOR_DB = -60;

/** RMS (0–1, full scale = 1) of PCM16 little-endian bytes, samples [from, to). */
export function pcm16Rms(bytes, from = 0, to = Math.floor(bytes.byteLength / 2)) {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let sum = 0;
  for (let i = from; i < to; i++) {
    const s = view.getInt16(i * 2, true) / 32768;
    sum += s * s;
  }
  return to > from ? Math.sqrt(sum / (to - from)) : 0;
}

/** Meter level 0–1 of an RMS value (dB scale: quiet speech still shows). */
export function levelOfRms(rms) {
  if (!(rms > 0)) return 0;
  const db = 20 * Math.log10(rms);
  return Math.min(1, Math.max(0, (db - FLOOR_DB) / -FLOOR_DB));
}

/**
 * Schedules output audio on a virtual playback clock and answers "what level is playing now".
 * `push(bytes)` appends a chunk (PCM16 at `sampleRate`) in windows of `windowMs`; `levelAt(t)` is
 * the level of the window playing at time `t` (ms, same clock as `now()`), 0 when nothing plays.
 */
export class PlaybackLevel {
  constructor({ sampleRate = 24000, windowMs = 50, now = () => performance.now() } = {}) {
    this.sampleRate = sampleRate;
    this.windowMs = windowMs;
    this.now = now;
    this.windows = []; // { start, end, level }, in playback order
    this.playhead = 0;
  }

  /** Appends a PCM16 chunk; returns its duration in ms. */
  push(bytes) {
    const samples = Math.floor(bytes.byteLength / 2);
    const per = Math.max(1, Math.round((this.sampleRate * this.windowMs) / 1000));
    let t = Math.max(this.now(), this.playhead);
    for (let from = 0; from < samples; from += per) {
      const to = Math.min(samples, from + per);
      const dur = ((to - from) * 1000) / this.sampleRate;
      this.windows.push({ start: t, end: t + dur, level: levelOfRms(pcm16Rms(bytes, from, to)) });
      t += dur;
    }
    this.playhead = t;
    return (samples * 1000) / this.sampleRate;
  }

  /** The level playing at `t`; drops windows that have finished. */
  levelAt(t = this.now()) {
    while (this.windows.length && this.windows[0].end <= t) this.windows.shift();
    const w = this.windows[0];
    return w && w.start <= t ? w.level : 0;
  }

  /** Whether scheduled audio is still "playing" at `t`. */
  playing(t = this.now()) {
    return this.playhead > t;
  }

  /** Forgets everything scheduled (barge-in, disconnect). */
  clear() {
    this.windows = [];
    this.playhead = 0;
  }
}
