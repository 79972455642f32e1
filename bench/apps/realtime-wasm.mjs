// realtime-wasm as an app uses it: init, a client, a session; audio deltas arrive as bytes (and,
// with `audio.playback`, are also resampled to the device rate and queued in the playback
// worklet). `capture` streams the microphone through the SDK's capture path.
import init, { RealtimeClient } from '../../pkg/realtime_wasm.js';

let session;

export async function open(env) {
  const started = performance.now();
  // The bundle (esbuild) is not next to the .wasm and the worklet, so say where they are (as an
  // app's bundler config would).
  await init({ module_or_path: '/pkg/realtime_wasm_bg.wasm' });
  const wasmInitMs = performance.now() - started;
  const client = env.provider === 'openai'
    ? new RealtimeClient({ provider: 'openai', endpoint: `${env.ws}/v1/realtime`, token: 'ek_bench' })
    : new RealtimeClient({ provider: 'gemini', endpoint: `${env.ws}/ws/live`, token: 'bench' });
  session = await client.connect({ audio: { playback: env.playback, workletUrl: '/pkg/worklets/realtime-audio.js' } });
  session.on('outputAudioDelta', (m) => env.audio(m.audio));
  session.on('outputAudioTranscriptionDelta', (m) => env.transcript(m.text));
  return { wasmInitMs };
}

export function capture() {
  return session.startMicrophone({ echoCancellation: false, noiseSuppression: false, autoGainControl: false });
}
