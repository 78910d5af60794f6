/**
 * ActiveSupport's inflector, as Rails applies it to class and table names: the default English
 * rules (activesupport/lib/active_support/inflections.rb, Rails 7), plus what an app adds in
 * `config/initializers/inflections.rb` (irregulars, uncountables, acronyms, plural/singular rules).
 * Pure. Rules are tried newest first, like `Inflections#plural` (which prepends); the first that
 * matches wins.
 */

type Rule = [RegExp | string, string];

export class Inflector {
  private readonly plurals: Rule[] = [];
  private readonly singulars: Rule[] = [];
  private readonly uncountables: string[] = [];
  private uncountableRegexes: RegExp[] = [];
  /** Lower-case word → the acronym as written ("api" → "API"). */
  private readonly acronyms = new Map<string, string>();
  private acronymRegex = /(?=a)b/;

  /** An inflector with ActiveSupport's default English rules. */
  static withDefaults(): Inflector {
    const i = new Inflector();
    i.plural(/$/, 's');
    i.plural(/s$/i, 's');
    i.plural(/^(ax|test)is$/i, '$1es');
    i.plural(/(octop|vir)us$/i, '$1i');
    i.plural(/(octop|vir)i$/i, '$1i');
    i.plural(/(alias|status)$/i, '$1es');
    i.plural(/(bu)s$/i, '$1ses');
    i.plural(/(buffal|tomat)o$/i, '$1oes');
    i.plural(/([ti])um$/i, '$1a');
    i.plural(/([ti])a$/i, '$1a');
    i.plural(/sis$/i, 'ses');
    i.plural(/(?:([^f])fe|([lr])f)$/i, '$1$2ves');
    i.plural(/(hive)$/i, '$1s');
    i.plural(/([^aeiouy]|qu)y$/i, '$1ies');
    i.plural(/(x|ch|ss|sh)$/i, '$1es');
    i.plural(/(matr|vert|ind)(?:ix|ex)$/i, '$1ices');
    i.plural(/^(m|l)ouse$/i, '$1ice');
    i.plural(/^(m|l)ice$/i, '$1ice');
    i.plural(/^(ox)$/i, '$1en');
    i.plural(/^(oxen)$/i, '$1');
    i.plural(/(quiz)$/i, '$1zes');

    i.singular(/s$/i, '');
    i.singular(/(ss)$/i, '$1');
    i.singular(/(n)ews$/i, '$1ews');
    i.singular(/([ti])a$/i, '$1um');
    i.singular(/((a)naly|(b)a|(d)iagno|(p)arenthe|(p)rogno|(s)ynop|(t)he)(sis|ses)$/i, '$1sis');
    i.singular(/(^analy)(sis|ses)$/i, '$1sis');
    i.singular(/([^f])ves$/i, '$1fe');
    i.singular(/(hive)s$/i, '$1');
    i.singular(/(tive)s$/i, '$1');
    i.singular(/([lr])ves$/i, '$1f');
    i.singular(/([^aeiouy]|qu)ies$/i, '$1y');
    i.singular(/(s)eries$/i, '$1eries');
    i.singular(/(m)ovies$/i, '$1ovie');
    i.singular(/(x|ch|ss|sh)es$/i, '$1');
    i.singular(/^(m|l)ice$/i, '$1ouse');
    i.singular(/(bus)(es)?$/i, '$1');
    i.singular(/(o)es$/i, '$1');
    i.singular(/(shoe)s$/i, '$1');
    i.singular(/(cris|test)(is|es)$/i, '$1is');
    i.singular(/^(a)x[ie]s$/i, '$1xis');
    i.singular(/(octop|vir)(us|i)$/i, '$1us');
    i.singular(/(alias|status)(es)?$/i, '$1');
    i.singular(/^(ox)en/i, '$1');
    i.singular(/(vert|ind)ices$/i, '$1ex');
    i.singular(/(matr)ices$/i, '$1ix');
    i.singular(/(quiz)zes$/i, '$1');
    i.singular(/(database)s$/i, '$1');

    i.irregular('person', 'people');
    i.irregular('man', 'men');
    i.irregular('child', 'children');
    i.irregular('sex', 'sexes');
    i.irregular('move', 'moves');
    i.irregular('zombie', 'zombies');

    i.uncountable('equipment', 'information', 'rice', 'money', 'species', 'series', 'fish', 'sheep', 'jeans', 'police');
    return i;
  }

