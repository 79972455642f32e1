// OpenAI GA emulation: tools, tool_choice, one active response, cancel, out-of-band, max tokens, expiry.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { connect, update, stopEmulator, userText, sleep } from './openai-harness.mjs';

after(stopEmulator);

const WEATHER = {
  type: 'function',
  name: 'get_weather',
  description: 'Get current weather for a city.',
  parameters: { type: 'object', properties: { location: { type: 'string' } }, required: ['location'] },
};
const TIME = { type: 'function', name: 'get_time', description: 'Current time.', parameters: { type: 'object', properties: {} } };

test('tool round trip: streamed arguments, function_call_output, answer containing the output', async () => {
  const c = await connect({ query: { emu_speed: 20 } });
  await update(c, { output_modalities: ['text'], tools: [WEATHER], tool_choice: 'auto' });
  let from = c.events.length;
  c.send(userText('call get_weather {"location": "San Francisco"}'));
  c.send({ type: 'response.create' });
  const done = await c.next('response.done', { from });
  const call = done.response.output[0];
  assert.equal(call.type, 'function_call');
  assert.equal(call.name, 'get_weather');
  assert.match(call.call_id, /^call_/);
  assert.equal(call.arguments, '{"location":"San Francisco"}');
  const deltas = c.ofType('response.function_call_arguments.delta');
  assert.ok(deltas.length > 1, 'arguments are streamed');
  assert.equal(deltas.map((d) => d.delta).join(''), call.arguments);
  const argsDone = c.ofType('response.function_call_arguments.done')[0];
  assert.deepEqual([argsDone.name, argsDone.arguments, argsDone.call_id], [call.name, call.arguments, call.call_id]);
  assert.deepEqual(c.types(from).filter((t) => !t.endsWith('.delta')), [
    'conversation.item.added', 'conversation.item.done', 'response.created', 'response.output_item.added',
    'conversation.item.added', 'response.function_call_arguments.done', 'response.output_item.done',
    'conversation.item.done', 'response.done', 'rate_limits.updated',
  ]);
  assert.equal(c.ofType('response.content_part.added').length, 0, 'no content parts for function calls');

  from = c.events.length;
  c.send({ type: 'conversation.item.create', item: { type: 'function_call_output', call_id: call.call_id, output: '{"temp_c":18,"conditions":"fog"}' } });
  const outDone = await c.next('conversation.item.done', { from });
  assert.equal(outDone.previous_item_id, call.id);
  c.send({ type: 'response.create' });
  const answer = await c.next('response.done', { from });
  assert.equal(answer.response.output[0].content[0].text, 'The tool get_weather returned: {"temp_c":18,"conditions":"fog"}');
  await c.close();
});

test('tool_choice: none, required, named function; undeclared tools are not called', async () => {
  const c = await connect({ query: { emu_speed: 20 } });
  await update(c, { output_modalities: ['text'], tools: [WEATHER, TIME] });
  const ask = async (text, response = {}) => {
    const from = c.events.length;
    c.send(userText(text));
    c.send({ type: 'response.create', response });
    return (await c.next('response.done', { from })).response.output[0];
  };
  assert.equal((await ask('call get_weather {"location":"Oslo"}', { tool_choice: 'none' })).type, 'message');
  assert.equal((await ask('call send_email {}')).type, 'message', 'an undeclared tool is not called');
  const req = await ask('hello', { tool_choice: 'required' });
  assert.deepEqual([req.type, req.name, req.arguments], ['function_call', 'get_weather', '{}']);
  const named = await ask('call get_weather {"location":"Oslo"}', { tool_choice: { type: 'function', name: 'get_time' } });
  assert.deepEqual([named.type, named.name], ['function_call', 'get_time']);
  const from = c.events.length;
  c.send({ type: 'response.create', event_id: 'tc', response: { tool_choice: { type: 'function', name: 'nope' } } });
  const err = await c.next('error', { from });
  assert.equal(err.error.event_id, 'tc');
  assert.equal(err.error.param, 'response.tool_choice');
  // per-response tools override the session's
  const own = await ask('call lookup {"q":1}', { tools: [{ type: 'function', name: 'lookup', parameters: { type: 'object' } }] });
  assert.deepEqual([own.type, own.name, own.arguments], ['function_call', 'lookup', '{"q":1}']);
  await c.close();
});

