/* tslint:disable */
/* eslint-disable */
// realtime-wasm: TypeScript declarations, written by hand.
//
// scripts/build-pkg.mjs copies this file over the `realtime_wasm.d.ts` that wasm-pack generates, so
// the package exposes the neutral model as discriminated unions instead of wasm-bindgen's `any`.
// The message shapes are the serde form of `src/model/*.rs` (camelCase, `type` discriminator); keep
// them in step with it. Checked by `tests/types/` (`npx tsc -p tests/types`).
//
// Conventions:
// - Messages and events the SDK hands out have `readonly` fields; model types the app also builds
//   (options, items, tools) do not, but their lists are `readonly T[]` so both directions accept them.
// - Binary data (audio) is a `Uint8Array` when the SDK hands it out, and `Uint8Array` or a base64
//   string when the app passes it in (`BinaryInput`).
// - Provider-native JSON is `unknown` where the app passes it in, `JsonValue` where the SDK hands it out.
// - Needs TypeScript 5.7+ (`Uint8Array<ArrayBuffer>`); the classes' `[Symbol.dispose]` (as wasm-bindgen
//   declares it) needs `esnext.disposable` in `lib`, or `skipLibCheck`.

// ---------------------------------------------------------------------------------------------------
// Module initialisation (wasm-pack `--target web`)
// ---------------------------------------------------------------------------------------------------

/** Where the `.wasm` comes from: a URL or request, a response, its bytes, or a compiled module. */
export type InitInput = RequestInfo | URL | Response | BufferSource | WebAssembly.Module;

/** What `initSync` accepts: the `.wasm` bytes or a compiled module. */
export type SyncInitInput = BufferSource | WebAssembly.Module;

/** The instantiated module's raw exports (internal: use the functions and classes of this module). */
export interface InitOutput {
  readonly memory: WebAssembly.Memory;
  readonly [exportName: string]: unknown;
}

/**
 * Instantiates the module synchronously from its bytes or a compiled `WebAssembly.Module`.
 *
 * @param module - `{ module }`; passing `SyncInitInput` directly is deprecated.
 */
export function initSync(module: { module: SyncInitInput } | SyncInitInput): InitOutput;

/**
 * Loads and instantiates the module. Call (and await) it once before using anything else.
 * Without an argument the `.wasm` is fetched from next to this module's JS file.
 *
 * @param module_or_path - `{ module_or_path }`; passing `InitInput` directly is deprecated.
 */
export default function __wbg_init(
  module_or_path?: { module_or_path: InitInput | Promise<InitInput> } | InitInput | Promise<InitInput>,
): Promise<InitOutput>;

/** The SDK version (the crate version, e.g. `"0.1.0"`). */
export function version(): string;

// ---------------------------------------------------------------------------------------------------
// Shared data
// ---------------------------------------------------------------------------------------------------

/** Any JSON value, as the SDK hands out provider-native payloads. */
export type JsonValue = null | boolean | number | string | JsonValue[] | JsonObject;

/** A JSON object. */
export interface JsonObject {
  [key: string]: JsonValue;
}

/** Binary data as the SDK hands it out (a fresh copy the app may keep, transfer or mutate). */
export type Bytes = Uint8Array<ArrayBuffer>;

/** Binary data as the app passes it in: bytes, or standard base64 (padding optional). */
export type BinaryInput = Uint8Array | string;

// ---------------------------------------------------------------------------------------------------
// Session options
// ---------------------------------------------------------------------------------------------------

/** Conversation (voice/text model) or transcription-only session. Default `"conversation"`. */
export type SessionKind = "conversation" | "transcription";

/** What the model may produce. */
export type Modality = "text" | "audio";

/** Audio media types: 16-bit LE mono PCM, G.711 μ-law, G.711 A-law. */
export type AudioMediaType = "audio/pcm" | "audio/pcmu" | "audio/pcma";

/** An audio wire format. OpenAI requires `audio/pcm` at 24000 Hz; G.711 is 8000 Hz. */
export interface AudioFormat {
  mediaType: AudioMediaType;
  /** Samples per second, in Hz. */
  sampleRate: number;
}

/** Input-audio transcription (ASR) settings. Presence turns transcription on. */
export interface TranscriptionOptions {
  /** ISO-639-1 language hint. */
  speechLanguage?: string;
  /** The transcription model, e.g. `"gpt-4o-transcribe"`. */
  modelId?: string;
  /** A prompt guiding the transcription (vocabulary, style). */
  prompt?: string;
}

/** How eagerly semantic turn detection ends the user's turn. */
export type Eagerness = "low" | "medium" | "high" | "auto";

/**
 * Voice activity detection (server-side turn detection). `enabled: false` means manual turns: the
 * app commits audio and asks for responses itself. A provider ignores the tuning knobs it lacks.
 */
export interface VoiceActivityDetection {
  /** Default `true`; always present in options the SDK reports. */
  enabled?: boolean;
  /** Barge-in: user speech cancels the response in progress. Default `true`; always present in options the SDK reports. */
  allowInterruption?: boolean;
  /** Start a response when the user stops speaking (absent: the provider default, i.e. yes). */
  createResponse?: boolean;
  /** Activation threshold, 0.0–1.0. */
  threshold?: number;
  /** Audio kept from before speech was detected, in ms. */
  prefixPaddingMs?: number;
  /** Silence that ends the turn, in ms. */
  silenceDurationMs?: number;
  /** Setting it selects semantic (model-based) turn detection where the provider has it. */
  eagerness?: Eagerness;
  /** Silence after which the server sends `inputAudioBufferTimeoutTriggered`, in ms. */
  idleTimeoutMs?: number;
}

/** Which tools the model may or must call: `"auto"`, `"none"`, `"requireAny"` or one named tool. */
export type ToolMode = "auto" | "none" | "requireAny" | { requireSpecific: string };

/** A function the app implements (the seed's `AIFunctionDeclaration`). */
export interface FunctionTool {
  type: "function";
  name: string;
  description?: string;
  /** JSON Schema of the arguments object. */
  parameters?: unknown;
}

/** A remote MCP server the provider calls itself (the seed's `HostedMcpServerTool`). */
export interface HostedMcpTool {
  type: "hostedMcp";
  serverLabel: string;
  serverUrl?: string;
  connectorId?: string;
  allowedTools?: readonly string[];
  /** `"always"` or `"never"` (the server may report other values). */
  requireApproval?: "always" | "never" | (string & {});
}

/** A tool the model may call. */
export type Tool = FunctionTool | HostedMcpTool;