  /** `inflect.plural(rule, replacement)`; the replacement in JS form (`$1`, not `\1`). */
  plural(rule: RegExp | string, replacement: string): void {
    if (typeof rule === 'string') this.removeUncountable(rule);
    this.removeUncountable(replacement);
    this.plurals.unshift([rule, replacement]);
  }

  singular(rule: RegExp | string, replacement: string): void {
    if (typeof rule === 'string') this.removeUncountable(rule);
    this.removeUncountable(replacement);
    this.singulars.unshift([rule, replacement]);
  }

  /** `inflect.irregular('person', 'people')`, as ActiveSupport builds it (the rules are not anchored at the start). */
  irregular(singular: string, plural: string): void {
    this.removeUncountable(singular);
    this.removeUncountable(plural);
    const s0 = singular[0]!;
    const srest = escape(singular.slice(1));
    const p0 = plural[0]!;
    const prest = escape(plural.slice(1));
    const sRestText = singular.slice(1);
    const pRestText = plural.slice(1);
    if (s0.toUpperCase() === p0.toUpperCase()) {
      this.plural(new RegExp(`(${escape(s0)})${srest}$`, 'i'), `$1${dollar(pRestText)}`);
      this.plural(new RegExp(`(${escape(p0)})${prest}$`, 'i'), `$1${dollar(pRestText)}`);
      this.singular(new RegExp(`(${escape(s0)})${srest}$`, 'i'), `$1${dollar(sRestText)}`);
      this.singular(new RegExp(`(${escape(p0)})${prest}$`, 'i'), `$1${dollar(sRestText)}`);
    } else {
      // Ruby's /S(?i)rest$/: the first letter exactly, the rest in any case.
      const ci = (text: string) => text.replace(/[a-z]/gi, (c) => `[${c.toLowerCase()}${c.toUpperCase()}]`);
      const rs = ci(escape(singular.slice(1)));
      const rp = ci(escape(plural.slice(1)));
      this.plural(new RegExp(`${escape(s0.toUpperCase())}${rs}$`), dollar(p0.toUpperCase() + pRestText));
      this.plural(new RegExp(`${escape(s0.toLowerCase())}${rs}$`), dollar(p0.toLowerCase() + pRestText));
      this.plural(new RegExp(`${escape(p0.toUpperCase())}${rp}$`), dollar(p0.toUpperCase() + pRestText));
      this.plural(new RegExp(`${escape(p0.toLowerCase())}${rp}$`), dollar(p0.toLowerCase() + pRestText));
      this.singular(new RegExp(`${escape(s0.toUpperCase())}${rs}$`), dollar(s0.toUpperCase() + sRestText));
      this.singular(new RegExp(`${escape(s0.toLowerCase())}${rs}$`), dollar(s0.toLowerCase() + sRestText));
      this.singular(new RegExp(`${escape(p0.toUpperCase())}${rp}$`), dollar(s0.toUpperCase() + sRestText));
      this.singular(new RegExp(`${escape(p0.toLowerCase())}${rp}$`), dollar(s0.toLowerCase() + sRestText));
    }
  }

  uncountable(...words: string[]): void {
    for (const w of words) if (!this.uncountables.includes(w.toLowerCase())) this.uncountables.push(w.toLowerCase());
    // ActiveSupport: /\b#{word}\Z/i.
    this.uncountableRegexes = this.uncountables.map((w) => new RegExp(`\\b${escape(w)}$`, 'i'));
  }

  acronym(word: string): void {
    this.acronyms.set(word.toLowerCase(), word);
    this.acronymRegex = new RegExp([...this.acronyms.values()].map(escape).join('|'));
  }

  pluralize(word: string): string {
    return this.apply(word, this.plurals);
  }

  singularize(word: string): string {
    return this.apply(word, this.singulars);
  }

