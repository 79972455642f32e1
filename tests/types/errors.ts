// Misuse that must NOT compile. Every `@ts-expect-error` line must really be an error, otherwise tsc
// reports "Unused '@ts-expect-error' directive" and the check fails: the declarations must stay strict.
import { RealtimeClient, RealtimeError, defineTool, type ClientMessage, type ServerMessage, type SessionEventMap, type SessionOptions } from "realtime-wasm";

declare const session: import("realtime-wasm").RealtimeSession;

// --- client options -------------------------------------------------------------------------------

// @ts-expect-error wrong provider string
new RealtimeClient({ provider: "anthropic", token: "ek_1" });
// @ts-expect-error provider is required
new RealtimeClient({ token: "ek_1" });
// @ts-expect-error token is required
new RealtimeClient({ provider: "openai" });
// @ts-expect-error a token provider returns a promise, not a bare string
new RealtimeClient({ provider: "openai", token: () => "ek_1" });
// @ts-expect-error the token object needs `token`
new RealtimeClient({ provider: "gemini", token: async () => ({ url: "ws://x" }) });
// @ts-expect-error sessions come from connect()
new (session.constructor as typeof import("realtime-wasm").RealtimeSession)();

// @ts-expect-error reconnect limits are numbers
void new RealtimeClient({ provider: "gemini", token: "t" }).connect({ reconnect: { maxAttempts: "3" } });
// @ts-expect-error reconnect is a boolean or limits
void new RealtimeClient({ provider: "gemini", token: "t" }).connect({ reconnect: "off" });

// --- events ---------------------------------------------------------------------------------------

// @ts-expect-error wrong event payload property (text deltas have `text`, not `delta`)
session.on("outputTextDelta", (m) => m.delta);
// @ts-expect-error unknown event type
session.on("outputTextDeltas", () => {});
// @ts-expect-error audio deltas carry bytes, not a string
session.on("outputAudioDelta", (m) => m.audio?.toUpperCase());
// @ts-expect-error close events have no `text`
session.once("close", (e) => e.text);
// @ts-expect-error a handler for one type cannot be registered for another
session.off("responseDone", (m: SessionEventMap["outputTextDelta"]) => m.text);
session.on("error", (m) => {
  // @ts-expect-error source is "server" | "sdk"
  if (m.source === "client") return;
});
session.on("responseDone", (m) => {
  // @ts-expect-error server messages are read-only
  m.status = "completed";
});

// --- the message stream ---------------------------------------------------------------------------

export async function narrowing(): Promise<void> {
  for await (const m of session.messages()) {
    // @ts-expect-error `text` exists only after narrowing on `type`
    console.log(m.text);
    if (m.type === "responseDone") {
      // @ts-expect-error responseDone has no `text`
      console.log(m.text);
    }
    // @ts-expect-error no such server message type
    if (m.type === "responseFinished") return;
  }
}

// @ts-expect-error messages() yields server messages, not client messages
export const wrongStream: AsyncIterableIterator<ClientMessage> = session.messages();

// --- sending --------------------------------------------------------------------------------------

// @ts-expect-error unknown client message type
void session.send({ type: "inputAudioAppend", audio: "AAAA" });
// @ts-expect-error missing required field `audio`
void session.send({ type: "inputAudioBufferAppend" });
// @ts-expect-error audio is bytes or base64, not a number array of Int16
void session.send({ type: "inputAudioBufferAppend", audio: new Int16Array(4) });
// @ts-expect-error truncate needs `audioEndMs`
void session.send({ type: "truncateConversationItem", itemId: "item_1" });
// @ts-expect-error a server message type is not a client message
void session.send({ type: "responseDone" });
// @ts-expect-error an item needs `contents`
void session.send({ type: "createConversationItem", item: { role: "user" } });
// @ts-expect-error unknown role
void session.send({ type: "createConversationItem", item: { role: "bot", contents: [] } });
// @ts-expect-error unknown content type
void session.send({ type: "createConversationItem", item: { contents: [{ type: "video", url: "x" }] } });
// @ts-expect-error a function result needs `callId`
void session.send({ type: "createConversationItem", item: { contents: [{ type: "functionResult", result: 1 }] } });
// @ts-expect-error raw needs `payload`
void session.send({ type: "raw" });
// @ts-expect-error the overrides of createResponse() take no `type`
void session.createResponse({ type: "createResponse" });
// @ts-expect-error sendText takes a string
void session.sendText({ text: "hi" });

