// Gemini Live emulation — the deterministic "model".
//
// Owns: what the emulated model says. No randomness, no network:
//   * a text turn is answered with text derived from it:
//       `You said: "<text>" (turn N).`  (N counts the user turns of the
//       conversation, so a resumed session visibly keeps its history);
//     `recap` lists every earlier user text of the conversation;
//   * `call <name> <json-args>` with <name> declared in setup.tools → a
//     function call `{name, args}` (args must be a JSON object);
//   * a spoken turn is answered with the user's own utterance played back
//     (resampled 16 → 24 kHz by the session) and the transcript `[echo 1.23 s]`;
//     in TEXT modality with the text `I heard 1.23 s of audio.`;
//   * function responses are answered with a text quoting them.
// Every reply also carries its text split into streaming chunks the way the
// real service streams (a short first chunk, then longer ones).

/** Split a reply into streamed chunks: first word, then ≤ 48-char pieces on word boundaries. */
export function chunkText(text) {
  const words = String(text).split(/(?<=\s)/);
  if (words.length <= 1) return [String(text)];
  const chunks = [words[0].trimEnd()];
  let cur = words[0].slice(chunks[0].length);
  for (const w of words.slice(1)) {
    if (cur.length + w.length > 48 && cur.trim()) {
      chunks.push(cur);
      cur = '';
    }
    cur += w;
  }
  if (cur) chunks.push(cur);
  return chunks.filter((c) => c.length > 0);
}

const userTexts = (history) =>
  history
    .filter((t) => t.role === 'user')
    .flatMap((t) => t.parts.filter((p) => typeof p.text === 'string').map((p) => p.text));

const userTurnCount = (history) => history.filter((t) => t.role === 'user').length;

/**
 * Reply to a user text. `history` already contains that user turn.
 * @returns {{kind:'text', text:string} | {kind:'toolCall', calls:{name:string,args:object}[], text?:string}}
 */
export function replyToText(text, { functions, history }) {
  const trimmed = String(text).trim();
  const call = /^call\s+([A-Za-z_][A-Za-z0-9_.:-]*)\s*([\s\S]*)$/.exec(trimmed);
  if (call) {
    const [, name, rawArgs] = call;
    if (!functions.has(name)) return { kind: 'text', text: `I cannot call ${name}: no such function is declared.` };
    let args = {};
    if (rawArgs.trim()) {
      try {
        args = JSON.parse(rawArgs);
      } catch {
        args = null;
      }
    }
    if (args === null || typeof args !== 'object' || Array.isArray(args)) {
      return { kind: 'text', text: `I could not read the arguments for ${name}; they must be a JSON object.` };
    }
    return { kind: 'toolCall', calls: [{ name, args }] };
  }
  if (/^recap\.?$/i.test(trimmed)) {
    const earlier = userTexts(history).slice(0, -1);
    return {
      kind: 'text',
      text: earlier.length ? `So far you said: ${earlier.map((t) => JSON.stringify(t)).join('; ')}.` : 'You have not said anything yet.',
    };
  }
  return { kind: 'text', text: `You said: ${JSON.stringify(trimmed)} (turn ${userTurnCount(history)}).` };
}

export const echoTranscript = (seconds) => `[echo ${seconds.toFixed(2)} s]`;

/** Reply to a spoken utterance of `seconds` seconds. */
export function replyToAudio(seconds, { modality }) {
  return modality === 'AUDIO'
    ? { kind: 'echo', text: echoTranscript(seconds) }
    : { kind: 'text', text: `I heard ${seconds.toFixed(2)} s of audio.` };
}

/** Deterministic input transcription of an utterance. */
export const inputTranscript = (seconds) => `[speech ${seconds.toFixed(2)} s]`;

/** Reply after function responses. */
export function replyToToolResponses(responses) {
  const parts = responses.map((r) => `${r.name} returned ${JSON.stringify(r.response ?? {})}`);
  return { kind: 'text', text: `The tool results are in: ${parts.join('; ')}.` };
}

/** The executableCode part a half-cascade model emits before a function call (seen in real traffic). */
export function executableCodeFor(call) {
  const args = Object.entries(call.args)
    .map(([k, v]) => `${k}=${typeof v === 'string' ? `'${v.replace(/'/g, "\\'")}'` : JSON.stringify(v)}`)
    .join(', ');
  return { language: 'PYTHON', code: `print(default_api.${call.name}(${args}))` };
}
