// Live presence: H3 hexes counting the volunteers live now, rolled up server-side from Redis
// (/hexes?source=live). Cyan, apart from the coverage magenta, the viridis ramp of the areas and
// the teal→amber live hexes; opacity by volunteer count, with the count at each hex's centre.

import {H3HexagonLayer} from '@deck.gl/geo-layers';
import {TextLayer} from '@deck.gl/layers';
import type {Layer} from '@deck.gl/core';
import {cellToLatLng} from 'h3-js';
import type {HistoryHex} from '../history';

type RGBA = [number, number, number, number];

export const PRESENCE_RGB: [number, number, number] = [0, 229, 255];

/** H3 resolution of the presence hexes at a zoom: coarser than coverage (a crowd, not streets). */
export function presenceRes(zoom: number): number {
  return zoom >= 16 ? 10 : zoom >= 14.5 ? 9 : zoom >= 13 ? 8 : zoom >= 11 ? 7 : 6;
}

export interface PresenceHex extends HistoryHex {
  res: number;
  position: [number, number];
}

export class PresenceHexes {
  private hexes: PresenceHex[] = [];
  private maxVolunteers = 1;
  private version = 0;
  res = 0;

  set(res: number, hexes: HistoryHex[]): void {
    this.res = res;
    this.hexes = [];
    for (const h of hexes) {
      try {
        const [lat, lon] = cellToLatLng(h.h3);
        this.hexes.push({...h, res, position: [lon, lat]});
      } catch {
        /* not a valid cell: skip it */
      }
    }
    this.maxVolunteers = this.hexes.reduce((m, h) => Math.max(m, h.volunteers), 1);
    this.version++;
  }

  clear(): void {
    this.set(0, []);
  }

  get count(): number {
    return this.hexes.length;
  }

  layers(): Layer[] {
    if (!this.hexes.length) return [];
    const [r, g, b] = PRESENCE_RGB;
    const max = this.maxVolunteers;
    const alpha = (n: number) => Math.round(120 + 100 * (max > 1 ? Math.log1p(n) / Math.log1p(max) : 1));
    return [
      new H3HexagonLayer<PresenceHex>({
        id: 'presence-hexes',
        data: this.hexes,
        pickable: true,
        autoHighlight: true,
        highlightColor: [255, 255, 255, 70],
        extruded: false,
        stroked: true,
        filled: true,
        highPrecision: true,
        getHexagon: h => h.h3,
        getFillColor: (h): RGBA => [r, g, b, alpha(h.volunteers)],
        getLineColor: [200, 250, 255, 220],
        getLineWidth: 1,
        lineWidthUnits: 'pixels',
        updateTriggers: {getFillColor: this.version}
      }),
      new TextLayer<PresenceHex>({
        id: 'presence-counts',
        data: this.hexes,
        getPosition: h => h.position,
        getText: h => String(h.volunteers),
        getSize: 13,
        getColor: [235, 255, 255, 255],
        fontWeight: 700,
        outlineWidth: 3,
        outlineColor: [0, 40, 60, 230],
        fontSettings: {sdf: true},
        characterSet: '0123456789'
      })
    ];
  }
}
