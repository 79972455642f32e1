// The hand-written JS floor: what an app writing its own client needs to hand audio bytes and
// transcript text to a handler — `JSON.parse` (Gemini frames decoded from binary first), base64 to
// bytes, a handler call. No session state, no validation, no playback.
import { openSocket, base64ToBytes, base64Kind } from './wire.mjs';

export async function open(env) {
  const ws = await openSocket(env);
  const utf8 = new TextDecoder();
  ws.onmessage = ({ data }) => {
    const m = JSON.parse(typeof data === 'string' ? data : utf8.decode(data));
    if (env.provider === 'openai') {
      if (m.type === 'response.output_audio.delta') env.audio(base64ToBytes(m.delta));
      else if (m.type === 'response.output_audio_transcript.delta') env.transcript(m.delta);
    } else {
      for (const part of m.serverContent?.modelTurn?.parts ?? []) if (part.inlineData) env.audio(base64ToBytes(part.inlineData.data));
      if (m.serverContent?.outputTranscription) env.transcript(m.serverContent.outputTranscription.text);
    }
  };
  return { base64: base64Kind };
}