/**
 * Session options (the seed's `RealtimeSessionOptions`). Every field is optional: absent means
 * "provider default" on the way out, "not reported" when the SDK reports effective options.
 */
export interface SessionOptions {
  /** Default `"conversation"` (absent from reported options when it is the default). */
  kind?: SessionKind;
  model?: string;
  inputAudioFormat?: AudioFormat;
  outputAudioFormat?: AudioFormat;
  /** Presence turns input transcription on. */
  transcription?: TranscriptionOptions;
  /** A provider voice name; OpenAI custom voices start with `voice_`. */
  voice?: string;
  /** System instructions. */
  instructions?: string;
  maxOutputTokens?: number;
  /** OpenAI produces one modality: a list containing `"audio"` means audio (with transcript). */
  outputModalities?: readonly Modality[];
  toolMode?: ToolMode;
  tools?: readonly Tool[];
  /** Absent: the provider default (server VAD on). */
  voiceActivityDetection?: VoiceActivityDetection;
  /**
   * A provider-native options object merged under the mapped fields: the escape hatch for provider
   * knobs the neutral model lacks.
   */
  providerOptions?: unknown;
}

// ---------------------------------------------------------------------------------------------------
// Conversation items and contents
// ---------------------------------------------------------------------------------------------------

/** Who authored an item. Function calls and results carry no role. */
export type Role = "user" | "assistant" | "system";

/** Lifecycle of an item as the server reports it. */
export type ItemStatus = "inProgress" | "completed" | "incomplete";

/** An error, as content or as a message payload (the seed's `ErrorContent`). */
export interface ErrorInfo {
  message: string;
  /** Provider error code (e.g. `invalid_value`), or the SDK's ({@link RealtimeErrorCode}). */
  code?: string;
  /** Provider error class (e.g. `invalid_request_error`); `sdk_error` for the SDK's own errors. */
  kind?: string;
  /** The offending parameter, when the provider names one. */
  param?: string;
}

/** Text content. */
export interface TextContent {
  type: "text";
  text: string;
}

/**
 * Audio bytes (PCM16 LE at the format's rate unless `format` says otherwise) and/or its transcript.
 * Server-side items usually carry only the transcript. `Audio` is `Bytes` when the SDK hands the
 * item out, `BinaryInput` when the app sends it.
 */
export interface AudioContent<Audio = Bytes> {
  type: "audio";
  audio?: Audio;
  transcript?: string;
  format?: AudioFormat;
}

/** An image by URL; `data:` URLs carry the bytes inline. */
export interface ImageContent {
  type: "image";
  imageUrl: string;
  /** `"auto"`, `"low"` or `"high"`. */
  detail?: "auto" | "low" | "high" | (string & {});
}

/**
 * A call the model wants made. `arguments` is the JSON text exactly as the model produced it
 * (possibly malformed, which the tool runner reports back to the model).
 */
export interface FunctionCallContent {
  type: "functionCall";
  callId: string;
  name: string;
  arguments: string;
}

/** The outcome of a call: `result` is any JSON value; `error` marks a failed call. */
export interface FunctionResultContent {
  type: "functionResult";
  callId: string;
  /** The function's name: Gemini requires it; OpenAI ignores it. */
  name?: string;
  /** Any JSON value (`null` when absent). */
  result?: unknown;
  error?: string;
}

/** An error as content. */
export interface ErrorContent {
  type: "error";
  error: ErrorInfo;
}

/** A provider item or part the neutral model has no type for (MCP calls, approvals, …), kept whole. */
export interface RawContent {
  type: "raw";
  value: unknown;
}

/** One part of an item (discriminated by `type`). */
export type Content<Audio = Bytes> =
  | TextContent
  | AudioContent<Audio>
  | ImageContent
  | FunctionCallContent
  | FunctionResultContent
  | ErrorContent
  | RawContent;

/**
 * A conversation item (the seed's `RealtimeConversationItem`). Items the SDK hands out carry audio
 * as `Bytes`; items the app sends are `ConversationItem<BinaryInput>`.
 */
export interface ConversationItem<Audio = Bytes> {
  id?: string;
  role?: Role;
  status?: ItemStatus;
  contents: readonly Content<Audio>[];
}

// ---------------------------------------------------------------------------------------------------
// Usage, status, rate limits
// ---------------------------------------------------------------------------------------------------

/**
 * Token counts of one response (or one transcription). Every count is optional: providers report
 * different subsets. The text/audio/image counts are subsets of the input/output totals.
 */
export interface Usage {
  readonly inputTokens?: number;
  readonly outputTokens?: number;
  readonly totalTokens?: number;
  readonly cachedInputTokens?: number;
  readonly inputTextTokens?: number;
  readonly inputAudioTokens?: number;
  readonly inputImageTokens?: number;
  readonly outputTextTokens?: number;
  readonly outputAudioTokens?: number;
}

/** Where a response stands. `cancelled` is what barge-in produces; `incomplete`: ended early. */
export type ResponseStatus = "inProgress" | "completed" | "cancelled" | "incomplete" | "failed";

/** A provider rate limit as last reported. */
export interface RateLimit {
  readonly name: string;
  readonly limit?: number;
  readonly remaining?: number;
  /** Seconds until the limit resets. */
  readonly resetSeconds?: number;
}

// ---------------------------------------------------------------------------------------------------
// Client messages (app → server)
// ---------------------------------------------------------------------------------------------------

/** Fields every client message may carry. */
export interface ClientMessageBase {
  /** The app's id for this message (wire `event_id`), echoed as `originatingMessageId` by errors it causes. */
  messageId?: string;
}

/** Reconfigure the session. Providers that cannot (Gemini) answer with a typed error. */
export interface SessionUpdateMessage extends ClientMessageBase {
  type: "sessionUpdate";
  options: SessionOptions;
}

/** A chunk of microphone audio in the session's input format (PCM16 LE at the provider rate). */
export interface InputAudioBufferAppendMessage extends ClientMessageBase {
  type: "inputAudioBufferAppend";
  audio: BinaryInput;
}

/** End the user's audio turn (manual turn detection). */
export interface InputAudioBufferCommitMessage extends ClientMessageBase {
  type: "inputAudioBufferCommit";
}

/** Discard uncommitted input audio. */
export interface InputAudioBufferClearMessage extends ClientMessageBase {
  type: "inputAudioBufferClear";
}

