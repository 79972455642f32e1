// The demo's DOM-free modules in Node: the tools (the calculator never evaluates code, dice stay in
// range, the clock honours a time zone), the latency marks and the meters.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { calculate, rollDice, currentTime, demoTools, toolExamples, MAX_EXPRESSION } from '../../www/demo/tools.mjs';
import { Latency, formatMs } from '../../www/demo/latency.mjs';
import { Meter, STALE_MS } from '../../www/demo/meters.mjs';

test('calculate: arithmetic, precedence, functions, constants', () => {
  const cases = {
    '(2 + 3) * 4': 20,
    '2 + 3 * 4': 14,
    '2 ^ 3 ^ 2': 512,
    '2 ** 10': 1024,
    '-2 ^ 2': -4,
    '2 ^ -1': 0.5,
    '10 % 3': 1,
    '7 / 2': 3.5,
    '0.1 + 0.2': 0.3,
    'sqrt(16) + abs(-3)': 7,
    'round(pi * 100) / 100': 3.14,
    '2e3 + .5': 2000.5,
    '6 × 7 − 2 ÷ 2': 41,
    'floor(ln(e ^ 2))': 2,
  };
  for (const [expr, want] of Object.entries(cases)) assert.equal(calculate(expr), want, expr);
});

test('calculate: refuses anything that is not arithmetic, with a readable reason', () => {
  const bad = {
    'alert(1)': /unknown name "alert"/,
    'constructor': /unknown name/,
    '__proto__': /unknown name/,
    'Math.PI': /unexpected "\."/,
    '1; 2': /unexpected ";"/,
    '"a"': /unexpected/,
    '(1 + 2': /expected "\)"/,
    '1 +': /unexpected end/,
    '1 / 0': /division by zero/,
    'sqrt(-1)': /not a finite number/,
    '': /non-empty/,
    [`1${'+1'.repeat(MAX_EXPRESSION)}`]: /longer than/,
  };
  for (const [expr, why] of Object.entries(bad)) assert.throws(() => calculate(expr), why, expr);
  assert.throws(() => calculate(undefined), /non-empty string/);
});

test('roll_dice: defaults, ranges, totals; bad arguments are errors', () => {
  for (let i = 0; i < 200; i++) {
    const { rolls, total, sides } = rollDice({ sides: 6, count: 3 });
    assert.equal(sides, 6);
    assert.equal(rolls.length, 3);
    assert.ok(rolls.every((r) => Number.isInteger(r) && r >= 1 && r <= 6));
    assert.equal(total, rolls[0] + rolls[1] + rolls[2]);
  }
  assert.deepEqual(Object.keys(rollDice({})), ['sides', 'rolls', 'total']);
  assert.equal(rollDice({}).sides, 6);
  assert.throws(() => rollDice({ sides: 1 }), /sides must be an integer from 2 to 1000/);
  assert.throws(() => rollDice({ sides: 6, count: 21 }), /count/);
  assert.throws(() => rollDice({ sides: '6' }), /sides/);
});

test('current_time: ISO instant, the zone asked for, a bad zone is an error', () => {
  const at = new Date('2026-01-02T03:04:05Z');
  const r = currentTime({ timeZone: 'Asia/Tokyo' }, at);
  assert.equal(r.iso, '2026-01-02T03:04:05.000Z');
  assert.equal(r.timeZone, 'Asia/Tokyo');
  assert.match(r.local, /12:04:05/);
  assert.throws(() => currentTime({ timeZone: 'Not/AZone' }, at), RangeError);
});

