// Audio helpers for the OpenAI emulation: wire formats ↔ PCM16 samples.
//
// Owns: base64 decoding of `input_audio_buffer.append` payloads per the session's
// input format (audio/pcm 24 kHz, audio/pcmu and audio/pcma 8 kHz G.711), encoding
// of output audio per the output format, frame levels for the VAD, durations and
// the deterministic "voice" used when the model must speak a text answer.

export const PCM_RATE = 24000;

export function formatRate(format) {
  return format?.type === 'audio/pcmu' || format?.type === 'audio/pcma' ? 8000 : PCM_RATE;
}

function ulawToLinear(u) {
  u = ~u & 0xff;
  const sign = u & 0x80;
  const exponent = (u >> 4) & 0x07;
  const mantissa = u & 0x0f;
  let sample = (((mantissa << 3) + 0x84) << exponent) - 0x84;
  return sign ? -sample : sample;
}

function alawToLinear(a) {
  a ^= 0x55;
  const sign = a & 0x80;
  const exponent = (a >> 4) & 0x07;
  const mantissa = a & 0x0f;
  let sample = exponent === 0 ? (mantissa << 4) + 8 : ((mantissa << 4) + 0x108) << (exponent - 1);
  return sign ? sample : -sample;
}

function linearToUlaw(s) {
  const BIAS = 0x84;
  let sign = 0;
  if (s < 0) {
    s = -s;
    sign = 0x80;
  }
  s = Math.min(s, 32635) + BIAS;
  let exponent = 7;
  for (let mask = 0x4000; (s & mask) === 0 && exponent > 0; mask >>= 1) exponent--;
  const mantissa = (s >> (exponent + 3)) & 0x0f;
  return ~(sign | (exponent << 4) | mantissa) & 0xff;
}

function linearToAlaw(s) {
  let sign = 0x80;
  if (s < 0) {
    s = -s - 1;
    sign = 0;
  }
  s = Math.min(s, 32767);
  let exponent = 7;
  for (let mask = 0x4000; (s & mask) === 0 && exponent > 0; mask >>= 1) exponent--;
  const mantissa = exponent === 0 ? (s >> 4) & 0x0f : (s >> (exponent + 3)) & 0x0f;
  return (sign | (exponent << 4) | mantissa) ^ 0x55;
}

/** Strict base64 check (the service rejects what it cannot decode). */
export function isBase64(s) {
  return typeof s === 'string' && s.length % 4 === 0 && /^[A-Za-z0-9+/]*={0,2}$/.test(s);
}

/** Decode an append payload into PCM16 samples at the format's rate. */
export function decodeInput(b64, format) {
  const bytes = Buffer.from(b64, 'base64');
  if (format?.type === 'audio/pcmu' || format?.type === 'audio/pcma') {
    const f = format.type === 'audio/pcmu' ? ulawToLinear : alawToLinear;
    const out = new Int16Array(bytes.length);
    for (let i = 0; i < bytes.length; i++) out[i] = f(bytes[i]);
    return out;
  }
  const n = bytes.length >> 1;
  const out = new Int16Array(n);
  for (let i = 0; i < n; i++) out[i] = bytes.readInt16LE(i * 2);
  return out;
}

/** Resample by linear interpolation (only used between 8 kHz and 24 kHz). */
export function resample(samples, from, to) {
  if (from === to || samples.length === 0) return samples;
  const n = Math.max(1, Math.round((samples.length * to) / from));
  const out = new Int16Array(n);
  for (let i = 0; i < n; i++) {
    const x = (i * from) / to;
    const i0 = Math.floor(x);
    const i1 = Math.min(samples.length - 1, i0 + 1);
    const t = x - i0;
    out[i] = Math.round(samples[Math.min(i0, samples.length - 1)] * (1 - t) + samples[i1] * t);
  }
  return out;
}

/** Encode PCM16 samples (at `rate`) for the output format → base64. */
export function encodeOutput(samples, rate, format) {
  const target = formatRate(format);
  const s = resample(samples, rate, target);
  if (format?.type === 'audio/pcmu' || format?.type === 'audio/pcma') {
    const f = format.type === 'audio/pcmu' ? linearToUlaw : linearToAlaw;
    const b = Buffer.alloc(s.length);
    for (let i = 0; i < s.length; i++) b[i] = f(s[i]);
    return b.toString('base64');
  }
  const b = Buffer.alloc(s.length * 2);
  for (let i = 0; i < s.length; i++) b.writeInt16LE(s[i], i * 2);
  return b.toString('base64');
}

/** RMS level of a frame in dBFS (-100 for digital silence). */
export function frameDbfs(samples, start, end) {
  let sum = 0;
  for (let i = start; i < end; i++) sum += samples[i] * samples[i];
  const n = end - start;
  if (n <= 0 || sum === 0) return -100;
  return 20 * Math.log10(Math.sqrt(sum / n) / 32768);
}

export const msOf = (samples, rate) => (samples * 1000) / rate;

/**
 * The deterministic "voice" for text answers spoken aloud: one 180 ms tone per word
 * (pitch from the word's characters) with 40 ms gaps, at 24 kHz, about -14 dBFS.
 */
export function synthesize(text) {
  const words = String(text).split(/\s+/).filter(Boolean).slice(0, 200);
  const tone = Math.round(0.18 * PCM_RATE);
  const gap = Math.round(0.04 * PCM_RATE);
  const out = new Int16Array(Math.max(1, words.length) * (tone + gap));
  words.forEach((w, k) => {
    let h = 0;
    for (const c of w) h = (h * 31 + c.charCodeAt(0)) % 997;
    const freq = 140 + (h % 160);
    for (let i = 0; i < tone; i++) {
      const env = Math.min(1, i / 240, (tone - i) / 240);
      out[k * (tone + gap) + i] = Math.round(6000 * env * Math.sin((2 * Math.PI * freq * i) / PCM_RATE));
    }
  });
  return out;
}
