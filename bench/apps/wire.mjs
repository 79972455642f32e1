// What the hand-written apps share: base64 both ways (the browser's built-in
// `Uint8Array.fromBase64`/`toBase64` where it has them, else `atob`/`btoa`), and a bare
// WebSocket opened to the benchmark server with the provider's handshake done.

export const base64ToBytes = Uint8Array.fromBase64
  ? (text) => Uint8Array.fromBase64(text)
  : (text) => {
    const binary = atob(text);
    const bytes = new Uint8Array(binary.length);
    for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
    return bytes;
  };

export const bytesToBase64 = Uint8Array.prototype.toBase64
  ? (bytes) => bytes.toBase64()
  : (bytes) => {
    let binary = '';
    for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000));
    return btoa(binary);
  };

/** Which base64 the hand-written paths use (reported with their figures). */
export const base64Kind = Uint8Array.fromBase64 ? 'built-in `Uint8Array` base64' : '`atob`/`btoa`';

/**
 * Opens a socket and resolves once the server confirmed the session (OpenAI: `session.created`;
 * Gemini: `setupComplete` after our `setup`). Frames are `ArrayBuffer`s (Gemini's are binary).
 */
export function openSocket(env) {
  const openai = env.provider === 'openai';
  const ws = openai
    ? new WebSocket(`${env.ws}/v1/realtime?model=gpt-realtime`, ['realtime', 'openai-insecure-api-key.ek_bench'])
    : new WebSocket(`${env.ws}/ws/live?key=bench`);
  ws.binaryType = 'arraybuffer';
  if (!openai) ws.onopen = () => ws.send(JSON.stringify({ setup: { model: 'models/gemini-live-2.5-flash-preview' } }));
  return new Promise((resolve, reject) => {
    ws.onerror = () => reject(new Error('bench socket failed'));
    ws.onmessage = () => { ws.onmessage = null; resolve(ws); };
  });
}
