// realtime-wasm AudioWorklet processors (loaded from the package's `worklets/realtime-audio.js`,
// minified, or from where the app hosts it: `audio.workletUrl`; this file sits at the same path in
// the repo, so the browser tests load it the way an app does). They move samples; encoding, the
// capture resampler and every decision live in wasm on the main thread. The one piece of DSP here is the playback resampler's
// dot products (provider rate → device rate): the main thread designs the filter (wasm) and passes
// its coefficients in `processorOptions.int16Resampler`, and the processor converts lazily, a bounded
// number of frames per render quantum, ahead of what plays. On the main thread it was the largest
// cost of playback.
//
// Allocation: nothing per render quantum (a ring of fixed slots instead of a queue that shifts,
// message objects made once and re-posted: `postMessage` serialises them natively). Per chunk the
// playback processor receives: the browser's message object and Float32Array (structured clone;
// only a SharedArrayBuffer, which needs cross-origin isolation, would avoid it), and, when it
// resamples, the chunk's output array, its input behind the filter's history, and the history kept
// for the next chunk. The ring doubles if more chunks are queued than it holds (32 slots, kept
// afterwards), and each new item gets one counter, dropped once the item has played out and a
// newer one began, or at a stop: what stays is one per queued item plus the newest's. The capture
// processor posts a copy of one reused buffer, so the main thread never has to send buffers back.

// Microphone: collects render quanta into fixed chunks (default 20 ms) and posts each chunk (a
// copy: the buffer is reused for the next one) to the main thread.
class RealtimeCapture extends AudioWorkletProcessor {
  constructor(options) {
    super();
    this.chunkFrames = Math.max(128, (options.processorOptions && options.processorOptions.chunkFrames) | 0);
    this.chunk = new Float32Array(this.chunkFrames);
    this.message = { type: "chunk", samples: this.chunk };
    this.filled = 0;
    this.running = true;
    this.port.onmessage = (event) => {
      if (event.data.type === "stop") this.running = false;
    };
  }

  process(inputs) {
    const input = inputs[0];
    const channel = input && input[0];
    if (channel) {
      const chunk = this.chunk;
      for (let at = 0; at < channel.length; at++) {
        chunk[this.filled++] = channel[at];
        if (this.filled === this.chunkFrames) {
          this.port.postMessage(this.message);
          this.filled = 0;
        }
      }
    }
    return this.running;
  }
}

// The main thread's polyphase resampler (src/audio/resampler.rs: same coefficients, same stepping,
// so a chunk gives exactly the frames it counts there), split in two: `count` tells at once how many
// output frames a posted chunk gives (the ring's accounting needs them when it arrives), `convert`
// computes them later, in pieces. Both carry their state across chunks; `reset` starts a new stream.
class Polyphase {
  constructor(t) {
    this.up = t.up;
    this.down = t.down;
    this.taps = t.taps;
    this.phases = t.phases;  // phase-major rows of `taps` coefficients, oldest input first
    this.grid = t.grid | 0;  // > 0: rows are `grid` + 1 evenly spaced positions, interpolated
    this.step = Math.floor(t.down / t.up);
    this.carry = t.down % t.up;
    this.reset();
  }

  reset() {
    this.carried = null;
    this.countedLength = this.taps - 1;
    this.countedPosition = (this.taps - 1) * this.up;
    this.history = new Float32Array(this.taps - 1);
    this.position = (this.taps - 1) * this.up;
  }

  // The frames `length` more input samples give: the loop's count, in closed form.
  count(length) {
    const end = (this.countedLength + length) * this.up;
    const frames = this.countedPosition < end ? Math.ceil((end - this.countedPosition) / this.down) : 0;
    const after = this.countedPosition + frames * this.down;
    const first = this.keep(Math.floor(after / this.up), this.countedLength + length);
    this.countedLength = this.countedLength + length - first;
    this.countedPosition = after - first * this.up;
    return frames;
  }

  // A posted chunk: the frames it gives and the input they come from. A chunk too short to give
  // any is carried into the next one's input (the main thread's resampler keeps it in its buffer).
  admit(samples) {
    const frames = this.count(samples.length);
    let source = samples;
    if (this.carried !== null) {
      source = new Float32Array(this.carried.length + samples.length);
      source.set(this.carried);
      source.set(samples, this.carried.length);
    }
    this.carried = frames === 0 ? source : null;
    return frames === 0 ? null : { frames, source };
  }

  // The first input sample the next output needs (what is kept of the buffer).
  keep(newest, length) {
    return Math.min(Math.max(newest + 1 - this.taps, 0), length);
  }

