import {afterEach, beforeEach, describe, expect, it, vi} from 'vitest';
import {ACK_LEAD_MS, LiveRedraw, MIN_INTERVAL_MS} from '../src/hq/throttle';

// The throttle only needs timers, animation frames and the page's visibility: fake timers drive
// all three (an animation frame every 16 ms), so the schedule is checked to the millisecond.
let hidden = false;
const listeners: (() => void)[] = [];

beforeEach(() => {
  vi.useFakeTimers({toFake: ['setTimeout', 'clearTimeout', 'performance', 'Date']});
  hidden = false;
  listeners.length = 0;
  vi.stubGlobal('window', globalThis);
  vi.stubGlobal('requestAnimationFrame', (fn: () => void) => setTimeout(fn, 16));
  vi.stubGlobal('document', {
    get hidden() {
      return hidden;
    },
    addEventListener: (_: string, fn: () => void) => listeners.push(fn)
  });
});
afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllGlobals();
});

describe('LiveRedraw', () => {
  it('commits on the next animation frame, then no sooner than the interval', () => {
    const commits: number[] = [];
    const r = new LiveRedraw(() => (commits.push(performance.now()), true));
    r.schedule();
    vi.advanceTimersByTime(20);
    expect(commits).toEqual([16]);
    r.schedule();
    r.schedule(); // coalesced with the one already due
    vi.advanceTimersByTime(MIN_INTERVAL_MS + 40);
    expect(commits).toHaveLength(2);
    expect(commits[1] - commits[0]).toBeGreaterThanOrEqual(MIN_INTERVAL_MS);
    expect(r.stats.commits).toBe(2);
  });

  it('lets user actions through on the next frame', () => {
    const commits: number[] = [];
    const r = new LiveRedraw(() => (commits.push(performance.now()), true));
    r.schedule();
    vi.advanceTimersByTime(20);
    r.schedule(true);
    vi.advanceTimersByTime(20);
    expect(commits).toHaveLength(2);
    expect(commits[1] - commits[0]).toBeLessThan(MIN_INTERVAL_MS);
  });

  it('widens the interval to twice a slow render', () => {
    const r = new LiveRedraw(() => true);
    r.schedule();
    vi.advanceTimersByTime(16); // committed at t=16
    vi.advanceTimersByTime(400);
    r.rendered(); // the render took ~400 ms; measured on the next animation frame
    vi.advanceTimersByTime(16);
    expect(r.stats.renderMs).toBe(416);
    expect(r.stats.intervalMs).toBe(832);
  });

  it('runs afterPaint callbacks once painted, ACK_LEAD_MS before the next commit is due', () => {
    const r = new LiveRedraw(() => true);
    const acked: number[] = [];
    r.schedule();
    vi.advanceTimersByTime(16); // commit at 16
    r.afterPaint(() => acked.push(performance.now()));
    vi.advanceTimersByTime(10);
    r.rendered(); // at 26; painted on the frame at 42
    vi.advanceTimersByTime(MIN_INTERVAL_MS);
    expect(acked).toEqual([16 + MIN_INTERVAL_MS - ACK_LEAD_MS]);
  });

  it('releases waiting callbacks at once when nothing new is drawn or the tab is hidden', () => {
    const r = new LiveRedraw(() => false);
    const acked: string[] = [];
    r.afterPaint(() => acked.push('unchanged'));
    r.schedule();
    vi.advanceTimersByTime(17);
    expect(acked).toEqual(['unchanged']);

    const busy = new LiveRedraw(() => true);
    busy.schedule();
    vi.advanceTimersByTime(16);
    busy.afterPaint(() => acked.push('hidden'));
    hidden = true;
    for (const fn of listeners) fn();
    expect(acked).toEqual(['unchanged', 'hidden']);
    busy.afterPaint(() => acked.push('while hidden'));
    vi.advanceTimersByTime(1);
    expect(acked).toContain('while hidden');
  });

  it('keeps running the other callbacks when one throws', () => {
    const errors = vi.spyOn(console, 'error').mockImplementation(() => {});
    const r = new LiveRedraw(() => false);
    const ran: number[] = [];
    r.afterPaint(() => {
      throw new Error('boom');
    });
    r.afterPaint(() => ran.push(1));
    r.schedule();
    vi.advanceTimersByTime(17);
    expect(ran).toEqual([1]);
    expect(errors).toHaveBeenCalledOnce();
  });
});