test('the declared tools have handlers and schemas; every hint example calls one of them', () => {
  const names = demoTools.map((t) => t.name);
  assert.deepEqual(names, ['current_time', 'roll_dice', 'calculate']);
  for (const t of demoTools) {
    assert.equal(typeof t.handler, 'function');
    assert.equal(t.parameters.type, 'object');
    assert.ok(t.description.length > 10);
  }
  for (const ex of toolExamples) {
    const m = /^call (\S+) (\{.*\})$/.exec(ex);
    assert.ok(m, ex);
    const tool = demoTools.find((t) => t.name === m[1]);
    assert.ok(tool, `${ex} names a demo tool`);
    tool.handler(JSON.parse(m[2]), { signal: new AbortController().signal });
  }
  assert.deepEqual(demoTools[2].handler({ expression: '1+1' }), { expression: '1+1', result: 2 });
});

/** Just enough DOM for latency.mjs / meters.mjs: elements with dataset, text and children. */
function fakeEl() {
  return {
    dataset: {},
    attrs: {},
    style: { setProperty() {} },
    children: [],
    setAttribute(k, v) {
      this.attrs[k] = v;
    },
    replaceChildren(...c) {
      this.children = c;
    },
    get text() {
      return this.children.map((c) => c.textContent).join('');
    },
  };
}
globalThis.document ??= { createElement: () => ({ textContent: '', className: '' }) };

test('latency: end of speech from the input level, first reply audio from the output level', () => {
  let now = 0;
  const els = { text: fakeEl(), speech: fakeEl(), bargeIn: fakeEl() };
  const l = new Latency({ ...els, now: () => now });
  // A typed turn: send at 0, first output at 120 ms.
  l.textSent();
  now = 120;
  l.assistantOutput();
  assert.equal(els.text.dataset.ms, '120');
  // Speech from 1000 to 1900 ms (30 Hz levels), then silence; the reply is heard at 2500 ms.
  for (now = 1000; now <= 1900; now += 33) l.inputLevel(0.7, now);
  const lastVoiced = now - 33;
  for (; now < 2500; now += 33) l.inputLevel(0, now);
  l.outputLevel(0.01); // below REPLY_LEVEL: not yet heard
  assert.equal(els.speech.dataset.ms, undefined);
  now = 2500;
  l.outputLevel(0.6);
  assert.equal(els.speech.dataset.ms, String(2500 - lastVoiced));
  l.outputLevel(0.6);
  assert.equal(l.speech.samples.length, 1, 'one figure per turn');
  // A click (40 ms over the threshold) is not speech.
  for (const t of [3000, 3033]) l.inputLevel(0.9, t);
  for (now = 3066; now < 3400; now += 33) l.inputLevel(0, now);
  l.outputLevel(0.6);
  assert.equal(l.speech.samples.length, 1);
  // Push to talk: the release is the end of speech.
  now = 5000;
  l.speechEnded();
  now = 5300;
  l.outputLevel(0.5);
  assert.equal(els.speech.dataset.ms, '300');
  assert.match(els.speech.text, /300 ms median \d+ ms over 2/);
  // A cut reply voids a pending text round trip; the barge-in figures are shown.
  l.textSent();
  l.cancelled();
  now = 6000;
  l.assistantOutput();
  assert.equal(l.text.samples.length, 1);
  l.interrupted({ heardMs: 1234.4, receivedMs: 4000, outputLatencyMs: 31.6 });
  assert.equal(els.bargeIn.dataset.heardMs, '1234');
  assert.match(els.bargeIn.text, /heard 1\.23 s of 4\.00 s received · output latency 32 ms/);
  assert.equal(formatMs(480), '480 ms');
});

test('meter: fast attack, smooth release, and a stale level falls to zero', () => {
  let now = 0;
  const el = fakeEl();
  const m = new Meter(el, () => now);
  m.set(0.8);
  m.tick();
  assert.equal(el.dataset.level, '0.8');
  now = 20;
  m.set(0.4);
  m.tick();
  assert.ok(Number(el.dataset.level) < 0.8 && Number(el.dataset.level) > 0.4, 'falls back smoothly');
  now = 20 + STALE_MS + 1; // the SDK stopped reporting (playback ended)
  for (let i = 0; i < 60; i++) m.tick();
  assert.equal(el.dataset.level, '0');
});
