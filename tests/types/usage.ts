// App code using the whole public surface of realtime-wasm. Only type-checked (`npx tsc -p
// tests/types`), never run: it proves the declarations let real code compile under `strict`.
import init, {
  initSync,
  version,
  RealtimeClient,
  RealtimeSession,
  RealtimeError,
  defineTool,
  type AudioFormat,
  type ClientMessage,
  type ConnectOptions,
  type Content,
  type ConversationItem,
  type BinaryInput,
  type Bytes,
  type ErrorInfo,
  type FunctionToolWithHandler,
  type InitOutput,
  type Middleware,
  type RealtimeErrorCode,
  type TypedFunctionTool,
  type JsonValue,
  type RateLimit,
  type ResponseStatus,
  type ServerMessage,
  type SessionEvent,
  type SessionEventMap,
  type SessionOptions,
  type SessionState,
  type Tool,
  type ToolCallContext,
  type ToolMode,
  type Usage,
  type VoiceActivityDetection,
} from "realtime-wasm";

// --- initialisation -------------------------------------------------------------------------------

const output: InitOutput = await init();
const pages: number = output.memory.buffer.byteLength / 65536;
await init({ module_or_path: new URL("realtime_wasm_bg.wasm", import.meta.url) });
await init({ module_or_path: fetch("/pkg/realtime_wasm_bg.wasm") });
declare const wasmBytes: ArrayBuffer;
initSync({ module: wasmBytes });
console.log(`realtime-wasm ${version()} (${pages} pages)`);

// --- client ---------------------------------------------------------------------------------------

const client = new RealtimeClient({
  provider: "openai",
  model: "gpt-realtime",
  // Ephemeral token minted by the app's server; the emulator also returns a URL.
  token: async () => {
    const response = await fetch("/session", { method: "POST" });
    const body = (await response.json()) as { token: string; url?: string };
    return body.url === undefined ? { token: body.token } : { token: body.token, url: body.url };
  },
});
const gemini = new RealtimeClient({ provider: "gemini", token: "auth_tokens/abc", endpoint: "ws://127.0.0.1:8080/gemini" });
const direct = new RealtimeClient({ provider: "openai", token: "sk-test", dangerouslyAllowApiKeyInBrowser: true });
const onlyString = new RealtimeClient({ provider: "openai", token: async () => "ek_123" });
const providers: ("openai" | "gemini")[] = [client.provider, gemini.provider];
gemini.free();
direct.free();
{
  using disposable = onlyString;
  console.log(disposable.provider);
}

// --- connect: tools with handlers, middleware, logging --------------------------------------------

interface WeatherArgs {
  city: string;
  unit?: "c" | "f";
}

function isWeatherArgs(args: unknown): args is WeatherArgs {
  return typeof args === "object" && args !== null && typeof (args as { city?: unknown }).city === "string";
}

const weather: FunctionToolWithHandler = {
  type: "function",
  name: "get_weather",
  description: "Current weather of a city",
  parameters: {
    type: "object",
    properties: { city: { type: "string" }, unit: { enum: ["c", "f"] } },
    required: ["city"],
  },
  handler: async (args, { signal, callId }) => {
    if (!isWeatherArgs(args)) throw new TypeError(`${callId}: bad arguments`);
    const response = await fetch(`/weather?city=${encodeURIComponent(args.city)}`, { signal });
    return { city: args.city, celsius: ((await response.json()) as { t: number }).t };
  },
};

const redactor: Middleware = {
  name: "redact",
  send(message) {
    if (message.type === "createConversationItem") {
      const contents: Content<BinaryInput>[] = message.item.contents.map((c) =>
        c.type === "text" ? { type: "text", text: c.text.replace(/\d{16}/g, "[card]") } : c,
      );
      return { ...message, item: { ...message.item, contents } };
    }
    return undefined; // unchanged
  },
  receive(message) {
    // Drop unmapped provider noise; pass everything else unchanged.
    if (message.type === "raw" && message.eventType?.startsWith("response.content_part") === true) return null;
    return undefined;
  },
};

const counter: Middleware = {
  receive(message) {
    received.set(message.type, (received.get(message.type) ?? 0) + 1);
  },
};
const received = new Map<ServerMessage["type"], number>();

