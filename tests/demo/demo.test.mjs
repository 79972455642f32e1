// The demo page end to end: www/index.html + www/demo/*.mjs + the built pkg/, in headless Debian
// Chromium (playwright-core), against the emulator started in-process with no provider keys.
//
// Shown: the page loads the SDK and carries every data-testid hook; with emulated OpenAI a typed
// message streams its reply into the transcript, a `call <tool> <json>` runs a JS tool handler
// (tool log + reply), a long voice reply raises the output meter and Stop barges in (the reply is
// marked interrupted), the page survives a dropped connection (Reconnect), and Disconnect is clean;
// model text is rendered as text; no console errors or unhandled rejections on any page.
// The voice and Gemini parts follow what the built SDK offers: with the audio API the fake
// microphone drives a spoken turn; without it the mic control must be disabled with its hint.
// With Gemini in the SDK the same conversation runs against the emulated Gemini; without it the
// page must say "not yet supported by this SDK build" and recover to emulated OpenAI.
// A screenshot mid-conversation (desktop and phone) goes to test-output/demo/.
//
// Run: node --test tests/demo/*.test.mjs   (needs pkg/ built, `npm ci`, /usr/bin/chromium)

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
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
/** Which SDK features this pkg/ build has (read in the page once). */
let features;

/** A 16-bit mono WAV: a 0.9 s voiced burst then 2.1 s of silence (looped by Chromium's fake mic). */
function speechLikeWav(file) {
  const rate = 48000;
  const samples = rate * 3;
  const data = Buffer.alloc(samples * 2);
  for (let i = 0; i < samples; i++) {
    const t = i / rate;
    const on = t < 0.9 ? Math.min(1, t / 0.02, (0.9 - t) / 0.02) : 0;
    const v = on * 0.45 * (Math.sin(2 * Math.PI * 220 * t) + 0.5 * Math.sin(2 * Math.PI * 440 * t)) / 1.5;
    data.writeInt16LE(Math.round(v * 32767), i * 2);
  }
  const h = Buffer.alloc(44);
  h.write('RIFF', 0);
  h.writeUInt32LE(36 + data.length, 4);
  h.write('WAVEfmt ', 8);
  h.writeUInt32LE(16, 16);
  h.writeUInt16LE(1, 20);
  h.writeUInt16LE(1, 22);
  h.writeUInt32LE(rate, 24);
  h.writeUInt32LE(rate * 2, 28);
  h.writeUInt16LE(2, 32);
  h.writeUInt16LE(16, 34);
  h.write('data', 36);
  h.writeUInt32LE(data.length, 40);
  fs.writeFileSync(file, Buffer.concat([h, data]));
}

before(async () => {
  // pkg/ may be mid-rebuild (build-pkg replaces it): give it a moment before calling it missing.
  const files = ['realtime_wasm.js', 'realtime_wasm_bg.wasm'].map((f) => path.join(REPO, 'pkg', f));
  for (let i = 0; i < 60 && !files.every((f) => fs.existsSync(f)); i++) await new Promise((r) => setTimeout(r, 500));
  for (const f of files) assert.ok(fs.existsSync(f), `${path.relative(REPO, f)} is missing: build the package first (make demo)`);
  fs.mkdirSync(OUT, { recursive: true });
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'rtw-demo-'));
  const wav = path.join(tmp, 'speech.wav');
  speechLikeWav(wav);
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
  const page = await openPage();
  features = await page.evaluate(async () => {
    const sdk = await import('/pkg/realtime_wasm.js');
    await sdk.default();
    let gemini = true;
    try {
      new sdk.RealtimeClient({ provider: 'gemini', token: async () => '' }).free();
    } catch {
      gemini = false;
    }
    return { audio: typeof sdk.RealtimeSession?.prototype?.startMicrophone === 'function', gemini, version: sdk.version() };
  });
  await closePage(page);
  console.log(`SDK ${features.version}: audio API ${features.audio ? 'present' : 'absent'}, Gemini ${features.gemini ? 'supported' : 'not supported'}`);
});

