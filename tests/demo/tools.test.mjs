// The demo's DOM-free modules in Node: the tools (the calculator never evaluates code, dice stay in
// range, the clock honours a time zone) and the output-level estimate from PCM16.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { calculate, rollDice, currentTime, demoTools, toolExamples, MAX_EXPRESSION } from '../../www/demo/tools.mjs';
import { pcm16Rms, levelOfRms, PlaybackLevel } from '../../www/demo/levels.mjs';

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

function pcm(values) {
  const bytes = new Uint8Array(values.length * 2);
  const view = new DataView(bytes.buffer);
  values.forEach((v, i) => view.setInt16(i * 2, v, true));
  return bytes;
}

test('levels: PCM16 RMS, the dB meter scale, and levels scheduled on a playback clock', () => {
  assert.equal(pcm16Rms(pcm([0, 0, 0])), 0);
  assert.ok(Math.abs(pcm16Rms(pcm([16384, -16384])) - 0.5) < 1e-9);
  assert.equal(levelOfRms(0), 0);
  assert.equal(levelOfRms(1), 1);
  assert.ok(Math.abs(levelOfRms(0.1) - 2 / 3) < 1e-9, '−20 dBFS is two thirds up');
  assert.equal(levelOfRms(0.0001), 0, 'below −60 dBFS is silence');

  let now = 1000;
  const p = new PlaybackLevel({ sampleRate: 1000, windowMs: 100, now: () => now });
  // Two chunks arrive at once (a burst): 200 ms loud, then 200 ms silent, played back to back.
  assert.equal(p.push(pcm(new Array(200).fill(16384))), 200);
  p.push(pcm(new Array(200).fill(0)));
  assert.ok(p.levelAt(1050) > 0.8, 'loud while the first chunk plays');
  assert.ok(p.levelAt(1150) > 0.8);
  assert.equal(p.levelAt(1250), 0, 'silent while the second chunk plays');
  assert.ok(p.playing(1350));
  assert.equal(p.playing(1400), false);
  now = 2000;
  p.push(pcm(new Array(100).fill(16384)));
  p.clear();
  assert.equal(p.levelAt(2050), 0, 'barge-in clears what was scheduled');
});
