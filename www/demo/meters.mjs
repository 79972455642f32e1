// The level meters (`data-testid="input-level"` / `"output-level"`, `data-level` 0–1).
//
// Owns: showing a level with a fast attack and a smooth release, driven by one animation loop.
// Sources: the SDK's `inputLevel` / `outputLevel` events (about 30 a second while the microphone
// runs / audio plays). They stop when the source does, so a level not refreshed within STALE_MS
// falls back to zero.

const RELEASE_PER_FRAME = 0.86;
/** A level older than this is stale (the SDK stopped reporting): the meter falls to zero. */
export const STALE_MS = 150;

export class Meter {
  /** @param {HTMLElement} el */
  constructor(el, now = () => performance.now()) {
    this.el = el;
    this.now = now;
    this.setAt = -Infinity;
    this.target = 0;
    this.shown = 0;
    this.written = -1;
  }

  /** A new measured level (0–1). */
  set(level) {
    this.target = Math.min(1, Math.max(0, Number(level) || 0));
    this.setAt = this.now();
  }

  /** One animation step: jump up, fall back smoothly; writes the DOM only when it changed. */
  tick() {
    if (this.target > 0 && this.now() - this.setAt > STALE_MS) this.target = 0;
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
