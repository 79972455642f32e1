// The demo page: a voice and text chat over realtime-wasm, against the emulator or the real services.
//
// Owns: loading the SDK (`/pkg/realtime_wasm.js`), the provider choice (emulated / real, from
// `GET /config`), tokens (`POST /token`), connecting and disconnecting, routing session events to
// the transcript, tool log, meters and latency figures, the composer, barge-in (Stop / Esc), and
// visible errors with a way back (Reconnect, or another provider).
// Page query parameters: `emu_*` knobs are forwarded to the emulator's WebSocket URL (e.g.
// `/?emu_speed=4`), `log=debug` turns on the SDK's console logging, `mic=off` keeps the microphone
// off when a session opens (otherwise it starts with the session).
// Meters and barge-in come from the SDK's audio engine: `inputLevel`, `outputLevel`, `interrupted`.
// Gemini fixes its configuration at setup: the page never calls `session.update()` on it (reply
// type and turn taking apply on the next connect).

import { Transcript } from './transcript.mjs';
import { ToolLog } from './tool-log.mjs';
import { Latency } from './latency.mjs';
import { Meter, animate } from './meters.mjs';
import { VoiceControls, browserCanCapture } from './voice.mjs';
import { demoTools, toolExamples } from './tools.mjs';

const $ = (id) => document.getElementById(id);
const params = new URLSearchParams(location.search);

const INSTRUCTIONS =
  'You are the friendly assistant of the realtime-wasm demo. Keep answers short. ' +
  'Use current_time for the date or time, roll_dice for dice, and calculate for arithmetic.';

/** The provider choices of `#provider` (option values). */
const CHOICES = {
  'emulated-openai': { provider: 'openai', emulated: true, label: 'Emulated OpenAI' },
  'emulated-gemini': { provider: 'gemini', emulated: true, label: 'Emulated Gemini' },
  openai: { provider: 'openai', emulated: false, label: 'OpenAI Realtime', key: 'OPENAI_API_KEY' },
  gemini: { provider: 'gemini', emulated: false, label: 'Gemini Live', key: 'GEMINI_API_KEY' },
};
const LOG_LEVELS = new Set(['off', 'error', 'warn', 'info', 'debug', 'trace']);

const el = {
  status: $('status'),
  pill: $('state-pill'),
  version: $('version'),
  provider: $('provider'),
  providerHint: $('provider-hint'),
  realHint: $('real-hint'),
  replyHint: $('reply-hint'),
  connect: $('connect'),
  disconnect: $('disconnect'),
  input: $('text-input'),
  send: $('send'),
  composer: $('composer'),
  interrupt: $('interrupt'),
  chips: $('tool-chips'),
  toolHintText: $('tool-hint-text'),
  clear: $('clear-transcript'),
  error: $('error'),
  errorTitle: $('error-title'),
  errorDetail: $('error-detail'),
  reconnect: $('reconnect'),
  dismissError: $('dismiss-error'),
  emptyVoiceHint: $('empty-voice-hint'),
};

const transcript = new Transcript($('transcript'));
const toolLog = new ToolLog($('tool-log'));
const latency = new Latency({ text: $('latency-text'), speech: $('latency-speech'), playback: $('latency-playback'), bargeIn: $('latency-barge-in') });
const inputMeter = new Meter($('input-level'));
const outputMeter = new Meter($('output-level'));

let sdk = null;
let voice = null;
/** The live connection: { session, choice, userClosing } (null when disconnected). */
let current = null;
/** Bumped by every connect/disconnect, so a slow connect that lost the race closes its session. */
let generation = 0;
/** Responses in progress (ids): Stop shows while there is one. */
const activeResponses = new Set();
let errorAction = null;
/** When the session started reconnecting (`performance.now()`), or null while it is not. */
let reconnectingSince = null;

// ---------------------------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------------------------

function messageOf(err) {
  if (err == null) return '';
  if (typeof err === 'string') return err;
  if (err.message) return err.name && err.name !== 'Error' ? `${err.name}: ${err.message}` : err.message;
  try {
    return JSON.stringify(err);
  } catch {
    return String(err);
  }
}