const vad: VoiceActivityDetection = { enabled: true, allowInterruption: true, silenceDurationMs: 500, eagerness: "auto" };
const pcm24k: AudioFormat = { mediaType: "audio/pcm", sampleRate: 24000 };
const options: ConnectOptions = {
  instructions: "You are a helpful assistant.",
  voice: "marin",
  outputModalities: ["audio"],
  inputAudioFormat: pcm24k,
  outputAudioFormat: pcm24k,
  transcription: { modelId: "gpt-4o-transcribe", speechLanguage: "en" },
  voiceActivityDetection: vad,
  toolMode: "auto",
  tools: [
    weather,
    {
      name: "local_time",
      handler: (_args: unknown, context: ToolCallContext) => ({ time: new Date().toISOString(), call: context.name }),
    },
    { type: "function", name: "declared_only", description: "the app answers it itself" },
    { type: "hostedMcp", serverLabel: "docs", serverUrl: "https://mcp.example.com", requireApproval: "never" },
  ],
  functionInvocation: { allowConcurrentInvocation: true, maxIterationsPerTurn: 5, includeDetailedErrors: false },
  middleware: [redactor, counter],
  logLevel: "debug",
  connectTimeoutMs: 10_000,
  providerOptions: { audio: { input: { noise_reduction: { type: "near_field" } } } },
};

const session: RealtimeSession = await client.connect(options);

// The audio engine: microphone, playback, barge-in figures.
const voice = await client.connect({ audio: { chunkMs: 20, prebufferMs: 80, playback: true }, voiceActivityDetection: { enabled: false } });
await voice.startMicrophone({ echoCancellation: true, deviceId: "default" });
voice.muted = true;
voice.outputVolume = 0.8;
voice.on("inputLevel", (e) => console.log(e.level.toFixed(2), e.peak));
voice.on("outputLevel", (e) => console.log(e.level));
voice.on("interrupted", (e) => console.log(e.itemId, e.heardMs, e.truncatedAtMs ?? "heard to the end"));
voice.on("playbackBlocked", () => void voice.resumeAudio());
voice.on("reconnecting", (e) => console.log("moving:", e.reason, e.attempt, e.delayMs ?? "when online"));
voice.on("reconnected", () => console.log("resumed"));
voice.on("localSpeechStarted", (e) => console.log("user speaking", e.ducked ? "over the reply" : ""));
voice.on("localSpeechStopped", () => console.log("user quiet"));
await voice.commitAudio({ createResponse: true });
voice.stopMicrophone();
const state: SessionState = session.state;
const effective: SessionOptions = session.options;
const toolNames: string[] = (effective.tools ?? []).map((t: Tool) => (t.type === "function" ? t.name : t.serverLabel));
const enabled: boolean = effective.voiceActivityDetection?.enabled ?? true;
console.log(state, toolNames, enabled, session.provider, providers);
const plain = await client.connect();
await client.connect({ reconnect: { maxAttempts: 3, maxDelayMs: 2_000 } });
await client.connect({ reconnect: false });
await client.connect({ bargeIn: { sensitivity: 0.7, confirmMs: 800 } });
await client.connect({ bargeIn: false });
await plain.close();

// --- events ---------------------------------------------------------------------------------------

let transcript = "";
session.on("outputTextDelta", (m) => m.text.toUpperCase());
session.on("outputAudioTranscriptionDelta", (m) => {
  transcript += m.text;
});
session.on("outputAudioDelta", (m) => {
  if (m.audio) play(m.audio, m.itemId, m.contentIndex);
});
session.on("inputAudioBufferSpeechStarted", (m) => {
  stopPlayback(m.audioStartMs ?? 0);
  session.interrupt();
});
session.on("responseDone", (m) => {
  const status: ResponseStatus | undefined = m.status;
  const usage: Usage | undefined = m.usage;
  const calls = (m.items ?? []).flatMap((item) => item.contents.filter((c) => c.type === "functionCall"));
  console.log(status, m.statusReason, usage?.totalTokens, usage?.outputAudioTokens, calls.length, m.metadata?.["tag"]);
});
session.on("error", (m) => {
  const info: ErrorInfo = m.error;
  if (m.source === "sdk") console.warn("sdk:", info.code, info.message);
  else console.error("server:", info.code, info.param, m.originatingMessageId);
});
session.on("rateLimitsUpdated", (m) => m.rateLimits.forEach((l: RateLimit) => console.log(l.name, l.remaining, l.resetSeconds)));

// SDK events.
session.on("stateChange", (e) => console.log(`${e.previous} -> ${e.state}`));
session.on("metrics", (m) => {
  const waited: number | undefined = m.inputToAudioMs;
  console.log(m.responseId, waited, m.inputToFirstFrameMs, m.firstFrameToAudioMs, m.underruns, m.buffer?.avgMs, m.playedMs, m.usage?.totalTokens);
});
session.on("close", (e) => console.log(e.code, e.reason, e.wasClean));
session.on("toolCallStarted", (e) => console.log("calling", e.name, e.callId, e.arguments));
session.on("toolCallCompleted", (e) => console.log(e.name, e.cancelled ? "cancelled" : e.error ?? e.result, `${e.durationMs} ms`));

