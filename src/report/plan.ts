/**
 * Reporters for `headroom plan`: text (terminal), json (contract), markdown (tickets, PRs). Pure.
 */
import { formatType } from '../model/integers.js';
import type { Plan, WideningPlan } from '../plan/types.js';
import { bytes, durationRange } from './units.js';

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);
/** A bigint as JSON: a number while it is exact, else a decimal string. */
const jsonInt = <T>(v: T): T | number | string => (typeof v === 'bigint' ? (v <= MAX_SAFE ? Number(v) : v.toString()) : v);
const bigintJson = (_k: string, v: unknown) => jsonInt(v);

export function formatPlanJson(plan: Plan): string {
  try {
    // A replacer makes JSON.stringify call back into JS for every value (~1.5M of them for 100k
    // tables): convert the few places that hold bigints up front and stringify natively instead.
    return JSON.stringify(withoutBigints(plan), null, 2) + '\n';
  } catch (e) {
    // A bigint somewhere withoutBigints does not look (TypeError: cannot serialize a BigInt).
    if (!(e instanceof TypeError)) throw e;
    return JSON.stringify(plan, bigintJson, 2) + '\n';
  }
}

/**
 * The plan with every bigint as jsonInt writes it: the estimates, the group totals and the policy.
 * Objects are copied with their keys in the same order, so the JSON text is the same as with the replacer.
 */
function withoutBigints(plan: Plan): unknown {
  return {
    ...plan,
    policy: deepWithoutBigints(plan.policy),
    plans: plan.plans.map((p) => ({
      ...p,
      steps: p.steps.map((s) =>
        s.estimate
          ? {
              ...s,
              estimate: {
                ...s.estimate,
                rowsEstimate: jsonInt(s.estimate.rowsEstimate),
                rowsLow: jsonInt(s.estimate.rowsLow),
                rowsHigh: jsonInt(s.estimate.rowsHigh),
                diskBytes: jsonInt(s.estimate.diskBytes),
                binlogBytes: jsonInt(s.estimate.binlogBytes),
              },
            }
          : s,
      ),
      total: { ...p.total, diskBytes: jsonInt(p.total.diskBytes) },
    })),
  };
}

function deepWithoutBigints(v: unknown): unknown {
  if (typeof v === 'bigint') return jsonInt(v);
  if (v === null || typeof v !== 'object') return v;
  if (Array.isArray(v)) return v.map(deepWithoutBigints);
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v)) out[k] = deepWithoutBigints(x);
  return out;
}

function memberLine(m: WideningPlan['members'][number]): string {
  const where = `${m.ref.database}.${m.ref.table}.${m.ref.column}`;
  const how = m.role === 'key' ? 'the key' : `${m.source}${m.evidence ? `: ${m.evidence}` : ''}`;
  const change = m.needsChange ? `${formatType(m.current)} → ${formatType(m.target)}` : `${formatType(m.current)} (no change)`;
  return `${where}  ${change}  [${how}]`;
}

/**
 * Lines of a report, joined into one string. A 100k-table plan is ~250k lines: joining them a
 * few thousand at a time lets each line be collected young instead of being held to the end.
 */
class Lines {
  private chunks: string[] = [];
  private lines: string[] = [];
  push(...lines: string[]): void {
    for (const l of lines) this.lines.push(l);
  }
  /** Call between groups: joins what has piled up once there is enough of it. */
  flush(): void {
    if (this.lines.length >= 2000) {
      this.chunks.push(this.lines.join('\n'));
      this.lines = [];
    }
  }
  /** Every line, each followed by a newline. */
  text(): string {
    if (this.lines.length) this.chunks.push(this.lines.join('\n'));
    this.lines = [];
    // The last newline comes from joining one more, empty, chunk: `joined + '\n'` would be a
    // two-part string that writing it copies whole once more (50 MB for 100k tables).
    this.chunks.push('');
    return this.chunks.join('\n');
  }
}

