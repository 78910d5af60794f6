/**
 * One Markdown runbook per widening group, written for an on-call engineer who
 * has never seen this codebase, at 3 a.m. Pure: plan + findings → text.
 *
 * Executable blocks: inside "## 4. Steps", every ```sql block is run in a MySQL
 * session on the shard and every ```sh block in a shell, in order. The
 * integration test extracts and runs exactly those blocks.
 */
import { formatType } from '../model/integers.js';
import { compareText, SEVERITY_RANK, type Finding, type Report } from '../model/types.js';
import { percent, groupDigits } from '../checks/common.js';
import { ghostFlagFile, ghostSocketFile, q, qt, type Connection } from '../plan/commands.js';
import { findingKey, groupId } from '../plan/groups.js';
import { matchesOnly } from '../plan/plan.js';
import type { Plan, Policy, Step, WideningPlan } from '../plan/types.js';
import { bytes, duration, durationRange } from '../report/units.js';

export interface RunbookContext {
  /** Every finding of the scan (the group's are picked by id). */
  findings: readonly Finding[];
  policy: Policy;
  connection?: Connection;
  /** How to re-run the scan for this group, e.g. `headroom scan --config headroom.yaml`. */
  scanCommand: string;
}

/** Stable file name: shard, database, table.column of the key. */
export function runbookFileName(groupId: string): string {
  return `${groupId.replace(/[^A-Za-z0-9_.-]+/g, '__')}.md`;
}