const onSessionCreated = (m: SessionEventMap["sessionCreated"]) => console.log(m.sessionId, m.options.model);
session.once("sessionCreated", onSessionCreated);
session.off("sessionCreated", onSessionCreated);

// A generic event logger over the event map.
function logEvents<K extends keyof SessionEventMap>(target: RealtimeSession, ...types: K[]): void {
  for (const type of types) target.on(type, (event: SessionEvent) => console.debug(event.type));
}
logEvents(session, "responseCreated", "conversationItemAdded", "close");

// --- the message stream ---------------------------------------------------------------------------

async function consume(s: RealtimeSession): Promise<string> {
  let text = "";
  for await (const m of s.messages()) {
    switch (m.type) {
      case "outputTextDelta":
      case "outputAudioTranscriptionDelta":
        text += m.text;
        break;
      case "outputAudioDelta": {
        const bytes: Bytes | undefined = m.audio;
        if (bytes) worklet.port.postMessage(bytes, [bytes.buffer]);
        break;
      }
      case "inputAudioTranscriptionCompleted":
        console.log("user said", m.transcription, m.usage?.inputAudioTokens);
        break;
      case "inputAudioTranscriptionFailed":
        console.warn(m.error?.message);
        break;
      case "responseOutputItemDone":
        for (const c of m.item.contents) {
          if (c.type === "functionCall") console.log(c.callId, c.name, JSON.parse(c.arguments) as unknown);
        }
        break;
      case "functionCallArgumentsDone":
        console.log(m.callId, m.name, m.arguments);
        break;
      case "conversationItemAdded":
      case "conversationItemDone":
        render(m.item);
        break;
      case "conversationItemTruncated":
        console.log(m.itemId, m.audioEndMs);
        break;
      case "sessionUpdated":
        console.log(m.options.voice, m.options.toolMode);
        break;
      case "raw": {
        const payload: JsonValue = m.payload;
        console.debug(m.eventType, payload);
        break;
      }
      case "error":
        throw new Error(m.error.message);
      default:
        break;
    }
  }
  return text;
}

function exhaustive(m: ServerMessage): string {
  switch (m.type) {
    case "error": return m.error.message;
    case "sessionCreated": case "sessionUpdated": return m.sessionId ?? "";
    case "inputAudioBufferSpeechStarted": case "inputAudioBufferSpeechStopped": case "inputAudioBufferTimeoutTriggered":
      return String(m.audioEndMs ?? m.audioStartMs);
    case "inputAudioBufferCommitted": case "conversationItemDeleted": return m.itemId;
    case "inputAudioBufferCleared": return m.messageId ?? "";
    case "inputAudioTranscriptionDelta": case "inputAudioTranscriptionCompleted": case "inputAudioTranscriptionFailed":
      return m.transcription ?? "";
    case "inputAudioTranscriptionSegment": return `${m.speaker ?? "?"}: ${m.text} [${m.start}-${m.end}]`;
    case "outputTextDelta": case "outputTextDone": case "outputAudioTranscriptionDelta": case "outputAudioTranscriptionDone":
      return `${m.responseId}/${m.itemId}/${m.outputIndex}/${m.contentIndex}: ${m.text}`;
    case "outputAudioDelta": case "outputAudioDone": return String(m.audio?.byteLength ?? 0);
    case "responseCreated": case "responseDone": return `${m.responseId} ${m.inConversation}`;
    case "responseOutputItemAdded": case "responseOutputItemDone": return m.item.id ?? "";
    case "conversationItemAdded": case "conversationItemDone": case "conversationItemRetrieved":
      return `${m.previousItemId} ${m.item.role}`;
    case "conversationItemTruncated": return String(m.audioEndMs);
    case "functionCallArgumentsDelta": case "functionCallArgumentsDone": return m.delta ?? m.arguments ?? "";
    case "rateLimitsUpdated": return String(m.rateLimits.length);
    case "toolCallsCancelled": return m.callIds.join(",");
    case "goAway": return `${m.timeLeftMs ?? "?"} ms left`;
    case "raw": return m.eventType ?? "";
    default: {
      const never: never = m;
      return never;
    }
  }
}

// --- sending --------------------------------------------------------------------------------------

