// The live aggregates (hex counts of the volunteers outside the view, counted by the server):
// one H3HexagonLayer and its counts, below the volunteers' dots. Drawn as the live hexes are
// (volunteers.ts: polygons, no outline, slightly smaller so that the gaps outline them), paler,
// since they stand for volunteers the map does not show one by one.

import {H3HexagonLayer} from '@deck.gl/geo-layers';
import {TextLayer} from '@deck.gl/layers';
import type {Layer} from '@deck.gl/core';
import type {AggregateHex, LiveAggregates} from '../liveaggregates';

type RGBA = [number, number, number, number];

export function aggregateLayers(agg: LiveAggregates, visible: boolean): Layer[] {
  const max = agg.maxCount;
  const fill = (n: number): RGBA => {
    const x = max > 1 ? Math.log1p(n) / Math.log1p(max) : 1;
    return [Math.round(40 + 215 * x), Math.round(170 - 20 * x), Math.round(180 - 140 * x), 110];
  };
  return [
    new H3HexagonLayer<AggregateHex>({
      id: 'live-aggregates',
      data: agg.hexes,
      visible: visible && agg.hexes.length > 0,
      pickable: false, // counts are written on them: nothing more to say on hover
      highPrecision: true,
      coverage: 0.88,
      extruded: false,
      stroked: false,
      filled: true,
      getHexagon: h => h.hex,
      getFillColor: h => fill(h.n),
      updateTriggers: {getFillColor: agg.version}
    }),
    new TextLayer<AggregateHex>({
      id: 'live-aggregate-counts',
      data: agg.hexes,
      visible: visible && agg.hexes.length > 0,
      getPosition: h => h.position,
      getText: h => String(h.n),
      updateTriggers: {getText: agg.version},
      getSize: 12,
      getColor: [10, 12, 18, 255],
      fontWeight: 700,
      characterSet: '0123456789'
    })
  ];
}
