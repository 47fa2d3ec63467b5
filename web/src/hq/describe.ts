// HTML summary of one area, shared by the hover tooltip and the selection card.

import type {AreaProperties} from '../api';
import {fmtInt, fmtPct, t, type MessageKey} from '../i18n';
import {escapeHtml} from './dom';

export function levelLabel(level: string): string {
  return t(`level_${level}` as MessageKey) || level;
}

export function describeArea(p: AreaProperties, topN = 3): string {
  const title = p.name ? escapeHtml(p.name) : escapeHtml(p.code);
  const rows: [string, string][] = [
    [t('code'), escapeHtml(p.code)],
    [t('registered'), fmtInt(p.registered)],
    [t('turnout'), fmtPct(p.turnout)]
  ];
  if (p.abstention_rate !== null && p.abstention_rate !== undefined) {
    rows.push([t('abstention_rate'), fmtPct(p.abstention_rate)]);
  }
  if (p.priority_rank !== undefined) rows.push([t('priority_rank'), `#${fmtInt(p.priority_rank)}`]);
  if (p.coverage !== undefined) rows.push([t('coverage_today'), fmtInt(p.coverage)]);
  if (p.election) rows.push([t('election'), escapeHtml(p.election)]);
  const lists = (p.top_lists ?? []).slice(0, topN);
  const listHtml = lists.length
    ? `<div class="tt-sub">${escapeHtml(t('leading_lists'))}</div><ol class="tt-lists">${lists
        .map(
          l =>
            `<li><span class="tt-list-name">${escapeHtml(l.name)}</span>` +
            `<span class="tt-list-share">${fmtPct(l.share)}</span></li>`
        )
        .join('')}</ol>`
    : '';
  return (
    `<div class="tt-level">${escapeHtml(levelLabel(p.level))}</div>` +
    `<div class="tt-title">${title}</div>` +
    `<table class="tt-rows">${rows
      .map(([k, v]) => `<tr><th>${escapeHtml(k)}</th><td>${v}</td></tr>`)
      .join('')}</table>` +
    listHtml
  );
}