/** Add an item to the conversation (a user message, a function result, …). */
export interface CreateConversationItemMessage extends ClientMessageBase {
  type: "createConversationItem";
  item: ConversationItem<BinaryInput>;
  /** Insert after this item (`"root"` = at the start); absent = append. */
  previousItemId?: string;
}

/** Cut an assistant audio item at what the user actually heard (exact barge-in). */
export interface TruncateConversationItemMessage extends ClientMessageBase {
  type: "truncateConversationItem";
  itemId: string;
  /** Default 0. */
  contentIndex?: number;
  /** Milliseconds of the item's audio the user heard. */
  audioEndMs: number;
}

/** Remove an item from the conversation. */
export interface DeleteConversationItemMessage extends ClientMessageBase {
  type: "deleteConversationItem";
  itemId: string;
}

/** Ask the server for an item (answered by `conversationItemRetrieved`). */
export interface RetrieveConversationItemMessage extends ClientMessageBase {
  type: "retrieveConversationItem";
  itemId: string;
}

/**
 * Ask the model to respond. Every field overrides the session for this response only. While a
 * response is active the SDK holds it until `responseDone` (unless `excludeFromConversation`).
 */
export interface CreateResponseMessage extends ClientMessageBase {
  type: "createResponse";
  /** Input items for this response only (out-of-band context). */
  items?: readonly ConversationItem<BinaryInput>[];
  outputAudioFormat?: AudioFormat;
  voice?: string;
  instructions?: string;
  /** `true`: an out-of-band response that does not write to the conversation. */
  excludeFromConversation?: boolean;
  maxOutputTokens?: number;
  /** Caller tags echoed on the response's `responseCreated`/`responseDone`. */
  metadata?: Record<string, unknown>;
  outputModalities?: readonly Modality[];
  toolMode?: ToolMode;
  tools?: readonly Tool[];
}

/** Cancel a response in progress. */
export interface CancelResponseMessage extends ClientMessageBase {
  type: "cancelResponse";
  /** Absent: the response in progress in the default conversation. */
  responseId?: string;
}

/**
 * A provider-native payload sent untouched (the escape hatch). An object payload gets `event_id`
 * from `messageId` when it has none.
 */
export interface RawClientMessage extends ClientMessageBase {
  type: "raw";
  payload: unknown;
}

/** Any message the app sends (discriminated by `type`). */
export type ClientMessage =
  | SessionUpdateMessage
  | InputAudioBufferAppendMessage
  | InputAudioBufferCommitMessage
  | InputAudioBufferClearMessage
  | CreateConversationItemMessage
  | TruncateConversationItemMessage
  | DeleteConversationItemMessage
  | RetrieveConversationItemMessage
  | CreateResponseMessage
  | CancelResponseMessage
  | RawClientMessage;

// ---------------------------------------------------------------------------------------------------
// Server messages (server → app), payloads first
// ---------------------------------------------------------------------------------------------------

/** Fields every server message may carry. */
export interface ServerMessageBase {
  /** The wire `event_id` this message came with. */
  readonly messageId?: string;
  /**
   * With `rawFrames: true`: the provider frame (JSON text) this message was decoded from; messages
   * the SDK makes itself have none.
   */
  readonly rawFrame?: string;
}

/** The session's id and its effective options as the server reports them. */
export interface SessionInfo extends ServerMessageBase {
  readonly sessionId?: string;
  readonly options: SessionOptions;
}

/** Server-side voice activity: speech started (the barge-in signal), stopped, or idle timeout. */
export interface SpeechEvent extends ServerMessageBase {
  /** The user item the speech will become. */
  readonly itemId?: string;
  /** Milliseconds since the start of the session's input audio. */
  readonly audioStartMs?: number;
  readonly audioEndMs?: number;
}

/** A reference to an item (committed audio, deleted item). */
export interface ItemReference extends ServerMessageBase {
  readonly itemId: string;
  readonly previousItemId?: string;
}

/**
 * Input-audio transcription progress: `transcription` is the delta (on delta) or the whole text (on
 * completed); `error` is set on failed.
 */
export interface InputTranscription extends ServerMessageBase {
  readonly itemId: string;
  readonly contentIndex: number;
  readonly transcription?: string;
  /** Transcription usage, billed separately from responses. */
  readonly usage?: Usage;
  readonly error?: ErrorInfo;
}

/** A diarized transcription segment. */
export interface TranscriptionSegment extends ServerMessageBase {
  readonly itemId: string;
  readonly contentIndex: number;
  readonly segmentId: string;
  readonly text: string;
  readonly speaker?: string;
  /** Seconds. */
  readonly start?: number;
  /** Seconds. */
  readonly end?: number;
}

/** Where in a response a piece of output belongs. */
export interface OutputPosition {
  /** Absent when the provider has no response ids. */
  readonly responseId?: string;
  readonly itemId: string;
  readonly outputIndex: number;
  readonly contentIndex: number;
}

/** Output text or audio transcript: a delta, or the whole text on done. */
export interface OutputText extends ServerMessageBase, OutputPosition {
  readonly text: string;
}

/** Output audio: PCM16 LE bytes at the session's output rate on delta; none on done. */
export interface OutputAudio extends ServerMessageBase, OutputPosition {
  readonly audio?: Bytes;
}

/** A response's lifecycle (created, done). On done: final status, usage and output items. */
export interface ResponseInfo extends ServerMessageBase {
  /** May be synthetic for providers without response ids. */
  readonly responseId?: string;
  readonly status?: ResponseStatus;
  /** Why the response ended as it did: `turn_detected`, `client_cancelled`, `max_output_tokens`, `content_filter`, …; `connection_lost`, `session_expired`, `go_away` when the connection that streamed it was lost (the session resumes). */
  readonly statusReason?: string;
  readonly error?: ErrorInfo;
  readonly usage?: Usage;
  /** The output items; absent when there are none. */
  readonly items?: readonly ConversationItem[];
  readonly outputModalities?: readonly Modality[];
  readonly voice?: string;
  readonly outputAudioFormat?: AudioFormat;
  readonly maxOutputTokens?: number;
  /** Caller metadata echoed from `createResponse`. */
  readonly metadata?: JsonObject;
  /** `false` for out-of-band responses (`excludeFromConversation`). */
  readonly inConversation?: boolean;
}

/** An output item of a response (added, done). */
export interface ResponseOutputItem extends ServerMessageBase {
  readonly responseId?: string;
  readonly outputIndex: number;
  readonly item: ConversationItem;
}

/** An item of the conversation (added, done, retrieved). */
export interface ConversationItemEvent extends ServerMessageBase {
  readonly previousItemId?: string;
  readonly item: ConversationItem;
}