after(async () => {
  await context?.close();
  await srv?.close();
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

/** Opens the demo. `?mic=off`: an audio-capable SDK build must not start the fake mic in text tests. */
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

/** Types a message with the keyboard and sends it with Enter. */
async function say(page, text) {
  const input = byId(page, 'text-input');
  await input.fill(text);
  await input.press('Enter');
}

/** Waits for the nth (0-based) assistant turn to contain `text` and stop streaming; returns its text. */
async function assistantReply(page, n, text) {
  const turn = page.locator('[data-testid="transcript"] [data-role="assistant"]').nth(n);
  await turn.filter({ hasText: text }).waitFor({ timeout: 10_000 });
  await page.waitForFunction((i) => !document.querySelectorAll('[data-testid="transcript"] [data-role="assistant"]')[i].dataset.streaming, n, { timeout: 10_000 });
  return turn.locator('.turn-text').textContent();
}

function setReplies(page, mode) {
  return page.locator(`label[for="reply-${mode}"]`).click();
}

/** The text-turn conversation both providers must hold: reply streaming, a tool call, HTML as text. */
async function textConversation(page, { replyPrefix }) {
  await say(page, 'Hello from the demo test');
  const first = await assistantReply(page, 0, 'Hello from the demo test');
  assert.match(first, replyPrefix);
  const user = page.locator('[data-testid="transcript"] [data-role="user"]').first();
  assert.equal((await user.locator('.turn-text').textContent()).trim(), 'Hello from the demo test');
  const latency = Number(await byId(page, 'latency-text').getAttribute('data-ms'));
  assert.ok(latency >= 0 && latency < 5000, `text-turn latency is shown (${latency} ms)`);

  await say(page, 'call roll_dice {"sides": 6}');
  const call = byId(page, 'tool-log').locator('[data-name="roll_dice"][data-status="done"]').first();
  await call.waitFor({ timeout: 10_000 });
  const rolled = JSON.parse(await call.locator('.tool-line').last().locator('code').textContent());
  assert.equal(rolled.sides, 6);
  assert.ok(rolled.total >= 1 && rolled.total <= 6, `a d6 roll (${rolled.total})`);
  const reply = await assistantReply(page, 1, 'roll_dice');
  assert.ok(reply.includes(`"total":${rolled.total}`), `the reply quotes the tool result: ${reply}`);
  return { latency };
}

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
  await byId(page, 'disconnect').click();
  await waitStatus(page, 'closed');
  await closePage(page);
});

