/**
 * A Rails app's models, read statically: `app/models/**\/*.rb` (concerns and engines' app/models
 * included) and `config/initializers/inflections.rb`, parsed with prism, never run. The classes
 * are resolved as ActiveRecord would (constant lookup from the model's name, STI, table_name,
 * prefixes and suffixes from the model, a parent class or a namespace module, primary_key), and
 * each association becomes the column it implies:
 *
 *   belongs_to :parent, class_name: "Category"          categories.parent_id → categories.id
 *   has_many :bookings, foreign_key: "tx_id"            bookings.tx_id → <owner>.id
 *   has_and_belongs_to_many :tags                       posts_tags.post_id → posts.id, posts_tags.tag_id → tags.id
 *   belongs_to :commentable, polymorphic: true          comments.commentable_id: a polymorphic pair
 *   has_many :comments, as: :commentable                … whose candidates include this model's table
 *
 * The file system is read here (readRailsApp); resolveModels is pure.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { UsageError, fileErrorText } from '../errors.js';
import { applyInflections } from './inflections-file.js';
import { Inflector } from './inflector.js';
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { declarationsOf, type RubyFile } from './parse-files.js';
import { LineIndex, compiledPrism, loadRubyParser } from './prism.js';
import type { FileDeclarations, OptionValue, RawAssociation, RawConstant } from './read.js';
import type { ModelReference, ModelTable, PolymorphicCandidate, PolymorphicPair, RailsModels, RelationWarning } from './types.js';

/** Directories under the root whose `*\/app/models` are engines' (or packs') models. */
const ENGINE_DIRS = ['engines', 'components', 'gems', 'packs', 'plugins', join('vendor', 'engines')];

export type { RubyFile };

/** Read a Rails app from disk: its model files and inflections, parsed. `label` is the root as the user wrote it. */
export async function readRailsApp(root: string, label: string = root): Promise<RailsModels> {
  const started = performance.now();
  let info;
  try {
    info = await stat(root);
  } catch (e) {
    throw new UsageError(`${label}: cannot read the Rails app: ${fileErrorText(e)}`);
  }
  if (!info.isDirectory()) throw new UsageError(`${label}: not a directory; give the Rails app's root (the directory holding app/models)`);
  const modelDirs = [join(root, 'app', 'models')];
  for (const d of ENGINE_DIRS) {
    for (const name of await listDir(join(root, d))) modelDirs.push(join(root, d, name, 'app', 'models'));
  }
  const paths: string[] = [];
  for (const dir of modelDirs) await walk(dir, paths);
  if (paths.length === 0) throw new UsageError(`${label}: no app/models/**/*.rb under it; give the Rails app's root (the directory holding app/models)`);
  // An engine's lib/<name>/engine.rb: `isolate_namespace` gives its models' tables a prefix.
  for (const d of ENGINE_DIRS) {
    for (const name of await listDir(join(root, d))) {
      const lib = join(root, d, name, 'lib');
      for (const sub of await listDir(lib)) paths.push(join(lib, sub, 'engine.rb'));
    }
  }
  const inflectionPaths = [join(root, 'config', 'initializers', 'inflections.rb')];
  for (const d of ENGINE_DIRS) for (const name of await listDir(join(root, d))) inflectionPaths.push(join(root, d, name, 'config', 'initializers', 'inflections.rb'));
  const rel = (p: string) => relative(root, p).split(sep).join('/');
  const read = async (p: string): Promise<RubyFile | undefined> => {
    try {
      return { path: rel(p), text: await readFile(p, 'utf8') };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw new UsageError(`${rel(p)}: cannot read: ${fileErrorText(e)}`);
    }
  };
  const [models, inflections] = await Promise.all([Promise.all(paths.sort().map(read)), Promise.all(inflectionPaths.map(read))]);
  const files = models.filter((f): f is RubyFile => f !== undefined);
  const parse = await loadRubyParser();
  const result = resolveDeclarations(await parseInParallel(files), inflections.filter((f): f is RubyFile => f !== undefined), parse, label);
  result.parseMs = performance.now() - started;
  return result;
}

