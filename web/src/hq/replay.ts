// The History section: a period of a day, the coverage-hex toggle, and the replay (play/pause,
// speed, slider, clock). During a replay the live layers are hidden, every volunteer is drawn at
// its interpolated position and the coverage hexes grow with the clock. The hexes come from
// /hexes?source=history for the whole period, once per (period, resolution): each carries its
// first-visit time, so growing them needs no refetch, only a binary search per frame.

import {fetchHistoryHexes, fetchReplay, type ReplayPoint, type ReplayTracks} from '../history';
import {getLang, t, type MessageKey} from '../i18n';
import {CoverageHexes, coverageRes, replayVolunteersLayer} from '../layers/coverage';
import {byId, showError} from './dom';
import type {HqMap, ReplayHandle} from './map';

export interface ReplayView {
  onZoom(zoom: number): void;
  refreshText(): void;
}

interface Period {
  since: number; // epoch ms
  until: number;
  key: string; // the inputs as typed ("to" empty = now)
}

const HEX_UPDATE_MS = 150; // while playing, the growing hexes are rebuilt at most this often
const COVERAGE_REFRESH_MS = 60_000; // the coverage view up to "now" is refetched this often
const pad = (n: number) => String(n).padStart(2, '0');

export function startReplay(map: HqMap, campaign: string): ReplayView {
  const date = byId<HTMLInputElement>('replay-date');
  const from = byId<HTMLInputElement>('replay-from');
  const to = byId<HTMLInputElement>('replay-to');
  const play = byId<HTMLButtonElement>('replay-play');
  const stop = byId<HTMLButtonElement>('replay-stop');
  const speed = byId<HTMLSelectElement>('replay-speed');
  const slider = byId<HTMLInputElement>('replay-slider');
  const clockEl = byId('replay-clock');
  const coverageBox = byId<HTMLInputElement>('toggle-coverage');

  const hexes = new CoverageHexes();
  const handle: ReplayHandle = {playing: false, clock: 0, volunteers: 0, hexes: 0, res: 0, shown: []};
  window.__quadriller!.replay = handle;
  let tracks: ReplayTracks | null = null; // non-null: in replay mode
  let clock = 0;
  let playing = false;
  let raf = 0;
  let lastTs = 0;
  let lastHexUpdate = 0;
  let points: ReplayPoint[] = [];
  let hexAbort: AbortController | null = null;
  let pendingKey = '';
  let status: [MessageKey, Record<string, string | number>] | null = null;

  const now = new Date();
  date.value = `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}`;
  from.value = now.getHours() >= 6 ? '06:00' : '00:00';
  to.value = '';

  function period(): Period | null {
    if (!date.value) return null;
    const start = new Date(`${date.value}T${from.value || '00:00'}`).getTime();
    const dayEnd = new Date(`${date.value}T00:00`).getTime() + 86_400_000;
    const end = Math.min(Date.now(), to.value ? new Date(`${date.value}T${to.value}`).getTime() : dayEnd);
    if (!Number.isFinite(start) || !Number.isFinite(end) || start >= end) return null;
    return {since: start, until: end, key: `${date.value}|${from.value}|${to.value}`};
  }

  function setStatus(key: MessageKey | null, vars: Record<string, string | number> = {}): void {
    status = key ? [key, vars] : null;
    byId('replay-status').textContent = status ? t(status[0], status[1]) : '';
  }

  const fmtClock = (ms: number) =>
    new Intl.DateTimeFormat(getLang() === 'fr' ? 'fr-FR' : 'en-GB', {hour: '2-digit', minute: '2-digit', second: '2-digit'})
      .format(ms);

  function renderControls(): void {
    play.textContent = t(playing ? 'replay_pause' : tracks ? 'replay_resume' : 'replay_play');
    play.classList.toggle('playing', playing);
    stop.disabled = !tracks;
    slider.disabled = !tracks;
    document.body.dataset.replay = tracks ? (playing ? 'playing' : 'paused') : 'off';
    handle.playing = playing;
  }

  /** Draw the current state: replay (points + growing hexes) or live (+ optional coverage). */
  function draw(force = false): void {
    if (tracks) {
      points = tracks.at(clock);
      const n = hexes.visitedBy(clock);
      const at = performance.now();
      if (n !== hexes.count && (force || !playing || at - lastHexUpdate >= HEX_UPDATE_MS)) {
        hexes.showFirst(n);
        lastHexUpdate = at;
      }
      map.setHistoryLayers([hexes.layer(true)], [replayVolunteersLayer(points)], true);
      slider.value = String(Math.round((clock - tracks.since) / 1000));
      clockEl.textContent = fmtClock(clock);
    } else {
      points = [];
      hexes.showFirst(coverageBox.checked ? hexes.size : 0);
      map.setHistoryLayers(coverageBox.checked ? [hexes.layer(false)] : [], [], false);
      clockEl.textContent = '--:--:--';
    }
    Object.assign(handle, {clock, volunteers: points.length, hexes: hexes.count, res: hexes.res, shown: points});
    const count = document.querySelector<HTMLElement>('[data-count="coverage"]');
    if (count) count.textContent = coverageBox.checked || tracks ? String(hexes.count) : '';
  }

  /** Hexes of [since, until] at the zoom's resolution; fetched once per key. */
  async function loadHexes(since: number, until: number): Promise<void> {
    const res = coverageRes(map.zoom);
    const key = `${since}|${until}|${res}`;
    if (hexes.key === key || pendingKey === key) return;
    hexAbort?.abort();
    const abort = (hexAbort = new AbortController());
    pendingKey = key;
    try {
      const body = await fetchHistoryHexes(campaign, since, until, res, abort.signal);
      if (abort.signal.aborted) return;
      hexes.set(key, res, body.hexes);
      draw(true);
    } catch (err) {
      if ((err as Error).name !== 'AbortError') showError((err as Error).message);
    } finally {
      if (pendingKey === key) pendingKey = '';
    }
  }

  function coverageWindow(): [number, number] | null {
    if (tracks) return [tracks.since, tracks.until];
    const p = period();
    // "to" empty means now: round to the minute so that refetches hit the same key meanwhile
    return p ? [p.since, to.value ? p.until : Math.ceil(p.until / 60_000) * 60_000] : null;
  }

  function refreshHexes(): void {
    const w = coverageWindow();
    if (w && (tracks || coverageBox.checked)) void loadHexes(w[0], w[1]);
  }

  function frame(ts: number): void {
    raf = 0;
    if (!playing || !tracks) return;
    const dt = lastTs ? Math.min(2000, ts - lastTs) : 0; // a tab hidden for long does not jump ahead
    lastTs = ts;
    clock += dt * Number(speed.value || 1);
    if (clock >= tracks.end) {
      clock = tracks.end;
      playing = false;
      setStatus('replay_done');
      renderControls();
    }
    draw();
    if (playing) raf = requestAnimationFrame(frame);
  }

  function startPlaying(): void {
    playing = true;
    lastTs = 0;
    renderControls();
    if (!raf) raf = requestAnimationFrame(frame);
  }

  let loadedKey = '';
  async function onPlay(): Promise<void> {
    if (playing) {
      playing = false;
      return renderControls();
    }
    const p = period();
    if (!p) return setStatus('replay_bad_period');
    if (tracks && loadedKey === p.key) {
      if (clock >= tracks.end) clock = tracks.start; // finished: play again
      setStatus(null);
      return startPlaying();
    }
    setStatus('replay_loading');
    play.disabled = true;
    hexes.clear();
    hexAbort?.abort();
    pendingKey = '';
    try {
      // The tracks and the period's hexes together: the hexes grow from the first frame.
      const [loaded] = await Promise.all([fetchReplay(campaign, p.since, p.until), loadHexes(p.since, p.until)]);
      tracks = loaded;
      loadedKey = p.key;
      clock = Math.max(loaded.since, loaded.start);
      slider.max = String(Math.round((loaded.until - loaded.since) / 1000));
      setStatus(loaded.tracks.length ? 'replay_loaded' : 'replay_empty',
                {volunteers: loaded.tracks.length, points: loaded.points});
      draw(true);
      refreshHexes();
      if (loaded.tracks.length) startPlaying();
      else renderControls();
    } catch (err) {
      setStatus(null);
      showError((err as Error).message);
    } finally {
      play.disabled = false;
    }
  }

  function backToLive(): void {
    playing = false;
    hexAbort?.abort();
    pendingKey = '';
    tracks = null;
    loadedKey = '';
    hexes.clear();
    slider.value = '0';
    setStatus(null);
    renderControls();
    draw();
    refreshHexes();
  }

  play.addEventListener('click', () => void onPlay());
  stop.addEventListener('click', backToLive);
  slider.addEventListener('input', () => {
    if (!tracks) return;
    clock = tracks.since + Number(slider.value) * 1000;
    draw(true);
  });
  coverageBox.addEventListener('change', () => {
    draw();
    refreshHexes();
  });
  for (const input of [date, from, to]) input.addEventListener('change', () => tracks || refreshHexes());
  window.setInterval(() => tracks || !coverageBox.checked || refreshHexes(), COVERAGE_REFRESH_MS);
  renderControls();
  draw();

  return {
    onZoom: zoom => {
      if (coverageRes(zoom) !== hexes.res && hexes.key) refreshHexes();
    },
    refreshText: () => {
      renderControls();
      setStatus(status?.[0] ?? null, status?.[1]);
      if (tracks) clockEl.textContent = fmtClock(clock);
    }
  };
}
