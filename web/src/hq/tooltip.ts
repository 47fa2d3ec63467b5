// Plain-DOM hover tooltip (#tooltip), positioned next to the pointer.

import type {PickingInfo} from '@deck.gl/core';
import type {AreaFeature} from '../api';
import {describeArea} from './describe';
import {byId} from './dom';

let lastKey = '';

export function updateTooltip(info: PickingInfo): void {
  const el = byId('tooltip');
  const f = info.object as AreaFeature | undefined;
  if (!f || !f.properties) {
    el.hidden = true;
    lastKey = '';
    return;
  }
  const p = f.properties;
  const key = `${p.level}:${p.code}`;
  if (key !== lastKey) {
    el.innerHTML = describeArea(p);
    el.dataset.level = p.level;
    el.dataset.code = p.code;
    lastKey = key;
  }
  el.hidden = false;
  // info.x/y are relative to the deck canvas; convert to page coordinates.
  const canvasRect = byId('map').getBoundingClientRect();
  const px = canvasRect.left + info.x;
  const py = canvasRect.top + info.y;
  const w = el.offsetWidth;
  const h = el.offsetHeight;
  const left = px + 16 + w > window.innerWidth ? px - 16 - w : px + 16;
  const top = Math.min(Math.max(8, py + 16), window.innerHeight - h - 8);
  el.style.left = `${Math.max(8, left)}px`;
  el.style.top = `${top}px`;
}

export function hideTooltip(): void {
  byId('tooltip').hidden = true;
  lastKey = '';
}

/** Re-render the visible tooltip text (after a language switch). */
export function resetTooltip(): void {
  lastKey = '';
  hideTooltip();
}
