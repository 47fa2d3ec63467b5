// Wires the live feed to the map and the panel. Frames are coalesced into the map's throttled
// live commits (hq/throttle.ts): one layer rebuild + panel update per commit, from the newest
// state; each frame is acknowledged once the commit that shows it is painted.

import {apiGet, ApiError, type AreaFeature} from '../api';
import {LiveClient, LiveStore} from '../live';
import {VolunteerLayers, viewKey} from '../layers/volunteers';
import {aggregateLayers} from '../layers/aggregates';
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

const VIEW_DEBOUNCE_MS = 250;

export function startLive(map: HqMap, campaign: string): LiveView {
  const store = new LiveStore();
  const layers = new VolunteerLayers();
  let visible = true;
  let drawnVersion = -1;
  let drawnAggregates = -1;
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
    const agg = client.aggregates;
    if (store.version === drawnVersion && key === drawnKey && visible === drawnVisible &&
        agg.version === drawnAggregates) return;
    const dataChanged = store.version !== drawnVersion;
    drawnVersion = store.version;
    drawnAggregates = agg.version;
    drawnKey = key;
    drawnVisible = visible;
    map.setLiveLayers([...aggregateLayers(agg, visible), ...layers.build(store, view, visible)]);
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
    window.clearTimeout(viewTimer);
    viewTimer = window.setTimeout(sendView, VIEW_DEBOUNCE_MS);
  });
  // The server sends volunteers one by one only near the view, hex counts for the rest: it is
  // told the view once the map stops moving, not on every frame of a pan.
  let viewTimer = 0;
  function sendView(): void {
    const {bounds, zoom} = map.view();
    if (!bounds) return;
    const round = (x: number) => Math.round(x * 1e5) / 1e5;
    const [w, s, e, n] = bounds;
    client.setView({bbox: [round(Math.max(-180, w)), round(Math.max(-85, s)), round(Math.min(180, e)),
                           round(Math.min(85, n))], zoom: Math.round(zoom * 100) / 100});
  }
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
  sendView(); // known already if the map has drawn: the snapshot is then scoped to it
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