test('one active response; response.cancel; cancel with nothing active', async () => {
  const c = await connect({ query: { emu_speed: 1 } });
  c.send(userText('please tell me a rather long story about the sea and the sky'));
  let from = c.events.length;
  c.send({ type: 'response.create', event_id: 'r1' });
  const created = await c.next('response.created', { from });
  c.send({ type: 'response.create', event_id: 'r2' });
  const busy = await c.next('error', { from });
  assert.equal(busy.error.code, 'conversation_already_has_active_response');
  assert.equal(busy.error.event_id, 'r2');
  assert.ok(busy.error.message.includes(created.response.id));
  await c.next('response.output_audio.delta', { from });
  c.send({ type: 'response.cancel', event_id: 'x1' });
  const done = await c.next('response.done', { from });
  assert.equal(done.response.status, 'cancelled');
  assert.deepEqual(done.response.status_details, { type: 'cancelled', reason: 'client_cancelled' });
  assert.equal(done.response.output[0].status, 'incomplete');
  const transcriptDone = c.ofType('response.output_audio_transcript.done')[0].transcript;
  assert.ok('You said: please tell me a rather long story about the sea and the sky'.startsWith(transcriptDone));
  assert.ok(transcriptDone.length < 70, 'only the transcript sent so far');
  from = c.events.length;
  c.send({ type: 'response.cancel', event_id: 'x2' });
  const none = await c.next('error', { from });
  assert.equal(none.error.code, 'response_cancel_not_active');
  assert.equal(none.error.message, 'Cancellation failed: no active response found');
  // after cancel a new response may start
  from = c.events.length;
  c.send({ type: 'response.create', response: { output_modalities: ['text'] } });
  assert.equal((await c.next('response.done', { from })).response.status, 'completed');
  await c.close();
});

test('out-of-band responses run beside the default one and do not touch the conversation', async () => {
  const c = await connect({ query: { emu_speed: 2 } });
  await update(c, { output_modalities: ['text'] });
  c.send(userText('first message in the conversation'));
  let from = c.events.length;
  c.send({ type: 'response.create', response: { output_modalities: ['audio'] } });
  const main = await c.next('response.created', { from });
  c.send({
    type: 'response.create',
    response: {
      conversation: 'none',
      metadata: { purpose: 'classify' },
      output_modalities: ['text'],
      input: [{ type: 'message', role: 'user', content: [{ type: 'input_text', text: 'side question' }] }],
    },
  });
  const oob = await c.next((e) => e.type === 'response.done' && e.response.metadata?.purpose === 'classify', { from });
  assert.notEqual(oob.response.id, main.response.id);
  assert.equal(oob.response.output[0].content[0].text, 'You said: side question');
  assert.equal(oob.response.conversation_id, undefined);
  const oobItem = oob.response.output[0].id;
  assert.ok(!c.events.some((e) => e.type.startsWith('conversation.item') && e.item?.id === oobItem), 'no conversation.item.* for out-of-band output');
  c.send({ type: 'response.cancel' });
  await c.next((e) => e.type === 'response.done' && e.response.id === main.response.id, { from });
  // item_reference input
  const userId = c.ofType('conversation.item.added')[0].item.id;
  from = c.events.length;
  c.send({ type: 'response.create', response: { conversation: 'none', input: [{ type: 'item_reference', id: userId }] } });
  const ref = await c.next('response.done', { from });
  assert.equal(ref.response.output[0].content[0].text, 'You said: first message in the conversation');
  from = c.events.length;
  c.send({ type: 'response.create', event_id: 'bad-ref', response: { conversation: 'none', input: [{ type: 'item_reference', id: 'item_missing' }] } });
  assert.equal((await c.next('error', { from })).error.event_id, 'bad-ref');
  await c.close();
});

test('max_output_tokens cuts the answer: status incomplete, reason max_output_tokens', async () => {
  const c = await connect({ query: { emu_speed: 20 } });
  await update(c, { output_modalities: ['text'] });
  c.send(userText('one two three four five six seven'));
  const from = c.events.length;
  c.send({ type: 'response.create', response: { max_output_tokens: 3 } });
  const done = await c.next('response.done', { from });
  assert.equal(done.response.status, 'incomplete');
  assert.deepEqual(done.response.status_details, { type: 'incomplete', reason: 'max_output_tokens' });
  assert.equal(done.response.output[0].content[0].text, 'You said: one');
  await c.close();
});

test('max session duration: session_expired error, then the socket closes', async () => {
  const c = await connect({ query: { emu_expire_after_ms: 300 } });
  assert.ok(c.events[0].session.expires_at <= Math.ceil(Date.now() / 1000) + 1);
  const info = await c.closed;
  const err = c.events.at(-1);
  assert.equal(err.type, 'error');
  assert.equal(err.error.code, 'session_expired');
  assert.equal(err.error.message, 'Your session hit the maximum duration of 60 minutes.');
  assert.equal(err.error.event_id, null);
  assert.equal(info.code, 1000);
  c.assertSchemaValid();
  await sleep(10);
});
