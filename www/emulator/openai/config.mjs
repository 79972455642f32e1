// Session configuration: defaults, partial `session.update` merge, per-response overrides.
//
// Owns: the effective session object sent in `session.created` / `session.updated`
// (full, with the nulls the service sends), the merge rules of a partial update
// (only present fields change; `null` clears nullable fields; a new `turn_detection`
// object is completed with its type's defaults; voice is locked once assistant
// audio exists; model and session type cannot change), and the effective
// parameters of one response (`response.create.response` overrides, this response only).

import { sessionId } from './ids.mjs';
import * as errors from './errors.mjs';

export const DEFAULT_INSTRUCTIONS =
  'You are the realtime-wasm protocol emulator. You answer text deterministically and echo speech back.';

const SERVER_VAD_DEFAULTS = {
  type: 'server_vad',
  threshold: 0.5,
  prefix_padding_ms: 300,
  silence_duration_ms: 200,
  idle_timeout_ms: null,
  create_response: true,
  interrupt_response: true,
};
const SEMANTIC_VAD_DEFAULTS = { type: 'semantic_vad', eagerness: 'auto', create_response: true, interrupt_response: true };

const clone = (v) => (v === undefined ? undefined : JSON.parse(JSON.stringify(v)));

export function defaultSession(model, expiresAtSec) {
  return {
    type: 'realtime',
    object: 'realtime.session',
    id: sessionId(),
    model,
    output_modalities: ['audio'],
    instructions: DEFAULT_INSTRUCTIONS,
    tools: [],
    tool_choice: 'auto',
    max_output_tokens: 'inf',
    tracing: null,
    truncation: 'auto',
    prompt: null,
    expires_at: expiresAtSec,
    audio: {
      input: {
        format: { type: 'audio/pcm', rate: 24000 },
        transcription: null,
        noise_reduction: null,
        turn_detection: { ...SERVER_VAD_DEFAULTS },
      },
      output: { format: { type: 'audio/pcm', rate: 24000 }, voice: 'marin', speed: 1.0 },
    },
    include: null,
  };
}

function turnDetection(td) {
  if (td === null) return null;
  const base = td.type === 'semantic_vad' ? SEMANTIC_VAD_DEFAULTS : SERVER_VAD_DEFAULTS;
  return { ...base, ...clone(td) };
}

/**
 * Merge a (schema-valid) partial session into `current`; returns the new session or
 * throws a RealtimeError. `state` = { assistantAudio: bool, responseActive: bool }.
 */
export function mergeSession(current, update, state) {
  const next = clone(current);
  if (update.type !== undefined && update.type !== current.type) throw errors.sessionTypeLocked(current.type, update.type);
  if (update.model !== undefined && update.model !== current.model) throw errors.modelLocked();
  if (update.output_modalities !== undefined) {
    if (update.output_modalities.length !== 1) {
      throw errors.invalidValue(
        'session.output_modalities',
        "Invalid 'session.output_modalities': exactly one of 'text' or 'audio' is supported.",
      );
    }
    next.output_modalities = [...update.output_modalities];
  }
  for (const k of ['instructions', 'tools', 'tool_choice', 'parallel_tool_calls', 'reasoning', 'max_output_tokens', 'truncation', 'tracing', 'prompt', 'include']) {
    if (update[k] !== undefined) next[k] = clone(update[k]);
  }
  const ain = update.audio?.input;
  if (ain) {
    if (ain.format !== undefined) next.audio.input.format = normalizeFormat(ain.format);
    if (ain.transcription !== undefined) next.audio.input.transcription = ain.transcription === null ? null : { prompt: null, ...clone(ain.transcription) };
    if (ain.noise_reduction !== undefined) next.audio.input.noise_reduction = clone(ain.noise_reduction);
    if (ain.turn_detection !== undefined) next.audio.input.turn_detection = turnDetection(ain.turn_detection);
  }
  const aout = update.audio?.output;
  if (aout) {
    if (aout.format !== undefined) next.audio.output.format = normalizeFormat(aout.format);
    if (aout.voice !== undefined) {
      if (state.assistantAudio && JSON.stringify(aout.voice) !== JSON.stringify(current.audio.output.voice)) throw errors.voiceLocked();
      next.audio.output.voice = clone(aout.voice);
    }
    if (aout.speed !== undefined) next.audio.output.speed = aout.speed;
  }
  checkToolChoice(next.tool_choice, next.tools, 'session.tool_choice');
  return next;
}

function normalizeFormat(f) {
  if (f?.type === 'audio/pcm') return { type: 'audio/pcm', rate: 24000 };
  return { type: f.type };
}

export function checkToolChoice(choice, tools, param) {
  if (choice && typeof choice === 'object' && choice.type === 'function') {
    if (!(tools ?? []).some((t) => t.type === 'function' && t.name === choice.name)) {
      const err = errors.toolNotFound(choice.name);
      err.param = param;
      throw err;
    }
  }
}

/** Effective parameters of one response: session values overridden by `response.create.response`. */
export function responseParams(session, r = {}) {
  const p = {
    output_modalities: r.output_modalities ? [...r.output_modalities] : [...session.output_modalities],
    instructions: r.instructions ?? session.instructions,
    tools: r.tools !== undefined ? clone(r.tools) : clone(session.tools),
    tool_choice: r.tool_choice !== undefined ? clone(r.tool_choice) : clone(session.tool_choice),
    max_output_tokens: r.max_output_tokens ?? session.max_output_tokens,
    conversation: r.conversation ?? 'auto',
    metadata: r.metadata ?? null,
    input: r.input ?? null,
    audio: {
      output: {
        format: r.audio?.output?.format ? normalizeFormat(r.audio.output.format) : clone(session.audio.output.format),
        voice: r.audio?.output?.voice ?? session.audio.output.voice,
      },
    },
  };
  if (p.output_modalities.length !== 1) {
    throw errors.invalidValue('response.output_modalities', "Invalid 'response.output_modalities': exactly one of 'text' or 'audio' is supported.");
  }
  checkToolChoice(p.tool_choice, p.tools, 'response.tool_choice');
  return p;
}
