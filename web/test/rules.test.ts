import {describe, expect, it} from 'vitest';
import {memberLabels, readRules, rulesText, type RuleKey} from '../src/hq/rules';

const FORM: Record<RuleKey, string> = {
  walk_scale_m: '1000', max_walk_m: '3000', home_bonus: '1.25', covered_at: '0.9', refresh_s: '60',
  reject_hold_min: '45'
};

describe('the dispatch settings form', () => {
  it('reads the texts as the API wants them, an empty longest walk as no limit', () => {
    expect(readRules({...FORM, max_walk_m: ' '})).toEqual({rules: {
      walk_scale_m: 1000, max_walk_m: null, home_bonus: 1.25, covered_at: 0.9, refresh_s: 60, reject_hold_min: 45
    }});
  });

  it('keeps reject_hold_min within 0..1440 minutes, as the API does', () => {
    expect(readRules({...FORM, reject_hold_min: '0'})).toMatchObject({rules: {reject_hold_min: 0}});
    expect(readRules({...FORM, reject_hold_min: '1440'})).toMatchObject({rules: {reject_hold_min: 1440}});
    expect(readRules({...FORM, reject_hold_min: '1441'})).toEqual({field: 'reject_hold_min', min: 0, max: 1440});
    expect(readRules({...FORM, reject_hold_min: '-1'})).toEqual({field: 'reject_hold_min', min: 0, max: 1440});
    expect(readRules({...FORM, reject_hold_min: ''})).toEqual({field: 'reject_hold_min', min: 0, max: 1440});
  });

  it('refuses zero where the API wants more than zero, and what is not a number', () => {
    expect(readRules({...FORM, covered_at: '0'})).toEqual({field: 'covered_at', min: 0, max: 1});
    expect(readRules({...FORM, walk_scale_m: 'far'})).toMatchObject({field: 'walk_scale_m'});
    expect(readRules({...FORM, refresh_s: '4'})).toMatchObject({field: 'refresh_s'});
  });

  it('shows the stored settings back as texts', () => {
    expect(rulesText({walk_scale_m: 800, max_walk_m: null, home_bonus: 1, covered_at: 0.5, refresh_s: 30,
                      reject_hold_min: 10}))
      .toEqual({walk_scale_m: '800', max_walk_m: '', home_bonus: '1', covered_at: '0.5', refresh_s: '30',
                reject_hold_min: '10'});
  });
});

describe('the coordinator picker', () => {
  it('names coordinators, adding the login only where two share a name', () => {
    const labels = memberLabels([
      {login: 'c-1', name: 'Anne', role: 'admin'}, {login: 'c-2', name: 'Anne', role: 'coordinator'},
      {login: 'c-3', name: 'Zoé', role: 'coordinator'}
    ]);
    expect([...labels.values()]).toEqual(['Anne (c-1)', 'Anne (c-2)', 'Zoé']);
  });
});
