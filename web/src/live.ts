// Live feed: the /ws/live socket client (auth frame, reconnect with backoff,
// snapshot/deltas dispatch). The volunteer store lives in livestore.ts.

import {getToken} from './api';
import {decodeHexFrame, isHexFrame, LiveAggregates} from './liveaggregates';
import {BinarySession} from './livebinary';
import type {LiveFilter, LiveStore} from './livestore';

export * from './livestore';

export type LiveStatus =
  | {state: 'connecting'}
  | {state: 'live'}
  | {state: 'offline'; retryIn: number}
  | {state: 'denied'; reason: string};

export interface LiveHandle {
  connected: boolean;
  volunteers: number;
  lastFrameAt: number;
  onShift: number; // volunteers on shift in the store (for tests; the panel shows it)
  outside: number; // volunteers counted in the server's hexes, outside the view (viewport scoping)
}

/** What the map shows, sent to the server so that it sends one by one only what is near it. */
export interface LiveView {
  bbox: [number, number, number, number]; // west, south, east, north
  zoom: number;
}

const BACKOFF_MIN = 1_000;
const BACKOFF_MAX = 30_000;

export class LiveClient {
  private ws: WebSocket | null = null;
  private timer: number | undefined;
  private attempt = 0;
  private filter: LiveFilter = {};
  private view: LiveView | null = null;
  /** Hex counts of the volunteers outside the view (viewport scoping; liveaggregates.ts). */
  readonly aggregates = new LiveAggregates();
  readonly handle: LiveHandle = {connected: false, volunteers: 0, lastFrameAt: 0, onShift: 0, outside: 0};

  constructor(
    private campaign: string,
    readonly store: LiveStore,
    private onChange: () => void,
    private onStatus: (s: LiveStatus) => void,
    /** Sends a frame's acknowledgement once it is drawn; default: after the next paint. */
    private ackWhenDrawn: ((send: () => void) => void) | null = null,
    private url = defaultUrl()
  ) {}

  start(filter: LiveFilter = this.filter): void {
    this.filter = filter;
    this.attempt = 0;
    this.stop();
    this.connect();
  }

  /** The map's view changed (debounced by the caller): the server scopes the feed to it. */
  setView(view: LiveView): void {
    const same = this.view && this.view.zoom === view.zoom && this.view.bbox.every((x, i) => x === view.bbox[i]);
    this.view = view;
    if (!same && this.ws?.readyState === WebSocket.OPEN) this.ws.send(JSON.stringify({type: 'view', ...view}));
  }

  stop(): void {
    window.clearTimeout(this.timer);
    const ws = this.ws;
    this.ws = null;
    if (ws) {
      ws.onopen = ws.onmessage = ws.onclose = ws.onerror = null;
      ws.close(1000);
    }
    this.handle.connected = false;
  }

  private connect(): void {
    this.onStatus({state: 'connecting'});
    let ws: WebSocket;
    try {
      ws = new WebSocket(this.url);
    } catch {
      return this.retry();
    }
    this.ws = ws;
    ws.binaryType = 'arraybuffer';
    const session = new BinarySession(); // the volunteers' dictionary lives as long as the socket
    ws.onopen = () => {
      // flow 'ack': the server sends the next frame only once this one is drawn (see ack()), so
      // a slow renderer gets fewer, fuller frames instead of an ever-growing queue.
      // encoding 'binary': deltas as 20-byte records per volunteer (livebinary.ts), not ~270 of JSON.
      const auth: Record<string, string | number> = {type: 'auth', token: getToken() ?? '', campaign: this.campaign,
                                                     flow: 'ack', encoding: 'binary'};
      if (this.filter.district) auth.district = this.filter.district;
      if (this.filter.team) auth.team = /^\d+$/.test(this.filter.team) ? Number(this.filter.team) : this.filter.team;
      // The view, once the map knows it: volunteers one by one near it, hex counts for the rest.
      ws.send(JSON.stringify(this.view ? {...auth, view: this.view} : auth));
      this.aggregates.clear(); // a new connection sends its own
    };
    ws.onmessage = ev => {
      if (ev.data instanceof ArrayBuffer && isHexFrame(ev.data)) this.hexFrame(ev.data);
      else if (ev.data instanceof ArrayBuffer) this.binaryFrame(ev.data, session);
      else this.frame(ev.data);
      this.ack(ws);
    };
    ws.onclose = ev => {
      if (this.ws !== ws) return;
      this.ws = null;
      this.handle.connected = false;
      // A page busy at load (parsing the areas) may send its auth frame after the server's
      // deadline: that 1008 is about timing, not rights, so it is retried like a dropped link.
      // 'session expired': the HQ session this socket followed ended; reconnecting sends the
      // page's current session token (hq/session.ts signs in again or shows the sign-in).
      if (ev.code === 1008 && ev.reason !== 'no auth frame in time' && ev.reason !== 'session expired') {
        this.onStatus({state: 'denied', reason: ev.reason || 'policy violation'});
        return; // not allowed: retrying would not help until the filter/token changes
      }
      this.retry();
    };
    ws.onerror = () => {
      /* onclose follows */
    };
  }

