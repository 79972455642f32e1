// One OpenAI Realtime GA session (one WebSocket), after authentication.
//
// Owns: dispatching client events (schema check first, errors echo `event_id`),
// the session config (config.mjs), the input audio buffer and its clock, turn
// detection (vad.mjs) with commit/auto-response/barge-in and the idle timeout, the
// default conversation (conversation.mjs), responses (response.mjs; one active per
// default conversation, out-of-band ones in parallel), input transcription (deltas,
// completed, or failed for silence), and the recorder hooks.

import { defaultSession, mergeSession, responseParams } from './config.mjs';
import { Conversation } from './conversation.mjs';
import { Vad } from './vad.mjs';
import { plan as planResponse, transcriptionOf, tokenize, inputAudioTokens } from './model.mjs';
import { ResponseRun } from './response.mjs';
import { decodeInput, formatRate, isBase64, msOf, frameDbfs } from './audio.mjs';

const MAX_APPEND_BYTES = 15 * 1024 * 1024;

/** Anything above -60 dBFS in some 10 ms frame? (silence cannot be transcribed) */
function hasSound(audio) {
  const frame = 240;
  for (let i = 0; i < audio.length; i += frame) if (frameDbfs(audio, i, Math.min(audio.length, i + frame)) > -60) return true;
  return false;
}
import { eventId, conversationId, itemId as newItemId } from './ids.mjs';
import * as errors from './errors.mjs';
import { RealtimeError } from './errors.mjs';

export class RealtimeSession {
  /**
   * @param {object} o
   * @param {Function} o.send     (serverEvent) → void (adds nothing; session adds event_id)
   * @param {object|null} o.schema  OpenAISchema or null
   * @param {string} o.model
   * @param {number} o.speed
   * @param {number} o.expiresAtSec
   * @param {object|null} o.recorder
   * @param {Function} o.log
   */
  constructor({ send, schema, model, speed = 1, expiresAtSec, recorder = null, log = () => {} }) {
    this.sendRaw = send;
    this.schema = schema;
    this.speed = speed > 0 ? speed : 1;
    this.recorder = recorder;
    this.log = log;
    this.config = defaultSession(model, expiresAtSec);
    this.conversation = new Conversation();
    this.conversationId = conversationId();
    this.active = null; // ResponseRun writing to the default conversation
    this.outOfBand = new Set();
    this.assistantAudio = false;
    this.closed = false;
    this.timers = new Set();
    this.resetAudio(0);
    this.clockSamples = 0; // samples appended since the session started (input rate)
    this.vad = null;
    this.speechItemId = null;
    this.#configureVad();
  }

  emit(event) {
    if (this.closed) return;
    this.sendRaw({ event_id: eventId(), ...event });
  }

  error(err, clientEventId) {
    this.recorder?.event?.('error', { code: err.code, message: err.message });
    this.emit(err.toEvent(clientEventId));
  }

  start() {
    this.emit({ type: 'session.created', session: this.config });
  }

  dispose() {
    this.closed = true;
    this.#disarmIdle();
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    this.active?.cancel('client_cancelled');
    for (const r of this.outOfBand) r.cancel('client_cancelled');
  }

  later(ms, fn) {
    const t = setTimeout(() => {
      this.timers.delete(t);
      if (!this.closed) fn();
    }, ms);
    this.timers.add(t);
  }

  get rate() {
    return formatRate(this.config.audio.input.format);
  }

  resetAudio(startMs) {
    this.buffer = [];
    this.bufferSamples = 0;
    this.bufferStartMs = startMs;
  }

  get clockMs() {
    return msOf(this.clockSamples, this.rate);
  }