test('emulated OpenAI: streamed reply, tool call, output level, barge-in, disconnect', { timeout: TIMEOUT }, async (t) => {
  const page = await openPage();
  await connect(page, 'emulated-openai', { replies: 'text' });
  assert.equal(await byId(page, 'send').isEnabled(), true);

  let latency;
  await t.test('a typed message gets a streamed reply; a `call` runs a JS tool handler', async () => {
    ({ latency } = await textConversation(page, { replyPrefix: /^You said: Hello from the demo test$/ }));
    // More text turns for a steadier latency figure.
    for (const [i, word] of ['alpha', 'beta', 'gamma'].entries()) {
      await say(page, word);
      await assistantReply(page, 2 + i, `You said: ${word}`);
    }
    const shown = await byId(page, 'latency-text').textContent();
    console.log(`text-turn latency against the emulator: ${shown.replace(/\s+/g, ' ').trim()} (first ${latency} ms)`);
  });

  await t.test('the calculator and clock tools run too; a bad expression is a visible tool error', async () => {
    await say(page, 'call calculate {"expression": "(2 + 3) * 4"}');
    await assistantReply(page, 5, 'The tool calculate returned');
    assert.match(await page.locator('[data-testid="transcript"] [data-role="assistant"]').nth(5).textContent(), /"result":20/);
    await say(page, 'call calculate {"expression": "alert(1)"}');
    const failed = byId(page, 'tool-log').locator('[data-name="calculate"][data-status="error"]');
    await failed.waitFor({ timeout: 10_000 });
    assert.match(await failed.textContent(), /unknown name "alert"/);
    await assistantReply(page, 6, 'The tool calculate returned');
    await say(page, 'call current_time {"timeZone": "UTC"}');
    await byId(page, 'tool-log').locator('[data-name="current_time"][data-status="done"]').waitFor({ timeout: 10_000 });
    await assistantReply(page, 7, 'The tool current_time returned');
  });

  await t.test('model and user text are rendered as text, never as HTML', async () => {
    const html = '<img src=x onerror="window.__pwned=1"><b>bold</b>';
    await say(page, html);
    const reply = await assistantReply(page, 8, '<b>bold</b>');
    assert.equal(reply, `You said: ${html}`);
    assert.equal(await byId(page, 'transcript').locator('img, b').count(), 0);
    assert.equal(await page.evaluate(() => window.__pwned), undefined);
  });

  await t.test('a long voice reply raises the output level; Stop barges in and marks it interrupted', async () => {
    await setReplies(page, 'audio');
    // ~60 words: about 13 s of synthetic voice at real-time pacing, so Stop lands mid-reply even on a busy machine.
    const words =
      'Please tell me a long story about the old lighthouse keeper who lived alone on a rocky island, counted the ships ' +
      'that passed each evening, wrote letters to a sister far away, kept the great lamp burning through every storm, ' +
      'and one winter night saw a strange light moving across the water toward the shore, then walked down to say goodnight';
    await say(page, words);
    const turn = page.locator('[data-testid="transcript"] [data-role="assistant"]').nth(9);
    await turn.filter({ hasText: 'You said: Please tell me' }).waitFor({ timeout: 10_000 });
    await page.waitForFunction(() => Number(document.querySelector('[data-testid="output-level"]').dataset.level) > 0.2, null, { timeout: 5000 });
    const desktop = path.join(OUT, 'conversation-desktop.png');
    await page.screenshot({ path: desktop }); // mid-conversation: a voice reply streaming, its level up
    console.log(`screenshot: ${desktop}`);
    await byId(page, 'interrupt').waitFor({ state: 'visible' });
    await byId(page, 'interrupt').click();
    await page.waitForFunction(() => [...document.querySelectorAll('[data-testid="transcript"] [data-role="assistant"]')].at(-1).dataset.interrupted === 'true', null, { timeout: 5000 });
    const gap = await page.locator('#transcript').evaluate((el) => el.scrollHeight - el.scrollTop - el.clientHeight);
    assert.ok(gap < 32, `the transcript follows the newest line (${gap} px below the view)`);
    const cut = await turn.locator('.turn-text').textContent();
    assert.match(cut, /interrupted$/, 'the cut is marked where the text stopped');
    assert.ok(!cut.includes('goodnight'), `the reply was cut before its end: ${cut}`);
    assert.equal(await byId(page, 'interrupt').isHidden(), true, 'Stop hides once nothing is playing');
    await page.waitForFunction(() => document.querySelector('[data-testid="output-level"]').dataset.level === '0', null, { timeout: 5000 });
    // Earlier replies are not marked.
    assert.equal(await page.locator('[data-testid="transcript"] [data-interrupted="true"]').count(), 1);
  });

  await t.test('on a 390 px phone the page fits the width (screenshot after the barge-in)', async () => {
    assert.equal(await page.locator('.transcript-empty').isHidden(), true, 'the empty-state note is gone');
    await page.setViewportSize({ width: 390, height: 844 });
    await page.locator('#transcript').evaluate((el) => (el.scrollTop = el.scrollHeight));
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, `no horizontal scrolling on a 390 px phone (overflow ${overflow} px)`);
    const phone = path.join(OUT, 'conversation-phone.png');
    await page.screenshot({ path: phone, fullPage: true });
    await page.setViewportSize({ width: 1280, height: 860 });
    console.log(`screenshot: ${phone}`);
  });

  await t.test('Disconnect closes cleanly: state closed, no error, input disabled', async () => {
    await byId(page, 'disconnect').click();
    await waitStatus(page, 'closed');
    assert.equal(await byId(page, 'error').isHidden(), true);
    assert.equal(await byId(page, 'text-input').isDisabled(), true);
    assert.equal(await byId(page, 'connect').isEnabled(), true);
  });
  await closePage(page);
});

test('a dropped connection shows an error with Reconnect, which gets the page talking again', { timeout: TIMEOUT }, async () => {
  // The emulator drops TCP (1006) after its 4th frame: session.created, session.updated, then the first turn.
  const page = await openPage('?mic=off&emu_close_after=4');
  await connect(page, 'emulated-openai', { replies: 'text' });
  await say(page, 'are you there');
  await byId(page, 'error').waitFor({ state: 'visible', timeout: 10_000 });
  assert.match(await byId(page, 'error').textContent(), /closed unexpectedly.*1006/s);
  assert.equal(await status(page), 'closed');
  await byId(page, 'reconnect').click();
  await waitStatus(page, 'open');
  assert.equal(await byId(page, 'error').isHidden(), true, 'the error clears on reconnect');
  await byId(page, 'disconnect').click();
  await waitStatus(page, 'closed');
  await closePage(page);
});

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
  await byId(page, 'disconnect').click();
  await waitStatus(page, 'closed');
  // Chromium logs the refused fetch itself; that one is expected.
  await closePage(page, { expected: [/Failed to load resource: .*502/] });
});