  // Starts converting a slot: its input behind the history.
  begin(slot) {
    const work = new Float32Array(this.history.length + slot.source.length);
    work.set(this.history);
    work.set(slot.source, this.history.length);
    slot.work = work;
    slot.newest = Math.floor(this.position / this.up);
    slot.phase = this.position % this.up;
    slot.source = null;
  }

  // Up to `frames` more output frames of a begun slot; returns how many were made.
  convert(slot, frames) {
    const { up, taps, phases, grid, step, carry } = this;
    const work = slot.work, out = slot.samples;
    const end = Math.min(out.length, slot.filled + frames);
    let { newest, phase } = slot;
    for (let j = slot.filled; j < end; j++) {
      const start = newest + 1 - taps;
      let sample;
      if (grid > 0) {
        const x = (phase * grid) / up;
        const r = Math.floor(x);
        const a = this.dot(r * taps, work, start), b = this.dot((r + 1) * taps, work, start);
        sample = a + (b - a) * (x - r);
      } else {
        sample = this.dot(phase * taps, work, start);
      }
      out[j] = sample;
      newest += step;
      phase += carry;
      if (phase >= up) {
        phase -= up;
        newest++;
      }
    }
    const made = end - slot.filled;
    slot.filled = end;
    slot.newest = newest;
    slot.phase = phase;
    if (end === out.length) {
      // Done: keep the history the next slot needs.
      const first = this.keep(newest, work.length);
      this.history = work.slice(first);
      this.position = (newest - first) * up + phase;
      slot.work = null;
    }
    return made;
  }

  dot(row, work, start) {
    const phases = this.phases;
    let sum = 0;
    for (let k = 0; k < this.taps; k++) sum += phases[row + k] * work[start + k];
    return sum;
  }
}

// Frames converted ahead of playback (about 20 ms at 48 kHz), and at most this many more per render
// quantum than the quantum itself needs: a burst of posted audio is converted over many quanta,
// never in one long stall of the audio thread.
const CONVERT_AHEAD = 1024;
const CONVERT_PER_QUANTUM = 512;

// Speaker: a jitter buffer of posted chunks, in a ring. Plays after `prebufferFrames` are queued;
// when it is about to run dry it fades the last samples out, plays silence (not counted as played)
// and keeps running, then resumes with a short fade-in; counts rendered samples per item and
// reports positions; on "stop" fades out over `fadeFrames` and flushes, then reports where it
// stopped; on "duck" (on-device barge-in) fades out over `fadeFrames` and holds what is queued —
// nothing is consumed or counted while held — until "restore" fades it back in where it was, or
// "stop" flushes it at once (already silent).
class RealtimePlayback extends AudioWorkletProcessor {
  constructor(options) {
    super();
    const o = options.processorOptions || {};
    // Posted chunks are 16-bit at the provider rate when the main thread passed its resampler's
    // coefficients (`int16Resampler`), else floats at the device rate. `ready` tells the main
    // thread which. A worklet of an older version (served by the app) finds no such option — the
    // session-5 worklet looked for `resampler` and resampled floats — says nothing or
    // `resampling: false`, and gets device-rate floats; this one, given an older main thread's
    // `resampler`, likewise.
    this.resampler = o.int16Resampler ? new Polyphase(o.int16Resampler) : null;
    this.prebufferFrames = o.prebufferFrames | 0;
    this.fadeFrames = Math.max(1, o.fadeFrames | 0);
    this.reportFrames = Math.max(128, o.reportFrames | 0);
    this.slots = 32;          // ring capacity (a power of two; doubled when full)
    this.samples = new Array(this.slots).fill(null);
    this.items = new Array(this.slots).fill(null);
    this.counters = new Array(this.slots).fill(null); // the item's { frames } rendered
    this.head = 0;            // slot playing
    this.count = 0;           // slots queued
    this.converted = 0;       // slots (from the head) whose frames are all converted
    this.ahead = 0;           // frames converted and not yet played
    this.offset = 0;          // next sample of the head slot
    this.queued = 0;          // frames queued
    this.playing = false;     // past the prebuffer
    this.fadeIn = 0;          // frames of fade-in left (after an underrun)
    this.fadeOut = -1;        // frames of fade-out left, -1 when not stopping
    this.drain = 0;           // frames left before an underrun, faded to zero (no click)
    this.drainTotal = 0;
    this.stopItem = null;
    this.duckLeft = -1;       // frames of the duck's fade left, -1 when not ducking
    this.held = false;        // ducked: faded out, the queue kept as it is
    this.rendered = new Map(); // item → { frames } rendered (looked up per chunk, not per sample)
    this.newest = null;       // the item enqueued last
    this.sinceReport = 0;
    this.levelSum = 0;
    this.levelFrames = 0;
    this.levelEvery = Math.round(sampleRate / 30);
    this.underruns = 0;
    this.position = { type: "position", item: null, rendered: 0, underruns: 0, queued: 0 };
    this.stopped = { type: "stopped", item: null, rendered: 0, underruns: 0 };
    this.level = { type: "level", rms: 0 };
    this.port.postMessage({ type: "ready", resampling: this.resampler !== null });
    this.port.onmessage = (event) => {
      const m = event.data;
      if (m.type === "audio") {
        let counter = this.rendered.get(m.item);
        if (!counter) {
          if (this.newest !== null && !this.isQueued(this.newest)) this.rendered.delete(this.newest);
          this.rendered.set(m.item, (counter = { frames: 0 }));
        }
        this.newest = m.item;
        this.enqueue(m.item, m.samples, counter);
      } else if (m.type === "stop") {
        // Fade what is playing now; if nothing is, stop at once.
        this.stopItem = m.item;
        this.fadeOut = this.playing && this.queued > 0 && !this.held ? Math.min(this.fadeFrames, this.queued) : 0;
      } else if (m.type === "duck") {
        if (!this.held && this.duckLeft < 0) this.duckLeft = this.playing && this.queued > 0 ? Math.min(this.fadeFrames, this.queued) : 0;
        if (this.duckLeft === 0) this.hold();
      } else if (m.type === "restore") {
        if (this.held || this.duckLeft >= 0) {
          this.held = false;
          this.duckLeft = -1;
          this.fadeIn = this.fadeFrames;
        }
      } else if (m.type === "flush") {
        this.flush();
        this.forgetItems();
      }
    };
  }

