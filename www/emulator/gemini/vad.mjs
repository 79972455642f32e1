// Gemini Live emulation — automatic activity detection.
//
// Owns: the energy-based voice activity detector fed with 16 kHz PCM16.
// It works on 10 ms frames: a frame is "voiced" when its RMS level is above
// the threshold picked by startOfSpeechSensitivity; start of activity is
// committed after `prefixPaddingMs` of continuous voiced audio (the setup
// field's documented meaning), end of activity after `silenceDurationMs` of
// unvoiced audio. Times are milliseconds of input audio since the stream start.
// The detector also keeps the utterance (with the prefix) for the echo model.

import { frameDbfs, INPUT_RATE, concatSamples } from './audio.mjs';

const FRAME = INPUT_RATE / 100; // 10 ms
const FRAME_MS = 10;
const PREROLL_MS = 300;

export class Vad {
  /** @param {{thresholdDbfs:number, prefixPaddingMs:number, silenceDurationMs:number}} cfg */
  constructor(cfg) {
    this.cfg = cfg;
    this.pending = new Int16Array(0);
    this.frames = 0; // processed frames
    this.inSpeech = false;
    this.voicedRun = 0;
    this.silentRun = 0;
    this.preroll = []; // recent frames before start
    this.utterance = []; // frames of the current utterance
    this.startMs = 0;
  }

  get positionMs() {
    return this.frames * FRAME_MS;
  }

  /**
   * Feed samples; returns events `{type:'start', atMs}` /
   * `{type:'end', atMs, startMs, samples}` (samples = the utterance, 16 kHz).
   */
  push(samples) {
    const events = [];
    let buf = samples;
    if (this.pending.length) buf = concatSamples([this.pending, samples]);
    let off = 0;
    for (; off + FRAME <= buf.length; off += FRAME) {
      const frame = buf.subarray(off, off + FRAME);
      this.frames++;
      const voiced = frameDbfs(frame) >= this.cfg.thresholdDbfs;
      if (!this.inSpeech) {
        this.preroll.push(Int16Array.from(frame));
        if (this.preroll.length > PREROLL_MS / FRAME_MS) this.preroll.shift();
        this.voicedRun = voiced ? this.voicedRun + 1 : 0;
        if (this.voicedRun * FRAME_MS >= Math.max(FRAME_MS, this.cfg.prefixPaddingMs)) {
          this.inSpeech = true;
          this.silentRun = 0;
          this.startMs = this.positionMs - this.voicedRun * FRAME_MS;
          this.utterance = this.preroll.slice(-this.voicedRun);
          this.preroll = [];
          events.push({ type: 'start', atMs: this.startMs });
        }
      } else {
        this.utterance.push(Int16Array.from(frame));
        this.silentRun = voiced ? 0 : this.silentRun + 1;
        if (this.silentRun * FRAME_MS >= this.cfg.silenceDurationMs) {
          events.push(this.#end(this.silentRun));
        }
      }
    }
    this.pending = Int16Array.from(buf.subarray(off));
    return events;
  }

  /** End of the input stream (audioStreamEnd): close an open utterance now. */
  flush() {
    if (!this.inSpeech) return [];
    return [this.#end(this.silentRun)];
  }

  #end(trailingSilentFrames) {
    const keep = Math.max(0, this.utterance.length - trailingSilentFrames);
    const samples = concatSamples(this.utterance.slice(0, keep));
    const ev = { type: 'end', atMs: this.positionMs, startMs: this.startMs, samples };
    this.inSpeech = false;
    this.voicedRun = 0;
    this.silentRun = 0;
    this.utterance = [];
    return ev;
  }
}
