// Gemini Live emulation: tool calls, tool responses and cancellations.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { stopEmulator, session, turnDone, textOf, pcm16, sendAudio, sleep } from './gemini-harness.mjs';

after(stopEmulator);

const TOOLS = [{
  functionDeclarations: [{
    name: 'get_current_weather',
    description: 'Get the current weather in a given location',
    parameters: { type: 'OBJECT', properties: { location: { type: 'STRING' } }, required: ['location'] },
  }],
}];
const TEXT = { generationConfig: { responseModalities: ['TEXT'] }, tools: TOOLS };
const say = (text) => ({ clientContent: { turns: [{ role: 'user', parts: [{ text }] }], turnComplete: true } });

test('tool call round trip: toolCall{functionCalls[{name,args,id}]} → toolResponse → answer quoting it', async () => {
  const c = await session(TEXT);
  c.send(say('call get_current_weather {"location":"Redmond, WA"}'));
  const { toolCall } = await c.next((m) => m.toolCall);
  assert.equal(toolCall.functionCalls.length, 1);
  const call = toolCall.functionCalls[0];
  assert.deepEqual(Object.keys(call), ['name', 'args', 'id']);
  assert.equal(call.name, 'get_current_weather');
  assert.deepEqual(call.args, { location: 'Redmond, WA' });
  assert.match(call.id, /^function-call-\d+$/);
  // the half-cascade model shows its executableCode first, as in the real recording
  const code = c.messages.find((m) => m.serverContent?.modelTurn?.parts?.[0]?.executableCode);
  assert.equal(code.serverContent.modelTurn.parts[0].executableCode.code, "print(default_api.get_current_weather(location='Redmond, WA'))");
  await sleep(100);
  assert.ok(!c.messages.some(turnDone), 'the turn waits for the tool response');
  const from = c.frames.length;
  c.send({ toolResponse: { functionResponses: [{ id: call.id, name: call.name, response: { output: { temp: 21 } } }] } });
  const done = await c.next(turnDone, { from });
  assert.equal(textOf(c.messages.slice(from)), 'The tool results are in: get_current_weather returned {"output":{"temp":21}}.');
  assert.ok(done.usageMetadata.toolUsePromptTokenCount > 0);
  assert.deepEqual(done.usageMetadata.toolUsePromptTokensDetails, [{ modality: 'TEXT', tokenCount: done.usageMetadata.toolUsePromptTokenCount }]);
  c.close();
});

test('an undeclared function is answered with text, not a call', async () => {
  const c = await session(TEXT);
  c.send(say('call launch_rockets {}'));
  await c.next(turnDone);
  assert.ok(!c.messages.some((m) => m.toolCall));
  assert.equal(textOf(c.messages), 'I cannot call launch_rockets: no such function is declared.');
  c.close();
});

test('toolResponse without id closes 1007', async () => {
  const c = await session(TEXT);
  c.send(say('call get_current_weather {"location":"Paris"}'));
  await c.next((m) => m.toolCall);
  c.send({ toolResponse: { functionResponses: [{ name: 'get_current_weather', response: { output: 1 } }] } });
  const { code, reason } = await c.closedWithin();
  assert.equal(code, 1007);
  assert.equal(reason, 'Request contains an invalid argument.');
});

test('toolResponse without name closes 1007', async () => {
  const c = await session(TEXT);
  c.send(say('call get_current_weather {"location":"Paris"}'));
  const { toolCall } = await c.next((m) => m.toolCall);
  c.send({ toolResponse: { functionResponses: [{ id: toolCall.functionCalls[0].id, response: { output: 1 } }] } });
  assert.equal((await c.closedWithin()).code, 1007);
});

test('new clientContent during a pending tool call → toolCallCancellation{ids}', async () => {
  const c = await session(TEXT);
  c.send(say('call get_current_weather {"location":"Oslo"}'));
  const { toolCall } = await c.next((m) => m.toolCall);
  c.send(say('never mind'));
  const { toolCallCancellation } = await c.next((m) => m.toolCallCancellation);
  assert.deepEqual(toolCallCancellation, { ids: [toolCall.functionCalls[0].id] });
  await c.next(turnDone);
  assert.match(textOf(c.messages), /"never mind"/);
  c.close();
});

test('barge-in (speech) during a pending tool call → toolCallCancellation; a late toolResponse is ignored', async () => {
  const c = await session(
    { generationConfig: { responseModalities: ['AUDIO'] }, tools: TOOLS },
    { emu_speed: 20 },
  );
  c.send(say('call get_current_weather {"location":"Rome"}'));
  const { toolCall } = await c.next((m) => m.toolCall);
  sendAudio(c, pcm16([[500, 9000], [800, 0]]));
  const { toolCallCancellation } = await c.next((m) => m.toolCallCancellation);
  assert.deepEqual(toolCallCancellation.ids, [toolCall.functionCalls[0].id]);
  await c.next(turnDone);
  const from = c.frames.length;
  c.send({ toolResponse: { functionResponses: [{ id: toolCall.functionCalls[0].id, name: 'get_current_weather', response: {} }] } });
  await sleep(200);
  assert.equal(c.frames.length, from, 'no answer to a cancelled call');
  c.close();
});
