/**
 * One Markdown runbook per widening group, written for an on-call engineer who
 * has never seen this codebase, at 3 a.m. Pure: plan + findings → text.
 *
 * Executable blocks: inside "## 4. Steps", every ```sql block is run in a MySQL
 * session on the shard and every ```sh block in a shell, in order. The
 * integration test extracts and runs exactly those blocks.
 */
import { join } from 'node:path';
import { formatType } from '../model/integers.js';
import { compareText, SEVERITY_RANK, type Finding, type Report } from '../model/types.js';
import { percent, groupDigits } from '../checks/common.js';
import { ghostFlagFile, ghostSocketFile, mysqlClient, q, qt, sh, sqlString, type Connection } from '../plan/commands.js';
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
  /** Where the runbooks are written, as given to `runbook --out` (the precheck command names the file by it). */
  runbookDir?: string;
}

/**
 * A read-only pre-check: the query, and the answer that lets the migration start. `headroom
 * precheck` runs them (they are embedded in the runbook); a person can paste them.
 */
export interface PreCheck {
  title: string;
  sql: string;
  /** `no-rows`, or exactly these rows (values as text, in order). */
  expect: { kind: 'no-rows' } | { kind: 'rows'; rows: string[][] };
  /** The expected answer, in words. */
  expectText: string;
  /** What to do when the answer differs. */
  failText: string;
}

/** Placeholders a runbook would carry (`<migration user>`, `<host of …>`, `<vtctld host:port>`). */
export function placeholdersIn(text: string): string[] {
  return [...new Set(text.match(/<(migration user|host of [^>]+|vtctld host:port|user)>/g) ?? [])];
}

/** Stable file name: shard, database, table.column of the key. */
export function runbookFileName(groupId: string): string {
  return `${groupId.replace(/[^A-Za-z0-9_.-]+/g, '__')}.md`;
}

