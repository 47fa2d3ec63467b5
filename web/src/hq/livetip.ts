// Tooltip HTML for live objects: one volunteer, or an H3 hexagon count.

import {fmtInt, fmtPct, t} from '../i18n';
import type {VolunteerState} from '../live';
import {teamCss, type HexCount} from '../layers/volunteers';
import type {PresenceHex} from '../layers/presence';
import {escapeHtml} from './dom';

const rowsHtml = (rows: [string, string][]) =>
  `<table class="tt-rows">${rows
    .map(([k, v]) => `<tr><th>${escapeHtml(k)}</th><td>${v}</td></tr>`)
    .join('')}</table>`;

export function describeVolunteer(s: VolunteerState, serverNow: number): string {
  const v = s.v;
  const ago = Number.isFinite(v.rt) ? Math.max(0, Math.round((serverNow - v.rt) / 1000)) : null;
  const team = v.team === null || v.team === undefined ? t('no_team') : escapeHtml(String(v.team));
  const rows: [string, string][] = [
    [t('team'), `<span class="tt-team" style="background:${teamCss(v.team)}"></span>${team}`],
    [t('level_polling_station'), v.ps ? escapeHtml(v.ps) : '—'],
    [t('battery'), v.bat === null || v.bat === undefined ? '—' : fmtPct(v.bat, 0)],
    [t('last_seen'), ago === null ? '—' : escapeHtml(t('seconds_ago', {s: fmtInt(ago)}))]
  ];
  if (v.acc !== null && v.acc !== undefined) {
    const low = v.low_acc ? ` <span class="tt-badge">${escapeHtml(t('low_accuracy'))}</span>` : '';
    rows.push([t('accuracy'), `${fmtInt(v.acc)} m${low}`]);
  }
  const badge = s.stale ? `<span class="tt-badge">${escapeHtml(t('stale'))}</span>` : '';
  return (
    `<div class="tt-level">${escapeHtml(t('volunteer'))}</div>` +
    `<div class="tt-title">#${escapeHtml(String(v.v))}${badge}</div>` +
    rowsHtml(rows)
  );
}

export function describeHex(h: HexCount): string {
  return (
    `<div class="tt-level">${escapeHtml(t('hex_title'))}</div>` +
    `<div class="tt-title">${fmtInt(h.n)}</div>` +
    rowsHtml([
      [t('hex_live'), fmtInt(h.n - h.stale)],
      [t('hex_stale'), fmtInt(h.stale)]
    ])
  );
}

export function describePresence(h: PresenceHex): string {
  return (
    `<div class="tt-level">${escapeHtml(t('presence_title'))}</div>` +
    `<div class="tt-title">${fmtInt(h.volunteers)}</div>` +
    rowsHtml([
      [t('live_volunteers'), fmtInt(h.volunteers)],
      [t('presence_res'), String(h.res)]
    ])
  );
}
