// HQ map entry point: auth, campaign choice, data loading, wiring of the panel.

import '../style.css';
import type {PickingInfo} from '@deck.gl/core';
import {
  ApiError,
  LEVELS,
  fetchArea,
  fetchAreas,
  fetchConfig,
  fetchMe,
  pickCampaign,
  type AreaCollection,
  type AreaFeature,
  type Level,
  type Me
} from '../api';
import {applyStaticText, onLangChange, t} from '../i18n';
import {featureBounds} from '../layers/areas';
import {listNames} from '../layers/metrics';
import {describeArea} from './describe';
import {byId, initErrorBanner, showError, showLogin} from './dom';
import {HqMap} from './map';
import {
  initLangToggle,
  initLayerToggles,
  initMetricSelect,
  renderCampaign,
  renderLegend,
  renderMetricOptions,
  setCount,
  setStatus
} from './panel';
import {startLive, type LiveView} from './livewire';
import {startPresence, type PresenceView} from './presence';
import {startReplay, type ReplayView} from './replay';
import {initSearch} from './search';
import {startNext} from './next';
import {startTargeting} from './targeting';
import {startDispatch} from './dispatch';
import {startDispatchSettings} from './dispatchsettings';
import {startAlerts} from './alerts';
import {startTurfs} from './turfs';
import {startTeams} from './teams';
import {suggestionLayers} from '../layers/dispatch';
import {mergeStationStats, startStationStats, type StationStats} from './stationstats';
import {hideTooltip, resetTooltip, updateTooltip} from './tooltip';
import {forgetSession, openSession, signOut} from './session';

const errorText = (err: unknown) =>
  err instanceof Error ? err.message : typeof err === 'string' ? err : String(err);

let me: Me | null = null;
let slug: string | null = null;
let map: HqMap | null = null;
let live: LiveView | null = null;
let replay: ReplayView | null = null;
let presence: PresenceView | null = null;
let lists: string[] = [];
let selected: AreaFeature | null = null;
let turfs: {show: (code: string | null) => void} | null = null;
let stats: Map<string, StationStats> | null = null;
let targeting: {setLists: (lists: string[]) => void} | null = null;
const data: Partial<Record<Level, AreaCollection>> = {};
const counts: Partial<Record<Level, number>> = {};

function renderSelection(): void {
  const body = byId('selection-body');
  if (!selected) {
    body.className = 'muted';
    body.textContent = t('selection_hint');
    delete body.dataset.code;
    return;
  }
  body.className = '';
  // The card may hold a freshly fetched copy of the feature: give it the station's figures too.
  if (stats && selected.properties.level === 'polling_station') {
    mergeStationStats({type: 'FeatureCollection', features: [selected]} as AreaCollection, stats);
  }
  body.innerHTML = describeArea(selected.properties, 10);
  body.dataset.code = selected.properties.code;
}

/** The selected station's turfs (hq/turfs.ts); none for other levels. */
function showTurfs(): void {
  turfs?.show(selected?.properties.level === 'polling_station' ? selected.properties.code : null);
}

function renderStatus(): void {
  if (LEVELS.every(l => counts[l] !== undefined)) setStatus(t('loaded_counts', counts as any));
  else setStatus(t('loading'));
}

async function onClick(info: PickingInfo): Promise<void> {
  const layerId = info.layer?.id ?? '';
  if (['live-', 'replay-', 'presence-', 'dispatch-', 'alerts', 'turf-'].some(p => layerId.startsWith(p))) return;
  const f = info.object as AreaFeature | undefined;
  selected = f?.properties ? f : null;
  map?.select(selected);
  renderSelection();
  showTurfs();
  if (!selected || !slug) return;
  const {level, code} = selected.properties;
  try {
    const fresh = await fetchArea(slug, level, code);
    if (selected?.properties.code === code && selected.properties.level === level) {
      selected = {...fresh, geometry: fresh.geometry ?? selected.geometry};
      renderSelection();
    }
  } catch (err) {
    showError(errorText(err));
  }
}

