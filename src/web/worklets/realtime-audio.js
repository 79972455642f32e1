// realtime-wasm AudioWorklet processors (loaded from the package's `worklets/realtime-audio.js`, or
// from a blob URL of the same text). They only move samples: resampling, encoding and every
// decision live in wasm on the main thread.
//
// Allocation: nothing per render quantum, and this code allocates nothing per chunk either (a ring
// of fixed slots instead of a queue that shifts, message objects made once and re-posted:
// `postMessage` serialises them natively). What remains is the browser's, on the audio thread:
// each chunk the playback processor receives arrives as a new message object and Float32Array
// (structured clone; only a SharedArrayBuffer, which needs cross-origin isolation, would avoid it),
// the ring doubles if more chunks are queued than it holds (32 slots, kept afterwards), and each
// new item gets one counter, dropped once the item has played out and a newer one began, or at a
// stop: what stays is one per queued item plus the newest's. The capture processor posts a copy of
// one reused buffer, so the main thread never has to send buffers back.

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
    this.prebufferFrames = o.prebufferFrames | 0;
    this.fadeFrames = Math.max(1, o.fadeFrames | 0);
    this.reportFrames = Math.max(128, o.reportFrames | 0);
    this.slots = 32;          // ring capacity (a power of two; doubled when full)
    this.samples = new Array(this.slots).fill(null);
    this.items = new Array(this.slots).fill(null);
    this.counters = new Array(this.slots).fill(null); // the item's { frames } rendered
    this.head = 0;            // slot playing
    this.count = 0;           // slots queued
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

  enqueue(item, samples, counter) {
    if (this.count === this.slots) this.grow();
    const slot = (this.head + this.count) & (this.slots - 1);
    this.samples[slot] = samples;
    this.items[slot] = item;
    this.counters[slot] = counter;
    this.count++;
    this.queued += samples.length;
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
    this.offset = 0;
  }

  flush() {
    while (this.count > 0) this.advance();
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
    let sum = 0;
    for (let i = 0; i < out.length; i++) {
      let sample = 0;
      if (this.held) {
        // Ducked: silence, nothing consumed or counted, no underrun.
      } else if (this.playing && this.fadeOut !== 0 && this.count > 0) {
        const head = this.head;
        const samples = this.samples[head];
        sample = samples[this.offset++];
        this.queued--;
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
