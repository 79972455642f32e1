// Latency figures from the SDK's per-response `metrics` event: a text turn's round trip (text sent
// → the reply's first frame), a voice turn's (end of the user's speech → first reply audio played),
// the last reply's playback health (underruns, jitter-buffer depth), and the last barge-in's figures.
//
// Owns: which kind of turn the next report answers (the last user input: typed, or spoken) and the
// figures shown in `data-testid="latency"` (last value, median, count). Each figure's `<dd>`
// carries `data-ms` (the last measurement) for tests. The SDK measures the end of speech the same
// way for every provider (the microphone level's last voiced moment before a 150 ms pause, or the
// push-to-talk commit); this page only decides which figure a report belongs to.

/** Input level (0–1 on the −60…0 dBFS scale) that counts as speech (the SDK's threshold too). */
export const SPEECH_LEVEL = 0.35;

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
  constructor({ text, speech, playback, bargeIn }) {
    this.text = new Figure(text);
    this.speech = new Figure(speech);
    this.playbackEl = playback;
    this.bargeInEl = bargeIn;
    /** What the user did last: `'text'`, `'voice'` or null (a report answers it). */
    this.lastInput = null;
  }

  /** The user pressed Send. */
  textSent() {
    this.lastInput = 'text';
  }

  /** An `inputLevel` of the (unmuted) microphone: speech makes the next report a voice turn's. */
  inputLevel(level) {
    if (level >= SPEECH_LEVEL) this.lastInput = 'voice';
  }

  /** Push-to-talk released. */
  speechEnded() {
    this.lastInput = 'voice';
  }

  /**
   * The SDK's `metrics` for a response: the figure of the kind of input it answered. Follow-ups
   * (after a tool call) have no input figures; a cut reply (barge-in, Stop) gives none.
   */
  metrics(m) {
    const answered = m.status !== 'cancelled';
    if (answered && this.lastInput === 'text' && m.inputToFirstFrameMs !== undefined) {
      this.text.record(m.inputToFirstFrameMs);
    } else if (answered && this.lastInput === 'voice' && m.inputToAudioMs !== undefined) {
      this.speech.record(m.inputToAudioMs);
    }
    if (this.playbackEl && m.playedMs > 0) {
      this.playbackEl.dataset.underruns = String(m.underruns);
      const played = document.createElement('strong');
      played.textContent = `${m.underruns} underrun${m.underruns === 1 ? '' : 's'}`;
      const rest = document.createElement('span');
      rest.className = 'hint';
      const depth = m.buffer ? ` · buffer ${Math.round(m.buffer.minMs)}–${Math.round(m.buffer.maxMs)} ms (avg ${Math.round(m.buffer.avgMs)})` : '';
      rest.textContent = ` in ${formatMs(m.playedMs)}${depth}`;
      this.playbackEl.replaceChildren(played, rest);
    }
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

  /** The session closed: nothing is pending any more. */
  reset() {
    this.lastInput = null;
  }
}
