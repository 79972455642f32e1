// The `openai` package's browser realtime client (OpenAIRealtimeWebSocket): parsed server events,
// audio deltas still base64 (the app decodes them).
import OpenAI from 'openai';
import { OpenAIRealtimeWebSocket } from 'openai/realtime/websocket';
import { base64ToBytes } from './wire.mjs';

export async function open(env) {
  const client = new OpenAI({ apiKey: 'ek_bench', baseURL: `${env.http}/v1`, dangerouslyAllowBrowser: true });
  // The client always builds a wss:// URL; the benchmark server is plain ws:// on loopback.
  const rt = new OpenAIRealtimeWebSocket({ model: 'gpt-realtime', onURL: (url) => { url.protocol = 'ws:'; } }, client);
  rt.on('response.output_audio.delta', (e) => env.audio(base64ToBytes(e.delta)));
  rt.on('response.output_audio_transcript.delta', (e) => env.transcript(e.delta));
  await new Promise((resolve, reject) => {
    rt.on('session.created', resolve);
    rt.on('error', reject);
  });
}
