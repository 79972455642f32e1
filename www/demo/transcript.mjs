// The streaming transcript: user and assistant turns as `<li data-role="user|assistant">`.
//
// Owns: creating turns and appending streamed text to them, keyed by the server's item ids;
// user voice turns (placeholder while speaking, then the input transcription); marking a reply
// cut by barge-in (`data-interrupted="true"` plus a visible "interrupted" marker where the text
// stopped, or where a lost connection cut it); notices about the connection (reconnecting,
// reconnected) between turns, which stay. Every piece of model or user text goes in through text
// nodes, never as HTML.

/** "1.2 s" */
const seconds = (ms) => `${(ms / 1000).toFixed(1)} s`;

const TIME = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit', second: '2-digit' });

/** `statusReason`s of a response cut by a lost connection, as the transcript words them. */
const LOST_REASONS = { connection_lost: 'connection lost', session_expired: 'session expired', go_away: 'server moved the session' };

export class Transcript {
  /** @param {HTMLOListElement} list */
  constructor(list) {
    this.list = list;
    this.assistant = new Map(); // itemId → turn
    this.voice = new Map(); // user speech itemId → turn
    // Follow the newest text unless the user scrolled up to read.
    this.follow = true;
    list.addEventListener('scroll', () => {
      this.follow = list.scrollHeight - list.scrollTop - list.clientHeight < 32;
    });
  }

  /** Creates one turn element; returns { li, text } where `text` is the Text node to stream into. */
  #turn(role, { label, badge, itemId, responseId, placeholder } = {}) {
    const li = document.createElement('li');
    li.className = `turn turn-${role}`;
    li.dataset.role = role;
    if (itemId) li.dataset.itemId = itemId;
    if (responseId) li.dataset.responseId = responseId;

    const head = document.createElement('p');
    head.className = 'turn-head';
    const who = document.createElement('span');
    who.className = 'turn-who';
    who.textContent = label ?? (role === 'user' ? 'You' : 'Assistant');
    head.append(who);
    if (badge) {
      const b = document.createElement('span');
      b.className = 'turn-badge';
      b.textContent = badge;
      head.append(b);
    }
    const time = document.createElement('time');
    time.className = 'turn-time';
    const now = new Date();
    time.dateTime = now.toISOString();
    time.textContent = TIME.format(now);
    head.append(time);

