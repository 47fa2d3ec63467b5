// The dispatch settings form (under Dispatch): the campaign's rules as the API has them (GET
// …/dispatch/settings), every input bounded by the API's range (./rules), saved whole with PUT.
// A value out of range is refused here naming the field; the API's own refusal is shown as said.

import {apiGet, apiSend, ApiError} from '../api';
import {t, type MessageKey} from '../i18n';
import {byId} from './dom';
import {RULE_FIELDS, readRules, rulesText, type DispatchRules, type RuleKey} from './rules';

export function startDispatchSettings(campaign: string, onSaved: () => void): void {
  const url = `/api/campaigns/${encodeURIComponent(campaign)}/dispatch/settings`;
  const form = byId<HTMLFormElement>('rules-form');
  const note = byId('rules-note');
  const input = (key: RuleKey) => byId<HTMLInputElement>(`rules-${key}`);

  for (const f of RULE_FIELDS) {
    const el = input(f.key);
    el.min = String(f.min);
    el.max = String(f.max);
    el.step = String(f.step);
    el.required = !f.optional;
  }

  function show(rules: DispatchRules): void {
    const text = rulesText(rules);
    for (const f of RULE_FIELDS) input(f.key).value = text[f.key];
    form.dataset.loaded = 'true';
  }

  form.addEventListener('submit', async ev => {
    ev.preventDefault();
    const read = readRules(Object.fromEntries(RULE_FIELDS.map(f => [f.key, input(f.key).value])));
    if ('field' in read) {
      const field = t(`rules_${read.field}` as MessageKey);
      note.textContent = t('rules_out_of_range', {field, min: read.min, max: read.max});
      input(read.field).focus();
      return;
    }
    try {
      show(await apiSend<DispatchRules>('PUT', url, read.rules));
      note.textContent = t('rules_saved');
      form.dataset.saved = String(Date.now());
      onSaved(); // the suggestions' timer and holds follow the new rules at once
    } catch (err) {
      note.textContent = err instanceof ApiError ? err.message : String(err);
    }
  });

  apiGet<DispatchRules>(url).then(show, err => {
    if (err instanceof ApiError && err.status === 403) byId('dispatch-settings').hidden = true; // not HQ
  });
}
