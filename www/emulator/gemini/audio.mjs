// Gemini Live emulation — audio helpers.
//
// Owns: PCM16 little-endian mono conversions (base64 ↔ samples), the input
// mime-type rule (`audio/pcm` with an optional `;rate=N`, 16 kHz native,
// other rates resampled like the real service says it does), linear
// resampling (16 → 24 kHz for the echo voice), frame energy in dBFS, and the
// deterministic synthetic "voice" used to speak text replies.

export const INPUT_RATE = 16000;
export const OUTPUT_RATE = 24000;
export const OUTPUT_MIME = `audio/pcm;rate=${OUTPUT_RATE}`;

/**
 * Parse an input audio mime type. Returns the sample rate, or null when the
 * real service would refuse it (anything but raw PCM).
 */
export function parseAudioMime(mimeType) {
  if (typeof mimeType !== 'string') return null;
  const [type, ...params] = mimeType.split(';').map((s) => s.trim());
  if (type.toLowerCase() !== 'audio/pcm' && type.toLowerCase() !== 'audio/l16') return null;
  let rate = INPUT_RATE;
  for (const p of params) {
    const [k, v] = p.split('=').map((s) => s.trim());
    if (k.toLowerCase() === 'rate') {
      if (!/^\d+$/.test(v ?? '')) return null;
      rate = Number(v);
    }
  }
  if (rate < 8000 || rate > 48000) return null;
  return rate;
}

export function base64ToSamples(b64) {
  const buf = Buffer.from(b64, 'base64');
  const n = buf.length >> 1;
  const out = new Int16Array(n);
  for (let i = 0; i < n; i++) out[i] = buf.readInt16LE(i * 2);
  return out;
}

export function samplesToBase64(samples) {
  const buf = Buffer.alloc(samples.length * 2);
  for (let i = 0; i < samples.length; i++) buf.writeInt16LE(samples[i], i * 2);
  return buf.toString('base64');
}

/** Linear-interpolation resampler (good enough for an echo voice). */
export function resample(samples, fromRate, toRate) {
  if (fromRate === toRate || samples.length === 0) return Int16Array.from(samples);
  const outLen = Math.round((samples.length * toRate) / fromRate);
  const out = new Int16Array(outLen);
  const step = fromRate / toRate;
  for (let i = 0; i < outLen; i++) {
    const pos = i * step;
    const i0 = Math.floor(pos);
    const i1 = Math.min(i0 + 1, samples.length - 1);
    const frac = pos - i0;
    out[i] = Math.round(samples[Math.min(i0, samples.length - 1)] * (1 - frac) + samples[i1] * frac);
  }
  return out;
}

/** RMS level of a frame in dBFS (-Infinity for digital silence). */
export function frameDbfs(samples, start = 0, end = samples.length) {
  let sum = 0;
  for (let i = start; i < end; i++) sum += samples[i] * samples[i];
  const n = Math.max(1, end - start);
  const rms = Math.sqrt(sum / n) / 32768;
  return rms > 0 ? 20 * Math.log10(rms) : -Infinity;
}

export function concatSamples(chunks) {
  const total = chunks.reduce((n, c) => n + c.length, 0);
  const out = new Int16Array(total);
  let off = 0;
  for (const c of chunks) {
    out.set(c, off);
    off += c.length;
  }
  return out;
}

/**
 * Deterministic synthetic speech for a text reply at 24 kHz: one 70 ms
 * syllable-like tone burst per character (pitch from the char code), so the
 * duration follows the text and the same text always sounds the same.
 */
export function synthesizeSpeech(text) {
  const perChar = Math.round(OUTPUT_RATE * 0.07);
  const chars = [...String(text)].slice(0, 400);
  const out = new Int16Array(Math.max(1, chars.length) * perChar);
  chars.forEach((ch, k) => {
    const silent = /\s/.test(ch);
    const freq = 140 + (ch.codePointAt(0) % 40) * 6;
    for (let i = 0; i < perChar; i++) {
      const env = Math.sin((Math.PI * i) / perChar);
      out[k * perChar + i] = silent ? 0 : Math.round(6000 * env * Math.sin((2 * Math.PI * freq * i) / OUTPUT_RATE));
    }
  });
  return out;
}
