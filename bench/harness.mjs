// The page side of one measurement: loads one app bundle (`/apps/<app>.js`), opens its session
// against the benchmark server, counts what the app hands back and reports to the runner through
// the exposed `benchReport(kind, data)`: `ready` (with `readyMs`, time since navigation start),
// `done` (every delta of the reply reached the app), `capturing`, `error`.
//
// An app exports `open(env)` (resolves once the server confirmed the session, optionally with
// figures of its own) and, for the capture figure, `capture(env)`. It passes each audio delta's
// bytes to `env.audio`, each transcript delta to `env.transcript`; an app that does not decode
// (the raw socket) calls `env.frame` per frame instead.
const params = new URLSearchParams(location.search);
const provider = params.get('provider');
const deltas = Number(params.get('deltas'));
const base = `${location.host}/s/${params.get('id')}/${provider}`;
const seen = { audioDeltas: 0, audioBytes: 0, transcriptDeltas: 0, frames: 0 };
let reported = false;
const report = (kind, data) => window.benchReport(kind, data);
const check = () => {
  const complete = seen.frames === 2 * deltas || (seen.audioDeltas === deltas && seen.transcriptDeltas === deltas);
  if (complete && !reported) {
    reported = true;
    report('done', seen);
  }
};
const env = {
  provider,
  playback: params.get('playback') === '1',
  ws: `ws://${base}`,
  http: `http://${base}`,
  audio(bytes) { seen.audioDeltas++; seen.audioBytes += bytes.byteLength; check(); },
  transcript(text) { if (typeof text === 'string') seen.transcriptDeltas++; check(); },
  frame() { seen.frames++; check(); },
};
addEventListener('error', (e) => report('error', String(e.error?.stack ?? e.message)));
addEventListener('unhandledrejection', (e) => report('error', String(e.reason?.stack ?? e.reason)));
try {
  const app = await import(`/apps/${params.get('app')}.js`);
  const figures = await app.open(env);
  await report('ready', { readyMs: performance.now(), ...figures });
  if (params.get('mode') === 'capture') {
    await app.capture(env);
    await report('capturing', {});
  }
} catch (e) {
  report('error', String(e?.stack ?? e));
}
