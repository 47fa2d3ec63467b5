// Live volunteer layers: points coloured by team, heading stubs, short trails;
// when zoomed out, H3 hexagons counting volunteers per parent cell.
// Derived arrays are rebuilt only when the store version (or the zoom bucket)
// changes, so deck.gl sees the same data identity and skips untouched layers.

import {LineLayer, PathLayer, ScatterplotLayer, TextLayer} from '@deck.gl/layers';
import {H3HexagonLayer} from '@deck.gl/geo-layers';
import type {Layer} from '@deck.gl/core';
import {cellToLatLng, cellToParent, getResolution, isValidCell, latLngToCell} from 'h3-js';
import type {LiveStore, VolunteerState} from '../live';

type RGBA = [number, number, number, number];

export const POINTS_MIN_ZOOM = 13;
const HEADING_PX = 16;

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

export interface HexCount {
  hex: string;
  n: number;
  stale: number;
  position: [number, number];
}

interface Derived {
  version: number;
  points: VolunteerState[];
  trails: VolunteerState[];
  headingKey: string;
  headings: {from: [number, number]; to: [number, number]; s: VolunteerState}[];
  hexKey: string;
  hexes: HexCount[];
  maxCount: number;
}

export class VolunteerLayers {
  private d: Derived = {
    version: -1, points: [], trails: [], headingKey: '', headings: [], hexKey: '', hexes: [], maxCount: 1
  };

  build(store: LiveStore, zoom: number, visible: boolean): Layer[] {
    const d = this.derive(store, zoom);
    const hexMode = zoom < POINTS_MIN_ZOOM;
    const trigger = d.version;
    return [
      new H3HexagonLayer<HexCount>({
        id: 'live-hexes',
        data: d.hexes,
        visible: visible && hexMode,
        pickable: true,
        extruded: false,
        stroked: true,
        filled: true,
        getHexagon: h => h.hex,
        getFillColor: h => hexColor(h.n, d.maxCount),
        getLineColor: [255, 255, 255, 160],
        getLineWidth: 1,
        lineWidthUnits: 'pixels',
        updateTriggers: {getFillColor: [d.hexKey, trigger]}
      }),
      new TextLayer<HexCount>({
        id: 'live-hex-counts',
        data: d.hexes,
        visible: visible && hexMode,
        getPosition: h => h.position,
        getText: h => String(h.n),
        getSize: 13,
        getColor: [255, 255, 255, 255],
        fontWeight: 700,
        outlineWidth: 3,
        outlineColor: [0, 0, 0, 220],
        fontSettings: {sdf: true},
        characterSet: '0123456789'
      }),
      new PathLayer<VolunteerState>({
        id: 'live-trails',
        data: d.trails,
        visible: visible && !hexMode,
        getPath: s => s.trail,
        getColor: s => fade(s.stale ? STALE : teamColor(s.v.team), 140),
        getWidth: 2,
        widthUnits: 'pixels',
        capRounded: true,
        jointRounded: true,
        updateTriggers: {getColor: trigger}
      }),
      new LineLayer<Derived['headings'][number]>({
        id: 'live-headings',
        data: d.headings,
        visible: visible && !hexMode,
        getSourcePosition: h => h.from,
        getTargetPosition: h => h.to,
        getColor: h => teamColor(h.s.v.team),
        getWidth: 3,
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

  private derive(store: LiveStore, zoom: number): Derived {
    const d = this.d;
    const changed = d.version !== store.version;
    if (changed) {
      d.version = store.version;
      d.points = [...store.volunteers.values()].filter(s => Number.isFinite(s.v.lon) && Number.isFinite(s.v.lat));
      d.points.sort((a, b) => Number(b.stale) - Number(a.stale)); // live ones drawn on top
      d.trails = d.points.filter(s => !s.stale && s.trail.length > 1);
    }
    if (zoom < POINTS_MIN_ZOOM) {
      const key = `${hexResolution(zoom)}`;
      if (changed || key !== d.hexKey) {
        d.hexKey = key;
        d.hexes = aggregate(d.points, hexResolution(zoom));
        d.maxCount = d.hexes.reduce((m, h) => Math.max(m, h.n), 1);
      }
    } else {
      const key = zoomKey(zoom);
      if (changed || key !== d.headingKey) {
        d.headingKey = key;
        d.headings = headings(d.points, Math.round(zoom * 4) / 4);
      }
    }
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

function aggregate(points: VolunteerState[], res: number): HexCount[] {
  const byHex = new Map<string, HexCount>();
  for (const s of points) {
    let hex: string;
    try {
      const cell = s.v.cell && isValidCell(s.v.cell) ? s.v.cell : latLngToCell(s.v.lat, s.v.lon, 11);
      hex = getResolution(cell) > res ? cellToParent(cell, res) : cell;
    } catch {
      continue;
    }
    let h = byHex.get(hex);
    if (!h) {
      const [lat, lon] = cellToLatLng(hex);
      h = {hex, n: 0, stale: 0, position: [lon, lat]};
      byHex.set(hex, h);
    }
    h.n++;
    if (s.stale) h.stale++;
  }
  return [...byHex.values()];
}

function headings(points: VolunteerState[], zoom: number) {
  const out: Derived['headings'] = [];
  for (const s of points) {
    const hdg = s.v.hdg;
    if (s.stale || hdg === null || hdg === undefined || !Number.isFinite(hdg)) continue;
    const cosLat = Math.cos((s.v.lat * Math.PI) / 180);
    const metres = (HEADING_PX * 78271.52 * cosLat) / 2 ** zoom;
    const rad = (hdg * Math.PI) / 180;
    const dLat = (metres * Math.cos(rad)) / 111_320;
    const dLon = (metres * Math.sin(rad)) / (111_320 * Math.max(cosLat, 0.01));
    out.push({from: [s.v.lon, s.v.lat], to: [s.v.lon + dLon, s.v.lat + dLat], s});
  }
  return out;
}