const CLOSE_CODES = {
  1001: 'the server is going away',
  1006: 'the connection dropped without a goodbye (network or server gone)',
  1007: 'the server refused a message',
  1008: 'the server refused the request (policy)',
  1011: 'the server hit an internal error',
  3000: 'the credentials were refused',
};

function closeReason({ code, reason }) {
  const what = CLOSE_CODES[code];
  return `Close code ${code}${what ? ` — ${what}` : ''}${reason ? `: ${reason}` : ''}.`;
}

/**
 * Shows the error banner. `action` is the recovery button ({ label, run }); default Reconnect.
 * `action: null` shows Dismiss only.
 */
function showError(title, detail, { action = { label: 'Reconnect', run: reconnect } } = {}) {
  el.errorTitle.textContent = title;
  el.errorDetail.textContent = detail ?? '';
  el.errorDetail.hidden = !detail;
  errorAction = action;
  el.reconnect.hidden = !action;
  if (action) el.reconnect.textContent = action.label;
  el.error.hidden = false;
}

function clearError() {
  el.error.hidden = true;
  errorAction = null;
}

// ---------------------------------------------------------------------------------------------
// State and controls
// ---------------------------------------------------------------------------------------------

/**
 * `state` is the session's, or `reconnecting`: the session is `connecting` again after a dropped
 * connection — the conversation is kept, and what is typed meanwhile waits in the SDK and goes out
 * once the new connection is up.
 */
function setStatus(state) {
  el.status.textContent = state === 'reconnecting' ? 'reconnecting…' : state;
  el.pill.dataset.state = state;
  document.body.dataset.state = state;
  const open = state === 'open' || state === 'reconnecting';
  const busy = state === 'connecting' || state === 'closing';
  el.connect.disabled = open || busy || !sdk;
  el.disconnect.disabled = !(open || state === 'connecting');
  el.provider.disabled = open || busy;
  el.input.disabled = !open;
  el.send.disabled = !open;
  el.input.placeholder =
    state === 'reconnecting' ? 'Reconnecting… (messages wait and go out once it is back)' : open ? 'Type a message…' : state === 'connecting' ? 'Connecting…' : 'Connect to start typing';
  for (const chip of el.chips.children) chip.disabled = !open;
  el.connect.textContent = state === 'connecting' ? 'Connecting…' : 'Connect';
}

function setResponding(responseId, active) {
  if (active) activeResponses.add(responseId);
  else activeResponses.delete(responseId);
  el.interrupt.hidden = activeResponses.size === 0;
  $('transcript').setAttribute('aria-busy', String(activeResponses.size > 0));
}

/** Barge-in or the session ended: nothing the user waits for is in progress any more. */
function stopResponding() {
  activeResponses.clear();
  setResponding(null, false);
}

function choice() {
  return CHOICES[el.provider.value] ?? CHOICES['emulated-openai'];
}

function replyMode() {
  return document.querySelector('input[name="reply-mode"]:checked')?.value === 'text' ? 'text' : 'audio';
}

function updateHints() {
  const c = choice();
  if (c.emulated) {
    el.providerHint.textContent = 'The emulator inside this dev server answers predictably: no account, no cost.';
  } else {
    el.providerHint.textContent = `Talks to ${c.label} with a short-lived token the server mints; the page never sees the key.`;
  }
  if (c.emulated) {
    el.toolHintText.replaceChildren('The emulator runs a tool when you type ', code('call <tool> <json>'), '. Try one:');
    el.chips.hidden = false;
  } else {
    el.toolHintText.textContent = 'Ask for the time, a dice roll or some arithmetic: the model calls the demo tools.';
    el.chips.hidden = true;
  }
  el.replyHint.textContent =
    replyMode() === 'audio' && voice && !voice.supported
      ? 'This browser cannot use the microphone here (it needs HTTPS or localhost): replies still play, type your messages.'
      : '';
  el.replyHint.hidden = !el.replyHint.textContent;
}

function code(text) {
  const c = document.createElement('code');
  c.textContent = text;
  return c;
}

// ---------------------------------------------------------------------------------------------
// Connecting
// ---------------------------------------------------------------------------------------------

