// @openai/agents-realtime as its docs show it: a RealtimeAgent in a RealtimeSession over the
// WebSocket transport. The session hands audio out as ArrayBuffers (`audio`), plays nothing.
import { RealtimeAgent, RealtimeSession } from '@openai/agents-realtime';

export async function open(env) {
  const agent = new RealtimeAgent({ name: 'Assistant', instructions: 'Be brief.' });
  const session = new RealtimeSession(agent, { transport: 'websocket', model: 'gpt-realtime' });
  const created = new Promise((resolve) => session.on('transport_event', (e) => e.type === 'session.created' && resolve()));
  session.on('audio', (e) => env.audio(new Uint8Array(e.data)));
  session.on('transport_event', (e) => e.type === 'response.output_audio_transcript.delta' && env.transcript(e.delta));
  await session.connect({ apiKey: 'ek_bench', url: `${env.ws}/v1/realtime?model=gpt-realtime` });
  await created;
}
