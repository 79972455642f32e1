// Capture fidelity, end to end: what the emulator received from the browser test's fake
// microphone (espeak-ng speech → Chromium capture at the device rate → capture worklet → wasm
// resampler → PCM16 → WebSocket) against the source WAV resampled to 24 kHz by a reference (sox).
//
//   node tests/audio/capture-fidelity.mjs <emulator base URL> <emu_tag> <reference 24 kHz WAV>
//
// Passes when the normalized cross-correlation at the best alignment is ≥ 0.9 and the speech span
// (leading/trailing silence trimmed the same way on both) is within 1 % of the source's.
import { readFileSync } from "node:fs";

const [base, tag, referencePath] = process.argv.slice(2);

/** Mono PCM16 samples (as floats) and the rate of a RIFF/WAVE buffer. */
function readWav(buffer) {
  const view = new DataView(buffer.buffer, buffer.byteOffset, buffer.byteLength);
  let at = 12, rate = 0, channels = 1, bits = 16;
  while (at + 8 <= view.byteLength) {
    const id = String.fromCharCode(...buffer.subarray(at, at + 4));
    const size = view.getUint32(at + 4, true);
    if (id === "fmt ") {
      channels = view.getUint16(at + 10, true);
      rate = view.getUint32(at + 12, true);
      bits = view.getUint16(at + 22, true);
    } else if (id === "data") {
      if (bits !== 16) throw new Error(`expected 16-bit PCM, got ${bits}`);
      const frames = Math.floor(Math.min(size, view.byteLength - at - 8) / (2 * channels));
      const samples = new Float64Array(frames);
      for (let i = 0; i < frames; i++) samples[i] = view.getInt16(at + 8 + i * 2 * channels, true) / 32768;
      return { rate, samples };
    }
    at += 8 + size + (size & 1);
  }
  throw new Error("no data chunk");
}

/** [start, end) of the signal above -45 dBFS in 10 ms windows. */
function speechSpan(samples, rate) {
  const win = Math.round(rate / 100), threshold = 10 ** (-45 / 20);
  let first = -1, last = -1;
  for (let w = 0; w * win < samples.length; w++) {
    let sum = 0;
    const end = Math.min(samples.length, (w + 1) * win);
    for (let i = w * win; i < end; i++) sum += samples[i] * samples[i];
    if (Math.sqrt(sum / (end - w * win)) > threshold) {
      if (first < 0) first = w * win;
      last = end;
    }
  }
  if (first < 0) throw new Error("no speech found");
  return [first, last];
}

const response = await fetch(`${base}/emulator/recordings/${encodeURIComponent(tag)}/input.wav`);
if (!response.ok) throw new Error(`recording ${tag}: HTTP ${response.status}`);
const received = readWav(new Uint8Array(await response.arrayBuffer()));
const reference = readWav(readFileSync(referencePath));
if (received.rate !== reference.rate) throw new Error(`rates differ: ${received.rate} vs ${reference.rate}`);
const rate = reference.rate;

const [rs, re] = speechSpan(received.samples, rate);
const [fs, fe] = speechSpan(reference.samples, rate);
const x = received.samples.subarray(rs, re), y = reference.samples.subarray(fs, fe);
const energy = (a) => a.reduce((s, v) => s + v * v, 0);
const ey = energy(y);

// Normalized cross-correlation over ±50 ms around the trimmed alignment.
const maxLag = Math.round(rate * 0.05);
let best = { r: -1, lag: 0 };
for (let lag = -maxLag; lag <= maxLag; lag++) {
  let dot = 0, ex = 0;
  for (let i = 0; i < y.length; i++) {
    const j = i + lag;
    if (j < 0 || j >= x.length) continue;
    dot += x[j] * y[i];
    ex += x[j] * x[j];
  }
  const r = dot / Math.sqrt(ex * ey || 1);
  if (r > best.r) best = { r, lag };
}

const receivedSeconds = x.length / rate, sourceSeconds = y.length / rate;
const durationError = Math.abs(receivedSeconds - sourceSeconds) / sourceSeconds;
console.log(
  `capture fidelity: correlation ${best.r.toFixed(4)} at lag ${(best.lag / rate * 1000).toFixed(2)} ms; ` +
  `speech ${receivedSeconds.toFixed(3)} s received vs ${sourceSeconds.toFixed(3)} s source (${(durationError * 100).toFixed(2)} %); ` +
  `total received ${(received.samples.length / rate).toFixed(2)} s at ${rate} Hz`,
);
if (!(best.r >= 0.9)) { console.error("capture fidelity: correlation below 0.9"); process.exit(1); }
if (!(durationError <= 0.01)) { console.error("capture fidelity: duration off by more than 1 %"); process.exit(1); }
