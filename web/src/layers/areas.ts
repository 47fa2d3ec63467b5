// The three GeoJSON area layers (+ a selection outline) drawn on the HQ map.

import {GeoJsonLayer} from '@deck.gl/layers';
import type {Layer} from '@deck.gl/core';
import type {AreaCollection, AreaFeature, Level} from '../api';
import {colorFor, type Domain, type MetricId} from './metrics';

export interface AreaLayerState {
  data: Partial<Record<Level, AreaCollection>>;
  visible: Record<Level, boolean>;
  metric: MetricId;
  domain: Domain | null;
  selected: AreaFeature | null;
  /** Bumped when priority/coverage figures are merged into the station features in place. */
  statsVersion: number;
}

const HIGHLIGHT: [number, number, number, number] = [255, 255, 255, 90];

export function buildAreaLayers(s: AreaLayerState): Layer[] {
  const layers: Layer[] = [];
  const ps = s.data.polling_station;
  if (ps) {
    layers.push(
      new GeoJsonLayer({
        id: 'areas-polling_station',
        data: ps as any,
        visible: s.visible.polling_station,
        filled: true,
        stroked: true,
        pickable: true,
        autoHighlight: true,
        highlightColor: HIGHLIGHT,
        getFillColor: (f: any) => colorFor(f.properties, s.metric, s.domain),
        getLineColor: [20, 22, 30, 200],
        getLineWidth: 0.6,
        lineWidthUnits: 'pixels',
        updateTriggers: {getFillColor: [s.metric, s.domain?.min, s.domain?.max, s.statsVersion]}
      })
    );
  }
  const nb = s.data.neighbourhood;
  if (nb) {
    layers.push(
      new GeoJsonLayer({
        id: 'areas-neighbourhood',
        data: nb as any,
        visible: s.visible.neighbourhood,
        filled: false,
        stroked: true,
        pickable: true,
        autoHighlight: true,
        highlightColor: [255, 255, 255, 200],
        getLineColor: [150, 200, 255, 200],
        getLineWidth: 1.5,
        lineWidthUnits: 'pixels',
        lineWidthMinPixels: 1
      })
    );
  }
  const d = s.data.district;
  if (d) {
    layers.push(
      new GeoJsonLayer({
        id: 'areas-district',
        data: d as any,
        visible: s.visible.district,
        filled: false,
        stroked: true,
        pickable: true,
        autoHighlight: true,
        highlightColor: [255, 255, 255, 255],
        getLineColor: [255, 170, 60, 235],
        getLineWidth: 3.5,
        lineWidthUnits: 'pixels',
        lineWidthMinPixels: 2
      })
    );
  }
  if (s.selected) {
    layers.push(
      new GeoJsonLayer({
        id: 'selection',
        data: {type: 'FeatureCollection', features: [s.selected]} as any,
        filled: false,
        stroked: true,
        pickable: false,
        getLineColor: [255, 255, 255, 255],
        getLineWidth: 4,
        lineWidthUnits: 'pixels'
      })
    );
  }
  return layers;
}

/** [[west, south], [east, north]] of a set of features, or null if empty. */
export function featureBounds(features: AreaFeature[]): [[number, number], [number, number]] | null {
  let w = Infinity;
  let s = Infinity;
  let e = -Infinity;
  let n = -Infinity;
  const visit = (c: any): void => {
    if (typeof c[0] === 'number') {
      if (c[0] < w) w = c[0];
      if (c[0] > e) e = c[0];
      if (c[1] < s) s = c[1];
      if (c[1] > n) n = c[1];
    } else for (const x of c) visit(x);
  };
  for (const f of features) if (f.geometry?.coordinates) visit(f.geometry.coordinates);
  return w <= e && s <= n ? [[w, s], [e, n]] : null;
}
