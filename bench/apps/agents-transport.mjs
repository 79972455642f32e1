// @openai/agents-realtime's bare WebSocket transport (OpenAIRealtimeWebSocket), no session on top:
// audio as ArrayBuffers (`audio`), transcript deltas (`audio_transcript_delta`).
import { OpenAIRealtimeWebSocket } from '@openai/agents-realtime';

export async function open(env) {
  const transport = new OpenAIRealtimeWebSocket();
  const created = new Promise((resolve) => transport.on('*', (e) => e.type === 'session.created' && resolve()));
  transport.on('audio', (e) => env.audio(new Uint8Array(e.data)));
  transport.on('audio_transcript_delta', (e) => env.transcript(e.delta));
  await transport.connect({ apiKey: 'ek_bench', model: 'gpt-realtime', url: `${env.ws}/v1/realtime?model=gpt-realtime` });
  await created;
}
