// @google/genai's Live API (`ai.live.connect`, resolved on `setupComplete`): every frame is a
// parsed LiveServerMessage, audio still base64 (the app decodes it). An http:// base URL becomes ws://.
import { GoogleGenAI, Modality } from '@google/genai';
import { base64ToBytes } from './wire.mjs';

export async function open(env) {
  const ai = new GoogleGenAI({ apiKey: 'bench', httpOptions: { baseUrl: env.http } });
  await ai.live.connect({
    model: 'gemini-live-2.5-flash-preview',
    config: { responseModalities: [Modality.AUDIO], outputAudioTranscription: {} },
    callbacks: {
      onmessage: (m) => {
        for (const part of m.serverContent?.modelTurn?.parts ?? []) if (part.inlineData) env.audio(base64ToBytes(part.inlineData.data));
        if (m.serverContent?.outputTranscription) env.transcript(m.serverContent.outputTranscription.text);
      },
    },
  });
}
