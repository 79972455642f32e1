// Per-connection recordings for the SDK's browser tests (control endpoints).
//
// Owns: what the emulator remembers about connections opened with `emu_tag=TAG`
// and the JSON/WAV views served at `GET /emulator/recordings/<TAG>[/input.wav]`.
// A tag may be reused by several connections (reconnect tests): each connection
// is kept separately and the summary also aggregates them.
//
// Connection recorder API (`ctx.recorder` for provider modules; every method optional to call):
//   audio(samples: Int16Array, rate)       decoded input audio as received (PCM16 mono)
//   clientEvent(type)                      one client event received, by wire type
//   event(kind, data?)                     anything else worth asserting (timeline, counted by kind);
//                                          kind "server" = one server frame sent ({type} or {keys}),
//                                          counted in events_sent and kept out of the timeline
//   truncation({ item_id, content_index, audio_end_ms, audio_sent_ms, ok, error? })
//   audioSent(itemId, samples, rate)       output audio actually sent, per item
//   close(code, reason)
//
// Summary JSON (per connection, and aggregated at top level):
//   { tag, provider, connections, events_received: {type: n}, events_sent: {type: n}, events: {kind: n},
//     input_audio: { rate, samples, duration_ms }, truncations: [...],
//     audio_sent: { <item_id>: { samples, rate, duration_ms } }, closes: [...],
//     per_connection: [ { provider, opened_at, events_received, input_audio, truncations,
//                        audio_sent, timeline: [{ t_ms, kind, ...data }], close } ] }

const recordings = new Map(); // tag → { connections: [Conn] }
const MAX_TIMELINE = 2000;

class ConnectionRecording {
  constructor(provider) {
    this.provider = provider;
    this.openedAt = Date.now();
    this.eventsReceived = {};
    this.eventsSent = {};
    this.events = {};
    this.timeline = [];
    this.audioChunks = [];
    this.audioSamples = 0;
    this.audioRate = null;
    this.truncations = [];
    this.audioSentPerItem = {};
    this.closeInfo = null;
  }

  audio(samples, rate) {
    if (!samples || !samples.length) return;
    if (this.audioRate !== null && rate !== this.audioRate) {
      this.event('input_audio_rate_changed', { from: this.audioRate, to: rate });
    }
    this.audioRate = rate;
    const copy = Int16Array.from(samples);
    this.audioChunks.push(copy);
    this.audioSamples += copy.length;
  }

  clientEvent(type) {
    const key = String(type ?? '(none)');
    this.eventsReceived[key] = (this.eventsReceived[key] ?? 0) + 1;
  }

  event(kind, data = {}) {
    if (kind === 'server') {
      const key = data.type ?? (Array.isArray(data.keys) ? data.keys.join('+') : '(unknown)');
      this.eventsSent[key] = (this.eventsSent[key] ?? 0) + 1;
      return;
    }
    this.events[kind] = (this.events[kind] ?? 0) + 1;
    if (this.timeline.length < MAX_TIMELINE) this.timeline.push({ t_ms: Date.now() - this.openedAt, kind, ...data });
  }

  truncation(t) {
    this.truncations.push({ ...t });
  }

  audioSent(itemId, samples, rate) {
    const e = (this.audioSentPerItem[itemId] ??= { samples: 0, rate, duration_ms: 0 });
    e.samples += samples;
    e.rate = rate;
    e.duration_ms = Math.round((e.samples / rate) * 1000 * 1000) / 1000;
  }

  close(code, reason) {
    this.closeInfo = { code, reason: reason ?? '' };
  }

  pcm() {
    const out = new Int16Array(this.audioSamples);
    let o = 0;
    for (const c of this.audioChunks) {
      out.set(c, o);
      o += c.length;
    }
    return out;
  }