/** Emulator knobs from the page URL (`?emu_speed=4`), added to the emulator's WebSocket URL. */
function withEmulatorKnobs(wsUrl) {
  const u = new URL(wsUrl);
  for (const [k, v] of params) if (k.startsWith('emu_')) u.searchParams.set(k, v);
  return u.toString();
}

async function fetchToken(c) {
  const q = new URLSearchParams({ provider: c.provider });
  if (c.emulated) q.set('emulator', '1');
  let res;
  try {
    res = await fetch(`/token?${q}`, { method: 'POST' });
  } catch (err) {
    throw new Error(`the dev server did not answer /token (${messageOf(err)})`);
  }
  const body = await res.json().catch(() => ({}));
  if (!res.ok || typeof body.token !== 'string') throw new Error(body.error ?? `/token answered HTTP ${res.status}`);
  return { token: body.token, url: c.emulated ? withEmulatorKnobs(body.url) : body.url };
}

function connectOptions(c) {
  const logLevel = params.get('log');
  return {
    instructions: INSTRUCTIONS,
    outputModalities: [replyMode()],
    tools: demoTools,
    functionInvocation: { includeDetailedErrors: true },
    logLevel: LOG_LEVELS.has(logLevel) ? logLevel : 'off',
    ...voice.connectOptions(c.provider),
  };
}

async function connect() {
  if (!sdk || current) return;
  clearError();
  const c = choice();
  const gen = ++generation;
  setStatus('connecting');

  let client;
  try {
    client = new sdk.RealtimeClient({ provider: c.provider, token: () => fetchToken(c) });
  } catch (err) {
    setStatus('closed');
    showError(`Could not set up ${c.label}`, messageOf(err));
    return;
  }

  let session;
  try {
    session = await client.connect(connectOptions(c));
  } catch (err) {
    if (gen !== generation) return; // the user gave up meanwhile
    setStatus('closed');
    showError(`Could not connect to ${c.label}`, messageOf(err));
    return;
  } finally {
    client.free();
  }
  if (gen !== generation) {
    session.close().catch(() => {});
    return;
  }

  current = { session, choice: c, userClosing: false };
  wire(session);
  if (session.state === 'closed') {
    // It closed before the listeners were on: nothing will tell us again.
    showError(`The connection to ${c.label} closed right after opening`, 'Try again.');
    ended(session);
    return;
  }
  transcript.divider(`${c.label} · connected ${new Date().toLocaleTimeString()}`);
  setStatus(session.state);
  voice.attach(session);
  el.input.focus();
}

async function disconnect() {
  generation++;
  const conn = current;
  if (!conn) {
    setStatus('closed');
    return;
  }
  conn.userClosing = true;
  try {
    await conn.session.close();
  } catch (err) {
    showError('Disconnecting failed', messageOf(err), { action: null });
  }
  ended(conn.session);
}

async function reconnect() {
  clearError();
  if (current) await disconnect();
  await connect();
}

/** The session is over (closed by us, by the server, or failed): back to idle. Idempotent. */
function ended(session) {
  if (!current || current.session !== session) return;
  current = null;
  reconnectingSince = null;
  stopResponding();
  transcript.endSession();
  latency.reset();
  inputMeter.set(0);
  outputMeter.set(0);
  voice.detach();
  setStatus('closed');
}

// ---------------------------------------------------------------------------------------------
// Session events
// ---------------------------------------------------------------------------------------------

