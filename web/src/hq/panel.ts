// Side panel: layer toggles, metric selector + legend, language button, status.

import {LEVELS, type Level, type Me} from '../api';
import {getLang, t, toggleLang, fmtInt, type MessageKey} from '../i18n';
import {
  BASE_METRICS,
  STATS_METRICS,
  formatMetric,
  listMetric,
  metricLabel,
  rampCss,
  type Domain,
  type MetricId
} from '../layers/metrics';
import {byId} from './dom';

export function initLayerToggles(onChange: (level: Level, visible: boolean) => void): void {
  for (const level of LEVELS) {
    const box = byId<HTMLInputElement>(`toggle-${level}`);
    box.addEventListener('change', () => onChange(level, box.checked));
  }
}

export function setCount(level: Level, n: number | null): void {
  const el = document.querySelector<HTMLElement>(`[data-count="${level}"]`);
  if (el) el.textContent = n === null ? '…' : fmtInt(n);
}

/** Fill #metric with the base metrics, priority and coverage once known, and one entry per list. */
export function renderMetricOptions(lists: string[], current: MetricId, withStats = false): void {
  const select = byId<HTMLSelectElement>('metric');
  const ids = [...BASE_METRICS, ...(withStats ? STATS_METRICS : []), ...lists.map(listMetric)];
  select.replaceChildren(
    ...ids.map(id => {
      const opt = document.createElement('option');
      opt.value = id;
      opt.textContent = metricLabel(id);
      return opt;
    })
  );
  select.value = ids.includes(current) ? current : BASE_METRICS[0];
}

export function initMetricSelect(onChange: (metric: MetricId) => void): void {
  const select = byId<HTMLSelectElement>('metric');
  select.addEventListener('change', () => onChange(select.value));
}

export function renderLegend(metric: MetricId, domain: Domain | null): void {
  (document.querySelector('#legend .legend-ramp') as HTMLElement).style.background = rampCss();
  byId('legend-min').textContent = domain ? formatMetric(metric, domain.min) : '—';
  byId('legend-max').textContent = domain ? formatMetric(metric, domain.max) : '—';
  byId('legend').dataset.metric = metric;
}

export function initLangToggle(onChange: () => void): void {
  const btn = byId('lang-toggle');
  const mark = () => {
    btn.querySelectorAll<HTMLElement>('[data-lang]').forEach(s => {
      s.classList.toggle('active', s.dataset.lang === getLang());
    });
  };
  mark();
  btn.addEventListener('click', () => {
    toggleLang();
    mark();
    onChange();
  });
}

export function renderCampaign(me: Me | null, slug: string | null): void {
  const box = byId('campaign-info');
  box.replaceChildren();
  if (!me) return;
  const who = document.createElement('div');
  who.className = 'who';
  who.textContent = me.name || me.login;
  box.append(who);
  if (!slug) return;
  if (me.campaigns.length > 1) {
    const select = document.createElement('select');
    select.id = 'campaign';
    select.setAttribute('aria-label', t('campaign'));
    for (const c of me.campaigns) {
      const opt = document.createElement('option');
      opt.value = c.slug;
      opt.textContent = `${c.name} (${t(`role_${c.role}` as MessageKey)})`;
      select.append(opt);
    }
    select.value = slug;
    select.addEventListener('change', () => {
      const url = new URL(window.location.href);
      url.searchParams.set('campaign', select.value);
      window.location.assign(url.toString());
    });
    box.append(select);
  } else {
    const c = me.campaigns.find(x => x.slug === slug);
    const line = document.createElement('div');
    line.className = 'campaign-name';
    line.textContent = c ? `${c.name} · ${t(`role_${c.role}` as MessageKey)}` : slug;
    box.append(line);
  }
}

export function setStatus(text: string): void {
  byId('status').textContent = text;
}