export function formatPlanText(plan: Plan): string {
  const out = new Lines();
  if (plan.plans.length === 0) return 'Nothing to plan: no finding selected.\n';
  for (const p of plan.plans) {
    out.push(`━━ ${p.id}  (${p.worstSeverity}; from ${p.triggeredBy.length} finding${p.triggeredBy.length === 1 ? '' : 's'})`);
    if (p.groups.length > 1) out.push(`Planned with ${p.groups.slice(1).join(', ')}: their changes touch the same tables, and each table is copied once.`);
    if (p.kind === 'sequence-fix' && p.fix) out.push(`Repair of Vitess sequence ${p.fix.sequence} (${p.fix.problem}): no column changes; the sequence's row or declaration is fixed.`);
    else out.push(p.groups.length > 1 ? 'Widening groups — every column changes together:' : 'Widening group — every column changes together:');
    for (const m of p.members) out.push(`  ${memberLine(m)}`);
    for (const b of p.blocked) out.push(`BLOCKED: ${b}`);
    for (const w of p.warnings) out.push(`WARNING: ${w}`);
    if (p.kind !== 'sequence-fix') out.push(`Copy time ${durationRange(p.total.secondsLow, p.total.secondsHigh)}, free disk needed ${bytes(p.total.diskBytes)} (largest copy).`);
    for (const s of p.steps) {
      const est = s.estimate ? `  [${durationRange(s.estimate.secondsLow, s.estimate.secondsHigh)}, disk ${bytes(s.estimate.diskBytes)}, binlog ${bytes(s.estimate.binlogBytes)}]` : '';
      out.push(`  ${s.n}. ${s.title}${s.tool ? ` — ${s.tool}` : ''}${est}`);
      if (s.toolReason) out.push(`     why: ${s.toolReason}`);
      // `$` for a shell command, `mysql>` for SQL to run in a session on the shard.
      const shell = s.kind === 'application' || (s.tool !== undefined && s.tool !== 'direct');
      for (const c of s.commands) out.push(`     ${shell ? '$' : 'mysql>'} ${c}`);
      // A blocked table: the ways forward, none of them run by the plan.
      for (const [i, o] of (s.options ?? []).entries()) {
        out.push(`     option ${String.fromCharCode(97 + i)}: ${o.title} — ${o.cost}`);
        for (const c of o.commands) out.push(`       mysql> ${c}`);
      }
      if (s.commands.length === 0 && !s.options?.length && s.kind !== 'application') for (const n of s.notes.slice(0, 1)) out.push(`     ${n}`);
    }
    out.push('');
    out.flush();
  }
  out.push('Schedule per shard (copies in a lane run one after another):');
  for (const s of plan.schedule) {
    out.push(`  ${s.shard}: ${s.groups} group${s.groups === 1 ? '' : 's'}, ${s.copySteps} cop${s.copySteps === 1 ? 'y' : 'ies'}, ${s.concurrency} at a time → ${durationRange(s.secondsLow, s.secondsHigh)}`);
  }
  out.push(`Assumes ${plan.policy.copyRowsPerSecond} rows/s (policy.copyRowsPerSecond) and TABLE_ROWS off by up to ${plan.policy.rowsUncertainty.low}×–${plan.policy.rowsUncertainty.high}×.`);
  return out.text();
}

export function formatPlanMarkdown(plan: Plan): string {
  const out = new Lines();
  out.push('# Widening plan', '');
  if (plan.plans.length === 0) return '# Widening plan\n\nNothing to plan: no finding selected.\n';
  out.push('| group | severity | columns | copy time | disk | blocked |', '|---|---|---|---|---|---|');
  for (const p of plan.plans) {
    out.push(`| \`${p.id}\` | ${p.worstSeverity} | ${p.members.length} | ${durationRange(p.total.secondsLow, p.total.secondsHigh)} | ${bytes(p.total.diskBytes)} | ${p.blocked.length ? 'yes' : 'no'} |`);
  }
  out.push('');
  for (const p of plan.plans) {
    out.push(`## \`${p.id}\``, '', `Severity **${p.worstSeverity}**, from: ${p.triggeredBy.map((t) => `\`${t}\``).join(', ')}.`, '');
    if (p.groups.length > 1) out.push(`Planned with ${p.groups.slice(1).map((g) => `\`${g}\``).join(', ')}: their changes touch the same tables, and each table is copied once.`, '');
    out.push('| column | change | found by |', '|---|---|---|');
    for (const m of p.members) {
      out.push(`| \`${m.ref.database}.${m.ref.table}.${m.ref.column}\` | ${m.needsChange ? `${formatType(m.current)} → ${formatType(m.target)}` : `${formatType(m.current)} (no change)`} | ${m.role === 'key' ? 'the key' : `${m.source}${m.evidence ? ` (${m.evidence})` : ''}`} |`);
    }
    out.push('');
    for (const b of p.blocked) out.push(`> **Blocked:** ${b}`, '');
    for (const w of p.warnings) out.push(`> **Warning:** ${w}`, '');
    for (const s of p.steps) {
      out.push(`${s.n}. **${s.title}**${s.tool ? ` — \`${s.tool}\`` : ''}${s.estimate ? ` (${durationRange(s.estimate.secondsLow, s.estimate.secondsHigh)}, disk ${bytes(s.estimate.diskBytes)})` : ''}`);
      if (s.toolReason) out.push(`   Why: ${s.toolReason}`);
      if (s.commands.length) out.push('', '   ```sh', ...s.commands.map((c) => `   ${c}`), '   ```', '');
      for (const [i, o] of (s.options ?? []).entries()) {
        out.push(`   Option ${String.fromCharCode(65 + i)}: ${o.title}. ${o.cost} To choose it: ${o.choose}`, '', '   ```text', ...o.commands.map((c) => `   ${c}`), '   ```', '');
      }
      if (s.commands.length === 0 && !s.options?.length && s.kind !== 'application') {
        for (const n of s.notes.slice(0, 1)) out.push(`   ${n}`);
      }
    }
    out.push('');
    out.flush();
  }
  out.push('## Schedule', '', '| shard | groups | copies | at a time | total |', '|---|---|---|---|---|');
  for (const s of plan.schedule) out.push(`| ${s.shard} | ${s.groups} | ${s.copySteps} | ${s.concurrency} | ${durationRange(s.secondsLow, s.secondsHigh)} |`);
  return out.text();
}