export function renderRunbook(p: WideningPlan, ctx: RunbookContext): string {
  if (p.kind === 'sequence-fix') return renderSequenceFix(p, ctx);
  const findings = ctx.findings.filter((f) => p.triggeredBy.includes(f.id)).sort((a, b) => SEVERITY_RANK[b.severity] - SEVERITY_RANK[a.severity]);
  const keys = p.members.filter((m) => m.role === 'key');
  const key = keys[0]!;
  const refs = p.members.filter((m) => m.role === 'reference' && m.needsChange);
  const conn = ctx.connection;
  const mysql = conn ? mysqlClient(conn) : `mysql -h <host of ${p.shard}> -u <migration user>`;
  const tables: { database: string; table: string }[] = [];
  for (const m of p.members) if (!tables.some((t) => t.database === m.ref.database && t.table === m.ref.table)) tables.push({ database: m.ref.database, table: m.ref.table });
  const dbs = [...new Set(p.members.map((m) => m.ref.database))];
  const copies = p.steps.filter((s) => s.estimate);
  const tools = [...new Set(copies.map((s) => s.tool).filter(Boolean))];
  const out: string[] = [];
  const worst = findings[0];
  const keyNames = p.keys.map((k) => `\`${k.table}.${k.column}\``);

  out.push(
    p.keys.length === 1
      ? `# Runbook: widen \`${p.key.table}.${p.key.column}\` and everything that references it`
      : `# Runbook: widen ${keyNames.slice(0, -1).join(', ')} and ${keyNames[keyNames.length - 1]}, and everything that references them`,
    '',
  );
  out.push(`Shard **${p.shard}**, database **${p.database}**. Severity **${p.worstSeverity}**. Group id \`${p.id}\`.`, '');
  if (p.keys.length > 1) {
    out.push(
      `These keys are widened together because their changes touch the same tables: each table is copied once, with every change to it in one run (a second copy of a table would meet constraint names the first one changed). Group ids: ${p.groups.map((g) => `\`${g}\``).join(', ')}.`,
      '',
    );
  }
  const decisions = p.steps.filter((s) => s.kind === 'blocked');
  if (p.blocked.length) {
    out.push('> **Do not start: this plan is blocked.** Read these before anything else:', ...p.blocked.map((b) => `> - ${b}`), '');
  }
  if (decisions.length) {
    out.push('## Decision needed before anything runs', '');
    out.push('No tool the policy allows can change the tables below. Choose one option per table with the people who own the application, apply what it says, then **generate this runbook again**: the step then has its commands. Nothing in this section is part of the steps.', '');
    for (const s of decisions) {
      out.push(`### ${s.table}`, '');
      (s.options ?? []).forEach((o, i) => {
        out.push(`**Option ${String.fromCharCode(65 + i)}: ${o.title}.** ${o.cost} To choose it: ${o.choose}`, '');
        out.push('```text', ...o.commands, '```', '');
      });
    }
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
    '**What the application will see while this runs:**',
    '',
    ...applicationEffects(p, ctx.policy).map((l) => `- ${l}`),
    '',
  );

  // 2. Dependencies
  out.push('## 2. Dependencies — every column that changes together', '');
  out.push('> **Widening the key alone is not enough.** Each column below stores ids of the key. If the key is wider than a column that stores its ids, writes fail when the ids outgrow that column. That is exactly the February 2024 outage: `message_threads.id` was already BIGINT, four INT columns referencing it were not.', '');
  out.push('| column | role | current type | new type | found by |', '|---|---|---|---|---|');
  for (const m of p.members) {
    const found =
      m.role === 'key'
        ? '—'
        : m.source === 'declared'
          ? `declared constraint \`${m.constraint}\``
          : m.source === 'configured'
            ? `configured (${m.evidence})`
            : m.source === 'model'
              ? `the app's models (${m.evidence})`
              : m.source === 'vschema'
                ? `the VSchema (${m.evidence})`
                : `inferred by naming (${m.evidence?.replace(/^naming: /, '')})`;
    const of = p.keys.length > 1 && m.group ? ` of \`${m.group.slice(m.group.lastIndexOf('/') + 1)}\`` : '';
    out.push(`| \`${m.ref.database}.${m.ref.table}.${m.ref.column}\` | ${m.role === 'key' ? 'the key' : `stores its ids${of}`} | ${m.current.columnType} | ${m.needsChange ? formatType(m.target) : 'no change'} | ${found} |`);
  }
  out.push('', 'Inferred references come from Rails naming: check them against the application code. If one is wrong, add it to `ignore:` in the headroom config; if a reference is missing, add it to `relationships:`.', '');

  // 3. Pre-checks
  const checks = preChecks(p, ctx.policy);
  out.push(
    '## 3. Pre-checks',
    '',
    `Connect to **${p.shard}**: \`${mysql}\`, as the account that will run the migration. ` +
      (tools.length > 0 && tools.every((t) => t === 'vitess')
        ? 'The steps go through vtctld, not this connection; for the checks below it needs PROCESS and TRIGGER — not the read-only account headroom scans with: '
        : `It needs ${grantsNeeded(tools)} — not the read-only account headroom scans with: `) +
      'without PROCESS the lock and transaction checks below show only your own session, and without TRIGGER the trigger check sees no trigger: both would pass when they should not. ' +
      '**If a pre-check fails, do not start: fix it or escalate.**',
    '',
    `All the checks that a query can answer, in one command, run where the runbooks were generated (beside the headroom config). It connects as ${conn?.user ? `\`${conn.user}\`` : 'the migration account'} (policy.migrationUser), with the password from \`~/.my.cnf\` [client], like the tools; read-only; exit 0 when every check passes, 1 otherwise:`,
    '',
    '```',
    `${ctx.policy.headroomCommand} precheck ${sh(ctx.runbookDir ? join(ctx.runbookDir, runbookFileName(p.id)) : runbookFileName(p.id))}${ctx.scanCommand.includes(' --config ') ? ` --config ${ctx.scanCommand.slice(ctx.scanCommand.indexOf(' --config ') + 10).split(' ')[0]}` : ''}`,
    '```',
    '',
    'Or run each query yourself; the expected answer is under it.',
    '',
  );
  checks.forEach((c, i) => {
    out.push(`**${i + 1}. ${c.title}**`, '', '```', c.sql, '```', '', `Expect: ${c.expectText} ${c.failText}`, '');
  });
  // Machine-readable copy for `headroom precheck` (an HTML comment: invisible when rendered).
  out.push(`<!-- headroom-precheck ${JSON.stringify({ shard: p.shard, group: p.id, checks }).replace(/--/g, '-\\u002d')} -->`, '');
  out.push('Checks a query cannot answer:', '');
  out.push(`- **Free disk** (the copy writes a full new table): \`SELECT @@datadir;\`, then on the server \`df -h <datadir>\`. Expect at least **${bytes(p.total.diskBytes)}** free plus the binlogs below, with room to spare.`);
  const binlog = copies.reduce<bigint | null>((n, s) => (n === null || s.estimate!.binlogBytes === null ? null : n + s.estimate!.binlogBytes), 0n);
  out.push(`- **Binlog retention** (\`SELECT @@log_bin, @@binlog_format, @@binlog_row_image, @@expire_logs_days;\`): longer than the copy (${duration(p.total.secondsHigh)} at the slow end), with ~${bytes(binlog)} of extra binlog space.`);
  out.push('- **Replica lag**, on each replica: `SHOW REPLICA STATUS;` (`SHOW SLAVE STATUS` on older servers). Expect `Seconds_Behind_Master` / `Seconds_Behind_Source` near 0: the tools throttle on lag, so a lagging replica makes the copy much slower.');
  out.push('- **Row counts before** (keep the answers for section 5; on a very large table run them on a replica, `COUNT(*)` reads the whole table):', '', '  ```');
  for (const t of tables) out.push(`  SELECT ${sqlString(`${t.database}.${t.table}`)} AS tbl, COUNT(*) AS row_count FROM ${qt(t.database, t.table)};`);
  out.push('  ```', '');

  // 4. Steps
  const viaVtctld = p.steps.some((st) => st.tool === 'vitess' && st.commands.length > 0);
  out.push(
    '## 4. Steps',
    '',
    `Run the steps in order, on **${p.shard}**. SQL blocks run in \`${mysql}\` (its password from \`~/.my.cnf\` [client], as for the tools; add \`-p\` to be asked instead); ` +
      (viaVtctld
        ? 'vtctldclient blocks where vtctldclient can reach vtctld, as an identity allowed to apply schema changes to the keyspace (Vitess permissions, not the tablets\' MySQL grants); other shell blocks on a host that has the tool and a `~/.my.cnf` with the credentials.'
        : 'shell blocks on a host that has the tool and a `~/.my.cnf` with the credentials (never put a password on the command line).'),
    '',
  );
  for (const s of p.steps) out.push(...renderStep(s, ctx.policy, conn));

  // 5. Verify
  out.push('## 5. Verify', '', 'Every column has its new type:', '', '```');
  for (const db of dbs) {
    const cols = p.members.filter((m) => m.ref.database === db).map((m) => `(${sqlString(m.ref.table)}, ${sqlString(m.ref.column)})`);
    out.push(`SELECT TABLE_NAME, COLUMN_NAME, COLUMN_TYPE FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ${sqlString(db)} AND (TABLE_NAME, COLUMN_NAME) IN (${cols.join(', ')}) ORDER BY TABLE_NAME, COLUMN_NAME;`);
  }
  out.push(
    '```',
    '',
    `Expect: ${p.members.map((m) => `\`${m.ref.table}.${m.ref.column}\` ${formatType(m.needsChange ? m.target : m.current)}`).join(', ')} ` +
      '(MariaDB and MySQL 5.7 add a display width, e.g. `bigint(20)`, `int(10) unsigned`: same type).',
    '',
  );
  // The constraints the plan touches (dropped and re-added, or renamed by a tool and given back): all keep their names.
  const touched = new Map<string, { database: string; table: string; name: string }>();
  for (const m of p.members) if (m.constraint) touched.set(`${m.ref.database}.${m.ref.table}.${m.constraint}`, { database: m.ref.database, table: m.ref.table, name: m.constraint });
  for (const st of p.steps) for (const r of st.renames ?? []) touched.set(`${r.database}.${r.table}.${r.from}`, { database: r.database, table: r.table, name: r.from });
  if (touched.size) {
    const list = [...touched.values()].sort((a, b) => compareText(`${a.database}.${a.table}.${a.name}`, `${b.database}.${b.table}.${b.name}`));
    out.push('Constraints exist under their own names and point at the right tables:', '', '```');
    for (const db of [...new Set(list.map((c) => c.database))]) {
      const here = list.filter((c) => c.database === db);
      out.push(
        `SELECT TABLE_NAME, CONSTRAINT_NAME, REFERENCED_TABLE_NAME FROM information_schema.REFERENTIAL_CONSTRAINTS WHERE CONSTRAINT_SCHEMA = ${sqlString(db)} AND TABLE_NAME IN (${[...new Set(here.map((c) => sqlString(c.table)))].join(', ')}) ORDER BY TABLE_NAME, CONSTRAINT_NAME;`,
      );
    }
    out.push(
      '```',
      '',
      `Expect, among the rows: ${list.map((c) => `\`${c.name}\` on \`${c.table}\``).join(', ')}, each pointing at the table it pointed at before (never a \`_…_old\` table). ` +
        'The steps gave back every name a tool changed, so a name with a leading `_` that is not in this list was not made by this plan: find out who made it before you go on.',
      '',
    );
  }
  const leftovers = leftoverQueries(p);
  if (leftovers.length) out.push('No tool table or trigger is left behind:', '', '```', ...leftovers, '```', '', 'Expect: no rows.', '');
  out.push('Row counts match the ones from the pre-checks (plus whatever the application inserted meanwhile): re-run the row count queries from section 3.', '');
  out.push('Finally, headroom itself must come back clean for these keys:', '', '```');
  for (const k of p.keys) out.push(`${ctx.scanCommand} --only ${k.database}.${k.table}.${k.column}`);
  const sequenceKey = p.warnings.find((w) => w.includes('gets its ids from Vitess sequence'));
  out.push(
    '```',
    '',
    sequenceKey
      ? `Expect no finding for this shard's columns (${p.shard}). The key takes its ids from a Vitess sequence shared by every shard of its keyspace: until the runbooks of the other shards are done too, the scan still reports the sequence against the narrowest shard (and the drift between shards), and exits 1. That is expected here; the keyspace is done when the last shard's runbook is, and the scan then exits 0.`
      : 'Expect exit code 0 and no finding for these columns.',
    '',
  );

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
  if (s.kind === 'blocked') {
    out.push(
      '**Blocked: do not start the runbook.** No tool the policy allows can change this table, and skipping it would leave a column narrower than its key. ' +
        'See "Decision needed" at the top: choose an option, then generate the runbook again; this step then has its commands.',
      '',
    );
    if (s.estimate) out.push(`Size: ${durationRange(s.estimate.secondsLow, s.estimate.secondsHigh)} of copying at ${policy.copyRowsPerSecond} rows/s.`, '');
    return out;
  }
  if (s.tool) out.push(`Tool: **${s.tool}**${s.toolReason ? ` — ${s.toolReason}` : ''}.`, '');
  if (s.estimate) {
    out.push(`Expected: ${durationRange(s.estimate.secondsLow, s.estimate.secondsHigh)}; free disk ${bytes(s.estimate.diskBytes)}; binlog ${bytes(s.estimate.binlogBytes)}.`, '');
  } else if (s.kind === 'drop-fk' || s.kind === 'add-fk' || s.kind === 'rename-fk') {
    out.push('Expected: seconds (metadata only), once no transaction holds the table.', '');
  }
  for (const n of s.notes) out.push(`- ${n}`);
  if (s.notes.length) out.push('');
  if (s.commands.length === 0) {
    // A Vitess migration another group (shard) submits for the whole keyspace.
    out.push('Nothing to run on this shard: see the note above.', '');
    return out;
  }
  const isShell = s.tool !== undefined && s.tool !== 'direct';
  if (s.tool === 'gh-ost') {
    out.push('Dry run first, then the real run (it waits before cutting over while the flag file exists):', '');
  } else if (s.tool === 'pt-online-schema-change') {
    out.push('The first command is a dry run (creates and alters the new table, copies nothing). Run the second only if the first **exits 0** (`echo $?` prints 0) and printed no `Error` line — a failed dry run also ends with "Dry run complete".', '');
  } else if (s.tool === 'vitess' && s.kind === 'copy') {
    out.push('The first command only submits the migration and returns at once; the second shows its progress; the third cuts over, on every shard of the keyspace.', '');
  }
  out.push(isShell ? '```sh' : '```sql', ...s.commands, '```', '');
  out.push(`**Watch:** ${watchText(s, conn)}`, '', `**Done when:** ${doneText(s, policy, conn)}`, '');
  return out;
}

