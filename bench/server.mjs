// The benchmark's WebSocket server (not the emulator: it answers instantly and identically for
// every SDK, so only the browser side differs between the paths measured).
//
// Owns: the frames of one assistant reply (audio deltas of 24 kHz PCM16 interleaved with
// transcript deltas), in both wire forms — OpenAI GA text frames and Gemini binary frames of JSON,
// as the real services send them; each provider's handshake (OpenAI: `session.created` on connect,
// `session.updated` for every `session.update`; Gemini: `setupComplete` for `setup`); blasting the
// reply to one connection on the runner's signal; counting the microphone audio a connection sends
// (`input_audio_buffer.append`). Nothing else is answered.
//
// A connection's path names it: `/s/<id>/<openai|gemini>/…` (the rest — `/v1/realtime`,
// `/ws/google.ai…` — is whatever the SDK appends to its base URL).

import { WebSocketServer } from 'ws';
import { defaultSession } from '../www/emulator/openai/config.mjs';

/** Bytes of one 100 ms audio delta: 2,400 samples of 24 kHz PCM16. */
export const AUDIO_DELTA_BYTES = 4_800;
export const AUDIO_DELTA_MS = 100;

/**
 * The reply: `deltas` audio deltas (pseudo-random bytes, different per delta, as compressed
 * speech would not repeat) and as many transcript deltas, interleaved, in both wire forms.
 */
export function replyFrames(deltas) {
  let seed = 0x2545_f491;
  const openai = [];
  const gemini = [];
  for (let i = 0; i < deltas; i++) {
    const audio = Buffer.alloc(AUDIO_DELTA_BYTES);
    for (let b = 0; b < audio.length; b++) {
      seed ^= seed << 13; seed ^= seed >>> 17; seed ^= seed << 5;
      audio[b] = seed & 0xff;
    }
    const data = audio.toString('base64');
    const word = `word ${i} `;
    const position = { response_id: 'resp_bench', item_id: 'item_bench', output_index: 0, content_index: 0 };
    openai.push(
      JSON.stringify({ type: 'response.output_audio.delta', event_id: `event_a${i}`, ...position, delta: data }),
      JSON.stringify({ type: 'response.output_audio_transcript.delta', event_id: `event_t${i}`, ...position, delta: word }),
    );
    gemini.push(
      Buffer.from(JSON.stringify({ serverContent: { modelTurn: { parts: [{ inlineData: { mimeType: 'audio/pcm;rate=24000', data } }] } } })),
      Buffer.from(JSON.stringify({ serverContent: { outputTranscription: { text: word } } })),
    );
  }
  return { openai, gemini };
}

/**
 * Attaches the benchmark socket to `httpServer`. Returns
 * `{ blast(id), capturedBytes(id), close() }`.
 */
export function attachBenchSocket(httpServer, frames) {
  const wss = new WebSocketServer({ noServer: true, perMessageDeflate: false });
  const connections = new Map(); // id → { ws, provider, inputBytes }

  httpServer.on('upgrade', (req, socket, head) => {
    const match = /^\/s\/([\w-]+)\/(openai|gemini)\//.exec(new URL(req.url, 'http://x').pathname);
    if (!match) return socket.destroy();
    wss.handleUpgrade(req, socket, head, (ws) => {
      const [, id, provider] = match;
      const connection = { ws, provider, inputBytes: 0 };
      connections.set(id, connection);
      if (provider === 'openai') handshakeOpenAi(connection);
      else handshakeGemini(connection);
    });
  });

  const connection = (id) => {
    const found = connections.get(id);
    if (!found) throw new Error(`bench server: no connection ${id}`);
    return found;
  };
  return {
    blast(id) {
      const { ws, provider } = connection(id);
      for (const frame of frames[provider]) ws.send(frame, { binary: provider === 'gemini' });
    },
    capturedBytes: (id) => connection(id).inputBytes,
    close() {
      for (const { ws } of connections.values()) ws.terminate();
      wss.close();
    },
  };
}

function handshakeOpenAi(connection) {
  const { ws } = connection;
  const session = defaultSession('gpt-realtime', Math.floor(Date.now() / 1000) + 3600);
  let events = 0;
  const send = (event) => ws.send(JSON.stringify({ event_id: `event_s${events++}`, ...event }));
  send({ type: 'session.created', session });
  ws.on('message', (data) => {
    const event = JSON.parse(data.toString());
    if (event.type === 'session.update') send({ type: 'session.updated', session });
    else if (event.type === 'input_audio_buffer.append') connection.inputBytes += Buffer.byteLength(event.audio, 'base64');
  });
}

function handshakeGemini(connection) {
  const { ws } = connection;
  ws.on('message', (data) => {
    if (JSON.parse(data.toString()).setup) ws.send(Buffer.from(JSON.stringify({ setupComplete: {} })), { binary: true });
  });
}
