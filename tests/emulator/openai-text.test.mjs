// OpenAI GA emulation: connect, session.update, text turns, conversation state, schema errors.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { connect, update, stopEmulator, userText } from './openai-harness.mjs';

after(stopEmulator);

const SPEED = { emu_speed: 20 };

test('session.created on connect carries the full default session', async () => {
  const c = await connect({ query: SPEED });
  const [created] = c.events;
  assert.equal(created.type, 'session.created');
  assert.match(created.event_id, /^event_[A-Za-z0-9]{21}$/);
  const s = created.session;
  assert.equal(s.type, 'realtime');
  assert.equal(s.object, 'realtime.session');
  assert.match(s.id, /^sess_/);
  assert.equal(s.model, 'gpt-realtime');
  assert.deepEqual(s.output_modalities, ['audio']);
  assert.deepEqual(s.audio.input.format, { type: 'audio/pcm', rate: 24000 });
  assert.equal(s.audio.input.turn_detection.type, 'server_vad');
  assert.equal(s.audio.input.transcription, null);
  assert.equal(s.audio.output.voice, 'marin');
  await c.close();
});

test('session.update merges partially and answers the full effective session', async () => {
  const c = await connect({ query: SPEED });
  const created = c.events[0].session;
  const u1 = await update(c, { instructions: 'Be brief.', audio: { input: { turn_detection: { type: 'server_vad', threshold: 0.7 } } } });
  assert.equal(u1.type, 'session.updated');
  assert.equal(u1.session.instructions, 'Be brief.');
  assert.equal(u1.session.id, created.id);
  assert.deepEqual(u1.session.audio.output, created.audio.output, 'untouched fields keep their values');
  assert.equal(u1.session.audio.input.turn_detection.threshold, 0.7);
  assert.equal(u1.session.audio.input.turn_detection.prefix_padding_ms, 300, 'a new turn_detection is completed with defaults');
  const u2 = await update(c, { output_modalities: ['text'], audio: { input: { turn_detection: null } } });
  assert.deepEqual(u2.session.output_modalities, ['text']);
  assert.equal(u2.session.audio.input.turn_detection, null);
  assert.equal(u2.session.instructions, 'Be brief.', 'earlier updates persist');
  const u3 = await update(c, { model: 'gpt-realtime-mini' });
  assert.equal(u3.type, 'error');
  assert.equal(u3.error.param, 'session.model');
  await c.close();
});

test('text turn: full event chain, text derived from the input, usage and rate limits', async () => {
  const c = await connect({ query: SPEED });
  await update(c, { output_modalities: ['text'] });
  const from = c.events.length;
  c.send({ ...userText('What is the capital of France?'), event_id: 'evt_1' });
  c.send({ type: 'response.create', event_id: 'evt_2' });
  await c.next('rate_limits.updated', { from });
  assert.deepEqual(c.types(from), [
    'conversation.item.added', 'conversation.item.done',
    'response.created', 'response.output_item.added', 'conversation.item.added', 'response.content_part.added',
    ...c.types(from).filter((t) => t === 'response.output_text.delta'),
    'response.output_text.done', 'response.content_part.done', 'response.output_item.done', 'conversation.item.done',
    'response.done', 'rate_limits.updated',
  ]);
  const user = c.events[from].item;
  assert.equal(user.role, 'user');
  assert.match(user.id, /^item_/);
  const deltas = c.ofType('response.output_text.delta').map((e) => e.delta).join('');
  assert.equal(deltas, 'You said: What is the capital of France?');
  assert.equal(c.ofType('response.output_text.done')[0].text, deltas);
  const done = c.ofType('response.done')[0].response;
  assert.equal(done.status, 'completed');
  assert.equal(done.status_details, null);
  assert.equal(done.output[0].content[0].type, 'output_text');
  assert.ok(done.usage.input_tokens > 0 && done.usage.output_tokens > 0);
  assert.equal(done.usage.total_tokens, done.usage.input_tokens + done.usage.output_tokens);
  const created = c.ofType('response.created')[0].response;
  assert.equal(created.status, 'in_progress');
  assert.equal(created.usage, null);
  const asstAdded = c.events.filter((e) => e.type === 'conversation.item.added')[1];
  assert.equal(asstAdded.previous_item_id, user.id);
  assert.equal(asstAdded.item.status, 'in_progress');
  await c.close();
});