function watchText(s: Step, conn?: Connection): string {
  if (s.kind === 'sequence-fix') {
    return s.tool === 'vitess' ? 'vtctldclient prints what vtctld did (ApplyVSchema: the VSchema it saves) or an error.' : 'one statement on one row: it returns at once.';
  }
  switch (s.tool) {
    case 'pt-online-schema-change':
      return 'it prints `Copying … X% … remain` to stderr every 30 s; `SHOW PROCESSLIST` shows its INSERT … SELECT chunks.';
    case 'gh-ost':
      return `\`echo status | nc -U ${ghostSocketFile(s.database!, s.table!, conn)}\` prints progress, ETA and lag; it also logs progress lines.`;
    case 'spirit':
      return 'Spirit logs copy progress and an ETA.';
    case 'vitess':
      return 'the second command (`OnlineDDL show`) prints the migration\'s `migration_status` and `progress`; run it until the status is `ready_to_complete`.';
    case 'direct':
      return 'in another session, `SELECT ID, TIME, STATE, PROGRESS FROM information_schema.PROCESSLIST WHERE INFO LIKE \'ALTER TABLE%\';` (MariaDB shows PROGRESS; MySQL: performance_schema stage events). Writes to the table wait until it ends.';
    default:
      return s.kind === 'orphan-check'
        ? 'a single SELECT; on a big table it takes a while (full scan).'
        : 'the statement returns in seconds. If it hangs, another transaction holds the table: see the lock checks in section 3.';
  }
}

