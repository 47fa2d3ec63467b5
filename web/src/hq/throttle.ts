// Redraw throttle for live updates. On a slow renderer (software GL: 300–700 ms a redraw) a
// redraw per live frame makes the map render back to back, and the main thread never gets to
// drain the socket. Live redraws are therefore committed at most once per
// max(MIN_INTERVAL_MS, 2 × the last live render's duration), on an animation frame, always with
// the newest state (the producers build their layers when the commit runs, not when data
// arrives). User actions (pan, zoom, hover, toggles) do not wait: `schedule(true)`.
//
// A live render's duration is measured from the commit (setProps) to the first animation frame
// after deck's onAfterRender: layer updates + draw + whatever the GPU makes the browser wait
// before it can start the next frame.
//
// afterPaint() callbacks (the live feed's frame acknowledgements) run once the commit is painted,
// but not before ACK_LEAD_MS ahead of the next commit: the server merges frames until the ack,
// so the frame it then sends is the newest state, and it arrives just in time to be drawn
// (acknowledging right after the paint would have it wait through the whole idle interval).

let software: boolean | undefined;

/** True when WebGL runs on the CPU (no GPU, or GPU blocked): probed once, with a throwaway context. */
export function softwareGL(): boolean {
  return (software ??= probeSoftwareGL());
}

function probeSoftwareGL(): boolean {
  try {
    const gl = document.createElement('canvas').getContext('webgl2');
    if (!gl) return false;
    const info = gl.getExtension('WEBGL_debug_renderer_info');
    const name = String(gl.getParameter(info ? info.UNMASKED_RENDERER_WEBGL : gl.RENDERER));
    gl.getExtension('WEBGL_lose_context')?.loseContext();
    return /swiftshader|llvmpipe|softpipe|software/i.test(name);
  } catch {
    return false;
  }
}

export const MIN_INTERVAL_MS = 250;
export const ACK_LEAD_MS = 150;

/** For browser tests and benches: window.__quadriller.redraw. */
export interface RedrawStats {
  renderMs: number; // the last measured live render
  intervalMs: number; // the current minimum gap between two live commits
  commits: number; // live commits so far
}

export class LiveRedraw {
  readonly stats: RedrawStats = {renderMs: 0, intervalMs: MIN_INTERVAL_MS, commits: 0};
  private timer = 0;
  private raf = 0;
  private lastCommit = -Infinity;
  private measuring = 0; // performance.now() of the commit awaiting its render, or 0
  private waiting: (() => void)[] = []; // to run once the commit in progress is painted
  private painting: (() => void)[] = []; // the same, its render done, waiting for the paint

  /** `commit` sets the newest live layers on deck; it returns false when nothing changed. */
  constructor(private commit: () => boolean) {
    // A hidden tab paints nothing: release whoever waits for a paint (e.g. frame acks) at once.
    document.addEventListener('visibilitychange', () => {
      if (document.hidden) this.release();
    });
  }

  /** Commit on an animation frame, no sooner than the interval after the previous commit
   * (`now`: on the next animation frame, for user actions). */
  schedule(now = false): void {
    if (this.raf) return; // already due on the next frame
    const wait = now ? 0 : this.lastCommit + this.stats.intervalMs - performance.now();
    if (wait <= 0) {
      window.clearTimeout(this.timer);
      this.timer = 0;
      this.raf = requestAnimationFrame(this.fire);
    } else if (!this.timer) {
      this.timer = window.setTimeout(() => {
        this.timer = 0;
        this.schedule(); // the interval may have changed meanwhile (a render got measured)
      }, wait);
    }
  }

  /** Run `fn` once the live state committed by the current (or next) commit is on screen. */
  afterPaint(fn: () => void): void {
    if (document.hidden) window.setTimeout(fn, 0);
    else this.waiting.push(fn);
  }

  /** deck's onAfterRender. */
  rendered(): void {
    if (!this.measuring) return;
    const from = this.measuring;
    this.measuring = 0;
    this.painting.push(...this.waiting.splice(0));
    requestAnimationFrame(() => {
      this.stats.renderMs = Math.round(performance.now() - from);
      this.stats.intervalMs = Math.max(MIN_INTERVAL_MS, 2 * this.stats.renderMs);
      const due = this.lastCommit + this.stats.intervalMs - ACK_LEAD_MS - performance.now();
      window.setTimeout(() => this.run(this.painting.splice(0)), Math.max(0, due));
    });
  }

  private fire = (): void => {
    this.raf = 0;
    this.lastCommit = performance.now();
    if (this.commit()) {
      this.measuring = this.lastCommit;
      this.stats.commits++;
    } else if (!this.measuring) {
      // nothing new to draw: what is on screen is already the newest state
      const fns = this.waiting.splice(0);
      if (fns.length) window.setTimeout(() => this.run(fns), 0);
    }
  };

  private release(): void {
    this.run([...this.painting.splice(0), ...this.waiting.splice(0)]);
  }

  private run(fns: (() => void)[]): void {
    for (const fn of fns) {
      try {
        fn();
      } catch (err) {
        console.error(err);
      }
    }
  }
}
