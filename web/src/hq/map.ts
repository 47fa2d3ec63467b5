// The deck.gl map: owns the Deck instance and the layer state.

import {Deck, FlyToInterpolator, MapView, WebMercatorViewport} from '@deck.gl/core';
import type {Layer, PickingInfo} from '@deck.gl/core';
import type {AreaCollection, AreaFeature, Level} from '../api';
import {buildAreaLayers, featureBounds, type AreaLayerState} from '../layers/areas';
import {buildBasemapLayer} from '../layers/basemap';
import {metricDomain, type MetricId} from '../layers/metrics';
import type {LiveHandle} from '../live';
import type {LiveViewport} from '../layers/volunteers';
import {LiveRedraw, softwareGL, type RedrawStats} from './throttle';

type Bounds = [[number, number], [number, number]];

export interface QuadrillerHandle {
  deck: Deck<any>; // the live deck (controller, live layers); the areas are on baseDeck
  baseDeck?: Deck<any>;
  staticFrames?: number; // renders of the static (areas) deck, also counted in frames
  counts: Partial<Record<Level, number>>;
  /** performance.now() of the first render of the areas deck after each level's data arrived
   * (bench/first_load.py: time to the first drawn map). */
  firstDraw?: Partial<Record<Level, number>>;
  frames: number;
  live?: LiveHandle;
  replay?: ReplayHandle;
  presence?: PresenceHandle;
  redraw?: RedrawStats;
}

/** For browser tests: the live presence hexes (see hq/presence.ts). */
export interface PresenceHandle {
  hexes: number; // hexes shown (0 when the layer is off)
  res: number; // their H3 resolution (follows the zoom)
  fetchedAt: number; // Date.now() of the last successful fetch, 0 if none
}

/** For browser tests: the replay's state (see hq/replay.ts). */
export interface ReplayHandle {
  playing: boolean;
  clock: number; // epoch ms
  volunteers: number; // replayed volunteers shown
  hexes: number; // coverage hexes shown
  res: number; // their H3 resolution (follows the zoom)
  shown: {id: string; lon: number; lat: number}[];
}

declare global {
  interface Window {
    __quadriller?: QuadrillerHandle;
  }
}

export interface HqMapOptions {
  container: HTMLDivElement;
  basemapUrl: string;
  initialBounds: Bounds | null;
  onHover: (info: PickingInfo) => void;
  onClick: (info: PickingInfo) => void;
  /** Called on every view change with the new zoom (live layers pick their mode from it). */
  onZoom?: (zoom: number) => void;
}

const PARIS_FALLBACK = {longitude: 2.35, latitude: 48.86, zoom: 11};

type ViewLike = {longitude: number; latitude: number; zoom: number; pitch?: number; bearing?: number};

export class HqMap {
  /** The live deck (top canvas): controller, events, live layers; window.__quadriller.deck. */
  readonly deck: Deck<any>;
  /** The static deck (bottom canvas): base map and areas; redrawn on view or area changes only. */
  readonly base: Deck<any>;
  private baseShown: Layer[] = [];
  private synced: Required<ViewLike>;
  private cursor = 'grab';
  private areaHover = false;
  private basemap: Layer | null;
  private undrawn: Level[] = []; // levels set since the last render of the areas deck
  private drawnWaiters: {level: Level; resolve: () => void}[] = [];
  private state: AreaLayerState = {
    data: {},
    visible: {district: true, neighbourhood: true, polling_station: true},
    metric: 'turnout',
    statsVersion: 0,
    domain: null,
    selected: null
  };
  private container: HTMLDivElement;
  private live: Layer[] = [];
  private presence: Layer[] = [];
  private overlay: Layer[] = []; // static, over the areas (the targeting zone)
  private overlays = new Map<string, Layer[]>(); // dispatch arcs, alerts (hq/dispatch.ts, hq/alerts.ts)
  private liveDirty = false;
  private liveHooks: (() => void)[] = [];
  private liveRedraw = new LiveRedraw(() => this.commitLive());
  private hideLiveListeners: ((hidden: boolean) => void)[] = [];
  private history: {below: Layer[]; above: Layer[]; hideLive: boolean} = {below: [], above: [], hideLive: false};
  zoom: number;
  private onZoom?: (zoom: number) => void;
  private viewListeners: (() => void)[] = [];
  private lastView = '';

