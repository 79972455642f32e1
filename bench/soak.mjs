// Soak benchmark: one long session per provider through the npm package in headless Chromium,
// against the emulator, with the microphone attached, playback on, barge-ins and tool calls; the
// JS heap (after a forced GC) and the wasm memory are sampled after every simulated minute (see
// bench/soak-page.mjs for what a minute holds). Reports, per provider, the memory at the end of
// the warm-up and at the end, and the growth per simulated minute after the warm-up (least
// squares), as a table printed and written to target/bench/soak.md.
//
//   node bench/soak.mjs                 60 simulated minutes per provider (needs pkg/ built)
//   node bench/soak.mjs --minutes 3     a short run (scripts/test.sh: the soak runs, no figures judged)
//
// Figures, never a timed test: the run fails only when the session fails (an error event, a
// missing event, a page error).
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { startServer } from '../www/server.mjs';

const BENCH = path.dirname(fileURLToPath(import.meta.url));
const REPO = path.dirname(BENCH);
const OUT = path.join(REPO, 'target', 'bench');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const arg = (name, fallback) => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
};
const MINUTES = arg('--minutes', 60);
const WARM_UP = Math.min(5, Math.floor(MINUTES / 2));
// The emulator's pacing: replies are generated this many times faster than real time (Gemini
// sends `interrupted` only while generating, so the barge-in must land before generation ends).
const SPEED = arg('--speed', 4);

const PAGE = `<!doctype html><meta charset="utf-8"><title>soak</title><link rel="icon" href="data:,"><script type="module" src="/soak/page.mjs"></script>`;

/** Serves the soak page and pkg/ over loopback HTTP (a page Playwright fulfils itself counts as a
 * public address, and Chromium's local network access checks then block its loopback socket). */
async function pageServer() {
  const types = { '.html': 'text/html', '.mjs': 'text/javascript', '.js': 'text/javascript', '.wasm': 'application/wasm' };
  const server = http.createServer((req, res) => {
    const p = new URL(req.url, 'http://localhost').pathname;
    const file = p === '/soak/index.html' ? null
      : p === '/soak/page.mjs' ? path.join(BENCH, 'soak-page.mjs')
      : p.startsWith('/pkg/') && !p.includes('..') ? path.join(REPO, p) : undefined;
    if (file === undefined || (file && !fs.existsSync(file))) {
      if (process.env.SOAK_LOG) console.log(`soak: 404 ${p}`);
      return res.writeHead(404).end();
    }
    res.writeHead(200, { 'Content-Type': types[path.extname(p)] ?? 'application/octet-stream' });
    res.end(file ? fs.readFileSync(file) : PAGE);
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
}

async function soak(browser, origin, emulator, provider) {
  const context = await browser.newContext();
  const page = await context.newPage();
  if (process.env.SOAK_LOG) page.on('console', (m) => console.log(`page: ${m.text()}`));
  const samples = [];
  const finished = new Promise((resolve, reject) => {
    page.exposeFunction('soakReport', (kind, data) => {
      if (kind === 'minute') {
        samples.push(data);
        process.stdout.write(`soak ${provider}: minute ${data.minute}/${MINUTES}, JS heap ${mb(data.jsHeap)} MB, wasm ${mb(data.wasmMemory)} MB\r`);
      } else if (kind === 'done') {
        if (data.errors.length) reject(new Error(`soak ${provider}: error events: ${data.errors.join('; ')}`));
        else resolve();
      } else {
        reject(new Error(`soak ${provider}: ${data}`));
      }
    });
    page.on('pageerror', (e) => reject(new Error(`soak ${provider}: page error: ${e.message}`)));
  });
  const started = Date.now();
  await page.goto(`${origin}/soak/index.html?provider=${provider}&minutes=${MINUTES}&speed=${SPEED}&emulator=${encodeURIComponent(emulator)}`);
  await finished;
  const wallS = (Date.now() - started) / 1000;
  await context.close();
  process.stdout.write('\n');
  return { provider, samples, wallS };
}

const mb = (bytes) => (bytes / 1_048_576).toFixed(2);

/** Least-squares slope of `key` over the samples after the warm-up, bytes per simulated minute. */
function slope(samples, key) {
  const points = samples.filter((s) => s.minute >= WARM_UP);
  const n = points.length;
  if (n < 2) return 0;
  const mx = points.reduce((a, s) => a + s.minute, 0) / n;
  const my = points.reduce((a, s) => a + s[key], 0) / n;
  const num = points.reduce((a, s) => a + (s.minute - mx) * (s[key] - my), 0);
  const den = points.reduce((a, s) => a + (s.minute - mx) ** 2, 0);
  return num / den;
}

function table(runs, version) {
  const rows = runs.map(({ provider, samples, wallS }) => {
    const warm = samples.find((s) => s.minute === WARM_UP);
    const last = samples.at(-1);
    const kb = (v) => `${(v / 1024).toFixed(1)} kB`;
    return `| ${provider} | ${last.minute} | ${last.turns} | ${(last.audioMs / 60_000).toFixed(1)} min | ${last.toolCalls} | ${last.bargeIns} | ` +
      `${mb(warm.jsHeap)} → ${mb(last.jsHeap)} MB | ${kb(slope(samples, 'jsHeap'))} | ` +
      `${mb(warm.wasmMemory)} → ${mb(last.wasmMemory)} MB | ${kb(slope(samples, 'wasmMemory'))} | ${wallS.toFixed(0)} s |`;
  });
  return [
    `Soak: ${MINUTES} simulated minutes per provider (each: a spoken turn, a barged-in reply and its answer, a tool call, an app interrupt), emulator pacing ×${SPEED}, playback on, microphone attached; ${version}.`,
    `Memory after minute ${WARM_UP} (warm-up) → at the end; growth per simulated minute after the warm-up (least squares). JS heap after a forced GC.`,
    '',
    '| provider | minutes | turns | audio received | tool calls | barge-ins | JS heap | JS heap growth / min | wasm memory | wasm growth / min | wall time |',
    '|---|---|---|---|---|---|---|---|---|---|---|',
    ...rows,
    '',
  ].join('\n');
}

async function main() {
  if (!fs.existsSync(path.join(REPO, 'pkg', 'realtime_wasm_bg.wasm'))) throw new Error('soak: pkg/ is not built (node scripts/build-pkg.mjs)');
  fs.mkdirSync(OUT, { recursive: true });
  const pages = await pageServer();
  const origin = `http://127.0.0.1:${pages.address().port}`;
  const srv = await startServer({ port: 0, quiet: !process.env.SOAK_LOG, env: {}, root: REPO });
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--no-first-run', '--autoplay-policy=no-user-gesture-required',
      '--enable-precise-memory-info', '--js-flags=--expose-gc',
    ],
  });
  try {
    const runs = [];
    for (const provider of ['openai', 'gemini']) runs.push(await soak(browser, origin, srv.url, provider));
    const text = table(runs, `Chromium ${browser.version()}`);
    console.log(text);
    fs.writeFileSync(path.join(OUT, MINUTES === 60 ? 'soak.md' : 'soak-short.md'), text);
  } finally {
    await browser.close();
    await srv.close();
    pages.close();
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
