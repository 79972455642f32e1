// The demo page end to end: www/index.html + www/demo/*.mjs + the built pkg/, in headless Debian
// Chromium (playwright-core), against the emulator started in-process with no provider keys.
//
// Shown, for each emulated provider (OpenAI and Gemini, the same steps): connect; a typed message
// streams its reply; `call <tool> <json>` runs a JS tool handler (tool log + reply quoting it);
// the fake microphone (Chromium playing a sentence espeak-ng spoke at test time) makes a voice
// turn: the user's turn, the echo reply, the output meter rising while the echo plays and the
// voice-turn latency; Stop barges in on a long voice reply (marked interrupted, with how much was
// heard); speaking over a long reply barges in too; push to talk gets exactly one reply per
// release; Disconnect is clean. Model text is rendered as text; a dropped connection shows
// reconnecting and keeps the transcript (the conversation goes on, on both providers); an error
// close and a failed token request are visible errors with Reconnect; no console errors or unhandled rejections on
// any page. Screenshots mid-conversation (desktop and phone, per provider) go to test-output/demo/;
// the measured latencies are printed at the end.
//
// Run: node --test tests/demo/*.test.mjs   (needs pkg/ built, `npm ci`, /usr/bin/chromium, espeak-ng)

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { execFileSync } from 'node:child_process';
import { chromium } from 'playwright-core';
import { startServer } from '../../www/server.mjs';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const OUT = path.join(REPO, 'test-output', 'demo');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const TIMEOUT = 30_000;

let srv;
let context;
let tmp;
/** Per-page problems: console errors, page errors, unhandled rejections. */
const problems = new Map();
/** Length of the fake microphone's sentence, s. */
let spokenS;
/** Measured latencies per provider, printed at the end. */
const measured = {};

/** What the fake microphone says (espeak-ng, at test time). */
const SPOKEN = 'Could you tell me the time please';
/** The fake microphone's file: 0.3 s of silence, the sentence, silence up to LOOP_S (Chromium loops it). */
const LOOP_S = 6;

/** Speaks SPOKEN with espeak-ng and writes it padded as a 16-bit mono WAV; returns the speech length (s). */
function spokenWav(file, dir) {
  const raw = path.join(dir, 'espeak.wav');
  execFileSync('espeak-ng', ['-v', 'en-us', '-s', '165', '-w', raw, SPOKEN]);
  const wav = fs.readFileSync(raw);
  // espeak-ng writes a canonical 44-byte header (PCM16 mono); find the data chunk anyway.
  let off = 12;
  let rate = 22050;
  let data;
  while (off + 8 <= wav.length) {
    const id = wav.toString('ascii', off, off + 4);
    let size = wav.readUInt32LE(off + 4);
    if (id === 'fmt ') rate = wav.readUInt32LE(off + 12);
    if (id === 'data') {
      if (size === 0 || off + 8 + size > wav.length) size = wav.length - off - 8; // streamed header
      data = wav.subarray(off + 8, off + 8 + size);
      break;
    }
    off += 8 + size + (size & 1);
  }
  assert.ok(data && data.length > rate, 'espeak-ng produced speech');
  const lead = Math.round(rate * 0.3) * 2;
  const total = Math.max(rate * LOOP_S * 2, lead + data.length + rate * 2);
  const pcm = Buffer.alloc(total);
  data.copy(pcm, lead);
  const h = Buffer.alloc(44);
  h.write('RIFF', 0);
  h.writeUInt32LE(36 + pcm.length, 4);
  h.write('WAVEfmt ', 8);
  h.writeUInt32LE(16, 16);
  h.writeUInt16LE(1, 20);
  h.writeUInt16LE(1, 22);
  h.writeUInt32LE(rate, 24);
  h.writeUInt32LE(rate * 2, 28);
  h.writeUInt16LE(2, 32);
  h.writeUInt16LE(16, 34);
  h.write('data', 36);
  h.writeUInt32LE(pcm.length, 40);
  fs.writeFileSync(file, Buffer.concat([h, pcm]));
  return data.length / 2 / rate;
}

