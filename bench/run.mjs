// Peer benchmark: realtime-wasm against the SDKs a web developer would pick instead, in one run.
//
// Owns: bundling every app of bench/apps/ with esbuild as an app would ship it; the four figures
// (bundle size, receive path CPU, cold start, capture CPU); serving the bundles, pkg/ and the
// page over HTTP next to the benchmark socket (bench/server.mjs); driving Debian Chromium through
// playwright-core; the markdown table (printed, and written to target/bench/peers.md).
//
// Every sample is a fresh browser context (so every load is cold), one page at a time, paths in
// rotated order; the first round is a warm-up and dropped. CPU is the renderer main thread's task
// time (CDP `Performance.getMetrics` TaskDuration in thread ticks) between two readings around the
// work, so the server (this Node process) and idle waiting do not count.
//
//   node bench/run.mjs           the benchmark (needs pkg/ built: node scripts/build-pkg.mjs)
//   node bench/run.mjs --quick   few frames, one sample: asserts every path ran and delivered
//                                every frame (scripts/test.sh), never a timing
//   node bench/run.mjs --only 'realtime-wasm|JS floor'
//                                the receive paths whose label contains the text (or one of the
//                                texts between `|`), nothing else
//                                (a before/after of one change; the full run is the reference)
//   node bench/run.mjs --profile 'realtime-wasm, playback on' [--top N]
//                                one receive sample of that path under the V8 CPU profiler: the
//                                functions by self time (where the path's CPU goes) and the sums
//                                by kind (wasm, JS, engine), no table; wasm functions are named
//                                when pkg/ is a `build-pkg.mjs --names` build, JS ones always
import http from 'node:http';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';
import { chromium } from 'playwright-core';
import { attachBenchSocket, replyFrames, AUDIO_DELTA_BYTES, AUDIO_DELTA_MS } from './server.mjs';

const BENCH = path.dirname(fileURLToPath(import.meta.url));
const REPO = path.dirname(BENCH);
const OUT = path.join(REPO, 'target', 'bench');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const QUICK = process.argv.includes('--quick');
const ONLY = process.argv.includes('--only') ? process.argv[process.argv.indexOf('--only') + 1] : undefined;
const PROFILE = process.argv.includes('--profile') ? process.argv[process.argv.indexOf('--profile') + 1] : undefined;
const TOP = process.argv.includes('--top') ? Number(process.argv[process.argv.indexOf('--top') + 1]) : 25;

const DELTAS = QUICK ? 20 : 2_000;
const ROUNDS = QUICK ? 1 : 6; // the first is a warm-up unless quick
const CAPTURE_SECONDS = QUICK ? 1.5 : 6;
const PROVIDER_BYTES_PER_SECOND = 24_000 * 2;
const AUDIO_SECONDS = (DELTAS * AUDIO_DELTA_MS) / 1_000;

/** One bundle per app (bench/apps/<app>.mjs), and what it stands for. */
const APPS = {
  'realtime-wasm': 'realtime-wasm (JS glue + .wasm + the audio worklet)',
  'agents-session': '@openai/agents-realtime RealtimeSession (WebSocket)',
  'agents-transport': '@openai/agents-realtime OpenAIRealtimeWebSocket',
  'openai-ws': 'openai OpenAIRealtimeWebSocket',
  'genai-live': '@google/genai live.connect',
  'js-floor': 'hand-written JS floor',
  'raw-socket': 'raw socket',
  'capture-floor': 'hand-written capture floor (worklet + JS sinc resampler)',
};

