// The deterministic "model": what a response says, given its context.
//
// Owns: the answer plan for one response, from the items in its context (the default
// conversation, or `response.input`) and its effective parameters:
//   • last relevant item a `function_call_output` → text "The tool <name> returned: <output>"
//   • last user text "call <name> <json-args>" with <name> among the tools, tool_choice
//     not "none" → a `function_call` (arguments = the JSON, re-serialized compactly)
//   • tool_choice "required" / {type:"function", name} → a call of that (or the first) tool
//     even without "call …" (arguments "{}" unless the text supplies them)
//   • last user text "recap" → "So far you said: "<turn>"; "<turn>"." — every earlier user turn
//     the server holds (text, or a spoken turn's transcript), so a test can tell whether a
//     conversation was carried to a new connection (Gemini's emulator has the same)
//   • last user text → "You said: <text>"; spoken (audio modality) with a synthetic voice
//   • last user audio → the user's own utterance played back, transcript "[echo 1.23 s]"
//   • last user audio committed by the idle timeout → "Are you still there?"
//   • nothing from the user → "Hello from the emulator."
// Also: deterministic input transcription text, token counts for usage.

import { synthesize, msOf, PCM_RATE } from './audio.mjs';

const CALL = /^\s*call\s+([A-Za-z0-9_.-]+)\s*([\s\S]*)$/;

export function textTokens(text) {
  return Math.ceil(String(text ?? '').length / 4);
}
export const inputAudioTokens = (ms) => Math.ceil(ms / 100); // ≈10 tokens/s
export const outputAudioTokens = (ms) => Math.ceil(ms / 50); // ≈20 tokens/s

/** Split a text into word deltas ("Paris", " is", " the", …). */
export function tokenize(text) {
  return String(text).match(/\s*\S+/g) ?? (text ? [text] : []);
}

export function transcriptionOf(samples, rate) {
  return `[heard ${(msOf(samples.length, rate) / 1000).toFixed(2)} s]`;
}

function userTextOf(item) {
  return (item.content ?? [])
    .filter((c) => c.type === 'input_text')
    .map((c) => c.text)
    .join(' ');
}

/** What a user turn said: its text, or the transcript of its audio (when known). */
function userTurnOf(item) {
  return (item.content ?? [])
    .map((c) => (c.type === 'input_text' ? c.text : c.type === 'input_audio' ? c.transcript : null))
    .filter((t) => typeof t === 'string' && t.length > 0)
    .join(' ');
}

/** The reply to `recap`: the user turns before `last`, in conversation order. */
function recapOf(context, last) {
  const earlier = context
    .filter((e) => e !== last && e.item.type === 'message' && e.item.role === 'user')
    .map((e) => userTurnOf(e.item))
    .filter((t) => t);
  return earlier.length ? `So far you said: ${earlier.map((t) => JSON.stringify(t)).join('; ')}.` : 'You have not said anything yet.';
}

function functionTools(tools) {
  return (tools ?? []).filter((t) => t.type === 'function');
}

/**
 * @param {Array<{item, audio, rate}>} context  entries, oldest first
 * @param {object} params  effective response params (config.responseParams)
 * @returns {{ kind:'text'|'function_call', text?, audio?, name?, arguments? }}
 *          text answers carry `audio` (PCM16 24 kHz) when the modality is audio
 */
export function plan(context, params) {
  const audioOut = params.output_modalities[0] === 'audio';
  const tools = functionTools(params.tools);
  const choice = params.tool_choice ?? 'auto';
  const last = [...context].reverse().find((e) => e.item.type === 'function_call_output' || (e.item.type === 'message' && e.item.role === 'user'));

  const speak = (text, audio, rate = PCM_RATE) => ({ kind: 'text', text, audio: audioOut ? audio ?? synthesize(text) : null, rate: audio ? rate : PCM_RATE });

  if (last?.item.type === 'function_call_output') {
    const call = context.find((e) => e.item.type === 'function_call' && e.item.call_id === last.item.call_id);
    const name = call?.item.name ?? 'unknown';
    return speak(`The tool ${name} returned: ${last.item.output}`);
  }

  const text = last ? userTextOf(last.item) : '';
  const m = CALL.exec(text);
  if (choice !== 'none' && tools.length) {
    let name = null;
    let args = '{}';
    if (m && tools.some((t) => t.name === m[1])) {
      name = m[1];
      args = normalizeArgs(m[2]);
    }
    if (choice && typeof choice === 'object' && choice.type === 'function') {
      if (name !== choice.name) args = '{}';
      name = choice.name;
    } else if (choice === 'required' && !name) {
      name = tools[0].name;
    }
    if (name) return { kind: 'function_call', name, arguments: args };
  }

  if (last) {
    const audioPart = last.audio && (last.item.content ?? []).some((c) => c.type === 'input_audio');
    if (audioPart && last.idle) return speak('Are you still there?');
    if (audioPart) {
      const secs = (msOf(last.audio.length, last.rate) / 1000).toFixed(2);
      return speak(`[echo ${secs} s]`, last.audio, last.rate);
    }
    if (/^\s*recap\.?\s*$/i.test(text)) return speak(recapOf(context, last));
    if (text) return speak(`You said: ${text}`);
  }
  return speak('Hello from the emulator.');
}

function normalizeArgs(raw) {
  const s = raw.trim();
  if (!s) return '{}';
  try {
    return JSON.stringify(JSON.parse(s));
  } catch {
    return s;
  }
}

/** Input token counts of a context (for usage). */
export function contextTokens(context, instructions) {
  let text = textTokens(instructions);
  let audio = 0;
  for (const { item, audio: pcm, rate } of context) {
    if (item.type === 'function_call') text += textTokens(item.arguments) + textTokens(item.name);
    else if (item.type === 'function_call_output') text += textTokens(item.output);
    for (const c of item.content ?? []) {
      if (c.type === 'input_text' || c.type === 'output_text') text += textTokens(c.text);
      else if (c.type === 'output_audio' || c.type === 'input_audio') {
        if (pcm) audio += c.type === 'input_audio' ? inputAudioTokens(msOf(pcm.length, rate ?? PCM_RATE)) : outputAudioTokens(msOf(pcm.length, rate ?? PCM_RATE));
        else text += textTokens(c.transcript);
      }
    }
  }
  return { text, audio };
}