export function renderRunbook(p: WideningPlan, ctx: RunbookContext): string {
  const findings = ctx.findings.filter((f) => p.triggeredBy.includes(f.id)).sort((a, b) => SEVERITY_RANK[b.severity] - SEVERITY_RANK[a.severity]);
  const key = p.members.find((m) => m.role === 'key')!;
  const refs = p.members.filter((m) => m.role === 'reference' && m.needsChange);
  const conn = ctx.connection;
  const mysql = conn
    ? `mysql ${conn.socketPath ? `-S ${conn.socketPath}` : `-h ${conn.host} -P ${conn.port}`} -u ${conn.user} -p`
    : `mysql -h <host of ${p.shard}> -u <user> -p`;
  const tables = [...new Set(p.members.map((m) => `${m.ref.database}.${m.ref.table}`))];
  const tableList = (db: string) => p.members.filter((m) => m.ref.database === db).map((m) => `'${m.ref.table}'`);
  const dbs = [...new Set(p.members.map((m) => m.ref.database))];
  const copies = p.steps.filter((s) => s.estimate);
  const tools = [...new Set(copies.map((s) => s.tool).filter(Boolean))];
  const out: string[] = [];
  const worst = findings[0];

  out.push(`# Runbook: widen \`${p.key.table}.${p.key.column}\` and everything that references it`, '');
  out.push(`Shard **${p.shard}**, database **${p.database}**. Severity **${p.worstSeverity}**. Group id \`${p.id}\`.`, '');
  if (p.blocked.length) {
    out.push('> **This plan is blocked** — read these before anything else:', ...p.blocked.map((b) => `> - ${b}`), '');
  }
  if (p.warnings.length) {
    out.push('> **Read first:**', ...p.warnings.map((w) => `> - ${w}`), '');
  }

  // 1. Summary
  out.push('## 1. Summary', '');
  if (worst) {
    out.push(`**What runs out:** ${worst.message}`, '');
    out.push('| check | column | type | current | max | used | severity |', '|---|---|---|---|---|---|---|');
    for (const f of findings) {
      out.push(
        `| ${f.check} | \`${f.database}.${f.table}.${f.column}\` | ${formatType(f)} | ${f.current === null ? '?' : groupDigits(f.current)} | ${groupDigits(f.max)} | ${f.ratio === null ? '—' : f.current !== null && f.current > f.max ? 'over the max' : percent(f.ratio, f.current !== null && f.current >= f.max)} | ${f.severity} |`,
      );
    }
    out.push('');
  }
  out.push(
    `**Why it is ${p.worstSeverity}:** ${p.worstSeverity === 'critical' ? 'a value is at or above the critical threshold, or ids the key already hands out do not fit a referencing column.' : 'a value is at or above the warning threshold, or a referencing column is narrower than the key.'}`,
    '',
    `**What breaks when it runs out:** every INSERT into \`${p.key.table}\` fails once \`${p.key.column}\` reaches its max` +
      (refs.length ? `, and every write that stores a new \`${p.key.table}\` id into ${refs.map((r) => `\`${r.ref.table}.${r.ref.column}\``).join(', ')} fails once the id no longer fits that column` : '') +
      '. To users, the features that create these rows stop working (in February 2024 at Intercom: nobody could start a conversation).',
    '',
    `**How long the fix takes:** copies ${durationRange(p.total.secondsLow, p.total.secondsHigh)} in total on this database (at ${ctx.policy.copyRowsPerSecond} rows/s, policy.copyRowsPerSecond), then an application restart. Free disk needed: ${bytes(p.total.diskBytes)} for the largest copy.`,
    '',
  );

  // 2. Dependencies
  out.push('## 2. Dependencies — every column that changes together', '');
  out.push('> **Widening the key alone is not enough.** Each column below stores ids of the key. If the key is wider than a column that stores its ids, writes fail when the ids outgrow that column. That is exactly the February 2024 outage: `message_threads.id` was already BIGINT, four INT columns referencing it were not.', '');
  out.push('| column | role | current type | new type | found by |', '|---|---|---|---|---|');
  for (const m of p.members) {
    const found = m.role === 'key' ? '—' : m.source === 'declared' ? `declared constraint \`${m.constraint}\`` : m.source === 'configured' ? `configured (${m.evidence})` : `inferred by naming (${m.evidence?.replace(/^naming: /, '')})`;
    out.push(`| \`${m.ref.database}.${m.ref.table}.${m.ref.column}\` | ${m.role === 'key' ? 'the key' : 'stores its ids'} | ${m.current.columnType} | ${m.needsChange ? formatType(m.target) : 'no change'} | ${found} |`);
  }
  out.push('', 'Inferred references come from Rails naming: check them against the application code. If one is wrong, add it to `ignore:` in the headroom config; if a reference is missing, add it to `relationships:`.', '');

  // 3. Pre-checks
  out.push(
    '## 3. Pre-checks',
    '',
    `Connect to **${p.shard}**: \`${mysql}\`, as the account that will run the migration. ` +
      'It needs ALTER, CREATE, DROP, INSERT, UPDATE, DELETE, TRIGGER, PROCESS and REPLICATION CLIENT on these tables — not the read-only account headroom scans with: ' +
      'without PROCESS, the lock and transaction checks below show only your own session and would pass when they should not. ' +
      'Run each query; the expected answer is under it. **If a pre-check fails, do not start: fix it or escalate.**',
    '',
  );
  out.push('**Long-running transactions** (an ALTER waits for them, and everything queues behind the ALTER):', '', '```', `SELECT trx_mysql_thread_id AS thread, trx_started, TIMESTAMPDIFF(SECOND, trx_started, NOW()) AS seconds FROM information_schema.INNODB_TRX WHERE trx_started < NOW() - INTERVAL 60 SECOND;`, '```', '', 'Expect: no rows. Otherwise find the owner (`SHOW PROCESSLIST`) and wait or ask before killing.', '');
  out.push('**Metadata lock waits** on these tables:', '', '```', `SELECT ID, USER, TIME, STATE, LEFT(INFO, 120) AS query FROM information_schema.PROCESSLIST WHERE STATE LIKE '%metadata lock%';`, '```', '', 'Expect: no rows.', '');
  out.push('**Existing triggers** (pt-online-schema-change refuses tables with triggers; gh-ost has its own limits):', '', '```');
  for (const db of dbs) out.push(`SELECT EVENT_OBJECT_TABLE, TRIGGER_NAME FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = '${db}' AND EVENT_OBJECT_TABLE IN (${tableList(db).join(', ')});`);
  out.push('```', '', 'Expect: no rows (or the plan already picked a tool that copes).', '');
  out.push('**Free disk** (the copy writes a full new table):', '', '```', 'SELECT @@datadir;', '```', '', `Then on the server: \`df -h <datadir>\`. Expect at least **${bytes(p.total.diskBytes)}** free plus the binlogs below, with room to spare.`, '');
  out.push('**Binary log** (format, row image, retention):', '', '```', "SELECT @@log_bin, @@binlog_format, @@binlog_row_image, @@expire_logs_days;", '```', '');
  if (tools.includes('gh-ost')) out.push('gh-ost needs `log_bin = 1`, `binlog_format = ROW`, `binlog_row_image = FULL`.');
  const binlog = copies.reduce<bigint | null>((n, s) => (n === null || s.estimate!.binlogBytes === null ? null : n + s.estimate!.binlogBytes), 0n);
  out.push(`Expect retention longer than the copy (${duration(p.total.secondsHigh)} at the slow end) and ~${bytes(binlog)} of extra binlog space.`, '');
  out.push('**Replica lag** (run on each replica):', '', '```', 'SHOW REPLICA STATUS;', '```', '', 'Expect `Seconds_Behind_Master` (or `Seconds_Behind_Source`) near 0. The tools throttle on lag, so a lagging replica makes the copy much slower. (`SHOW SLAVE STATUS` on older servers.)', '');
  out.push('**Row counts before** (keep the answer for the Verify section):', '', '```');
  for (const t of tables) out.push(`SELECT '${t}' AS tbl, COUNT(*) AS row_count FROM ${qt(t.split('.')[0]!, t.split('.').slice(1).join('.'))};`);
  out.push('```', '', 'On a very large table run these on a replica: `COUNT(*)` reads the whole table.', '');

  // 4. Steps
  out.push('## 4. Steps', '', `Run the steps in order, on **${p.shard}**. SQL blocks run in \`${mysql}\`; shell blocks on a host that has the tool and a \`~/.my.cnf\` with the credentials (never put a password on the command line).`, '');
  for (const s of p.steps) out.push(...renderStep(s, ctx.policy, conn));

  // 5. Verify
  out.push('## 5. Verify', '', 'Every column has its new type:', '', '```');
  for (const db of dbs) {
    const cols = p.members.filter((m) => m.ref.database === db).map((m) => `('${m.ref.table}', '${m.ref.column}')`);
    out.push(`SELECT TABLE_NAME, COLUMN_NAME, COLUMN_TYPE FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = '${db}' AND (TABLE_NAME, COLUMN_NAME) IN (${cols.join(', ')});`);
  }
  out.push(
    '```',
    '',
    `Expect: ${p.members.map((m) => `\`${m.ref.table}.${m.ref.column}\` ${formatType(m.needsChange ? m.target : m.current)}`).join(', ')} ` +
      '(MariaDB and MySQL 5.7 add a display width, e.g. `bigint(20)`, `int(10) unsigned`: same type).',
    '',
  );
  const constraints = p.members.filter((m) => m.constraint);
  if (constraints.length) {
    out.push('Constraints exist and point at the right tables:', '', '```');
    for (const db of dbs) out.push(`SELECT CONSTRAINT_NAME, TABLE_NAME, REFERENCED_TABLE_NAME FROM information_schema.REFERENTIAL_CONSTRAINTS WHERE CONSTRAINT_SCHEMA = '${db}' AND TABLE_NAME IN (${tableList(db).join(', ')});`);
    out.push('```', '', `Expect: ${constraints.map((m) => `\`${m.constraint}\` on \`${m.ref.table}\` → \`${p.key.table}\``).join(', ')}. A name with a leading \`_\` or a referenced table named \`_…_old\` means a tool rebuilt it: stop and fix.`, '');
  }
  out.push('Row counts match the ones from the pre-checks (plus whatever the application inserted meanwhile): re-run the row count queries from section 3.', '');
  out.push('Finally, headroom itself must come back clean for this group:', '', '```', `${ctx.scanCommand} --only ${p.key.database}.${p.key.table}.${p.key.column}`, '```', '', 'Expect exit code 0 and no finding for these columns.', '');

  // 6. Application
  out.push('## 6. Application', '', 'Application processes cache column types. Until they restart, writes of values above the old maximum keep failing even though the database accepts them (Rails: `ActiveModel::RangeError`). In February 2024 the outage lasted until a deploy restarted ~50,000 processes.', '');
  out.push('1. If the app boots from a schema cache (Rails `db/schema_cache.yml`, `config.active_record.use_schema_cache_dump`), regenerate it against the migrated database, commit it and deploy:', '', '   ```', '   bin/rails db:schema:cache:dump', '   ```', '');
  out.push('2. Restart **every** process that talks to this database: web, background workers, consoles, cron jobs, one-off scripts.');
  out.push('3. Confirm none still holds the old type: every process started after the last step above finished (check start times, e.g. `ps -o pid,lstart,cmd`), and the error tracker shows no new `RangeError` / "Out of range value" errors for these columns.', '');

  // 7. Abort and roll back
  out.push('## 7. Abort and roll back', '');
  out.push('Widening is safe to keep: a wider column accepts every value the narrow one did. Rolling back to a narrower type is rarely what you want; stopping a step cleanly is.', '');
  for (const s of p.steps) {
    const a = abortText(s, conn);
    if (!a) continue;
    out.push(`- **Step ${s.n} (${s.title})** — ${a}`);
    const cleanup = cleanupSql(s);
    if (cleanup.length) out.push('', '  ```sql', ...cleanup.map((l) => `  ${l}`), '  ```', '');
  }
  out.push('');

  // 8. Out of time
  out.push('## 8. If you are out of time', '');
  out.push('If the key will run out before the copies finish, these are the options used in such incidents. They are choices for the incident lead, not commands:', '');
  out.push(`- **Brown out the failing feature:** turn off (feature flag) the product feature that creates \`${p.key.table}\` rows, with a clear message to users, while the copy runs.`);
  out.push('- **Shed writes, keep reads:** put the affected feature in read-only mode; the rest of the product keeps working.');
  out.push('- **Prioritise the narrowest column:** widen the referencing column that will fail first (the highest ratio above) before the others; the rest of the group must still follow before the key passes their max.');
  if (!key.current.unsigned && key.needsChange) {
    out.push('- **Buy time on a signed key:** the negative half of a signed key is unused. Some teams have restarted the counter at the most negative value; this breaks any code that assumes positive or increasing ids: only with the application owners.');
  }
  out.push('- **Communicate:** post status early; the copy time above is an estimate with a wide range.', '');
  out.push(`---`, `Generated by headroom from finding${p.triggeredBy.length === 1 ? '' : 's'} ${p.triggeredBy.map((t) => `\`${t}\``).join(', ')}.`, '');
  return out.join('\n');
}

function renderStep(s: Step, policy: Policy, conn?: Connection): string[] {
  const out: string[] = [`### Step ${s.n}: ${s.title}`, ''];
  if (s.kind === 'application') {
    out.push('Follow section 6 (Application) now. Nothing to run against the database.', '');
    return out;
  }
  if (s.tool) out.push(`Tool: **${s.tool}**${s.toolReason ? ` — ${s.toolReason}` : ''}.`, '');
  if (s.estimate) {
    out.push(`Expected: ${durationRange(s.estimate.secondsLow, s.estimate.secondsHigh)}; free disk ${bytes(s.estimate.diskBytes)}; binlog ${bytes(s.estimate.binlogBytes)}.`, '');
  } else if (s.kind === 'drop-fk' || s.kind === 'add-fk') {
    out.push('Expected: seconds (metadata only), once no transaction holds the table.', '');
  }
  for (const n of s.notes) out.push(`- ${n}`);
  if (s.notes.length) out.push('');
  const isShell = s.commands.some((c) => /^(pt-online-schema-change|gh-ost|spirit|vtctldclient|touch|rm) /.test(c));
  if (s.tool === 'gh-ost') {
    out.push('Dry run first, then the real run (it waits before cutting over while the flag file exists):', '');
  } else if (s.tool === 'pt-online-schema-change') {
    out.push('The first command is a dry run (creates and alters the new table, copies nothing). Run the second only if the first **exits 0** (`echo $?` prints 0) and printed no `Error` line — a failed dry run also ends with "Dry run complete".', '');
  }
  out.push(isShell ? '```sh' : '```sql', ...s.commands, '```', '');
  out.push(`**Watch:** ${watchText(s, conn)}`, '', `**Done when:** ${doneText(s, policy, conn)}`, '');
  return out;
}