test('audio modality answers text with speech + transcript', async () => {
  const c = await connect({ query: { emu_speed: 50 } });
  c.send(userText('hello there'));
  c.send({ type: 'response.create' });
  const done = await c.next('response.done');
  assert.equal(done.response.status, 'completed');
  assert.equal(done.response.output[0].content[0].type, 'output_audio');
  assert.equal(done.response.output[0].content[0].transcript, 'You said: hello there');
  assert.ok(c.ofType('response.output_audio.delta').length > 0);
  assert.equal(c.ofType('response.output_audio_transcript.delta').map((e) => e.delta).join(''), 'You said: hello there');
  assert.equal(c.ofType('response.content_part.added')[0].part.type, 'audio');
  // voice is locked once assistant audio exists
  const u = await update(c, { audio: { output: { voice: 'cedar' } } });
  assert.equal(u.type, 'error');
  assert.equal(u.error.code, 'cannot_update_voice');
  await c.close();
});

test('conversation state: previous_item_id, retrieve, delete, and their errors', async () => {
  const c = await connect({ query: SPEED });
  const add = async (ev) => {
    const from = c.events.length;
    c.send(ev);
    return c.next((e) => e.type === 'conversation.item.done' || e.type === 'error', { from });
  };
  const a = await add({ type: 'conversation.item.create', item: { id: 'item_a', type: 'message', role: 'user', content: [{ type: 'input_text', text: 'A' }] } });
  assert.equal(a.item.id, 'item_a');
  assert.equal(a.previous_item_id, null);
  const b = await add({ type: 'conversation.item.create', item: { id: 'item_b', type: 'message', role: 'user', content: [{ type: 'input_text', text: 'B' }] } });
  assert.equal(b.previous_item_id, 'item_a');
  const root = await add({ type: 'conversation.item.create', previous_item_id: 'root', item: { id: 'item_r', type: 'message', role: 'system', content: [{ type: 'input_text', text: 'R' }] } });
  assert.equal(root.previous_item_id, null);
  const mid = await add({ type: 'conversation.item.create', previous_item_id: 'item_a', item: { id: 'item_m', type: 'message', role: 'user', content: [{ type: 'input_text', text: 'M' }] } });
  assert.equal(mid.previous_item_id, 'item_a');
  const dup = await add({ type: 'conversation.item.create', event_id: 'dup', item: { id: 'item_a', type: 'message', role: 'user', content: [{ type: 'input_text', text: 'again' }] } });
  assert.equal(dup.type, 'error');
  assert.equal(dup.error.event_id, 'dup');
  const missingPrev = await add({ type: 'conversation.item.create', event_id: 'mp', previous_item_id: 'item_nope', item: { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'x' }] } });
  assert.equal(missingPrev.type, 'error');
  assert.equal(missingPrev.error.param, 'previous_item_id');

  let from = c.events.length;
  c.send({ type: 'conversation.item.retrieve', item_id: 'item_m' });
  const got = await c.next('conversation.item.retrieved', { from });
  assert.equal(got.item.content[0].text, 'M');
  from = c.events.length;
  c.send({ type: 'conversation.item.delete', item_id: 'item_m', event_id: 'del1' });
  assert.equal((await c.next('conversation.item.deleted', { from })).item_id, 'item_m');
  from = c.events.length;
  c.send({ type: 'conversation.item.retrieve', item_id: 'item_m', event_id: 'r2' });
  const gone = await c.next('error', { from });
  assert.equal(gone.error.event_id, 'r2');
  assert.equal(gone.error.type, 'invalid_request_error');
  from = c.events.length;
  c.send({ type: 'conversation.item.delete', item_id: 'item_m', event_id: 'del2' });
  assert.equal((await c.next('error', { from })).error.event_id, 'del2');
  // a later response sees the current order: last user item is B
  await update(c, { output_modalities: ['text'] });
  from = c.events.length;
  c.send({ type: 'response.create' });
  const done = await c.next('response.done', { from });
  assert.equal(done.response.output[0].content[0].text, 'You said: B');
  await c.close();
});

