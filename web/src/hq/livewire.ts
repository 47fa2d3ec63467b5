// Wires the live feed to the map and the panel. Frames are coalesced into the map's throttled
// live commits (hq/throttle.ts): one layer rebuild + panel update per commit, from the newest
// state; each frame is acknowledged once the commit that shows it is painted.

import {apiGet, ApiError, type AreaFeature} from '../api';
import {LiveClient, LiveStore} from '../live';
import {VolunteerLayers, viewKey} from '../layers/volunteers';
import {
  initLivePanel,
  refreshLiveText,
  renderFeed,
  renderFilterOptions,
  renderLiveCounters,
  renderLiveStatus,
  teamsOf
} from './livepanel';
import type {HqMap} from './map';
import {setTooltipClock} from './tooltip';

export interface LiveView {
  /** Language changed: re-render text. */
  refreshText(): void;
  /** Districts loaded: offer them as filters. */
  setDistricts(features: AreaFeature[]): void;
  /** The map's zoom changed. */
  onZoom(zoom: number): void;
}

export function startLive(map: HqMap, campaign: string): LiveView {
  const store = new LiveStore();
  const layers = new VolunteerLayers();
  let visible = true;
  let drawnVersion = -1;
  let drawnKey = '';
  let drawnVisible = visible;
  let teamsKey = '';
  let acks: (() => void)[] = []; // frames received since the last commit

  const handle = window.__quadriller!;
  const client = new LiveClient(campaign, store, () => schedule(), renderLiveStatus, send => {
    acks.push(send);
    schedule();
  });
  handle.live = client.handle;
  setTooltipClock(() => store.serverNow());

  function flush(): void {
    if (acks.length) {
      const sends = acks;
      acks = [];
      map.afterLivePaint(() => sends.forEach(send => send()));
    }
    const view = map.view();
    const key = viewKey(view);
    if (store.version === drawnVersion && key === drawnKey && visible === drawnVisible) return;
    const dataChanged = store.version !== drawnVersion;
    drawnVersion = store.version;
    drawnKey = key;
    drawnVisible = visible;
    map.setLiveLayers(layers.build(store, view, visible));
    if (!dataChanged) return;
    renderLiveCounters(store);
    renderFeed(store.events);
    const teams = teamsOf(store);
    const tk = teams.join(',');
    if (tk !== teamsKey) {
      teamsKey = tk;
      renderFilterOptions(null, teams);
    }
  }

  /** now: a user action (toggle, filter, zoom), drawn on the next frame; else throttled. */
  function schedule(now = false): void {
    map.requestLiveRedraw(now);
  }
  map.onLiveCommit(flush);
  // Only what is near the view is drawn: a pan or zoom that leaves it rebuilds on the next frame.
  map.onViewChange(() => {
    if (viewKey(map.view()) !== drawnKey) schedule(true);
  });
  // A hidden tab runs no animation frame, hence no commit: acknowledge what waits for one at once.
  document.addEventListener('visibilitychange', () => {
    if (document.hidden) acks.splice(0).forEach(send => send());
  });

  initLivePanel({
    onToggle: v => {
      visible = v;
      schedule(true);
    },
    onFilter: filter => {
      store.clear();
      client.handle.volunteers = 0;
      schedule(true);
      client.start(filter);
    }
  });
  // Doors and contacts today: read from the reports every minute, counted on from the feed between.
  const totals = `/api/campaigns/${encodeURIComponent(campaign)}/reports/totals`;
  let doorsTimer = 0;
  async function readDoors(): Promise<void> {
    try {
      const body = await apiGet<{all: {doors_knocked: number; doors_opened: number; contacts: number}}>(totals);
      store.doorsToday = {knocked: body.all.doors_knocked, opened: body.all.doors_opened, contacts: body.all.contacts};
      renderLiveCounters(store);
    } catch (err) {
      if (err instanceof ApiError && err.status === 403) window.clearInterval(doorsTimer);
    }
  }
  void readDoors();
  doorsTimer = window.setInterval(() => void readDoors(), 60_000);
  // Counters decay (pings/min window) even when no frame arrives.
  window.setInterval(() => renderLiveCounters(store), 5000);
  map.setLiveLayers(layers.build(store, map.view(), visible));
  schedule(true);
  renderFeed(store.events, true);
  client.start({});

  return {
    refreshText: () => refreshLiveText(store),
    setDistricts: f => renderFilterOptions(f, teamsOf(store)),
    onZoom: () => {
      /* map.onViewChange above covers zoom changes too */
    }
  };
}
