/**
 * One Ruby file's syntax tree (prism) → what it declares that decides tables and references:
 * classes and modules with their nesting, superclass, `self.table_name =` and friends,
 * associations (also inside `with_options` and a concern's `included do`), `include`s and the
 * inflection rules of `config/initializers/inflections.rb`. Pure: the tree is read, never run.
 *
 * What cannot be read as a literal is kept as a warning with its line (a computed `class_name:`,
 * an association whose name is a variable, `send(:belongs_to, …)`), never guessed.
 */
import { LineIndex } from './prism.js';
import type { RelationWarning } from './types.js';

/** A literal option value, or `dynamic` with its source text. */
export type OptionValue =
  | { kind: 'string'; value: string }
  | { kind: 'symbol'; value: string }
  | { kind: 'bool'; value: boolean }
  | { kind: 'nil' }
  | { kind: 'array'; values: OptionValue[] }
  | { kind: 'dynamic'; text: string };

export type Macro = 'belongs_to' | 'has_many' | 'has_one' | 'has_and_belongs_to_many';
export const MACROS: readonly Macro[] = ['belongs_to', 'has_many', 'has_one', 'has_and_belongs_to_many'];

export interface RawAssociation {
  macro: Macro;
  name: string;
  options: Map<string, OptionValue>;
  /** `**opts` or a hash that is not a literal: the options are not all known. */
  splat?: string;
  file: string;
  line: number;
  /** The call as written, on one line: `belongs_to :parent, class_name: "Category"`. */
  text: string;
  /** The enclosing `with_options …` as written, when its options were merged in. */
  withOptions?: string;
}

export interface Setting<T> {
  value: T;
  line: number;
}

export interface RawConstant {
  kind: 'class' | 'module';
  /** Full name as declared with its nesting: `Admin::User`. */
  name: string;
  /** The lexical scopes a constant is looked up in, innermost first (without the top level). */
  nesting: string[];
  superclass?: { text: string; line: number };
  file: string;
  line: number;
  tableName?: Setting<string | undefined>;
  primaryKey?: Setting<string | undefined>;
  abstract?: Setting<boolean>;
  tableNamePrefix?: Setting<string | undefined>;
  tableNameSuffix?: Setting<string | undefined>;
  pluralizeTableNames?: Setting<boolean>;
  /** An engine's `isolate_namespace` names this module: its models' tables get the engine's prefix (`payouts_`). */
  isolatedNamespace?: Setting<boolean>;
  associations: RawAssociation[];
  /** Associations in `included do … end` (an ActiveSupport::Concern): they go to each class that includes it. */
  included: RawAssociation[];
  includes: { name: string; line: number }[];
}

export interface FileDeclarations {
  constants: RawConstant[];
  warnings: RelationWarning[];
}

type Node = any; // prism's node classes, read by their constructor names

const kind = (n: Node): string => (n ? n.constructor.name : '');

/** The constants and associations one file declares. `file` is the path shown in evidence (relative to the app's root). */
export function readDeclarations(tree: Node, source: LineIndex, file: string): FileDeclarations {
  const out: FileDeclarations = { constants: [], warnings: [] };
  const reader = new Reader(source, file, out);
  reader.statements(tree.statements, [], undefined);
  return out;
}

interface Scope {
  /** The class or module being declared (undefined: top level). */
  constant: RawConstant | undefined;
  /** Options of an enclosing `with_options`, and the name of its block parameter. */
  withOptions?: { options: Map<string, OptionValue>; param?: string; text: string; splat?: string };
  /** Inside `included do … end`. */
  included?: boolean;
}

class Reader {
  constructor(
    private readonly src: LineIndex,
    private readonly file: string,
    private readonly out: FileDeclarations,
  ) {}

  line(n: Node): number {
    return this.src.line(n.location.startOffset);
  }

  text(n: Node): string {
    return this.src.text(n.location).replace(/\s*\n\s*/g, ' ').trim();
  }

  warn(n: Node, message: string, constant?: RawConstant): void {
    this.out.warnings.push({ file: this.file, line: this.line(n), ...(constant ? { model: constant.name } : {}), message });
  }

  statements(n: Node, nesting: string[], scope: Scope | undefined): void {
    if (!n) return;
    const k = kind(n);
    if (k === 'StatementsNode') {
      for (const s of n.body) this.statement(s, nesting, scope);
    } else {
      this.statement(n, nesting, scope);
    }
  }