// --- options --------------------------------------------------------------------------------------

// @ts-expect-error unknown modality
export const badModality: SessionOptions = { outputModalities: ["video"] };
// @ts-expect-error unknown media type
export const badFormat: SessionOptions = { inputAudioFormat: { mediaType: "audio/wav", sampleRate: 16000 } };
// @ts-expect-error toolMode with a named tool is `{ requireSpecific: name }`
export const badToolMode: SessionOptions = { toolMode: "requireSpecific" };
// @ts-expect-error eagerness is low | medium | high | auto
export const badEagerness: SessionOptions = { voiceActivityDetection: { eagerness: "eager" } };
// @ts-expect-error a hosted MCP tool needs `serverLabel`
export const badMcp: SessionOptions = { tools: [{ type: "hostedMcp", serverUrl: "https://x" }] };
// @ts-expect-error a tool without a handler needs `type`
export const untyped: SessionOptions = { tools: [{ name: "f" }] };

export async function connecting(client: RealtimeClient): Promise<void> {
  // @ts-expect-error a function tool without `type` must have a handler
  await client.connect({ tools: [{ name: "f", description: "no handler" }] });
  // @ts-expect-error unknown log level
  await client.connect({ logLevel: "verbose" });
  // @ts-expect-error handlers belong on connect's tools, not on SessionOptions
  await session.update({ tools: [{ type: "function", name: "f", handler: () => 1 }] });
  // @ts-expect-error registerTool requires a handler
  await session.registerTool({ type: "function", name: "f" });
  // @ts-expect-error interceptors return a message, null or undefined
  await client.connect({ middleware: [{ send: () => "drop" }] });
  // @ts-expect-error receive gets server messages: no client message types
  await client.connect({ middleware: [{ receive: (m) => (m.type === "sessionUpdate" ? null : m) }] });
  // @ts-expect-error functionInvocation knobs are numbers/booleans
  await client.connect({ functionInvocation: { maxIterationsPerTurn: "5" } });
}

// @ts-expect-error the provider is read-only
session.provider = "gemini";

export function check(m: ServerMessage): void {
  // @ts-expect-error the error message's `error` is an object
  if (m.type === "error") console.log(m.error.toUpperCase());
}

// @ts-expect-error -- interrupted events carry no text
session.on("interrupted", (e) => e.text);
// @ts-expect-error -- chunkMs is a number
void new RealtimeClient({ provider: "openai", token: "ek_1" }).connect({ audio: { chunkMs: "20" } });

// --- typed tools, typed errors ---------------------------------------------------------------------

// @ts-expect-error -- the handler gets the declared type: `a` is a number, not a string
defineTool<{ a: number }>({ name: "t", handler: ({ a }) => a.toUpperCase() });
// @ts-expect-error -- a typed tool needs its handler
defineTool<{ a: number }>({ name: "t" });
// @ts-expect-error -- registerTool<Args> types the handler too
void session.registerTool<{ city: string }>({ name: "w", handler: ({ town }) => town });
export function codes(e: RealtimeError): void {
  // @ts-expect-error -- not a code the SDK emits
  if (e.code === "connection_lost") console.log(e);
  // @ts-expect-error -- the code is read-only
  e.code = "unsupported";
}
// @ts-expect-error -- the SDK creates its errors
new RealtimeError("x", "unsupported");
// @ts-expect-error -- metrics figures are numbers, read-only
session.on("metrics", (m) => { m.underruns = 0; });
