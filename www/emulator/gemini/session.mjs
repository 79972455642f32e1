// Gemini Live emulation — one live session after `setupComplete`.
//
// Owns: the conversation state machine of a connection: client messages
// (clientContent, realtimeInput, toolResponse) → history, activity detection
// (automatic via vad.mjs or manual activityStart/activityEnd), model turns
// streamed as serverContent (TEXT parts, or 24 kHz inlineData audio paced in
// real time ÷ speed, plus transcriptions), generationComplete / turnComplete +
// usageMetadata, barge-in (`interrupted`), tool calls and their cancellation,
// and sessionResumptionUpdate snapshots. It never touches the socket: it calls
// `send(message)` and throws/returns GeminiClose errors for the connection
// (gemini.mjs) to turn into close frames.

import { invalidArgument, explicitActivityWithAutoVad } from './errors.mjs';
import {
  parseAudioMime, base64ToSamples, samplesToBase64, resample, synthesizeSpeech,
  INPUT_RATE, OUTPUT_RATE, OUTPUT_MIME,
} from './audio.mjs';
import { Vad } from './vad.mjs';
import {
  chunkText, replyToText, replyToAudio, replyToToolResponses, inputTranscript, executableCodeFor,
} from './model.mjs';
import { TokenLedger, textTokens, audioTokens } from './usage.mjs';
import { saveSnapshot } from './resumption.mjs';

const AUDIO_CHUNK_MS = 40; // one inlineData frame of output audio
const TEXT_CHUNK_MS = 30; // gap between streamed text frames

let callCounter = 0;
const newCallId = () => `function-call-${(BigInt(Date.now()) * 1000n + BigInt(++callCounter % 1000)).toString()}`;

export class LiveSession {
  /**
   * @param {object} o
   * @param {object} o.config effective config (setup.mjs)
   * @param {(msg: object) => void} o.send send one server message
   * @param {number} [o.speed] pacing speed factor (2 = twice real time)
   * @param {object} [o.recorder] `{ audio(samples16k), event(kind, data) }`
   * @param {object} [o.snapshot] resumed conversation state
   */
  constructor({ config, send, speed = 1, recorder = null, snapshot = null, log = () => {} }) {
    this.config = config;
    this.send = send;
    this.speed = speed > 0 ? speed : 1;
    this.recorder = recorder;
    this.log = log;
    this.closed = false;
    this.history = snapshot?.history ?? [];
    const base = snapshot?.context ?? {
      TEXT: textTokens(config.systemText) + 12 * config.functions.size,
    };
    this.ledger = new TokenLedger(base);
    this.turn = null; // the model turn being generated/played
    this.pendingCalls = new Map(); // id → {name}
    this.pendingToolUse = 0;
    this.vad = config.vad.disabled ? null : new Vad(config.vad);
    this.activityOpen = false;
    this.manualAudio = [];
    this.clientMessages = 0;
    this.timers = new Set();
    this.queued = null;
  }

  // ---- client messages ------------------------------------------------------

  /** Handle one normalised client message (not setup). May throw GeminiClose. */
  handle(msg) {
    this.clientMessages++;
    if (msg.setup) throw invalidArgument(); // setup only once
    if (msg.clientContent) return this.#clientContent(msg.clientContent);
    if (msg.realtimeInput) return this.#realtimeInput(msg.realtimeInput);
    if (msg.toolResponse) return this.#toolResponse(msg.toolResponse);
    throw invalidArgument(); // empty message
  }

