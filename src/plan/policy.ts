/**
 * The `policy:` block of the inventory: how the team widens keys. Every default
 * has a reason, given next to it (and in docs/planner.md).
 */
import { INT_TYPES } from '../model/integers.js';
import { closest } from '../closest.js';
import type { IntType } from '../model/types.js';
import { TOOL_IDS, type Policy, type ToolId } from './types.js';

export const DEFAULT_POLICY: Policy = {
  targetType: 'bigint',
  // The two tools most MySQL shops have. Spirit and Vitess Online DDL are opt-in.
  tools: ['gh-ost', 'pt-online-schema-change'],
  // Published copy rates range from ~1.6k rows/s (gh-ost#845) to ~64k rows/s (gh-ost#1231);
  // the MySQL manual's native COPY example ran ~17.5k rows/s. 5k is a cautious middle under load throttling.
  copyRowsPerSecond: 5000,
  // InnoDB TABLE_ROWS can be off by 40–50% (MySQL manual, INFORMATION_SCHEMA TABLES).
  rowsUncertainty: { low: 0.5, high: 1.5 },
  // A full copy of data + indexes, with the ~60% growth seen in gh-ost ghost tables (gh-ost#1484).
  diskMargin: 1.6,
  // Every copied row is written to the binlog again (ROW format), plus the application's own writes.
  binlogFactor: 1.2,
  // Direct type changes are ALGORITHM=COPY with writes blocked for the whole copy, and thousands
  // of small ones degraded a whole cluster (Intercom, Feb 2024): never, unless a team opts in.
  directAlter: { maxRows: 0n, maxBytes: 0n, maxConcurrentPerShard: 1, tables: [] },
  // One copy at a time per server: copies compete for the same disk and replica lag budget.
  maxConcurrentCopiesPerShard: 1,
  // Spirit uses 30 s; a metadata lock queued longer than a few seconds stalls every write behind it.
  lockWaitTimeoutSeconds: 5,
  maxTableBytes: 0n,
  // New keys start at BIGINT (Rails ≥ 5.1 does too): the cost is 4 bytes a row, the alternative an outage.
  minKeyType: 'bigint',
  narrowKeyAllow: [],
  // Only databases whose names say they are for tests.
  offsetsAllow: ['*_test', 'test_*', 'test'],
  // Migration rule (docs/history-and-forecast.md): estimates are TABLE_ROWS-based and copies get
  // throttled, paused and queued behind other shards' copies, so 3× the estimate ...
  safetyFactor: 3,
  // ... plus two weeks for review, scheduling, a deploy freeze and the application restart.
  leadDays: 14,
  // Every gh-ost release sets transaction_isolation (MariaDB < 11.1 lacks it); MariaDB support is
  // only on gh-ost's main branch (653b99e7, 2026-06-23). A team with such a build says so.
  ghost: { mariadbSupport: false },
  // Spirit's command line changed: `--table`/`--alter` (v0.11.0–v0.16.0), `--statement` after.
  // Unset: the newest form.
  spirit: {},
  // What the runbooks call to re-run headroom where they are followed (never `npx headroom`:
  // outside a checkout npx resolves the registry's unrelated `headroom` package).
  headroomCommand: 'headroom',
};

export const POLICY_KEYS = [
  'targetType',
  'tools',
  'copyRowsPerSecond',
  'rowsUncertainty',
  'diskMargin',
  'binlogFactor',
  'directAlter',
  'maxConcurrentCopiesPerShard',
  'lockWaitTimeoutSeconds',
  'maxTableBytes',
  'minKeyType',
  'narrowKeyAllow',
  'offsetsAllow',
  'safetyFactor',
  'leadDays',
  'migrationUser',
  'ghost',
  'spirit',
  'headroomCommand',
];