before(async () => {
  // pkg/ may be mid-rebuild (build-pkg replaces it): give it a moment before calling it missing.
  const files = ['realtime_wasm.js', 'realtime_wasm_bg.wasm'].map((f) => path.join(REPO, 'pkg', f));
  for (let i = 0; i < 120 && !files.every((f) => fs.existsSync(f)); i++) await new Promise((r) => setTimeout(r, 500));
  for (const f of files) assert.ok(fs.existsSync(f), `${path.relative(REPO, f)} is missing: build the package first (make demo)`);
  fs.mkdirSync(OUT, { recursive: true });
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'rtw-demo-'));
  const wav = path.join(tmp, 'speech.wav');
  spokenS = spokenWav(wav, tmp);
  // env: {} — real provider keys in the environment must never be used by tests.
  srv = await startServer({ port: 0, quiet: true, env: {} });
  context = await chromium.launchPersistentContext(path.join(tmp, 'profile'), {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 1280, height: 860 },
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--use-fake-ui-for-media-stream',
      '--use-fake-device-for-media-stream',
      `--use-file-for-fake-audio-capture=${wav}`,
      '--autoplay-policy=no-user-gesture-required',
    ],
  });
  await context.grantPermissions(['microphone'], { origin: srv.url });
});

after(async () => {
  await context?.close();
  await srv?.close();
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  for (const [provider, m] of Object.entries(measured)) {
    console.log(
      `latency against the emulator (${provider}): text turn ${m.text} ms (median ${m.textMedian} ms over ${m.textCount}); ` +
        `end of speech → first reply audio ${m.speech} ms; last barge-in heard ${m.heardMs} ms of ${m.receivedMs} ms received`,
    );
  }
});

/** Opens the demo. `?mic=off`: the microphone stays off until a test turns it on. */
async function openPage(query = '?mic=off', { viewport } = {}) {
  const page = await context.newPage();
  if (viewport) await page.setViewportSize(viewport);
  const list = [];
  problems.set(page, list);
  page.on('console', (m) => {
    if (m.type() === 'error') list.push(`console.error: ${m.text()}`);
  });
  page.on('pageerror', (e) => list.push(`page error: ${e.message}`));
  await page.addInitScript(() => {
    window.addEventListener('unhandledrejection', (e) => console.error(`unhandled rejection: ${e.reason?.stack ?? e.reason}`));
    // Which URL each worklet module came from (Playwright does not report worklet fetches).
    window.__workletLoads = [];
    const add = AudioWorklet.prototype.addModule;
    AudioWorklet.prototype.addModule = function (url, ...rest) {
      const where = String(url).startsWith('blob:') ? 'blob:' : new URL(url, location.href).pathname;
      return add.call(this, url, ...rest).then((v) => { window.__workletLoads.push(`ok ${where}`); return v; },
        (e) => { window.__workletLoads.push(`failed ${where}`); throw e; });
    };
  });
  await page.goto(`${srv.url}/${query}`);
  await page.waitForSelector('html[data-ready="true"]', { timeout: 15_000 });
  return page;
}

/**
 * Closes a page and asserts it logged no console errors, page errors or unhandled rejections
 * (`expected`: patterns of errors the test provoked on purpose).
 */
async function closePage(page, { expected = [] } = {}) {
  await page.close();
  const left = problems.get(page).filter((p) => !expected.some((re) => re.test(p)));
  assert.deepEqual(left, [], 'the page logged errors');
  problems.delete(page);
}

const byId = (page, id) => page.getByTestId(id);
const status = (page) => byId(page, 'status').textContent();
const assistants = (page) => page.locator('[data-testid="transcript"] [data-role="assistant"]');
const users = (page) => page.locator('[data-testid="transcript"] [data-role="user"]');

async function waitStatus(page, state) {
  await page.waitForFunction((s) => document.querySelector('[data-testid="status"]').textContent === s, state, { timeout: 10_000 });
}

async function connect(page, provider = 'emulated-openai', { replies } = {}) {
  await byId(page, 'provider').selectOption(provider);
  if (replies) await setReplies(page, replies); // before connecting: Gemini fixes it at setup
  await byId(page, 'connect').click();
  await waitStatus(page, 'open');
  assert.equal(await byId(page, 'error').isHidden(), true, 'no error after connecting');
}

async function disconnect(page) {
  await byId(page, 'disconnect').click();
  await waitStatus(page, 'closed');
  assert.equal(await byId(page, 'error').isHidden(), true, 'no error after disconnecting');
}

/** Types a message with the keyboard and sends it with Enter. */
async function say(page, text) {
  const input = byId(page, 'text-input');
  await input.fill(text);
  await input.press('Enter');
}

/**
 * Waits for an assistant turn containing `text` to finish streaming; returns its text. `index`: the
 * turn's position (the assistant count before the turn was asked for) — without it the last turn,
 * which may still be the previous reply when that one also contains `text` (an echo after an echo).
 */
async function assistantReply(page, text, { timeout = 15_000, index } = {}) {
  const turn = index === undefined ? assistants(page).last() : assistants(page).nth(index);
  await turn.filter({ hasText: text }).waitFor({ timeout });
  await page.waitForFunction((i) => {
    const all = document.querySelectorAll('[data-testid="transcript"] [data-role="assistant"]');
    return !all[i ?? all.length - 1].dataset.streaming;
  }, index, { timeout });
  return turn.locator('.turn-text').textContent();
}