function watchText(s: Step, conn?: Connection): string {
  switch (s.tool) {
    case 'pt-online-schema-change':
      return 'it prints `Copying … X% … remain` to stderr every 30 s; `SHOW PROCESSLIST` shows its INSERT … SELECT chunks.';
    case 'gh-ost':
      return `\`echo status | nc -U ${ghostSocketFile(s.database!, s.table!, conn)}\` prints progress, ETA and lag; it also logs progress lines.`;
    case 'spirit':
      return 'Spirit logs copy progress and an ETA.';
    case 'vitess':
      return '`vtctldclient OnlineDDL show <keyspace> <uuid>` shows progress.';
    case 'direct':
      return 'in another session, `SELECT ID, TIME, STATE, PROGRESS FROM information_schema.PROCESSLIST WHERE INFO LIKE \'ALTER TABLE%\';` (MariaDB shows PROGRESS; MySQL: performance_schema stage events). Writes to the table wait until it ends.';
    default:
      return s.kind === 'orphan-check' ? 'a single SELECT; on a big table it takes a while (full scan).' : 'the statement returns in seconds. If it hangs, another transaction holds the table: see "Metadata lock waits" in section 3.';
  }
}

function doneText(s: Step, policy: Policy, conn?: Connection): string {
  switch (s.kind) {
    case 'copy':
      return s.tool === 'pt-online-schema-change'
        ? '`Successfully altered` is printed and the command exits 0.'
        : s.tool === 'gh-ost'
          ? `after you remove \`${ghostFlagFile(s.database!, s.table!, conn)}\`, gh-ost prints "Done migrating" and exits 0.`
          : 'the tool exits 0 after its cut-over.';
    case 'direct-alter':
      return `the ALTER returns \`Query OK\`. If it fails with "Lock wait timeout exceeded", a transaction held the table longer than ${policy.lockWaitTimeoutSeconds} s: check section 3 and retry.`;
    case 'orphan-check':
      return '`orphans` is 0. Otherwise stop: list them with the same query, `SELECT c.* … LIMIT 100` instead of `SELECT COUNT(*) AS orphans …`, decide with the application owners, then re-run.';
    case 'drop-fk':
      return '`SHOW CREATE TABLE` no longer lists the constraint.';
    case 'add-fk':
      return '`SHOW CREATE TABLE` lists the constraint again, pointing at the key\'s table.';
    default:
      return 'as described above.';
  }
}