function wire(session) {
  const mine = (fn) => (m) => {
    if (current?.session === session) fn(m);
  };
  const on = (type, fn) => session.on(type, mine(fn));

  // While the session reconnects it is `connecting`: shown as reconnecting until `reconnected`.
  on('stateChange', (e) => setStatus(e.state === 'connecting' && reconnectingSince !== null ? 'reconnecting' : e.state));
  on('reconnecting', (e) => {
    reconnectingSince ??= performance.now();
    setStatus('reconnecting');
    stopResponding();
    const when = e.delayMs === undefined ? 'waiting for the network' : e.delayMs > 0 ? `in ${(e.delayMs / 1000).toFixed(1)} s` : 'now';
    transcript.notice(`Connection lost (${e.reason}) — reconnecting, attempt ${e.attempt}, ${when}`, 'reconnecting');
  });
  on('reconnected', () => {
    const took = reconnectingSince === null ? '' : ` after ${((performance.now() - reconnectingSince) / 1000).toFixed(1)} s`;
    reconnectingSince = null;
    setStatus(session.state);
    transcript.notice(`Reconnected${took} — the conversation goes on`, 'reconnected');
  });
  session.on('close', (e) => {
    const conn = current;
    if (!conn || conn.session !== session) return;
    if (!conn.userClosing) {
      const why = closeReason(e);
      if (!el.error.hidden && errorAction === null) {
        // An error explained it already: keep that text, offer the way back.
        showError(el.errorTitle.textContent, `${el.errorDetail.textContent} (connection closed, ${why})`);
      } else {
        showError(`The connection to ${conn.choice.label} closed unexpectedly`, why);
      }
    }
    ended(session);
  });
  on('error', (m) => {
    const info = m.error ?? {};
    const detail = [info.message, info.code && `(${info.code})`].filter(Boolean).join(' ');
    const title = m.source === 'sdk' ? 'The SDK reported an error' : 'The server reported an error';
    showError(title, detail || 'No details were given.', { action: session.state === 'open' ? null : { label: 'Reconnect', run: reconnect } });
  });

  on('responseCreated', (m) => setResponding(m.responseId, true));
  on('responseDone', (m) => {
    setResponding(m.responseId, false);
    transcript.responseDone(m);
    if (m.status === 'failed') showError('The reply failed', messageOf(m.error) || m.statusReason || '', { action: null });
  });

  on('outputTextDelta', (m) => {
    transcript.assistantDelta(m, { modality: 'text' });
  });
  on('outputAudioTranscriptionDelta', (m) => {
    transcript.assistantDelta(m, { modality: 'audio' });
  });
  on('metrics', (m) => latency.metrics(m));

  on('inputAudioBufferSpeechStarted', (m) => transcript.userSpeechStarted(m.itemId));
  on('inputAudioBufferCommitted', (m) => transcript.userSpeechCommitted(m.itemId));
  on('inputAudioTranscriptionDelta', (m) => transcript.userTranscription('delta', m.itemId, m.transcription));
  on('inputAudioTranscriptionCompleted', (m) => transcript.userTranscription('completed', m.itemId, m.transcription));
  on('inputAudioTranscriptionFailed', (m) => transcript.userTranscription('failed', m.itemId));

  on('toolCallStarted', (e) => toolLog.started(e));
  on('toolCallCompleted', (e) => toolLog.completed(e));

  // The SDK's audio engine: meters, the voice-turn latency, barge-in figures.
  on('inputLevel', (e) => {
    inputMeter.set(e.level);
    if (!session.muted) latency.inputLevel(e.level);
  });
  on('outputLevel', (e) => outputMeter.set(e.level));
  on('interrupted', (e) => {
    if (transcript.interrupted(e.itemId, e)) latency.interrupted(e);
  });
  on('playbackBlocked', () =>
    showError('The browser is holding the reply audio', 'Press Resume audio (browsers play sound only after a click on the page).', {
      action: { label: 'Resume audio', run: () => session.resumeAudio().then(clearError, (err) => showError('Audio could not resume', messageOf(err), { action: null })) },
    }),
  );
}

// ---------------------------------------------------------------------------------------------
// The composer and the rest of the page
// ---------------------------------------------------------------------------------------------

async function sendText(event) {
  event.preventDefault();
  const text = el.input.value.trim();
  const session = current?.session;
  // While reconnecting (`connecting` again) the SDK holds the message until the session is back.
  if (!text || !session || !(session.state === 'open' || (session.state === 'connecting' && reconnectingSince !== null))) return;
  el.input.value = '';
  transcript.userText(text);
  latency.textSent();
  try {
    await session.sendText(text);
  } catch (err) {
    showError('The message could not be sent', messageOf(err));
  }
}

