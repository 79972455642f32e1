// The playback worklet's bookkeeping, run in Node with a stand-in for the AudioWorklet globals (the
// browser tests play real audio through it; this one plays thousands of items, which they cannot).
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";

const source = readFileSync(new URL("../../src/web/worklets/realtime-audio.js", import.meta.url), "utf8");

function playbackProcessor() {
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
  const processor = new processors["realtime-playback"]({ processorOptions: { prebufferFrames: 0, fadeFrames: 64, reportFrames: 4_800 } });
  const post = (m) => processor.port.onmessage({ data: m });
  const render = (quanta) => {
    for (let q = 0; q < quanta; q++) processor.process([], [[new Float32Array(128)]]);
  };
  const reports = (type, item) => processor.posted.filter((m) => m.type === type && m.item === item);
  return { processor, post, render, reports };
}

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