async function listDir(dir: string): Promise<string[]> {
  try {
    return (await readdir(dir, { withFileTypes: true })).filter((e) => e.isDirectory()).map((e) => e.name).sort();
  } catch {
    return [];
  }
}

async function walk(dir: string, out: string[]): Promise<void> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch {
    return;
  }
  for (const e of entries) {
    const p = join(dir, e.name);
    if (e.isDirectory()) await walk(p, out);
    else if (e.isFile() && e.name.endsWith('.rb')) out.push(p);
  }
}

/** Files at or above this count are shared with worker threads (when running from dist/). */
const PARALLEL_FROM = 200;

/**
 * The declarations of every file, in file order. A big app is split between this thread and
 * worker threads (one per further CPU, at most 3), each instantiating the module compiled here;
 * the order, and so the result, is the same as one thread's. Running from TypeScript sources
 * (tests) there is no compiled worker file: one thread.
 */
async function parseInParallel(files: RubyFile[]): Promise<FileDeclarations[]> {
  const workerFile = new URL('./parse-worker.js', import.meta.url);
  // HEADROOM_RAILS_THREADS=1 forces one thread (the bench compares the two).
  const cap = Number(process.env.HEADROOM_RAILS_THREADS) || 4;
  const threads = Math.min(availableParallelism(), cap, Math.ceil(files.length / (PARALLEL_FROM / 2)));
  const parse = await loadRubyParser();
  if (threads < 2 || !import.meta.url.endsWith('.js')) return declarationsOf(files, parse);
  // Contiguous shares of about equal size in bytes.
  const total = files.reduce((n, f) => n + f.text.length, 0);
  const shares: RubyFile[][] = [[]];
  let size = 0;
  for (const f of files) {
    if (size >= (total / threads) * shares.length && shares.length < threads) shares.push([]);
    shares[shares.length - 1]!.push(f);
    size += f.text.length;
  }
  const module = await compiledPrism();
  const [own, ...others] = shares;
  const workers = others.map(
    (share) =>
      new Promise<FileDeclarations[]>((resolve, reject) => {
        const w = new Worker(workerFile, { workerData: { module, files: share } });
        w.once('message', (m: FileDeclarations[]) => {
          resolve(m);
          void w.terminate();
        });
        w.once('error', reject);
      }),
  );
  const mine = declarationsOf(own!, parse);
  return [...mine, ...(await Promise.all(workers)).flat()];
}

type Parse = (source: string) => { value: unknown; errors: { message: string; location: { startOffset: number } }[] };

/** Parse and resolve model files (pure apart from the parser). */
export function resolveModels(files: RubyFile[], inflectionFiles: RubyFile[], parse: Parse, root = '.'): RailsModels {
  return resolveDeclarations(declarationsOf(files, parse as Parameters<typeof declarationsOf>[1]), inflectionFiles, parse, root);
}

/** Resolve what the files declare (and apply the app's inflections). */
function resolveDeclarations(declarations: FileDeclarations[], inflectionFiles: RubyFile[], parse: Parse, root = '.'): RailsModels {
  const warnings: RelationWarning[] = [];
  const inflector = Inflector.withDefaults();
  for (const f of inflectionFiles) {
    const src = new LineIndex(f.text);
    const r = parse(f.text);
    if (r.errors.length) {
      const e = r.errors[0]!;
      warnings.push({ file: f.path, line: src.line(e.location.startOffset), message: `Ruby syntax error: ${e.message}; the file's inflections are not applied` });
      continue;
    }
    warnings.push(...applyInflections(r.value, src, f.path, inflector));
  }
  const constants: RawConstant[] = [];
  for (const d of declarations) {
    constants.push(...d.constants);
    warnings.push(...d.warnings);
  }
  const resolver = new Resolver(constants, inflector, warnings);
  const out = resolver.resolve();
  return { root, files: declarations.length + inflectionFiles.length, ...out, warnings: sortWarnings(warnings), parseMs: 0 };
}