function abortText(s: Step, conn?: Connection): string | undefined {
  const t = s.table ?? '';
  const db = s.database ?? '';
  switch (s.kind) {
    case 'drop-fk':
      return 'undo by running the matching "Re-add constraint" step (orphan check first).';
    case 'add-fk':
      return 'if it fails, the constraint is simply absent: fix the cause (orphans, a type that differs) and re-run.';
    case 'orphan-check':
      return 'read-only; stop any time.';
    case 'application':
      return undefined;
    case 'direct-alter':
      return `\`KILL QUERY <id>\` stops it; the server discards its temporary copy and the table is unchanged. Once it returned OK it is done (irreversible in place; keep it).`;
    case 'copy':
      if (s.tool === 'pt-online-schema-change') {
        return (
          `Ctrl-C before the swap leaves \`_${t}_new\` and triggers \`pt_osc_${db}_${t}_ins\`, \`_upd\`, \`_del\`: clean up with the SQL below. ` +
          'After "Swapped original and new tables" the change is done: irreversible (the old table is dropped).'
        );
      }
      if (s.tool === 'gh-ost') {
        return (
          `\`echo panic | nc -U ${ghostSocketFile(db, t, conn)}\` (or Ctrl-C) before cut-over; it leaves \`_${t}_gho\` and \`_${t}_ghc\` and the flag file: ` +
          `the SQL below and \`rm -f ${ghostFlagFile(db, t, conn)}\`. After cut-over, \`_${t}_del\` holds the old table until you drop it: the original is still there to swap back by RENAME if needed.`
        );
      }
      if (s.tool === 'spirit') return 'Ctrl-C before cut-over; it leaves `_' + t + '_new` and a checkpoint table; drop them. The sentinel table `_' + t + '_sentinel` keeps cut-over deferred.';
      if (s.tool === 'vitess') return '`vtctldclient OnlineDDL cancel <keyspace> <uuid>` before completion; Vitess Online DDL is revertible after (`OnlineDDL revert`).';
      return undefined;
  }
}