  private binaryFrame(data: ArrayBuffer, session: BinarySession): void {
    try {
      this.store.binaryDeltas(session.decode(data), session.ids);
    } catch (err) {
      console.error(err); // a frame this client cannot read: skip it, the next one may do
      return;
    }
    this.changed();
  }

  private hexFrame(data: ArrayBuffer): void {
    try {
      this.aggregates.apply(decodeHexFrame(data));
    } catch (err) {
      console.error(err);
      return;
    }
    this.changed();
  }

  private frame(data: unknown): void {
    let msg: any;
    try {
      msg = JSON.parse(String(data));
    } catch {
      return;
    }
    if (!msg || typeof msg !== 'object') return;
    if (msg.type === 'snapshot') {
      this.store.snapshot(msg.t, msg.volunteers, msg.on_shift);
      this.attempt = 0;
      this.handle.connected = true;
      this.onStatus({state: 'live'});
    } else if (msg.type === 'deltas') {
      this.store.deltas(msg.t, msg.volunteers, msg.stale, msg.gone, msg.events, msg.out);
    } else if (msg.type === 'hexes') {
      this.aggregates.applyJson(msg);
    } else if (msg.type === 'totals') {
      this.store.campaignCounts = {live: msg.live, stale: msg.stale, stations: msg.stations};
    } else {
      if (msg.type === 'error') console.warn('live feed:', msg.code, msg.reason);
      this.handle.lastFrameAt = Date.now(); // unknown kinds (e.g. a heartbeat) still prove liveness
      return;
    }
    this.changed();
  }

  private changed(): void {
    this.handle.lastFrameAt = Date.now();
    this.handle.volunteers = this.store.volunteers.size;
    this.handle.onShift = this.store.onShift.size;
    this.handle.outside = this.aggregates.total;
    this.onChange();
  }

  /** Acknowledge a frame once the map has drawn it (ackWhenDrawn; by default after the next
   * paint). A hidden tab paints nothing: acknowledge at once there, or the server would take it
   * for stalled. */
  private ack(ws: WebSocket): void {
    const send = () => {
      if (this.ws === ws && ws.readyState === WebSocket.OPEN) ws.send('{"type":"ack"}');
    };
    if (document.hidden) window.setTimeout(send, 0);
    else if (this.ackWhenDrawn) this.ackWhenDrawn(send);
    else requestAnimationFrame(() => window.setTimeout(send, 0));
  }

  private retry(): void {
    const base = Math.min(BACKOFF_MAX, BACKOFF_MIN * 2 ** this.attempt);
    const delay = Math.round(base * (0.75 + Math.random() * 0.5));
    this.attempt++;
    this.onStatus({state: 'offline', retryIn: delay});
    window.clearTimeout(this.timer);
    this.timer = window.setTimeout(() => this.connect(), delay);
  }
}

function defaultUrl(): string {
  const proto = window.location.protocol === 'https:' ? 'wss:' : 'ws:';
  return `${proto}//${window.location.host}/ws/live`;
}
