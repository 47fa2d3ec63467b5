// The walk list on the phone: the doors of the station the team was sent to, in walking order
// (GET …/stations/{code}/walk, server/addresses/walk.py), street by street; when the team was
// sent to one turf of the station, that turf's doors in route order (GET …/turfs/{id}/route). A tap marks a door
// done; progress stays on this phone only (it is the volunteer's notebook, not tracking), and
// the number of doors done pre-fills "doors knocked" in the tour report.

import {apiGet} from '../api';
import {tr} from './messages';

interface Stop {
  id: number;
  number: string;
  street: string;
  side: 'odd' | 'even' | null;
}

interface TurfRoute {
  turf: number;
  number: number;
  route_m: number;
  stops: {id: number; number: string; street: string}[];
}

interface Walk {
  station: string;
  doors: number;
  streets: number;
  distance_m: number;
  minutes: number;
  stops: Stop[];
}

const $ = <T extends HTMLElement = HTMLElement>(id: string) => document.getElementById(id) as T;

export class WalkList {
  private station: string | null = null;
  private walk: Walk | null = null;
  private done = new Set<number>();
  turf: number | null = null; // the turf walked, when the team was sent to one

  constructor(private campaign: string) {
    $('walk-list').addEventListener('click', ev => {
      const b = (ev.target as HTMLElement).closest<HTMLElement>('button[data-door]');
      if (!b || !this.station) return;
      const id = Number(b.dataset.door);
      if (this.done.has(id)) this.done.delete(id);
      else this.done.add(id);
      b.classList.toggle('done', this.done.has(id));
      b.setAttribute('aria-pressed', String(this.done.has(id)));
      localStorage.setItem(this.key(this.station), JSON.stringify([...this.done]));
      this.renderSummary();
    });
  }

  /** Doors marked done at the current station. */
  get doneCount(): number {
    return this.done.size;
  }

  private key(station: string): string {
    return `quadriller.phone.${this.campaign}.walk.${station}`;
  }

  /** The team's station changed (or is first known): load its walk, from `from` when known. */
  async show(station: string | null, from: {lon: number; lat: number} | null): Promise<void> {
    if (station === this.station) return;
    this.station = station;
    this.walk = null;
    this.turf = null;
    $('walk').hidden = !station;
    if (!station) return;
    try {
      this.done = new Set(JSON.parse(localStorage.getItem(this.key(station)) ?? '[]') as number[]);
    } catch {
      this.done = new Set();
    }
    try {
      const walk = (await this.turfWalk(station)) ?? (await this.stationWalk(station, from));
      if (this.station !== station) return; // sent elsewhere meanwhile
      this.walk = walk;
    } catch (err) {
      $('walk-summary').textContent = (err as Error).message;
      return;
    }
    this.render();
  }

  private async stationWalk(station: string, from: {lon: number; lat: number} | null): Promise<Walk> {
    const q = from ? `?lon=${from.lon}&lat=${from.lat}` : '';
    return apiGet<Walk>(`/api/campaigns/${encodeURIComponent(this.campaign)}/stations/${encodeURIComponent(station)}/walk${q}`);
  }

  /** When the team was sent to a turf of the station: its doors in route order (2-opt). */
  private async turfWalk(station: string): Promise<Walk | null> {
    const base = `/api/campaigns/${encodeURIComponent(this.campaign)}`;
    const mine = await apiGet<{assignment: {station: string; turf: number | null} | null} | null>(
      `${base}/dispatch/mine`).catch(() => null); // unknown: the station's walk will do
    const turf = mine?.assignment?.station === station ? mine.assignment.turf : null;
    if (!turf) return null;
    const r = await apiGet<TurfRoute>(`${base}/turfs/${turf}/route`);
    this.turf = turf;
    return {station, doors: r.stops.length, streets: new Set(r.stops.map(s => s.street)).size, distance_m: r.route_m,
            minutes: Math.max(1, Math.round(r.route_m / 75)), stops: r.stops.map(s => ({...s, side: null}))};
  }

  render(): void {
    const w = this.walk;
    if (!w) return;
    const list = $('walk-list');
    const items: HTMLElement[] = [];
    let street = '';
    let row: HTMLElement | null = null;
    for (const s of w.stops) {
      if (s.street !== street || !row) {
        street = s.street;
        const li = document.createElement('li');
        const name = document.createElement('div');
        name.className = 'street';
        name.textContent = s.street;
        row = document.createElement('div');
        row.className = 'doors';
        li.append(name, row);
        items.push(li);
      }
      const b = document.createElement('button');
      b.type = 'button';
      b.dataset.door = String(s.id);
      b.textContent = s.number;
      b.classList.toggle('done', this.done.has(s.id));
      b.setAttribute('aria-pressed', String(this.done.has(s.id)));
      row.append(b);
    }
    list.replaceChildren(...items);
    list.dataset.turf = this.turf ? String(this.turf) : '';
    this.renderSummary();
  }

  private renderSummary(): void {
    const w = this.walk;
    if (!w) return;
    $('walk-summary').textContent = tr('walk_summary', {
      doors: w.doors, streets: w.streets, km: (w.distance_m / 1000).toFixed(1), min: w.minutes, done: this.done.size
    });
  }
}
