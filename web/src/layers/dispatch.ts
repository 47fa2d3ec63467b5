// Dispatch's suggestions on the map: one arc from each team (where its live members stand) to
// the station suggested for it, amber like the panel's buttons, and a dot at the station so
// that suggestions for teams with no live position still show where they would go.

import {ArcLayer, ScatterplotLayer} from '@deck.gl/layers';
import type {Layer} from '@deck.gl/core';

export interface SuggestionGeo {
  team: number;
  station: string;
  lon: number;
  lat: number;
  team_lon: number | null;
  team_lat: number | null;
}

const AMBER: [number, number, number, number] = [255, 176, 32, 220];

export function suggestionLayers(items: SuggestionGeo[]): Layer[] {
  const located = items.filter(s => s.team_lon !== null && s.team_lat !== null);
  return [
    new ArcLayer<SuggestionGeo>({
      id: 'dispatch-arcs',
      data: located,
      getSourcePosition: s => [s.team_lon!, s.team_lat!],
      getTargetPosition: s => [s.lon, s.lat],
      getSourceColor: [255, 255, 255, 200],
      getTargetColor: AMBER,
      getWidth: 3,
      greatCircle: false,
      pickable: true
    }),
    new ScatterplotLayer<SuggestionGeo>({
      id: 'dispatch-targets',
      data: items,
      getPosition: s => [s.lon, s.lat],
      getFillColor: AMBER,
      radiusUnits: 'pixels',
      getRadius: 5,
      pickable: true
    })
  ];
}
