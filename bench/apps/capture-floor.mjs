// The floor a hand-written app needs for capture of the same quality as realtime-wasm's: an
// AudioWorklet that posts 20 ms chunks to the main thread, a polyphase Kaiser-windowed sinc
// resampler in JS designed by the same rule as src/audio/resampler.rs (90 dB, passband to 0.85 ×
// the lower Nyquist frequency, stopband from 1.0 ×; designed, not measured here), PCM16 with
// clamping, base64 and the `input_audio_buffer.append` JSON frame on the socket.
import { openSocket, bytesToBase64, base64Kind } from './wire.mjs';

const PROVIDER_RATE = 24_000;

const WORKLET = `registerProcessor('floor-capture', class extends AudioWorkletProcessor {
  constructor(options) { super(); this.frames = options.processorOptions.frames; this.chunk = new Float32Array(this.frames); this.filled = 0; }
  process([input]) {
    const channel = input[0];
    for (let i = 0; channel && i < channel.length;) {
      const n = Math.min(channel.length - i, this.chunk.length - this.filled);
      this.chunk.set(channel.subarray(i, i + n), this.filled);
      this.filled += n; i += n;
      if (this.filled === this.chunk.length) {
        this.port.postMessage(this.chunk, [this.chunk.buffer]);
        this.chunk = new Float32Array(this.frames); this.filled = 0; // the old one is detached
      }
    }
    return true;
  }
});`;

let ws;

export async function open(env) {
  ws = await openSocket(env);
  return { base64: base64Kind };
}

export async function capture() {
  const stream = await navigator.mediaDevices.getUserMedia({ audio: { echoCancellation: false, noiseSuppression: false, autoGainControl: false } });
  const context = new AudioContext();
  await context.audioWorklet.addModule(URL.createObjectURL(new Blob([WORKLET], { type: 'text/javascript' })));
  const node = new AudioWorkletNode(context, 'floor-capture', {
    numberOfOutputs: 0,
    processorOptions: { frames: Math.round(context.sampleRate / 50) },
  });
  const resample = sincResampler(context.sampleRate, PROVIDER_RATE);
  node.port.onmessage = ({ data }) => {
    const samples = resample(data);
    const pcm = new Int16Array(samples.length);
    for (let i = 0; i < samples.length; i++) pcm[i] = Math.max(-32768, Math.min(32767, Math.round(samples[i] * 32767)));
    ws.send(JSON.stringify({ type: 'input_audio_buffer.append', audio: bytesToBase64(new Uint8Array(pcm.buffer)) }));
  };
  context.createMediaStreamSource(stream).connect(node);
}

/** Streaming polyphase resampler from `inRate` to `outRate`: returns `push(chunk) → Float32Array`. */
function sincResampler(inRate, outRate) {
  const divisor = gcd(inRate, outRate);
  const up = outRate / divisor;
  const down = inRate / divisor;
  const attenuationDb = 90;
  const beta = 0.1102 * (attenuationDb - 8.7);
  const lowerNyquist = Math.min(inRate, outRate) / 2;
  const passEdge = 0.85 * lowerNyquist;
  const prototypeRate = inRate * up;
  const transition = (2 * Math.PI * (lowerNyquist - passEdge)) / prototypeRate;
  const taps = Math.ceil(((attenuationDb - 8) / (2.285 * transition) + 1) / up);
  const length = taps * up;
  const cutoff = (passEdge + lowerNyquist) / 2 / prototypeRate;
  // phases[p][k] = prototype[p + k·up], gain `up` to make up for the zero stuffing.
  const phases = Array.from({ length: up }, () => new Float32Array(taps));
  for (let n = 0; n < length; n++) {
    const t = n - (length - 1) / 2;
    const sinc = t === 0 ? 2 * cutoff : Math.sin(2 * Math.PI * cutoff * t) / (Math.PI * t);
    const window = besselI0(beta * Math.sqrt(Math.max(0, 1 - ((2 * n) / (length - 1) - 1) ** 2))) / besselI0(beta);
    phases[n % up][Math.floor(n / up)] = sinc * window * up;
  }
  let history = new Float32Array(taps - 1);
  let next = 0; // the next output's position in the current chunk, in 1/up input samples
  return (chunk) => {
    const input = new Float32Array(history.length + chunk.length);
    input.set(history);
    input.set(chunk, history.length);
    const out = new Float32Array(Math.ceil((chunk.length * up - next) / down));
    let produced = 0;
    for (; Math.floor(next / up) < chunk.length; next += down) {
      const coefficients = phases[next % up];
      const newest = history.length + Math.floor(next / up);
      let sum = 0;
      for (let k = 0; k < taps; k++) sum += coefficients[k] * input[newest - k];
      out[produced++] = sum;
    }
    next -= chunk.length * up;
    history = input.slice(input.length - history.length);
    return out.subarray(0, produced);
  };
}

function gcd(a, b) {
  return b === 0 ? a : gcd(b, a % b);
}

function besselI0(x) {
  let sum = 1;
  let term = 1;
  for (let k = 1; k < 50 && term > 1e-12 * sum; k++) {
    term *= (x / (2 * k)) ** 2;
    sum += term;
  }
  return sum;
}