/** An assistant audio item was cut. */
export interface ItemTruncated extends ServerMessageBase {
  readonly itemId: string;
  readonly contentIndex: number;
  readonly audioEndMs: number;
}

/** Streaming function-call arguments: `delta` while streaming; `name` + `arguments` when done. */
export interface FunctionCallArguments extends ServerMessageBase {
  readonly responseId?: string;
  readonly itemId: string;
  readonly outputIndex: number;
  readonly callId: string;
  readonly delta?: string;
  readonly name?: string;
  readonly arguments?: string;
}

/** The provider's rate limits. */
export interface RateLimits extends ServerMessageBase {
  readonly rateLimits: readonly RateLimit[];
}

/** An unmapped provider event: its wire type and the whole original JSON. */
export interface RawEvent extends ServerMessageBase {
  readonly eventType?: string;
  readonly payload: JsonValue;
}

/** Fields of both kinds of `error` message. */
export interface ErrorMessageBase extends ServerMessageBase {
  readonly type: "error";
  readonly error: ErrorInfo;
  /** The `messageId` of the client message that caused it, when known. */
  readonly originatingMessageId?: string;
}

/** The provider's error (`error.code` is the provider's, e.g. `invalid_value`). */
export interface ServerErrorMessage extends ErrorMessageBase {
  /** `"server"` or absent. */
  readonly source?: "server";
}

/**
 * The SDK's own error (connect timeout, an undecodable frame, a dropped connection, …): `source:
 * "sdk"`, `error.kind === "sdk_error"` and a code of {@link RealtimeErrorCode}.
 */
export interface SdkErrorMessage extends ErrorMessageBase {
  readonly source: "sdk";
  readonly error: ErrorInfo & { readonly code: RealtimeErrorCode; readonly kind: "sdk_error" };
}

/** An `error` message: the provider's or the SDK's (narrow on `source`). */
export type ErrorMessage = ServerErrorMessage | SdkErrorMessage;

/**
 * The codes of the SDK's own errors: `RealtimeError.code` of a rejection, `error.code` of an
 * {@link SdkErrorMessage}. The same list as the Rust `ErrorCode` (checked by `tests/error_codes.rs`).
 */
export type RealtimeErrorCode =
  | "connection_failed"
  | "connection_closed"
  | "connect_timeout"
  | "session_closed"
  | "unsupported"
  | "invalid_message"
  | "decode_error"
  | "frame_too_large"
  | "reconnect_failed"
  | "unknown_tool"
  | "too_many_tool_errors"
  | "max_tool_iterations";

/**
 * What the SDK rejects (or throws) with when the session, the connection or the provider is the
 * cause: `connect()` failing (`connection_failed`, `connect_timeout`), a call on a closed session
 * (`session_closed`), something the provider cannot do (`unsupported`), … Wrong arguments are a
 * `TypeError`/`RangeError` naming the field instead (with `code: "invalid_message"` when a message
 * the codec cannot express was the cause).
 *
 * @example
 * try { await session.sendText("hi"); }
 * catch (e) { if (e instanceof RealtimeError && e.code === "session_closed") reconnect(); }
 */
export class RealtimeError extends Error {
  private constructor();
  readonly name: "RealtimeError";
  readonly code: RealtimeErrorCode;
}

/** The session is established (OpenAI `session.created`, Gemini `setupComplete`). */
export interface SessionCreatedMessage extends SessionInfo {
  readonly type: "sessionCreated";
}

/** The server applied a `sessionUpdate`. */
export interface SessionUpdatedMessage extends SessionInfo {
  readonly type: "sessionUpdated";
}

/** The user started speaking: the barge-in signal. */
export interface InputAudioBufferSpeechStartedMessage extends SpeechEvent {
  readonly type: "inputAudioBufferSpeechStarted";
}

/** The user stopped speaking. */
export interface InputAudioBufferSpeechStoppedMessage extends SpeechEvent {
  readonly type: "inputAudioBufferSpeechStopped";
}

/** No speech for `idleTimeoutMs`. */
export interface InputAudioBufferTimeoutTriggeredMessage extends SpeechEvent {
  readonly type: "inputAudioBufferTimeoutTriggered";
}

/** The input audio became a user item. */
export interface InputAudioBufferCommittedMessage extends ItemReference {
  readonly type: "inputAudioBufferCommitted";
}

/** Uncommitted input audio was discarded. */
export interface InputAudioBufferClearedMessage extends ServerMessageBase {
  readonly type: "inputAudioBufferCleared";
}

/** A piece of the user's speech transcript. */
export interface InputAudioTranscriptionDeltaMessage extends InputTranscription {
  readonly type: "inputAudioTranscriptionDelta";
}

/** The user's speech transcript, whole. */
export interface InputAudioTranscriptionCompletedMessage extends InputTranscription {
  readonly type: "inputAudioTranscriptionCompleted";
}

/** Transcribing the user's speech failed (`error` says why). */
export interface InputAudioTranscriptionFailedMessage extends InputTranscription {
  readonly type: "inputAudioTranscriptionFailed";
}

/** A diarized segment of the user's speech transcript. */
export interface InputAudioTranscriptionSegmentMessage extends TranscriptionSegment {
  readonly type: "inputAudioTranscriptionSegment";
}

/** A piece of output text. */
export interface OutputTextDeltaMessage extends OutputText {
  readonly type: "outputTextDelta";
}

/** The whole output text of a content part. */
export interface OutputTextDoneMessage extends OutputText {
  readonly type: "outputTextDone";
}

/** A chunk of output audio (PCM16 LE at the session's output rate). */
export interface OutputAudioDeltaMessage extends OutputAudio {
  readonly type: "outputAudioDelta";
  /** PCM16 LE at the output format's rate (empty when the provider sent a delta without bytes). */
  readonly audio: Bytes;
}

/** The output audio of a content part is complete (no bytes). */
export interface OutputAudioDoneMessage extends OutputAudio {
  readonly type: "outputAudioDone";
}

/** A piece of the output audio's transcript. */
export interface OutputAudioTranscriptionDeltaMessage extends OutputText {
  readonly type: "outputAudioTranscriptionDelta";
}

/** The whole transcript of a content part's output audio. */
export interface OutputAudioTranscriptionDoneMessage extends OutputText {
  readonly type: "outputAudioTranscriptionDone";
}

/** A response started. */
export interface ResponseCreatedMessage extends ResponseInfo {
  readonly type: "responseCreated";
}