function doneText(s: Step, policy: Policy, conn?: Connection): string {
  switch (s.kind) {
    case 'sequence-fix':
      return s.tool === 'vitess' ? 'the command exits 0 (`echo $?` prints 0) and prints no error.' : '`Query OK, 1 row affected`.';
    case 'copy':
      return s.tool === 'pt-online-schema-change'
        ? '`Successfully altered` is printed and the command exits 0.'
        : s.tool === 'gh-ost'
          ? `after you remove \`${ghostFlagFile(s.database!, s.table!, conn)}\`, gh-ost prints "Done migrating" and exits 0.`
          : s.tool === 'spirit'
            ? 'after you run the last command (it drops `_spirit_sentinel`), Spirit cuts over, logs that the migration is complete and exits 0.'
            : s.tool === 'vitess'
              ? '`OnlineDDL show` prints `migration_status` `complete` for the id in the commands.'
              : 'the tool exits 0 after its cut-over.';
    case 'direct-alter':
      return `the ALTER returns \`Query OK\`. If it fails with "Lock wait timeout exceeded", a transaction held the table longer than ${policy.lockWaitTimeoutSeconds} s: check section 3 and retry.`;
    case 'orphan-check':
      return '`orphans` is 0. Otherwise stop: list them with the same query, `SELECT c.* … LIMIT 100` instead of `SELECT COUNT(*) AS orphans …`, decide with the application owners, then re-run.';
    case 'drop-fk':
      return '`SHOW CREATE TABLE` no longer lists the constraint.';
    case 'add-fk':
      return '`SHOW CREATE TABLE` lists the constraint again, pointing at the key\'s table.';
    case 'rename-fk':
      return `\`SHOW CREATE TABLE\` lists ${(s.renames ?? []).map((r) => `\`${r.from}\``).join(', ')} again, and no \`${(s.renames ?? [])[0]?.to ?? '_…'}\`.`;
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
    case 'rename-fk':
      return 'one ALTER per table, each all-or-nothing: if one fails (lock wait timeout), the constraint still has the name the tool gave it and still works; re-run the block.';
    case 'blocked':
      return undefined;
    case 'sequence-fix':
      return 'one statement or command: it either happened or did not (the sequence is then as broken as before). Nothing to clean up; re-run it.';
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
      if (s.tool === 'spirit') return 'Ctrl-C before cut-over; it leaves `_' + t + '_new` and its checkpoint table `_' + t + '_chkpnt`: drop them (SQL below), and `_spirit_sentinel` if you will not run it again soon.';
      if (s.tool === 'vitess') {
        const m = /OnlineDDL complete (\S+) (\S+)/.exec(s.commands[2] ?? '');
        return m
          ? `before completion: \`${s.commands[2]!.slice(0, s.commands[2]!.indexOf(' OnlineDDL '))} OnlineDDL cancel ${m[1]} ${m[2]}\`. After completion Vitess can revert it (\`ApplySchema --ddl-strategy vitess --sql "revert vitess_migration '${m[2]}'" ${m[1]}\`).`
          : 'nothing to stop on this shard: the migration is submitted and completed from the group that carries the commands.';
      }
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
    let content = renderRunbook(p, { findings: ctx.findings, policy: ctx.policy, scanCommand: ctx.scanCommand, ...(ctx.runbookDir ? { runbookDir: ctx.runbookDir } : {}), ...(conn ? { connection: conn } : {}) });
    const missing = placeholdersIn(content);
    if (missing.length) {
      const nl = content.indexOf('\n\n');
      content =
        content.slice(0, nl + 2) +
        `> **This runbook has placeholders: ${missing.map((m) => `\`${m}\``).join(', ')}.** Replace every one in every step before you start (in a shell, \`<…>\` is a redirection, not a value). Better: set what is missing in the config and generate it again.\n\n` +
        content.slice(nl + 2);
    }
    return { path: runbookFileName(p.id), groupId: p.id, content };
  });
}