export function sortWarnings(list: RelationWarning[]): RelationWarning[] {
  return list.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : a.line - b.line || (a.message < b.message ? -1 : a.message > b.message ? 1 : 0)));
}

/** A constant, all its declarations merged (a class may be reopened in several files). */
interface Constant {
  name: string;
  kind: 'class' | 'module';
  decls: RawConstant[];
  /** The first declaration's place. */
  file: string;
  line: number;
}

const BASE = new Set(['ActiveRecord::Base', '::ActiveRecord::Base']);

interface Model {
  name: string;
  constant: Constant;
  parent: Model | undefined;
  abstract: boolean;
  table: string | undefined;
  tableKnown: boolean;
  primaryKey: string | undefined;
  stiBase: Model | undefined;
}

class Resolver {
  private readonly constants = new Map<string, Constant>();
  private readonly models = new Map<string, Model | null>();

  constructor(
    raw: RawConstant[],
    private readonly inflector: Inflector,
    private readonly warnings: RelationWarning[],
  ) {
    for (const c of raw) {
      let k = this.constants.get(c.name);
      if (!k) this.constants.set(c.name, (k = { name: c.name, kind: c.kind, decls: [], file: c.file, line: c.line }));
      k.decls.push(c);
    }
  }

  /** The first declaration's value of a setting, across reopened declarations. */
  setting<K extends 'tableName' | 'primaryKey' | 'abstract' | 'tableNamePrefix' | 'tableNameSuffix' | 'pluralizeTableNames' | 'isolatedNamespace'>(c: Constant, key: K): RawConstant[K] {
    for (const d of c.decls) if (d[key] !== undefined) return d[key];
    return undefined;
  }

  /** Ruby's lexical lookup of a constant written `name` in scopes `nesting` (innermost first). */
  lookup(name: string, nesting: string[]): Constant | undefined {
    if (name.startsWith('::')) return this.constants.get(name.slice(2));
    for (const scope of nesting) {
      const hit = this.constants.get(`${scope}::${name}`);
      if (hit) return hit;
    }
    return this.constants.get(name);
  }

  /** ActiveRecord's compute_type: `Admin::Post` looks for `Admin::Post::User`, `Admin::User`, then `User`. */
  computeType(className: string, ownerName: string): Constant | undefined {
    if (className.startsWith('::')) return this.constants.get(className.slice(2));
    const parts = ownerName.split('::');
    for (let i = parts.length; i >= 1; i--) {
      const hit = this.constants.get(`${parts.slice(0, i).join('::')}::${className}`);
      if (hit) return hit;
    }
    return this.constants.get(className);
  }

