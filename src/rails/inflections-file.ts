/**
 * `config/initializers/inflections.rb` → rules added to an Inflector:
 *
 *   ActiveSupport::Inflector.inflections(:en) do |inflect|
 *     inflect.irregular "tx", "txs"
 *     inflect.uncountable %w[feedback]
 *     inflect.acronym "API"
 *     inflect.plural(/^(ox)$/i, '\1en')
 *   end
 *
 * Read statically: a rule whose arguments are not literals, or a regexp JS reads differently, is
 * a warning, not a guess.
 */
import type { Inflector } from './inflector.js';
import { rubyRegexp, rubyReplacement } from './inflector.js';
import { LineIndex } from './prism.js';
import type { RelationWarning } from './types.js';

type Node = any;

const kind = (n: Node): string => (n ? n.constructor.name : '');

export function applyInflections(tree: Node, src: LineIndex, file: string, inflector: Inflector): RelationWarning[] {
  const warnings: RelationWarning[] = [];
  const calls: Node[] = [];
  collectCalls(tree, calls);
  for (const n of calls) {
    const line = src.line(n.location.startOffset);
    const text = src.text(n.location).replace(/\s*\n\s*/g, ' ');
    const warn = (why: string) => warnings.push({ file, line, message: `${text}: ${why}` });
    const args: Node[] = n.arguments_?.arguments_ ?? [];
    const strings = (nodes: Node[]): string[] | undefined => {
      const out: string[] = [];
      for (const a of nodes) {
        if (kind(a) === 'StringNode' || kind(a) === 'SymbolNode') out.push(a.unescaped.value);
        else if (kind(a) === 'ArrayNode') {
          const inner = strings(a.elements);
          if (!inner) return undefined;
          out.push(...inner);
        } else return undefined;
      }
      return out;
    };
    switch (n.name as string) {
      case 'irregular': {
        const s = strings(args);
        if (!s || s.length !== 2) warn('not two literal words; not applied');
        else inflector.irregular(s[0]!, s[1]!);
        break;
      }
      case 'uncountable': {
        const s = strings(args);
        if (!s) warn('not literal words; not applied');
        else inflector.uncountable(...s);
        break;
      }
      case 'acronym': {
        const s = strings(args);
        if (!s || s.length !== 1) warn('not one literal word; not applied');
        else inflector.acronym(s[0]!);
        break;
      }
      case 'plural':
      case 'singular': {
        const [rule, replacement] = args;
        if (kind(replacement) !== 'StringNode') {
          warn('the replacement is not a literal string; not applied');
          break;
        }
        const rep = rubyReplacement(replacement.unescaped.value);
        if (kind(rule) === 'StringNode') {
          if (n.name === 'plural') inflector.plural(rule.unescaped.value, rep);
          else inflector.singular(rule.unescaped.value, rep);
          break;
        }
        if (kind(rule) !== 'RegularExpressionNode') {
          warn('the rule is not a literal regexp or string; not applied');
          break;
        }
        const flags = `${rule.isIgnoreCase() ? 'i' : ''}${rule.isExtended() ? 'x' : ''}${rule.isMultiLine() ? 'm' : ''}`;
        const re = rubyRegexp(src.text(rule.contentLoc), flags);
        if (!re) {
          warn('a regexp JavaScript reads differently; not applied (table names that need it may be wrong: set table_name on those models)');
          break;
        }
        if (n.name === 'plural') inflector.plural(re, rep);
        else inflector.singular(re, rep);
        break;
      }
      case 'clear':
        warn('clearing the default rules is not supported; the defaults stay');
        break;
      case 'human':
        break;
      default:
        break;
    }
  }
  return warnings;
}

/** Calls on a block parameter (`inflect.x …`) anywhere in the file, in source order. */
function collectCalls(n: Node, out: Node[]): void {
  if (!n || typeof n !== 'object') return;
  if (kind(n) === 'CallNode' && kind(n.receiver) === 'LocalVariableReadNode') out.push(n);
  for (const c of n.compactChildNodes?.() ?? []) collectCalls(c, out);
}
