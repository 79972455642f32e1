// OpenAI emulation, what a client's resume is tested with: `recap` lists the user turns the
// server holds (so a replay is visible), a new connection starts empty (the service keeps nothing
// across connections), and emu_close_after_turns drops the connection between turns.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { connect, update, stopEmulator, userText } from './openai-harness.mjs';
import { parseFaults } from '../../www/emulator/faults.mjs';

after(stopEmulator);

const SPEED = { emu_speed: 20 };

/** Sends a user text, asks for a response, and returns the response's text. */
async function turn(c, text) {
  const from = c.events.length;
  c.send(userText(text));
  c.send({ type: 'response.create' });
  const done = await c.next('response.done', { from });
  return done.response.output[0].content[0].text;
}

test('recap lists the earlier user turns of the conversation in order, assistant items left out', async () => {
  const c = await connect({ query: SPEED });
  await update(c, { output_modalities: ['text'] });
  assert.equal(await turn(c, 'recap'), 'You have not said anything yet.');
  assert.equal(await turn(c, 'my name is Ada'), 'You said: my name is Ada');
  // Items created by the client (what a resuming client replays) count as the server's own.
  c.send({ type: 'conversation.item.create', item: { type: 'message', role: 'assistant', content: [{ type: 'output_text', text: 'noted' }] } });
  c.send({ type: 'conversation.item.create', item: { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'the sky is clear' }] } });
  assert.equal(await turn(c, 'recap.'), 'So far you said: "recap"; "my name is Ada"; "the sky is clear".');
  await c.close();
});

test('a new connection holds nothing of the old one: a replay is what brings the conversation back', async () => {
  const a = await connect({ query: SPEED });
  await update(a, { output_modalities: ['text'] });
  await turn(a, 'remember the word tangerine');
  await a.close();
  const b = await connect({ query: SPEED });
  await update(b, { output_modalities: ['text'] });
  assert.equal(await turn(b, 'recap'), 'You have not said anything yet.');
  b.send({ type: 'conversation.item.create', item: { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'remember the word tangerine' }] } });
  b.send({ type: 'conversation.item.create', item: { type: 'message', role: 'assistant', content: [{ type: 'output_text', text: 'You said: remember the word tangerine' }] } });
  assert.equal(await turn(b, 'recap'), 'So far you said: "recap"; "remember the word tangerine".');
  await b.close();
});

test('emu_close_after_turns=K drops the connection (1006) right after the Kth response.done', async () => {
  const c = await connect({ query: { ...SPEED, emu_close_after_turns: 2 } });
  await update(c, { output_modalities: ['text'] });
  await turn(c, 'one');
  assert.equal(c.closeInfo, null, 'open after the first turn');
  const from = c.events.length;
  c.send(userText('two'));
  c.send({ type: 'response.create' });
  const info = await c.closed;
  assert.equal(info.code, 1006);
  assert.equal(c.events.at(-1).type, 'response.done', 'nothing after the turn end');
  assert.equal(c.events.slice(from).filter((e) => e.type === 'response.done').length, 1);
  c.assertSchemaValid();
});

test('emu_close_after_turns is parsed and makes the wrapper active; Gemini turn ends count too', () => {
  const f = parseFaults('/x?emu_close_after_turns=3');
  assert.equal(f.closeAfterTurns, 3);
  assert.ok(f.active());
  assert.equal(parseFaults('/x').closeAfterTurns, null);
  const sent = [];
  let closedWith = null;
  const g = parseFaults('/x?emu_close_after_turns=1&emu_close_code=1011');
  const send = g.wrap((frame) => sent.push(frame), { binary: true, close: (code) => (closedWith = code) });
  send({ serverContent: { modelTurn: { parts: [{ text: 'hi' }] } } });
  assert.equal(closedWith, null);
  send({ serverContent: { turnComplete: true } });
  assert.equal(closedWith, 1011);
  assert.equal(send({ serverContent: { modelTurn: { parts: [{ text: 'late' }] } } }), false, 'nothing after the close');
  assert.equal(sent.length, 2);
});