const RECEIVE_PATHS = [
  { label: 'realtime-wasm, playback off', app: 'realtime-wasm', provider: 'openai', does: 'decode, session, `Uint8Array` to the handler' },
  { label: 'realtime-wasm, playback on', app: 'realtime-wasm', provider: 'openai', playback: true, does: 'as above + decode to float, post to the playback worklet (which resamples 24 kHz → device rate on the audio thread)' },
  { label: 'realtime-wasm (Gemini), playback off', app: 'realtime-wasm', provider: 'gemini', does: 'binary frames: decode, session, `Uint8Array`' },
  { label: '@openai/agents-realtime RealtimeSession', app: 'agents-session', provider: 'openai', does: 'parse + validate, history, `ArrayBuffer` (plays nothing)' },
  { label: '@openai/agents-realtime OpenAIRealtimeWebSocket', app: 'agents-transport', provider: 'openai', does: 'parse + validate, `ArrayBuffer` (plays nothing)' },
  { label: 'openai OpenAIRealtimeWebSocket', app: 'openai-ws', provider: 'openai', does: 'parse, event; app decodes base64' },
  { label: '@google/genai live', app: 'genai-live', provider: 'gemini', does: 'Blob → text → parse; app decodes base64' },
  { label: 'JS floor (OpenAI frames)', app: 'js-floor', provider: 'openai', does: '`JSON.parse` + base64 → bytes + handler' },
  { label: 'JS floor (Gemini frames)', app: 'js-floor', provider: 'gemini', does: 'UTF-8 decode + `JSON.parse` + base64 → bytes + handler' },
  { label: 'raw socket', app: 'raw-socket', provider: 'openai', does: 'counts frames, nothing else', framesOnly: true },
];

const CAPTURE_PATHS = [
  { label: 'realtime-wasm capture', app: 'realtime-wasm', provider: 'openai', does: 'worklet 20 ms chunks → wasm polyphase sinc (≥ 94 dB) → PCM16 → base64 → JSON → socket' },
  { label: 'hand-written floor', app: 'capture-floor', provider: 'openai', does: 'worklet 20 ms chunks → JS polyphase sinc (same 90 dB design) → PCM16 → base64 → JSON → socket' },
  { label: 'idle page, socket open (no microphone)', app: 'raw-socket', provider: 'openai', does: 'reference: what the page costs doing nothing', idle: true },
];

