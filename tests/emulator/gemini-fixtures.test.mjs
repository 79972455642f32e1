// Gemini Live emulation against the REAL recorded traffic in
// ../shared/fixtures/gemini-live-recorded (read at run time, never copied):
//  * every recorded server frame is byte-identical to what the emulator's
//    wire encoder produces for the same message (pretty JSON + newline);
//  * replaying each recording's client frames into the emulator yields server
//    frames with the same structure (the set of key paths of each recorded
//    frame appears in an emulator frame), including the real microphone audio
//    being detected as one utterance by the automatic activity detection.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { encodeServerMessage } from '../../www/emulator/gemini/wire.mjs';
import { emulator, stopEmulator, mintToken, connect, V1BETA, sleep } from './gemini-harness.mjs';

after(stopEmulator);

const DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../shared/fixtures/gemini-live-recorded');

function parseLog(text) {
  const frames = [];
  const re = /^([<>])(\d+) /gm;
  const starts = [];
  let m;
  while ((m = re.exec(text))) starts.push({ dir: m[1], n: Number(m[2]), at: m.index, body: m.index + m[0].length });
  starts.forEach((s, i) => {
    const end = i + 1 < starts.length ? starts[i + 1].at : text.length;
    const body = text.slice(s.body, end).replace(/\n+$/, '');
    frames.push({ dir: s.dir === '>' ? 'c2s' : 's2c', n: s.n, text: body, msg: JSON.parse(body) });
  });
  return frames;
}

/** Key paths of a message: arrays collapse to [] and leaves end the path. */
function keyPaths(v, prefix = '', out = new Set()) {
  if (Array.isArray(v)) {
    for (const x of v) keyPaths(x, `${prefix}[]`, out);
  } else if (v && typeof v === 'object') {
    for (const [k, x] of Object.entries(v)) keyPaths(x, prefix ? `${prefix}.${k}` : k, out);
  } else {
    out.add(prefix);
  }
  return out;
}

const logs = fs.readdirSync(DIR).filter((f) => f.endsWith('.log')).sort();

test('the fixtures are there (../shared/fixtures/gemini-live-recorded)', () => {
  assert.ok(logs.length >= 10, `found ${logs.length} recordings in ${DIR}`);
});

test('every recorded server frame is byte for byte what the emulator encoder produces', () => {
  let checked = 0;
  for (const f of logs) {
    for (const fr of parseLog(fs.readFileSync(path.join(DIR, f), 'utf8'))) {
      if (fr.dir !== 's2c') continue;
      const bytes = encodeServerMessage(fr.msg);
      assert.equal(bytes.toString('utf8'), `${fr.text}\n`, `${f}: frame shape`);
      assert.equal(bytes.length + 1, fr.n, `${f}: recorded length (the log counts one separator byte)`);
      checked++;
    }
  }
  assert.ok(checked >= 20, `checked ${checked} frames`);
});

// The deterministic model answers `call <name> <json>` with a function call;
// the one recording whose user asked in prose is replayed with that form.
const ADAPT = {
  'what is the weather in Redmond Washington': 'call get_current_weather {"location":"Redmond, WA"}',
};

for (const f of logs) {
  test(`replay ${f.replace(/^live_ML_Dev_|\.websocket\.log$/g, '')}: the emulator answers with the recorded structure`, async () => {
    const frames = parseLog(fs.readFileSync(path.join(DIR, f), 'utf8'));
    const { base } = await emulator();
    const { token } = await mintToken(base);
    const c = await connect(V1BETA, { key: token, emu_speed: 50 });
    for (const fr of frames.filter((x) => x.dir === 'c2s')) {
      let msg = fr.msg;
      const text = msg.clientContent?.turns?.[0]?.parts?.[0]?.text;
      if (text && ADAPT[text]) msg = structuredClone(msg), msg.clientContent.turns[0].parts[0].text = ADAPT[text];
      c.send(msg);
      if (msg.setup) await c.next((m) => m.setupComplete);
    }
    const recorded = frames.filter((x) => x.dir === 's2c').map((x) => x.msg);
    const wantsMore = recorded.length > 1;
    if (wantsMore) {
      await c.next((m) => m.serverContent?.turnComplete || m.toolCall, { timeout: 8000 });
    } else {
      await sleep(300); // nothing but setupComplete is expected: make sure nothing else comes
      assert.equal(c.frames.length, 1, `only setupComplete, got ${JSON.stringify(c.messages).slice(0, 300)}`);
    }
    assert.equal(c.ws.readyState, c.ws.OPEN, 'the session stays open');
    const ours = c.messages.map((m) => keyPaths(m));
    for (const rec of recorded) {
      const want = [...keyPaths(rec)];
      const match = ours.find((have) => want.every((k) => have.has(k)));
      assert.ok(match, `${f}: no emulator frame has the key paths ${JSON.stringify(want)}; got ${JSON.stringify(ours.map((s) => [...s]))}`);
    }
    c.close();
  });
}
