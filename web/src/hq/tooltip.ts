// Plain-DOM hover tooltip (#tooltip), positioned next to the pointer.

import type {PickingInfo} from '@deck.gl/core';
import type {AreaFeature} from '../api';
import type {VolunteerState} from '../live';
import type {HexCount} from '../layers/volunteers';
import {describeArea} from './describe';
import {byId} from './dom';
import type {PresenceHex} from '../layers/presence';
import {describeHex, describePresence, describeVolunteer} from './livetip';

let lastKey = '';
let serverNow: () => number = () => Date.now();

/** Clock used for "last seen N s ago" (the live store's server-time estimate). */
export function setTooltipClock(fn: () => number): void {
  serverNow = fn;
}

/** Key + HTML for a hovered live object, or null if it is not one. */
function liveContent(info: PickingInfo): [string, string, string] | null {
  const id = info.layer?.id;
  if (id === 'live-volunteers' && info.object) {
    const s = info.object as VolunteerState;
    const html = describeVolunteer(s, serverNow());
    return [`v:${s.id}:${s.v.rt}:${s.stale}:${Math.round(serverNow() / 1000)}`, html, 'volunteer'];
  }
  if (id === 'live-hexes' && info.object) {
    const h = info.object as HexCount;
    return [`h:${h.hex}:${h.n}:${h.stale}`, describeHex(h), 'hex'];
  }
  if (id === 'presence-hexes' && info.object) {
    const h = info.object as PresenceHex;
    return [`p:${h.h3}:${h.volunteers}`, describePresence(h), 'presence'];
  }
  return null;
}

export function updateTooltip(info: PickingInfo): void {
  const el = byId('tooltip');
  const live = liveContent(info);
  const f = info.object as AreaFeature | undefined;
  if (live) {
    if (live[0] !== lastKey) {
      el.innerHTML = live[1];
      el.dataset.level = live[2];
      el.dataset.code = '';
      lastKey = live[0];
    }
  } else if (!f || !f.properties) {
    el.hidden = true;
    lastKey = '';
    return;
  } else {
    const p = f.properties;
    // The stations are drawn before their lists' figures arrive (hq/main.ts): a tooltip shown
    // without them is redrawn once they are merged, at the next pointer move.
    const key = `${p.level}:${p.code}:${p.top_lists?.length ?? 0}`;
    if (key !== lastKey) {
      el.innerHTML = describeArea(p);
      el.dataset.level = p.level;
      el.dataset.code = p.code;
      lastKey = key;
    }
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