/**
 * For each key planned together with others (plan.groups beyond the first), a short file under the
 * key's own runbook name that points at the runbook that widens it: links from findings
 * (`runbookLink`) name the key's own group.
 */
export function runbookAliases(plan: Plan): RunbookFile[] {
  const out: RunbookFile[] = [];
  for (const p of plan.plans) {
    for (const g of p.groups.slice(1)) {
      const target = runbookFileName(p.id);
      out.push({
        path: runbookFileName(g),
        groupId: g,
        content: `# \`${g}\` is widened in [${target}](${target})\n\nIts changes touch tables that other keys' changes touch too, so they are planned as one runbook: each table is copied once. Follow [${target}](${target}) (keys: ${p.groups.map((x) => `\`${x}\``).join(', ')}).\n`,
      });
    }
  }
  return out;
}

/** index.md: every runbook, worst first. */
export function renderIndex(plan: Plan, findings: readonly Finding[]): string {
  const out = ['# Runbooks', '', 'One per widening group, worst first. Each one is self-contained: summary, dependencies, pre-checks, steps, verify, application, abort, and what to do if time runs out.', ''];
  out.push('| severity | keys | columns | copy time | blocked | runbook |', '|---|---|---|---|---|---|');
  const plans = [...plan.plans].sort(
    (a, b) => SEVERITY_RANK[b.worstSeverity] - SEVERITY_RANK[a.worstSeverity] || (a.kind ? 0 : 1) - (b.kind ? 0 : 1) || worstRatio(b, findings) - worstRatio(a, findings) || compareText(a.id, b.id),
  );
  for (const p of plans) {
    out.push(
      `| ${p.worstSeverity} | ${p.groups.map((g) => `\`${g}\``).join('<br>')} | ${p.members.length} | ${durationRange(p.total.secondsLow, p.total.secondsHigh)} | ${p.blocked.length ? '**yes: do not start**' : 'no'} | [${runbookFileName(p.id)}](${runbookFileName(p.id)}) |`,
    );
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
  if (s.tool === 'spirit') return [`DROP TABLE IF EXISTS ${qt(db, `_${t}_new`)}, ${qt(db, `_${t}_chkpnt`)};`];
  return [];
}


/** The grants the runbook's account needs, for the tools the plan uses (each tool's documentation). */
function grantsNeeded(tools: (string | undefined)[]): string {
  // TRIGGER for every plan: information_schema.TRIGGERS shows only the tables the account has it on.
  const base = ['ALTER', 'CREATE', 'DROP', 'INSERT', 'UPDATE', 'DELETE', 'SELECT', 'REFERENCES', 'PROCESS', 'TRIGGER'];
  if (tools.includes('gh-ost')) base.push('INDEX', 'LOCK TABLES', 'TRIGGER', 'REPLICATION CLIENT and REPLICATION SLAVE (global)');
  if (tools.includes('spirit')) base.push('INDEX', 'LOCK TABLES', 'RELOAD', 'REPLICATION CLIENT and REPLICATION SLAVE (global)', 'CONNECTION_ADMIN (to kill blockers)');
  return `${[...new Set(base)].join(', ')} on these tables`;
}

/** What the application sees while the plan runs, by the steps it has. */
function applicationEffects(p: WideningPlan, policy: Policy): string[] {
  const out: string[] = [];
  const kinds = new Set(p.steps.map((s) => s.kind));
  const tools = new Set(p.steps.map((s) => s.tool));
  if (tools.has('pt-online-schema-change')) {
    out.push(
      'pt-online-schema-change: when it creates its triggers and at the swap (RENAME), transactions writing the table can fail with `ERROR 1213 Deadlock found` or `ERROR 1205 Lock wait timeout exceeded`. ' +
        `They roll back whole (nothing committed is lost), so **the application must retry them**; each pause lasts at most lock_wait_timeout (${policy.lockWaitTimeoutSeconds} s, policy.lockWaitTimeoutSeconds). Seen in tests: 0–3 failed transactions per copy under a steady writer.`,
    );
  }
  if (tools.has('gh-ost')) out.push('gh-ost: at cut-over, writes to the table wait up to --cut-over-lock-timeout-seconds while it swaps.');
  if (tools.has('spirit')) out.push('Spirit: at cut-over, writes wait for its table lock; Spirit kills connections that block it shortly before --lock-wait-timeout.');
  if (kinds.has('direct-alter')) {
    const ds = p.steps.filter((s) => s.kind === 'direct-alter');
    out.push(`Direct ALTER: **writes to ${ds.map((s) => `\`${s.table}\``).join(', ')} wait for the whole copy** (${ds.map((s) => durationRange(s.estimate!.secondsLow, s.estimate!.secondsHigh)).join(', ')}); reads continue. Requests that write it queue or time out.`);
  }
  if (kinds.has('drop-fk') || kinds.has('add-fk') || kinds.has('rename-fk')) {
    out.push(`Constraint steps: a brief exclusive metadata lock each; a transaction that holds the table makes them wait (at most ${policy.lockWaitTimeoutSeconds} s), and writes queue behind them meanwhile.`);
  }
  if (kinds.has('drop-fk')) out.push('While a constraint is dropped, the database does not stop rows pointing at missing parents (nor cascade deletes): the orphan check finds what was written meanwhile.');
  if (out.length === 0) out.push('Nothing on the database side; the application restart at the end.');
  return out;
}

/** The read-only pre-checks of a plan, in order. */
export function preChecks(p: WideningPlan, policy: Policy): PreCheck[] {
  const out: PreCheck[] = [];
  const dbs = [...new Set(p.members.map((m) => m.ref.database))];
  out.push({
    title: 'This session can see other sessions (PROCESS)',
    sql: "SELECT COUNT(*) AS has_process FROM information_schema.USER_PRIVILEGES WHERE PRIVILEGE_TYPE = 'PROCESS' AND GRANTEE = CONCAT(\"'\", SUBSTRING_INDEX(CURRENT_USER(), '@', 1), \"'@'\", SUBSTRING_INDEX(CURRENT_USER(), '@', -1), \"'\");",
    expect: { kind: 'rows', rows: [['1']] },
    expectText: '1.',
    failText: 'Otherwise the two checks after this one see only this session and prove nothing: connect as the migration account.',
  });
  out.push({
    title: 'No long-running transactions (an ALTER waits for them, and everything queues behind the ALTER)',
    sql: 'SELECT trx_mysql_thread_id AS thread, trx_started, TIMESTAMPDIFF(SECOND, trx_started, NOW()) AS seconds FROM information_schema.INNODB_TRX WHERE trx_started < NOW() - INTERVAL 60 SECOND;',
    expect: { kind: 'no-rows' },
    expectText: 'no rows.',
    failText: 'Otherwise find the owner (`SHOW PROCESSLIST`) and wait, or ask before killing it.',
  });
  out.push({
    title: 'No session waiting for a metadata lock',
    sql: "SELECT ID, USER, TIME, STATE, LEFT(INFO, 120) AS query FROM information_schema.PROCESSLIST WHERE STATE LIKE '%metadata lock%';",
    expect: { kind: 'no-rows' },
    expectText: 'no rows.',
    failText: 'Otherwise something already queues on a table: wait until it clears.',
  });
  for (const db of dbs) {
    const cols = p.members.filter((m) => m.ref.database === db).sort((a, b) => compareText(a.ref.table, b.ref.table) || compareText(a.ref.column, b.ref.column));
    out.push({
      title: `The columns still have the types this plan was made from (${db})`,
      sql: `SELECT TABLE_NAME, COLUMN_NAME, COLUMN_TYPE FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ${sqlString(db)} AND (TABLE_NAME, COLUMN_NAME) IN (${cols.map((m) => `(${sqlString(m.ref.table)}, ${sqlString(m.ref.column)})`).join(', ')}) ORDER BY TABLE_NAME, COLUMN_NAME;`,
      expect: { kind: 'rows', rows: cols.map((m) => [m.ref.table, m.ref.column, m.current.columnType]) },
      expectText: cols.map((m) => `\`${m.ref.table}.${m.ref.column}\` ${m.current.columnType}`).join(', ') + '.',
      failText: 'Otherwise they changed since the plan was made: if they already have their new types (section 5\'s query), this runbook is done — run section 5 only; if not, generate the plan and this runbook again.',
    });
  }
  const copied = p.steps.filter((s) => s.tool === 'pt-online-schema-change' || s.tool === 'gh-ost' || s.tool === 'spirit');
  for (const db of [...new Set(copied.map((s) => s.database!))]) {
    out.push({
      title: `No triggers on the tables the copy tools copy (${db}): they refuse such tables`,
      sql: `SELECT EVENT_OBJECT_TABLE, TRIGGER_NAME FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = ${sqlString(db)} AND EVENT_OBJECT_TABLE IN (${[...new Set(copied.filter((s) => s.database === db).map((s) => sqlString(s.table!)))].join(', ')});`,
      expect: { kind: 'no-rows' },
      expectText: 'no rows.',
      failText: p.warnings.some((w) => w.includes('cannot see triggers'))
        ? 'Otherwise the table has a trigger the scan account could not see (it has no TRIGGER privilege): do not start. Grant the scan account TRIGGER on the database (or plan with an account that has it) and generate the plan again: the table needs another path.'
        : 'Otherwise a trigger was added since the plan: generate it again (the table needs another path).',
    });
  }
  for (const q of leftoverQueries(p)) {
    out.push({
      title: `Nothing left over from an earlier, interrupted run (${q.includes('TRIGGERS') ? 'pt-online-schema-change triggers' : 'tool tables'})`,
      sql: q,
      expect: { kind: 'no-rows' },
      expectText: 'no rows.',
      failText: 'Otherwise an earlier run stopped half-way: clean it up with section 7 first (the tools refuse to start over their own leftovers).',
    });
  }
  const constraints = new Map<string, { database: string; table: string; name: string }>();
  for (const s of p.steps) {
    if (s.kind === 'drop-fk') {
      const name = /DROP FOREIGN KEY (`(?:[^`]|``)+`)/.exec(s.commands.join(' '))?.[1];
      if (name) constraints.set(`${s.database}.${s.table}.${name}`, { database: s.database!, table: s.table!, name: name.slice(1, -1).replace(/``/g, '`') });
    }
    for (const r of s.renames ?? []) constraints.set(`${r.database}.${r.table}.${r.from}`, { database: r.database, table: r.table, name: r.from });
  }
  for (const db of [...new Set([...constraints.values()].map((c) => c.database))]) {
    const list = [...constraints.values()].filter((c) => c.database === db).sort((a, b) => compareText(a.table, b.table) || compareText(a.name, b.name));
    out.push({
      title: `The constraints the steps name exist under those names (${db})`,
      sql: `SELECT TABLE_NAME, CONSTRAINT_NAME FROM information_schema.REFERENTIAL_CONSTRAINTS WHERE CONSTRAINT_SCHEMA = ${sqlString(db)} AND (TABLE_NAME, CONSTRAINT_NAME) IN (${list.map((c) => `(${sqlString(c.table)}, ${sqlString(c.name)})`).join(', ')}) ORDER BY TABLE_NAME, CONSTRAINT_NAME;`,
      expect: { kind: 'rows', rows: list.map((c) => [c.table, c.name]) },
      expectText: list.map((c) => `\`${c.name}\` on \`${c.table}\``).join(', ') + '.',
      failText: 'Otherwise a constraint was renamed or dropped since the plan (a tool run elsewhere?): generate the plan again.',
    });
  }
  const binlogTools = p.steps.some((s) => s.tool === 'gh-ost' || s.tool === 'spirit');
  if (binlogTools) {
    out.push({
      title: 'Binary log on, ROW format, FULL row image (gh-ost and Spirit read it)',
      sql: 'SELECT @@log_bin, UPPER(@@binlog_format), UPPER(@@binlog_row_image);',
      expect: { kind: 'rows', rows: [['1', 'ROW', 'FULL']] },
      expectText: '`1`, `ROW`, `FULL`.',
      failText: 'Otherwise the tool cannot run: fix the server settings or generate the plan with another tool.',
    });
  }
  void policy;
  return out;
}