function refreshText(): void {
  applyStaticText();
  renderCampaign(me, slug);
  if (map) {
    renderMetricOptions(lists, map.metric, stats !== null);
    renderLegend(map.metric, map.domain);
  }
  for (const l of LEVELS) setCount(l, counts[l] ?? null);
  renderStatus();
  renderSelection();
  resetTooltip();
  live?.refreshText();
  replay?.refreshText();
}

function showLevel(level: Level, fc: AreaCollection): void {
  data[level] = fc;
  counts[level] = fc.features.length;
  setCount(level, fc.features.length);
  if (level === 'polling_station') {
    if (stats) mergeStationStats(fc, stats);
    renderMetricOptions(lists, map!.metric, stats !== null);
  }
  map!.setData(level, fc);
  if (level === 'polling_station') renderLegend(map!.metric, map!.domain);
  renderStatus();
}

/** The stations come first without the lists' figures (`fields=map`: geometry and what the
 * default colouring needs, a third of the bytes), so that the map is drawn sooner; once drawn,
 * the figures (`fields=figures`, no geometry) are merged into the same features. */
async function loadStations(first: Promise<AreaCollection>): Promise<void> {
  const fc = await first;
  showLevel('polling_station', fc);
  // A hidden tab draws nothing: do not wait for a frame for ever.
  await Promise.race([map!.drawn('polling_station'), new Promise(r => setTimeout(r, 3000))]);
  let figures: AreaCollection;
  try {
    figures = await fetchAreas(slug!, 'polling_station', 'figures');
  } catch (err) {
    return showError(errorText(err)); // the map stays drawn and coloured, without the lists
  }
  const byCode = new Map(figures.features.map(f => [f.properties.code, f.properties]));
  for (const f of fc.features) {
    const p = byCode.get(f.properties.code);
    if (p) Object.assign(f.properties, p); // priority and coverage (stationstats) are kept
  }
  lists = listNames(fc.features);
  targeting?.setLists(lists);
  map!.statsChanged(); // a list metric may be the one shown
  renderMetricOptions(lists, map!.metric, stats !== null);
  renderLegend(map!.metric, map!.domain);
  renderSelection();
}

function markLoadedAfterNextFrame(): void {
  const handle = window.__quadriller!;
  handle.counts = {...counts};
  let done = false;
  const mark = () => {
    if (done) return;
    done = true;
    document.body.dataset.layersLoaded = 'true';
  };
  map!.afterRender = () => {
    map!.afterRender = null;
    mark();
  };
  setTimeout(mark, 5000); // in case no frame gets drawn (hidden tab)
}

const delay = (ms: number) => new Promise(resolve => setTimeout(resolve, ms));

/** The config's and every level's requests, sent together (the stations without the lists'
 * figures: loadStations). Failures are reported where each is awaited. */
function startLoads(campaign: string) {
  const configLoad = fetchConfig().catch(err => {
    showError(errorText(err));
    return {basemap_url: ''};
  });
  const districtLoad = fetchAreas(campaign, 'district');
  const stationLoad = fetchAreas(campaign, 'polling_station', 'map');
  const neighbourhoodLoad = fetchAreas(campaign, 'neighbourhood');
  for (const load of [districtLoad, stationLoad, neighbourhoodLoad]) load.catch(() => undefined);
  return {slug: campaign, configLoad, districtLoad, stationLoad, neighbourhoodLoad};
}