  #clientContent({ turns = [], turnComplete = false }) {
    for (const t of turns) {
      if (t.role !== undefined && t.role !== 'user' && t.role !== 'model') throw invalidArgument();
      if (!t.parts || t.parts.length === 0) throw invalidArgument();
    }
    this.#event('clientContent', { turns: turns.length, turnComplete });
    // Ordered content interrupts whatever the model is doing.
    if (turns.length || turnComplete) this.#interrupt('clientContent');
    for (const t of turns) {
      const role = t.role ?? 'user';
      this.history.push({ role, parts: t.parts.map((p) => this.#stripPart(p)) });
      for (const p of t.parts) {
        if (typeof p.text === 'string') this.ledger.add('TEXT', textTokens(p.text));
        else if (p.inlineData?.mimeType?.startsWith('audio/')) {
          this.ledger.add('AUDIO', audioTokens(Buffer.from(p.inlineData.data ?? '', 'base64').length / 2 / INPUT_RATE));
        } else if (p.inlineData?.mimeType?.startsWith('image/')) this.ledger.add('IMAGE', 258);
        else if (p.functionResponse) this.ledger.add('TEXT', textTokens(JSON.stringify(p.functionResponse.response ?? {})));
      }
    }
    if (!turnComplete) return;
    const last = [...this.history].reverse().find((t) => t.role === 'user');
    const text = last ? last.parts.filter((p) => typeof p.text === 'string').map((p) => p.text).join(' ') : '';
    const audioPart = last?.parts.find((p) => p.audioSeconds !== undefined);
    if (!text && audioPart) return this.#respond(replyToAudio(audioPart.audioSeconds, this.config), null);
    this.#respond(replyToText(text, { functions: this.config.functions, history: this.history }));
  }

  #stripPart(p) {
    if (typeof p.text === 'string') return { text: p.text };
    if (p.inlineData?.mimeType?.startsWith('audio/')) {
      return { audioSeconds: Buffer.from(p.inlineData.data ?? '', 'base64').length / 2 / INPUT_RATE };
    }
    return { other: Object.keys(p)[0] };
  }

  #realtimeInput(ri) {
    if (ri.activityStart) this.#activityStart();
    const blobs = [...(ri.mediaChunks ?? []), ...(ri.audio ? [ri.audio] : [])];
    for (const blob of blobs) {
      if (typeof blob.mimeType === 'string' && blob.mimeType.startsWith('image/')) continue; // video frame
      this.#audio(blob);
    }
    if (ri.video) {
      if (typeof ri.video.mimeType !== 'string' || !ri.video.mimeType.startsWith('image/')) throw invalidArgument();
      this.ledger.add('VIDEO', 258);
    }
    if (typeof ri.text === 'string') this.#realtimeText(ri.text);
    if (ri.activityEnd) this.#activityEnd();
    if (ri.audioStreamEnd) this.#audioStreamEnd();
  }