  statement(n: Node, nesting: string[], scope: Scope | undefined): void {
    switch (kind(n)) {
      case 'ModuleNode':
      case 'ClassNode': {
        const path = constantPath(n.constantPath);
        if (path === undefined) {
          this.warn(n, `${kind(n) === 'ClassNode' ? 'class' : 'module'} name ${this.text(n.constantPath)} is not a constant path; its body is not read`);
          return;
        }
        // `class A::B` inside `module X` is X::A::B; a leading `::` starts at the top.
        const full = path.startsWith('::') ? path.slice(2) : nesting[0] ? `${nesting[0]}::${path}` : path;
        const c: RawConstant = {
          kind: kind(n) === 'ClassNode' ? 'class' : 'module',
          name: full,
          nesting: [full, ...nesting],
          file: this.file,
          line: this.line(n),
          associations: [],
          included: [],
          includes: [],
        };
        if (kind(n) === 'ClassNode' && n.superclass) c.superclass = { text: this.src.text(n.superclass.location).trim(), line: this.line(n.superclass) };
        this.out.constants.push(c);
        this.statements(n.body, c.nesting, { constant: c });
        return;
      }
      case 'SingletonClassNode':
        // `class << self`: `def table_name_prefix` and the like are class methods.
        if (kind(n.expression) === 'SelfNode' && scope?.constant) this.singletonBody(n.body, scope.constant);
        return;
      case 'DefNode':
        if (scope?.constant && kind(n.receiver) === 'SelfNode') this.classMethod(n, scope.constant);
        return;
      case 'CallNode':
        this.call(n, nesting, scope);
        return;
      case 'IfNode':
        this.statements(n.statements, nesting, scope);
        if (n.subsequent) this.statement(n.subsequent, nesting, scope);
        return;
      case 'UnlessNode':
        this.statements(n.statements, nesting, scope);
        if (n.elseClause) this.statement(n.elseClause, nesting, scope);
        return;
      case 'ElseNode':
        this.statements(n.statements, nesting, scope);
        return;
      case 'BeginNode':
        this.statements(n.statements, nesting, scope);
        return;
      case 'ParenthesesNode':
        this.statements(n.body, nesting, scope);
        return;
      default:
        return;
    }
  }

  singletonBody(body: Node, c: RawConstant): void {
    if (!body) return;
    for (const s of kind(body) === 'StatementsNode' ? body.body : [body]) if (kind(s) === 'DefNode' && !s.receiver) this.classMethod(s, c);
  }

  /** `def self.table_name_prefix = "admin_"` / `def self.table_name; "x"; end`. */
  classMethod(n: Node, c: RawConstant): void {
    const name: string = n.name;
    if (name === 'included') {
      // The pre-Concern form: `def self.included(base) base.class_eval { belongs_to … } end`.
      if (/\b(belongs_to|has_many|has_one|has_and_belongs_to_many)\b/.test(this.src.text(n.location))) {
        this.warn(n, `associations inside def self.included(base) are metaprogrammed; they are not read (use an ActiveSupport::Concern included do … end block, or declare the reference in relationships:)`, c);
      }
      return;
    }
    const setting = ({ table_name: 'tableName', table_name_prefix: 'tableNamePrefix', table_name_suffix: 'tableNameSuffix', primary_key: 'primaryKey' } as const)[name as 'table_name'];
    if (!setting) return;
    const value = singleLiteral(n.body);
    if (value === undefined) {
      this.warn(n, `def self.${name} computes its value; ${c.name}'s ${name.replace(/_/g, ' ')} is not known`, c);
      c[setting] = { value: undefined, line: this.line(n) };
      return;
    }
    c[setting] = { value, line: this.line(n) };
  }