/** A response ended: final status, usage and output items. */
export interface ResponseDoneMessage extends ResponseInfo {
  readonly type: "responseDone";
}

/** A response added an output item. */
export interface ResponseOutputItemAddedMessage extends ResponseOutputItem {
  readonly type: "responseOutputItemAdded";
}

/** An output item is complete (function calls are run from here). */
export interface ResponseOutputItemDoneMessage extends ResponseOutputItem {
  readonly type: "responseOutputItemDone";
}

/** An item was added to the conversation. */
export interface ConversationItemAddedMessage extends ConversationItemEvent {
  readonly type: "conversationItemAdded";
}

/** A conversation item is complete. */
export interface ConversationItemDoneMessage extends ConversationItemEvent {
  readonly type: "conversationItemDone";
}

/** The answer to `retrieveConversationItem`. */
export interface ConversationItemRetrievedMessage extends ConversationItemEvent {
  readonly type: "conversationItemRetrieved";
}

/** An assistant audio item was truncated. */
export interface ConversationItemTruncatedMessage extends ItemTruncated {
  readonly type: "conversationItemTruncated";
}

/** An item was deleted. */
export interface ConversationItemDeletedMessage extends ItemReference {
  readonly type: "conversationItemDeleted";
}

/** A piece of a function call's arguments. */
export interface FunctionCallArgumentsDeltaMessage extends FunctionCallArguments {
  readonly type: "functionCallArgumentsDelta";
}

/** A function call's arguments, whole. */
export interface FunctionCallArgumentsDoneMessage extends FunctionCallArguments {
  readonly type: "functionCallArgumentsDone";
}

/** The provider's rate limits changed. */
export interface RateLimitsUpdatedMessage extends RateLimits {
  readonly type: "rateLimitsUpdated";
}

/** The provider voided pending tool calls (Gemini `toolCallCancellation`); the SDK drops their results. */
export interface ToolCallsCancelledMessage {
  readonly type: "toolCallsCancelled";
  readonly messageId?: string;
  readonly callIds: readonly string[];
}

/** The provider will close the connection soon (Gemini `goAway`). */
export interface GoAwayMessage {
  readonly type: "goAway";
  readonly messageId?: string;
  readonly timeLeftMs?: number;
}

/** A provider event the neutral model does not map, kept whole. */
export interface RawServerMessage extends RawEvent {
  readonly type: "raw";
}

/** Any message from the server (discriminated by `type`). */
export type ServerMessage =
  | ErrorMessage
  | SessionCreatedMessage
  | SessionUpdatedMessage
  | InputAudioBufferSpeechStartedMessage
  | InputAudioBufferSpeechStoppedMessage
  | InputAudioBufferTimeoutTriggeredMessage
  | InputAudioBufferCommittedMessage
  | InputAudioBufferClearedMessage
  | InputAudioTranscriptionDeltaMessage
  | InputAudioTranscriptionCompletedMessage
  | InputAudioTranscriptionFailedMessage
  | InputAudioTranscriptionSegmentMessage
  | OutputTextDeltaMessage
  | OutputTextDoneMessage
  | OutputAudioDeltaMessage
  | OutputAudioDoneMessage
  | OutputAudioTranscriptionDeltaMessage
  | OutputAudioTranscriptionDoneMessage
  | ResponseCreatedMessage
  | ResponseDoneMessage
  | ResponseOutputItemAddedMessage
  | ResponseOutputItemDoneMessage
  | ConversationItemAddedMessage
  | ConversationItemDoneMessage
  | ConversationItemRetrievedMessage
  | ConversationItemTruncatedMessage
  | ConversationItemDeletedMessage
  | FunctionCallArgumentsDeltaMessage
  | FunctionCallArgumentsDoneMessage
  | RateLimitsUpdatedMessage
  | ToolCallsCancelledMessage
  | GoAwayMessage
  | RawServerMessage;

// ---------------------------------------------------------------------------------------------------
// SDK events
// ---------------------------------------------------------------------------------------------------

/** Connection lifecycle: `connecting` → `open` → `closing` → `closed`. */
export type SessionState = "connecting" | "open" | "closing" | "closed";

/** The session changed state. */
export interface StateChangeEvent {
  readonly type: "stateChange";
  readonly state: SessionState;
  readonly previous: SessionState;
}

/** The connection closed (by either side, or because it failed). */
export interface SessionCloseEvent {
  readonly type: "close";
  /** The WebSocket close code (1000 = normal). */
  readonly code: number;
  readonly reason: string;
  readonly wasClean: boolean;
}

/** A registered tool handler is about to run. */
export interface ToolCallStartedEvent {
  readonly type: "toolCallStarted";
  readonly callId: string;
  readonly name: string;
  /** The parsed arguments. */
  readonly arguments: unknown;
}

/** A tool call finished: its result, or its error, or it was cancelled (result dropped). */
export interface ToolCallCompletedEvent {
  readonly type: "toolCallCompleted";
  readonly callId: string;
  readonly name: string;
  readonly result?: unknown;
  readonly error?: string;
  /** Barge-in or a provider cancellation voided the call; its result was not sent. */
  readonly cancelled: boolean;
  readonly durationMs: number;
}

/** The SDK's own events, beside the server messages. */
/** Barge-in (speech started while allowed) or `interrupt()` stopped playback: what was heard, where the item was cut. */
export interface InterruptedEvent {
  readonly type: "interrupted";
  readonly itemId: string;
  /** Rendered by the playback worklet (silence during underruns not counted). */
  readonly playedMs: number;
  /** `playedMs` minus the output latency, within [0, receivedMs]. */
  readonly heardMs: number;
  readonly receivedMs: number;
  readonly outputLatencyMs: number;
  /** The `truncateConversationItem` sent, absent when the item had been heard to the end. */
  readonly truncatedAtMs?: number;
}

/**
 * On-device barge-in (`ConnectOptions.bargeIn`): the SDK's voice detector heard the user start
 * speaking into the microphone. `ducked`: a reply was playing and was faded out at once; it is
 * stopped (`interrupted`) when the barge-in is confirmed, and resumes where it was otherwise.
 */
export interface LocalSpeechStartedEvent {
  readonly type: "localSpeechStarted";
  readonly ducked: boolean;
}

/** The SDK's voice detector heard the user stop speaking (300 ms without speech). */
export interface LocalSpeechStoppedEvent {
  readonly type: "localSpeechStopped";
}