async function boot(): Promise<void> {
  applyStaticText();
  initErrorBanner();
  initLangToggle(refreshText);
  // The API token (from #token= or the sign-in box) becomes a session at once; only the
  // session is kept. When it ends (expired, signed out elsewhere), the sign-in shows again.
  const opened = await openSession(() => showLogin('expired'));
  if (opened !== 'ok') return showLogin(opened === 'rejected' ? 'rejected' : null);

  byId('logout').hidden = false;
  byId('logout').addEventListener('click', () => {
    void signOut().then(() => window.location.reload());
  });

  // With ?campaign= in the address (pickCampaign takes it as it is), the config and every
  // level's request leave now, beside /api/me: on a 4G link each round trip costs 150 ms or
  // more, and the stations' answer is what the first draw waits for.
  const wanted = new URLSearchParams(window.location.search).get('campaign');
  let early = wanted ? startLoads(wanted) : null;
  try {
    me = await fetchMe();
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) {
      forgetSession();
      return showLogin('rejected');
    }
    return showError(errorText(err));
  }
  slug = pickCampaign(me);
  renderCampaign(me, slug);
  if (!slug) return showError(t('no_campaign'));
  renderStatus();

  if (early?.slug !== slug) early = startLoads(slug);
  const {configLoad, districtLoad, stationLoad, neighbourhoodLoad} = early;
  // The map is made once the districts are in: the initial view is fitted to their bounds.
  const [config, districts] = await Promise.all([configLoad, districtLoad.catch(() => null)]);

  map = new HqMap({
    container: byId<HTMLDivElement>('map'),
    basemapUrl: config.basemap_url || '',
    initialBounds: districts ? featureBounds(districts.features) : null,
    onHover: updateTooltip,
    onClick: info => void onClick(info),
    onZoom: z => {
      live?.onZoom(z);
      replay?.onZoom(z);
      presence?.onZoom(z);
    }
  });
  // The panels that rank stations (GET /priorities, seconds of the server's CPU for a city)
  // start once the stations are drawn: nothing drawn first needs them, and asked at once they
  // competed with the stations' answer and (on a machine shared with the browser) its drawing.
  const drawn = Promise.race([map.drawn('polling_station'), stationLoad.catch(() => null).then(() => delay(3000))]);
  live = startLive(map, slug);
  replay = startReplay(map, slug);
  presence = startPresence(map, slug);
  if (districts) live.setDistricts(districts.features);
  byId('map').addEventListener('mouseleave', hideTooltip);
  initLayerToggles((level, visible) => map!.setVisible(level, visible));
  initMetricSelect(metric => {
    map!.setMetric(metric);
    renderLegend(metric, map!.domain);
  });
  const pick = (f: AreaFeature) => {
    selected = f;
    map!.select(f);
    map!.flyTo(f);
    renderSelection();
    showTurfs();
  };
  initSearch(() => data.polling_station?.features ?? [], pick);
  const next = startNext(
    slug,
    code => {
      const f = data.polling_station?.features.find(x => x.properties.code === code);
      if (f) pick(f);
    },
    drawn
  );
  onLangChange(next.refreshText);
  const dispatch = startDispatch(slug, code => {
    const f = data.polling_station?.features.find(x => x.properties.code === code);
    if (f) pick(f);
  }, items => map?.setOverlay('dispatch', suggestionLayers(items)));
  startAlerts(slug, layers => map?.setOverlay('alerts', layers));
  turfs = startTurfs(slug, layers => map?.setOverlay('turfs', layers));
  onLangChange(dispatch.refreshText);
  startDispatchSettings(slug, dispatch.refresh);
  onLangChange(startTeams(slug).refreshText);
  const rankBy = startStationStats(slug, fresh => {
    stats = fresh;
    const fc = data.polling_station;
    if (!fc || !map) return; // merged when the stations arrive (showLevel)
    mergeStationStats(fc, fresh);
    map.statsChanged();
    renderMetricOptions(lists, map.metric, true);
    renderLegend(map.metric, map.domain);
    renderSelection();
  }, drawn);
  targeting = startTargeting(slug, {
    apply: async query => {
      await rankBy(query);
      if (query) {
        map!.setMetric('priority');
        renderMetricOptions(lists, 'priority', true);
        renderLegend('priority', map!.domain);
      }
    },
    zone: layers => map!.setOverlayLayers(layers),
    pick: code => {
      const f = data.polling_station?.features.find(x => x.properties.code === code);
      if (f) pick(f);
    }
  });
  renderMetricOptions([], map.metric);
  renderLegend(map.metric, map.domain);

  const loads = [
    districtLoad.then(fc => showLevel('district', fc)),
    neighbourhoodLoad.then(fc => showLevel('neighbourhood', fc)),
    loadStations(stationLoad)
  ];
  const results = await Promise.allSettled(loads);
  const failed = results.find(r => r.status === 'rejected') as PromiseRejectedResult | undefined;
  if (failed) return showError(errorText(failed.reason));
  markLoadedAfterNextFrame();
}

boot().catch(err => showError(errorText(err)));