  call(n: Node, nesting: string[], scope: Scope | undefined): void {
    const name: string = n.name;
    const receiver = n.receiver;
    const c = scope?.constant;
    // self.table_name = "…" and the other class settings.
    if (kind(receiver) === 'SelfNode' && name.endsWith('=') && c) {
      this.assignment(n, name.slice(0, -1), c);
      return;
    }
    const viaParam = scope?.withOptions?.param !== undefined && kind(receiver) === 'LocalVariableReadNode' && receiver.name === scope.withOptions.param;
    if ((receiver === null || viaParam) && (MACROS as readonly string[]).includes(name)) {
      if (!c) {
        this.warn(n, `${name} outside a class or module: not read`);
        return;
      }
      this.association(n, name as Macro, c, scope!);
      return;
    }
    if (receiver === null && (name === 'send' || name === 'public_send' || name === '__send__')) {
      const first = n.arguments_?.arguments_?.[0];
      const target = first && literal(first, this.src);
      if (target && (target.kind === 'symbol' || target.kind === 'string') && (MACROS as readonly string[]).includes(target.value)) {
        this.warn(n, `${this.text(n)}: an association declared through ${name}; it is not read (metaprogrammed)`, c);
        return;
      }
      if (!target || target.kind === 'dynamic') {
        if (c && /\b(belongs_to|has_many|has_one|has_and_belongs_to_many)\b/.test(this.src.text(n.location))) this.warn(n, `${this.text(n)}: a computed method call that may declare an association; it is not read`, c);
        return;
      }
    }
    if (receiver === null && name === 'with_options' && n.block && kind(n.block) === 'BlockNode' && c) {
      const opts = this.options(n.arguments_?.arguments_ ?? []);
      const params = n.block.parameters?.parameters?.requireds ?? [];
      const param: string | undefined = params[0]?.name;
      const merged = scope?.withOptions ? new Map([...scope.withOptions.options, ...opts.options]) : opts.options;
      const splat = opts.splat ?? scope?.withOptions?.splat;
      this.statements(n.block.body, nesting, {
        constant: c,
        ...(scope?.included ? { included: true } : {}),
        withOptions: { options: merged, ...(param !== undefined ? { param } : {}), text: `with_options ${this.src.text(n.arguments_?.location ?? n.location).replace(/\s*\n\s*/g, ' ').trim()}`, ...(splat ? { splat } : {}) },
      });
      return;
    }
    if (receiver === null && name === 'isolate_namespace') {
      const path = constantPath(n.arguments_?.arguments_?.[0]);
      if (!path) return;
      const bare = path.replace(/^::/, '');
      const full = path.startsWith('::') ? bare : (nesting.find((s) => s === bare || s.endsWith(`::${bare}`)) ?? bare);
      this.out.constants.push({ kind: 'module', name: full, nesting: [full], file: this.file, line: this.line(n), isolatedNamespace: { value: true, line: this.line(n) }, associations: [], included: [], includes: [] });
      return;
    }
    if (receiver === null && name === 'primary_abstract_class' && c) {
      c.abstract = { value: true, line: this.line(n) };
      return;
    }
    if (receiver === null && name === 'included' && n.block && kind(n.block) === 'BlockNode' && c) {
      this.statements(n.block.body, nesting, { constant: c, included: true });
      return;
    }
    if (receiver === null && (name === 'include' || name === 'prepend') && c) {
      for (const a of n.arguments_?.arguments_ ?? []) {
        const path = constantPath(a);
        if (path) c.includes.push({ name: path, line: this.line(a) });
      }
      return;
    }
    // An association macro named in a loop or block (`%i[a b].each { |x| has_many x }`) gets its
    // own warning when reached; any other block is read for the associations written in it.
    if (n.block && kind(n.block) === 'BlockNode' && c && receiver !== null) {
      this.statements(n.block.body, nesting, scope);
    }
  }

  assignment(n: Node, setting: string, c: RawConstant): void {
    const arg = n.arguments_?.arguments_?.[0];
    const v = arg ? literal(arg, this.src) : undefined;
    const line = this.line(n);
    const str = (what: string): string | undefined => {
      if (v && v.kind === 'string') return v.value;
      if (v && v.kind === 'symbol') return v.value;
      this.warn(n, `self.${setting} = ${arg ? this.text(arg) : '?'}: computed; ${c.name}'s ${what} is not known`, c);
      return undefined;
    };
    switch (setting) {
      case 'table_name':
        c.tableName = { value: str('table'), line };
        return;
      case 'primary_key':
        if (v && v.kind === 'array') {
          this.warn(n, `self.primary_key = ${this.text(arg)}: a composite key; references to ${c.name} are not read`, c);
          c.primaryKey = { value: undefined, line };
          return;
        }
        c.primaryKey = { value: str('primary key'), line };
        return;
      case 'table_name_prefix':
        c.tableNamePrefix = { value: str('table name prefix'), line };
        return;
      case 'table_name_suffix':
        c.tableNameSuffix = { value: str('table name suffix'), line };
        return;
      case 'abstract_class':
        if (v && v.kind === 'bool') c.abstract = { value: v.value, line };
        return;
      case 'pluralize_table_names':
        if (v && v.kind === 'bool') c.pluralizeTableNames = { value: v.value, line };
        return;
      default:
        return;
    }
  }