  constructor(opts: HqMapOptions) {
    this.container = opts.container;
    this.basemap = buildBasemapLayer(opts.basemapUrl);
    const view = opts.initialBounds ? this.fit(opts.initialBounds, 40) : PARIS_FALLBACK;
    this.zoom = view.zoom;
    this.onZoom = opts.onZoom;
    const handle: QuadrillerHandle = window.__quadriller ?? ({counts: {}, frames: 0} as any);
    const initial = {...view, pitch: 0, bearing: 0};
    // Two stacked canvases (same parent, both absolutely positioned): the static deck below draws
    // the base map and the areas and redraws only when the view or an area prop changes; the
    // live deck above (transparent) owns the controller and the events, and a live commit
    // repaints only it. The static deck follows the live deck's view state.
    this.base = new Deck({
      parent: opts.container,
      views: new MapView({repeat: false}),
      viewState: initial,
      controller: false,
      style: {pointerEvents: 'none'},
      layers: (this.baseShown = this.baseLayers()),
      getCursor: () => this.cursor,
      onAfterRender: () => {
        handle.frames = (handle.frames ?? 0) + 1;
        handle.staticFrames = (handle.staticFrames ?? 0) + 1;
        for (const level of this.undrawn.splice(0)) (handle.firstDraw ??= {})[level] ??= performance.now();
        this.resolveDrawn(handle);
        this.afterRender?.();
      }
    });
    this.synced = initial;
    this.deck = new Deck({
      parent: opts.container,
      views: new MapView({repeat: false}),
      initialViewState: {...initial, minZoom: 3, maxZoom: 19},
      // On a software renderer (no GPU: SwiftShader, llvmpipe) multisampling is paid for on the
      // CPU at every live redraw (~20-25 % of it); the points antialias themselves in their
      // shader, so only the thin trails and heading stubs lose smooth edges there.
      deviceProps: softwareGL() ? ({webgl: {antialias: false}} as any) : {},
      controller: {dragRotate: false, touchRotate: false},
      // Picking on pointerdown is synchronous; on a slow (software) GPU it can
      // outlast the default 250 ms tap window, so allow a longer press.
      eventRecognizerOptions: {click: {time: 5000}},
      layers: this.liveLayers(),
      getCursor: ({isDragging, isHovering}) =>
        (this.cursor = isDragging ? 'grabbing' : isHovering || this.areaHover ? 'pointer' : 'grab'),
      // The live deck picks its own layers first, then the areas below at the same pixel.
      onHover: info => opts.onHover(this.withBase(info, true)),
      onClick: info => opts.onClick(this.withBase(info, false)),
      onViewStateChange: ({viewState}) => {
        this.syncBase(viewState as ViewLike);
        this.trackZoom((viewState as {zoom?: number}).zoom);
        return viewState;
      },
      onBeforeRender: () => {
        // initialViewState changes (flyTo, tests) bypass onViewStateChange: catch them here.
        const vp = this.deck.getViewports()[0];
        if (vp) this.syncBase(vp as unknown as ViewLike);
      },
      onAfterRender: () => {
        handle.frames = (handle.frames ?? 0) + 1;
        this.liveRedraw.rendered();
        this.trackZoom(this.deck.getViewports()[0]?.zoom);
        this.trackView();
      }
    });
    handle.deck = this.deck;
    handle.baseDeck = this.base;
    handle.redraw = this.liveRedraw.stats;
    window.__quadriller = handle;
  }

  /** The static deck follows the live deck's view (no-op when unchanged). */
  private syncBase(v: ViewLike): void {
    const next = {
      longitude: v.longitude,
      latitude: v.latitude,
      zoom: v.zoom,
      pitch: v.pitch ?? 0,
      bearing: v.bearing ?? 0
    };
    const s = this.synced;
    if (
      next.longitude === s.longitude &&
      next.latitude === s.latitude &&
      next.zoom === s.zoom &&
      next.pitch === s.pitch &&
      next.bearing === s.bearing
    )
      return;
    this.synced = next;
    this.base.setProps({viewState: next});
  }

