// Voice controls: microphone toggle, device choice, voice-activity vs push-to-talk, reply volume.
//
// Owns: wiring those controls to the SDK's audio API — `session.startMicrophone({ deviceId })`,
// `stopMicrophone()`, `muted`, `commitAudio()`, `resumeAudio()`, `outputVolume`. No audio code of
// its own: capture and playback are the SDK's. When the browser cannot capture here (no
// `getUserMedia` off a secure origin, no AudioWorklet) the microphone controls are disabled and
// `#mic-hint` says why; replies still play.
// The microphone starts with the session (press Connect, then talk) unless the user turned it off
// or the page was opened with `?mic=off`.
// Turn taking: voice activity = the provider's server-side detection (speaking over a reply
// interrupts it); push to talk = detection off, the microphone muted except while the button is
// held, and `commitAudio()` on release (which asks for the reply itself when detection is off).
// Instant barge-in (`#local-barge-in`, on by default): `connect({ bargeIn: { local } })`, the SDK's
// on-device voice detection ducks the reply the moment the user speaks over it.

export const NO_CAPTURE_HINT =
  "This browser can't capture the microphone on this page (it needs HTTPS or localhost, and AudioWorklet). Type your messages instead.";

/** Whether the browser can capture the microphone here. */
export function browserCanCapture() {
  return typeof navigator.mediaDevices?.getUserMedia === 'function' && typeof globalThis.AudioWorkletNode === 'function';
}

export class VoiceControls {
  /**
   * @param {object} o
   * @param {boolean} o.supported  browserCanCapture()
   * @param {(title: string, err?: unknown) => void} o.onError
   * @param {() => void} o.onSpeechEnd  push-to-talk released (the latency mark)
   * @param {boolean} [o.autoStart]  start the microphone when a session opens (default true)
   */
  constructor({ supported, onError, onSpeechEnd, autoStart = true }) {
    this.supported = supported;
    this.onError = onError;
    this.onSpeechEnd = onSpeechEnd;
    this.autoStart = autoStart;
    this.session = null;
    this.micOn = false;
    this.talking = false;
    const $ = (id) => document.getElementById(id);
    this.el = {
      mic: $('mic'),
      micLabel: $('mic-label'),
      hint: $('mic-hint'),
      device: $('mic-device'),
      ptt: $('ptt'),
      vad: $('turn-vad'),
      pushToTalk: $('turn-ptt'),
      volume: $('volume'),
      localBargeIn: $('local-barge-in'),
    };
    this.el.volume.addEventListener('input', () => {
      if (this.session) this.session.outputVolume = Number(this.el.volume.value);
    });
    if (!supported) {
      this.el.hint.textContent = NO_CAPTURE_HINT;
      this.el.hint.classList.add('hint-warn');
      for (const k of ['mic', 'device', 'ptt', 'vad', 'pushToTalk', 'localBargeIn']) this.el[k].disabled = true;
      return;
    }
    this.el.hint.textContent = 'Connect, then start the microphone. Headphones avoid echo.';
    this.el.device.disabled = false;
    this.el.vad.disabled = false;
    this.el.pushToTalk.disabled = false;
    this.el.localBargeIn.disabled = false;
    this.#wire();
    this.refreshDevices();
    navigator.mediaDevices?.addEventListener?.('devicechange', () => this.refreshDevices());
  }

  /** `"vad"` or `"ptt"`. */
  get turnMode() {
    return this.el.pushToTalk.checked ? 'ptt' : 'vad';
  }

  /** The connect options this panel contributes (input transcription shows what the user said). */
  connectOptions(provider) {
    return {
      voiceActivityDetection: { enabled: this.turnMode === 'vad' },
      bargeIn: { local: this.el.localBargeIn.checked },
      transcription: provider === 'openai' ? { modelId: 'gpt-4o-mini-transcribe' } : {},
    };
  }