function interrupt() {
  const session = current?.session;
  if (!session) return;
  try {
    session.interrupt();
  } catch (err) {
    showError('Stopping the reply failed', messageOf(err), { action: null });
    return;
  }
  // Gemini is not told (it cuts nothing on its side): the rest of the reply still arrives, unheard.
  // Mark the reply cut now; the SDK's `interrupted` event adds how much was heard.
  transcript.interrupted(null);
  stopResponding();
}

async function replyModeChanged() {
  updateHints();
  const session = current?.session;
  if (!session) return;
  if (session.provider === 'gemini') {
    el.replyHint.textContent = 'This provider fixes the reply type when it connects: reconnect to apply it.';
    el.replyHint.hidden = false;
    return;
  }
  try {
    await session.update({ outputModalities: [replyMode()] });
  } catch (err) {
    showError('Could not change the reply type', messageOf(err), { action: null });
  }
}

async function loadConfig() {
  let real = { openai: false, gemini: false };
  try {
    const res = await fetch('/config');
    if (res.ok) real = { ...real, ...(await res.json()).realProviders };
  } catch {
    // An older server without /config: real providers stay disabled.
  }
  const missing = [];
  for (const [value, c] of Object.entries(CHOICES)) {
    if (c.emulated) continue;
    const option = el.provider.querySelector(`option[value="${value}"]`);
    const ok = Boolean(real[c.provider]);
    option.disabled = !ok;
    option.textContent = ok ? c.label : `${c.label} — needs ${c.key} on the server`;
    if (!ok) missing.push(c.key);
  }
  if (missing.length) {
    el.realHint.replaceChildren(
      'Real providers: start the server with ',
      ...missing.flatMap((k, i) => (i ? [' or ', code(k)] : [code(k)])),
      ' set (for example ',
      code(`${missing[0]}=… make demo`),
      ').',
    );
    el.realHint.hidden = false;
  }
}

async function main() {
  el.composer.addEventListener('submit', sendText);
  el.connect.addEventListener('click', () => connect());
  el.disconnect.addEventListener('click', () => disconnect());
  el.interrupt.addEventListener('click', interrupt);
  el.reconnect.addEventListener('click', () => errorAction?.run());
  el.dismissError.addEventListener('click', clearError);
  el.clear.addEventListener('click', () => transcript.clear());
  el.provider.addEventListener('change', updateHints);
  for (const r of document.querySelectorAll('input[name="reply-mode"]')) r.addEventListener('change', replyModeChanged);
  window.addEventListener('pagehide', () => {
    if (current) {
      current.userClosing = true;
      current.session.close().catch(() => {});
    }
  });
  document.addEventListener('keydown', (e) => {
    if (e.key === 'Escape' && activeResponses.size > 0) interrupt();
  });
  for (const example of toolExamples) {
    const chip = document.createElement('button');
    chip.type = 'button';
    chip.className = 'chip';
    chip.textContent = example;
    chip.disabled = true;
    chip.addEventListener('click', () => {
      el.input.value = example;
      el.input.focus();
    });
    el.chips.append(chip);
  }
  animate(() => {
    inputMeter.tick();
    outputMeter.tick();
  });

  setStatus('closed');
  el.connect.disabled = true;
  el.connect.textContent = 'Loading…';
  const config = loadConfig();
  try {
    sdk = await import('/pkg/realtime_wasm.js');
    await sdk.default();
    el.version.textContent = sdk.version();
  } catch (err) {
    el.version.textContent = 'not loaded';
    showError('The SDK package did not load', `${messageOf(err)}. Build it with \`make demo\` (it serves pkg/ at /pkg/).`, {
      action: { label: 'Reload', run: () => location.reload() },
    });
    await config;
    return;
  }
  voice = new VoiceControls({
    supported: browserCanCapture(),
    onError: (title, err) => showError(title, messageOf(err), { action: null }),
    onSpeechEnd: () => latency.speechEnded(),
    autoStart: params.get('mic') !== 'off',
  });
  el.emptyVoiceHint.hidden = !voice.supported;
  await config;
  updateHints();
  setStatus('closed');
  document.documentElement.dataset.ready = 'true';
}

main();
