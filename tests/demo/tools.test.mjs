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

test('latency: the SDK\'s metrics fill the figure of the input they answer', () => {
  const els = { text: fakeEl(), speech: fakeEl(), playback: fakeEl(), bargeIn: fakeEl() };
  const l = new Latency(els);
  // A typed turn: the text figure is send → first frame.
  l.textSent();
  l.metrics({ status: 'completed', inputToFirstFrameMs: 120, inputToAudioMs: 300, underruns: 0, playedMs: 0 });
  assert.equal(els.text.dataset.ms, '120');
  assert.equal(els.speech.dataset.ms, undefined);
  // The follow-up of a tool call has no input figures: nothing recorded.
  l.metrics({ status: 'completed', underruns: 0, playedMs: 0 });
  assert.equal(l.text.samples.length, 1);
  // Speech (a level over the threshold) makes the next report a voice turn's: end of speech → first audio.
  l.inputLevel(0.1);
  assert.equal(l.lastInput, 'text', 'quiet levels are not speech');
  l.inputLevel(0.7);
  l.metrics({ status: 'completed', inputToFirstFrameMs: 200, inputToAudioMs: 450, underruns: 2, playedMs: 2100, buffer: { minMs: 0, avgMs: 41.6, maxMs: 80 } });
  assert.equal(els.speech.dataset.ms, '450');
  assert.equal(els.playback.dataset.underruns, '2');
  assert.match(els.playback.text, /2 underruns in 2\.10 s · buffer 0–80 ms \(avg 42\)/);
  // A cut reply gives no figure; push to talk is a voice turn.
  l.metrics({ status: 'cancelled', inputToAudioMs: 50, underruns: 0, playedMs: 10 });
  assert.equal(l.speech.samples.length, 1);
  l.textSent();
  l.speechEnded();
  l.metrics({ status: 'completed', inputToAudioMs: 300, underruns: 0, playedMs: 900 });
  assert.equal(els.speech.dataset.ms, '300');
  assert.match(els.speech.text, /300 ms median \d+ ms over 2/);
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
