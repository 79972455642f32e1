// Latency figures: a text turn's round trip (send → first assistant output), a voice turn's
// (end of the user's speech → first reply audio heard), and the last barge-in's figures.
//
// Owns: the pending start marks and the figures shown in `data-testid="latency"` (last value,
// median, count). Each figure's `<dd>` carries `data-ms` (the last measurement) for tests.
// End of speech is measured on the page, the same way for every provider: the last moment the
// SDK's `inputLevel` was above SPEECH_LEVEL before a pause of PAUSE_MS (or the push-to-talk
// release). First reply audio is the first `outputLevel` above REPLY_LEVEL after it: what the
// listener hears, jitter buffer and output latency included.

/** Input level (0–1 on the −60…0 dBFS scale) that counts as speech: −39 dBFS. */
export const SPEECH_LEVEL = 0.35;
/** Output level that counts as reply audio being heard. */
export const REPLY_LEVEL = 0.05;
/** A pause this long after speech ends the utterance, ms. */
export const PAUSE_MS = 150;
/** Shorter bursts are clicks, not speech, ms. */
export const MIN_SPEECH_MS = 120;

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

class Figure {
  constructor(el) {
    this.el = el;
    this.samples = [];
  }

  record(ms) {
    this.samples.push(ms);
    this.el.dataset.ms = String(Math.round(ms));
    const last = document.createElement('strong');
    last.textContent = `${Math.round(ms)} ms`;
    const rest = document.createElement('span');
    rest.className = 'hint';
    rest.textContent = this.samples.length > 1 ? ` median ${Math.round(median(this.samples))} ms over ${this.samples.length}` : ' first turn';
    this.el.replaceChildren(last, rest);
  }
}

/** "1.23 s" (or "480 ms" under a second). */
export function formatMs(ms) {
  return ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${Math.round(ms)} ms`;
}

export class Latency {
  constructor({ text, speech, bargeIn, now = () => performance.now() }) {
    this.text = new Figure(text);
    this.speech = new Figure(speech);
    this.bargeInEl = bargeIn;
    this.now = now;
    this.textStart = null;
    this.speechEnd = null;
    this.voiced = null; // { start, last } while the user is speaking
  }

  /** The user pressed Send: the reply that follows answers the text, not earlier speech. */
  textSent() {
    this.textStart = this.now();
    this.speechEnd = null;
  }

  /** An `inputLevel` of the (unmuted) microphone. */
  inputLevel(level, t = this.now()) {
    if (level >= SPEECH_LEVEL) {
      if (!this.voiced) this.voiced = { start: t, last: t };
      this.voiced.last = t;
      return;
    }
    if (this.voiced && t - this.voiced.last >= PAUSE_MS) {
      if (this.voiced.last - this.voiced.start >= MIN_SPEECH_MS) {
        this.speechEnd = this.voiced.last;
        this.textStart = null;
      }
      this.voiced = null;
    }
  }

  /** Push-to-talk released: the user says the turn is over. */
  speechEnded(t = this.now()) {
    this.voiced = null;
    this.speechEnd = t;
    this.textStart = null;
  }

  /** Assistant output arrived (a text or transcript delta, or audio bytes): ends a text round trip. */
  assistantOutput() {
    if (this.textStart === null) return;
    this.text.record(this.now() - this.textStart);
    this.textStart = null;
  }

  /** An `outputLevel`: the first audible one after the user's speech ends a voice round trip. */
  outputLevel(level) {
    if (level < REPLY_LEVEL || this.speechEnd === null || this.voiced) return;
    this.speech.record(this.now() - this.speechEnd);
    this.speechEnd = null;
  }

  /** The SDK's `interrupted` figures: how much of the cut reply was heard. */
  interrupted({ heardMs, receivedMs, outputLatencyMs }) {
    if (!this.bargeInEl) return;
    this.bargeInEl.dataset.heardMs = String(Math.round(heardMs));
    this.bargeInEl.dataset.receivedMs = String(Math.round(receivedMs));
    const heard = document.createElement('strong');
    heard.textContent = `heard ${formatMs(heardMs)}`;
    const rest = document.createElement('span');
    rest.className = 'hint';
    rest.textContent = ` of ${formatMs(receivedMs)} received · output latency ${Math.round(outputLatencyMs)} ms`;
    this.bargeInEl.replaceChildren(heard, rest);
  }

  /** A reply was cut (barge-in, Stop): a text round trip it answered is void; speech in progress is not. */
  cancelled() {
    this.textStart = null;
  }

  /** The session closed: nothing is pending any more. */
  reset() {
    this.textStart = null;
    this.speechEnd = null;
    this.voiced = null;
  }
}
