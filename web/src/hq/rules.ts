// The dispatch settings as HQ's form edits them: each field with the API's range (server/dispatch/
// schemas.py, DispatchRules), so that the inputs carry it as min/max and a value out of range is
// refused in the form with the field's name before the PUT (the API checks again and says why).

export interface DispatchRules {
  walk_scale_m: number;
  max_walk_m: number | null;
  home_bonus: number;
  covered_at: number;
  refresh_s: number;
  reject_hold_min: number;
}

export type RuleKey = keyof DispatchRules;

export interface RuleField {
  key: RuleKey;
  min: number;
  max: number;
  minExclusive: boolean; // the API's gt=0: zero itself is refused
  step: number;
  optional: boolean; // empty means none (max_walk_m: no limit)
}

export const RULE_FIELDS: readonly RuleField[] = [
  {key: 'walk_scale_m', min: 0, max: 100_000, minExclusive: true, step: 50, optional: false},
  {key: 'max_walk_m', min: 0, max: 1_000_000, minExclusive: true, step: 100, optional: true},
  {key: 'home_bonus', min: 1, max: 10, minExclusive: false, step: 0.05, optional: false},
  {key: 'covered_at', min: 0, max: 1, minExclusive: true, step: 0.05, optional: false},
  {key: 'refresh_s', min: 5, max: 3600, minExclusive: false, step: 5, optional: false},
  {key: 'reject_hold_min', min: 0, max: 1440, minExclusive: false, step: 5, optional: false}
];

export type ReadRules = {rules: DispatchRules} | {field: RuleKey; min: number; max: number};

/** The form's texts as settings, or the first field out of its range (or not a number). */
export function readRules(values: Partial<Record<RuleKey, string>>): ReadRules {
  const out: Partial<Record<RuleKey, number | null>> = {};
  for (const f of RULE_FIELDS) {
    const text = (values[f.key] ?? '').trim();
    if (!text && f.optional) {
      out[f.key] = null;
      continue;
    }
    const n = Number(text);
    const low = f.minExclusive ? n <= f.min : n < f.min;
    if (!text || !Number.isFinite(n) || low || n > f.max) return {field: f.key, min: f.min, max: f.max};
    out[f.key] = n;
  }
  return {rules: out as DispatchRules};
}

/** The settings as the form's texts (an absent limit is an empty field). */
export function rulesText(rules: DispatchRules): Record<RuleKey, string> {
  const out = {} as Record<RuleKey, string>;
  for (const f of RULE_FIELDS) {
    const v = rules[f.key];
    out[f.key] = v === null || v === undefined ? '' : String(v);
  }
  return out;
}

export interface HqMember {
  login: string;
  name: string;
  role: string;
}

/** A coordinator's option label: their name, and their login when two share the name. */
export function memberLabels(members: HqMember[]): Map<string, string> {
  const seen = new Map<string, number>();
  for (const m of members) seen.set(m.name, (seen.get(m.name) ?? 0) + 1);
  return new Map(members.map(m => [m.login, (seen.get(m.name) ?? 0) > 1 ? `${m.name} (${m.login})` : m.name]));
}
