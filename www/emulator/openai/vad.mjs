// Energy-based turn detection for `server_vad` and `semantic_vad`.
//
// Owns: deciding, from the input audio alone, where speech starts and stops, in the
// session's audio clock (ms since the first appended sample). Audio is judged in
// 10 ms frames; a frame is speech when its RMS level reaches the threshold mapped to
// dBFS: level ≥ -60 + 50·threshold (threshold 0.5 → -35 dBFS, 0.9 → -15 dBFS).
// Speech starts after 30 ms of consecutive speech frames; `audio_start_ms` is the
// onset minus `prefix_padding_ms` (never before the start of the current buffer).
// Speech stops after `silence_duration_ms` of consecutive non-speech frames;
// `audio_end_ms` = end of the last speech frame + `silence_duration_ms` (like the
// service, it includes the silence). semantic_vad behaves like server_vad with
// threshold 0.5, prefix 300 ms and a silence wait from eagerness (low 1500 ms,
// medium/auto 800 ms, high 400 ms).
//
//   const vad = new Vad(turnDetection, rate)
//   vad.push(samples, bufferStartMs) → [{ type:'start', audioStartMs } | { type:'stop', audioEndMs }]
//   vad.reset(); vad.speaking

import { frameDbfs } from './audio.mjs';

const FRAME_MS = 10;
const MIN_SPEECH_MS = 30;
const SEMANTIC_SILENCE = { low: 1500, medium: 800, auto: 800, high: 400 };

export function vadParams(td) {
  if (td?.type === 'semantic_vad') {
    return { threshold: 0.5, prefixPaddingMs: 300, silenceMs: SEMANTIC_SILENCE[td.eagerness ?? 'auto'] ?? 800 };
  }
  return { threshold: td?.threshold ?? 0.5, prefixPaddingMs: td?.prefix_padding_ms ?? 300, silenceMs: td?.silence_duration_ms ?? 500 };
}

export class Vad {
  constructor(turnDetection, rate) {
    this.p = vadParams(turnDetection);
    this.rate = rate;
    this.frame = Math.round((rate * FRAME_MS) / 1000);
    this.pending = new Int16Array(0);
    this.clockMs = 0; // end of the audio judged so far (session clock)
    this.reset();
  }

  reset() {
    this.speaking = false;
    this.run = 0; // consecutive speech frames (before start)
    this.silence = 0; // consecutive silence frames (while speaking)
    this.lastSpeechEndMs = 0;
  }

  /** Judge new samples whose first sample is at `startMs` (session clock). */
  push(samples, startMs, bufferStartMs) {
    const events = [];
    if (this.pending.length === 0) this.clockMs = startMs;
    const all = new Int16Array(this.pending.length + samples.length);
    all.set(this.pending);
    all.set(samples, this.pending.length);
    const dbThreshold = -60 + 50 * this.p.threshold;
    let i = 0;
    for (; i + this.frame <= all.length; i += this.frame) {
      const speech = frameDbfs(all, i, i + this.frame) >= dbThreshold;
      const frameEnd = this.clockMs + FRAME_MS;
      if (!this.speaking) {
        this.run = speech ? this.run + 1 : 0;
        if (this.run * FRAME_MS >= MIN_SPEECH_MS) {
          const onset = frameEnd - this.run * FRAME_MS;
          this.speaking = true;
          this.silence = 0;
          this.lastSpeechEndMs = frameEnd;
          events.push({ type: 'start', audioStartMs: Math.max(bufferStartMs, onset - this.p.prefixPaddingMs) });
        }
      } else if (speech) {
        this.silence = 0;
        this.lastSpeechEndMs = frameEnd;
      } else {
        this.silence += 1;
        if (this.silence * FRAME_MS >= this.p.silenceMs) {
          events.push({ type: 'stop', audioEndMs: this.lastSpeechEndMs + this.p.silenceMs });
          this.reset();
        }
      }
      this.clockMs = frameEnd;
    }
    this.pending = all.slice(i);
    return events;
  }
}