  /** The model for a class constant (null: not an ActiveRecord model as far as the app shows). */
  model(c: Constant, seen = new Set<string>()): Model | null {
    const hit = this.models.get(c.name);
    if (hit !== undefined) return hit;
    if (c.kind !== 'class' || seen.has(c.name)) return null;
    seen.add(c.name);
    const decl = c.decls.find((d) => d.superclass) ?? c.decls[0]!;
    const sup = decl.superclass?.text;
    let parent: Model | undefined;
    let isModel = false;
    if (sup && BASE.has(sup)) isModel = true;
    else if (sup) {
      const pc = this.lookup(sup, decl.nesting.slice(1));
      const pm = pc ? this.model(pc, seen) : null;
      if (pm) {
        parent = pm;
        isModel = true;
      } else if (!pc && /(^|::)ApplicationRecord$/.test(sup)) {
        // ApplicationRecord not among the files read: Rails' abstract base all the same.
        isModel = true;
      } else if (!pc && c.decls.some((d) => d.associations.length > 0)) {
        this.warnings.push({ file: c.file, line: decl.superclass!.line, model: c.name, message: `superclass ${sup} is not among the files read; ${c.name} declares associations, so it is read as an ActiveRecord model` });
        isModel = true;
      }
    }
    if (!isModel) {
      this.models.set(c.name, null);
      return null;
    }
    const abstractSetting = this.setting(c, 'abstract');
    // ApplicationRecord is abstract by convention (`primary_abstract_class` or `self.abstract_class = true`).
    const abstract = abstractSetting ? abstractSetting.value : /(^|::)ApplicationRecord$/.test(c.name);
    const m: Model = { name: c.name, constant: c, parent, abstract, table: undefined, tableKnown: true, primaryKey: 'id', stiBase: undefined };
    this.models.set(c.name, m);
    // Primary key: set here or inherited.
    const pk = this.setting(c, 'primaryKey');
    m.primaryKey = pk ? pk.value : parent ? parent.primaryKey : 'id';
    if (!abstract) {
      const explicit = this.setting(c, 'tableName');
      if (explicit) {
        m.table = explicit.value;
        m.tableKnown = explicit.value !== undefined;
      } else if (parent && !parent.abstract) {
        // Single-table inheritance: the base class's table.
        m.stiBase = parent.stiBase ?? parent;
        m.table = parent.table;
        m.tableKnown = parent.tableKnown;
      } else {
        const computed = this.computeTableName(m);
        m.table = computed;
        m.tableKnown = computed !== undefined;
      }
    }
    return m;
  }

  /** ActiveRecord::ModelSchema.compute_table_name for a base class. */
  computeTableName(m: Model): string | undefined {
    const name = m.name;
    const parts = name.split('::');
    // Nested in another (non-abstract) model class: the parent's singular table name + "_".
    let contained = '';
    if (parts.length > 1) {
      const outer = this.constants.get(parts.slice(0, -1).join('::'));
      const om = outer && outer.kind === 'class' ? this.model(outer) : null;
      if (om && !om.abstract) {
        if (om.table === undefined) return undefined;
        contained = `${this.pluralize(om) ? this.inflector.singularize(om.table) : om.table}_`;
      }
    }
    const prefix = this.affix(m, 'tableNamePrefix');
    const suffix = this.affix(m, 'tableNameSuffix');
    if (prefix === undefined || suffix === undefined) return undefined;
    const base = this.inflector.underscore(this.inflector.demodulize(name));
    return `${prefix}${contained}${this.pluralize(m) ? this.inflector.pluralize(base) : base}${suffix}`;
  }

  pluralize(m: Model): boolean {
    for (let x: Model | undefined = m; x; x = x.parent) {
      const s = this.setting(x.constant, 'pluralizeTableNames');
      if (s) return s.value;
    }
    return true;
  }

  /**
   * full_table_name_prefix: the first enclosing module that defines `table_name_prefix` (as Rails'
   * generator writes `def self.table_name_prefix = "admin_"` in app/models/admin.rb), else the
   * class attribute (set on the model or a parent class), else "".
   */
  affix(m: Model, key: 'tableNamePrefix' | 'tableNameSuffix'): string | undefined {
    const parts = m.name.split('::');
    for (let i = parts.length - 1; i >= 1; i--) {
      const outer = this.constants.get(parts.slice(0, i).join('::'));
      const s = outer && this.setting(outer, key);
      if (s) return s.value;
      // isolate_namespace defines table_name_prefix on the module: "#{engine_name}_".
      if (key === 'tableNamePrefix' && outer && this.setting(outer, 'isolatedNamespace')) return `${this.inflector.underscore(outer.name).replace(/\//g, '_')}_`;
    }
    for (let x: Model | undefined = m; x; x = x.parent) {
      const s = this.setting(x.constant, key);
      if (s) return s.value;
    }
    return '';
  }