function setReplies(page, mode) {
  return page.locator(`label[for="reply-${mode}"]`).click();
}

const level = (page, id) => byId(page, id).getAttribute('data-level').then(Number);

async function waitLevel(page, id, above, timeout = 10_000) {
  await page.waitForFunction(([i, a]) => Number(document.querySelector(`[data-testid="${i}"]`).dataset.level) > a, [id, above], { timeout });
}

async function setMic(page, on) {
  const mic = byId(page, 'mic');
  assert.equal(await mic.isEnabled(), true, 'the mic control is usable in a session');
  if ((await mic.getAttribute('aria-pressed')) !== String(on)) await mic.click();
  await page.waitForFunction((v) => document.querySelector('[data-testid="mic"]').getAttribute('aria-pressed') === v, String(on), { timeout: 5000 });
}

/**
 * Records, in the page, the highest output level shown while an assistant turn containing `text`
 * is streaming (sampled every animation frame). Read it back with `peakDuring(page)`.
 */
function watchOutputDuring(page, text) {
  return page.evaluate((t) => {
    window.__peak = 0;
    const sample = () => {
      const live = [...document.querySelectorAll('[data-testid="transcript"] [data-role="assistant"][data-streaming]')].some((li) => li.textContent.includes(t));
      if (live) window.__peak = Math.max(window.__peak, Number(document.querySelector('[data-testid="output-level"]').dataset.level));
      requestAnimationFrame(sample);
    };
    requestAnimationFrame(sample);
  }, text);
}
const peakDuring = (page) => page.evaluate(() => window.__peak);
const interruptedCount = (page) => page.locator('[data-testid="transcript"] [data-interrupted="true"]').count();

/** The long prompt Stop and speech cut short: its spoken reply lasts well over 20 s. */
const STORY =
  'Please tell me a long story about the old lighthouse keeper who lived alone on a rocky island, counted the ships ' +
  'that passed each evening, wrote letters to a sister far away, kept the great lamp burning through every storm, ' +
  'mended his nets by candlelight, fed the gulls that nested under the stairs, read the same three books every winter, ' +
  'watched the fog roll in from the north, listened to the bell buoy ringing in the dark, and one winter night saw a ' +
  'strange light moving across the water toward the shore, then walked down to the harbour to say goodnight';

test('the page loads the SDK and carries every hook; real providers are disabled with a hint', { timeout: TIMEOUT }, async () => {
  const page = await openPage();
  assert.match(await byId(page, 'version').textContent(), /^\d+\.\d+\.\d+/);
  for (const id of ['provider', 'connect', 'disconnect', 'mic', 'text-input', 'send', 'transcript', 'status', 'input-level', 'output-level', 'tool-log', 'latency', 'error']) {
    assert.equal(await byId(page, id).count(), 1, `data-testid="${id}"`);
  }
  assert.equal(await status(page), 'closed');
  assert.equal(await byId(page, 'error').isHidden(), true);
  for (const id of ['input-level', 'output-level']) assert.equal(await byId(page, id).getAttribute('data-level'), '0');
  // Labelled controls (keyboard and screen-reader users find them by name).
  assert.equal(await page.getByLabel('Provider').getAttribute('data-testid'), 'provider');
  assert.equal(await page.getByLabel('Message').getAttribute('data-testid'), 'text-input');
  // Before a session: the mic waits for Connect; turn taking and device choice can be set.
  assert.equal(await byId(page, 'mic').isDisabled(), true);
  assert.equal(await page.locator('#turn-ptt').isEnabled(), true);
  assert.equal(await page.locator('#mic-device').isEnabled(), true);
  assert.match(await page.locator('#mic-hint').textContent(), /Connect, then start the microphone/);
  // Instant barge-in (the SDK's on-device detection): a labelled switch, on by default.
  const localBargeIn = page.getByLabel('Instant barge-in');
  assert.equal(await localBargeIn.getAttribute('data-testid'), 'local-barge-in');
  assert.equal(await localBargeIn.isEnabled(), true);
  assert.equal(await localBargeIn.isChecked(), true);

  const options = await byId(page, 'provider').locator('option').evaluateAll((os) => os.map((o) => ({ value: o.value, disabled: o.disabled, text: o.textContent })));
  assert.deepEqual(options.map((o) => o.value), ['emulated-openai', 'emulated-gemini', 'openai', 'gemini']);
  assert.deepEqual(options.map((o) => o.disabled), [false, false, true, true], 'no keys on this server: real providers disabled');
  assert.match(options[2].text, /OPENAI_API_KEY/);
  assert.match(options[3].text, /GEMINI_API_KEY/);
  assert.match(await page.locator('#real-hint').textContent(), /OPENAI_API_KEY.*GEMINI_API_KEY/);

  // The keyboard path: Provider → Replies → Connect, in document order.
  await byId(page, 'provider').focus();
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement.name), 'reply-mode');
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement.dataset.testid), 'connect');
  await page.keyboard.press('Enter');
  await waitStatus(page, 'open');
  assert.equal(await page.evaluate(() => document.activeElement.dataset.testid), 'text-input', 'focus moves to the message box');
  await disconnect(page);
  await closePage(page);
});

