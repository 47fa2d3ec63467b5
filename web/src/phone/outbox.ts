// A phone-side outbox for things the volunteer records while walking (door outcomes, contacts):
// each item has its own client_id and stays in localStorage until the server answered; the
// server stores a resend once (it dedupes by client_id). Offline, items wait and go when the
// network is back. A refusal (4xx) drops the item and reports why.

import {ApiError, apiPost} from '../api';

const RETRY_MS = 15_000;

/** A version-4 UUID. crypto.randomUUID exists only on https pages; getRandomValues everywhere. */
export function uuid4(): string {
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const h = [...b].map(x => x.toString(16).padStart(2, '0')).join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/** A list kept in localStorage under `key` (removed when empty). */
export function loadList<T>(key: string): T[] {
  try {
    return JSON.parse(localStorage.getItem(key) ?? '[]') as T[];
  } catch {
    return [];
  }
}

export function saveList<T>(key: string, items: T[]): void {
  if (items.length) localStorage.setItem(key, JSON.stringify(items));
  else localStorage.removeItem(key);
}

export interface Sendable {
  client_id: string;
}

export class Outbox<T extends Sendable> {
  private sending = false;
  private retry = 0;

  /** onChange(waiting, refused): after each attempt; `refused` is the server's reason, if any. */
  constructor(private key: string, private url: string,
              private onChange: (waiting: number, refused: string | null) => void) {
    window.addEventListener('online', () => void this.flush());
  }

  items(): T[] {
    return loadList<T>(this.key);
  }

  private save(items: T[]): void {
    saveList(this.key, items);
  }

  add(item: T): void {
    this.save([...this.items(), item]);
    void this.flush();
  }

  async flush(): Promise<void> {
    if (this.sending) return;
    window.clearTimeout(this.retry);
    this.sending = true;
    let refused: string | null = null;
    try {
      for (let items = this.items(); items.length; items = this.items()) {
        const item = items[0];
        try {
          await apiPost(this.url, item);
        } catch (err) {
          if (!(err instanceof ApiError && err.status >= 400 && err.status < 500 && err.status !== 401)) {
            this.retry = window.setTimeout(() => void this.flush(), RETRY_MS);
            return;
          }
          refused = err.message;
        }
        this.save(this.items().filter(i => i.client_id !== item.client_id));
      }
    } finally {
      this.sending = false;
      this.onChange(this.items().length, refused);
    }
  }
}