  /** The associations a class declares and those its concerns' `included do` blocks add, with where they come from. */
  associationsOf(c: Constant): { a: RawAssociation; via?: string }[] {
    const out: { a: RawAssociation; via?: string }[] = [];
    for (const d of c.decls) for (const a of d.associations) out.push({ a });
    const seen = new Set<string>();
    const visit = (decl: RawConstant) => {
      for (const inc of decl.includes) {
        const mod = this.lookup(inc.name, decl.nesting);
        if (!mod || mod.kind !== 'module' || seen.has(mod.name)) continue;
        seen.add(mod.name);
        for (const md of mod.decls) {
          for (const a of md.included) out.push({ a, via: mod.name });
          // A concern's own `include`s (ActiveSupport::Concern resolves their dependencies onto the base).
          visit(md);
        }
      }
    };
    for (const d of c.decls) visit(d);
    return out;
  }

  resolve(): Pick<RailsModels, 'models' | 'references' | 'polymorphic'> {
    const models: Model[] = [];
    for (const c of this.constants.values()) {
      const m = this.model(c);
      if (m) models.push(m);
    }
    models.sort((a, b) => (a.name < b.name ? -1 : 1));
    for (const m of models) {
      if (!m.abstract && !m.tableKnown) this.warnings.push({ file: m.constant.file, line: m.constant.line, model: m.name, message: `${m.name}: its table name is computed; its references are not read` });
    }
    const references: ModelReference[] = [];
    const pairs: PolymorphicPair[] = [];
    const asTargets: { table: string; as: string; candidate: PolymorphicCandidate }[] = [];
    for (const m of models) {
      for (const { a, via } of this.associationsOf(m.constant)) this.association(m, a, via, references, pairs, asTargets);
      // An abstract ancestor's associations (ApplicationRecord including a tenant concern) are
      // inherited: each base class's own table has the column.
      if (!m.abstract && !m.stiBase) {
        for (let p = m.parent; p && p.abstract; p = p.parent) {
          for (const { a, via } of this.associationsOf(p.constant)) this.association(m, a, via, references, pairs, asTargets, p.name);
        }
      }
    }
    // Candidates of each polymorphic pair: the models with `has_many … as: :name` towards its table.
    for (const p of pairs) {
      const seen = new Set<string>();
      for (const t of asTargets) {
        if (t.table !== p.table || t.as !== p.name) continue;
        const k = `${t.candidate.table}.${t.candidate.column}`;
        if (seen.has(k)) continue;
        seen.add(k);
        p.candidates.push(t.candidate);
      }
      p.candidates.sort((a, b) => (a.table < b.table ? -1 : a.table > b.table ? 1 : 0));
      if (p.candidates.length === 0) {
        this.warnings.push({ file: p.file, line: p.line, model: p.model, message: `${p.table}.${p.idColumn} is polymorphic, but no model declares has_many/has_one … as: :${p.name}: its candidate tables are not known` });
      }
    }
    return { models: models.map((m) => this.modelTable(m)), references: this.dedupe(references, pairs), polymorphic: dedupePairs(pairs) };
  }

  modelTable(m: Model): ModelTable {
    return {
      model: m.name,
      table: m.abstract ? undefined : m.table,
      primaryKey: m.primaryKey,
      file: m.constant.file,
      line: m.constant.line,
      abstract: m.abstract,
      ...(m.stiBase ? { stiBase: m.stiBase.name } : {}),
    };
  }

  /** One reference per column: a belongs_to (declared on the column's own table) before a has_*; disagreements are warnings. */
  dedupe(refs: ModelReference[], pairs: PolymorphicPair[]): ModelReference[] {
    const rank = (r: ModelReference) => (r.macro === 'belongs_to' ? 0 : 1);
    const sorted = refs.slice().sort((a, b) => rank(a) - rank(b) || (a.file < b.file ? -1 : a.file > b.file ? 1 : a.line - b.line));
    const byColumn = new Map<string, ModelReference>();
    const poly = new Set(pairs.map((p) => `${p.table}.${p.idColumn}`));
    for (const r of sorted) {
      const k = `${r.from.table}.${r.from.column}`;
      if (poly.has(k)) {
        this.warnings.push({ file: r.file, line: r.line, model: r.model, message: `${k} is declared polymorphic elsewhere, but ${r.evidence.replace(/^\S+ /, '')} points it at ${r.to.table}.${r.to.column}; it is read as polymorphic` });
        continue;
      }
      const prev = byColumn.get(k);
      if (!prev) {
        byColumn.set(k, r);
        continue;
      }
      if (prev.to.table !== r.to.table || prev.to.column !== r.to.column) {
        this.warnings.push({
          file: r.file,
          line: r.line,
          model: r.model,
          message: `models disagree on ${k}: ${prev.evidence} → ${prev.to.table}.${prev.to.column}, but ${r.evidence} → ${r.to.table}.${r.to.column}; the first is used`,
        });
      }
    }
    return [...byColumn.values()].sort((a, b) => (a.from.table < b.from.table ? -1 : a.from.table > b.from.table ? 1 : a.from.column < b.from.column ? -1 : a.from.column > b.from.column ? 1 : 0));
  }