  // A chunk at the device rate is queued as it is; one at the provider rate as a slot of the frames
  // it will give (converted later, by `convertAhead`). 16-bit samples (what the main thread posts
  // when this worklet resamples: half the bytes, no conversion there) become floats here.
  enqueue(item, samples, counter) {
    if (samples instanceof Int16Array) {
      const linear = samples;
      samples = new Float32Array(linear.length);
      for (let i = 0; i < linear.length; i++) samples[i] = linear[i] / 32768;
    }
    let chunk;
    if (this.resampler) {
      const admitted = this.resampler.admit(samples);
      if (admitted === null) return; // carried: it comes out with the next chunk
      chunk = { samples: new Float32Array(admitted.frames), filled: 0, source: admitted.source, work: null, newest: 0, phase: 0 };
    } else {
      chunk = { samples, filled: samples.length, source: null, work: null, newest: 0, phase: 0 };
    }
    if (this.count === this.slots) this.grow();
    const slot = (this.head + this.count) & (this.slots - 1);
    this.samples[slot] = chunk;
    this.items[slot] = item;
    this.counters[slot] = counter;
    if (this.converted === this.count && chunk.filled === chunk.samples.length) {
      this.converted++;
      this.ahead += chunk.filled;
    }
    this.count++;
    this.queued += chunk.samples.length;
  }

  // Converts queued frames until `target` are ready ahead of playback, at most `budget` this call.
  convertAhead(target, budget) {
    while (this.ahead < target && budget > 0 && this.converted < this.count) {
      const chunk = this.samples[(this.head + this.converted) & (this.slots - 1)];
      if (chunk.source !== null) this.resampler.begin(chunk);
      const made = this.resampler.convert(chunk, Math.min(budget, target - this.ahead));
      this.ahead += made;
      budget -= made;
      if (chunk.filled === chunk.samples.length) this.converted++;
    }
  }

  grow() {
    const order = (list) => Array.from({ length: this.slots * 2 }, (_, k) => (k < this.count ? list[(this.head + k) & (this.slots - 1)] : null));
    this.samples = order(this.samples);
    this.items = order(this.items);
    this.counters = order(this.counters);
    this.slots *= 2;
    this.head = 0;
  }

  // The head slot is done: release it (its samples can be collected).
  advance() {
    this.samples[this.head] = null;
    this.head = (this.head + 1) & (this.slots - 1);
    this.count--;
    if (this.converted > 0) this.converted--;
    this.offset = 0;
  }

