// Live volunteer layers: points coloured by team, heading stubs, short trails;
// when zoomed out, H3 hexagons counting volunteers per parent cell.
// Derived data is rebuilt only when the store version, the zoom bucket or the cull box changes
// (viewKey), so deck.gl sees the same data identity and skips untouched layers.
// Why the layers are shaped the way they are (culling, segments, no hex outlines): livegeom.ts.

import {LineLayer, ScatterplotLayer, TextLayer} from '@deck.gl/layers';
import {H3HexagonLayer} from '@deck.gl/geo-layers';
import type {Layer} from '@deck.gl/core';
import type {LiveStore, VolunteerState} from '../live';
import {boxKey, cullBox, HexAggregator, inBox, Segments, trailsAndHeadings} from './livegeom';
import type {HexCount, LiveViewport} from './livegeom';

export type {HexCount, LiveViewport} from './livegeom';

type RGBA = [number, number, number, number];

export const POINTS_MIN_ZOOM = 13;

// Colour-blind-friendly-ish categorical palette (Tableau 10, minus grey).
const PALETTE: [number, number, number][] = [
  [78, 121, 167], [242, 142, 43], [225, 87, 89], [118, 183, 178], [89, 161, 79],
  [237, 201, 72], [176, 122, 161], [255, 157, 167], [156, 117, 95]
];
const NO_TEAM: RGBA = [255, 255, 255, 255];
const STALE: RGBA = [105, 108, 118, 170];

export function teamColor(team: number | string | null | undefined): RGBA {
  if (team === null || team === undefined || team === '') return NO_TEAM;
  let h = 0;
  const n = Number(team);
  if (Number.isInteger(n)) h = Math.abs(n);
  else for (const c of String(team)) h = (h * 31 + c.charCodeAt(0)) >>> 0;
  const [r, g, b] = PALETTE[h % PALETTE.length];
  return [r, g, b, 255];
}

export function teamCss(team: number | string | null | undefined): string {
  const [r, g, b] = teamColor(team);
  return `rgb(${r},${g},${b})`;
}

/** H3 resolution used to aggregate at a zoom level below POINTS_MIN_ZOOM. */
export function hexResolution(zoom: number): number {
  return zoom >= 11.5 ? 9 : zoom >= 10 ? 8 : zoom >= 8.5 ? 7 : 6;
}

/** A key that changes only when the live layers need rebuilding for a new zoom. */
export function zoomKey(zoom: number): string {
  return zoom < POINTS_MIN_ZOOM ? `h${hexResolution(zoom)}` : `p${Math.round(zoom * 4) / 4}`;
}

/** A key that changes only when the live layers need rebuilding for a new view: the zoom bucket
 * and the cull box (livegeom.ts cullBox: only what lies in it is drawn). */
export function viewKey(view: LiveViewport): string {
  return `${zoomKey(view.zoom)}|${boxKey(cullBox(view.bounds))}`;
}

interface Derived {
  version: number;
  all: VolunteerState[]; // every volunteer with a position, stale ones first
  key: string; // viewKey the fields below were built for
  points: VolunteerState[]; // those in the cull box
  lines: Segments; // their trails and heading stubs
  lineData: ReturnType<Segments['data']>;
  hexes: HexCount[]; // counts over all volunteers, hexes in the cull box
  maxCount: number;
}

const HEX_GAP = 0.88; // hexes drawn at 88 % of their size: the gaps outline them (see build)

export class VolunteerLayers {
  private agg = new HexAggregator();
  private d: Derived = {
    version: -1,
    all: [],
    key: '',
    points: [],
    lines: new Segments(),
    lineData: new Segments().data(),
    hexes: [],
    maxCount: 1
  };

