// Latency figures: a text turn's round trip (send → first assistant output) and a voice turn's
// (end of the user's speech → first reply audio).
//
// Owns: the pending start marks and the figures shown in `data-testid="latency"` (last value,
// median, count). Each `<dd>` carries `data-ms` (the last measurement) for tests.

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

export class Latency {
  constructor({ text, speech, now = () => performance.now() }) {
    this.text = new Figure(text);
    this.speech = new Figure(speech);
    this.now = now;
    this.textStart = null;
    this.speechEnd = null;
  }

  /** The user pressed Send. */
  textSent() {
    this.textStart = this.now();
  }

  /** The user's speech ended (server VAD `speechStopped`, or push-to-talk released). */
  speechEnded() {
    this.speechEnd = this.now();
    this.textStart = null;
  }

  /** Any assistant output arrived (text delta, transcript delta or audio). */
  assistantOutput({ audio = false } = {}) {
    const t = this.now();
    if (this.textStart !== null) {
      this.text.record(t - this.textStart);
      this.textStart = null;
    }
    if (this.speechEnd !== null && audio) {
      this.speech.record(t - this.speechEnd);
      this.speechEnd = null;
    }
  }

  /** A response ended without output, or the session closed: nothing is pending any more. */
  reset() {
    this.textStart = null;
    this.speechEnd = null;
  }
}