  /** The live deck's pick, or else the static deck's at the same pixel (a hover pick there
   * also drives the areas' autoHighlight, as one deck would). */
  private withBase(info: PickingInfo, hover: boolean): PickingInfo {
    if (info.object || info.x < 0 || info.y < 0 || !this.base.isInitialized) {
      if (hover) this.clearBaseHighlight();
      return info;
    }
    let picked: PickingInfo | null = null;
    try {
      picked = this.base.pickObject({x: info.x, y: info.y, mode: hover ? 'hover' : 'query'} as any);
    } catch (err) {
      console.error(err);
    }
    if (hover) this.areaHover = !!picked?.object;
    return picked?.object ? picked : info;
  }

  /** The pointer is over a live object or off the map: no area stays highlighted below it. */
  private clearBaseHighlight(): void {
    if (!this.areaHover) return;
    this.areaHover = false;
    const last = (this.base as any).deckPicker?.lastPickedInfo;
    if (!last || last.layerId === null) return;
    const layers: Layer[] = (this.base as any).layerManager?.getLayers() ?? [];
    const layer = layers.find(l => l.id === last.layerId) as any;
    layer?.updateAutoHighlight?.({picked: false, index: -1, color: null, object: null});
    last.layerId = null;
    last.index = -1;
    last.info = null;
  }

  private trackZoom(z: number | undefined): void {
    if (typeof z === 'number' && Number.isFinite(z) && z !== this.zoom) {
      this.zoom = z;
      this.onZoom?.(z);
    }
  }

  /** The live deck's view as drawn: zoom and visible bounds (null before the first render). */
  view(): LiveViewport {
    const vp = this.deck.isInitialized ? this.deck.getViewports()[0] : undefined;
    if (!vp || !vp.width || !vp.height) return {zoom: this.zoom, bounds: null};
    const [w, s, e, n] = vp.getBounds();
    return {zoom: vp.zoom, bounds: [w, s, e, n]};
  }

  /** Run `fn` after a frame drawn with a new view (pan, zoom, resize): the live layers draw only
   * what is near the view, and rebuild when it moves away (livewire.ts). */
  onViewChange(fn: () => void): void {
    this.viewListeners.push(fn);
  }

  private trackView(): void {
    const vp = this.deck.getViewports()[0] as unknown as Required<ViewLike> & {width: number; height: number};
    if (!vp) return;
    const key = `${vp.longitude},${vp.latitude},${vp.zoom},${vp.width},${vp.height}`;
    if (key === this.lastView) return;
    this.lastView = key;
    for (const fn of this.viewListeners) fn();
  }

  /** Resolves once `level`'s areas have been drawn (first render of the static deck with them). */
  drawn(level: Level): Promise<void> {
    if (window.__quadriller?.firstDraw?.[level] !== undefined) return Promise.resolve();
    return new Promise(resolve => this.drawnWaiters.push({level, resolve}));
  }

  private resolveDrawn(handle: QuadrillerHandle): void {
    const drawn = handle.firstDraw ?? {};
    this.drawnWaiters = this.drawnWaiters.filter(w => (drawn[w.level] === undefined ? true : (w.resolve(), false)));
  }

  /** Called after each frame; main.ts uses it to flag "layers loaded" once drawn. */
  afterRender: (() => void) | null = null;

  private fit(bounds: Bounds, padding: number, maxZoom = 17) {
    const width = Math.max(1, this.container.clientWidth);
    const height = Math.max(1, this.container.clientHeight);
    const pad = Math.min(padding, Math.floor(Math.min(width, height) / 2.5));
    const vp = new WebMercatorViewport({width, height}).fitBounds(bounds, {padding: pad, maxZoom});
    return {longitude: vp.longitude, latitude: vp.latitude, zoom: vp.zoom};
  }

  /** The static deck: base map, areas and, outside a replay, the coverage hexes (static then). */
  private baseLayers(): Layer[] {
    const area = buildAreaLayers(this.state);
    const h = this.history;
    const shown = [...area, ...this.overlay];
    const all = h.hideLive ? shown : [...shown, ...h.below];
    return this.basemap ? [this.basemap, ...all] : all;
  }

  /** The live deck: presence, volunteers and, during a replay, the growing coverage hexes below
   * the replayed volunteers (same stacking order as one deck would draw). */
  private liveLayers(): Layer[] {
    const h = this.history;
    // A replay hides the live layers (cloned invisible, so they keep their state for the return).
    const hide = (layers: Layer[]) => (h.hideLive ? layers.map(l => l.clone({visible: false})) : layers);
    return [...(h.hideLive ? h.below : []), ...hide(this.presence), ...hide([...this.overlays.values()].flat()), ...hide(this.live), ...h.above];
  }

