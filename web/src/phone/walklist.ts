// The walk list on the phone: the doors of the station the team was sent to, in walking order
// (GET …/stations/{code}/walk, server/addresses/walk.py), street by street, or, when the team was
// sent to one turf of the station, that turf's doors in route order (GET …/turfs/{id}/route);
// doors refused today are left out by the server and "come back later" ones come last. A tap on a
// door asks for its outcome (not home, opened, refused, come back later, new contact), which goes
// to the server through the phone's outbox (sent once, even offline then online) and marks the
// door; the outcomes of the day pre-fill the tour report's counts. "New contact" opens the
// contact form.

import {apiGet} from '../api';
import {tr} from './messages';
import {Outbox, uuid4} from './outbox';

export type Outcome = 'not_home' | 'opened' | 'refused' | 'later' | 'contact';

interface OutcomeBody {
  address: number;
  outcome: Outcome;
  client_id: string;
  at: string;
}

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
  private done = new Map<number, Outcome>();
  private chosen: number | null = null;
  private outbox: Outbox<OutcomeBody>;
  private status = '';
  turf: number | null = null; // the turf walked, when the team was sent to one

  constructor(private campaign: string, private onContact: (address: number) => void) {
    this.outbox = new Outbox<OutcomeBody>(`quadriller.phone.${campaign}.doors`,
      `/api/campaigns/${encodeURIComponent(campaign)}/doors/outcomes`, (waiting, refused) => {
        this.status = refused ?? (waiting ? tr('door_waiting', {n: waiting}) : '');
        $('door-status').textContent = this.status;
        $('door-status').dataset.waiting = String(waiting);
      });
    $('walk-list').addEventListener('click', ev => {
      const b = (ev.target as HTMLElement).closest<HTMLElement>('button[data-door]');
      if (!b || !this.station) return;
      this.chosen = Number(b.dataset.door);
      $('door-label').textContent = `${b.textContent} ${b.closest('li')?.querySelector('.street')?.textContent ?? ''}`;
      $('door-outcome').hidden = false;
    });
    $('door-outcome').addEventListener('click', ev => {
      const b = (ev.target as HTMLElement).closest<HTMLElement>('button[data-outcome]');
      if (b && this.chosen !== null) this.record(this.chosen, b.dataset.outcome as Outcome);
      if (b || (ev.target as HTMLElement).id === 'door-cancel') {
        $('door-outcome').hidden = true;
        this.chosen = null;
      }
    });
    void this.outbox.flush();
  }

  private record(id: number, outcome: Outcome): void {
    if (!this.station) return;
    this.done.set(id, outcome);
    localStorage.setItem(this.key(this.station), JSON.stringify([...this.done]));
    const b = document.querySelector<HTMLElement>(`#walk-list button[data-door="${id}"]`);
    if (b) this.mark(b, id);
    this.renderSummary();
    this.outbox.add({address: id, outcome, client_id: uuid4(), at: new Date().toISOString()});
    if (outcome === 'contact') this.onContact(id);
  }

  private mark(b: HTMLElement, id: number): void {
    const outcome = this.done.get(id);
    b.classList.toggle('done', outcome !== undefined);
    b.dataset.outcome = outcome ?? '';
    b.setAttribute('aria-pressed', String(outcome !== undefined));
  }

  /** Doors with an outcome at the current station. */
  get doneCount(): number {
    return this.done.size;
  }

  /** The tour report's counts from today's outcomes on this phone. */
  get tally(): {knocked: number; opened: number; contacts: number} {
    const all = [...this.done.values()];
    return {knocked: all.length, opened: all.filter(o => o !== 'not_home').length,
            contacts: all.filter(o => o === 'contact').length};
  }

  private key(station: string): string {
    // one notebook per station and day: a new day starts with every door to knock
    return `quadriller.phone.${this.campaign}.walk.${station}.${new Date().toISOString().slice(0, 10)}`;
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
      this.done = new Map(JSON.parse(localStorage.getItem(this.key(station)) ?? '[]') as [number, Outcome][]);
    } catch {
      this.done = new Map();
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
      this.mark(b, s.id);
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