  #wire() {
    const { mic, device, ptt, vad, pushToTalk } = this.el;
    mic.addEventListener('click', () => this.#toggleMic());
    device.addEventListener('change', () => {
      if (this.micOn) this.#restartMic();
    });
    for (const r of [vad, pushToTalk]) r.addEventListener('change', () => this.#turnModeChanged());
    // Push to talk: hold with the pointer, or with Space/Enter on the focused button.
    ptt.addEventListener('pointerdown', (e) => {
      ptt.setPointerCapture?.(e.pointerId);
      this.#talk(true);
    });
    for (const ev of ['pointerup', 'pointercancel', 'lostpointercapture', 'blur']) ptt.addEventListener(ev, () => this.#talk(false));
    ptt.addEventListener('keydown', (e) => {
      if ((e.key === ' ' || e.key === 'Enter') && !e.repeat) {
        e.preventDefault();
        this.#talk(true);
      }
    });
    ptt.addEventListener('keyup', (e) => {
      if (e.key === ' ' || e.key === 'Enter') this.#talk(false);
    });
  }

  async refreshDevices() {
    if (!navigator.mediaDevices?.enumerateDevices) return;
    try {
      const devices = (await navigator.mediaDevices.enumerateDevices()).filter((d) => d.kind === 'audioinput' && d.deviceId !== 'default');
      const keep = this.el.device.value;
      const options = [new Option('Default microphone', '')];
      devices.forEach((d, i) => options.push(new Option(d.label || `Microphone ${i + 1}`, d.deviceId)));
      this.el.device.replaceChildren(...options);
      if (devices.some((d) => d.deviceId === keep)) this.el.device.value = keep;
    } catch {
      // Device listing is best effort: the default microphone still works.
    }
  }

  /** A session opened: enable the controls, apply the volume, start the microphone. */
  attach(session) {
    this.session = session;
    this.el.volume.disabled = false;
    try {
      session.outputVolume = Number(this.el.volume.value);
    } catch (err) {
      this.onError('Could not set the reply volume', err);
    }
    this.#resume();
    if (!this.supported) return;
    this.el.mic.disabled = false;
    this.#render();
    if (this.autoStart) this.#startMic();
  }

  /** Lets the SDK's audio output start (browsers hold audio until a user gesture). */
  #resume() {
    Promise.resolve()
      .then(() => this.session?.resumeAudio?.())
      .catch((err) => this.onError('Audio playback is blocked by the browser', err));
  }

  /** The session is gone: everything back to idle. */
  detach() {
    this.session = null;
    this.micOn = false;
    this.talking = false;
    this.el.volume.disabled = true;
    if (!this.supported) return;
    this.el.mic.disabled = true;
    this.el.ptt.disabled = true;
    this.#render();
  }

  async #toggleMic() {
    const s = this.session;
    if (!s) return;
    this.#resume();
    if (!this.micOn) {
      this.autoStart = true;
      return this.#startMic();
    }
    this.autoStart = false; // stays off for the next session too
    try {
      await s.stopMicrophone();
    } catch (err) {
      this.onError('The microphone could not stop', err);
    }
    this.micOn = false;
    this.#render();
  }

  async #startMic() {
    const s = this.session;
    if (!s || this.micOn) return;
    try {
      await s.startMicrophone(this.el.device.value ? { deviceId: this.el.device.value } : {});
      if (this.session !== s) return;
      this.micOn = true;
      s.muted = this.turnMode === 'ptt';
      this.refreshDevices(); // labels appear once permission is granted
    } catch (err) {
      this.micOn = false;
      this.onError('The microphone could not start', err);
    }
    this.#render();
  }

  async #restartMic() {
    const s = this.session;
    if (!s) return;
    try {
      await s.stopMicrophone();
      await s.startMicrophone(this.el.device.value ? { deviceId: this.el.device.value } : {});
      s.muted = this.turnMode === 'ptt' && !this.talking;
    } catch (err) {
      this.micOn = false;
      this.onError('Switching microphones failed', err);
      this.#render();
    }
  }

  async #turnModeChanged() {
    this.#render();
    const s = this.session;
    if (!s) return;
    if (this.micOn) s.muted = this.turnMode === 'ptt';
    if (s.provider === 'gemini') {
      // Gemini fixes the session's config at setup: the new mode applies on the next connect.
      this.el.hint.textContent = 'Gemini applies the turn-taking mode when it connects: disconnect and connect again.';
      return;
    }
    try {
      await s.update({ voiceActivityDetection: { enabled: this.turnMode === 'vad' } });
    } catch (err) {
      this.onError('Could not change turn taking', err);
    }
  }

  /**
   * Push to talk. Held: unmute. Released: mute and commit the buffered speech. With detection off
   * `commitAudio()` asks for the reply itself (OpenAI: commit + response.create; Gemini: activity
   * end): asking again here would get two replies.
   */
  async #talk(down) {
    const s = this.session;
    if (!s || !this.micOn || this.turnMode !== 'ptt' || down === this.talking) return;
    this.talking = down;
    this.#render();
    try {
      if (down) {
        s.muted = false;
        return;
      }
      s.muted = true;
      this.onSpeechEnd();
      // Gemini's activity end starts the reply by itself; the SDK's automatic response there sends
      // an extra empty turn that interrupts it (reported), so ask for none.
      await s.commitAudio(s.provider === 'gemini' ? { createResponse: false } : undefined);
    } catch (err) {
      this.onError('Sending the recorded turn failed', err);
    }
  }

  #render() {
    if (!this.supported) return;
    const { mic, micLabel, ptt, hint } = this.el;
    mic.setAttribute('aria-pressed', String(this.micOn));
    micLabel.textContent = this.micOn ? 'Stop microphone' : 'Start microphone';
    ptt.hidden = this.turnMode !== 'ptt';
    ptt.disabled = !this.session || !this.micOn;
    ptt.classList.toggle('is-talking', this.talking);
    ptt.textContent = this.talking ? 'Release to send' : 'Hold to talk';
    if (!this.session) hint.textContent = 'Connect, then start the microphone. Headphones avoid echo.';
    else if (!this.micOn) hint.textContent = 'Start the microphone to talk.';
    else hint.textContent = this.turnMode === 'ptt' ? 'Hold the button (or Space) while you speak.' : 'Just talk: speaking over a reply interrupts it.';
  }
}