export interface RunbookFile {
  path: string;
  groupId: string;
  content: string;
}

export function renderRunbooks(plan: Plan, ctx: Omit<RunbookContext, 'connection'> & { connections?: Map<string, Connection> }): RunbookFile[] {
  return plan.plans.map((p) => {
    const conn = ctx.connections?.get(p.shard);
    return {
      path: runbookFileName(p.id),
      groupId: p.id,
      content: renderRunbook(p, { findings: ctx.findings, policy: ctx.policy, scanCommand: ctx.scanCommand, ...(conn ? { connection: conn } : {}) }),
    };
  });
}

/** index.md: every runbook, worst first. */
export function renderIndex(plan: Plan, findings: readonly Finding[]): string {
  const out = ['# Runbooks', '', 'One per widening group, worst first. Each one is self-contained: summary, dependencies, pre-checks, steps, verify, application, abort, and what to do if time runs out.', ''];
  out.push('| severity | key | columns | copy time | runbook |', '|---|---|---|---|---|');
  const plans = [...plan.plans].sort((a, b) => SEVERITY_RANK[b.worstSeverity] - SEVERITY_RANK[a.worstSeverity] || worstRatio(b, findings) - worstRatio(a, findings) || compareText(a.id, b.id));
  for (const p of plans) {
    out.push(`| ${p.worstSeverity} | \`${p.id}\` | ${p.members.length} | ${durationRange(p.total.secondsLow, p.total.secondsHigh)} | [${runbookFileName(p.id)}](${runbookFileName(p.id)}) |`);
  }
  return out.join('\n') + '\n';
}

