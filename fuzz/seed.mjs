// Builds fuzz/corpus/<target>/ from ../shared/fixtures at run time (the fixtures are never copied
// into the repo). Usage: node fuzz/seed.mjs [fixtures dir]. Frames of one input are NUL-separated
// (see src/lib.rs); session scripts are the line format of fuzz_targets/session_script.rs.
import fs from "node:fs";
import path from "node:path";
import { createHash } from "node:crypto";

const here = path.dirname(new URL(import.meta.url).pathname);
const fixtures = path.resolve(process.argv[2] ?? path.join(here, "../../shared/fixtures"));
const corpus = path.join(here, "corpus");

const counts = {};
function seed(target, text) {
  const dir = path.join(corpus, target);
  fs.mkdirSync(dir, { recursive: true });
  // Named by content, like libFuzzer's own files: reseeding is idempotent.
  fs.writeFileSync(path.join(dir, createHash("sha1").update(text).digest("hex")), text);
  counts[target] = (counts[target] ?? 0) + 1;
}
const files = (dir, suffix) =>
  fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => f.endsWith(suffix)).sort().map((f) => path.join(dir, f)) : [];
const jsonLines = (file) => fs.readFileSync(file, "utf8").split("\n").filter((l) => l.trim()).map((l) => JSON.parse(l));

/** Gemini recordings: `>N json` (client) or `<N json` (server) starts a frame; JSON may span lines. */
function geminiFrames(file) {
  const frames = [];
  for (const line of fs.readFileSync(file, "utf8").split("\n")) {
    const start = /^([<>])(\d+) (.*)$/.exec(line);
    if (start) frames.push({ client: start[1] === ">", text: start[3] });
    else if (frames.length) frames[frames.length - 1].text += "\n" + line;
  }
  return frames.map((f) => ({ client: f.client, value: JSON.parse(f.text) }));
}

// Neutral app messages of every kind (written here, not taken from the fixtures): encoder seeds, and
// the app's side of session scripts.
const appMessages = [
  { type: "createConversationItem", item: { role: "user", contents: [{ type: "text", text: "hi" }] } },
  { type: "createResponse", instructions: "be brief", outputModalities: ["text"], maxOutputTokens: 50, toolMode: "auto" },
  { type: "inputAudioBufferAppend", audio: "AAAAAAAA" },
  { type: "inputAudioBufferCommit" },
  { type: "inputAudioBufferClear" },
  { type: "truncateConversationItem", itemId: "item_1", contentIndex: 0, audioEndMs: 500 },
  { type: "deleteConversationItem", itemId: "item_1" },
  { type: "retrieveConversationItem", itemId: "item_1" },
  { type: "cancelResponse" },
  { type: "createConversationItem", item: { contents: [{ type: "functionResult", callId: "c1", name: "f", result: { ok: true } }] } },
  { type: "sessionUpdate", options: { voice: "alloy", instructions: "x", tools: [{ type: "function", name: "f", parameters: { type: "object" } }] } },
  { type: "raw", payload: { type: "custom.event" } },
];
const appOptions = [
  {},
  { kind: "transcription", transcription: { speechLanguage: "en" } },
  { outputModalities: ["text"], toolMode: { requireSpecific: "f" }, tools: [{ type: "function", name: "f" }] },
  { voiceActivityDetection: { enabled: true, eagerness: "high", idleTimeoutMs: 5000 }, inputAudioFormat: { mediaType: "audio/pcmu", sampleRate: 8000 } },
  { providerOptions: { generationConfig: { temperature: 0.5 } }, maxOutputTokens: 100 },
];
for (const target of ["encode_openai", "encode_gemini"]) {
  for (const value of [...appMessages, ...appOptions]) seed(target, JSON.stringify(value));
  seed(target, [...appOptions.slice(0, 2), ...appMessages].map((v) => JSON.stringify(v)).join("\0"));
}

// What a driver does after the server's frames: run tools, report playback, time out, close.
const driverTail = ["r 0 ok 42", "r 0 err failed", "p 0 120", "x 0 240 20", "c 0", "c 1", "k 1006 0", "c 1", "o", "q"];

// OpenAI: the constructed sequences and the recorded captures.
for (const file of files(path.join(fixtures, "openai-sequences"), ".jsonl")) {
  const events = jsonLines(file).filter((r) => r.dir === "s2c").map((r) => JSON.stringify(r.event));
  // Single frames only: the OpenAI codec keeps little state, and whole sessions (MBs) would cut the
  // execution rate a hundredfold.
  events.forEach((e) => seed("decode_openai", e));
  const calls = jsonLines(file).flatMap((r) => (r.event?.item?.type === "function_call" ? [r.event.item.name] : []));
  const script = [`openai playback tools=${[...new Set(calls)].join(",") || "f"}`, "o", ...events.map((e) => `t ${e}`)];
  seed("session_script", [...script.slice(0, 3), ...appMessages.map((m) => `s ${JSON.stringify(m)}`), ...script.slice(3), ...driverTail].join("\n"));
}
for (const file of files(path.join(fixtures, "openai-recorded"), ".server.jsonl")) {
  const events = jsonLines(file).map((e) => JSON.stringify(e));
  events.forEach((e) => seed("decode_openai", e));
  seed("session_script", ["openai playback", "o", ...events.map((e) => `t ${e}`), ...driverTail].join("\n"));
}

// Gemini: the recorded Live sessions (server frames as recorded, binary in the session script).
for (const file of files(path.join(fixtures, "gemini-live-recorded"), ".log")) {
  const frames = geminiFrames(file);
  const server = frames.filter((f) => !f.client).map((f) => JSON.stringify(f.value));
  server.forEach((f) => seed("decode_gemini", f));
  seed("decode_gemini", server.join("\0"));
  const tools = frames.flatMap((f) => f.value.setup?.tools?.[0]?.functionDeclarations?.map((d) => d.name) ?? []);
  const lines = [`gemini playback reconnect tools=${tools.join(",") || "f"}`, "o"];
  for (const frame of frames) {
    const text = frame.value.clientContent?.turns?.[0]?.parts?.[0]?.text;
    if (frame.client && text) lines.push(`s ${JSON.stringify(appMessages[0]).replace('"hi"', JSON.stringify(text))}`, `s {"type":"createResponse"}`);
    if (!frame.client) lines.push(`b ${JSON.stringify(frame.value)}`);
  }
  seed("session_script", [...lines, ...driverTail].join("\n"));
}

if (!counts.decode_openai || !counts.decode_gemini) {
  console.error(`seed: no fixtures under ${fixtures}: the decoders start from an empty corpus`);
}
console.log("seed:", Object.entries(counts).map(([t, n]) => `${t} ${n}`).join(", "));
