// The page side of the soak benchmark (bench/soak.mjs): one long session through the npm package,
// as an app runs it, reporting memory after every simulated minute.
//
// A simulated minute is a fixed script of conversation, replayed with the emulator's accelerated
// pacing (`emu_speed`): a spoken turn from a tone "microphone" (server VAD, the echo reply played
// to the end), a text turn whose long spoken reply is barged in on by talking over it, a tool call
// whose output the model reads back, and a text turn interrupted from the app (`interrupt()`).
// Playback is on throughout; the microphone stays attached for the whole session.
//
// Reports through the exposed `soakReport(kind, data)`: `minute` { minute, jsHeap, wasmMemory,
// turns, audioMs, toolCalls, bargeIns, errors } with the JS heap measured after a forced GC, `done`,
// `error`. Never asserts timings; the runner judges growth.
import init, { RealtimeClient } from '/pkg/realtime_wasm.js';

const params = new URLSearchParams(location.search);
const provider = params.get('provider');
const minutes = Number(params.get('minutes'));
const speed = Number(params.get('speed'));
const emulator = params.get('emulator');
const report = (kind, data) => window.soakReport(kind, data);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

addEventListener('error', (e) => report('error', String(e.error?.stack ?? e.message)));
addEventListener('unhandledrejection', (e) => report('error', String(e.reason?.stack ?? e.reason)));

/** A microphone the page controls: a 440 Hz tone through a gain that is 0 (silent) or 0.3 (speaking). */
function toneMicrophone() {
  const context = new AudioContext({ sampleRate: 48_000 });
  const tone = new OscillatorNode(context, { frequency: 440 });
  const gain = new GainNode(context, { gain: 0 });
  const out = new MediaStreamAudioDestinationNode(context);
  tone.connect(gain).connect(out);
  tone.start();
  return { stream: out.stream, speak: (on) => gain.gain.setValueAtTime(on ? 0.3 : 0, context.currentTime) };
}

/** Resolves with the next event of `kind` that `pred` accepts (rejects after `ms`). */
function next(session, kind, pred = () => true, ms = 30_000) {
  return new Promise((resolve, reject) => {
    const handler = (e) => {
      if (!pred(e)) return;
      clearTimeout(timer);
      session.off(kind, handler);
      resolve(e);
    };
    const timer = setTimeout(() => { session.off(kind, handler); reject(new Error(`soak: no ${kind} within ${ms} ms`)); }, ms);
    session.on(kind, handler);
  });
}

async function run() {
  const wasm = await init();
  const figures = { turns: 0, audioMs: 0, toolCalls: 0, bargeIns: 0, errors: [] };
  const client = new RealtimeClient({
    provider,
    token: () => fetch(`${emulator}/token?provider=${provider}`, { method: 'POST' }).then((r) => r.json())
      .then((t) => ({ token: t.token, url: `${t.url}${t.url.includes('?') ? '&' : '?'}emu_speed=${speed}` })),
  });
  const session = await client.connect({
    instructions: 'Soak test.',
    voiceActivityDetection: { silenceDurationMs: 300 },
    tools: [{
      name: 'add',
      description: 'Adds two numbers.',
      parameters: { type: 'object', properties: { a: { type: 'number' }, b: { type: 'number' } }, required: ['a', 'b'] },
      handler: ({ a, b }) => { figures.toolCalls++; return { sum: a + b }; },
    }],
  });
  session.on('error', (e) => figures.errors.push(`${e.error?.code}: ${e.error?.message}`));
  session.on('outputAudioDelta', (e) => { figures.audioMs += e.audio.byteLength / 48; });
  session.on('interrupted', () => { figures.bargeIns++; });
  const mic = toneMicrophone();
  await session.attachMicrophoneStream(mic.stream);
  await sleep(300);

  const sample = async (minute) => {
    // Two GCs: the first may only schedule finalizers (the SDK's FinalizationRegistry included).
    globalThis.gc?.();
    await sleep(50);
    globalThis.gc?.();
    report('minute', {
      minute,
      jsHeap: performance.memory?.usedJSHeapSize ?? null,
      wasmMemory: wasm.memory.buffer.byteLength,
      turns: figures.turns,
      audioMs: Math.round(figures.audioMs),
      toolCalls: figures.toolCalls,
      bargeIns: figures.bargeIns,
      errors: figures.errors.length,
    });
  };
  await sample(0);
  const story = 'tell me a long story about ' + 'the sea and the ships and the harbour at night, '.repeat(6);
  for (let minute = 1; minute <= minutes; minute++) {
    // 1. A spoken turn: the server's VAD ends it; the echo reply plays to its end.
    const played = next(session, 'playbackEnded');
    mic.speak(true);
    await sleep(700);
    mic.speak(false);
    await played;
    figures.turns++;
    // 2. A long spoken reply, barged in on by talking over it.
    const audible = next(session, 'outputAudioDelta');
    await session.sendText(story);
    await audible;
    await sleep(200);
    const interrupted = next(session, 'interrupted');
    mic.speak(true);
    await interrupted;
    mic.speak(false);
    // The barge-in's own turn (the tone) is answered too: wait for that reply to finish playing.
    await next(session, 'playbackEnded');
    figures.turns += 2;
    // 3. A tool call; the model reads the output back.
    const spoken = next(session, 'playbackEnded');
    await session.sendText(`call add {"a": ${minute}, "b": 2}`);
    await spoken;
    figures.turns++;
    // 4. A reply interrupted by the app.
    const started = next(session, 'outputAudioDelta');
    const done = next(session, 'responseDone');
    await session.sendText(story);
    await started;
    session.interrupt();
    await done;
    figures.turns++;
    await sample(minute);
  }
  session.stopMicrophone();
  await session.close();
  await report('done', { errors: figures.errors });
}

run().catch((e) => report('error', String(e?.stack ?? e)));