test('voice: the mic control follows the SDK build (audio API present → spoken turn; absent → disabled with hint)', { timeout: TIMEOUT }, async () => {
  const page = await openPage('?emu_speed=2');
  const mic = byId(page, 'mic');
  if (!features.audio) {
    // Pending work (the audio issue): until the SDK has startMicrophone, the control must say so.
    await connect(page);
    assert.equal(await mic.isDisabled(), true, 'mic disabled without the SDK audio API');
    const hintId = await mic.getAttribute('aria-describedby');
    const hint = await page.locator(`#${hintId}`).textContent();
    assert.match(hint, /audio support/i, `the hint explains why: ${hint}`);
    assert.equal(await page.locator('#mic-device').isDisabled(), true);
    assert.equal(await page.locator('#turn-ptt').isDisabled(), true);
    assert.equal(await byId(page, 'input-level').getAttribute('data-level'), '0');
    await byId(page, 'disconnect').click();
    await waitStatus(page, 'closed');
    await closePage(page);
    return;
  }
  // The SDK has audio: Connect starts the microphone, and the fake one (a looping 0.9 s voiced
  // burst, then silence) speaks.
  await setReplies(page, 'audio');
  await connect(page);
  assert.equal(await mic.isEnabled(), true);
  await page.waitForFunction(() => document.querySelector('[data-testid="mic"]').getAttribute('aria-pressed') === 'true', null, { timeout: 5000 });
  await page.waitForFunction(() => Number(document.querySelector('[data-testid="input-level"]').dataset.level) > 0.1, null, { timeout: 10_000 });
  await page.locator('[data-testid="transcript"] [data-role="user"]').first().waitFor({ timeout: 10_000 });
  await page.locator('[data-testid="transcript"] [data-role="assistant"]').filter({ hasText: '[echo' }).first().waitFor({ timeout: 15_000 });
  await page.waitForFunction(() => Number(document.querySelector('[data-testid="output-level"]').dataset.level) > 0.1, null, { timeout: 10_000 });
  await page.waitForFunction(() => document.querySelector('[data-testid="latency-speech"]').dataset.ms !== undefined, null, { timeout: 10_000 });
  console.log(`voice-turn latency against the emulator: ${(await byId(page, 'latency-speech').textContent()).replace(/\s+/g, ' ').trim()}`);
  await mic.click();
  await page.waitForFunction(() => document.querySelector('[data-testid="mic"]').getAttribute('aria-pressed') === 'false', null, { timeout: 5000 });
  await byId(page, 'disconnect').click();
  await waitStatus(page, 'closed');
  await closePage(page);
});

test('emulated Gemini follows the SDK build (supported → the same conversation; not yet → clear error and recovery)', { timeout: TIMEOUT }, async () => {
  const page = await openPage();
  if (features.gemini) {
    await connect(page, 'emulated-gemini', { replies: 'text' });
    await textConversation(page, { replyPrefix: /Hello from the demo test/ });
    await byId(page, 'disconnect').click();
    await waitStatus(page, 'closed');
    await closePage(page);
    return;
  }
  // Pending work (the Gemini issue): until then the choice must fail clearly and recoverably.
  await byId(page, 'provider').selectOption('emulated-gemini');
  assert.match(await page.locator('#provider-hint').textContent(), /not yet supported/);
  await byId(page, 'connect').click();
  const error = byId(page, 'error');
  await error.waitFor({ state: 'visible', timeout: 5000 });
  assert.match(await error.textContent(), /Emulated Gemini is not yet supported by this SDK build/);
  assert.equal(await status(page), 'closed');
  assert.equal(await byId(page, 'connect').isEnabled(), true, 'Connect stays usable');
  await byId(page, 'reconnect').click(); // "Use emulated OpenAI"
  await waitStatus(page, 'open');
  assert.equal(await byId(page, 'provider').inputValue(), 'emulated-openai');
  assert.equal(await error.isHidden(), true);
  await byId(page, 'disconnect').click();
  await waitStatus(page, 'closed');
  await closePage(page);
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
    await assistantReply(page, 0, 'You said: still emulated');
    await byId(page, 'disconnect').click();
    await waitStatus(page, 'closed');
    await closePage(page);
  } finally {
    await keyed.close();
  }
});