test('schema violations answer invalid_request_error with the event_id echoed, session stays usable', async () => {
  const c = await connect({ query: SPEED });
  const cases = [
    [{ event_id: 'e1', session: { type: 'realtime' } }, 'invalid_event', null],
    [{ type: 'conversation.item.truncate', event_id: 'e2', item_id: 'x', content_index: 0 }, 'missing_required_parameter', 'audio_end_ms'],
    [{ type: 'session.update', event_id: 'e3', session: { type: 'realtime', temperature: 0.8 } }, 'unknown_parameter', 'session.temperature'],
    [{ type: 'session.update', event_id: 'e4', session: { type: 'realtime', audio: { input: { turn_detection: { type: 'server_vad', threshold: 'high' } } } } }, 'invalid_type', 'session.audio.input.turn_detection.threshold'],
    [{ type: 'response.created', event_id: 'e5' }, 'invalid_value', 'type'],
    [{ type: 'conversation.item.create', event_id: 'e6', item: { type: 'message', role: 'user', content: [{ type: 'input_txt', text: 'x' }] } }, 'invalid_value', 'item.content[0].type'],
    [{ type: 'session.update', event_id: 'e7', session: { modalities: ['text'] } }, 'missing_required_parameter', 'session.type'],
    [{ type: 'conversation.item.create', event_id: 'e8', item: { type: 'function_call_output', call_id: 'call_1' } }, 'missing_required_parameter', 'item.output'],
    [{ type: 'session.update', event_id: 'e9', session: { type: 'realtime', audio: { input: { turn_detection: { type: 'fast_vad' } } } } }, 'invalid_value', 'session.audio.input.turn_detection.type'],
    [{ type: 'session.update', event_id: 'e10', session: { type: 'realtime', tool_choice: 'sometimes' } }, 'invalid_value', 'session.tool_choice'],
    [{ type: 'conversation.item.create', event_id: 'e11', item: { type: 'message', role: 'robot', content: [] } }, 'invalid_value', 'item.role'],
  ];
  for (const [ev, code, param] of cases) {
    const from = c.events.length;
    c.send(ev);
    const err = await c.next('error', { from });
    assert.equal(err.error.type, 'invalid_request_error', JSON.stringify(ev));
    assert.equal(err.error.code, code, `${JSON.stringify(ev)} → ${err.error.message}`);
    assert.equal(err.error.param, param, JSON.stringify(ev));
    assert.equal(err.error.event_id, ev.event_id);
    assert.ok(err.error.message.length > 10);
  }
  const union = c.ofType('error').find((e) => e.error.event_id === 'e6');
  assert.equal(union.error.message, "Invalid value: 'input_txt'. Supported values are: 'input_text', 'input_audio', 'input_image'.");
  const from = c.events.length;
  c.ws.send('{not json');
  const bad = await c.next('error', { from });
  assert.equal(bad.error.code, 'invalid_json');
  assert.equal(bad.error.event_id, null);
  const ok = await update(c, { instructions: 'still alive' });
  assert.equal(ok.type, 'session.updated');
  await c.close();
});

test('token refusal: the upgrade succeeds, then error invalid_api_key and close 3000', async () => {
  for (const token of ['ek_not_minted_by_this_emulator', null]) {
    const c = await connect({ token, waitCreated: false });
    const info = await c.closed;
    assert.equal(info.code, 3000);
    assert.equal(c.events.length, 1);
    const [err] = c.events;
    assert.equal(err.type, 'error');
    assert.equal(err.error.type, 'invalid_request_error');
    assert.equal(err.error.code, token ? 'invalid_api_key' : 'missing_api_key');
    assert.equal(info.reason, `invalid_request_error.${err.error.code}`);
    if (token) assert.ok(!err.error.message.includes(token), 'the key is redacted');
    c.assertSchemaValid();
  }
  // a Gemini token is not an OpenAI credential
  const { mintToken } = await import('./openai-harness.mjs');
  const { token: gem } = await mintToken('gemini');
  const g = await connect({ token: null, protocols: [], headers: { Authorization: `Bearer ${gem}` }, waitCreated: false });
  assert.equal((await g.closed).code, 3000);
  assert.equal(g.events[0].error.code, 'invalid_api_key');
});

test('Authorization: Bearer works too (server-side clients); a missing model is refused', async () => {
  const { mintToken } = await import('./openai-harness.mjs');
  const { token } = await mintToken('openai');
  const c = await connect({ token: null, protocols: [], headers: { Authorization: `Bearer ${token}` }, query: SPEED });
  assert.equal(c.events[0].type, 'session.created');
  await c.close();
  const d = await connect({ model: null, waitCreated: false });
  const info = await d.closed;
  assert.equal(info.code, 3000);
  assert.equal(d.events[0].error.param, 'model');
});

test('the schema check used by these tests does reject a malformed server event', async () => {
  const { serverEventProblems } = await import('./openai-harness.mjs');
  assert.deepEqual(serverEventProblems({ type: 'conversation.item.deleted', event_id: 'event_x', item_id: 'item_1' }), []);
  assert.notDeepEqual(serverEventProblems({ type: 'conversation.item.deleted', event_id: 'event_x' }), []);
  assert.notDeepEqual(serverEventProblems({ type: 'response.done', event_id: 'event_x', response: { status: 'finished' } }), []);
});