/** An assistant audio item played to its last sample (silence during underruns not counted). */
export interface PlaybackEndedEvent {
  readonly type: "playbackEnded";
  readonly itemId: string;
  readonly playedMs: number;
  readonly receivedMs: number;
}

/**
 * The connection dropped, the provider ended the session (Gemini `goAway`, OpenAI
 * `session_expired`), or an attempt failed: the session resumes on a new connection under the
 * reconnect policy (`ConnectOptions.reconnect`) — Gemini with its resumption handle, OpenAI with the
 * options in effect and the conversation replayed. The state is `connecting` until `reconnected`;
 * messages sent meanwhile wait. A response the drop cut has ended `cancelled` (`statusReason`
 * `connection_lost`, `session_expired` or `go_away`).
 */
export interface ReconnectingEvent {
  readonly type: "reconnecting";
  readonly reason: string;
  /** Which attempt of this outage comes next (1, 2, …); an outage ends once a connection is stable. */
  readonly attempt: number;
  /** In how many ms the attempt starts (0: at once); absent while offline: it starts when the browser is back online. */
  readonly delayMs?: number;
}

/**
 * The session resumed on a new connection (for OpenAI: the server has acknowledged the replayed
 * conversation); messages sent meanwhile have gone out, once, in order. Item ids the app knows keep
 * working (replayed items are mapped to their new ids both ways).
 */
export interface ReconnectedEvent {
  readonly type: "reconnected";
}

/** About 30 times a second while the microphone runs: its level (0–1 on a -60…0 dBFS scale). */
export interface InputLevelEvent {
  readonly type: "inputLevel";
  readonly level: number;
  readonly rms: number;
  readonly peak: number;
}

/** About 30 times a second while audio plays: the output level (0–1 on a -60…0 dBFS scale). */
export interface OutputLevelEvent {
  readonly type: "outputLevel";
  readonly level: number;
  readonly rms: number;
}

/** Audio arrived but the browser's autoplay policy suspended the AudioContext: call `resumeAudio()` in a user gesture. */
export interface PlaybackBlockedEvent {
  readonly type: "playbackBlocked";
}

/**
 * One response's timing and playback health, once it is done and its audio has played out (or was
 * cut). Times are the page's clock. The end of the user's input is measured the same way for every
 * provider: where the microphone's level fell silent (a pause of 150 ms after at least 120 ms of
 * speech), a `commitAudio()`, or a text item sent.
 */
export interface MetricsEvent {
  readonly type: "metrics";
  readonly responseId?: string;
  readonly status?: ResponseStatus;
  /** End of the user's input → the response's first output frame, ms (absent when no user input preceded, e.g. after a tool call). */
  readonly inputToFirstFrameMs?: number;
  /** The first output frame → the first sample played, ms (absent without played audio). */
  readonly firstFrameToAudioMs?: number;
  /** End of the user's input → the first sample played, ms: what the user waited. */
  readonly inputToAudioMs?: number;
  /** Times the jitter buffer ran dry while this response played. */
  readonly underruns: number;
  /** The jitter buffer's depth while it played, ms. */
  readonly buffer?: { readonly minMs: number; readonly avgMs: number; readonly maxMs: number };
  /** Audio of this response played, ms. */
  readonly playedMs: number;
  readonly usage?: Usage;
}

export type SdkEvent =
  | StateChangeEvent
  | MetricsEvent
  | SessionCloseEvent
  | ToolCallStartedEvent
  | ToolCallCompletedEvent
  | InterruptedEvent
  | PlaybackEndedEvent
  | LocalSpeechStartedEvent
  | LocalSpeechStoppedEvent
  | ReconnectingEvent
  | ReconnectedEvent
  | InputLevelEvent
  | OutputLevelEvent
  | PlaybackBlockedEvent;

/** Everything `RealtimeSession.on` can deliver. */
export type SessionEvent = ServerMessage | SdkEvent;

/** Event name → payload, for `on` / `off` / `once`: every server message type plus the SDK events. */
export type SessionEventMap = { [E in SessionEvent as E["type"]]: E };

/** An event listener for `type`. */
export type SessionEventHandler<K extends keyof SessionEventMap> = (event: SessionEventMap[K]) => void;

// ---------------------------------------------------------------------------------------------------
// Tools, middleware, connect options
// ---------------------------------------------------------------------------------------------------

/** What a running tool handler is told about its call. */
export interface ToolCallContext {
  readonly callId: string;
  readonly name: string;
  /** Aborted when the call is cancelled (barge-in, provider cancellation) or the session closes. */
  readonly signal: AbortSignal;
}

/**
 * Runs a function tool. `args` is the parsed arguments object (the SDK does not check it against
 * `parameters`: type it with {@link defineTool}, and validate what matters); the return value (or the
 * promise's) goes back to the model as JSON. A throw or rejection becomes an error result (its text
 * only with `includeDetailedErrors`).
 */
export type ToolHandler<Args = unknown> = (args: Args, context: ToolCallContext) => unknown;

/**
 * A function tool with the handler the SDK runs when the model calls it (`type` may be omitted).
 * `Args` is what the handler receives: write it once with {@link defineTool} or `registerTool<Args>`.
 */
export interface TypedFunctionTool<Args = unknown> extends Omit<FunctionTool, "type"> {
  type?: "function";
  // A method, so a tool typed for its own arguments fits a list of tools of other types.
  handler(args: Args, context: ToolCallContext): unknown;
}

/**
 * A function tool, optionally with the handler the SDK runs when the model calls it. With a
 * handler, `type` may be omitted (default `"function"`).
 */
export type FunctionToolWithHandler<Args = unknown> =
  | (FunctionTool & { handler?(args: Args, context: ToolCallContext): unknown })
  | TypedFunctionTool<Args>;

/**
 * Declares a function tool whose handler receives `Args` (the type of the JSON the model sends,
 * as `parameters` describes it). Checks the tool as `connect({ tools })` does (a `TypeError` or
 * `RangeError` naming the field) and returns the same object. Called before `await init()` (at
 * module top level, say) it returns the tool unchecked: `connect()` and `registerTool` check it then.
 *
 * @example
 * const add = defineTool<{ a: number; b: number }>({
 *   name: "add",
 *   parameters: { type: "object", properties: { a: { type: "number" }, b: { type: "number" } }, required: ["a", "b"] },
 *   handler: ({ a, b }) => a + b,
 * });
 * const session = await client.connect({ tools: [add] });
 */
export function defineTool<Args = unknown>(tool: TypedFunctionTool<Args>): TypedFunctionTool<Args>;