  association(
    owner: Model,
    a: RawAssociation,
    via: string | undefined,
    references: ModelReference[],
    pairs: PolymorphicPair[],
    asTargets: { table: string; as: string; candidate: PolymorphicCandidate }[],
    /** The abstract ancestor that declares it (its subclasses inherit it). */
    inheritedFrom?: string,
  ): void {
    const where = inheritedFrom ? `${via ? `in ${via}, included in ${inheritedFrom}` : `on ${inheritedFrom}`}, inherited by ${owner.name}` : via ? `in ${via}, included in ${owner.name}` : undefined;
    const evidence = `${a.file}:${a.line} ${a.text}${a.withOptions ? ` (${a.withOptions})` : ''}${where ? ` (${where})` : ''}`;
    const warn = (message: string): void => {
      this.warnings.push({ file: a.file, line: a.line, model: owner.name, message: `${a.text}${where ? ` (${where})` : ''}: ${message}` });
    };
    // On an abstract class: read for each concrete subclass instead (resolve()).
    if (owner.abstract) return;
    if (owner.table === undefined) return; // said once per model
    if (a.splat) return warn(`its options come from ${a.splat}, which is not a literal; not read`);
    const str = (key: string): string | undefined | null => {
      const v = a.options.get(key);
      if (v === undefined || v.kind === 'nil') return undefined;
      if (v.kind === 'string' || v.kind === 'symbol') return v.value;
      return null;
    };
    const dynamic = (key: string): void => warn(`${key}: ${describe(a.options.get(key)!)} is computed; not read`);
    for (const key of ['class_name', 'foreign_key', 'primary_key', 'join_table', 'as', 'association_foreign_key', 'foreign_type']) {
      const v = a.options.get(key);
      if (v && v.kind === 'array') return warn(`${key}: ${describe(v)}: a composite key; not read`);
      if (str(key) === null) return dynamic(key);
    }
    if (a.options.has('query_constraints')) return warn('query_constraints: a composite key; not read');
    const poly = a.options.get('polymorphic');
    if (poly && poly.kind === 'dynamic') return dynamic('polymorphic');
    const ownerTable = owner.table;
    const ownerPk = owner.primaryKey;
    switch (a.macro) {
      case 'belongs_to': {
        const fk = str('foreign_key') ?? `${a.name}_id`;
        if (poly && poly.kind === 'bool' && poly.value) {
          pairs.push({ table: ownerTable, idColumn: fk, typeColumn: str('foreign_type') ?? `${a.name}_type`, name: a.name, model: owner.name, evidence, file: a.file, line: a.line, candidates: [] });
          return;
        }
        const target = this.target(str('class_name') ?? this.inflector.camelize(a.name), owner, warn);
        if (!target) return;
        const pk = str('primary_key') ?? target.primaryKey;
        if (!pk) return warn(`${target.name}'s primary key is not known; not read`);
        references.push({ from: { table: ownerTable, column: fk }, to: { table: target.table!, column: pk }, evidence, file: a.file, line: a.line, model: owner.name, macro: a.macro });
        return;
      }
      case 'has_many':
      case 'has_one': {
        if (a.options.has('through')) return; // no column of its own: the associations it goes through have them
        const className = str('class_name') ?? this.inflector.camelize(a.macro === 'has_many' ? this.inflector.singularize(a.name) : a.name);
        const target = this.target(className, owner, warn);
        if (!target) return;
        const pk = str('primary_key') ?? ownerPk;
        if (!pk) return warn(`${owner.name}'s primary key is not known; not read`);
        const as = str('as');
        if (as) {
          asTargets.push({ table: target.table!, as, candidate: { model: owner.name, table: ownerTable, column: pk, evidence } });
          return;
        }
        const fk = str('foreign_key') ?? this.inflector.foreignKey(owner.name);
        references.push({ from: { table: target.table!, column: fk }, to: { table: ownerTable, column: pk }, evidence, file: a.file, line: a.line, model: owner.name, macro: a.macro });
        return;
      }
      case 'has_and_belongs_to_many': {
        const className = str('class_name') ?? this.inflector.camelize(this.inflector.singularize(a.name));
        const target = this.target(className, owner, warn);
        if (!target) return;
        if (!ownerPk || !target.primaryKey) return warn('a primary key is not known; not read');
        const join = str('join_table') ?? joinTableName(ownerTable, target.table!);
        const fk = str('foreign_key') ?? this.inflector.foreignKey(owner.name);
        const afk = str('association_foreign_key') ?? this.inflector.foreignKey(target.name);
        references.push({ from: { table: join, column: fk }, to: { table: ownerTable, column: ownerPk }, evidence, file: a.file, line: a.line, model: owner.name, macro: a.macro });
        references.push({ from: { table: join, column: afk }, to: { table: target.table!, column: target.primaryKey }, evidence, file: a.file, line: a.line, model: owner.name, macro: a.macro });
        return;
      }
    }
  }

