// SOS: one press alerts the team's coordinator and HQ at once, with the position. The press goes
// into an outbox kept in localStorage (it survives a reload or a dead tab) and is sent over HTTP
// (POST /sos) as soon as the network allows: now, on the browser's "online" event, and every
// few seconds until the server has it. Each press carries its own id, so a resend is stored once
// (server/alerts). The alert then stays raised at HQ until a person acknowledges it.

import {apiPost} from '../api';
import {tr} from './messages';

interface Press {
  id: string;
  lon: number | null;
  lat: number | null;
  t: number;
}

const RETRY_MS = 5000;

/** The position now, when no shift has one (at most 3 s: an SOS must not wait for a GPS fix). */
function currentPosition(): Promise<{lon: number; lat: number} | null> {
  return new Promise(resolve => {
    if (!navigator.geolocation) return resolve(null);
    navigator.geolocation.getCurrentPosition(
      p => resolve({lon: p.coords.longitude, lat: p.coords.latitude}), () => resolve(null),
      {enableHighAccuracy: true, timeout: 3000, maximumAge: 60_000});
  });
}

export class SosOutbox {
  private timer = 0;
  private sending = false;

  constructor(private campaign: string, private where: () => {lon: number; lat: number} | null,
              private status: HTMLElement) {
    window.addEventListener('online', () => void this.flush());
    this.show();
    void this.flush();
  }

  private get key(): string {
    return `quadriller.phone.${this.campaign}.sos`;
  }

  private pending(): Press[] {
    try {
      return JSON.parse(localStorage.getItem(this.key) ?? '[]') as Press[];
    } catch {
      return [];
    }
  }

  private save(list: Press[]): void {
    localStorage.setItem(this.key, JSON.stringify(list));
  }

  async press(): Promise<void> {
    const at = this.where() ?? (await currentPosition());
    const id = `${Date.now().toString(36)}-${crypto.getRandomValues(new Uint32Array(2)).join('')}`;
    this.save([...this.pending(), {id, lon: at?.lon ?? null, lat: at?.lat ?? null, t: Date.now() / 1000}]);
    this.status.dataset.state = 'pending';
    this.show();
    void this.flush();
  }

  async flush(): Promise<void> {
    window.clearTimeout(this.timer);
    if (this.sending) return;
    this.sending = true;
    try {
      for (const p of this.pending()) {
        await apiPost(`/api/campaigns/${encodeURIComponent(this.campaign)}/sos`, {id: p.id, lon: p.lon, lat: p.lat});
        this.save(this.pending().filter(x => x.id !== p.id));
        this.status.dataset.state = 'sent';
      }
    } catch {
      // offline or server unreachable: kept, tried again
    } finally {
      this.sending = false;
      if (this.pending().length) this.timer = window.setTimeout(() => void this.flush(), RETRY_MS);
      this.show();
    }
  }

  show(): void {
    const waiting = this.pending().length;
    if (waiting) this.status.dataset.state = 'pending';
    this.status.textContent = waiting ? tr('sos_waiting') : this.status.dataset.state === 'sent' ? tr('sos_sent') : '';
  }
}