    const body = document.createElement('p');
    body.className = 'turn-text';
    const text = document.createTextNode('');
    body.append(text);
    if (placeholder) {
      body.dataset.placeholder = placeholder;
      li.dataset.pending = 'true';
    }
    li.append(head, body);
    this.#append(li);
    return { li, body, text };
  }

  #append(li) {
    this.list.append(li);
    this.#scroll();
  }

  /** Keeps the newest line in view (when following). */
  #scroll() {
    if (this.follow) this.list.scrollTop = this.list.scrollHeight;
  }

  #appendText(turn, delta) {
    turn.text.appendData(delta);
    if (turn.li.dataset.pending) delete turn.li.dataset.pending;
    this.#scroll();
  }

  /** A typed user message (sending it brings the view back to the newest line). */
  userText(text) {
    this.follow = true;
    const turn = this.#turn('user', { badge: 'typed' });
    turn.text.data = text;
    this.#scroll();
    return turn.li;
  }

  /** The user started speaking (server VAD) or pushed to talk: a turn waiting for its transcript. */
  userSpeechStarted(itemId) {
    if (itemId && this.voice.has(itemId) && !this.voice.get(itemId).closed) return;
    const turn = this.#turn('user', { badge: 'voice', itemId, placeholder: 'Speaking…' });
    turn.li.dataset.streaming = 'true';
    this.voice.set(itemId ?? `local-${this.voice.size}`, turn);
  }

  /** The speech became a user item (committed); keeps waiting for a transcript, if any. */
  userSpeechCommitted(itemId) {
    let turn = this.voice.get(itemId);
    if (!turn) {
      this.userSpeechStarted(itemId);
      turn = this.voice.get(itemId);
    }
    delete turn.li.dataset.streaming;
    if (!turn.text.data) turn.body.dataset.placeholder = 'Voice message';
  }

  /** Input transcription: `delta` appends, `completed` replaces with the whole text, `failed` notes it. */
  userTranscription(kind, itemId, text) {
    let turn = this.voice.get(itemId);
    if (turn?.closed && kind === 'delta') turn = null; // the id came back for a new turn (Gemini reuses it)
    if (!turn) turn = this.#adoptPlaceholder(itemId);
    if (!turn) {
      this.userSpeechStarted(itemId);
      turn = this.voice.get(itemId);
    }
    if (kind === 'delta') this.#appendText(turn, text ?? '');
    else if (kind === 'completed') {
      turn.text.data = text ?? '';
      delete turn.li.dataset.pending;
      delete turn.li.dataset.streaming;
    } else {
      turn.body.dataset.placeholder = 'Voice message (not transcribed)';
      delete turn.li.dataset.streaming;
    }
    this.#scroll();
  }

  /**
   * A "Speaking…" turn started without an item id (Gemini's barge-in signal has none) takes the
   * first transcription that arrives with one.
   */
  #adoptPlaceholder(itemId) {
    for (const [key, turn] of this.voice) {
      if (!key.startsWith('local-') || turn.closed || turn.text.data) continue;
      this.voice.delete(key);
      if (itemId) {
        turn.li.dataset.itemId = itemId;
        this.voice.set(itemId, turn);
      }
      return turn;
    }
    return null;
  }

  /** A piece of assistant output (text, or the transcript of its audio). */
  assistantDelta({ itemId, responseId, text }, { modality } = {}) {
    const key = itemId ?? responseId ?? 'assistant';
    let turn = this.assistant.get(key);
    if (turn?.li.dataset.interrupted === 'true') return; // cut: what the server still sends was not heard
    if (!turn) {
      turn = this.#turn('assistant', { itemId, responseId, badge: modality === 'audio' ? 'voice' : undefined });
      turn.li.dataset.streaming = 'true';
      this.assistant.set(key, turn);
    }
    this.#appendText(turn, text ?? '');
  }

  /**
   * The response ended: stops the streaming cue; `cancelled` marks its turns interrupted — or, when
   * the connection that streamed it was lost (`statusReason`), cut off by that.
   */
  responseDone({ responseId, status, statusReason }) {
    // The user turns this reply answered are complete: a transcription under a reused id is a new turn.
    for (const turn of this.voice.values()) {
      if (!turn.text.data) continue;
      turn.closed = true;
      delete turn.li.dataset.streaming;
    }
    for (const turn of this.assistant.values()) {
      if (responseId && turn.li.dataset.responseId !== responseId) continue;
      if (!turn.li.dataset.streaming) continue;
      delete turn.li.dataset.streaming;
      if (status === 'cancelled') this.#markInterrupted(turn, undefined, LOST_REASONS[statusReason]);
      else if (status === 'incomplete' || status === 'failed') turn.li.dataset.status = status;
    }
  }

  /**
   * Barge-in as the SDK's `interrupted` event reports it: the item that was playing (when it says
   * which), otherwise whatever is still streaming. `figures` ({ heardMs, receivedMs }) go in the
   * marker: how much of the reply the listener heard before the cut. Returns whether they were
   * new (the SDK may report an item it already cut again, with stale figures: the first stand).
   */
  interrupted(itemId, figures) {
    const turn = itemId && this.assistant.get(itemId);
    if (turn) {
      delete turn.li.dataset.streaming;
      return this.#markInterrupted(turn, figures);
    }
    let fresh = false;
    for (const turn of this.assistant.values()) {
      if (turn.li.dataset.streaming) {
        delete turn.li.dataset.streaming;
        fresh = this.#markInterrupted(turn, figures) || fresh;
      }
    }
    return fresh;
  }

  #markInterrupted(turn, figures, lost) {
    if (turn.li.dataset.interrupted !== 'true') {
      turn.li.dataset.interrupted = 'true';
      turn.cut = document.createElement('span');
      turn.cut.className = 'turn-cut';
      turn.cut.textContent = lost ? `cut off: ${lost}` : 'interrupted';
      turn.cut.title = lost ? 'The connection was lost while this reply streamed' : 'The reply was cut here (barge-in)';
      if (lost) turn.li.dataset.cutBy = 'connection';
      turn.body.append(turn.cut);
    }
    let fresh = false;
    if (figures && Number.isFinite(figures.heardMs) && Number.isFinite(figures.receivedMs) && turn.li.dataset.heardMs === undefined) {
      fresh = true;
      turn.li.dataset.heardMs = String(Math.round(figures.heardMs));
      turn.li.dataset.receivedMs = String(Math.round(figures.receivedMs));
      turn.cut.textContent = `interrupted · heard ${seconds(figures.heardMs)} of ${seconds(figures.receivedMs)}`;
    }
    this.#scroll();
    return fresh;
  }

  /**
   * A line about the connection inside a session (`kind`: `reconnecting`, `reconnected`): not a
   * turn, and the turns around it stay — the conversation goes on across connections.
   */
  notice(text, kind) {
    const li = document.createElement('li');
    li.className = 'notice';
    li.dataset.notice = kind;
    li.setAttribute('role', 'status');
    li.textContent = text;
    this.#append(li);
  }

  /** A quiet divider between sessions (not a turn: no data-role). */
  divider(text) {
    if (!this.list.children.length) return;
    const li = document.createElement('li');
    li.className = 'divider';
    li.setAttribute('role', 'separator');
    li.textContent = text;
    this.#append(li);
  }

  /** Forgets the per-session keys (a new session reuses nothing). */
  endSession() {
    for (const turn of [...this.assistant.values(), ...this.voice.values()]) delete turn.li.dataset.streaming;
    this.assistant.clear();
    this.voice.clear();
  }

  clear() {
    this.endSession();
    this.list.replaceChildren();
    this.follow = true;
  }
}
