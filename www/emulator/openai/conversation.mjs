// The default conversation: ordered items and what the service stores with them.
//
// Owns: item ids, insertion (`previous_item_id`: absent = append, "root" = first,
// id = after that item), lookup, deletion, the audio kept per item (user input
// audio as received; assistant output audio as actually sent) and truncation.
// Items are kept in their public shape (what `conversation.item.*` events show);
// audio bytes live beside them and are shown only by `conversation.item.retrieved`.

import { itemId as newItemId } from './ids.mjs';
import * as errors from './errors.mjs';
import { PCM_RATE, msOf } from './audio.mjs';

export class Conversation {
  constructor() {
    this.entries = []; // { item, audio: Int16Array|null, rate }
  }

  get items() {
    return this.entries.map((e) => e.item);
  }

  has(id) {
    return this.entries.some((e) => e.item.id === id);
  }

  entry(id) {
    return this.entries.find((e) => e.item.id === id) ?? null;
  }

  /** Id of the item before `id` (null when first). */
  previousOf(id) {
    const i = this.entries.findIndex((e) => e.item.id === id);
    return i > 0 ? this.entries[i - 1].item.id : null;
  }

  lastId() {
    return this.entries.at(-1)?.item.id ?? null;
  }

  /** Insert; returns the id of the item now before it (null when first). Throws RealtimeError. */
  insert(item, previousItemId, extra = {}) {
    if (!item.id) item.id = newItemId();
    else if (this.has(item.id)) throw errors.itemExists(item.id);
    const entry = { item, audio: extra.audio ?? null, rate: extra.rate ?? PCM_RATE };
    if (previousItemId === undefined || previousItemId === null) {
      this.entries.push(entry);
    } else if (previousItemId === 'root') {
      this.entries.unshift(entry);
    } else {
      const i = this.entries.findIndex((e) => e.item.id === previousItemId);
      if (i < 0) throw errors.previousItemNotFound(previousItemId);
      this.entries.splice(i + 1, 0, entry);
    }
    return this.previousOf(item.id);
  }

  delete(id) {
    const i = this.entries.findIndex((e) => e.item.id === id);
    if (i < 0) throw errors.itemNotFound('item_id', id);
    this.entries.splice(i, 1);
  }

  /** The item as `conversation.item.retrieved` shows it: with base64 audio. */
  retrieve(id) {
    const e = this.entry(id);
    if (!e) throw errors.itemNotFound('item_id', id);
    const item = JSON.parse(JSON.stringify(e.item));
    if (e.audio && Array.isArray(item.content)) {
      const b = Buffer.alloc(e.audio.length * 2);
      for (let i = 0; i < e.audio.length; i++) b.writeInt16LE(e.audio[i], i * 2);
      for (const c of item.content) if (c.type === 'input_audio' || c.type === 'output_audio') c.audio = b.toString('base64');
    }
    return item;
  }

  /**
   * Truncate an assistant audio item at `audioEndMs` of the audio actually sent.
   * Returns { lengthMs }. Throws RealtimeError (not found, not audio, beyond length).
   */
  truncate(id, contentIndex, audioEndMs) {
    const e = this.entry(id);
    if (!e) throw errors.itemNotFound('item_id', id);
    const it = e.item;
    const part = it.content?.[contentIndex];
    if (it.type !== 'message' || it.role !== 'assistant' || !Array.isArray(it.content) || !it.content.some((c) => c.type === 'output_audio')) {
      throw errors.notTruncatable();
    }
    if (!part || part.type !== 'output_audio') throw errors.badContentIndex(contentIndex);
    const sent = e.audio?.length ?? 0;
    const lengthMs = Math.floor(msOf(sent, e.rate));
    if (audioEndMs > lengthMs) throw errors.truncateBeyond(lengthMs, audioEndMs);
    const keep = Math.round((audioEndMs * e.rate) / 1000);
    e.audio = e.audio ? e.audio.slice(0, keep) : null;
    // Like the service: the transcript of what was not heard is dropped from the context.
    part.transcript = '';
    return { lengthMs, sentMs: msOf(sent, e.rate) };
  }
}
