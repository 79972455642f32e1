// The playback worklet's bookkeeping, run in Node with a stand-in for the AudioWorklet globals (the
// browser tests play real audio through it; this one plays thousands of items, which they cannot).
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";

const source = readFileSync(new URL("../../worklets/realtime-audio.js", import.meta.url), "utf8");

function playbackProcessor(extra = {}) {
  const processors = {};
  class AudioWorkletProcessor {
    constructor() {
      this.posted = [];
      this.port = { onmessage: null, postMessage: (m) => this.posted.push({ ...m }) };
    }
  }
  new Function("AudioWorkletProcessor", "registerProcessor", "sampleRate", source)(
    AudioWorkletProcessor,
    (name, cls) => (processors[name] = cls),
    24_000,
  );
  const processor = new processors["realtime-playback"]({ processorOptions: { prebufferFrames: 0, fadeFrames: 64, reportFrames: 4_800, ...extra } });
  const post = (m) => processor.port.onmessage({ data: m });
  const played = [];
  const render = (quanta) => {
    for (let q = 0; q < quanta; q++) {
      const out = new Float32Array(128);
      processor.process([], [[out]]);
      played.push(...out);
    }
  };
  const reports = (type, item) => processor.posted.filter((m) => m.type === type && m.item === item);
  return { processor, post, render, reports, played };
}

// ---- the playback resampler (provider rate → device rate on the audio thread) -----------------

// A deterministic pseudo-random source (tests must not depend on luck).
function random(seed) {
  let x = seed >>> 0;
  return () => ((x = (Math.imul(x, 1_664_525) + 1_013_904_223) >>> 0) / 2 ** 32);
}

function table({ up, down, taps, grid = 0 }, next) {
  const rows = grid > 0 ? grid + 1 : up;
  return { up, down, taps, grid, phases: Float32Array.from({ length: rows * taps }, () => next() * 2 - 1) };
}

// The definition, over the whole input at once (no streaming, no laziness): output j is the dot
// product of its row with the `taps` inputs ending at newest, position = newest · up + phase
// starting at (taps − 1) · up behind taps − 1 zeros and advancing by `down`.
function reference({ up, down, taps, grid, phases }, input) {
  const padded = new Float64Array(taps - 1 + input.length);
  padded.set(input, taps - 1);
  const dot = (row, start) => {
    let sum = 0;
    for (let k = 0; k < taps; k++) sum += phases[row * taps + k] * padded[start + k];
    return sum;
  };
  const out = [];
  for (let position = (taps - 1) * up; Math.floor(position / up) < padded.length; position += down) {
    const newest = Math.floor(position / up), phase = position % up, start = newest + 1 - taps;
    if (grid > 0) {
      const x = (phase * grid) / up, r = Math.floor(x);
      const a = dot(r, start), b = dot(r + 1, start);
      out.push(a + (b - a) * (x - r));
    } else {
      out.push(dot(phase, start));
    }
  }
  return out;
}

for (const design of [
  { name: "24 → 48 kHz (up 2)", up: 2, down: 1, taps: 9 },
  { name: "24 → 44.1 kHz (147/80)", up: 147, down: 80, taps: 6 },
  { name: "down 3/2", up: 2, down: 3, taps: 7 },
  { name: "interpolated rows (an odd rate pair)", up: 701, down: 330, taps: 5, grid: 16 },
]) {
  test(`the worklet's resampler gives exactly the filter's output, chunked and lazily: ${design.name}`, () => {
    const next = random(design.up * 31 + design.down);
    const filter = table(design, next);
    const { processor, post, render, reports, played } = playbackProcessor({ int16Resampler: filter });
    assert.deepEqual(processor.posted[0], { type: "ready", resampling: true });
    // 16-bit samples (what the main thread posts to a worklet that resamples) and their floats.
    const linear = Int16Array.from({ length: 6_000 }, () => Math.floor(next() * 65_536) - 32_768);
    const input = Float32Array.from(linear, (v) => v / 32_768);
    const expected = reference(filter, input);
    // Chunks of random sizes (some smaller than the filter; the first hundred one or two samples,
    // which downsampling turns into no frame at all), posted whenever less than 512 frames are
    // queued, so it never runs dry before the end; 16-bit and float chunks alternate (a worklet
    // also takes floats at the provider rate).
    for (let at = 0, posted = 0; at < input.length; ) {
      while (processor.queued < 512 && at < input.length) {
        const size = posted++ < 100 ? 1 + (posted % 2) : 1 + Math.floor(next() * 700);
        post({ type: "audio", item: "a", samples: (posted % 3 === 0 ? input : linear).slice(at, at + size) });
        at += size;
      }
      render(1);
    }
    render(Math.ceil(processor.queued / 128) + 1);
    assert.equal(reports("position", "a").at(-1).rendered, expected.length, "every frame the filter gives, counted");
    assert.equal(reports("position", "a").at(-1).underruns, 0);
    // The last fadeFrames are faded out as the queue runs dry (no click): compared up to there.
    const compared = expected.length - 64;
    for (let j = 0; j < compared; j++) {
      assert.ok(Math.abs(played[j] - Math.fround(expected[j])) <= 1e-6 * (1 + Math.abs(expected[j])), `frame ${j}: ${played[j]} vs ${expected[j]}`);
    }
  });
}