/** Queries that list tool tables and triggers a copy of the plan's tables would leave. */
function leftoverQueries(p: WideningPlan): string[] {
  const out: string[] = [];
  const copied = p.steps.filter((s) => s.kind === 'copy' && s.table);
  for (const db of [...new Set(copied.map((s) => s.database!))]) {
    const names = copied
      .filter((s) => s.database === db)
      .flatMap((s) =>
        s.tool === 'pt-online-schema-change'
          ? [`_${s.table}_new`, `_${s.table}_old`]
          : s.tool === 'gh-ost'
            ? [`_${s.table}_gho`, `_${s.table}_ghc`, `_${s.table}_del`]
            : s.tool === 'spirit'
              ? [`_${s.table}_new`, `_${s.table}_old`, `_${s.table}_chkpnt`]
              : [],
      );
    if (names.length) out.push(`SELECT TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA = ${sqlString(db)} AND TABLE_NAME IN (${[...new Set(names)].map(sqlString).join(', ')});`);
    if (copied.some((s) => s.database === db && s.tool === 'pt-online-schema-change')) {
      out.push(`SELECT TRIGGER_NAME FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = ${sqlString(db)} AND TRIGGER_NAME LIKE 'pt\\_osc\\_%';`);
    }
  }
  return out;
}