  #audio(blob) {
    const rate = parseAudioMime(blob.mimeType);
    if (rate === null) throw invalidArgument();
    let samples = base64ToSamples(blob.data ?? '');
    if (rate !== INPUT_RATE) samples = resample(samples, rate, INPUT_RATE);
    this.recorder?.audio?.(samples, INPUT_RATE);
    if (this.vad) {
      for (const ev of this.vad.push(samples)) this.#vadEvent(ev);
    } else if (this.activityOpen) {
      this.manualAudio.push(samples);
    }
  }

  #vadEvent(ev) {
    this.#event(ev.type === 'start' ? 'speech_started' : 'speech_stopped', { atMs: ev.atMs });
    if (ev.type === 'start') {
      if (this.config.activityHandling === 'START_OF_ACTIVITY_INTERRUPTS') this.#interrupt('speech');
      return;
    }
    this.#userUtterance(ev.samples);
  }

  #activityStart() {
    if (this.vad) throw explicitActivityWithAutoVad();
    this.#event('activityStart', {});
    this.activityOpen = true;
    this.manualAudio = [];
    if (this.config.activityHandling === 'START_OF_ACTIVITY_INTERRUPTS') this.#interrupt('activityStart');
  }

  #activityEnd() {
    if (this.vad) throw explicitActivityWithAutoVad();
    this.#event('activityEnd', {});
    if (!this.activityOpen) return;
    this.activityOpen = false;
    const chunks = this.manualAudio;
    this.manualAudio = [];
    const total = chunks.reduce((n, c) => n + c.length, 0);
    const samples = new Int16Array(total);
    let off = 0;
    for (const c of chunks) {
      samples.set(c, off);
      off += c.length;
    }
    this.#userUtterance(samples);
  }

  #audioStreamEnd() {
    this.#event('audioStreamEnd', {});
    if (this.vad) for (const ev of this.vad.flush()) this.#vadEvent(ev);
  }

  #realtimeText(text) {
    this.#event('realtimeText', { text });
    this.#interrupt('text');
    this.history.push({ role: 'user', parts: [{ text }] });
    this.ledger.add('TEXT', textTokens(text));
    this.#respond(replyToText(text, { functions: this.config.functions, history: this.history }));
  }

  #userUtterance(samples) {
    const seconds = samples.length / INPUT_RATE;
    this.history.push({ role: 'user', parts: [{ audioSeconds: seconds }] });
    this.ledger.add('AUDIO', audioTokens(seconds));
    if (this.config.inputTranscription) {
      this.send({ serverContent: { inputTranscription: { text: inputTranscript(seconds) } } });
    }
    this.#respond(replyToAudio(seconds, this.config), samples, {
      queueIfBusy: this.config.activityHandling === 'NO_INTERRUPTION',
    });
  }

  #toolResponse({ functionResponses = [] }) {
    if (functionResponses.length === 0) throw invalidArgument();
    for (const r of functionResponses) {
      if (!r.id || !r.name) throw invalidArgument(); // ids are required on the Developer API
    }
    this.#event('toolResponse', { ids: functionResponses.map((r) => r.id) });
    const answered = [];
    for (const r of functionResponses) {
      if (!this.pendingCalls.has(r.id)) {
        this.log(`gemini: toolResponse for unknown call id ${r.id} ignored`);
        continue;
      }
      this.pendingCalls.delete(r.id);
      answered.push(r);
      const tokens = textTokens(JSON.stringify(r.response ?? {}));
      this.pendingToolUse += tokens;
      this.history.push({ role: 'user', parts: [{ functionResponse: { id: r.id, name: r.name, response: r.response ?? {} } }] });
    }
    const speak = answered.filter((r) => r.scheduling !== 'SILENT');
    if (speak.length === 0 || this.pendingCalls.size > 0) return;
    if (this.turn && this.turn.waitingForTools) this.turn = null;
    this.#respond(replyToToolResponses(speak));
  }

  // ---- model turns ----------------------------------------------------------

  /** Barge-in / new content: cut the current model turn and void pending calls. */
  #interrupt(cause) {
    if (this.turn && !this.turn.done) {
      const turn = this.turn;
      turn.cancelled = true;
      this.turn = null;
      this.#event('interrupted', { cause });
      if (!turn.waitingForTools) {
        this.send({ serverContent: { interrupted: true } });
      }
      this.#cancelPendingCalls();
      if (!turn.waitingForTools) {
        const usage = this.ledger.usageFor(turn.produced, turn.toolUse);
        this.send({ serverContent: { turnComplete: true }, usageMetadata: usage });
      }
      this.#recordModelTurn(turn);
    } else {
      this.#cancelPendingCalls();
    }
  }

  #cancelPendingCalls() {
    if (this.pendingCalls.size === 0) return;
    const ids = [...this.pendingCalls.keys()];
    this.pendingCalls.clear();
    this.send({ toolCallCancellation: { ids } });
    this.#event('toolCallCancellation', { ids });
  }

  /**
   * Start streaming a reply. `echo` = 16 kHz samples to play back for an echo
   * reply. With activityHandling NO_INTERRUPTION a spoken turn that arrives
   * while the model is speaking waits for the current reply to finish.
   */
  #respond(reply, echo = null, { queueIfBusy = false } = {}) {
    if (queueIfBusy && this.turn && !this.turn.done && !this.turn.waitingForTools) {
      this.queued = { reply, echo };
      return;
    }
    this.#interrupt('new turn');
    const turn = {
      reply, cancelled: false, done: false, waitingForTools: false,
      produced: { TEXT: 0, AUDIO: 0 }, toolUse: this.pendingToolUse, spoken: '',
    };
    this.pendingToolUse = 0;
    this.turn = turn;
    this.#event('model_turn', { kind: reply.kind, text: reply.text ?? null });
    this.#run(turn, echo).catch((err) => this.log(`gemini: turn failed: ${err.stack || err}`));
  }

  async #run(turn, echo) {
    const { reply } = turn;
    await this.#sleep(20);
    if (turn.cancelled || this.closed) return;
    if (reply.kind === 'toolCall') {
      const calls = reply.calls.map((c) => ({ name: c.name, args: c.args, id: newCallId() }));
      if (!this.config.modelInfo.audioOnly) {
        // Half-cascade models show the call as code first (real recording); native audio does not.
        this.send({ serverContent: { modelTurn: { parts: calls.map((c) => ({ executableCode: executableCodeFor(c) })) } } });
      }
      for (const c of calls) this.pendingCalls.set(c.id, { name: c.name });
      turn.produced.TEXT += textTokens(JSON.stringify(calls));
      turn.waitingForTools = true;
      this.send({ toolCall: { functionCalls: calls } });
      this.history.push({ role: 'model', parts: calls.map((c) => ({ functionCall: c })) });
      this.ledger.add('TEXT', turn.produced.TEXT);
      turn.produced.TEXT = 0;
      this.#event('toolCall', { calls });
      return; // the turn resumes when the tool responses arrive
    }
    if (this.config.modality === 'TEXT') {
      for (const chunk of chunkText(reply.text)) {
        if (turn.cancelled || this.closed) return;
        this.send({ serverContent: { modelTurn: { parts: [{ text: chunk }] } } });
        turn.spoken += chunk;
        turn.produced.TEXT += textTokens(chunk);
        await this.#sleep(TEXT_CHUNK_MS);
      }
    } else {
      const audio = reply.kind === 'echo' && echo
        ? resample(echo, INPUT_RATE, OUTPUT_RATE)
        : synthesizeSpeech(reply.text);
      const per = Math.round((OUTPUT_RATE * AUDIO_CHUNK_MS) / 1000);
      const nChunks = Math.max(1, Math.ceil(audio.length / per));
      const pieces = this.config.outputTranscription ? chunkText(reply.text) : [];
      let sentPieces = 0;
      const start = Date.now();
      for (let i = 0; i < nChunks; i++) {
        if (turn.cancelled || this.closed) return;
        const slice = audio.subarray(i * per, Math.min(audio.length, (i + 1) * per));
        this.send({ serverContent: { modelTurn: { parts: [{ inlineData: { mimeType: OUTPUT_MIME, data: samplesToBase64(slice) } }] } } });
        turn.produced.AUDIO += (slice.length / OUTPUT_RATE) * 32;
        // Spread the transcription over the audio it describes.
        const piecesDue = Math.ceil(((i + 1) / nChunks) * pieces.length);
        for (; sentPieces < piecesDue; sentPieces++) {
          turn.spoken += pieces[sentPieces];
          this.send({ serverContent: { outputTranscription: { text: pieces[sentPieces] } } });
        }
        const due = start + ((i + 1) * AUDIO_CHUNK_MS) / this.speed;
        await this.#sleep(Math.max(0, due - Date.now()), true);
      }
      turn.produced.AUDIO = Math.max(1, Math.round(turn.produced.AUDIO));
      if (!this.config.outputTranscription) turn.spoken = reply.text;
    }
    if (turn.cancelled || this.closed) return;
    turn.done = true;
    this.send({ serverContent: { generationComplete: true } });
    const usage = this.ledger.usageFor(turn.produced, turn.toolUse);
    this.send({ serverContent: { turnComplete: true }, usageMetadata: usage });
    if (this.turn === turn) this.turn = null;
    this.#recordModelTurn(turn);
    this.resumptionUpdate();
    if (this.queued && !this.closed) {
      const { reply: next, echo: nextEcho } = this.queued;
      this.queued = null;
      this.#respond(next, nextEcho);
    }
  }

  #recordModelTurn(turn) {
    if (turn.reply.kind === 'toolCall') return;
    const text = turn.cancelled ? turn.spoken : turn.reply.text;
    this.history.push({ role: 'model', parts: [{ text }] });
  }

  /** Snapshot the conversation and send `sessionResumptionUpdate` (no-op unless enabled). */
  resumptionUpdate() {
    if (!this.config.resumption || this.closed) return;
    const newHandle = saveSnapshot(this.snapshot());
    this.send({ sessionResumptionUpdate: { newHandle, resumable: true } });
    this.#event('sessionResumptionUpdate', { newHandle });
  }

  /** The state a resumed connection continues from. */
  snapshot() {
    return { model: this.config.model, history: this.history, context: this.ledger.snapshot() };
  }

  // ---- plumbing -------------------------------------------------------------

  #sleep(ms, exact = false) {
    const wait = exact ? ms : ms / this.speed;
    return new Promise((resolve) => {
      const t = setTimeout(() => {
        this.timers.delete(t);
        resolve();
      }, wait);
      this.timers.add(t);
    });
  }

  #event(kind, data) {
    this.recorder?.event?.(kind, data);
  }

  /** Stop all activity (connection closed). */
  dispose() {
    this.closed = true;
    if (this.turn) this.turn.cancelled = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
  }
}