  association(n: Node, macro: Macro, c: RawConstant, scope: Scope): void {
    const args: Node[] = n.arguments_?.arguments_ ?? [];
    const first = args[0];
    const nameValue = first ? literal(first, this.src) : undefined;
    if (!nameValue || (nameValue.kind !== 'symbol' && nameValue.kind !== 'string')) {
      this.warn(n, `${this.text(n)}: the association's name is computed (metaprogrammed); its references are not read`, c);
      return;
    }
    const own = this.options(args.slice(1));
    const options = scope.withOptions ? new Map([...scope.withOptions.options, ...own.options]) : own.options;
    const splat = own.splat ?? scope.withOptions?.splat;
    const a: RawAssociation = {
      macro,
      name: nameValue.value,
      options,
      file: this.file,
      line: this.line(n),
      text: this.text(n).replace(/^\w+\./, ''),
      ...(scope.withOptions && scope.withOptions.options.size > 0 ? { withOptions: scope.withOptions.text } : {}),
      ...(splat ? { splat } : {}),
    };
    (scope.included ? c.included : c.associations).push(a);
  }

  /** Keyword options of a call (`class_name: "X", foreign_key: :y`); a lambda scope or other positional argument is skipped. */
  options(args: Node[]): { options: Map<string, OptionValue>; splat?: string } {
    const options = new Map<string, OptionValue>();
    let splat: string | undefined;
    for (const a of args) {
      const k = kind(a);
      if (k !== 'KeywordHashNode' && k !== 'HashNode') continue;
      for (const e of a.elements) {
        if (kind(e) !== 'AssocNode') {
          splat = this.text(e);
          continue;
        }
        const key = literal(e.key, this.src);
        if (!key || (key.kind !== 'symbol' && key.kind !== 'string')) {
          splat = this.text(e);
          continue;
        }
        options.set(key.value, literal(e.value, this.src) ?? { kind: 'dynamic', text: this.text(e.value) });
      }
    }
    return splat === undefined ? { options } : { options, splat };
  }
}

/** `Admin::User` for a ConstantReadNode / ConstantPathNode (`::User` keeps its leading `::`), else undefined. */
export function constantPath(n: Node): string | undefined {
  const k = kind(n);
  if (k === 'ConstantReadNode') return n.name;
  if (k === 'ConstantPathNode') {
    if (n.parent === null) return `::${n.name}`;
    const parent = constantPath(n.parent);
    return parent === undefined ? undefined : `${parent}::${n.name}`;
  }
  return undefined;
}

/** A literal value, or `dynamic` (with its text) for anything that would have to run. */
export function literal(n: Node, src: LineIndex): OptionValue | undefined {
  if (!n) return undefined;
  switch (kind(n)) {
    case 'StringNode':
      return { kind: 'string', value: n.unescaped.value };
    case 'SymbolNode':
      return { kind: 'symbol', value: n.unescaped.value };
    case 'TrueNode':
      return { kind: 'bool', value: true };
    case 'FalseNode':
      return { kind: 'bool', value: false };
    case 'NilNode':
      return { kind: 'nil' };
    case 'ArrayNode': {
      const values: OptionValue[] = [];
      for (const e of n.elements) {
        const v = literal(e, src);
        if (!v || v.kind === 'dynamic') return { kind: 'dynamic', text: src.text(n.location).replace(/\s+/g, ' ') };
        values.push(v);
      }
      return { kind: 'array', values };
    }
    default:
      return { kind: 'dynamic', text: src.text(n.location).replace(/\s*\n\s*/g, ' ').trim() };
  }
}

/** The one literal string a method body returns (`"admin_"`), else undefined. */
function singleLiteral(body: Node): string | undefined {
  if (!body) return undefined;
  const stmts = kind(body) === 'StatementsNode' ? body.body : [body];
  if (stmts.length !== 1) return undefined;
  const s = stmts[0];
  if (kind(s) === 'StringNode' || kind(s) === 'SymbolNode') return s.unescaped.value;
  return undefined;
}