/** The function-invocation knobs (the seed's `FunctionInvokingRealtimeClient`), with their defaults. */
export interface FunctionInvocationOptions {
  /** Tell the model what a handler's error said (otherwise a generic failure text). Default `false`. */
  includeDetailedErrors?: boolean;
  /** Run the calls of one response concurrently. Default `false` (serially). */
  allowConcurrentInvocation?: boolean;
  /** Tool rounds allowed per user turn (reset on new user input). Default 40. */
  maxIterationsPerTurn?: number;
  /** Failed calls in a row before the SDK stops invoking for this turn. Default 3. */
  maxConsecutiveErrors?: number;
  /** Stop (instead of answering "not found") when the model calls a tool nobody declared. Default `false`. */
  terminateOnUnknownCalls?: boolean;
  /**
   * Calls to a tool declared without a `handler` are the app's to answer (it sees the
   * `functionCall` item and sends the `functionResult` and the next `createResponse` itself).
   * `true`: the SDK answers them "Error: Function not found." instead. Default `false`.
   */
  answerCallsWithoutHandler?: boolean;
}

/**
 * Middleware between the session and the wire; the first in the array is outermost: outgoing
 * messages pass first → last, incoming ones last → first. Middleware sits below function
 * invocation and the response tracker, so it sees exactly what is sent (tool results included)
 * and received. Return a message (the same or a new one) to pass it on, `null` to drop it,
 * `undefined` (or nothing) to pass it unchanged.
 */
export interface Middleware {
  /** Shown in logs and in errors the middleware causes. */
  name?: string;
  send?(message: ClientMessage): ClientMessage | null | undefined | void;
  receive?(message: ServerMessage): ServerMessage | null | undefined | void;
}

/** @deprecated The earlier name of {@link Middleware}. */
export type Interceptor = Middleware;

/** Verbosity of the built-in logging middleware (`console`); never logs credentials or audio bytes. */
export type LogLevel = "off" | "error" | "warn" | "info" | "debug" | "trace";

/** Session options plus the SDK's own: tools with handlers, invocation knobs, middleware, logging. */
export interface ConnectOptions extends Omit<SessionOptions, "tools"> {
  /** Tools for the model; function tools with a `handler` are run by the SDK. */
  tools?: readonly (Tool | FunctionToolWithHandler)[];
  functionInvocation?: FunctionInvocationOptions;
  middleware?: readonly Middleware[];
  /** Built-in logging middleware. Default `"off"`. */
  logLevel?: LogLevel;
  /** Give up (an `error` event, then `close`) if the session is not open within this many ms (default 15000, at most 600000; 0: never). */
  connectTimeoutMs?: number;
  /** The audio engine. */
  audio?: AudioOptions;
  /**
   * Resume transparently on a new connection after a dropped connection, Gemini `goAway` or OpenAI
   * `session_expired`, with exponential backoff (Gemini: by its resumption handle; OpenAI: the
   * conversation replayed as text items — past audio and the exact token context are not carried
   * over); `false`: never (a drop or an expiry ends the session).
   * Default: on, with the defaults of {@link ReconnectOptions}.
   */
  reconnect?: boolean | ReconnectOptions;
  /** @deprecated The old name of `reconnect: boolean` (give one of the two). */
  resume?: boolean;
  /**
   * Frames from the server larger than this many bytes are dropped unread with an `error` event
   * (`frame_too_large`); the session goes on. Default 8 MiB (8388608), at least 1024.
   */
  maxFrameBytes?: number;
  /**
   * Every server message object carries `rawFrame`, the provider frame it was decoded from (the
   * seed's `RawRepresentation`: for provider fields the neutral model lacks). Off by default: it
   * keeps each frame's text alive as long as the app keeps the message.
   */
  rawFrames?: boolean;
  /**
   * On-device barge-in: the SDK listens to the microphone (after the browser's echo canceller) and
   * fades the reply out within ~50 ms of the user starting to speak, instead of waiting for the
   * server's detector a network round trip away. `false` (or `{ local: false }`): barge-in is the
   * server's alone. Default: on, with the defaults of {@link BargeInOptions}.
   */
  bargeIn?: boolean | BargeInOptions;
}

/** On-device barge-in (`connect({ bargeIn })`). */
export interface BargeInOptions {
  /** Detect speech on the device. Default `true`. */
  local?: boolean;
  /** 0–1: higher detects sooner and quieter speech, with more false triggers (noise, echo). Default 0.5. */
  sensitivity?: number;
  /**
   * How long a ducked reply waits for the server to confirm the barge-in (OpenAI; Gemini while it
   * is generating) before it resumes, 100–5000 ms. Default 600. Where no confirmation can come
   * (Gemini once generation is complete), speech lasting 200 ms stops the reply.
   */
  confirmMs?: number;
}

/**
 * Limits of the reconnect policy, per outage (an outage ends once a new connection has stayed open
 * 10 s or completed a turn). Delays start at 250 ms and double, with jitter; an outage may last
 * 60 s (time offline not counted). When a limit is reached: an `error` (`reconnect_failed`), then `close`.
 */
export interface ReconnectOptions {
  /** Attempts before giving up, 1–100. Default 6. */
  maxAttempts?: number;
  /** The longest delay between attempts, 0–600000 ms. Default 10000. */
  maxDelayMs?: number;
}

/** Audio engine options (`connect({ audio })`). */
export interface AudioOptions {
  /** Play assistant audio (and truncate exactly on barge-in). Default `true`. */
  playback?: boolean;
  /** Use this context (not closed by the SDK) instead of creating one at the device's rate. */
  context?: AudioContext;
  /** Where the app hosts the package's `worklets/realtime-audio.js`; default: that file beside the package's module (`new URL(…, import.meta.url)`, which Vite, webpack 5 and Parcel emit as an asset, like the `.wasm`). */
  workletUrl?: string;
  /** Capture chunk length, 3–200 ms. Default 20. */
  chunkMs?: number;
  /** Audio queued before playback starts (jitter buffer), ms. Default 60. */
  prebufferMs?: number;
  /** Play through this `<audio>` element (for `setSinkId` output-device choice and echo cancellation). */
  outputElement?: HTMLAudioElement;
  /** Connect playback to this node (of `context`) instead of the speakers: effects, recording, analysis. */
  outputNode?: AudioNode;
}

/** `startMicrophone` options: the `getUserMedia` processing is on unless turned off. */
export interface MicrophoneOptions {
  deviceId?: string;
  echoCancellation?: boolean;
  noiseSuppression?: boolean;
  autoGainControl?: boolean;
}

