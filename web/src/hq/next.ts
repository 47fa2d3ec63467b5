// "Where to go next": the polling stations with the most abstainers that nobody has canvassed
// today (GET /priorities, ranked server-side, see server/priorities/ranking.py), refreshed every
// minute; a click selects the station and flies to it.

import {apiGet} from '../api';
import {fmtInt, fmtPct, t} from '../i18n';
import {byId} from './dom';

interface Ranked {
  rank: number;
  code: string;
  name: string | null;
  abstentions: number | null;
  abstention_rate: number | null;
  score: number | null;
}

const REFRESH_MS = 60_000;
const SHOWN = 8;

export function startNext(
  campaign: string,
  onPick: (code: string) => void,
  after: Promise<unknown> = Promise.resolve() // the first reading waits for it (the map's first draw)
): {refreshText: () => void} {
  let stations: Ranked[] | null = null;
  const list = byId('next-list');
  list.addEventListener('click', ev => {
    const li = (ev.target as HTMLElement).closest<HTMLElement>('li[data-code]');
    if (li?.dataset.code) onPick(li.dataset.code);
  });

  async function refresh(): Promise<void> {
    try {
      const q = new URLSearchParams({limit: String(SHOWN), unvisited: 'true'});
      const body = await apiGet<{stations: Ranked[]}>(`/api/campaigns/${encodeURIComponent(campaign)}/priorities?${q}`);
      stations = body.stations.filter(s => s.score !== null);
    } catch {
      // keep the last list: a failed refresh must not blank the panel
    }
    render();
  }

  function render(): void {
    if (stations === null) return;
    if (!stations.length) {
      const li = document.createElement('li');
      li.className = 'empty';
      li.textContent = t('next_empty');
      list.replaceChildren(li);
      return;
    }
    list.replaceChildren(
      ...stations.map(s => {
        const li = document.createElement('li');
        li.dataset.code = s.code;
        li.tabIndex = 0;
        const code = document.createElement('span');
        code.className = 'code';
        code.textContent = s.code;
        const txt = document.createElement('span');
        txt.className = 'txt';
        txt.textContent = t('next_abstainers', {n: fmtInt(s.abstentions), rate: fmtPct(s.abstention_rate, 0)});
        li.append(code, txt);
        li.title = s.name ?? s.code;
        return li;
      })
    );
  }

  void after.then(() => {
    void refresh();
    window.setInterval(() => void refresh(), REFRESH_MS);
  });
  return {refreshText: render};
}