test("a burst is resampled a bounded number of frames per render quantum, ahead of what plays", () => {
  const filter = table({ up: 2, down: 1, taps: 9 }, random(7));
  const { processor, post, render } = playbackProcessor({ int16Resampler: filter });
  post({ type: "audio", item: "a", samples: new Float32Array(48_000).fill(0.25) });
  assert.equal(processor.queued, 96_000, "the frames it will give are known (and queued) at once");
  let converted = 0;
  for (let q = 0; q < 50; q++) {
    render(1);
    const now = processor.samples[processor.head].filled;
    assert.ok(now - converted <= 128 + 512, `quantum ${q}: ${now - converted} frames converted`);
    assert.ok(processor.ahead >= 128, `quantum ${q}: the next quantum is ready (${processor.ahead} ahead)`);
    converted = now;
  }
});

test("a stop starts a fresh stream: the filter's history does not leak into the next reply", () => {
  const filter = table({ up: 147, down: 80, taps: 6 }, random(3));
  const input = Float32Array.from({ length: 2_000 }, (_, i) => Math.sin(i / 5));
  const first = playbackProcessor({ int16Resampler: filter });
  first.post({ type: "audio", item: "a", samples: input });
  first.render(10);
  const second = playbackProcessor({ int16Resampler: filter });
  second.post({ type: "audio", item: "x", samples: Float32Array.from({ length: 900 }, () => 0.5) });
  second.render(2);
  second.post({ type: "stop", item: "x" });
  second.render(2);
  assert.equal(second.reports("stopped", "x").length, 1);
  const from = second.played.length;
  second.post({ type: "audio", item: "a", samples: input });
  second.render(10);
  assert.deepEqual(second.played.slice(from, from + 1_000), first.played.slice(0, 1_000));
});

test("without a resampler the worklet plays what it is posted, and says so", () => {
  // Also what an older main thread gets: its table came as `resampler`, for floats.
  const { processor, post, render, played } = playbackProcessor({ resampler: table({ up: 2, down: 1, taps: 9 }, random(3)) });
  assert.deepEqual(processor.posted[0], { type: "ready", resampling: false });
  const samples = Float32Array.from({ length: 512 }, (_, i) => i / 1_000);
  post({ type: "audio", item: "a", samples });
  post({ type: "audio", item: "a", samples });
  render(4);
  assert.deepEqual(played.slice(0, 512), [...samples]);
});

test("a long session keeps one playback counter per queued item, not one per item ever played", () => {
  const { processor, post, render, reports } = playbackProcessor();
  for (let i = 0; i < 2_000; i++) {
    post({ type: "audio", item: `item_${i}`, samples: new Float32Array(256).fill(0.1) });
    post({ type: "audio", item: `item_${i}`, samples: new Float32Array(128).fill(0.1) });
    render(3);
    assert.ok(processor.rendered.size <= 2, `after item ${i}: ${processor.rendered.size} counters`);
  }
  // Each item's last report counts all its frames, though its counter went once it played out.
  for (const i of [0, 1, 999, 1_998]) {
    assert.equal(reports("position", `item_${i}`).at(-1).rendered, 384, `item_${i}`);
  }
});

test("the newest item keeps its count across an underrun; a stop forgets every item", () => {
  const { processor, post, render, reports } = playbackProcessor();
  post({ type: "audio", item: "a", samples: new Float32Array(256).fill(0.1) });
  render(4); // runs dry: an underrun in the middle of item a
  post({ type: "audio", item: "a", samples: new Float32Array(256).fill(0.1) });
  render(2);
  assert.equal(reports("position", "a").at(-1).rendered, 512, "counted on from where it was");
  post({ type: "audio", item: "b", samples: new Float32Array(1_024).fill(0.1) });
  render(1);
  assert.deepEqual([...processor.rendered.keys()], ["b"], "a played out and b began");
  post({ type: "stop", item: "b" });
  render(1);
  assert.equal(reports("stopped", "b").length, 1);
  assert.equal(processor.rendered.size, 0);
});
