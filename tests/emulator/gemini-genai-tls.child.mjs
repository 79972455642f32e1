// Child process of gemini-genai.test.mjs (NODE_EXTRA_CA_CERTS is read only at
// startup). Starts the dev server with TLS and drives the Gemini emulator with
// the official @google/genai live client over wss:// (https base URL): one text
// turn. Prints one JSON result line on stdout.
import fs from 'node:fs';
import path from 'node:path';
import { GoogleGenAI, Modality } from '@google/genai';
import { startServer } from '../../www/server.mjs';

const dir = process.env.GEMINI_CERT_DIR;
const srv = await startServer({
  port: 0,
  quiet: true,
  tls: { key: fs.readFileSync(path.join(dir, 'key.pem')), cert: fs.readFileSync(path.join(dir, 'cert.pem')) },
});
const result = { base: srv.url, messages: [], errors: [] };
const finish = async (code) => {
  process.stdout.write(JSON.stringify(result) + '\n');
  await srv.close();
  process.exit(code);
};
setTimeout(() => {
  result.errors.push('timeout');
  finish(2);
}, 10000).unref();

try {
  const minted = await (await fetch(`${srv.url}/token?provider=gemini`, { method: 'POST' })).json();
  result.tokenUrl = minted.url;
  const ai = new GoogleGenAI({ apiKey: minted.token, httpOptions: { baseUrl: srv.url, apiVersion: 'v1alpha' } });
  let done;
  const turn = new Promise((r) => { done = r; });
  const session = await ai.live.connect({
    model: 'gemini-live-2.5-flash-preview',
    config: { responseModalities: [Modality.TEXT] },
    callbacks: {
      onmessage: (m) => {
        result.messages.push(m);
        if (m.serverContent?.turnComplete) done();
      },
      onerror: (e) => result.errors.push(String(e?.message ?? e)),
      onclose: () => {},
    },
  });
  session.sendClientContent({ turns: 'Hello over TLS' });
  await turn;
  result.text = result.messages.map((m) => m.text ?? '').join('');
  session.close();
  await finish(0);
} catch (err) {
  result.errors.push(String(err?.stack ?? err));
  await finish(1);
}
