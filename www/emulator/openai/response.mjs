// One response, from `response.created` to `response.done` (+ `rate_limits.updated`).
//
// Owns: the event chain of a response (PROTOCOLS §1.9) for its plan (model.mjs):
// text (`output_text.*`), audio + transcript (`output_audio.*` interleaved with
// `output_audio_transcript.*`, paced in real time ÷ speed, 100 ms chunks), or a
// function call (`function_call_arguments.*`); conversation.item.added/done when
// it writes to the default conversation; usage; cancellation (client or turn
// detected) closing the open part/item as `incomplete` and the response as
// `cancelled`; `max_output_tokens` cutting the output (`incomplete`).
// Audio actually sent is appended to the item's entry (truncation checks it).

import { responseId, itemId, callId } from './ids.mjs';
import { encodeOutput, msOf, PCM_RATE, resample } from './audio.mjs';
import { tokenize, textTokens, outputAudioTokens, contextTokens } from './model.mjs';

const CHUNK_MS = 100;
const TEXT_DELTA_MS = 15;

export class ResponseRun {
  /**
   * @param {object} o
   * @param {Function} o.emit          send a server event
   * @param {object} o.params          effective params (config.responseParams)
   * @param {object} o.plan            model.plan(...)
   * @param {Array} o.context          context entries (for usage)
   * @param {object|null} o.conversation  Conversation when writing to the default one
   * @param {string|null} o.conversationId
   * @param {number} o.speed
   * @param {Function} o.onDone        (run) → void, after response.done
   * @param {Function} [o.onAudioSent] (itemId, samples, rate)
   */
  constructor(o) {
    Object.assign(this, o);
    this.id = responseId();
    this.status = 'in_progress';
    this.output = [];
    this.timer = null;
    this.wake = null;
    this.finished = false;
    this.outTextTokens = 0;
    this.outAudioMs = 0;
    this.open = null; // { item, kind, partType, text, sentWords, audioEntry }
  }

  get inConversation() {
    return this.conversation !== null;
  }