  build(store: LiveStore, view: LiveViewport, visible: boolean): Layer[] {
    const d = this.derive(store, view);
    const hexMode = view.zoom < POINTS_MIN_ZOOM;
    const trigger = `${d.version}|${d.key}`;
    return [
      // highPrecision: real polygons (one SolidPolygonLayer, 6 vertices a hex) instead of
      // instanced columns (22 + 15 vertices a hex through a lighting shader: ~450 ms a frame for
      // 800 hexes on software GL, against ~50 ms). The white outline would need a PathLayer,
      // the costliest layer of all there: hexes are drawn slightly smaller (coverage) instead,
      // and the gaps between them outline them.
      new H3HexagonLayer<HexCount>({
        id: 'live-hexes',
        data: d.hexes,
        visible: visible && hexMode,
        pickable: true,
        highPrecision: true,
        coverage: HEX_GAP,
        extruded: false,
        stroked: false,
        filled: true,
        getHexagon: h => h.hex,
        getFillColor: h => hexColor(h.n, d.maxCount),
        updateTriggers: {getFillColor: trigger}
      }),
      new TextLayer<HexCount>({
        id: 'live-hex-counts',
        data: d.hexes,
        visible: visible && hexMode,
        getPosition: h => h.position,
        getText: h => String(h.n),
        updateTriggers: {getText: trigger},
        getSize: 13,
        // Dark digits, no outline: an outline is a second pass over every glyph (~60 ms a frame
        // for 800 labels on software GL); dark on the teal-to-amber fills reads as well.
        getColor: [10, 12, 18, 255],
        fontWeight: 700,
        characterSet: '0123456789'
      }),
      // Trails, then heading stubs, as plain segments in one layer (livegeom.ts).
      new LineLayer({
        id: 'live-trails',
        data: d.lineData as any,
        visible: visible && !hexMode,
        widthUnits: 'pixels'
      }),
      new ScatterplotLayer<VolunteerState>({
        id: 'live-volunteers',
        data: d.points,
        visible: visible && !hexMode,
        pickable: true,
        autoHighlight: true,
        highlightColor: [255, 255, 255, 120],
        stroked: true,
        filled: true,
        radiusUnits: 'pixels',
        getRadius: s => (s.stale ? 4.5 : 6),
        getPosition: s => [s.v.lon, s.v.lat],
        getFillColor: s => (s.stale ? STALE : fade(teamColor(s.v.team), s.v.low_acc ? 150 : 255)),
        getLineColor: s => (s.stale ? [60, 60, 70, 220] : [10, 12, 18, 255]),
        lineWidthUnits: 'pixels',
        getLineWidth: 1.5,
        updateTriggers: {getFillColor: trigger, getLineColor: trigger, getRadius: trigger}
      })
    ];
  }

  private derive(store: LiveStore, view: LiveViewport): Derived {
    const d = this.d;
    const changed = d.version !== store.version;
    const key = viewKey(view);
    if (!changed && key === d.key) return d;
    if (changed) {
      d.version = store.version;
      d.all = [...store.volunteers.values()].filter(s => Number.isFinite(s.v.lon) && Number.isFinite(s.v.lat));
      d.all.sort((a, b) => Number(b.stale) - Number(a.stale)); // live ones drawn on top
    }
    const box = cullBox(view.bounds);
    if (view.zoom < POINTS_MIN_ZOOM) {
      // Counts over every volunteer (a hex at the edge still counts its own), drawn if in the box.
      // The same hexes as last time: the same array, counts updated in place (HexAggregator).
      const newSet = this.agg.update(d.all, hexResolution(view.zoom));
      if (newSet || key !== d.key) {
        d.hexes = box ? this.agg.hexes.filter(h => inBox(box, h.position[0], h.position[1])) : this.agg.hexes;
      }
      d.maxCount = this.agg.maxCount;
      d.points = [];
      d.lines.reset(0);
    } else {
      d.hexes = [];
      d.points = box ? d.all.filter(s => inBox(box, s.v.lon, s.v.lat)) : d.all;
      const zoom = Math.round(view.zoom * 4) / 4; // as zoomKey: stubs are rebuilt per quarter level
      trailsAndHeadings(d.lines, d.points, zoom, s => teamColor(s.v.team));
    }
    d.key = key;
    d.lineData = d.lines.data();
    return d;
  }
}

function fade(c: RGBA, a: number): RGBA {
  return [c[0], c[1], c[2], a];
}

function hexColor(n: number, max: number): RGBA {
  const x = max > 1 ? Math.log1p(n) / Math.log1p(max) : 1;
  // teal → amber
  return [Math.round(40 + 215 * x), Math.round(170 - 20 * x), Math.round(180 - 140 * x), 170];
}