  flush() {
    while (this.count > 0) this.advance();
    this.converted = 0;
    this.ahead = 0;
    if (this.resampler) this.resampler.reset();
    this.queued = 0;
    this.playing = false;
    this.drain = 0;
    this.held = false;
    this.duckLeft = -1;
  }

  // Scanned at item boundaries only.
  isQueued(item) {
    for (let k = 0; k < this.count; k++) {
      if (this.items[(this.head + k) & (this.slots - 1)] === item) return true;
    }
    return false;
  }

  forgetItems() {
    this.rendered.clear();
    this.newest = null;
  }

  hold() {
    this.held = true;
    this.duckLeft = -1;
    this.drain = 0;
  }

  send(message, item) {
    message.item = item;
    message.rendered = this.framesOf(item);
    message.underruns = this.underruns;
    message.queued = this.queued;
    this.port.postMessage(message);
  }

  framesOf(item) {
    const counter = this.rendered.get(item);
    return counter ? counter.frames : 0;
  }

  process(_inputs, outputs) {
    const out = outputs[0][0];
    if (!out) return true;
    if (!this.playing && this.queued >= Math.max(1, this.prebufferFrames)) {
      this.playing = true;
    }
    // Less than a fade's worth left: fade it out instead of dropping to zero when it runs dry
    // (checked every quantum, so the fade spans at least fadeFrames - 128 samples).
    if (this.playing && !this.held && this.fadeOut < 0 && this.duckLeft < 0 && this.drain === 0 && this.queued > 0 && this.queued <= this.fadeFrames) {
      this.drain = this.drainTotal = this.queued;
    }
    if (this.resampler && this.count > 0) {
      // What this quantum plays first, then a bounded step ahead.
      this.convertAhead(Math.min(this.queued, out.length + CONVERT_AHEAD), out.length + CONVERT_PER_QUANTUM);
    }
    let sum = 0;
    for (let i = 0; i < out.length; i++) {
      let sample = 0;
      if (this.held) {
        // Ducked: silence, nothing consumed or counted, no underrun.
      } else if (this.playing && this.fadeOut !== 0 && this.count > 0) {
        const head = this.head;
        const samples = this.samples[head].samples;
        sample = samples[this.offset++];
        this.queued--;
        this.ahead--;
        if (this.fadeIn > 0) {
          sample *= 1 - this.fadeIn / this.fadeFrames;
          this.fadeIn--;
        }
        if (this.fadeOut > 0) {
          sample *= this.fadeOut / this.fadeFrames;
          this.fadeOut--;
        } else if (this.duckLeft > 0) {
          sample *= (this.duckLeft - 1) / this.fadeFrames;
          if (--this.duckLeft === 0) this.hold();
        } else if (this.drain > 0) {
          sample *= (this.drain - 1) / this.drainTotal;
          // Faded out: whatever comes next (more of this reply, the next one) fades back in.
          if (--this.drain === 0) this.fadeIn = this.fadeFrames;
        }
        this.counters[head].frames++;
        if (this.offset >= samples.length) {
          const item = this.items[head];
          this.advance();
          if (this.count === 0 || this.items[this.head] !== item) {
            this.send(this.position, item);
            if (item !== this.newest && !this.isQueued(item)) this.rendered.delete(item);
          }
        }
      } else if (this.duckLeft >= 0) {
        this.hold(); // ran dry while ducking: held as it is
      } else if (this.playing && this.fadeOut !== 0) {
        // Underrun: silence, not counted; refill the prebuffer, then fade back in (no click).
        this.playing = false;
        this.drain = 0;
        this.underruns++;
        this.fadeIn = this.fadeFrames;
      }
      out[i] = sample;
      sum += sample * sample;
    }
    for (let c = 1; c < outputs[0].length; c++) outputs[0][c].set(out);
    if (this.fadeOut === 0) {
      const item = this.stopItem;
      this.fadeOut = -1;
      this.stopItem = null;
      this.flush();
      this.send(this.stopped, item);
      this.forgetItems();
    }
    this.sinceReport += out.length;
    if (this.sinceReport >= this.reportFrames && this.count > 0) {
      this.sinceReport = 0;
      this.send(this.position, this.items[this.head]);
    }
    this.levelSum += sum;
    this.levelFrames += out.length;
    if (this.levelFrames >= this.levelEvery) {
      this.level.rms = Math.sqrt(this.levelSum / this.levelFrames);
      this.port.postMessage(this.level);
      this.levelSum = 0;
      this.levelFrames = 0;
    }
    return true;
  }
}

registerProcessor("realtime-capture", RealtimeCapture);
registerProcessor("realtime-playback", RealtimePlayback);
