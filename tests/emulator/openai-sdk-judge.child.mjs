// Child process of openai-sdk-judge.test.mjs (NODE_EXTRA_CA_CERTS is read only at
// startup, so the official client runs here). Starts the dev server with TLS, then
// drives it with the official `openai` package's OpenAIRealtimeWS (which forces wss:)
// through a text turn and a tool-call turn. Prints one JSON result line on stdout.
import fs from 'node:fs';
import path from 'node:path';
import OpenAI from 'openai';
import { OpenAIRealtimeWS } from 'openai/realtime/ws';
import { startServer } from '../../www/server.mjs';
import { SCHEMA_PATH, serverEventProblems } from './openai-harness.mjs';

const dir = process.env.JUDGE_CERT_DIR;
const srv = await startServer({
  port: 0,
  quiet: true,
  schemaPath: SCHEMA_PATH,
  tls: { key: fs.readFileSync(path.join(dir, 'key.pem')), cert: fs.readFileSync(path.join(dir, 'cert.pem')) },
});
const result = { url: srv.url, events: [], schemaErrors: [], errors: [], text: null, call: null, answer: null };
const finish = async (code) => {
  process.stdout.write(JSON.stringify(result) + '\n');
  await srv.close();
  process.exit(code);
};
setTimeout(() => {
  result.errors.push('timeout');
  finish(2);
}, 15000).unref();

try {
  // The token comes from the server's own /token over HTTPS (trusted via NODE_EXTRA_CA_CERTS).
  const { token } = await (await fetch(`${srv.url}/token?provider=openai`, { method: 'POST' })).json();
  const client = new OpenAI({ apiKey: token, baseURL: `${srv.url}/v1` });
  const rt = new OpenAIRealtimeWS({ model: 'gpt-realtime' }, client);
  result.wsUrl = String(rt.url);
  rt.on('event', (ev) => {
    result.events.push(ev.type);
    const problems = serverEventProblems(ev);
    if (problems.length) result.schemaErrors.push({ type: ev.type, problems });
  });
  rt.on('error', (err) => result.errors.push(err.message));
  const once = (type) => new Promise((resolve) => rt.once(type, resolve));
  await new Promise((resolve, reject) => {
    rt.socket.once('open', resolve);
    rt.socket.once('error', reject);
  });
  await once('session.created');
  rt.send({
    type: 'session.update',
    session: {
      type: 'realtime',
      output_modalities: ['text'],
      tools: [{ type: 'function', name: 'get_weather', description: 'Weather by city', parameters: { type: 'object', properties: { location: { type: 'string' } } } }],
    },
  });
  await once('session.updated');

  // Text turn
  rt.send({ type: 'conversation.item.create', item: { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'Say hello' }] } });
  rt.send({ type: 'response.create' });
  let deltas = '';
  rt.on('response.output_text.delta', (e) => {
    deltas += e.delta;
  });
  const first = await once('response.done');
  result.text = { status: first.response.status, text: first.response.output[0]?.content?.[0]?.text, deltas };

  // Tool-call turn
  rt.send({ type: 'conversation.item.create', item: { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'call get_weather {"location":"Paris"}' }] } });
  rt.send({ type: 'response.create' });
  const second = await once('response.done');
  const call = second.response.output[0];
  result.call = { type: call.type, name: call.name, arguments: call.arguments, call_id: call.call_id };
  rt.send({ type: 'conversation.item.create', item: { type: 'function_call_output', call_id: call.call_id, output: '{"temp_c":21}' } });
  rt.send({ type: 'response.create' });
  const third = await once('response.done');
  result.answer = third.response.output[0]?.content?.[0]?.text;
  rt.close();
  await finish(0);
} catch (err) {
  result.errors.push(String(err?.stack || err));
  await finish(1);
}