  summary() {
    return {
      provider: this.provider,
      opened_at: new Date(this.openedAt).toISOString(),
      events_received: { ...this.eventsReceived },
      events_sent: { ...this.eventsSent },
      events: { ...this.events },
      input_audio: inputAudio(this.audioSamples, this.audioRate),
      truncations: this.truncations.map((t) => ({ ...t })),
      audio_sent: JSON.parse(JSON.stringify(this.audioSentPerItem)),
      timeline: this.timeline.slice(),
      close: this.closeInfo,
    };
  }
}

function inputAudio(samples, rate) {
  return { rate, samples, duration_ms: rate ? Math.round((samples / rate) * 1000 * 1000) / 1000 : 0 };
}

/** Start recording one connection under `tag` (null tag → a recorder that keeps nothing). */
export function recordConnection(tag, provider) {
  if (tag === null || tag === undefined || tag === '') return null;
  let rec = recordings.get(tag);
  if (!rec) {
    rec = { connections: [] };
    recordings.set(tag, rec);
  }
  const conn = new ConnectionRecording(provider);
  rec.connections.push(conn);
  return conn;
}

export function hasRecording(tag) {
  return recordings.has(tag);
}

export function deleteRecording(tag) {
  return recordings.delete(tag);
}

export function clearRecordings() {
  recordings.clear();
}

/** Aggregated summary of every connection recorded under `tag`, or null. */
export function recordingSummary(tag) {
  const rec = recordings.get(tag);
  if (!rec) return null;
  const per = rec.connections.map((c) => c.summary());
  const sum = (key) => {
    const out = {};
    for (const p of per) for (const [k, v] of Object.entries(p[key])) out[k] = (out[k] ?? 0) + v;
    return out;
  };
  const rate = rec.connections.find((c) => c.audioRate !== null)?.audioRate ?? null;
  const samples = rec.connections.reduce((n, c) => n + c.audioSamples, 0);
  const audioSent = {};
  for (const p of per) Object.assign(audioSent, p.audio_sent);
  return {
    tag,
    provider: per.at(-1)?.provider ?? null,
    connections: per.length,
    events_received: sum('events_received'),
    events_sent: sum('events_sent'),
    events: sum('events'),
    input_audio: inputAudio(samples, rate),
    truncations: per.flatMap((p) => p.truncations),
    audio_sent: audioSent,
    closes: per.map((p) => p.close),
    per_connection: per,
  };
}

/** WAV (PCM16 mono) of the input audio recorded under `tag`; `connection` picks one (0-based). */
export function recordingWav(tag, connection = null) {
  const rec = recordings.get(tag);
  if (!rec) return null;
  const conns = connection === null ? rec.connections : rec.connections.slice(connection, connection + 1);
  if (!conns.length) return null;
  const rate = conns.find((c) => c.audioRate !== null)?.audioRate ?? 24000;
  const parts = conns.map((c) => c.pcm());
  const total = parts.reduce((n, p) => n + p.length, 0);
  const pcm = new Int16Array(total);
  let o = 0;
  for (const p of parts) {
    pcm.set(p, o);
    o += p.length;
  }
  return encodeWav(pcm, rate);
}

export function encodeWav(pcm, rate) {
  const data = Buffer.alloc(pcm.length * 2);
  for (let i = 0; i < pcm.length; i++) data.writeInt16LE(pcm[i], i * 2);
  const h = Buffer.alloc(44);
  h.write('RIFF', 0, 'ascii');
  h.writeUInt32LE(36 + data.length, 4);
  h.write('WAVE', 8, 'ascii');
  h.write('fmt ', 12, 'ascii');
  h.writeUInt32LE(16, 16);
  h.writeUInt16LE(1, 20); // PCM
  h.writeUInt16LE(1, 22); // mono
  h.writeUInt32LE(rate, 24);
  h.writeUInt32LE(rate * 2, 28);
  h.writeUInt16LE(2, 32);
  h.writeUInt16LE(16, 34);
  h.write('data', 36, 'ascii');
  h.writeUInt32LE(data.length, 40);
  return Buffer.concat([h, data]);
}
