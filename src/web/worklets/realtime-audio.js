// realtime-wasm AudioWorklet processors (loaded from the package's `worklets/realtime-audio.js`, or
// from a blob URL of the same text). They only move samples: resampling, encoding and every
// decision live in wasm on the main thread. Nothing is allocated per render quantum.

// Microphone: collects render quanta into fixed chunks (default 20 ms) and transfers each chunk to
// the main thread, which sends the buffer back for reuse.
class RealtimeCapture extends AudioWorkletProcessor {
  constructor(options) {
    super();
    this.chunkFrames = Math.max(128, (options.processorOptions && options.processorOptions.chunkFrames) | 0);
    this.pool = [];
    this.chunk = new Float32Array(this.chunkFrames);
    this.filled = 0;
    this.running = true;
    this.port.onmessage = (event) => {
      const m = event.data;
      if (m.type === "recycle" && m.samples && m.samples.length === this.chunkFrames) this.pool.push(m.samples);
      else if (m.type === "stop") this.running = false;
    };
  }

  process(inputs) {
    const input = inputs[0];
    const channel = input && input[0];
    if (channel) {
      let at = 0;
      while (at < channel.length) {
        const n = Math.min(channel.length - at, this.chunkFrames - this.filled);
        this.chunk.set(channel.subarray(at, at + n), this.filled);
        this.filled += n;
        at += n;
        if (this.filled === this.chunkFrames) {
          const full = this.chunk;
          this.port.postMessage({ type: "chunk", samples: full }, [full.buffer]);
          // A recycled buffer when the main thread has returned one (always, after start-up).
          this.chunk = this.pool.pop() || new Float32Array(this.chunkFrames);
          this.filled = 0;
        }
      }
    }
    return this.running;
  }
}

// Speaker: a jitter buffer of transferred chunks. Plays after `prebufferFrames` are queued; when
// it is about to run dry it fades the last samples out, plays silence (not counted as played) and
// keeps running, then resumes with a short fade-in; counts rendered samples per item and reports positions; on "stop" fades out over
// `fadeFrames` and flushes, then reports where it stopped.
class RealtimePlayback extends AudioWorkletProcessor {
  constructor(options) {
    super();
    const o = options.processorOptions || {};
    this.prebufferFrames = o.prebufferFrames | 0;
    this.fadeFrames = Math.max(1, o.fadeFrames | 0);
    this.reportFrames = Math.max(128, o.reportFrames | 0);
    this.queue = [];          // { item, samples, offset }
    this.queued = 0;          // frames queued
    this.playing = false;     // past the prebuffer
    this.fadeIn = 0;          // frames of fade-in left (after an underrun)
    this.fadeOut = -1;        // frames of fade-out left, -1 when not stopping
    this.drain = 0;           // frames left before an underrun, faded to zero (no click)
    this.drainTotal = 0;
    this.stopItem = null;
    this.rendered = new Map(); // item → { frames } rendered (looked up per chunk, not per sample)
    this.sinceReport = 0;
    this.levelSum = 0;
    this.levelFrames = 0;
    this.levelEvery = Math.round(sampleRate / 30);
    this.underruns = 0;
    this.port.onmessage = (event) => {
      const m = event.data;
      if (m.type === "audio") {
        let counter = this.rendered.get(m.item);
        if (!counter) this.rendered.set(m.item, (counter = { frames: 0 }));
        this.queue.push({ item: m.item, samples: m.samples, offset: 0, counter });
        this.queued += m.samples.length;
      } else if (m.type === "stop") {
        // Fade what is playing now; if nothing is, stop at once.
        this.stopItem = m.item;
        this.fadeOut = this.playing && this.queued > 0 ? Math.min(this.fadeFrames, this.queued) : 0;
      } else if (m.type === "flush") {
        this.flush();
      }
    };
  }

  flush() {
    this.queue.length = 0;
    this.queued = 0;
    this.playing = false;
    this.drain = 0;
  }

  report(item) {
    this.port.postMessage({ type: "position", item, rendered: this.framesOf(item), underruns: this.underruns });
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
    if (this.playing && this.fadeOut < 0 && this.drain === 0 && this.queued > 0 && this.queued <= this.fadeFrames) {
      this.drain = this.drainTotal = this.queued;
    }
    let sum = 0;
    for (let i = 0; i < out.length; i++) {
      let sample = 0;
      if (this.playing && this.fadeOut !== 0 && this.queue.length > 0) {
        const head = this.queue[0];
        sample = head.samples[head.offset++];
        this.queued--;
        if (this.fadeIn > 0) {
          sample *= 1 - this.fadeIn / this.fadeFrames;
          this.fadeIn--;
        }
        if (this.fadeOut > 0) {
          sample *= this.fadeOut / this.fadeFrames;
          this.fadeOut--;
        } else if (this.drain > 0) {
          sample *= (this.drain - 1) / this.drainTotal;
          // Faded out: whatever comes next (more of this reply, the next one) fades back in.
          if (--this.drain === 0) this.fadeIn = this.fadeFrames;
        }
        head.counter.frames++;
        if (head.offset >= head.samples.length) {
          this.queue.shift();
          if (this.queue.length === 0 || this.queue[0].item !== head.item) this.report(head.item);
        }
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
      this.port.postMessage({ type: "stopped", item, rendered: this.framesOf(item), underruns: this.underruns });
    }
    this.sinceReport += out.length;
    if (this.sinceReport >= this.reportFrames && this.queue.length > 0) {
      this.sinceReport = 0;
      this.report(this.queue[0].item);
    }
    this.levelSum += sum;
    this.levelFrames += out.length;
    if (this.levelFrames >= this.levelEvery) {
      this.port.postMessage({ type: "level", rms: Math.sqrt(this.levelSum / this.levelFrames) });
      this.levelSum = 0;
      this.levelFrames = 0;
    }
    return true;
  }
}

registerProcessor("realtime-capture", RealtimeCapture);
registerProcessor("realtime-playback", RealtimePlayback);