  /** Named layers drawn under the live volunteers: dispatch's arcs, the alerts' markers. */
  setOverlay(name: string, layers: Layer[]): void {
    this.overlays.set(name, layers);
    this.redrawLive();
  }

  private redrawBase(): void {
    const layers = this.baseLayers();
    const last = this.baseShown;
    if (last.length === layers.length && last.every((l, i) => l === layers[i])) return;
    this.baseShown = layers;
    this.base.setProps({layers});
  }

  private redrawLive(): void {
    this.deck.setProps({layers: this.liveLayers()});
  }

  /** Live redraws are throttled (see throttle.ts): `hook` runs in each live commit, before the
   * layers go to deck, so that it can build them from the newest state with setLiveLayers. */
  onLiveCommit(hook: () => void): void {
    this.liveHooks.push(hook);
  }

  /** Ask for a live commit: throttled, or on the next animation frame when `now` (user actions). */
  requestLiveRedraw(now = false): void {
    this.liveRedraw.schedule(now);
  }

  /** Run `fn` once the newest live state is drawn and painted (frame acknowledgements). */
  afterLivePaint(fn: () => void): void {
    this.liveRedraw.afterPaint(fn);
  }

  private commitLive(): boolean {
    for (const hook of this.liveHooks) hook();
    if (!this.liveDirty) return false;
    this.liveDirty = false;
    this.redrawLive();
    return true;
  }

  /** Replace the live (volunteer) layers, drawn above the areas; drawn by the next live commit. */
  setLiveLayers(layers: Layer[]): void {
    this.live = layers;
    this.liveDirty = true;
  }

  /** Replace the live presence hexes (below the volunteers); a throttled live redraw unless `now`. */
  setPresenceLayers(layers: Layer[], now = false): void {
    this.presence = layers;
    this.liveDirty = true;
    this.liveRedraw.schedule(now);
  }

  /** Static layers drawn over the areas (the targeting panel's distance zone). */
  setOverlayLayers(layers: Layer[]): void {
    this.overlay = layers;
    this.redrawBase();
  }

  /** History layers: `below` the live ones (coverage hexes), `above` them (replayed volunteers). */
  setHistoryLayers(below: Layer[], above: Layer[], hideLive: boolean): void {
    const changed = hideLive !== this.history.hideLive;
    this.history = {below, above, hideLive};
    this.redrawBase();
    this.redrawLive();
    if (changed) for (const fn of this.hideLiveListeners) fn(hideLive);
  }

  /** True during a replay: the live layers are hidden. */
  get liveHidden(): boolean {
    return this.history.hideLive;
  }

  onLiveHidden(fn: (hidden: boolean) => void): void {
    this.hideLiveListeners.push(fn);
  }

  setData(level: Level, fc: AreaCollection): void {
    this.state.data[level] = fc;
    this.undrawn.push(level);
    if (level === 'polling_station') this.recomputeDomain();
    this.redrawBase();
  }

  setVisible(level: Level, visible: boolean): void {
    this.state.visible = {...this.state.visible, [level]: visible};
    this.redrawBase();
  }

  setMetric(metric: MetricId): void {
    this.state.metric = metric;
    this.recomputeDomain();
    this.redrawBase();
  }

  /** Priority/coverage figures were merged into the station features: repaint and re-scale. */
  statsChanged(): void {
    this.state.statsVersion++;
    this.recomputeDomain();
    this.redrawBase();
  }

  get metric(): MetricId {
    return this.state.metric;
  }

  get domain() {
    return this.state.domain;
  }

  private recomputeDomain(): void {
    const fc = this.state.data.polling_station;
    this.state.domain = fc ? metricDomain(fc.features, this.state.metric) : null;
  }

  select(feature: AreaFeature | null): void {
    this.state.selected = feature;
    this.redrawBase();
  }

  flyTo(feature: AreaFeature): void {
    const b = featureBounds([feature]);
    if (!b) return;
    const pad = Math.round(Math.min(this.container.clientWidth, this.container.clientHeight) * 0.3);
    const view = this.fit(b, pad, 15.5);
    this.deck.setProps({
      initialViewState: {
        ...view,
        pitch: 0,
        bearing: 0,
        minZoom: 3,
        maxZoom: 19,
        transitionDuration: 1200,
        transitionInterpolator: new FlyToInterpolator()
      }
    });
  }
}
