/**
 * Reporters for `headroom plan`: text (terminal), json (contract), markdown (tickets, PRs). Pure.
 */
import { formatType } from '../model/integers.js';
import type { Plan, WideningPlan } from '../plan/types.js';
import { bytes, durationRange } from './units.js';

const bigintJson = (_k: string, v: unknown) => (typeof v === 'bigint' ? (v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v.toString()) : v);

export function formatPlanJson(plan: Plan): string {
  return JSON.stringify(plan, bigintJson, 2) + '\n';
}

function memberLine(m: WideningPlan['members'][number]): string {
  const where = `${m.ref.database}.${m.ref.table}.${m.ref.column}`;
  const how = m.role === 'key' ? 'the key' : `${m.source}${m.evidence ? `: ${m.evidence}` : ''}`;
  const change = m.needsChange ? `${formatType(m.current)} → ${formatType(m.target)}` : `${formatType(m.current)} (no change)`;
  return `${where}  ${change}  [${how}]`;
}

export function formatPlanText(plan: Plan): string {
  const out: string[] = [];
  if (plan.plans.length === 0) return 'Nothing to plan: no finding selected.\n';
  for (const p of plan.plans) {
    out.push(`━━ ${p.id}  (${p.worstSeverity}; from ${p.triggeredBy.length} finding${p.triggeredBy.length === 1 ? '' : 's'})`);
    out.push('Widening group — every column changes together:');
    for (const m of p.members) out.push(`  ${memberLine(m)}`);
    for (const b of p.blocked) out.push(`BLOCKED: ${b}`);
    for (const w of p.warnings) out.push(`WARNING: ${w}`);
    out.push(`Copy time ${durationRange(p.total.secondsLow, p.total.secondsHigh)}, free disk needed ${bytes(p.total.diskBytes)} (largest copy).`);
    for (const s of p.steps) {
      const est = s.estimate ? `  [${durationRange(s.estimate.secondsLow, s.estimate.secondsHigh)}, disk ${bytes(s.estimate.diskBytes)}, binlog ${bytes(s.estimate.binlogBytes)}]` : '';
      out.push(`  ${s.n}. ${s.title}${s.tool ? ` — ${s.tool}` : ''}${est}`);
      if (s.toolReason) out.push(`     why: ${s.toolReason}`);
      // `$` for a shell command, `mysql>` for SQL to run in a session on the shard.
      const shell = s.kind === 'application' || (s.tool !== undefined && s.tool !== 'direct');
      for (const c of s.commands) out.push(`     ${shell ? '$' : 'mysql>'} ${c}`);
    }
    out.push('');
  }
  out.push('Schedule per shard (copies in a lane run one after another):');
  for (const s of plan.schedule) {
    out.push(`  ${s.shard}: ${s.groups} group${s.groups === 1 ? '' : 's'}, ${s.copySteps} cop${s.copySteps === 1 ? 'y' : 'ies'}, ${s.concurrency} at a time → ${durationRange(s.secondsLow, s.secondsHigh)}`);
  }
  out.push(`Assumes ${plan.policy.copyRowsPerSecond} rows/s (policy.copyRowsPerSecond) and TABLE_ROWS off by up to ${plan.policy.rowsUncertainty.low}×–${plan.policy.rowsUncertainty.high}×.`);
  return out.join('\n') + '\n';
}

export function formatPlanMarkdown(plan: Plan): string {
  const out: string[] = ['# Widening plan', ''];
  if (plan.plans.length === 0) return '# Widening plan\n\nNothing to plan: no finding selected.\n';
  out.push('| group | severity | columns | copy time | disk | blocked |', '|---|---|---|---|---|---|');
  for (const p of plan.plans) {
    out.push(`| \`${p.id}\` | ${p.worstSeverity} | ${p.members.length} | ${durationRange(p.total.secondsLow, p.total.secondsHigh)} | ${bytes(p.total.diskBytes)} | ${p.blocked.length ? 'yes' : 'no'} |`);
  }
  out.push('');
  for (const p of plan.plans) {
    out.push(`## \`${p.id}\``, '', `Severity **${p.worstSeverity}**, from: ${p.triggeredBy.map((t) => `\`${t}\``).join(', ')}.`, '');
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
    }
    out.push('');
  }
  out.push('## Schedule', '', '| shard | groups | copies | at a time | total |', '|---|---|---|---|---|');
  for (const s of plan.schedule) out.push(`| ${s.shard} | ${s.groups} | ${s.copySteps} | ${s.concurrency} | ${durationRange(s.secondsLow, s.secondsHigh)} |`);
  return out.join('\n') + '\n';
}
