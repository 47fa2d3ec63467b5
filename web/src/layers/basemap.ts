// Optional raster base map (XYZ template from /api/config), drawn under everything.

import {TileLayer} from '@deck.gl/geo-layers';
import {BitmapLayer} from '@deck.gl/layers';
import type {Layer} from '@deck.gl/core';

export function buildBasemapLayer(urlTemplate: string): Layer | null {
  if (!urlTemplate) return null;
  return new TileLayer({
    id: 'basemap',
    data: urlTemplate,
    minZoom: 0,
    maxZoom: 19,
    tileSize: 256,
    maxRequests: 8,
    pickable: false,
    renderSubLayers: props => {
      const [[west, south], [east, north]] = props.tile.boundingBox;
      const {data, ...rest} = props;
      return new BitmapLayer(rest as any, {
        image: data as any,
        bounds: [west, south, east, north],
        desaturate: 0.3,
        tintColor: [190, 190, 200]
      });
    }
  });
}