function worstRatio(p: WideningPlan, findings: readonly Finding[]): number {
  return Math.max(0, ...findings.filter((f) => p.triggeredBy.includes(f.id)).map((f) => f.ratio ?? 0));
}

/** Where the runbook of a finding's group lives: `runbooks/<file>` or `<baseUrl>/<file>`. */
export function runbookLink(f: Finding, baseUrl?: string): string {
  const file = runbookFileName(groupId(findingKey(f)));
  return baseUrl ? `${baseUrl.replace(/\/+$/, '')}/${file}` : `runbooks/${file}`;
}

export function attachRunbookLinks(report: Report, baseUrl?: string): Report {
  return { ...report, findings: report.findings.map((f) => ({ ...f, runbook: runbookLink(f, baseUrl) })) };
}

/** Findings about a column (`table.column`, `db.table.column` or `shard/db/table.column`): as the column itself or as the key it references. */
export function findingsAbout(report: Report, only: string): Report {
  const findings = report.findings.filter(
    (f) => matchesOnly({ shard: f.shard, database: f.database, table: f.table, column: f.column }, only) || matchesOnly(findingKey(f), only),
  );
  const counts = { critical: 0, warning: 0, info: 0 };
  for (const f of findings) counts[f.severity]++;
  return { ...report, findings, summary: { ...report.summary, findings: counts } };
}


/** Cleanup statements after an aborted copy, for a fenced block (copy-pasteable). */
function cleanupSql(s: Step): string[] {
  const t = s.table ?? '';
  const db = s.database ?? '';
  if (s.kind !== 'copy') return [];
  if (s.tool === 'pt-online-schema-change') {
    return [
      ...['ins', 'upd', 'del'].map((k) => `DROP TRIGGER IF EXISTS ${q(db)}.${q(`pt_osc_${db}_${t}_${k}`)};`),
      `DROP TABLE IF EXISTS ${qt(db, `_${t}_new`)};`,
    ];
  }
  if (s.tool === 'gh-ost') return [`DROP TABLE IF EXISTS ${qt(db, `_${t}_gho`)}, ${qt(db, `_${t}_ghc`)};`];
  return [];
}