declare const micChunk: Int16Array;
const audio = new Uint8Array(micChunk.buffer, micChunk.byteOffset, micChunk.byteLength);
await session.send({ type: "inputAudioBufferAppend", audio });
await session.send({ type: "inputAudioBufferAppend", audio: "AAAA", messageId: "evt_1" });
await session.send({ type: "inputAudioBufferCommit" });
await session.send({ type: "inputAudioBufferClear" });
await session.send({
  type: "createConversationItem",
  item: {
    role: "user",
    contents: [
      { type: "text", text: "What is in this picture?" },
      { type: "image", imageUrl: "data:image/png;base64,iVBORw0KGgo=", detail: "low" },
      { type: "audio", audio, format: pcm24k },
    ],
  },
  previousItemId: "root",
});
await session.send({
  type: "createConversationItem",
  item: { contents: [{ type: "functionResult", callId: "call_1", name: "get_weather", result: { celsius: 21 } }] },
});
await session.send({ type: "truncateConversationItem", itemId: "item_1", audioEndMs: 1500 });
await session.send({ type: "truncateConversationItem", itemId: "item_1", contentIndex: 0, audioEndMs: 1500 });
await session.send({ type: "deleteConversationItem", itemId: "item_2" });
await session.send({ type: "retrieveConversationItem", itemId: "item_3" });
await session.send({ type: "sessionUpdate", options: { instructions: "Be brief.", toolMode: { requireSpecific: "get_weather" } } });
await session.send({
  type: "createResponse",
  excludeFromConversation: true,
  outputModalities: ["text"],
  metadata: { purpose: "classification" },
  items: [{ role: "user", contents: [{ type: "text", text: "Classify the conversation." }] }],
  instructions: "One word.",
});
await session.send({ type: "cancelResponse" });
await session.send({ type: "raw", payload: { type: "output_audio_buffer.clear" }, messageId: "evt_raw" });

// Messages built up front and sent later.
const queue: ClientMessage[] = [
  { type: "inputAudioBufferCommit" },
  { type: "createResponse", voice: "cedar" },
];
for (const m of queue) await session.send(m);

// A server item sent back as-is (audio bytes are valid input).
session.on("conversationItemDone", (m) => {
  const copy: ConversationItem<BinaryInput> = m.item;
  void session.send({ type: "createConversationItem", item: copy });
});

// --- convenience methods --------------------------------------------------------------------------

await session.sendText("Hello!");
await session.sendText("Just context.", { createResponse: false });
await session.createResponse();
await session.createResponse({ instructions: "Answer in French.", maxOutputTokens: 200, toolMode: "none" });
await session.cancelResponse();
await session.cancelResponse("resp_1");
const mode: ToolMode = "requireAny";
await session.update({ ...effective, voice: "marin", toolMode: mode });
await session.registerTool({
  name: "roll_dice",
  parameters: { type: "object", properties: { sides: { type: "integer" } } },
  handler: async (args) => {
    const sides = typeof args === "object" && args !== null && "sides" in args && typeof args.sides === "number" ? args.sides : 6;
    return 1 + Math.floor(Math.random() * sides);
  },
});
await session.registerTool({ type: "function", name: "noop", handler: () => null });
// Typed tools: the handler receives the declared argument type; tools of different types share a list.
const add = defineTool<{ a: number; b: number }>({
  name: "add",
  parameters: { type: "object", properties: { a: { type: "number" }, b: { type: "number" } }, required: ["a", "b"] },
  handler: ({ a, b }, { signal }) => (signal.aborted ? null : a + b),
});
const greet: TypedFunctionTool<{ name: string }> = defineTool<{ name: string }>({ name: "greet", handler: ({ name }) => `hi ${name.toUpperCase()}` });
await client.connect({ tools: [add, greet, weather, { type: "function", name: "app_answers" }] });
await session.registerTool<{ city: string }>({ name: "where", handler: async ({ city }) => city.length });
// Errors: the SDK's own are RealtimeError with a typed code; SDK error events carry the same codes.
try {
  await session.sendText("late");
} catch (e) {
  if (e instanceof RealtimeError) {
    const code: RealtimeErrorCode = e.code;
    if (code === "session_closed") console.log(e.name, e.message);
  } else if (e instanceof TypeError) {
    console.log("bad argument:", e.message);
  }
}
session.on("error", (m) => {
  if (m.source === "sdk") {
    const code: RealtimeErrorCode = m.error.code;
    console.log(code, m.error.kind satisfies "sdk_error");
  }
});
await session.unregisterTool("roll_dice");

const text = consume(session);
await session.close();
await session.close(); // idempotent
console.log(await text, exhaustive, transcript);
session.free();
client.free();

// --- helpers the app would have -------------------------------------------------------------------

declare const worklet: AudioWorkletNode;
declare function play(pcm: Bytes, itemId: string, contentIndex: number): void;
declare function stopPlayback(atMs: number): void;
declare function render(item: ConversationItem): void;