async function main() {
  if (!fs.existsSync(path.join(REPO, 'pkg', 'realtime_wasm_bg.wasm'))) {
    throw new Error('bench: pkg/ is not built (node scripts/build-pkg.mjs)');
  }
  fs.mkdirSync(path.join(OUT, 'apps'), { recursive: true });
  const sizes = await bundleApps();
  const micWav = path.join(OUT, 'microphone.wav');
  fs.writeFileSync(micWav, speechlikeWav(48_000, 10));

  const frames = replyFrames(DELTAS);
  const httpServer = http.createServer(serveStatic);
  const socket = attachBenchSocket(httpServer, frames);
  await new Promise((resolve) => httpServer.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${httpServer.address().port}`;
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--no-first-run', '--autoplay-policy=no-user-gesture-required',
      '--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream', `--use-file-for-fake-audio-capture=${micWav}`,
      // Extra engine flags for experiments (e.g. `--js-flags=--no-liftoff`), space-separated.
      ...(process.env.BENCH_CHROMIUM_FLAGS?.split(' ').filter(Boolean) ?? []),
    ],
  });
  const bench = { browser, socket, origin, next: 0 };
  if (PROFILE) {
    const receivePath = RECEIVE_PATHS.find((p) => p.label === PROFILE);
    if (!receivePath) throw new Error(`bench: no receive path '${PROFILE}' (one of: ${RECEIVE_PATHS.map((p) => p.label).join('; ')})`);
    try { await profileSample(bench, receivePath); } finally { await browser.close(); socket.close(); httpServer.close(); }
    return;
  }
  try {
    if (ONLY) {
      const picked = (p) => ONLY.split('|').some((part) => p.label.includes(part));
      const chosen = RECEIVE_PATHS.filter(picked);
      const captures = CAPTURE_PATHS.filter(picked);
      if (chosen.length + captures.length === 0) throw new Error(`bench: no receive or capture path contains '${ONLY}'`);
      for (const p of await rounds(chosen, (q) => receiveSample(bench, q))) {
        const { median, min, max } = stats(p.samples.map((x) => x.cpuPerAudioSecond));
        const ready = stats(p.samples.map((x) => x.readyMs));
        console.log(`bench: ${p.label}: ${median.toFixed(3)} ms CPU per s of audio (${min.toFixed(3)}–${max.toFixed(3)}); cold start ${ready.median.toFixed(1)} ms (${ready.min.toFixed(1)}–${ready.max.toFixed(1)})`);
      }
      for (const p of await rounds(captures, (q) => captureSample(bench, q))) {
        const { median, min, max } = stats(p.samples.map((x) => x.cpuPerSecond));
        console.log(`bench: ${p.label}: ${median.toFixed(3)} ms CPU per s (${min.toFixed(3)}–${max.toFixed(3)})`);
      }
      return;
    }
    const receive = await rounds(RECEIVE_PATHS, (p) => receiveSample(bench, p));
    const capture = await rounds(CAPTURE_PATHS, (p) => captureSample(bench, p));
    const table = report({ sizes, receive, capture, chromium: browser.version() });
    console.log(table);
    const file = path.join(OUT, QUICK ? 'peers-quick.md' : 'peers.md');
    fs.writeFileSync(file, table);
    console.log(`bench: every path ran and delivered every frame; written to ${path.relative(REPO, file)}`);
  } finally {
    await browser.close();
    socket.close();
    httpServer.close();
  }
}

// --- bundles -----------------------------------------------------------------------------------

/** Bundles every app as an app would ship it; returns per app its sizes and largest inputs. */
async function bundleApps() {
  const result = await esbuild.build({
    entryPoints: Object.keys(APPS).map((app) => path.join(BENCH, 'apps', `${app}.mjs`)),
    outdir: path.join(OUT, 'apps'),
    absWorkingDir: REPO, bundle: true, format: 'esm', platform: 'browser', metafile: true, logLevel: 'warning',
    // A profile keeps the JS names (the glue is minified already by build-pkg; the app's own are kept).
    minify: !PROFILE, minifySyntax: true, minifyWhitespace: true,
  });
  const sizes = {};
  for (const [output, meta] of Object.entries(result.metafile.outputs)) {
    if (!meta.entryPoint) continue;
    const app = path.basename(meta.entryPoint, '.mjs');
    const js = fs.readFileSync(path.join(REPO, output));
    const files = [{ name: 'JS', bytes: js }];
    if (app === 'realtime-wasm') {
      files.push({ name: '.wasm', bytes: fs.readFileSync(path.join(REPO, 'pkg', 'realtime_wasm_bg.wasm')) });
      // Loaded by every session that plays or captures audio (the peers ship no audio engine).
      files.push({ name: 'worklet', bytes: fs.readFileSync(path.join(REPO, 'pkg', 'worklets', 'realtime-audio.js')) });
    }
    const byPackage = new Map();
    for (const [input, { bytesInOutput }] of Object.entries(meta.inputs)) {
      const name = packageOf(input);
      byPackage.set(name, (byPackage.get(name) ?? 0) + bytesInOutput);
    }
    const wasm = files.find((f) => f.name === '.wasm');
    sizes[app] = {
      wasmSections: wasm && wasmSectionShares(wasm.bytes),
      files: files.map(({ name, bytes }) => ({ name, raw: bytes.length, gzip: gzip(bytes), brotli: brotli(bytes) })),
      inputs: [...byPackage].sort((a, b) => b[1] - a[1]),
    };
  }
  return sizes;
}

/** The .wasm's code and data sections as shares of the file, e.g. `code 80 %, data 15 %`. */
function wasmSectionShares(bytes) {
  const names = { 10: 'code', 11: 'data' };
  const shares = { code: 0, data: 0 };
  const leb = (at) => {
    let value = 0;
    for (let shift = 0; ; shift += 7) {
      const byte = bytes[at.offset++];
      value += (byte & 0x7f) * 2 ** shift;
      if (byte < 0x80) return value;
    }
  };
  const at = { offset: 8 }; // after the magic number and version
  while (at.offset < bytes.length) {
    const id = bytes[at.offset++];
    const size = leb(at);
    if (names[id]) shares[names[id]] += size;
    at.offset += size;
  }
  return Object.entries(shares).map(([name, size]) => `${name} ${Math.round((100 * size) / bytes.length)} %`).join(', ');
}

/** The npm package an esbuild input belongs to (`pkg/` is realtime-wasm's glue, bench/ the app). */
function packageOf(input) {
  const inModules = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(input);
  if (inModules) return inModules[1];
  if (input.startsWith('pkg/')) return 'realtime-wasm JS glue';
  return 'the app';
}

const gzip = (bytes) => zlib.gzipSync(bytes, { level: 9 }).length;
const brotli = (bytes) => zlib.brotliCompressSync(bytes, {
  params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 11, [zlib.constants.BROTLI_PARAM_SIZE_HINT]: bytes.length },
}).length;

// --- serving -----------------------------------------------------------------------------------

const PAGE = '<!doctype html><meta charset="utf-8"><title>bench</title><link rel="icon" href="data:,"><script type="module" src="/harness.js"></script>';
const TYPES = { '.js': 'text/javascript', '.mjs': 'text/javascript', '.wasm': 'application/wasm' };

function serveStatic(req, res) {
  const { pathname } = new URL(req.url, 'http://x');
  if (pathname === '/') return res.writeHead(200, { 'content-type': 'text/html' }).end(PAGE);
  const file = pathname === '/harness.js' ? path.join(BENCH, 'harness.mjs')
    : pathname.startsWith('/apps/') ? path.join(OUT, 'apps', path.basename(pathname))
      : pathname.startsWith('/pkg/') ? path.join(REPO, 'pkg', ...pathname.slice(5).split('/').filter((part) => part !== '..'))
        : null;
  if (!file || !fs.existsSync(file)) return res.writeHead(404).end();
  res.writeHead(200, { 'content-type': TYPES[path.extname(file)] ?? 'application/octet-stream' });
  fs.createReadStream(file).pipe(res);
}

// --- one sample --------------------------------------------------------------------------------

/**
 * Loads `path`'s app in a fresh context and waits until its session is ready. Returns
 * `{ id, ready, cpuMs(), waitFor(kind), close() }`; `ready` is the app's report (with `readyMs`).
 */
async function openPage(bench, { app, provider, playback }, mode) {
  const id = `p${bench.next++}`;
  const context = await bench.browser.newContext();
  const reports = new Map();
  const waiters = new Map();
  await context.exposeFunction('benchReport', (kind, data) => {
    reports.set(kind, data);
    waiters.get(kind)?.(data);
    if (kind === 'error') for (const resolve of waiters.values()) resolve({ error: data });
  });
  const waitFor = (kind, ms = 120_000) => new Promise((resolve, reject) => {
    const settle = (data) => (data?.error ? reject(new Error(`${app}: ${data.error}`)) : resolve(data));
    if (reports.has('error')) return settle({ error: reports.get('error') });
    if (reports.has(kind)) return settle(reports.get(kind));
    const timer = setTimeout(() => reject(new Error(`${app}: no '${kind}' within ${ms} ms`)), ms);
    waiters.set(kind, (data) => { clearTimeout(timer); settle(data); });
  });
  const page = await context.newPage();
  page.on('console', (m) => (m.type() === 'error' || process.env.BENCH_DEBUG) && console.error(`bench: ${app} page: ${m.text()}`));
  const cdp = await context.newCDPSession(page);
  await cdp.send('Performance.enable', { timeDomain: 'threadTicks' });
  const query = new URLSearchParams({ app, provider, id, deltas: DELTAS, playback: playback ? '1' : '0', mode });
  await page.goto(`${bench.origin}/?${query}`);
  const ready = await waitFor('ready', 30_000);
  const cpuMs = async () => {
    const { metrics } = await cdp.send('Performance.getMetrics');
    return metrics.find((m) => m.name === 'TaskDuration').value * 1_000;
  };
  return { id, ready, cpuMs, waitFor, cdp, close: () => context.close() };
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Cold start, then main-thread CPU from the first frame of the reply to the app's last callback. */
async function receiveSample(bench, receivePath) {
  const page = await openPage(bench, receivePath, 'receive');
  try {
    await sleep(300); // let start-up tasks finish before the window opens
    const before = await page.cpuMs();
    bench.socket.blast(page.id);
    const seen = await page.waitFor('done');
    const cpu = (await page.cpuMs()) - before;
    if (!receivePath.framesOnly && seen.audioBytes !== DELTAS * AUDIO_DELTA_BYTES) {
      throw new Error(`${receivePath.label}: ${seen.audioBytes} audio bytes, expected ${DELTAS * AUDIO_DELTA_BYTES}`);
    }
    return { cpuPerAudioSecond: cpu / AUDIO_SECONDS, readyMs: page.ready.readyMs, wasmInitMs: page.ready.wasmInitMs, base64: page.ready.base64 };
  } finally {
    await page.close();
  }
}

/** One receive sample under the V8 sampling profiler: self time by function, the top 25. */
async function profileSample(bench, receivePath) {
  await receiveSample(bench, receivePath); // warm-up: the browser's caches, as a dropped round
  const page = await openPage(bench, receivePath, 'receive');
  try {
    await sleep(300);
    await page.cdp.send('Profiler.enable');
    await page.cdp.send('Profiler.setSamplingInterval', { interval: 100 });
    await page.cdp.send('Profiler.start');
    bench.socket.blast(page.id);
    await page.waitFor('done');
    const { profile } = await page.cdp.send('Profiler.stop');
    const self = new Map();
    const callers = new Map(); // function → caller → ms (where a cheap-looking JS function is called from)
    const byId = new Map(profile.nodes.map((n) => [n.id, n]));
    const parent = new Map(profile.nodes.flatMap((n) => (n.children ?? []).map((c) => [c, n])));
    const name = (node) => {
      const { functionName, url, lineNumber } = node.callFrame;
      // V8 names wasm functions from the name section (a `--names` build); the hashes are noise.
      if (url.endsWith('.wasm')) return `wasm ${functionName.replace(/::h[0-9a-f]{16}\b/g, '')}`;
      return `${functionName || '(anonymous)'} ${url ? `${path.basename(url)}:${lineNumber + 1}` : ''}`.trim();
    };
    const deltas = profile.timeDeltas;
    profile.samples.forEach((id, i) => {
      const key = name(byId.get(id));
      const ms = (deltas[i] ?? 0) / 1_000;
      self.set(key, (self.get(key) ?? 0) + ms);
      const caller = parent.get(id) ? name(parent.get(id)) : '(root)';
      const of = callers.get(key) ?? new Map();
      of.set(caller, (of.get(caller) ?? 0) + ms);
      callers.set(key, of);
    });
    const busy = [...self].filter(([k]) => k !== '(idle)' && k !== '(program)');
    const total = busy.reduce((sum, [, ms]) => sum + ms, 0);
    console.log(`bench: ${receivePath.label}: ${total.toFixed(1)} ms sampled outside (idle)/(program) for ${AUDIO_SECONDS} s of audio; self time:`);
    for (const [key, ms] of [...self].sort((a, b) => b[1] - a[1]).slice(0, TOP)) {
      const [caller] = [...(callers.get(key) ?? [])].sort((a, b) => b[1] - a[1]);
      console.log(`${ms.toFixed(1).padStart(9)} ms  ${key}${caller ? `  ← ${caller[0]}` : ''}`);
    }
    // By kind: the SDK's wasm, the JS that ran (the glue, platform.js, the app), the engine's own.
    const kind = (key) => (key.startsWith('wasm ') ? 'wasm' : /\.js:\d+$/.test(key) ? 'JS' : 'engine (builtins, GC, crossings)');
    const kinds = new Map();
    for (const [key, ms] of busy) kinds.set(kind(key), (kinds.get(kind(key)) ?? 0) + ms);
    console.log(`bench: by kind: ${[...kinds].map(([k, ms]) => `${k} ${ms.toFixed(1)} ms`).join(', ')}`);
  } finally {
    await page.close();
  }
}

/** Main-thread CPU per second of microphone audio the server received (idle: per wall second). */
async function captureSample(bench, capturePath) {
  const page = await openPage(bench, capturePath, capturePath.idle ? 'receive' : 'capture');
  try {
    if (!capturePath.idle) await page.waitFor('capturing', 30_000);
    await sleep(1_000); // the worklet and the first chunks are running
    const bytesBefore = bench.socket.capturedBytes(page.id);
    const before = await page.cpuMs();
    await sleep(CAPTURE_SECONDS * 1_000);
    const cpu = (await page.cpuMs()) - before;
    const seconds = (bench.socket.capturedBytes(page.id) - bytesBefore) / PROVIDER_BYTES_PER_SECOND;
    if (capturePath.idle) return { cpuPerSecond: cpu / CAPTURE_SECONDS };
    if (seconds < CAPTURE_SECONDS * 0.5) throw new Error(`${capturePath.label}: the server received ${seconds.toFixed(2)} s of audio in ${CAPTURE_SECONDS} s`);
    return { cpuPerSecond: cpu / seconds, base64: page.ready.base64 };
  } finally {
    await page.close();
  }
}

/** Runs `sample` for every path, ROUNDS times in rotated order; drops the warm-up round. */
async function rounds(paths, sample) {
  const samples = paths.map(() => []);
  for (let round = 0; round < ROUNDS; round++) {
    for (let k = 0; k < paths.length; k++) {
      const index = (k + round) % paths.length;
      const result = await sample(paths[index]);
      if (QUICK || round > 0) samples[index].push(result);
    }
    process.stdout.write(`bench: round ${round + 1}/${ROUNDS} of ${paths.length} paths${round === 0 && !QUICK ? ' (warm-up, dropped)' : ''}\n`);
  }
  return paths.map((p, i) => ({ ...p, samples: samples[i] }));
}

// --- the table ---------------------------------------------------------------------------------

const PEERS = ['@openai/agents-realtime', 'openai', '@google/genai'];
const installedVersion = (name) => JSON.parse(fs.readFileSync(path.join(REPO, 'node_modules', name, 'package.json'), 'utf8')).version;

function stats(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const median = sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  return { median, min: sorted[0], max: sorted[sorted.length - 1] };
}

const kB = (bytes) => `${(bytes / 1_000).toFixed(1)} kB`;
const fixed = (value, digits) => value.toFixed(digits);
const spread = ({ min, max }, digits) => `${fixed(min, digits)}–${fixed(max, digits)}`;

function report({ sizes, receive, capture, chromium: version }) {
  const cpu = os.cpus();
  const lines = [
    `Measured ${new Date().toISOString().slice(0, 10)} on ${cpu.length} cores (${cpu[0]?.model.trim() ?? 'unknown CPU'}), headless Chromium ${version}, ` +
      `${QUICK ? 'quick mode: one sample, timings meaningless' : `${ROUNDS - 1} samples per path after a dropped warm-up, order rotated; median and min–max`}.`,
    `Peers: ${PEERS.map((name) => `${name} ${installedVersion(name)}`).join(', ')}; esbuild ${esbuild.version}.`,
    '',
    '**1. Bundle size** an app pays (esbuild `--bundle --minify --format=esm --platform=browser` of a minimal app; gzip -9, brotli -11)',
    '',
    '| app | files | min | gzip | brotli | what dominates (share of min JS) |',
    '|---|---|---|---|---|---|',
  ];
  for (const [app, label] of Object.entries(APPS)) {
    const { files, inputs } = sizes[app];
    const total = (key) => files.reduce((sum, f) => sum + f[key], 0);
    const jsRaw = files[0].raw;
    const top = inputs.slice(0, 3).map(([name, bytes]) => `${name} ${Math.round((100 * bytes) / jsRaw)} %`).join(', ');
    const wasm = files.find((f) => f.name === '.wasm');
    const dominated = wasm
      ? `.wasm ${Math.round((100 * wasm.gzip) / total('gzip'))} % of gzip (${sizes[app].wasmSections}); JS: ${top}`
      : top;
    lines.push(`| ${label} | ${files.map((f) => `${f.name} ${kB(f.raw)}`).join(' + ')} | ${kB(total('raw'))} | ${kB(total('gzip'))} | ${kB(total('brotli'))} | ${dominated} |`);
  }

  const floor = stats(receive.find((p) => p.app === 'js-floor' && p.provider === 'openai').samples.map((s) => s.cpuPerAudioSecond)).median;
  lines.push('', `**2. Receive path**: main-thread CPU per second of received audio (${DELTAS.toLocaleString('en')} × 100 ms deltas of 24 kHz PCM16 + ${DELTAS.toLocaleString('en')} transcript deltas = ${AUDIO_SECONDS} s, blasted by a local server; task time from the first frame to the app's last callback)`,
    '', '| path | what it does | ms CPU / s audio | min–max | × JS floor (OpenAI) |', '|---|---|---|---|---|');
  for (const p of receive) {
    const s = stats(p.samples.map((x) => x.cpuPerAudioSecond));
    const base64 = p.samples[0]?.base64 ? ` (${p.samples[0].base64})` : '';
    lines.push(`| ${p.label} | ${p.does}${base64} | ${fixed(s.median, 3)} | ${spread(s, 3)} | ×${fixed(s.median / floor, 2)} |`);
  }

  lines.push('', '**3. Cold start**: navigation start → session ready (server confirmed: `session.created` / `setupComplete`), fresh browser context per load',
    '', '| path | ms | min–max | of which wasm fetch + compile + instantiate |', '|---|---|---|---|');
  for (const p of receive) {
    const s = stats(p.samples.map((x) => x.readyMs));
    const wasm = p.samples[0]?.wasmInitMs === undefined ? '—' : `${fixed(stats(p.samples.map((x) => x.wasmInitMs)).median, 1)} ms`;
    lines.push(`| ${p.label} | ${fixed(s.median, 1)} | ${spread(s, 1)} | ${wasm} |`);
  }

  lines.push('', `**4. Capture**: main-thread CPU per second of microphone audio (Chromium's fake microphone, ${CAPTURE_SECONDS} s windows, 24 kHz PCM16 sent; idle: per wall second)`,
    '', '| path | what it does | ms CPU / s audio | min–max |', '|---|---|---|---|');
  for (const p of capture) {
    const s = stats(p.samples.map((x) => x.cpuPerSecond));
    const base64 = p.samples[0]?.base64 ? ` (${p.samples[0].base64})` : '';
    lines.push(`| ${p.label} | ${p.does}${base64} | ${fixed(s.median, 3)} | ${spread(s, 3)} |`);
  }
  return `${lines.join('\n')}\n`;
}

// --- the microphone ----------------------------------------------------------------------------

/** A mono PCM16 WAV of a speech-like signal (harmonics of a moving fundamental, syllable envelope). */
function speechlikeWav(rate, seconds) {
  const n = rate * seconds;
  const wav = Buffer.alloc(44 + 2 * n);
  wav.write('RIFF', 0);
  wav.writeUInt32LE(36 + 2 * n, 4);
  wav.write('WAVEfmt ', 8);
  wav.writeUInt32LE(16, 16);
  wav.writeUInt16LE(1, 20);
  wav.writeUInt16LE(1, 22);
  wav.writeUInt32LE(rate, 24);
  wav.writeUInt32LE(2 * rate, 28);
  wav.writeUInt16LE(2, 32);
  wav.writeUInt16LE(16, 34);
  wav.write('data', 36);
  wav.writeUInt32LE(2 * n, 40);
  for (let i = 0; i < n; i++) {
    const t = i / rate;
    const f0 = 140 + 30 * Math.sin(2 * Math.PI * 0.7 * t);
    const envelope = 0.55 + 0.45 * Math.sin(2 * Math.PI * 4 * t);
    let voice = 0;
    for (let k = 1; k <= 8; k++) voice += Math.sin(2 * Math.PI * f0 * k * t) / k;
    wav.writeInt16LE(Math.round(32767 * 0.25 * envelope * voice), 44 + 2 * i);
  }
  return wav;
}

await main();
