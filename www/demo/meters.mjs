// The level meters (`data-testid="input-level"` / `"output-level"`, `data-level` 0–1).
//
// Owns: showing a level with a fast attack and a smooth release, driven by one animation loop.
// Sources: the SDK's `inputLevel` / `outputLevel` events when it has them; until then the output
// meter follows the `outputAudioDelta` PCM (levels.mjs `PlaybackLevel`).

const RELEASE_PER_FRAME = 0.86;

export class Meter {
  /** @param {HTMLElement} el */
  constructor(el) {
    this.el = el;
    this.target = 0;
    this.shown = 0;
    this.written = -1;
  }

  /** A new measured level (0–1). */
  set(level) {
    this.target = Math.min(1, Math.max(0, Number(level) || 0));
  }

  /** One animation step: jump up, fall back smoothly; writes the DOM only when it changed. */
  tick() {
    this.shown = this.target >= this.shown ? this.target : Math.max(this.target, this.shown * RELEASE_PER_FRAME);
    if (this.shown < 0.005) this.shown = 0;
    const rounded = Math.round(this.shown * 1000) / 1000;
    if (rounded !== this.written) {
      this.written = rounded;
      this.el.dataset.level = String(rounded);
      this.el.setAttribute('aria-valuenow', String(rounded));
      this.el.style.setProperty('--level', String(rounded));
    }
  }

  reset() {
    this.target = 0;
    this.shown = 0;
    this.tick();
  }
}

/** Runs `step()` every animation frame. */
export function animate(step) {
  const frame = () => {
    step();
    requestAnimationFrame(frame);
  };
  requestAnimationFrame(frame);
}