for (const [provider, label] of [
  ['emulated-openai', 'OpenAI'],
  ['emulated-gemini', 'Gemini'],
]) {
  const gemini = provider === 'emulated-gemini';
  // What each emulator answers (README "Dev server and protocol emulator").
  const youSaid = (text) => (gemini ? `You said: ${JSON.stringify(text)}` : `You said: ${text}`);
  const short = label.toLowerCase();

  test(`emulated ${label}: typed turns, tool calls, voice turn, output level, spoken and Stop barge-in, disconnect`, { timeout: 60_000 }, async (t) => {
    const page = await openPage('?mic=off');
    const m = (measured[label] = {});

    await t.test('text replies: a typed message streams its reply', async () => {
      await connect(page, provider, { replies: 'text' });
      await say(page, 'Hello from the demo test');
      const reply = await assistantReply(page, 'Hello from the demo test');
      assert.ok(reply.startsWith(youSaid('Hello from the demo test')), reply);
      assert.equal((await users(page).first().locator('.turn-text').textContent()).trim(), 'Hello from the demo test');
      assert.equal(await users(page).first().locator('.turn-badge').textContent(), 'typed');
      const ms = Number(await byId(page, 'latency-text').getAttribute('data-ms'));
      assert.ok(ms >= 0 && ms < 5000, `text-turn latency is shown (${ms} ms)`);
    });

    await t.test('`call <tool> <json>` runs the JS handlers: tool log, and the reply quotes the result', async () => {
      await say(page, 'call roll_dice {"sides": 6}');
      const call = byId(page, 'tool-log').locator('[data-name="roll_dice"][data-status="done"]').first();
      await call.waitFor({ timeout: 10_000 });
      const rolled = JSON.parse(await call.locator('.tool-line').last().locator('code').textContent());
      assert.equal(rolled.sides, 6);
      assert.ok(rolled.total >= 1 && rolled.total <= 6, `a d6 roll (${rolled.total})`);
      const reply = await assistantReply(page, 'roll_dice');
      assert.ok(reply.includes(`"total":${rolled.total}`), `the reply quotes the tool result: ${reply}`);

      await say(page, 'call calculate {"expression": "(2 + 3) * 4"}');
      await byId(page, 'tool-log').locator('[data-name="calculate"][data-status="done"]').waitFor({ timeout: 10_000 });
      assert.match(await assistantReply(page, 'calculate'), /"result":20/);
      await say(page, 'call calculate {"expression": "alert(1)"}');
      const failed = byId(page, 'tool-log').locator('[data-name="calculate"][data-status="error"]');
      await failed.waitFor({ timeout: 10_000 });
      assert.match(await failed.textContent(), /unknown name "alert"/);
      assert.match(await assistantReply(page, 'alert'), /calculate/, 'the model is told what failed');
    });

    await t.test('model and user text are rendered as text, never as HTML', async () => {
      const html = '<img src=x onerror="window.__pwned=1"><b>bold</b>';
      await say(page, html);
      const reply = await assistantReply(page, '<b>bold</b>');
      assert.ok(reply.startsWith(youSaid(html)), reply);
      assert.equal(await byId(page, 'transcript').locator('img, b').count(), 0);
      assert.equal(await page.evaluate(() => window.__pwned), undefined);
      // More text turns for a steadier latency figure.
      for (const word of ['alpha', 'beta']) {
        await say(page, word);
        await assistantReply(page, word);
      }
      const text = byId(page, 'latency-text');
      m.text = Number(await text.getAttribute('data-ms'));
      const median = (await text.textContent()).match(/median (\d+) ms over (\d+)/);
      assert.ok(median, 'the text-turn figure shows a median');
      m.textMedian = Number(median[1]);
      m.textCount = Number(median[2]);
      await disconnect(page);
    });

    await t.test('voice replies: the fake microphone speaks — user turn, echo reply, output level up while it plays', async () => {
      await connect(page, provider, { replies: 'audio' });
      const before = { users: await users(page).count(), assistants: await assistants(page).count() };
      await watchOutputDuring(page, '[echo');
      await setMic(page, true);
      await waitLevel(page, 'input-level', 0.3);
      // The user's voice turn, transcribed by the emulator as its length.
      const voiceTurn = users(page).nth(before.users);
      await voiceTurn.filter({ hasText: /\[(heard|speech) \d+\.\d+ s\]/ }).waitFor({ timeout: 10_000 });
      assert.equal(await voiceTurn.locator('.turn-badge').textContent(), 'voice');
      // The echo: the emulator plays the utterance back.
      const echo = await assistantReply(page, '[echo', { index: before.assistants });
      const echoS = Number(echo.match(/\[echo (\d+\.\d+) s\]/)[1]);
      assert.ok(Math.abs(echoS - spokenS) < 0.6, `the echo is the utterance (${echoS} s; espeak-ng spoke ${spokenS.toFixed(2)} s)`);
      assert.equal(await assistants(page).count(), before.assistants + 1);
      assert.equal(await users(page).count(), before.users + 1);
      await page.waitForFunction(() => document.querySelector('[data-testid="latency-speech"]').dataset.ms !== undefined, null, { timeout: 10_000 });
      const peak = await peakDuring(page);
      assert.ok(peak > 0.3, `the output level rose while the echo played (peak ${peak})`);
      m.speech = Number(await byId(page, 'latency-speech').getAttribute('data-ms'));
      assert.ok(m.speech > 0 && m.speech < 3000, `voice-turn latency ${m.speech} ms`);
      await setMic(page, false);
      for (const id of ['input-level', 'output-level']) await page.waitForFunction((i) => document.querySelector(`[data-testid="${i}"]`).dataset.level === '0', id, { timeout: 10_000 });
      // The worklet came from the package, beside the module (what bundlers emit as an asset), not a blob: URL.
      const loads = await page.evaluate(() => window.__workletLoads);
      assert.deepEqual([...new Set(loads)], ['ok /pkg/worklets/realtime-audio.js'], JSON.stringify(loads));
    });

    await t.test('the mic turned off mid-sentence ends the turn: transcribed and answered, never left "Speaking…"', async () => {
      const before = { users: await users(page).count(), assistants: await assistants(page).count() };
      await setMic(page, true);
      await waitLevel(page, 'input-level', 0.3);
      await page.waitForTimeout(800); // well inside the sentence
      await setMic(page, false);
      const turn = users(page).nth(before.users);
      await turn.filter({ hasText: /\[(heard|speech) \d+\.\d+ s\]/ }).waitFor({ timeout: 10_000 });
      // Answered although the sentence never ended (the SDK committed the turn at the stop; the
      // browser tests check the commit on the wire).
      const echo = await assistantReply(page, '[echo', { index: before.assistants });
      assert.match(echo, /\[echo \d+\.\d+ s\]/, 'the cut turn is answered');
      assert.equal(await users(page).count(), before.users + 1, 'one user turn');
      assert.equal(await assistants(page).count(), before.assistants + 1, 'one reply');
      const texts = await users(page).allTextContents();
      assert.ok(!texts.some((text) => text.includes('Speaking…')), `no turn left open: ${JSON.stringify(texts)}`);
    });

    await t.test('speaking over a long reply interrupts it; the spoken turn gets its own reply', async () => {
      const before = { users: await users(page).count(), interrupted: await interruptedCount(page) };
      await say(page, STORY);
      const turn = assistants(page).last();
      await turn.filter({ hasText: 'Please tell' }).waitFor({ timeout: 10_000 });
      await waitLevel(page, 'output-level', 0.3, 5000);
      await setMic(page, true); // the fake microphone talks over the reply
      await page.waitForFunction(() => [...document.querySelectorAll('[data-testid="transcript"] [data-role="assistant"]')].filter((li) => li.textContent.includes('Please tell')).at(-1).dataset.heardMs !== undefined, null, { timeout: 10_000 });
      assert.equal(await turn.getAttribute('data-interrupted'), 'true');
      assert.ok(!(await turn.locator('.turn-text').textContent()).includes('goodnight'), 'cut before its end');
      const heard = Number(await turn.getAttribute('data-heard-ms'));
      assert.ok(heard > 0 && heard <= Number(await turn.getAttribute('data-received-ms')), `heard ${heard} ms`);
      // The typed story, then the speech (one turn, transcribed), then the echo.
      await users(page).nth(before.users + 1).filter({ hasText: /\[(heard|speech) / }).waitFor({ timeout: 10_000 });
      await assistantReply(page, '[echo');
      await setMic(page, false);
      assert.equal(await users(page).count(), before.users + 2);
      assert.equal(await interruptedCount(page), before.interrupted + 1);
      await page.waitForFunction(() => document.querySelector('[data-testid="output-level"]').dataset.level === '0', null, { timeout: 10_000 });
    });

    await t.test('Stop barges in on a long voice reply: marked interrupted where it was cut, with what was heard', async () => {
      const before = await interruptedCount(page);
      await say(page, STORY);
      const turn = assistants(page).last();
      await turn.filter({ hasText: 'Please tell' }).waitFor({ timeout: 10_000 });
      await waitLevel(page, 'output-level', 0.3, 5000);
      await page.waitForTimeout(700); // some of it heard
      const desktop = path.join(OUT, `conversation-desktop-${short}.png`);
      await page.screenshot({ path: desktop }); // mid-conversation: a voice reply streaming, its level up
      console.log(`screenshot: ${desktop}`);
      await byId(page, 'interrupt').click();
      await page.waitForFunction(() => [...document.querySelectorAll('[data-testid="transcript"] [data-role="assistant"]')].at(-1).dataset.heardMs !== undefined, null, { timeout: 5000 });
      assert.equal(await turn.getAttribute('data-interrupted'), 'true');
      // The SDK's figures: heard ≤ received, both positive.
      const heard = Number(await turn.getAttribute('data-heard-ms'));
      const received = Number(await turn.getAttribute('data-received-ms'));
      assert.ok(heard > 300 && heard <= received, `heard ${heard} ms of ${received} ms`);
      const cut = await turn.locator('.turn-text').textContent();
      assert.match(cut, /interrupted · heard \d+\.\d s of \d+\.\d s$/, 'the cut is marked where the text stopped');
      assert.ok(!cut.includes('goodnight'), `the reply was cut before its end: ${cut}`);
      assert.match(await byId(page, 'latency-barge-in').textContent(), /heard .* of .* received/);
      Object.assign(m, { heardMs: heard, receivedMs: received });
      assert.equal(await byId(page, 'interrupt').isHidden(), true, 'Stop hides once nothing is playing');
      await page.waitForFunction(() => document.querySelector('[data-testid="output-level"]').dataset.level === '0', null, { timeout: 5000 });
      await page.waitForTimeout(300); // what the server still sends is not shown (Gemini is not told)
      assert.equal(await turn.locator('.turn-text').textContent(), cut, 'the cut reply stays as it was');
      const gap = await page.locator('#transcript').evaluate((el) => el.scrollHeight - el.scrollTop - el.clientHeight);
      assert.ok(gap < 32, `the transcript follows the newest line (${gap} px below the view)`);
      assert.equal(await interruptedCount(page), before + 1, 'only the cut reply is marked');
    });

    await t.test(`on a 390 px phone the page fits the width (screenshot)`, async () => {
      await page.setViewportSize({ width: 390, height: 844 });
      await page.locator('#transcript').evaluate((el) => (el.scrollTop = el.scrollHeight));
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      assert.ok(overflow <= 0, `no horizontal scrolling on a 390 px phone (overflow ${overflow} px)`);
      const phone = path.join(OUT, `conversation-phone-${short}.png`);
      await page.screenshot({ path: phone, fullPage: true });
      await page.setViewportSize({ width: 1280, height: 860 });
      console.log(`screenshot: ${phone}`);
    });

    await t.test('Disconnect closes cleanly: state closed, no error, controls idle', async () => {
      await disconnect(page);
      assert.equal(await byId(page, 'text-input').isDisabled(), true);
      assert.equal(await byId(page, 'mic').isDisabled(), true);
      assert.equal(await byId(page, 'connect').isEnabled(), true);
      assert.equal(await byId(page, 'interrupt').isHidden(), true);
      for (const id of ['input-level', 'output-level']) await page.waitForFunction((i) => document.querySelector(`[data-testid="${i}"]`).dataset.level === '0', id, { timeout: 5000 });
    });
    await closePage(page);
  });

  test(`emulated ${label}: push to talk on another microphone — one turn, exactly one reply per release`, { timeout: TIMEOUT }, async () => {
    const tag = `demo-ptt-${short}-${process.pid}-${Date.now()}`;
    const page = await openPage(`?mic=off&emu_tag=${tag}`);
    await page.locator('label[for="turn-ptt"]').click();
    await connect(page, provider, { replies: 'audio' });
    await setMic(page, true);
    // Device choice: the fake devices are listed once permission is granted; pick a non-default one.
    await page.waitForFunction(() => document.querySelector('#mic-device').options.length > 1, null, { timeout: 5000 });
    const devices = await page.locator('#mic-device option').evaluateAll((os) => os.map((o) => ({ value: o.value, label: o.textContent })));
    const other = devices.at(-1);
    await page.locator('#mic-device').selectOption(other.value);
    assert.equal(await page.locator('#mic-device').inputValue(), other.value);
    const ptt = byId(page, 'ptt');
    await ptt.waitFor({ state: 'visible' });
    assert.equal(await ptt.isEnabled(), true);
    // Muted until held: the microphone runs (its meter moves) but nothing starts a turn.
    await waitLevel(page, 'input-level', 0.3, 10_000);
    await page.waitForFunction(() => document.querySelector('[data-testid="input-level"]').dataset.level === '0', null, { timeout: 10_000 });
    assert.equal(await users(page).count(), 0, 'nothing is sent while the button is not held');
    // Hold while the fake microphone says its sentence (from its onset), then release.
    await ptt.hover();
    await waitLevel(page, 'input-level', 0.3, LOOP_S * 1000 + 2000);
    await page.mouse.down();
    assert.equal(await ptt.textContent(), 'Release to send');
    await page.waitForTimeout(spokenS * 1000 + 400);
    await page.mouse.up();
    await assistantReply(page, '[echo', { timeout: 15_000 });
    await page.waitForTimeout(700); // a second reply would have been asked for by now
    assert.equal(await assistants(page).count(), 1, 'one reply per release');
    assert.equal(await users(page).count(), 1, 'one user turn');
    assert.ok(Number(await byId(page, 'latency-speech').getAttribute('data-ms')) >= 0, 'release → first reply audio measured');
    const rec = await (await fetch(`${srv.url}/emulator/recordings/${tag}`)).json();
    const got = rec.events_received;
    if (gemini) {
      assert.equal(got['realtimeInput.activityStart'], 1, JSON.stringify(got));
      assert.equal(got['realtimeInput.activityEnd'], 1, JSON.stringify(got));
      assert.equal(got.clientContent ?? 0, 0, `no extra turn asked for: ${JSON.stringify(got)}`);
      assert.equal(got.sessionUpdate ?? 0, 0);
    } else {
      assert.equal(got['input_audio_buffer.commit'], 1, JSON.stringify(got));
      assert.equal(got['response.create'], 1, `exactly one response asked for: ${JSON.stringify(got)}`);
    }
    // Switching back to voice activity mid-session: OpenAI reconfigures; Gemini says to reconnect
    // (its configuration is fixed at setup: no update() is sent).
    await page.locator('label[for="turn-vad"]').click();
    if (gemini) {
      await page.locator('#mic-hint').filter({ hasText: /disconnect and connect again/ }).waitFor({ timeout: 5000 });
    } else {
      await page.waitForTimeout(500);
    }
    assert.equal(await byId(page, 'error').isHidden(), true, 'no error from the mode switch');
    await disconnect(page);
    const after = (await (await fetch(`${srv.url}/emulator/recordings/${tag}`)).json()).events_received;
    if (gemini) assert.equal(Object.keys(after).filter((k) => /update/i.test(k)).length, 0, JSON.stringify(after));
    else assert.ok(after['session.update'] >= 2, `the VAD switch reached OpenAI: ${JSON.stringify(after)}`);
    await fetch(`${srv.url}/emulator/recordings/${tag}`, { method: 'DELETE' });
    await closePage(page);
  });
}

test('the package used before init() says what to call', { timeout: TIMEOUT }, async () => {
  const page = await context.newPage();
  await page.goto(`${srv.url}/pkg/README.md`);
  const message = await page.evaluate(async () => {
    const m = await import('/pkg/realtime_wasm.js');
    try { new m.RealtimeClient({ provider: 'openai', token: 't' }); return 'no error'; } catch (e) { return e.message; }
  });
  assert.match(message, /not initialised: call `await init\(\)`/);
  await page.close();
});

test('a connection closed with an error shows it with Reconnect, which gets the page talking again', { timeout: TIMEOUT }, async () => {
  // The emulator closes with 1011 (an error close: not resumed) after its 4th frame: session.created,
  // session.updated, then the first turn.
  const page = await openPage('?mic=off&emu_close_after=4&emu_close_code=1011');
  await connect(page, 'emulated-openai', { replies: 'text' });
  await say(page, 'are you there');
  await byId(page, 'error').waitFor({ state: 'visible', timeout: 10_000 });
  assert.match(await byId(page, 'error').textContent(), /1011/);
  assert.equal(await status(page), 'closed');
  await byId(page, 'reconnect').click();
  await waitStatus(page, 'open');
  assert.equal(await byId(page, 'error').isHidden(), true, 'the error clears on reconnect');
  await disconnect(page);
  await closePage(page);
});

for (const provider of ['emulated-openai', 'emulated-gemini']) {
  test(`${provider}: a dropped connection shows reconnecting, keeps the transcript, and the conversation goes on`, { timeout: TIMEOUT }, async () => {
    // Every connection drops (1006) right after its second turn; the SDK resumes on a new one.
    const page = await openPage('?mic=off&emu_close_after_turns=2');
    // The status while reconnecting, as the page showed it (it lasts a few hundred ms).
    await page.evaluate(() => {
      window.__statuses = [];
      const el = document.querySelector('[data-testid="status"]');
      new MutationObserver(() => window.__statuses.push(el.textContent)).observe(el, { childList: true, characterData: true, subtree: true });
    });
    await connect(page, provider, { replies: 'text' });
    await say(page, 'remember the word marmalade');
    await assistantReply(page, 'marmalade');
    await say(page, 'thank you');
    await assistantReply(page, 'thank you');
    const reconnected = page.locator('[data-testid="transcript"] [data-notice="reconnected"]');
    await reconnected.waitFor({ timeout: 10_000 });
    const reconnecting = page.locator('[data-testid="transcript"] [data-notice="reconnecting"]');
    assert.match(await reconnecting.first().textContent(), /Connection lost .*reconnecting, attempt 1/);
    assert.ok((await page.evaluate(() => window.__statuses)).includes('reconnecting…'), 'the status showed it');
    await waitStatus(page, 'open');
    assert.equal(await byId(page, 'error').isHidden(), true, 'a resumed drop is not an error');
    // The transcript is kept, and the server still knows the first turn.
    assert.equal(await users(page).count(), 2);
    assert.match(await users(page).first().textContent(), /marmalade/);
    await say(page, 'recap');
    const recap = await assistantReply(page, 'So far you said');
    assert.match(recap, /marmalade/);
    assert.equal(await users(page).count(), 3);
    await disconnect(page);
    await closePage(page);
  });
}

test('a failed token request is a visible error; Reconnect recovers once the server mints again', { timeout: TIMEOUT }, async () => {
  const page = await openPage();
  const refusal = 'OpenAI refused to mint a client secret (HTTP 401): Incorrect API key provided';
  await page.route('**/token?**', (route) => route.fulfill({ status: 502, contentType: 'application/json', body: JSON.stringify({ error: refusal }) }));
  await byId(page, 'connect').click();
  const error = byId(page, 'error');
  await error.waitFor({ state: 'visible', timeout: 10_000 });
  assert.match(await error.textContent(), /Could not connect to Emulated OpenAI/);
  assert.ok((await error.textContent()).includes(refusal), 'the server’s reason is shown');
  assert.equal(await status(page), 'closed');
  await page.unroute('**/token?**');
  await byId(page, 'reconnect').click();
  await waitStatus(page, 'open');
  assert.equal(await error.isHidden(), true);
  await disconnect(page);
  // Chromium logs the refused fetch itself; that one is expected.
  await closePage(page, { expected: [/Failed to load resource: .*502/] });
});

test('with a key on the server the real provider is offered, and the emulated choice still uses the emulator', { timeout: TIMEOUT }, async () => {
  // A fake key: only /config and the option state are looked at; nothing is minted with it.
  const keyed = await startServer({ port: 0, quiet: true, env: { OPENAI_API_KEY: 'sk-test-not-a-real-key' } });
  try {
    const config = await (await fetch(`${keyed.url}/config`)).json();
    assert.deepEqual(config, { realProviders: { openai: true, gemini: false } });
    assert.ok(!JSON.stringify(config).includes('sk-test'), 'the key never leaves the server');
    const emulated = await (await fetch(`${keyed.url}/token?provider=openai&emulator=1`, { method: 'POST' })).json();
    assert.match(emulated.token, /^ek_emu_/);
    assert.ok(emulated.url.startsWith(keyed.wsUrl), `emulator URL: ${emulated.url}`);

    const page = await context.newPage();
    problems.set(page, []);
    page.on('pageerror', (e) => problems.get(page).push(e.message));
    await page.goto(`${keyed.url}/?mic=off`);
    await page.waitForSelector('html[data-ready="true"]');
    const disabled = await byId(page, 'provider').locator('option').evaluateAll((os) => Object.fromEntries(os.map((o) => [o.value, o.disabled])));
    assert.deepEqual(disabled, { 'emulated-openai': false, 'emulated-gemini': false, openai: false, gemini: true });
    await byId(page, 'provider').selectOption('openai');
    assert.match(await page.locator('#provider-hint').textContent(), /short-lived token/);
    await connect(page, 'emulated-openai', { replies: 'text' }); // through /token?emulator=1: the fake key is not used
    await say(page, 'still emulated');
    await assistantReply(page, 'You said: still emulated');
    await disconnect(page);
    await closePage(page);
  } finally {
    await keyed.close();
  }
});