  #configureVad() {
    const td = this.config.audio.input.turn_detection;
    this.vad = td ? new Vad(td, this.rate) : null;
    this.speechItemId = null;
  }

  // ── client events ────────────────────────────────────────────────────────────

  /** One text frame from the client. */
  handleFrame(text) {
    let event;
    try {
      event = JSON.parse(text);
    } catch (err) {
      return this.error(errors.invalidJson(err.message));
    }
    if (!event || typeof event !== 'object' || Array.isArray(event)) {
      return this.error(errors.invalidValue(null, 'Invalid event: expected a JSON object.'));
    }
    const clientEventId = typeof event.event_id === 'string' ? event.event_id : null;
    try {
      if (typeof event.type !== 'string') throw errors.missingType();
      const problem = this.schema?.validateClient(event);
      if (problem) throw problem;
      this.#dispatch(event);
    } catch (err) {
      if (err instanceof RealtimeError) return this.error(err, clientEventId);
      this.log(`openai: internal error on ${event.type}: ${err.stack || err}`);
      this.error(new RealtimeError({ type: 'server_error', code: 'server_error', message: 'The server had an error while processing your request.' }), clientEventId);
    }
  }

  #dispatch(e) {
    switch (e.type) {
      case 'session.update':
        return this.#sessionUpdate(e);
      case 'input_audio_buffer.append':
        return this.#append(e);
      case 'input_audio_buffer.commit':
        return this.#commit();
      case 'input_audio_buffer.clear':
        this.#disarmIdle();
        this.resetAudio(this.clockMs);
        this.vad?.reset();
        this.speechItemId = null;
        return this.emit({ type: 'input_audio_buffer.cleared' });
      case 'conversation.item.create':
        return this.#itemCreate(e);
      case 'conversation.item.retrieve':
        return this.emit({ type: 'conversation.item.retrieved', item: this.conversation.retrieve(e.item_id) });
      case 'conversation.item.delete':
        this.conversation.delete(e.item_id);
        return this.emit({ type: 'conversation.item.deleted', item_id: e.item_id });
      case 'conversation.item.truncate':
        return this.#truncate(e);
      case 'response.create':
        return this.#responseCreate(e.response ?? {});
      case 'response.cancel':
        return this.#responseCancel(e);
      case 'output_audio_buffer.clear':
        // WebRTC/SIP only: over a WebSocket the client owns playback.
        throw errors.invalidValue('type', "The 'output_audio_buffer.clear' event is only supported for WebRTC and SIP sessions.");
      default:
        throw errors.unknownType(e.type, this.schema?.clientTypes ?? []);
    }
  }

  #sessionUpdate(e) {
    const before = this.config;
    this.config = mergeSession(before, e.session, { assistantAudio: this.assistantAudio });
    if (JSON.stringify(before.audio.input.turn_detection) !== JSON.stringify(this.config.audio.input.turn_detection) ||
      JSON.stringify(before.audio.input.format) !== JSON.stringify(this.config.audio.input.format)) {
      this.#configureVad();
    }
    this.emit({ type: 'session.updated', session: this.config });
  }

  #append(e) {
    if (!isBase64(e.audio)) throw errors.invalidValue('audio', "Invalid 'audio'. Expected base64-encoded audio bytes.");
    if ((e.audio.length / 4) * 3 > MAX_APPEND_BYTES) {
      throw errors.invalidValue('audio', "Invalid 'audio': a single append may carry at most 15 MiB of audio.");
    }
    const samples = decodeInput(e.audio, this.config.audio.input.format);
    this.recorder?.audio?.(samples, this.rate);
    const startMs = this.clockMs;
    this.buffer.push(samples);
    this.bufferSamples += samples.length;
    this.clockSamples += samples.length;
    if (!this.vad) return;
    for (const ev of this.vad.push(samples, startMs, this.bufferStartMs)) {
      if (ev.type === 'start') this.#speechStarted(ev.audioStartMs);
      else this.#speechStopped(ev.audioEndMs);
    }
  }

  #speechStarted(audioStartMs) {
    this.#disarmIdle();
    this.speechItemId = newItemId();
    this.speechStartMs = audioStartMs;
    this.recorder?.event?.('speech_started', { audio_start_ms: audioStartMs });
    this.emit({ type: 'input_audio_buffer.speech_started', audio_start_ms: Math.round(audioStartMs), item_id: this.speechItemId });
    const td = this.config.audio.input.turn_detection;
    if (td?.interrupt_response !== false && this.active) this.active.cancel('turn_detected');
  }

  #speechStopped(audioEndMs) {
    const id = this.speechItemId;
    this.emit({ type: 'input_audio_buffer.speech_stopped', audio_end_ms: Math.round(audioEndMs), item_id: id });
    this.recorder?.event?.('speech_stopped', { audio_end_ms: audioEndMs });
    const audio = this.#takeBuffer(this.speechStartMs, audioEndMs);
    this.speechItemId = null;
    this.#commitAudio(audio, id);
    const td = this.config.audio.input.turn_detection;
    if (td?.create_response !== false && !this.active) this.#startResponse(responseParams(this.config, {}));
  }

  /** Remove [fromMs, toMs) of the session clock from the buffer; keep what follows. */
  #takeBuffer(fromMs, toMs) {
    const all = this.#bufferPcm();
    const from = Math.max(0, Math.round(((fromMs - this.bufferStartMs) * this.rate) / 1000));
    const to = Math.min(all.length, Math.max(from, Math.round(((toMs - this.bufferStartMs) * this.rate) / 1000)));
    const taken = all.slice(from, to);
    const rest = all.slice(to);
    this.buffer = rest.length ? [rest] : [];
    this.bufferSamples = rest.length;
    this.bufferStartMs = this.clockMs - msOf(rest.length, this.rate);
    return taken;
  }

  #bufferPcm() {
    const out = new Int16Array(this.bufferSamples);
    let o = 0;
    for (const c of this.buffer) {
      out.set(c, o);
      o += c.length;
    }
    return out;
  }

  #commit() {
    const ms = msOf(this.bufferSamples, this.rate);
    if (ms < 100) throw errors.commitEmpty(ms);
    const audio = this.#bufferPcm();
    this.resetAudio(this.clockMs);
    this.vad?.reset();
    const id = this.speechItemId ?? newItemId();
    this.speechItemId = null;
    this.#commitAudio(audio, id);
  }

  #commitAudio(audio, id, { idle = false } = {}) {
    const item = { id, type: 'message', status: 'completed', role: 'user', content: [{ type: 'input_audio', transcript: null }] };
    const prev = this.conversation.lastId();
    this.conversation.insert(item, undefined, { audio, rate: this.rate });
    if (idle) this.conversation.entry(id).idle = true;
    this.emit({ type: 'input_audio_buffer.committed', previous_item_id: prev, item_id: id });
    this.emit({ type: 'conversation.item.added', previous_item_id: prev, item: JSON.parse(JSON.stringify(item)) });
    this.emit({ type: 'conversation.item.done', previous_item_id: prev, item: JSON.parse(JSON.stringify(item)) });
    this.recorder?.event?.('committed', { item_id: id, duration_ms: msOf(audio.length, this.rate) });
    const tr = this.config.audio.input.transcription;
    if (tr) this.#transcribe(id, audio, tr);
  }

  /** Asynchronous, deterministic input transcription (deltas then completed). */
  #transcribe(id, audio, tr) {
    if (!hasSound(audio)) {
      // Nothing audible: like the service, a `…transcription.failed` event (not an `error`).
      this.later(40 / this.speed, () => {
        this.emit({
          type: 'conversation.item.input_audio_transcription.failed',
          item_id: id,
          content_index: 0,
          error: { type: 'transcription_error', code: 'audio_unintelligible', message: 'The audio could not be transcribed.', param: null },
        });
      });
      return;
    }
    const transcript = transcriptionOf(audio, this.rate);
    const words = tokenize(transcript);
    words.forEach((delta, i) => {
      this.later((40 * (i + 1)) / this.speed, () => {
        this.emit({ type: 'conversation.item.input_audio_transcription.delta', item_id: id, content_index: 0, delta });
      });
    });
    this.later((40 * (words.length + 1)) / this.speed, () => {
      const entry = this.conversation.entry(id);
      if (entry) entry.item.content[0].transcript = transcript;
      const secs = msOf(audio.length, this.rate) / 1000;
      const usage =
        tr.model === 'whisper-1'
          ? { type: 'duration', seconds: Math.round(secs * 100) / 100 }
          : {
            type: 'tokens',
            input_tokens: inputAudioTokens(secs * 1000),
            input_token_details: { text_tokens: 0, audio_tokens: inputAudioTokens(secs * 1000) },
            output_tokens: words.length,
            total_tokens: inputAudioTokens(secs * 1000) + words.length,
          };
      this.emit({ type: 'conversation.item.input_audio_transcription.completed', item_id: id, content_index: 0, transcript, usage });
    });
  }

  #itemCreate(e) {
    const item = { id: e.item.id ?? newItemId(), ...JSON.parse(JSON.stringify(e.item)) };
    if (this.conversation.has(item.id)) throw errors.itemExists(item.id);
    let audio = null;
    if (item.type === 'message') {
      if (item.role === 'assistant' && item.content.some((c) => c.type === 'output_audio' && c.audio)) throw errors.assistantAudioNotAllowed();
      for (const c of item.content) {
        if (c.type === 'input_audio') {
          if (c.audio !== undefined && !isBase64(c.audio)) throw errors.invalidValue('item.content.audio', "Invalid 'audio'. Expected base64-encoded audio bytes.");
          audio = c.audio ? decodeInput(c.audio, this.config.audio.input.format) : null;
          delete c.audio;
          if (c.transcript === undefined) c.transcript = null;
        }
      }
      item.status = 'completed';
    } else if (item.type === 'function_call') {
      item.status = item.status ?? 'completed';
    }
    delete item.object;
    const prev = this.conversation.insert(item, e.previous_item_id, { audio, rate: this.rate });
    this.emit({ type: 'conversation.item.added', previous_item_id: prev, item: JSON.parse(JSON.stringify(item)) });
    this.emit({ type: 'conversation.item.done', previous_item_id: prev, item: JSON.parse(JSON.stringify(item)) });
  }

  #truncate(e) {
    const entry = this.conversation.entry(e.item_id);
    const sentMs = entry?.audio ? msOf(entry.audio.length, entry.rate) : 0;
    try {
      this.conversation.truncate(e.item_id, e.content_index, e.audio_end_ms);
    } catch (err) {
      this.recorder?.truncation?.({ item_id: e.item_id, content_index: e.content_index, audio_end_ms: e.audio_end_ms, audio_sent_ms: sentMs, ok: false, error: err.message });
      throw err;
    }
    this.recorder?.truncation?.({ item_id: e.item_id, content_index: e.content_index, audio_end_ms: e.audio_end_ms, audio_sent_ms: sentMs, ok: true });
    this.emit({ type: 'conversation.item.truncated', item_id: e.item_id, content_index: e.content_index, audio_end_ms: e.audio_end_ms });
  }

  #responseCreate(r) {
    const params = responseParams(this.config, r);
    if (params.conversation !== 'none' && this.active) throw errors.activeResponse(this.active.id);
    this.#startResponse(params);
  }

  #startResponse(params) {
    const outOfBand = params.conversation === 'none';
    let context;
    if (params.input) {
      context = params.input.map((it, i) => {
        if (it.type === 'item_reference') {
          const entry = this.conversation.entry(it.id);
          if (!entry) throw errors.itemNotFound(`response.input[${i}].id`, it.id);
          return entry;
        }
        const item = JSON.parse(JSON.stringify(it));
        let audio = null;
        for (const c of item.content ?? []) {
          if (c.type === 'input_audio' && c.audio) {
            audio = decodeInput(c.audio, this.config.audio.input.format);
            delete c.audio;
          }
        }
        return { item, audio, rate: this.rate };
      });
    } else {
      context = this.conversation.entries.slice();
    }
    const run = new ResponseRun({
      emit: (ev) => this.emit(ev),
      params,
      plan: planResponse(context, params),
      context,
      conversation: outOfBand ? null : this.conversation,
      conversationId: outOfBand ? null : this.conversationId,
      speed: this.speed,
      onAudioSent: (id, n, rate) => this.recorder?.audioSent?.(id, n, rate),
      onDone: (done) => {
        if (this.active === done) {
          this.active = null;
          this.#armIdle();
        }
        this.outOfBand.delete(done);
      },
    });
    run.onAudioStarted = () => {
      this.assistantAudio = true;
    };
    if (outOfBand) this.outOfBand.add(run);
    else {
      this.active = run;
      this.#disarmIdle();
    }
    this.recorder?.event?.('response', { response_id: run.id, out_of_band: outOfBand, kind: run.plan.kind });
    run.run().catch((err) => this.log(`openai: response failed: ${err.stack || err}`));
  }

  /**
   * server_vad `idle_timeout_ms`: counted from the end of the last response (its audio was
   * paced in real time, so that is when playback ended); speech or a new response disarms it.
   * On expiry: `timeout_triggered`, the (silent) buffer is committed, and a response follows.
   */
  #armIdle() {
    this.#disarmIdle();
    const td = this.config.audio.input.turn_detection;
    if (td?.type !== 'server_vad' || !td.idle_timeout_ms) return;
    const startMs = this.clockMs;
    this.idleTimer = setTimeout(() => {
      this.idleTimer = null;
      if (this.closed || this.active || this.speechItemId) return;
      const id = newItemId();
      this.emit({ type: 'input_audio_buffer.timeout_triggered', audio_start_ms: Math.round(startMs), audio_end_ms: Math.round(this.clockMs), item_id: id });
      this.recorder?.event?.('timeout_triggered', {});
      const audio = this.#bufferPcm();
      this.resetAudio(this.clockMs);
      this.vad?.reset();
      this.#commitAudio(audio, id, { idle: true });
      if (td.create_response !== false) this.#startResponse(responseParams(this.config, {}));
    }, td.idle_timeout_ms / this.speed);
  }

  #disarmIdle() {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = null;
  }

  #responseCancel(e) {
    let run = null;
    if (e.response_id) {
      run = this.active?.id === e.response_id ? this.active : [...this.outOfBand].find((r) => r.id === e.response_id) ?? null;
    } else {
      run = this.active;
    }
    if (!run || run.finished) throw errors.cancelNotActive();
    run.cancel('client_cancelled');
  }
}
