// The "Live presence" toggle: H3 hexes of the volunteers live now, aggregated server-side from
// Redis (/hexes?source=live), refetched every 5 s while the toggle is on and no replay runs, at
// a resolution that follows the zoom (refetched at once when the zoom crosses a threshold).

import {fetchLiveHexes} from '../history';
import {fmtInt} from '../i18n';
import {PresenceHexes, presenceRes} from '../layers/presence';
import {byId, showError} from './dom';
import type {HqMap, PresenceHandle} from './map';

export interface PresenceView {
  onZoom(zoom: number): void;
}

export const PRESENCE_REFRESH_MS = 5_000;

export function startPresence(map: HqMap, campaign: string): PresenceView {
  const box = byId<HTMLInputElement>('toggle-presence');
  const hexes = new PresenceHexes();
  const handle: PresenceHandle = {hexes: 0, res: 0, fetchedAt: 0};
  window.__quadriller!.presence = handle;
  let abort: AbortController | null = null;
  let pendingRes = 0;
  let timer = 0;
  let failed = false; // report a failure once, not every 5 s

  const active = () => box.checked && !map.liveHidden;

  /** now: in answer to a user action (toggle, zoom), drawn on the next frame; else throttled. */
  function draw(now: boolean): void {
    map.setPresenceLayers(box.checked ? hexes.layers() : [], now);
    handle.hexes = box.checked ? hexes.count : 0;
    handle.res = hexes.res;
    const count = document.querySelector<HTMLElement>('[data-count="presence"]');
    if (count) count.textContent = box.checked && hexes.res ? fmtInt(hexes.count) : '';
  }

  function stop(): void {
    window.clearTimeout(timer);
    timer = 0;
    abort?.abort();
    abort = null;
    pendingRes = 0;
  }

  /** Fetch now (aborting a request still in flight), then every PRESENCE_REFRESH_MS. */
  async function refresh(now = false): Promise<void> {
    stop();
    if (!active()) return;
    const res = presenceRes(map.zoom);
    const ctl = (abort = new AbortController());
    pendingRes = res;
    timer = window.setTimeout(() => void refresh(), PRESENCE_REFRESH_MS);
    const fresh = res !== hexes.res; // a new resolution: the user toggled or zoomed
    try {
      const body = await fetchLiveHexes(campaign, res, ctl.signal);
      if (ctl.signal.aborted) return;
      hexes.set(body.res ?? res, body.hexes ?? []);
      handle.fetchedAt = Date.now();
      failed = false;
      draw(now || fresh);
    } catch (err) {
      if (ctl.signal.aborted || (err as Error).name === 'AbortError') return;
      if (!failed) showError((err as Error).message);
      failed = true;
    } finally {
      if (abort === ctl) {
        abort = null;
        pendingRes = 0;
      }
    }
  }

  box.addEventListener('change', () => {
    if (box.checked) void refresh(true);
    else {
      stop();
      hexes.clear();
      draw(true);
    }
  });
  // A replay hides the live layers: stop polling meanwhile, and catch up when it ends.
  map.onLiveHidden(hidden => {
    if (hidden) stop();
    else void refresh();
  });

  return {
    onZoom: zoom => {
      if (!active()) return;
      const res = presenceRes(zoom);
      if (res !== (pendingRes || hexes.res)) void refresh(true);
    }
  };
}