  /** The model an association's class name resolves to, with a known table; else a warning and undefined. */
  target(className: string, owner: Model, warn: (m: string) => void): Model | undefined {
    const c = this.computeType(className, owner.name);
    if (!c) {
      warn(`class ${className} is not among the models read; not read`);
      return undefined;
    }
    const m = this.model(c);
    if (!m) {
      warn(`${c.name} is not an ActiveRecord model as far as the files read show; not read`);
      return undefined;
    }
    if (m.abstract) {
      warn(`${c.name} is abstract (no table); not read`);
      return undefined;
    }
    if (m.table === undefined) return undefined; // its computed table name is warned about once
    return m;
  }
}

function dedupePairs(pairs: PolymorphicPair[]): PolymorphicPair[] {
  const seen = new Map<string, PolymorphicPair>();
  for (const p of pairs) {
    const k = `${p.table}.${p.idColumn}`;
    const prev = seen.get(k);
    if (!prev) seen.set(k, p);
    else for (const c of p.candidates) if (!prev.candidates.some((x) => x.table === c.table && x.column === c.column)) prev.candidates.push(c);
  }
  return [...seen.values()].sort((a, b) => (a.table < b.table ? -1 : a.table > b.table ? 1 : a.idColumn < b.idColumn ? -1 : 1));
}

/** has_and_belongs_to_many's default join table: both table names in order, a shared prefix once (`admin_posts` + `admin_tags` → `admin_posts_tags`). */
export function joinTableName(a: string, b: string): string {
  const [x, y] = [a, b].sort();
  const m = /^(.*[._])(.+)\u0000\1(.+)$/.exec(`${x}\u0000${y}`);
  return m ? `${m[1]}${m[2]}_${m[3]}` : `${x}_${y}`;
}

function describe(v: OptionValue): string {
  switch (v.kind) {
    case 'dynamic':
      return v.text;
    case 'string':
      return JSON.stringify(v.value);
    case 'symbol':
      return `:${v.value}`;
    case 'bool':
      return String(v.value);
    case 'nil':
      return 'nil';
    case 'array':
      return `[${v.values.map(describe).join(', ')}]`;
  }
}