/** Validate a `policy:` mapping. `fail(field, why)` builds the one-line error. */
export function parsePolicy(raw: unknown, fail: (field: string, why: string) => Error): Policy {
  if (raw === undefined || raw === null) return DEFAULT_POLICY;
  if (typeof raw !== 'object' || Array.isArray(raw)) throw fail('policy', 'expected a mapping');
  const o = raw as Record<string, unknown>;
  for (const k of Object.keys(o)) {
    if (POLICY_KEYS.includes(k)) continue;
    const hint = closest(k, POLICY_KEYS);
    throw fail(`policy.${k}`, `unknown key${hint ? ` (did you mean "${hint}"?)` : ''}; allowed: ${POLICY_KEYS.join(', ')}`);
  }
  const num = (v: unknown, field: string, min: number, max: number): number => {
    if (typeof v !== 'number' || !Number.isFinite(v) || v < min || v > max) throw fail(field, `expected a number from ${min} to ${max}, got ${JSON.stringify(v)}`);
    return v;
  };
  const int = (v: unknown, field: string, min: number, max: number): number => {
    const n = num(v, field, min, max);
    if (!Number.isInteger(n)) throw fail(field, `expected a whole number, got ${n}`);
    return n;
  };
  const big = (v: unknown, field: string): bigint => {
    if (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0) return BigInt(v);
    if (typeof v === 'string' && /^\d+$/.test(v.trim())) return BigInt(v.trim());
    if (typeof v === 'string') {
      const m = /^(\d+(?:\.\d+)?)\s*([KMGT])i?B?$/i.exec(v.trim());
      if (m) {
        const mult = { K: 1n << 10n, M: 1n << 20n, G: 1n << 30n, T: 1n << 40n }[m[2]!.toUpperCase() as 'K' | 'M' | 'G' | 'T'];
        return BigInt(Math.round(Number(m[1]) * 1000)) * mult / 1000n;
      }
    }
    throw fail(field, `expected a whole number (or a size like 10GiB), got ${JSON.stringify(v)}`);
  };
  const p: Policy = structuredClone(DEFAULT_POLICY);
  if (o.targetType !== undefined && o.targetType !== 'bigint') throw fail('policy.targetType', 'only "bigint" is supported');
  if (o.tools !== undefined) {
    if (!Array.isArray(o.tools) || o.tools.length === 0) throw fail('policy.tools', `expected a non-empty list of: ${TOOL_IDS.join(', ')}`);
    p.tools = o.tools.map((t, i) => {
      if (typeof t !== 'string' || !(TOOL_IDS as readonly string[]).includes(t)) throw fail(`policy.tools[${i}]`, `unknown tool ${JSON.stringify(t)}; known: ${TOOL_IDS.join(', ')}`);
      return t as ToolId;
    });
  }
  if (o.copyRowsPerSecond !== undefined) p.copyRowsPerSecond = num(o.copyRowsPerSecond, 'policy.copyRowsPerSecond', 1, 10_000_000);
  if (o.rowsUncertainty !== undefined) {
    const r = o.rowsUncertainty as Record<string, unknown>;
    if (!r || typeof r !== 'object') throw fail('policy.rowsUncertainty', 'expected {low, high}');
    p.rowsUncertainty = { low: num(r.low, 'policy.rowsUncertainty.low', 0.01, 1), high: num(r.high, 'policy.rowsUncertainty.high', 1, 100) };
  }
  if (o.diskMargin !== undefined) p.diskMargin = num(o.diskMargin, 'policy.diskMargin', 1, 10);
  if (o.binlogFactor !== undefined) p.binlogFactor = num(o.binlogFactor, 'policy.binlogFactor', 0, 100);
  if (o.directAlter !== undefined) {
    const d = o.directAlter as Record<string, unknown>;
    if (!d || typeof d !== 'object' || Array.isArray(d)) throw fail('policy.directAlter', 'expected {maxRows, maxBytes, maxConcurrentPerShard, tables}');
    for (const k of Object.keys(d)) if (!['maxRows', 'maxBytes', 'maxConcurrentPerShard', 'tables'].includes(k)) throw fail(`policy.directAlter.${k}`, 'unknown key; allowed: maxRows, maxBytes, maxConcurrentPerShard, tables');
    if (d.tables !== undefined) {
      if (!Array.isArray(d.tables) || d.tables.some((x) => typeof x !== 'string' || x.trim() === '')) throw fail('policy.directAlter.tables', 'expected a list of table or db.table globs');
      p.directAlter.tables = d.tables as string[];
    }
    if (d.maxRows !== undefined) p.directAlter.maxRows = big(d.maxRows, 'policy.directAlter.maxRows');
    if (d.maxBytes !== undefined) p.directAlter.maxBytes = big(d.maxBytes, 'policy.directAlter.maxBytes');
    if (d.maxConcurrentPerShard !== undefined) p.directAlter.maxConcurrentPerShard = int(d.maxConcurrentPerShard, 'policy.directAlter.maxConcurrentPerShard', 1, 64);
  }
  if (o.maxConcurrentCopiesPerShard !== undefined) p.maxConcurrentCopiesPerShard = int(o.maxConcurrentCopiesPerShard, 'policy.maxConcurrentCopiesPerShard', 1, 64);
  if (o.lockWaitTimeoutSeconds !== undefined) p.lockWaitTimeoutSeconds = int(o.lockWaitTimeoutSeconds, 'policy.lockWaitTimeoutSeconds', 1, 3600);
  if (o.maxTableBytes !== undefined) p.maxTableBytes = big(o.maxTableBytes, 'policy.maxTableBytes');
  if (o.minKeyType !== undefined) {
    if (typeof o.minKeyType !== 'string' || !(INT_TYPES as readonly string[]).includes(o.minKeyType)) {
      throw fail('policy.minKeyType', `expected one of ${INT_TYPES.join(', ')}, got ${JSON.stringify(o.minKeyType)}`);
    }
    p.minKeyType = o.minKeyType as IntType;
  }
  const globs = (v: unknown, field: string): string[] => {
    if (!Array.isArray(v) || v.some((x) => typeof x !== 'string' || x.trim() === '')) throw fail(field, 'expected a list of glob patterns');
    return v as string[];
  };
  if (o.narrowKeyAllow !== undefined) p.narrowKeyAllow = globs(o.narrowKeyAllow, 'policy.narrowKeyAllow');
  if (o.offsetsAllow !== undefined) p.offsetsAllow = globs(o.offsetsAllow, 'policy.offsetsAllow');
  if (o.migrationUser !== undefined) {
    if (typeof o.migrationUser !== 'string' || o.migrationUser.trim() === '') throw fail('policy.migrationUser', 'expected a user name');
    p.migrationUser = o.migrationUser;
  }
  if (o.ghost !== undefined) {
    const g = o.ghost as Record<string, unknown>;
    if (!g || typeof g !== 'object' || Array.isArray(g)) throw fail('policy.ghost', 'expected {mariadbSupport}');
    for (const k of Object.keys(g)) if (k !== 'mariadbSupport') throw fail(`policy.ghost.${k}`, 'unknown key; allowed: mariadbSupport');
    if (g.mariadbSupport !== undefined) {
      if (typeof g.mariadbSupport !== 'boolean') throw fail('policy.ghost.mariadbSupport', 'expected true or false');
      p.ghost.mariadbSupport = g.mariadbSupport;
    }
  }
  if (o.spirit !== undefined) {
    const sp = o.spirit as Record<string, unknown>;
    if (!sp || typeof sp !== 'object' || Array.isArray(sp)) throw fail('policy.spirit', 'expected {version}');
    for (const k of Object.keys(sp)) if (k !== 'version') throw fail(`policy.spirit.${k}`, 'unknown key; allowed: version');
    if (sp.version !== undefined) {
      const v = typeof sp.version === 'number' ? String(sp.version) : sp.version;
      if (typeof v !== 'string' || !/^v?\d+\.\d+(\.\d+)?$/.test(v.trim())) throw fail('policy.spirit.version', `expected a Spirit release like "0.16.0", got ${JSON.stringify(sp.version)}`);
      const [major, minor] = v.trim().replace(/^v/, '').split('.').map(Number) as [number, number];
      if (major === 0 && minor < 11) throw fail('policy.spirit.version', `Spirit ${v} has no \`spirit migrate\` command (it came in v0.11.0)`);
      p.spirit.version = v.trim().replace(/^v/, '');
    }
  }
  if (o.headroomCommand !== undefined) {
    if (typeof o.headroomCommand !== 'string' || o.headroomCommand.trim() === '') throw fail('policy.headroomCommand', 'expected a command, e.g. /usr/local/bin/headroom');
    p.headroomCommand = o.headroomCommand.trim();
  }
  if (o.safetyFactor !== undefined) p.safetyFactor = num(o.safetyFactor, 'policy.safetyFactor', 1, 100);
  if (o.leadDays !== undefined) p.leadDays = num(o.leadDays, 'policy.leadDays', 0, 3650);
  return p;
}