  #responseObject(extra = {}) {
    const r = {
      object: 'realtime.response',
      id: this.id,
      status: this.status,
      status_details: null,
      output: JSON.parse(JSON.stringify(this.output)),
      conversation_id: this.conversationId ?? undefined,
      output_modalities: this.params.output_modalities,
      max_output_tokens: this.params.max_output_tokens,
      audio: { output: { format: this.params.audio.output.format, voice: this.params.audio.output.voice } },
      usage: null,
      metadata: this.params.metadata,
      ...extra,
    };
    if (r.conversation_id === undefined) delete r.conversation_id;
    return r;
  }

  #sleep(ms) {
    if (this.finished) return Promise.resolve();
    return new Promise((resolve) => {
      this.wake = resolve;
      this.timer = setTimeout(() => {
        this.timer = null;
        this.wake = null;
        resolve();
      }, Math.max(0, ms));
    });
  }

  #budget() {
    const m = this.params.max_output_tokens;
    return m === 'inf' || m === undefined || m === null ? Infinity : m;
  }

  async run() {
    this.emit({ type: 'response.created', response: this.#responseObject() });
    await this.#sleep(TEXT_DELTA_MS / this.speed);
    if (this.finished) return;
    if (this.plan.kind === 'function_call') await this.#functionCall();
    else if (this.plan.audio) await this.#audio();
    else await this.#text();
    if (!this.finished) this.finish(this.incomplete ? 'incomplete' : 'completed');
  }

  #addItem(item) {
    this.output.push(item);
    const idx = this.output.length - 1;
    this.emit({ type: 'response.output_item.added', response_id: this.id, output_index: idx, item: JSON.parse(JSON.stringify(item)) });
    let entry = null;
    if (this.inConversation) {
      const prev = this.conversation.insert(item, undefined, { audio: null, rate: PCM_RATE });
      entry = this.conversation.entry(item.id);
      this.emit({ type: 'conversation.item.added', previous_item_id: prev, item: JSON.parse(JSON.stringify(item)) });
    }
    return { idx, entry };
  }

  async #functionCall() {
    const item = { id: itemId(), type: 'function_call', status: 'in_progress', name: this.plan.name, call_id: callId(), arguments: '' };
    const { idx } = this.#addItem(item);
    this.open = { item, idx, kind: 'function_call' };
    const args = this.plan.arguments;
    for (let i = 0; i < args.length; i += 8) {
      const delta = args.slice(i, i + 8);
      this.emit({ type: 'response.function_call_arguments.delta', response_id: this.id, item_id: item.id, output_index: idx, call_id: item.call_id, delta });
      this.outTextTokens += 1;
      await this.#sleep(TEXT_DELTA_MS / this.speed);
      if (this.finished) return;
    }
    item.arguments = args;
    this.emit({ type: 'response.function_call_arguments.done', response_id: this.id, item_id: item.id, output_index: idx, call_id: item.call_id, name: item.name, arguments: args });
    this.#closeItem('completed');
  }

  async #text() {
    const item = { id: itemId(), type: 'message', status: 'in_progress', role: 'assistant', content: [] };
    const { idx } = this.#addItem(item);
    const ids = { response_id: this.id, item_id: item.id, output_index: idx, content_index: 0 };
    this.open = { item, idx, kind: 'text', text: '', ids };
    this.emit({ type: 'response.content_part.added', ...ids, part: { type: 'text', text: '' } });
    const budget = this.#budget();
    for (const delta of tokenize(this.plan.text)) {
      if (this.outTextTokens >= budget) {
        this.incomplete = 'max_output_tokens';
        break;
      }
      this.open.text += delta;
      this.outTextTokens += 1;
      this.emit({ type: 'response.output_text.delta', ...ids, delta });
      await this.#sleep(TEXT_DELTA_MS / this.speed);
      if (this.finished) return;
    }
    this.#closeItem(this.incomplete ? 'incomplete' : 'completed');
  }

  async #audio() {
    const item = { id: itemId(), type: 'message', status: 'in_progress', role: 'assistant', content: [] };
    const { idx, entry } = this.#addItem(item);
    const ids = { response_id: this.id, item_id: item.id, output_index: idx, content_index: 0 };
    const pcm = resample(this.plan.audio, this.plan.rate ?? PCM_RATE, PCM_RATE);
    this.open = { item, idx, kind: 'audio', text: '', ids, entry, sent: new Int16Array(0) };
    this.emit({ type: 'response.content_part.added', ...ids, part: { type: 'audio', transcript: '' } });
    this.onAudioStarted?.();
    const words = tokenize(this.plan.text);
    const chunk = Math.round((PCM_RATE * CHUNK_MS) / 1000);
    const chunks = Math.max(1, Math.ceil(pcm.length / chunk));
    const budgetMs = this.#budget() === Infinity ? Infinity : (this.#budget() * 50);
    let w = 0;
    const t0 = Date.now();
    for (let k = 0; k < chunks; k++) {
      // Transcript words spread evenly over the audio, each sent just before its audio.
      const wordsDue = Math.ceil(((k + 1) * words.length) / chunks);
      while (w < wordsDue) {
        this.open.text += words[w];
        this.emit({ type: 'response.output_audio_transcript.delta', ...ids, delta: words[w] });
        w++;
      }
      if (msOf(k * chunk, PCM_RATE) >= budgetMs) {
        this.incomplete = 'max_output_tokens';
        break;
      }
      const piece = pcm.subarray(k * chunk, Math.min(pcm.length, (k + 1) * chunk));
      this.emit({ type: 'response.output_audio.delta', ...ids, delta: encodeOutput(piece, PCM_RATE, this.params.audio.output.format) });
      // Emitting can end the run at once (the socket closed under it): nothing open to account to.
      if (this.finished || !this.open) return;
      this.#account(piece);
      const due = t0 + ((k + 1) * CHUNK_MS) / this.speed;
      await this.#sleep(due - Date.now());
      if (this.finished) return;
    }
    this.#closeItem(this.incomplete ? 'incomplete' : 'completed');
  }

  #account(piece) {
    const o = this.open;
    const joined = new Int16Array(o.sent.length + piece.length);
    joined.set(o.sent);
    joined.set(piece, o.sent.length);
    o.sent = joined;
    if (o.entry) o.entry.audio = joined;
    this.outAudioMs += msOf(piece.length, PCM_RATE);
    this.onAudioSent?.(o.item.id, piece.length, PCM_RATE);
  }

  /** Close the open content part and item (completed or incomplete). */
  #closeItem(status) {
    const o = this.open;
    if (!o) return;
    this.open = null;
    const item = o.item;
    if (o.kind === 'text') {
      this.emit({ type: 'response.output_text.done', ...o.ids, text: o.text });
      this.emit({ type: 'response.content_part.done', ...o.ids, part: { type: 'text', text: o.text } });
      item.content = [{ type: 'output_text', text: o.text }];
    } else if (o.kind === 'audio') {
      this.emit({ type: 'response.output_audio.done', ...o.ids });
      this.emit({ type: 'response.output_audio_transcript.done', ...o.ids, transcript: o.text });
      this.emit({ type: 'response.content_part.done', ...o.ids, part: { type: 'audio', transcript: o.text } });
      item.content = [{ type: 'output_audio', transcript: o.text }];
    }
    item.status = status;
    this.output[o.idx] = item;
    this.emit({ type: 'response.output_item.done', response_id: this.id, output_index: o.idx, item: JSON.parse(JSON.stringify(item)) });
    if (this.inConversation && this.conversation.has(item.id)) {
      this.emit({ type: 'conversation.item.done', previous_item_id: this.conversation.previousOf(item.id), item: JSON.parse(JSON.stringify(item)) });
    }
  }

  /** Stop now: `reason` = "client_cancelled" | "turn_detected". */
  cancel(reason) {
    if (this.finished) return;
    this.#closeItem('incomplete');
    this.finish('cancelled', { type: 'cancelled', reason });
  }

  /** Emit response.done (+ rate_limits.updated) and release the run. */
  finish(status, details = null) {
    if (this.finished) return;
    if (this.open) this.#closeItem(status === 'completed' ? 'completed' : 'incomplete');
    this.finished = true;
    if (this.timer) clearTimeout(this.timer);
    this.wake?.();
    this.status = status;
    if (!details && this.incomplete) details = { type: 'incomplete', reason: this.incomplete };
    const ctx = contextTokens(this.context, this.params.instructions);
    const audioOut = outputAudioTokens(this.outAudioMs);
    const textOut = this.plan.kind === 'text' && this.plan.audio ? textTokens(this.output.map((i) => i.content?.[0]?.transcript ?? '').join('')) : this.outTextTokens;
    const input = ctx.text + ctx.audio;
    const out = textOut + audioOut;
    const usage = {
      total_tokens: input + out,
      input_tokens: input,
      output_tokens: out,
      input_token_details: {
        text_tokens: ctx.text,
        audio_tokens: ctx.audio,
        image_tokens: 0,
        cached_tokens: 0,
        cached_tokens_details: { text_tokens: 0, audio_tokens: 0, image_tokens: 0 },
      },
      output_token_details: { text_tokens: textOut, audio_tokens: audioOut },
    };
    this.emit({ type: 'response.done', response: this.#responseObject({ status_details: details, usage }) });
    // Windows refill quickly (reset_seconds): only this response's cost is visible.
    const rl = { requests: 4999, tokens: Math.max(0, 40000 - usage.total_tokens) };
    this.emit({
      type: 'rate_limits.updated',
      rate_limits: [
        { name: 'requests', limit: 5000, remaining: rl.requests, reset_seconds: 0.012 },
        { name: 'tokens', limit: 40000, remaining: rl.tokens, reset_seconds: 2.265 },
      ],
    });
    this.onDone?.(this);
  }
}