  /** `"admin/user_profile"` → `"Admin::UserProfile"` (acronyms kept as written). */
  camelize(term: string): string {
    let s = term;
    if (/^[a-z\d]*$/.test(s)) return this.acronyms.get(s) ?? capitalize(s);
    s = s.replace(/^[a-z\d]*/, (m) => this.acronyms.get(m) ?? capitalize(m));
    s = s.replace(/(?:_|(\/))([a-z\d]*)/gi, (_m, slash: string | undefined, word: string) => {
      const sub = this.acronyms.get(word) ?? capitalize(word);
      return slash ? `::${sub}` : sub;
    });
    return s;
  }

  /** `"Admin::UserProfile"` → `"admin/user_profile"`; `"APIClient"` → `"api_client"` when API is an acronym. */
  underscore(camel: string): string {
    if (!/[A-Z-]|::/.test(camel)) return camel;
    let w = camel.replace(/::/g, '/');
    if (this.acronyms.size > 0) {
      const re = new RegExp(`(?:(?<=([A-Za-z\\d]))|\\b)(${this.acronymRegex.source})(?=\\b|[^a-z])`, 'g');
      w = w.replace(re, (_m, before: string | undefined, acr: string) => `${before ? '_' : ''}${acr.toLowerCase()}`);
    }
    w = w.replace(/(?<=[A-Z])(?=[A-Z][a-z])|(?<=[a-z\d])(?=[A-Z])/g, '_');
    return w.replace(/-/g, '_').toLowerCase();
  }

  /** `"Admin::Post"` → `"Post"`. */
  demodulize(path: string): string {
    const i = path.lastIndexOf('::');
    return i < 0 ? path : path.slice(i + 2);
  }

  /** `"Admin::Post"` → `"post_id"`. */
  foreignKey(className: string): string {
    return `${this.underscore(this.demodulize(className))}_id`;
  }

  tableize(className: string): string {
    return this.pluralize(this.underscore(className));
  }

  /** `"ham_and_eggs"` → `"HamAndEgg"`. */
  classify(tableName: string): string {
    return this.camelize(this.singularize(tableName.replace(/.*\./, '')));
  }

  private apply(word: string, rules: Rule[]): string {
    if (word === '' || this.uncountableRegexes.some((r) => r.test(word))) return word;
    for (const [rule, replacement] of rules) {
      if (typeof rule === 'string') {
        const at = word.indexOf(rule);
        if (at >= 0) return word.slice(0, at) + replacement + word.slice(at + rule.length);
        continue;
      }
      if (rule.test(word)) return word.replace(rule, replacement);
    }
    return word;
  }

  private removeUncountable(word: string): void {
    const i = this.uncountables.indexOf(word.toLowerCase());
    if (i >= 0) {
      this.uncountables.splice(i, 1);
      this.uncountableRegexes = this.uncountables.map((w) => new RegExp(`\\b${escape(w)}$`, 'i'));
    }
  }
}

function capitalize(s: string): string {
  return s === '' ? s : s[0]!.toUpperCase() + s.slice(1).toLowerCase();
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

/** Literal text as a String.replace replacement. */
function dollar(text: string): string {
  return text.replace(/\$/g, '$$$$');
}

/**
 * A Ruby regexp literal's source and flags as a JS RegExp, or undefined when it uses what JS reads
 * differently (and a rule that might misfire is worse than none: the caller says so).
 */
export function rubyRegexp(source: string, flags: string): RegExp | undefined {
  if (/\(\?[imx-]+[):]|\\[hHGKRX]|\(\?#|\\p\{/.test(source)) return undefined;
  if (/[^imxo]/.test(flags) || flags.includes('x')) return undefined;
  const js = source.replace(/\\A/g, '^').replace(/\\[zZ]/g, '$');
  try {
    return new RegExp(js, flags.includes('i') ? 'i' : '');
  } catch {
    return undefined;
  }
}

/** A Ruby replacement string (`'\1ices'`) as a JS one (`'$1ices'`). */
export function rubyReplacement(text: string): string {
  return dollar(text).replace(/\\(\d)/g, '$$$1');
}
