// Wires the live feed to the map and the panel. Frames arriving between two
// animation frames are coalesced: one layer rebuild + panel update per change.

import type {AreaFeature} from '../api';
import {LiveClient, LiveStore} from '../live';
import {VolunteerLayers, zoomKey} from '../layers/volunteers';
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
  let pending = 0;
  let teamsKey = '';

  const handle = window.__quadriller!;
  const client = new LiveClient(campaign, store, schedule, renderLiveStatus);
  handle.live = client.handle;
  setTooltipClock(() => store.serverNow());

  function flush(): void {
    pending = 0;
    const key = zoomKey(map.zoom);
    if (store.version === drawnVersion && key === drawnKey && visible === drawnVisible) return;
    const dataChanged = store.version !== drawnVersion;
    drawnVersion = store.version;
    drawnKey = key;
    drawnVisible = visible;
    map.setLiveLayers(layers.build(store, map.zoom, visible));
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

  function schedule(): void {
    if (!pending) pending = requestAnimationFrame(flush);
  }

  initLivePanel({
    onToggle: v => {
      visible = v;
      schedule();
    },
    onFilter: filter => {
      store.clear();
      client.handle.volunteers = 0;
      schedule();
      client.start(filter);
    }
  });
  // Counters decay (pings/min window) even when no frame arrives.
  window.setInterval(() => renderLiveCounters(store), 5000);
  map.setLiveLayers(layers.build(store, map.zoom, visible));
  renderFeed(store.events, true);
  client.start({});

  return {
    refreshText: () => refreshLiveText(store),
    setDistricts: f => renderFilterOptions(f, teamsOf(store)),
    onZoom: z => {
      if (zoomKey(z) !== drawnKey) schedule();
    }
  };
}
