// Same-origin API client. The phone page's bearer token comes from the URL fragment
// (#token=XYZ) once, then lives in localStorage; it is sent on every request. HQ pages send a
// short-lived session token instead (hq/session.ts, through useCredential), and never store
// the API token.

export const TOKEN_KEY = 'quadriller.token';
/** The phone page's own key: HQ forgets API tokens it finds under TOKEN_KEY (older versions of
 * both pages shared it), and a coordinator who canvasses too must keep the phone's. */
export const PHONE_TOKEN_KEY = 'quadriller.phone.token';

export type Level = 'district' | 'neighbourhood' | 'polling_station';
export const LEVELS: Level[] = ['district', 'neighbourhood', 'polling_station'];

export type Role = 'admin' | 'coordinator' | 'volunteer';

export interface Me {
  login: string;
  name: string;
  campaigns: {slug: string; name: string; role: Role}[];
}

export interface AppConfig {
  basemap_url: string;
}

export interface TopList {
  name: string;
  votes: number | null;
  share: number | null;
}

export interface AreaProperties {
  id: number;
  code: string;
  name: string | null;
  level: Level;
  registered: number | null;
  voters: number | null;
  abstentions: number | null;
  turnout: number | null;
  abstention_rate: number | null;
  valid_votes: number | null;
  election: string | null;
  /** Absent from a `fields=map` answer: merged in from `fields=figures` (hq/main.ts). */
  top_lists?: TopList[];
  lists?: Record<string, number>;
  district_code: string | null;
  neighbourhood_code: string | null;
  /** Merged in by the HQ page from GET /priorities (HQ roles only): see hq/stationstats.ts. */
  priority?: number | null;
  priority_rank?: number;
  coverage?: number;
}

export interface AreaFeature {
  type: 'Feature';
  id?: string | number;
  geometry: {type: 'MultiPolygon' | 'Polygon'; coordinates: any};
  properties: AreaProperties;
}

export interface AreaCollection {
  type: 'FeatureCollection';
  features: AreaFeature[];
}

/** An API failure; `message` carries the problem+json `detail` when present. */
export class ApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly title: string = '',
    /** The problem's `code` (e.g. `session_expired`), when it has one. */
    readonly code: string = ''
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** Take `#token=...` out of the URL (and the history), returning it; null when absent. */
export function takeTokenFromFragment(): string | null {
  const hash = window.location.hash.replace(/^#/, '');
  if (!hash) return null;
  const params = new URLSearchParams(hash);
  const token = params.get('token');
  if (token === null) return null;
  params.delete('token');
  const rest = params.toString();
  const url = window.location.pathname + window.location.search + (rest ? `#${rest}` : '');
  history.replaceState(history.state, '', url);
  return token.trim() || null;
}

/** The phone page: move `#token=...` from the URL into localStorage. */
export function captureTokenFromFragment(): void {
  const token = takeTokenFromFragment();
  if (token) setToken(token);
}

/** The phone's token; one an older version left under the shared key moves to the phone's own. */
function storedToken(): string | null {
  const legacy = localStorage.getItem(TOKEN_KEY);
  if (legacy?.trim() && !localStorage.getItem(PHONE_TOKEN_KEY)) {
    localStorage.setItem(PHONE_TOKEN_KEY, legacy.trim());
    localStorage.removeItem(TOKEN_KEY);
  }
  const t = localStorage.getItem(PHONE_TOKEN_KEY);
  return t && t.trim() ? t : null;
}

let credential: () => string | null = storedToken;
let sessionEnded: ((err: ApiError) => void) | null = null;

/** Where requests take their bearer token from (HQ pages: the session, hq/session.ts). */
export function useCredential(get: () => string | null, onSessionEnded: (err: ApiError) => void): void {
  credential = get;
  sessionEnded = onSessionEnded;
}

/** Whether the server refused a session that is over (expired, signed out, past its maximum). */
export function isSessionEnd(err: unknown): err is ApiError {
  return err instanceof ApiError && err.status === 401 && err.code.startsWith('session_');
}

export function getToken(): string | null {
  return credential();
}

export function setToken(token: string): void {
  localStorage.setItem(PHONE_TOKEN_KEY, token.trim());
}

export function clearToken(): void {
  localStorage.removeItem(PHONE_TOKEN_KEY);
  localStorage.removeItem(TOKEN_KEY);
}

export async function problemOf(res: Response, notify = true): Promise<ApiError> {
  let detail = '';
  let title = '';
  let code = '';
  try {
    const body = await res.json();
    if (body && typeof body === 'object') {
      detail = typeof body.detail === 'string' ? body.detail : '';
      title = typeof body.title === 'string' ? body.title : '';
      code = typeof body.code === 'string' ? body.code : '';
    }
  } catch {
    // not JSON: fall back to the status line
  }
  const err = new ApiError(detail || title || `HTTP ${res.status} ${res.statusText}`, res.status, title, code);
  if (notify && sessionEnded && isSessionEnd(err)) sessionEnded(err); // HQ shows its sign-in again
  return err;
}

export async function apiGet<T>(path: string, signal?: AbortSignal): Promise<T> {
  const headers: Record<string, string> = {Accept: 'application/json, application/geo+json'};
  const token = getToken();
  if (token) headers.Authorization = `Bearer ${token}`;
  let res: Response;
  try {
    res = await fetch(path, {headers, signal, credentials: 'same-origin'});
  } catch (err) {
    if ((err as Error).name === 'AbortError') throw err;
    throw new ApiError(`Network error: ${(err as Error).message}`, 0);
  }
  if (!res.ok) throw await problemOf(res);
  return (await res.json()) as T;
}

export function apiPost<T>(path: string, body?: unknown): Promise<T> {
  return apiSend<T>('POST', path, body);
}

export async function apiSend<T>(method: 'POST' | 'PUT', path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = {Accept: 'application/json'};
  const token = getToken();
  if (token) headers.Authorization = `Bearer ${token}`;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  let res: Response;
  try {
    res = await fetch(path, {method, headers, body: body === undefined ? undefined : JSON.stringify(body)});
  } catch (err) {
    throw new ApiError(`Network error: ${(err as Error).message}`, 0);
  }
  if (!res.ok) throw await problemOf(res);
  return (await res.json()) as T;
}

export const fetchMe = () => apiGet<Me>('/api/me');
export const fetchConfig = () => apiGet<AppConfig>('/api/config');

/** `fields`: 'map' (geometry and the figures the map colours by, no lists' figures) or
 * 'figures' (every figure, geometry null); default every field (GET /areas, `fields`). */
export function fetchAreas(campaign: string, level: Level, fields?: 'map' | 'figures'): Promise<AreaCollection> {
  const q = new URLSearchParams({level});
  if (fields) q.set('fields', fields);
  return apiGet<AreaCollection>(`/api/campaigns/${encodeURIComponent(campaign)}/areas?${q}`);
}

export function fetchArea(campaign: string, level: Level, code: string): Promise<AreaFeature> {
  const c = encodeURIComponent(campaign);
  return apiGet<AreaFeature>(
    `/api/campaigns/${c}/areas/${encodeURIComponent(level)}/${encodeURIComponent(code)}`
  );
}

/** `?campaign=SLUG` if given, else the first campaign the user belongs to. */
export function pickCampaign(me: Me): string | null {
  const wanted = new URLSearchParams(window.location.search).get('campaign');
  if (wanted) return wanted;
  return me.campaigns.length ? me.campaigns[0].slug : null;
}