/** `commitAudio` options. */
export interface CommitAudioOptions {
  /** Ask for a response after the commit. Default: only when voice activity detection is off. */
  createResponse?: boolean;
}

/** A realtime provider. */
export type Provider = "openai" | "gemini";

/** What an async token provider may return: the token, optionally with a WebSocket URL that overrides `endpoint`. */
export type TokenResult = string | { token: string; url?: string };

/** Options of a `RealtimeClient`. */
export interface ClientOptions {
  provider: Provider;
  /** Default `"gpt-realtime"` (openai) / `"gemini-live-2.5-flash-preview"` (gemini). */
  model?: string;
  /** WebSocket URL override (an emulator, a proxy). */
  endpoint?: string;
  /**
   * An ephemeral token, or a function fetching one (from your server) for each `connect`.
   * A returned `url` overrides `endpoint`.
   */
  token: string | (() => Promise<TokenResult>);
  /** Allow a standard `sk-` API key in the browser (it would be exposed to every user). Default `false`. */
  dangerouslyAllowApiKeyInBrowser?: boolean;
}

/** Options of `RealtimeSession.sendText`. */
export interface SendTextOptions {
  /** Ask for a response after the text item. Default `true`. */
  createResponse?: boolean;
}

// ---------------------------------------------------------------------------------------------------
// Classes
// ---------------------------------------------------------------------------------------------------

/** A configured provider: opens sessions. */
export class RealtimeClient {
  /** @throws TypeError or RangeError naming the bad field (e.g. an `sk-` key without the opt-in). */
  constructor(options: ClientOptions);
  readonly provider: Provider;
  /**
   * Opens a session: resolves once the server has accepted it (state `open`), rejects if the
   * connection fails, is refused, or times out.
   */
  connect(options?: ConnectOptions): Promise<RealtimeSession>;
  /** Releases the Rust side. The client is unusable afterwards; open sessions are unaffected. */
  free(): void;
  [Symbol.dispose](): void;
}

/** See `RealtimeSession.diagnostics`. */
export interface SessionDiagnostics {
  /** Armed timeouts (one per kind at most). */
  readonly timers: number;
  /** Promises of sends and calls not settled yet. */
  readonly pendingCalls: number;
  /** Tool handlers running. */
  readonly runningTools: number;
  /** Event listeners registered with `on`/`once`. */
  readonly listeners: number;
  /** Items of the conversation view: the newest 1,000 at most (older ones are forgotten). */
  readonly conversationItems: number;
}

/** One realtime session over a WebSocket. */
export class RealtimeSession {
  /** Sessions come from `RealtimeClient.connect`. */
  private constructor();
  readonly state: SessionState;
  /** The effective options: as the server reported them, with the client-side tools kept. */
  readonly options: SessionOptions;
  readonly provider: Provider;
  /**
   * What the session holds right now, for leak checks in long sessions: every count stays bounded
   * however long the session runs (`conversationItems` by the 1,000 newest items).
   */
  readonly diagnostics: SessionDiagnostics;
  /**
   * Sends any client message. Resolves when it is handed to the socket (messages sent before `open`
   * are queued); rejects with a TypeError/RangeError naming the bad field, or if the connection
   * fails first.
   */
  send(message: ClientMessage): Promise<void>;
  /** Adds a user text item and (by default) asks for a response. */
  sendText(text: string, options?: SendTextOptions): Promise<void>;
  /** Asks for a response, optionally with per-response overrides; waits for an active one to finish. */
  createResponse(overrides?: Omit<CreateResponseMessage, "type">): Promise<void>;
  /** Cancels `responseId`, or the response in progress. */
  cancelResponse(responseId?: string): Promise<void>;
  /** Sends a `sessionUpdate`; `options` reflects it once the server confirms. */
  update(options: SessionOptions): Promise<void>;
  /**
   * Adds (or replaces) a function tool run by the SDK, and tells the server. A tool declared as it
   * is already (e.g. in `connect({ tools })` without a handler) only gains the handler: nothing is
   * sent. On Gemini, which cannot change an open session, a new tool is refused (`code: "unsupported"`).
   */
  registerTool<Args = unknown>(tool: TypedFunctionTool<Args>): Promise<void>;
  /** Removes a tool, and tells the server. */
  unregisterTool(name: string): Promise<void>;
  /** Barge-in by hand: stops playback (≤ 10 ms fade), truncates to what was heard, cancels the response in progress and any running tool handlers. */
  interrupt(): void;
  /** Captures the microphone at the device's rate and streams it, resampled, to the provider. */
  startMicrophone(options?: MicrophoneOptions): Promise<void>;
  /** Streams an app-owned `MediaStream` (never stopped by the SDK). */
  attachMicrophoneStream(stream: MediaStream): Promise<void>;
  /**
   * Stops capturing (and stops the tracks the SDK opened). With server turn detection, a turn the
   * user is in the middle of is committed and answered (as if they had paused): the app sees
   * `inputAudioBufferCommitted` (OpenAI) and the reply, never a turn left open.
   */
  stopMicrophone(): void;
  /** While muted the microphone stays open but nothing is sent. */
  muted: boolean;
  /** Playback gain (0–4). Default 1. */
  outputVolume: number;
  /** Resumes audio suspended by the autoplay policy (the AudioContext, and `audio.outputElement` if its `play()` was refused); call it from a user gesture. */
  resumeAudio(): Promise<void>;
  /** Manual turns: commits the audio sent so far (and asks for a response when VAD is off). */
  commitAudio(options?: CommitAudioOptions): Promise<void>;
  /** Listens to a server message type or an SDK event (returns nothing: no chaining). */
  on<K extends keyof SessionEventMap>(type: K, handler: (event: SessionEventMap[K]) => void): void;
  /** Removes a listener added with `on` or `once`. */
  off<K extends keyof SessionEventMap>(type: K, handler: (event: SessionEventMap[K]) => void): void;
  /** Listens to the next event of `type` only. */
  once<K extends keyof SessionEventMap>(type: K, handler: (event: SessionEventMap[K]) => void): void;
  /**
   * The server messages in order, as an async iterator. Single consumer: a second concurrent
   * iterator throws. Ends when the session closes.
   */
  messages(): AsyncIterableIterator<ServerMessage>;
  /** Closes the session and releases sockets, timers and callbacks. Idempotent. */
  close(): Promise<void>;
  /** Releases the Rust side (closes the session first if needed). */
  free(): void;
  [Symbol.dispose](): void;
}
