// The examples (examples/vite-ts, examples/plain-html) as a user runs them: the package is the `npm
// pack` of pkg/, installed into each example; the Vite app type-checks under `tsc --strict` and
// builds with `vite build`; the plain page's JS type-checks with `tsc --checkJs --strict`. Each is
// then served under a strict Content-Security-Policy (`script-src 'self' 'wasm-unsafe-eval'`,
// `connect-src` only the page and the emulator, no `blob:`) and driven in headless Chromium
// (playwright-core) against the emulator, on both providers: connect, a text reply that is spoken
// (audio played to its end), a tool call whose result the model quotes, no console errors.
//
// Run: node --test tests/examples/   (needs pkg/ built, `npm ci` (vite, typescript), /usr/bin/chromium)

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { execFileSync } from 'node:child_process';
import { chromium } from 'playwright-core';
import { startServer } from '../../www/server.mjs';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const BIN = path.join(REPO, 'node_modules', '.bin');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const TIMEOUT = 30_000;

let emulator;
let browser;
const servers = [];

const run = (command, args, cwd) => execFileSync(command, args, { cwd, stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8' });

/** `npm pack` of pkg/, installed into `dir` as an app installs it (offline: the tarball has no dependencies). */
function installPackage(tarball, dir) {
  fs.rmSync(path.join(dir, 'node_modules'), { recursive: true, force: true });
  run('npm', ['install', '--no-save', '--no-package-lock', '--no-audit', '--no-fund', '--offline', '--loglevel=error', tarball], dir);
  assert.ok(fs.existsSync(path.join(dir, 'node_modules/realtime-wasm/realtime_wasm.js')), `realtime-wasm installed into ${dir}`);
}

const TYPES = { '.html': 'text/html', '.js': 'text/javascript', '.mjs': 'text/javascript', '.wasm': 'application/wasm', '.css': 'text/css', '.json': 'application/json' };

/**
 * Serves `root` under a strict CSP; `POST /token` is answered by the emulator (an app's own token
 * route). Resolves to its URL.
 */
function serveStrict(root) {
  const emulatorOrigin = new URL(emulator.wsUrl).origin; // ws://127.0.0.1:<port>
  const csp = [
    "default-src 'none'",
    "script-src 'self' 'wasm-unsafe-eval'",
    `connect-src 'self' ${emulatorOrigin}`,
    "style-src 'self'",
    "img-src 'self'",
  ].join('; ');
  const server = http.createServer(async (req, res) => {
    const url = new URL(req.url, 'http://x');
    if (url.pathname === '/token' && req.method === 'POST') {
      const minted = await fetch(`${emulator.url}/token${url.search}`, { method: 'POST' });
      res.writeHead(minted.status, { 'content-type': 'application/json' });
      res.end(await minted.text());
      return;
    }
    const file = path.join(root, url.pathname === '/' ? 'index.html' : decodeURIComponent(url.pathname));
    if (url.pathname === '/favicon.ico') {
      res.writeHead(204).end(); // the browser asks for one; an app's server has one
      return;
    }
    if (!file.startsWith(root) || !fs.existsSync(file) || fs.statSync(file).isDirectory()) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': TYPES[path.extname(file)] ?? 'application/octet-stream', 'content-security-policy': csp });
    fs.createReadStream(file).pipe(res);
  });
  servers.push(server);
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${server.address().port}`)));
}

const examples = {};

before(async () => {
  const packDir = path.join(REPO, 'target', 'examples');
  fs.mkdirSync(packDir, { recursive: true });
  const [packed] = JSON.parse(run('npm', ['pack', path.join(REPO, 'pkg'), '--pack-destination', packDir, '--json', '--loglevel=error'], REPO));
  const tarball = path.join(packDir, packed.filename);
  assert.ok(packed.files.some((f) => f.path === 'worklets/realtime-audio.js'), 'the tarball ships the worklet');
  const entry = fs.readFileSync(path.join(REPO, 'pkg/realtime_wasm.js'), 'utf8');
  assert.match(entry, /export\s*\{[^}]*\b(?:\w+ as )?RealtimeError\b/, 'the entry exports RealtimeError');
  assert.doesNotMatch(entry, /\bimport\b[^;]*from\s*["']/, 'the entry is one module (the shell bundled in): it imports nothing');

  const vite = path.join(REPO, 'examples', 'vite-ts');
  installPackage(tarball, vite);
  run(path.join(BIN, 'tsc'), ['-p', vite], REPO); // tsc --strict (the example's tsconfig)
  fs.rmSync(path.join(vite, 'dist'), { recursive: true, force: true });
  run(path.join(BIN, 'vite'), ['build', '--logLevel', 'warn'], vite);

  const plain = path.join(REPO, 'examples', 'plain-html');
  installPackage(tarball, plain);
  run(path.join(BIN, 'tsc'), ['-p', plain], REPO); // tsc --checkJs --strict

  // env: {} — real provider keys in the environment must never be used by tests.
  emulator = await startServer({ port: 0, quiet: true, env: {} });
  examples['vite-ts'] = await serveStrict(path.join(vite, 'dist'));
  examples['plain-html'] = await serveStrict(plain);
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    // As the demo's test: the fake media devices give headless Chromium an audio device here.
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run',
           '--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream', '--autoplay-policy=no-user-gesture-required'],
  });
});

after(async () => {
  await browser?.close();
  for (const server of servers) server.close();
  await emulator?.close();
});

/** Lines of the page's log. */
const logLines = (page) => page.$$eval('#log li', (items) => items.map((li) => li.textContent ?? ''));

async function waitForLine(page, pattern, after = 0) {
  await page.waitForFunction(
    ([source, from]) => [...document.querySelectorAll('#log li')].slice(from).some((li) => new RegExp(source).test(li.textContent ?? '')),
    [pattern.source, after],
    { timeout: TIMEOUT },
  );
}

for (const example of ['vite-ts', 'plain-html']) {
  for (const provider of ['openai', 'gemini']) {
    test(`${example} on ${provider}: a spoken reply, a tool call, no console errors under a strict CSP`, async () => {
      const context = await browser.newContext();
      const page = await context.newPage();
      const problems = [];
      const consoleLines = [];
      page.on('console', (m) => {
        consoleLines.push(`${m.type()}: ${m.text()}`);
        if (m.type() === 'error') problems.push(`console.error: ${m.text()}`);
      });
      page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
      await page.addInitScript(() => {
        window.addEventListener('unhandledrejection', (e) => console.error(`unhandled rejection: ${e.reason?.stack ?? e.reason}`));
        window.addEventListener('securitypolicyviolation', (e) => console.error(`CSP violation: ${e.violatedDirective} ${e.blockedURI}`));
        window.__workletLoads = [];
        const add = AudioWorklet.prototype.addModule;
        AudioWorklet.prototype.addModule = function (url, ...rest) {
          window.__workletLoads.push(String(url).startsWith('blob:') ? 'blob:' : new URL(url, location.href).pathname);
          return add.call(this, url, ...rest);
        };
      });
      try {
        const response = await page.goto(`${examples[example]}/?provider=${provider}`);
        assert.match(response.headers()['content-security-policy'], /script-src 'self' 'wasm-unsafe-eval'/);
        await page.click('#connect');
        await waitForLine(page, new RegExp(`^connected to ${provider}$`));

        // A text turn: the reply is spoken and its transcript shown; its audio plays to the end.
        let from = (await logLines(page)).length;
        await page.fill('#text', 'Hello there');
        await page.click('#send');
        await waitForLine(page, /^assistant: .*Hello there/, from);
        await waitForLine(page, /^played [1-9]\d* ms of audio$/, from);

        // A tool call: the handler runs (typed arguments), the model quotes its result.
        from = (await logLines(page)).length;
        await page.fill('#text', 'call add {"a": 2, "b": 3}');
        await page.click('#send');
        await waitForLine(page, /^tool add returned 5$/, from);
        await waitForLine(page, /^assistant: .*5/, from);

        const loads = await page.evaluate(() => window.__workletLoads);
        assert.ok(loads.length > 0 && !loads.includes('blob:'), `the worklet came from the package, not a blob: URL (${loads.join(', ')})`);
        assert.deepEqual(problems, [], `${example}/${provider}: ${problems.join('\n')}`);
        const lines = await logLines(page);
        assert.ok(!lines.some((l) => l.startsWith('error')), lines.join('\n'));
      } catch (e) {
        // What the page showed and logged, to tell a slow reply from a broken one.
        const lines = await logLines(page).catch(() => []);
        e.message += `\npage log:\n  ${lines.join('\n  ')}\nconsole:\n  ${consoleLines.join('\n  ')}`;
        throw e;
      } finally {
        await context.close();
      }
    });
  }
}
