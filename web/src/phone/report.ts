// The end-of-tour report on the phone page: counts only (doors knocked and opened, new contacts)
// and topics from the campaign's closed vocabulary (checkboxes, no free text), POST /api/campaigns/{slug}/reports. A report stays on the phone, with its own
// client_id, until the server has it: no network or a lost answer never loses it, and a resend
// is stored once (the server dedupes by client_id).

import {ApiError, apiGet, apiPost} from '../api';
import {tr, type PhoneKey} from './messages';
import {loadList, saveList, uuid4} from './outbox';
import {checkedTags} from './tags';

interface ReportBody {
  doors_knocked: number;
  doors_opened: number;
  contacts: number;
  tags: string[];
  station?: string;
  client_id: string;
}

interface Created {
  report: {station: string | null; doors_knocked: number; doors_opened: number; contacts: number};
  created: boolean;
}

type Status =
  | {key: PhoneKey; vars?: Record<string, string | number>; error?: boolean}
  | {text: string; error: true};

const RETRY_MS = 15_000;
const $ = <T extends HTMLElement = HTMLElement>(id: string) => document.getElementById(id) as T;

export class TourReport {
  private status: Status | null = null;
  private sending = false;
  private retry = 0;
  private today: number | null = null;
  private readonly base: string;
  private readonly outboxKey: string;

  constructor(campaign: string) {
    this.base = `/api/campaigns/${encodeURIComponent(campaign)}/reports`;
    this.outboxKey = `quadriller.phone.${campaign}.reports`;
    $('report-form').addEventListener('submit', ev => {
      ev.preventDefault();
      this.submit();
    });
    window.addEventListener('online', () => void this.flush());
    $('report').hidden = false;
    void this.flush();
    void this.countToday();
  }

  /** Re-render the language-dependent text. */
  render(): void {
    const el = $('report-status');
    const s = this.status;
    el.textContent = !s ? '' : 'text' in s ? s.text : tr(s.key, s.vars);
    el.className = s?.error ? 'error' : '';
    $('report-today').textContent = this.today ? tr('rep_today', {n: this.today}) : '';
    $<HTMLButtonElement>('rep-send').disabled = this.sending;
  }

  private set(status: Status | null): void {
    this.status = status;
    this.render();
  }

  private outbox(): ReportBody[] {
    return loadList<ReportBody>(this.outboxKey);
  }

  private save(items: ReportBody[]): void {
    saveList(this.outboxKey, items);
  }

  private submit(): void {
    const num = (id: string) => {
      const v = $<HTMLInputElement>(id).value.trim();
      return v === '' ? NaN : Number(v);
    };
    const [knocked, opened, contacts] = [num('rep-knocked'), num('rep-opened'), num('rep-contacts')];
    if (![knocked, opened, contacts].every(n => Number.isInteger(n) && n >= 0 && n <= 5000)) {
      return this.set({text: `${tr('rep_knocked')}, ${tr('rep_opened')}, ${tr('rep_contacts')}: 0–5000`, error: true});
    }
    if (opened > knocked) return this.set({key: 'rep_opened_gt', error: true});
    const tags = checkedTags('rep-tags');
    const station = $<HTMLInputElement>('rep-station').value.trim();
    const body: ReportBody = {doors_knocked: knocked, doors_opened: opened, contacts, tags, client_id: uuid4()};
    if (station) body.station = station;
    this.save([...this.outbox(), body]);
    void this.flush();
  }

  /** Send what waits, oldest first. Network trouble: keep it and retry. Refused (4xx): drop it
   * and say why; the form still holds the values to correct. */
  private async flush(): Promise<void> {
    if (this.sending) return;
    window.clearTimeout(this.retry);
    this.sending = true;
    try {
      for (let items = this.outbox(); items.length; items = this.outbox()) {
        const body = items[0];
        this.set({key: 'rep_sending'});
        try {
          const done = await apiPost<Created>(this.base, body);
          this.save(this.outbox().filter(b => b.client_id !== body.client_id));
          if (done.created && this.today !== null) this.today++; // the count below confirms it
          const r = done.report;
          this.set({key: 'rep_sent', vars: {knocked: r.doors_knocked, opened: r.doors_opened, contacts: r.contacts,
                                            station: r.station ? ` · ${r.station}` : ''}});
          ($<HTMLFormElement>('report-form')).reset();
          $('report-prompt').hidden = true;
        } catch (err) {
          if (err instanceof ApiError && err.status >= 400 && err.status < 500 && err.status !== 401) {
            this.save(this.outbox().filter(b => b.client_id !== body.client_id));
            this.set({text: err.message, error: true});
          } else {
            this.set({key: 'rep_queued', error: true});
            this.retry = window.setTimeout(() => void this.flush(), RETRY_MS);
            return;
          }
        }
      }
    } finally {
      this.sending = false;
      this.render();
    }
    void this.countToday();
  }

  private async countToday(): Promise<void> {
    try {
      this.today = (await apiGet<{reports: unknown[]}>(`${this.base}/mine`)).reports.length;
      this.render();
    } catch {
      // offline: the count comes with the next success
    }
  }
}
