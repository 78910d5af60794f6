/** ActiveSupport's inflector as headroom reimplements it (src/rails/inflector.ts): Rails' own results, quirks included. */
import { describe, expect, it } from 'vitest';
import { Inflector, rubyRegexp, rubyReplacement } from '../../src/rails/inflector.js';

describe('Inflector defaults (activesupport/lib/active_support/inflections.rb)', () => {
  const i = Inflector.withDefaults();
  it.each([
    ['post', 'posts'], ['person', 'people'], ['salesperson', 'salespeople'], ['woman', 'women'], ['child', 'children'],
    ['category', 'categories'], ['status', 'statuses'], ['bus', 'buses'], ['mouse', 'mice'], ['octopus', 'octopi'],
    ['matrix', 'matrices'], ['index', 'indices'], ['axis', 'axes'], ['ox', 'oxen'], ['quiz', 'quizzes'], ['wife', 'wives'],
    ['analysis', 'analyses'], ['datum', 'data'], ['medium', 'media'], ['tomato', 'tomatoes'], ['hive', 'hives'],
    ['fish', 'fish'], ['equipment', 'equipment'], ['police', 'police'], ['line_equipment', 'line_equipments'],
    ['custom_field_value', 'custom_field_values'], ['tx', 'txes'], ['zombie', 'zombies'], ['move', 'moves'], ['human', 'humen'],
  ])('pluralize %s → %s', (singular, plural) => {
    expect(i.pluralize(singular)).toBe(plural);
  });
  it.each([
    ['people', 'person'], ['categories', 'category'], ['statuses', 'status'], ['addresses', 'address'], ['news', 'news'],
    ['databases', 'database'], ['movies', 'movie'], ['series', 'series'], ['aliases', 'alias'], ['data', 'datum'],
    ['canvases', 'canvase'], ['analyses', 'analysis'], ['shoes', 'shoe'], ['vertices', 'vertex'],
  ])('singularize %s → %s', (plural, singular) => {
    expect(i.singularize(plural)).toBe(singular);
  });
  it('camelize, underscore, demodulize, foreign_key, tableize, classify', () => {
    expect(i.camelize('admin/user_profile')).toBe('Admin::UserProfile');
    expect(i.underscore('Admin::UserProfile')).toBe('admin/user_profile');
    expect(i.underscore('HTMLParser')).toBe('html_parser');
    expect(i.underscore('SMSMessage')).toBe('sms_message');
    expect(i.camelize('sms_message')).toBe('SmsMessage');
    expect(i.foreignKey('Admin::Post')).toBe('post_id');
    expect(i.tableize('RawScaledScorer')).toBe('raw_scaled_scorers');
    expect(i.classify('ham_and_eggs')).toBe('HamAndEgg');
  });
});

describe("the app's rules", () => {
  it('irregular (same first letter, and not), uncountable, acronym, plural/singular rules: newest first', () => {
    const i = Inflector.withDefaults();
    i.irregular('criterion', 'criteria');
    i.irregular('tx', 'txs');
    i.irregular('Octopus', 'Octopodes');
    i.uncountable('feedback');
    i.acronym('API');
    i.plural(/^(ox)$/i, '$1es');
    expect([i.pluralize('criterion'), i.singularize('criteria'), i.pluralize('tx'), i.pluralize('octopus'), i.pluralize('feedback'), i.pluralize('ox')]).toEqual(['criteria', 'criterion', 'txs', 'octopodes', 'feedback', 'oxes']);
    expect([i.camelize('api_client'), i.underscore('APIClient'), i.camelize('api')]).toEqual(['APIClient', 'api_client', 'API']);
  });
  it('Ruby regexps and replacements: \\A \\z, \\1; what JS reads differently is refused', () => {
    expect(rubyRegexp('\\A(ox)\\z', 'i')?.source).toBe('^(ox)$');
    expect(rubyRegexp('(?i)x', '')).toBeUndefined();
    expect(rubyRegexp('x\\h', '')).toBeUndefined();
    expect(rubyRegexp('x', 'x')).toBeUndefined();
    expect(rubyReplacement('\\1ices')).toBe('$1ices');
  });
});