/** The pre-checks embedded in a runbook (`headroom precheck`), or undefined when it has none. */
export function embeddedPreChecks(markdown: string): { shard: string; group: string; checks: PreCheck[] } | undefined {
  const m = /<!-- headroom-precheck (\{[\s\S]*?\}) -->/.exec(markdown);
  if (!m) return undefined;
  return JSON.parse(m[1]!) as { shard: string; group: string; checks: PreCheck[] };
}

/** The runbook of a broken Vitess sequence: repaired, not widened (src/vitess/fix.ts). */
function renderSequenceFix(p: WideningPlan, ctx: RunbookContext): string {
  const fix = p.fix!;
  const findings = ctx.findings.filter((f) => p.triggeredBy.includes(f.id));
  const conn = ctx.connection;
  const mysql = conn ? mysqlClient(conn) : `mysql -h <host of ${p.shard}> -u <migration user>`;
  const row = `${qt(fix.database, fix.table)}`;
  const out: string[] = [];
  out.push(`# Runbook: repair Vitess sequence \`${fix.sequence}\` (feeds \`${p.key.table}.${p.key.column}\`)`, '');
  out.push(`Sequence on shard **${p.shard}**, database **${fix.database}**. Severity **${p.worstSeverity}**. Group id \`${p.id}\`.`, '');
  if (p.blocked.length) out.push('> **Do not start: this plan is blocked.** Read these before anything else:', ...p.blocked.map((b) => `> - ${b}`), '');
  out.push('## 1. Summary', '');
  for (const f of findings) out.push(`**What is broken:** ${f.message}`, '');
  out.push(
    '**Why not widen:** the column is not what fails. vttablet cannot hand out (unique) ids from this sequence, so inserts that need one fail (or collide). The fix is the sequence: its VSchema entry, its table or its row.',
    '',
    `**What the application sees until then:** ${fix.problem === 'behind-data' ? 'duplicate-key errors on inserts into the shards named above, for the ids that already exist there.' : `every insert into \`${p.key.table}\` that needs an id fails, on every shard of the keyspace.`} After the fix, nothing needs a restart.`,
    '',
  );
  out.push('## 2. What the steps change', '', `| sequence | problem | after the fix |`, '|---|---|---|');
  out.push(`| \`${fix.sequence}\` | ${fix.problem} | row id 0 with next_id ≥ ${groupDigits(BigInt(fix.nextId))}, cache ${fix.cache}${fix.problem === 'undeclared' ? '; declared {"type": "sequence"} in the VSchema' : ''} |`, '');
  out.push('## 3. Pre-checks', '', `Connect to **${p.shard}** (the sequence's shard): \`${mysql}\`. Read the sequence as it is now:`, '', '```', `SELECT id, next_id, cache FROM ${row};`, '```', '');
  out.push(`Expect what the scan saw (${fix.problem}). If the row already has next_id ≥ ${groupDigits(BigInt(fix.nextId))} and a cache ≥ 1, someone fixed it: run section 5 only.`, '');
  out.push('## 4. Steps', '', `Run the steps in order. SQL blocks run in \`${mysql}\` on **${p.shard}**; shell blocks where vtctldclient can reach vtctld, with the Vitess permissions to change the keyspace's schema and VSchema (not the tablets' MySQL grants).`, '');
  for (const st of p.steps) out.push(...renderStep(st, ctx.policy, conn));
  out.push('## 5. Verify', '', 'The sequence row:', '', '```', `SELECT id, next_id, cache FROM ${row} WHERE id = 0;`, '```', '', `Expect one row: id 0, next_id ≥ ${groupDigits(BigInt(fix.nextId))}, cache ≥ 1.`, '');
  if (fix.problem === 'undeclared') {
    const vt = p.steps.find((st) => st.tool === 'vitess')?.commands[0]?.split(' ApplyVSchema ')[0] ?? 'vtctldclient --server <vtctld host:port>';
    out.push('The VSchema declares it:', '', '```sh', `${vt} GetVSchema ${sh(fix.sequence.split('.')[0]!)}`, '```', '', `Expect \`"${fix.table}"\` under \`tables\` with \`"type": "sequence"\`.`, '');
  }
  out.push('Then headroom must come back clean for the key:', '', '```', `${ctx.scanCommand} --only ${p.key.database}.${p.key.table}.${p.key.column}`, '```', '', 'Expect exit code 0 and no finding for it.', '');
  out.push('## 6. Abort and roll back', '');
  for (const st of p.steps) out.push(`- **Step ${st.n} (${st.title})** — ${abortText(st, conn)}`);
  out.push('', '---', `Generated by headroom from finding${p.triggeredBy.length === 1 ? '' : 's'} ${p.triggeredBy.map((t) => `\`${t}\``).join(', ')}.`, '');
  return out.join('\n');
}
