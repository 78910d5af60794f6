/**
 * Command-line shell: parse, call the library, pick a reporter, return the exit code.
 * 0 clean · 1 findings at or above --fail-on · 2 bad usage/config/connection.
 */
import { Command, CommanderError, Option } from 'commander';
import { closeSync, existsSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { readdir, readFile, unlink, writeFile } from 'node:fs/promises';
import { sql } from 'kysely';
import { makeDirectory } from '../files.js';
import { join, relative, resolve, sep } from 'node:path';
import { CHECKS } from '../checks/registry.js';
import { inventoryFromFields, inventoryFromUrl, loadInventory, readClientOptions } from '../config/inventory.js';
import { Secret } from '../config/types.js';
import type { CheckConfig, Inventory } from '../config/types.js';
import { redact, fileErrorText, UsageError } from '../errors.js';
import { checkParts, loadParts, mergeReports, mergeSnapshots } from '../merge.js';
import { parsePartition } from '../partition.js';
import { attachRunbookLinks, embeddedPreChecks, findingsAbout, placeholdersIn, preChecks, renderIndex, renderRunbooks, runbookAliases } from '../runbook/runbook.js';
import { cellText, formatPreChecks, judge } from '../runbook/precheck.js';
import { collectFleet, collectShard, collectSnapshot, countRows, describeError, type CollectOptions, type CollectProgress } from '../introspect/collect.js';
import { applyOffsets, offsetStatements } from '../introspect/offsets.js';
import { lintInWorkspace } from '../introspect/workspace.js';
import { attachSources } from '../lint/ddl-positions.js';
import { repoRelativePath } from '../lint/repo-path.js';
import { runChecks } from '../checks/run.js';
import { checksFor } from '../checks/registry.js';
import { offsetsAllowed, planOffsets } from '../offsets/offsets.js';
import { formatJson, formatJsonChunks } from '../report/json.js';
import { formatTable } from '../report/table.js';
import { formatTsv } from '../report/tsv.js';
import { createBaseline, describeGate, evaluateGate, formatJsonWithBaseline, gateExitCode, readBaselineFile, writeBaselineFile, type Baseline } from '../baseline.js';
import { formatGithub } from '../report/github.js';
import { formatJunit } from '../report/junit.js';
import { formatMarkdown } from '../report/markdown.js';
import { formatSarif } from '../report/sarif.js';
import { readCheckDocs } from '../checks/docs.js';
import { DEFAULT_CHECK_CONFIG, exitCode, scanLive, scanSnapshot, type FailOn, type LiveScan } from '../scan.js';
import { loadSnapshot, serializeSnapshot } from '../snapshot/file.js';
import { SnapshotWriter } from '../snapshot/stream.js';
import type { Report, ShardError, ShardSnapshot, Snapshot } from '../model/types.js';
import type { Connection } from '../plan/commands.js';
import { openSession, setStatementLog } from '../connect/session.js';
import { matchesOnly, planWidenings } from '../plan/plan.js';
import type { Plan } from '../plan/types.js';
import { DEFAULT_POLICY } from '../plan/policy.js';
import { formatPlanJson, formatPlanMarkdown, formatPlanText } from '../report/plan.js';
import { doctorCommand, optionFileChoice } from '../doctor/command.js';
import { formatPrometheus } from '../report/prometheus.js';
import { KeyUsageCollector, keyUsageOf } from '../report/key-usage.js';
import { forecastFromHistory, historyConfigFor, importHistory, scanWithHistoryLive } from '../history/cli.js';
import { renderHtmlReport } from '../report/html.js';
import { reportInputFromJson, reportInputFromSnapshot } from '../report/html-input.js';
import { RAILS_OPTION_HELP, collect, relationsCommand } from '../rails/cli.js';
import { withRails } from '../rails/config.js';
import { lintSchemaRb } from '../rails/lint.js';

export interface Io {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  env: Record<string, string | undefined>;
  /** Whether stdout / stderr are terminals (colour, progress). */
  stdoutIsTTY: boolean;
  stderrIsTTY: boolean;
  /** The terminal's width, when stdout is one (the table is compact under 100 columns). */
  stdoutColumns?: number;
}

export function processIo(): Io {
  return {
    stdout: (t) => process.stdout.write(t),
    stderr: (t) => process.stderr.write(t),
    env: process.env,
    stdoutIsTTY: Boolean(process.stdout.isTTY),
    stderrIsTTY: Boolean(process.stderr.isTTY),
    ...(process.stdout.isTTY && process.stdout.columns ? { stdoutColumns: process.stdout.columns } : {}),
  };
}

const VERSION = '0.1.0';

interface SourceOptions {
  config?: string;
  /** The mysql client's one-server flags: -h -P -u -p -S. */
  host?: string;
  port?: string;
  user?: string;
  password?: string | true;
  socket?: string;
  snapshot?: string;
  quiet?: boolean;
  /** --defaults-file FILE: a MySQL option file instead of ~/.my.cnf. */
  defaultsFile?: string;
  /** false with --no-defaults: read no option file. */
  defaults?: boolean;
  /** --partition i/n: a stable share of the (shard, database) pairs. */
  partition?: string;
  /** --gentle [ms]: one heavy catalog read at a time per server, pausing between them. */
  gentle?: string | true;
  /** --rails PATH (repeatable): Rails apps whose models give references (replace the config's rails:). */
  rails?: string[];
}

export async function main(argv: string[], io: Io = processIo()): Promise<number> {
  let code = 0;
  const program = new Command('headroom')
    .description('Finds integer keys close to their limit across sharded MySQL/MariaDB fleets — primary keys and every column that references them.')
    .version(VERSION)
    .exitOverride()
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr })
    .showSuggestionAfterError(true)
    // -h is the host, as in the mysql client (commands that connect take -h -P -u -p -S): help is --help.
    .helpOption('--help', 'display help');

  program
    .command('scan')
    .description('Read the fleet (or a snapshot) and report keys near their limit.')
    .argument('[url]', 'scan one server: mysql://user@host:3306 (instead of --config)')
    .option('-c, --config <file>', 'inventory YAML (shards, thresholds, relationships, ignore)')
    .option('-s, --snapshot <file>', 'scan a snapshot file written by `headroom snapshot` instead of live servers')
    .addOption(
      new Option('-f, --format <format>', 'output format; sarif, github, junit and markdown are for CI (docs/ci.md)')
        .choices(['table', 'json', 'tsv', 'sarif', 'github', 'junit', 'markdown', 'prometheus'])
        .default('table'),
    )
    .addOption(new Option('--fail-on <severity>', 'exit 1 when a finding is at or above this').choices(['critical', 'warning', 'never']).default('critical'))
    .option('-o, --out <file>', 'write the report to a file instead of stdout')
    .option('--only <column>', 'only findings about this column or the key it references: table.column, db.table.column or shard/db/table.column')
    .option('--baseline <file>', 'findings in this file (from --write-baseline) are reported but do not fail; new or more severe ones do')
    .option('--write-baseline <file>', 'write the current findings to this baseline file and accept them: exit 0 unless a shard could not be read')
    .option('--history [store]', 'record every counter and forecast days left (migration-aware severity): a directory (default .headroom/history) or mysql://user@host:3306/database; see docs/history-and-forecast.md')
    .option('-q, --quiet', 'no progress line on stderr')
    .option('--max-age <days>', 'with --snapshot: refuse a snapshot older than this many days (default 7 with --format sarif, github or junit; none otherwise)')
    .option('--partition <i/n>', 'read only a stable share of the (shard, database) pairs, e.g. 2/8; combine the parts with `headroom merge`')
    .option('--gentle [ms]', 'easy on production: one heavy catalog read at a time per server, pausing between them (default 500 ms)')
    .addOption(
      new Option('--prometheus-keys <which>', 'with --format prometheus: a gauge for every key and referencing column, one per shard × table × column with the worst database (grouped), one per database (per-database), or findings only (none); docs/alerts.md')
        .choices(['grouped', 'per-database', 'none'])
        .default('grouped'),
    )
    .action(
      async (
        url: string | undefined,
        opts: SourceOptions & {
          prometheusKeys: 'grouped' | 'per-database' | 'none';
          format: 'table' | 'json' | 'tsv' | 'sarif' | 'github' | 'junit' | 'markdown' | 'prometheus';
          failOn: FailOn;
          out?: string;
          only?: string;
          baseline?: string;
          writeBaseline?: string;
          history?: string | true;
        },
      ) => {
        // Read the baseline first: a bad file fails before any server is contacted.
        let baseline = opts.baseline ? await readBaselineFile(opts.baseline) : undefined;
        if (opts.format !== 'prometheus' && opts.prometheusKeys !== 'grouped') throw new UsageError(`--prometheus-keys ${opts.prometheusKeys}: applies to --format prometheus only`);
        // Every key's usage for the Prometheus gauges, gathered while each shard is at hand (a live scan lets it go after).
        let keys: KeyUsageCollector | undefined;
        const usage = opts.format === 'prometheus' && opts.prometheusKeys !== 'none' ? { perDatabase: opts.prometheusKeys === 'per-database' } : undefined;
        // A gate (the CI formats) on a stale snapshot must not pass: 7 days unless told otherwise.
        const rawAge = (opts as { maxAge?: string }).maxAge;
        const maxAge = rawAge !== undefined ? Number(rawAge) : ['sarif', 'github', 'junit'].includes(opts.format) ? 7 : undefined;
        if (maxAge !== undefined && (!Number.isFinite(maxAge) || maxAge <= 0)) throw new UsageError(`--max-age ${rawAge}: expected a number of days above 0`);
        const scanned = await scanSource(url, { ...opts, ...(maxAge !== undefined ? { maxAge } : {}) }, io, usage ? (shard, config) => (keys ??= new KeyUsageCollector(config, usage.perDatabase)).addShard(shard) : undefined);
        const { config, inventory } = scanned;
        // With --history or a history: block: forecasts and migration-aware severity (a no-op otherwise).
        // A live scan without a vitess: block did this shard by shard already (scanned.history).
        const history = scanned.history
          ? scanned.history
          : scanned.snapshot
            ? await forecastFromHistory(opts.history, scanned.report, scanned.snapshot, config, inventory, io.env)
            : { report: scanned.report, lastSuccess: undefined };
        let report = attachRunbookLinks(history.report, inventory?.runbookBaseUrl);
        if (opts.only) {
          report = findingsAbout(report, opts.only);
          // A typo must not read as "clean": the runbooks' Verify step relies on this exit code.
          if (!scanned.hasOnlyColumn) throw new UsageError(`--only ${opts.only}: matches no integer column in the scanned databases`);
        }
        if (opts.writeBaseline) baseline = await acceptBaseline(report, opts.writeBaseline, io);
        if (opts.format === 'json' && !baseline) {
          // Written a piece at a time: a fleet's report is tens of MB as one string.
          emitPieces(formatJsonChunks(report), opts.out, io);
        } else {
          const text =
            opts.format === 'tsv'
              ? formatTsv(report)
              : opts.format === 'prometheus'
              ? formatPrometheus(report, {
                  shards: scanned.shards,
                  scannedAt: Date.parse(scanned.takenAt),
                  ...(history.lastSuccess ? { lastSuccess: history.lastSuccess } : {}),
                  // A kept snapshot (--snapshot, or a vitess: block) is read whole, sequences applied; otherwise what was gathered shard by shard.
                  ...(usage ? { keys: scanned.snapshot ? keyUsageOf(scanned.snapshot, config, usage.perDatabase) : (keys?.series() ?? []) } : {}),
                })
              : // Anchor SARIF results at the inventory (or snapshot) file: GitHub code scanning needs a file per result.
                await renderGate(report, {
                  format: opts.format,
                  failOn: opts.failOn,
                  baseline,
                  anchor: opts.config ?? opts.snapshot,
                  color: useColor(opts.out, io, (opts as { color?: boolean }).color),
                  ...(opts.only ? { only: opts.only } : {}),
                  // COLUMNS as a shell sets it, else the terminal's own width (a table for a file is the wide one).
                  ...(!opts.out && (io.env.COLUMNS || io.stdoutColumns) ? { width: Number(io.env.COLUMNS) || io.stdoutColumns! } : {}),
                });
          await emit(text, opts.out, io);
        }
        code = gateExitCode(report, opts.failOn, baseline);
      },
    );

  program
    .command('snapshot')
    .description('Read the fleet and write its normalized catalog to a file, for offline `scan --snapshot`.')
    .argument('[url]', 'one server: mysql://user@host:3306 (instead of --config)')
    .option('-c, --config <file>', 'inventory YAML')
    .option('-o, --out <file>', 'where to write the snapshot (default: stdout)')
    .option('-q, --quiet', 'no progress line on stderr')
    .option('--partition <i/n>', 'read only a stable share of the (shard, database) pairs, e.g. 2/8; combine the parts with `headroom merge`')
    .option('--gentle [ms]', 'easy on production: one heavy catalog read at a time per server, pausing between them (default 500 ms)')
    .action(async (url: string | undefined, opts: SourceOptions & { out?: string }) => {
      if (opts.snapshot) throw new UsageError('snapshot: --snapshot makes no sense here; use --config or a URL');
      // Written shard by shard as they are read (src/snapshot/stream.ts): memory stays flat in the
      // size of the fleet. A file is written beside its name and renamed at the end: never half a snapshot.
      const live = await liveSource(url, opts, io);
      const out = opts.out ? openOutput(opts.out) : undefined;
      let errors: ShardError[];
      let read = 0;
      try {
        const writer = new SnapshotWriter(new Date().toISOString(), live.inventory.shards.length, out ? out.write : io.stdout, live.options.partition);
        await collectFleet(live.inventory, live.options, (result, i) => {
          if (result.snapshot) read++;
          writer.add(i, result);
        });
        live.done();
        errors = writer.finish();
        out?.commit();
      } finally {
        out?.discard();
      }
      const total = live.inventory.shards.length;
      if (opts.out) io.stdout(`wrote the snapshot of ${read === total ? '' : `${read} of `}${total} shard${total === 1 ? '' : 's'} to ${opts.out}\n`);
      for (const e of errors) io.stderr(`headroom: shard ${e.shard}: ${e.message}\n`);
      code = errors.length ? 2 : 0;
    });

  program
    .command('plan')
    .description('Turn findings into ordered migration plans: every column of each widening group, the tool, the commands, time and disk.')
    .argument('[url]', 'one server: mysql://user@host:3306 (instead of --config)')
    .option('-c, --config <file>', 'inventory YAML (its policy: block sets tools, copy rate, direct-ALTER limits)')
    .option('-s, --snapshot <file>', 'plan from a snapshot instead of live servers')
    .option('--only <column>', 'only the group containing this column: table.column, db.table.column or shard/db/table.column')
    .option('--finding <id>', 'only the group of this finding id (from scan --format json)')
    .option('--exact-rows', 'count the rows of every table to copy with SELECT COUNT(*) instead of the TABLE_ROWS estimate (a full index scan per table: slow on big tables; raise timeoutSeconds for them)')
    .addOption(new Option('-f, --format <format>', 'output format').choices(['text', 'json', 'markdown']).default('text'))
    .option('-o, --out <file>', 'write the plan to a file instead of stdout')
    .option('-q, --quiet', 'no progress line on stderr')
    .action(async (url: string | undefined, opts: SourceOptions & { only?: string; finding?: string; format: 'text' | 'json' | 'markdown'; out?: string; exactRows?: boolean }) => {
      const source = await readSource(url, opts, io);
      const { inventory } = source;
      let snapshot = source.snapshot;
      let { plan, report } = planFromSource(source, opts);
      if (opts.exactRows) {
        if (opts.snapshot || !inventory) throw new UsageError('--exact-rows counts rows on the servers: use it with --config or a URL, not --snapshot');
        // Count only the tables the plan copies, then plan again with the exact numbers.
        const tables = new Map<string, { database: string; table: string }[]>();
        for (const p of plan.plans) {
          let list = tables.get(p.shard);
          if (!list) tables.set(p.shard, (list = []));
          // Each table counted once, by name (a table is copied once per shard).
          for (const s of p.steps) if (s.estimate && s.database && s.table && !list.some((t) => t.database === s.database && t.table === s.table)) list.push({ database: s.database, table: s.table });
        }
        snapshot = await countRows(inventory, snapshot, tables);
        ({ plan, report } = planFromSource({ ...source, snapshot }, opts));
      }
      const text = opts.format === 'json' ? formatPlanJson(plan) : opts.format === 'markdown' ? formatPlanMarkdown(plan) : formatPlanText(plan);
      await emit(text, opts.out, io);
      for (const e of snapshot.errors) io.stderr(`headroom: shard ${e.shard} could not be read, nothing planned for it: ${e.message}\n`);
      code = snapshot.errors.length ? 2 : 0;
    });

  program
    .command('runbook')
    .description('Write one Markdown runbook per widening group (and index.md), followable at 3 a.m.')
    .argument('[url]', 'one server: mysql://user@host:3306 (instead of --config)')
    .option('-c, --config <file>', 'inventory YAML')
    .option('-s, --snapshot <file>', 'from a snapshot instead of live servers')
    .option('-o, --out <dir>', 'directory to write the runbooks into', 'runbooks')
    .option('--only <column>', 'only the group containing this column: table.column, db.table.column or shard/db/table.column')
    .option('--finding <id>', 'only the group of this finding id')
    .option('--stdout', 'print the runbook(s) instead of writing files')
    .option('--placeholders', 'write runbooks even when a setting they need is missing (policy.migrationUser, hosts, vitess.server): their commands then carry <…> placeholders to replace by hand')
    .option('-q, --quiet', 'no progress line on stderr')
    .action(async (url: string | undefined, opts: SourceOptions & { out: string; only?: string; finding?: string; stdout?: boolean; placeholders?: boolean }) => {
      const source = await readSource(url, opts, io);
      const { snapshot, inventory } = source;
      const { plan, report } = planFromSource(source, opts);
      const connections = inventory ? connectionsOf(inventory) : undefined;
      const policy = inventory?.policy ?? DEFAULT_POLICY;
      // The command that runs where the runbook is followed: the installed headroom (never npx, which
      // outside a checkout resolves the registry's unrelated `headroom` package).
      const scanCommand = opts.config ? `${policy.headroomCommand} scan --config ${opts.config}` : url ? `${policy.headroomCommand} scan ${redact(url)}` : `${policy.headroomCommand} scan --config <your headroom.yaml>`;
      const files = renderRunbooks(plan, { findings: report.findings, policy, scanCommand, ...(opts.stdout ? {} : { runbookDir: opts.out }), ...(connections ? { connections } : {}) });
      const missing = [...new Set(files.flatMap((f) => placeholdersIn(f.content)))];
      if (missing.length && !opts.placeholders) {
        const why = missing.map((m) =>
          m === '<migration user>'
            ? 'policy.migrationUser is not set (the account that runs the migration)'
            : m === '<vtctld host:port>'
              ? "vitess.server is not set (vtctld's address, for vtctldclient --server)"
              : m.startsWith('<host of')
                ? "the shards' hosts are unknown (give --config with the inventory)"
                : `${m} is unknown`,
        );
        throw new UsageError(`runbook: ${[...new Set(why)].join('; ')}: the steps could not be run as written. Set it, or pass --placeholders to write <…> placeholders to replace by hand`);
      }
      if (opts.stdout) {
        io.stdout(files.map((f) => f.content).join('\n\n'));
      } else {
        try {
          await makeDirectory(opts.out);
          for (const f of files) await writeFile(join(opts.out, f.path), f.content);
          // A key planned with others (they share a table): its own file name points at the runbook that widens it.
          const aliases = runbookAliases(plan);
          for (const a of aliases) await writeFile(join(opts.out, a.path), a.content);
          await writeFile(join(opts.out, 'index.md'), renderIndex(plan, report.findings));
          // Runbooks an earlier run wrote here whose keys have no finding now (done, or planned
          // otherwise): left behind they would still be followed. Only after a complete read (a shard
          // not read would lose its runbooks), and only files headroom wrote.
          if (snapshot.errors.length === 0 && !opts.only && !opts.finding) {
            const keep = new Set([...files, ...aliases].map((f) => f.path));
            const stale: string[] = [];
            for (const name of await readdir(opts.out)) {
              if (!name.endsWith('.md') || name === 'index.md' || keep.has(name)) continue;
              const text = await readFile(join(opts.out, name), 'utf8').catch(() => '');
              if (!/^---\nGenerated by headroom from finding/m.test(text) && !/^# `[^`]+` is widened in \[/.test(text)) continue;
              await unlink(join(opts.out, name));
              stale.push(name);
            }
            if (stale.length) io.stdout(`removed ${stale.length} runbook${stale.length === 1 ? '' : 's'} of an earlier run whose keys have no finding now: ${stale.join(', ')}\n`);
          }
        } catch (e) {
          throw new UsageError(`${opts.out}: cannot write runbooks: ${fileErrorText(e)}`);
        }
        io.stdout(`wrote ${files.length} runbook${files.length === 1 ? '' : 's'} and index.md to ${join(opts.out, '/')}\n`);
      }
      for (const e of snapshot.errors) io.stderr(`headroom: shard ${e.shard} could not be read, no runbook for it: ${e.message}\n`);
      code = snapshot.errors.length ? 2 : 0;
    });

  program
    .command('report')
    .description('Write one self-contained HTML page: fleet overview, the keys that run out soonest, growth charts, a heat strip per shard (docs/report.md).')
    .argument('[url]', 'one server: mysql://user@host:3306 (instead of --config)')
    .option('-c, --config <file>', 'inventory YAML (with --snapshot or --from-json: thresholds, relationships, policy, history:, runbookBaseUrl)')
    .option('-s, --snapshot <file>', 'from a snapshot instead of live servers (with --from-json: every key for the heat strip, and the widening groups)')
    .option('--from-json <file>', 'from a saved `scan --format json` report instead of scanning')
    .option('--at <time>', 'with --from-json: when that report was taken, 2024-02-01T06:00:00Z (reports carry no time)')
    .option('--history [store]', 'forecasts and charts from this history store (read only): a directory (default .headroom/history) or mysql://user@host:3306/database')
    .option('--runbooks <dir-or-url>', 'where the runbooks are, relative to the page or a URL (default: runbooks/ beside the page, or the config\'s runbookBaseUrl)')
    .option('-o, --out <file>', 'write the page to this file (default: stdout)')
    .option('-q, --quiet', 'no progress line on stderr')
    .option('--defaults-file <file>', 'MySQL option file whose [client] group gives user, password, host, port, socket, ssl-* (instead of ~/.my.cnf)')
    .option('--no-defaults', 'read no MySQL option file (not even ~/.my.cnf)')
    .action(
      async (
        url: string | undefined,
        opts: SourceOptions & { fromJson?: string; at?: string; history?: string | true; runbooks?: string; out?: string },
      ) => {
        const common = { ...(opts.history !== undefined ? { history: opts.history } : {}), ...(opts.runbooks !== undefined ? { runbooks: opts.runbooks } : {}), env: io.env, now: () => new Date() };
        let input;
        if (opts.fromJson) {
          if (url) throw new UsageError('report: give either a URL or --from-json, not both');
          // Nothing connects: a ${VAR} meant for a password need not be set.
          const lenient = new Proxy(io.env, { get: (target, name: string) => target[name] ?? '' });
          const source = opts.snapshot ? await readSource(undefined, opts, io) : undefined;
          const inventory = source?.inventory ?? (opts.config ? await loadInventory(opts.config, lenient, { offline: true }) : undefined);
          input = await reportInputFromJson(opts.fromJson, source?.config ?? inventory ?? DEFAULT_CHECK_CONFIG, inventory, {
            ...common,
            ...(opts.at !== undefined ? { at: opts.at } : {}),
            ...(source ? { snapshot: source.snapshot } : {}),
            source: `saved report ${opts.fromJson}${opts.snapshot ? ` with snapshot ${opts.snapshot}` : ''}`,
          });
        } else {
          if (opts.at !== undefined) throw new UsageError('report: --at applies to --from-json (a snapshot and a live scan carry their time)');
          const { snapshot, config, inventory } = await readSource(url, opts, io);
          const source = opts.snapshot ? `snapshot ${opts.snapshot}` : opts.config ? `live scan of ${opts.config}` : `live scan of ${redact(url ?? '')}`;
          input = await reportInputFromSnapshot(snapshot, config, inventory, { ...common, source });
        }
        await emit(renderHtmlReport(input), opts.out, io);
        if (opts.out) io.stdout(`wrote ${opts.out}\n`);
        for (const e of input.report.errors) io.stderr(`headroom: shard ${e.shard} could not be read (in full), its keys are not in the report: ${e.message}\n`);
        code = input.report.errors.length ? 2 : 0;
      },
    );

  program
    .command('lint')
    .description('Check a schema before it merges: SQL files loaded into a throwaway database on a workspace server (--ddl), or a Rails db/schema.rb with its models and no server (--rails, --schema).')
    .option('--ddl <file...>', 'schema files: db/structure.sql, a `mysqldump --no-data` dump (several allowed)')
    .option('--workspace <url>', 'a server to load them on (a scratch or CI server): mysql://user@host:3306; headroom creates and drops its own database there')
    .option('--schema <file>', "a Rails db/schema.rb, read without any server (default with --rails: the app's db/schema.rb); docs/rails.md")
    .option('-c, --config <file>', 'inventory YAML: relationships, ignore, and policy (minKeyType, narrowKeyAllow)')
    .addOption(
      new Option('-f, --format <format>', 'output format; sarif, github, junit and markdown are for CI (docs/ci.md)')
        .choices(['table', 'json', 'sarif', 'github', 'junit', 'markdown'])
        .default('table'),
    )
    .addOption(new Option('--fail-on <severity>', 'exit 1 when a finding is at or above this').choices(['critical', 'warning', 'never']).default('warning'))
    .option('-o, --out <file>', 'write the report to a file instead of stdout')
    .option('--baseline <file>', 'findings in this file (from --write-baseline) are reported but do not fail; new or more severe ones do')
    .option('--write-baseline <file>', 'write the current findings to this baseline file and accept them')
    .action(
      async (opts: {
        ddl?: string[];
        workspace?: string;
        schema?: string;
        rails?: string[];
        config?: string;
        format: 'table' | 'json' | 'sarif' | 'github' | 'junit' | 'markdown';
        failOn: FailOn;
        out?: string;
        baseline?: string;
        writeBaseline?: string;
      }) => {
        let baseline = opts.baseline ? await readBaselineFile(opts.baseline) : undefined;
        // No shard is connected to: the config's shard secrets (${HEADROOM_PASSWORD}) need not be set.
        const config = await withRails(opts.config ? await loadInventory(opts.config, io.env, { shardsOffline: true }) : DEFAULT_CHECK_CONFIG, opts.rails);
        let report: Report;
        let files: string[];
        if (!opts.ddl) {
          // A Rails app's db/schema.rb, with its models: no server (src/rails/lint.ts).
          if (opts.workspace) throw new UsageError('lint: --workspace loads --ddl files; give --ddl too (schema.rb needs no workspace)');
          ({ report, files } = await lintSchemaRb(config, opts.schema));
        } else {
          if (opts.schema) throw new UsageError('lint: give --ddl (SQL, on a --workspace server) or --schema (db/schema.rb), not both');
          if (!opts.workspace) throw new UsageError('lint: --ddl needs --workspace mysql://user@host:3306 (a server to load the DDL on)');
          const workspace = inventoryFromUrl(opts.workspace, io.env, optionFileChoice(opts as { defaultsFile?: string; defaults?: boolean })).shards[0]!;
          const { shard, positions } = await lintInWorkspace({ ...workspace, name: 'lint' }, opts.ddl, config);
          const snapshot: Snapshot = { version: 1, takenAt: new Date().toISOString(), shards: [shard], errors: [] };
          const checked = runChecks(snapshot, config, checksFor('lint'));
          // Each finding points at its column's definition (file relative to the repository root), for annotations on the diff.
          report = { ...checked, findings: attachSources(checked.findings, positions, (f) => repoRelativePath(f)) };
          files = opts.ddl;
        }
        if (opts.writeBaseline) baseline = await acceptBaseline(report, opts.writeBaseline, io);
        let text = await renderGate(report, { format: opts.format, failOn: opts.failOn, baseline, anchor: files[0], color: useColor(opts.out, io, (opts as { color?: boolean }).color) });
        if (opts.format === 'table') text = text.replace(/^Scanned 1 shard, /m, `Linted ${files.join(', ')}: `).replace(/^.*Next: `headroom plan`.*\n/m, '');
        await emit(text, opts.out, io);
        code = gateExitCode(report, opts.failOn, baseline);
      },
    );

  program
    .command('relations')
    .description('List every relationship headroom uses, with its source (declared, configured, model, inferred) and evidence; --diff: what the Rails models change compared with naming alone (docs/rails.md).')
    .argument('[url]', 'one server: mysql://user@host:3306 (instead of --config)')
    .option('-c, --config <file>', 'inventory YAML (relationships, ignore, rails:)')
    .option('-s, --snapshot <file>', 'a snapshot instead of live servers')
    .option('--schema <file>', 'the catalog from a Rails db/schema.rb (default with --rails and no --snapshot/--config/URL: the app\'s db/schema.rb)')
    .option('--diff', 'what the models added, removed or changed compared with naming alone')
    .addOption(new Option('-f, --format <format>', 'output format').choices(['table', 'json']).default('table'))
    .option('-o, --out <file>', 'write the listing to a file instead of stdout')
    .option('-q, --quiet', 'no progress line on stderr')
    .action(async (url: string | undefined, opts: SourceOptions & { schema?: string; diff?: boolean; format: 'table' | 'json'; out?: string }) => {
      let errors: ShardError[] = [];
      const text = await relationsCommand(url, opts, async () => {
        const source = await readSource(url, opts, io);
        errors = source.snapshot.errors;
        return source;
      });
      await emit(text, opts.out, io);
      for (const e of errors) io.stderr(`headroom: shard ${e.shard} could not be read, its relationships are not listed: ${e.message}\n`);
      code = errors.length ? 2 : 0;
    });

  program
    .command('offsets')
    .description('Give every table of a TEST database a distinct starting id; BIGINT tables start above 2^32 so a narrow column fails the tests, not production.')
    .requiredOption('--url <url>', 'the test server: mysql://user@host:3306')
    .requiredOption('--database <name>', 'the test database (must match policy.offsetsAllow: *_test, test_*, test)')
    .option('-c, --config <file>', 'inventory YAML whose policy.offsetsAllow lists the database globs allowed')
    .option('--dry-run', 'print the statements, change nothing')
    .option('--force', 'write even though the database name does not look like a test database')
    .action(async (opts: { url: string; database: string; config?: string; dryRun?: boolean; force?: boolean }) => {
      // Only the policy is read (the server is --url): shard secrets need not be set.
      const policy = opts.config ? (await loadInventory(opts.config, io.env, { shardsOffline: true })).policy : DEFAULT_POLICY;
      if (!opts.dryRun && !opts.force && !offsetsAllowed(opts.database, policy.offsetsAllow)) {
        throw new UsageError(
          `refusing to write to database "${opts.database}": offsets change AUTO_INCREMENT counters and are meant for test databases only; ` +
            `its name matches none of policy.offsetsAllow (${policy.offsetsAllow.join(', ')}). Use --dry-run to see the statements, or --force if you are sure.`,
        );
      }
      const inventory = inventoryFromUrl(opts.url, io.env, optionFileChoice(opts as { defaultsFile?: string; defaults?: boolean }));
      const server = { ...inventory.shards[0]!, databases: [opts.database] };
      const shard = await collectShard(server, inventory).catch((e: unknown) => {
        throw new UsageError(`${server.name}: ${describeError(e, server)}`);
      });
      const database = shard.databases.find((d) => d.name === opts.database);
      if (!database) throw new UsageError(`${server.name}: database "${opts.database}" not found`);
      const { changes, skipped } = planOffsets(database);
      const statements = offsetStatements(opts.database, changes);
      if (opts.dryRun) {
        const notes = [
          ...(offsetsAllowed(opts.database, policy.offsetsAllow) || opts.force
            ? []
            : [`-- a real run would be refused: "${opts.database}" matches none of policy.offsetsAllow (${policy.offsetsAllow.join(', ')}); --force overrides`]),
          ...skipped.map((s) => `-- ${s.table}: unchanged (${s.reason})`),
        ];
        io.stdout([...notes, ...statements].map((s) => `${s}\n`).join('') + (statements.length ? '' : '-- nothing to change\n'));
        return;
      }
      await applyOffsets(server, opts.database, changes);
      for (const c of changes) io.stdout(`${c.table}.${c.column} (${c.dataType}${c.unsigned ? ' unsigned' : ''}): AUTO_INCREMENT ${c.from ?? '?'} → ${c.to}\n`);
      for (const s of skipped) io.stdout(`${s.table}: unchanged (${s.reason})\n`);
      io.stdout(`changed ${changes.length} table${changes.length === 1 ? '' : 's'} in ${opts.database}\n`);
    });

  const historyCommand = program.command('history').description('Counter history behind the forecasts (docs/history-and-forecast.md).');
  historyCommand
    .command('import')
    .description('Seed history from earlier `headroom snapshot` files or `scan --format json` reports (e.g. CI artifacts).')
    .argument('<files...>', 'snapshot files (they carry their time) or JSON reports (give --at)')
    .option('--history [store]', 'where to write: a directory (default .headroom/history) or mysql://user@host:3306/database')
    .option('-c, --config <file>', 'inventory YAML: its history: block, its relationships, and the shards history must not be written to')
    .option('--at <time>', 'when a JSON report was taken: 2024-02-01T06:00:00Z (reports carry no time)')
    .action(async (files: string[], opts: { history?: string | true; config?: string; at?: string }) => {
      io.stdout(await importHistory(files, opts, io.env));
    });

  program
    .command('merge')
    .description('Combine the parts of a partitioned run (scan --format json reports, or snapshots) into one, as if it had been one run.')
    .argument('<files...>', 'part files: all reports, or all snapshots')
    .addOption(new Option('-f, --format <format>', 'for reports: output format').choices(['json', 'table']).default('json'))
    .addOption(new Option('--fail-on <severity>', 'for reports: exit 1 when a finding is at or above this').choices(['critical', 'warning', 'never']).default('critical'))
    .option('-o, --out <file>', 'write the merged file instead of stdout')
    .action(async (files: string[], opts: { format: 'json' | 'table'; failOn: FailOn; out?: string }) => {
      const parts = await loadParts(files);
      const kinds = new Set(parts.map((p) => p.kind));
      if (kinds.size > 1) throw new UsageError(`merge: mix of reports and snapshots (${parts.map((p) => `${p.file}: ${p.kind}`).join(', ')}); merge one kind at a time`);
      checkParts(parts.map((p) => ({ file: p.file, partition: p.kind === 'report' ? p.report.partition : p.snapshot.partition })));
      const snapshots = parts.flatMap((p) => (p.kind === 'snapshot' ? [p.snapshot] : []));
      if (snapshots.length) {
        const merged = mergeSnapshots(snapshots);
        await emit(serializeSnapshot(merged), opts.out, io);
        code = merged.errors.length ? 2 : 0;
        return;
      }
      const report = mergeReports(parts.flatMap((p) => (p.kind === 'report' ? [p.report] : [])));
      await emit(opts.format === 'json' ? formatJson(report) : formatTable(report, { color: useColor(opts.out, io, (opts as { color?: boolean }).color) }), opts.out, io);
      code = exitCode(report, opts.failOn);
    });

  program
    .command('checks')
    .description('List the checks (their ids are what findings, docs and baselines use).')
    .action(() => {
      const width = Math.max(...CHECKS.map((c) => c.id.length)) + 2;
      for (const c of CHECKS) io.stdout(`${c.id.padEnd(width)}${c.summary}  (docs/checks/${c.id}.md)\n`);
    });

  program
    .command('doctor')
    .description('Connect to every shard and say what a scan can and cannot read (TLS, grants, databases), with the GRANT to run for anything missing. Exit 0 when all are fully scannable, 2 otherwise.')
    .argument('[url]', 'one server: mysql://user@host:3306 (instead of --config)')
    .option('-c, --config <file>', 'inventory YAML')
    .addOption(new Option('-f, --format <format>', 'output format').choices(['text', 'json']).default('text'))
    .action(async (url: string | undefined, opts: SourceOptions & { config?: string; format: 'text' | 'json'; defaultsFile?: string; defaults?: boolean }) => {
      const flags = await connectionFlags(opts, io);
      code = await doctorCommand(url, opts, io, flags ? inventoryFromFields(flags, io.env, optionFileChoice(opts)) : undefined);
    });

  program
    .command('precheck')
    .description("Run a runbook's read-only pre-checks against its shard and print each with its expected and actual answer (exit 0: all pass, 1: one failed).")
    .argument('<runbook>', 'a runbook file written by `headroom runbook`, or a group id (shard/database/table.column) to plan live')
    .option('-c, --config <file>', 'inventory YAML (how to reach the shard)')
    .option('-u, --user <name>', 'the migration account to check as (default: policy.migrationUser); its password from the option file [client] group')
    .action(async (target: string, opts: SourceOptions & { user?: string }) => {
      if (!opts.config) throw new UsageError('precheck: give --config headroom.yaml (how to reach the shard)');
      let checks: { shard: string; group: string; checks: ReturnType<typeof preChecks> } | undefined;
      let text: string | undefined;
      try {
        text = await readFile(target, 'utf8');
      } catch (e) {
        if (!/^[^/]+\/[^/]+\/[^/]+\.[^/]+$/.test(target) || (e as NodeJS.ErrnoException).code !== 'ENOENT') throw new UsageError(`${target}: cannot read: ${fileErrorText(e)}`);
      }
      if (text !== undefined) {
        try {
          checks = embeddedPreChecks(text);
        } catch {
          throw new UsageError(`${target}: its pre-check block is damaged: generate the runbook again`);
        }
        if (!checks) throw new UsageError(`${target}: not a runbook written by headroom runbook (no pre-check block)`);
      } else {
        // A group id: plan live, take that group's plan.
        const source = await readSource(undefined, opts, io);
        const { plan } = planFromSource(source, {});
        const p = plan.plans.find((x) => x.groups.includes(target));
        if (!p) throw new UsageError(`precheck: no widening group ${target} on these servers now (headroom plan lists the group ids)`);
        checks = { shard: p.shard, group: p.id, checks: preChecks(p, source.inventory?.policy ?? DEFAULT_POLICY) };
      }
      const inventory = await loadInventory(opts.config, io.env, optionFileChoice(opts));
      const listed = inventory.shards.find((x) => x.name === checks!.shard);
      if (!listed) throw new UsageError(`precheck: the runbook is for shard ${checks.shard}, which ${opts.config} does not list`);
      // As the account that will run the migration (the runbook says so): the scan account has no
      // PROCESS (it would see only its own session) and no TRIGGER (it sees no trigger). Its password
      // comes from the MySQL option file the tools read too (~/.my.cnf or --defaults-file), [client] group.
      const migrationUser = opts.user ?? inventory.policy.migrationUser;
      if (!migrationUser) throw new UsageError('precheck: set policy.migrationUser (or --user): the pre-checks run as the account that will run the migration, not the read-only scan account');
      const client = readClientOptions(io.env, optionFileChoice(opts));
      const password = client?.password && (client.user === undefined || client.user === migrationUser) ? client.password : new Secret('');
      const { passwordCommand: _c, passwordFrom: _f, ...rest } = listed;
      const shard: typeof listed = { ...rest, user: migrationUser, password, ...(client?.password && password === client.password ? { passwordFrom: client.from } : {}) };
      let session: Awaited<ReturnType<typeof openSession>>;
      try {
        session = await openSession(shard);
      } catch (e) {
        throw new UsageError(`shard ${shard.name}: ${describeError(e, shard)}`);
      }
      const results = [];
      try {
        for (const c of checks.checks) {
          try {
            const r = await sql.raw<Record<string, unknown>>(c.sql).execute(session.db);
            results.push(judge(c, r.rows.map((row) => Object.values(row).map(cellText))));
          } catch (e) {
            results.push(judge(c, undefined, describeError(e, shard)));
          }
        }
      } finally {
        await session.close();
      }
      io.stdout(formatPreChecks(shard.name, checks.group, results));
      code = results.every((r) => r.pass) ? 0 : 1;
    });

  for (const cmd of program.commands) {
    if (['scan', 'lint', 'offsets'].includes(cmd.name())) cmd.option('--no-color', 'no ANSI colour in the table (as NO_COLOR=1); FORCE_COLOR=1 turns it on when piped');
  }

  // The mysql client's one-server flags (-h is the host there, so help is --help alone).
  for (const cmd of program.commands) {
    if (!['scan', 'snapshot', 'plan', 'runbook', 'report', 'doctor'].includes(cmd.name())) continue;
    cmd
      .option('-h, --host <host>', 'one server: its host (as the mysql client; instead of --config or a URL)')
      .option('-P, --port <port>', 'with -h: its port (default 3306, or port= in the option file)')
      .option('-u, --user <user>', 'with -h/-S: the user')
      .option('-p, --password [password]', 'with -h/-S: the password; -p alone asks for it on the terminal (a value on the command line is visible in ps: prefer the prompt or an option file)')
      .option('-S, --socket <path>', 'one server by Unix socket (instead of -h)');
  }
  // --verbose: every statement sent, on stderr (commands that read servers).
  for (const cmd of program.commands) {
    if (!['scan', 'snapshot', 'plan', 'runbook', 'report', 'doctor', 'precheck'].includes(cmd.name())) continue;
    cmd.option('-v, --verbose', 'print every statement sent to a server on stderr (never a password)');
    cmd.hook('preAction', (c) => setStatementLog(c.opts().verbose ? (line) => io.stderr(`headroom: ${line}\n`) : undefined));
  }
  for (const cmd of program.commands) cmd.helpOption('--help', 'display help for command');

  // How to find credentials outside the YAML, for every command that connects (docs/connections.md).
  for (const cmd of program.commands) {
    if (['scan', 'plan', 'runbook', 'report', 'lint', 'relations'].includes(cmd.name())) cmd.option('--rails <path>', RAILS_OPTION_HELP, collect);
    if (!['scan', 'snapshot', 'plan', 'runbook', 'doctor', 'precheck', 'relations', 'lint', 'offsets'].includes(cmd.name())) continue;
    cmd
      .option('--defaults-file <file>', 'MySQL option file whose [client] group gives user, password, host, port, socket, ssl-* (instead of ~/.my.cnf)')
      .option('--no-defaults', 'read no MySQL option file (not even ~/.my.cnf)');
  }

  try {
    await program.parseAsync(argv, { from: 'user' });
    return code;
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode === 0 ? 0 : 2;
    if (e instanceof UsageError) {
      io.stderr(`headroom: ${e.message}\n`);
      return 2;
    }
    throw e;
  }
}

/**
 * Where plans and runbooks connect: the shard's host, with the migration user — never the
 * read-only scan user, which cannot ALTER (and without PROCESS sees only its own sessions).
 */
function connectionsOf(inventory: Inventory): Map<string, Connection> {
  const user = inventory.policy.migrationUser ?? '<migration user>';
  return new Map(
    inventory.shards.map((s) => [s.name, { host: s.host, port: s.port, user, ...(s.socketPath ? { socketPath: s.socketPath } : {}), ...(s.replicas ? { replicas: s.replicas } : {}) }]),
  );
}

async function readSource(
  url: string | undefined,
  opts: SourceOptions,
  io: Io,
): Promise<{ snapshot: Snapshot; config: CheckConfig; inventory?: Inventory }> {
  if (opts.snapshot) {
    if (url) throw new UsageError('give either a URL or --snapshot, not both');
    if (opts.partition) throw new UsageError('--partition splits live reads; a snapshot is already read (merge the parts with `headroom merge`)');
    // Nothing connects: a ${VAR} meant for a password need not be set to read thresholds and relationships.
    const env = new Proxy(io.env, { get: (target, name: string) => target[name] ?? '' });
    const loaded = opts.config ? await loadInventory(opts.config, env, { offline: true }) : undefined;
    const inventory = loaded && (await withRails(loaded, opts.rails));
    return { snapshot: await loadSnapshot(opts.snapshot), config: inventory ?? (await withRails(DEFAULT_CHECK_CONFIG, opts.rails)), ...(inventory ? { inventory } : {}) };
  }
  const live = await liveSource(url, opts, io);
  const snapshot = await collectSnapshot(live.inventory, live.options);
  live.done();
  return { snapshot, config: live.inventory, inventory: live.inventory };
}

/**
 * `scan`'s source. A live scan checks each shard as it is read and lets it go (memory flat in the
 * size of the fleet), unless history needs the whole catalog.
 */
/**
 * A snapshot says how old it is: a note on a terminal's stderr past a day, and a refusal (one line,
 * exit 2) past --max-age days. A gate on a months-old snapshot must not read as "clean today".
 */
function checkSnapshotAge(file: string, takenAt: string, maxAgeDays: number | undefined, io: Io, now = Date.now()): void {
  const at = Date.parse(takenAt);
  if (!Number.isFinite(at)) {
    if (maxAgeDays !== undefined) throw new UsageError(`${file}: the snapshot does not say when it was taken, so --max-age ${maxAgeDays} cannot be checked`);
    return;
  }
  const days = (now - at) / 86_400_000;
  const when = `taken ${new Date(at).toISOString().slice(0, 16).replace('T', ' ')} UTC, ${days < 2 ? `${Math.round(days * 24)} hours` : `${Math.floor(days)} days`} ago`;
  if (maxAgeDays !== undefined && days > maxAgeDays) {
    throw new UsageError(`${file}: ${when}: older than --max-age ${maxAgeDays} days (take a new one with headroom snapshot, or raise --max-age)`);
  }
  // For a person at a terminal (CI gates have --max-age, and JSON reports carry takenAt).
  if (days > 1 && io.stderrIsTTY) io.stderr(`headroom: note: snapshot ${file} was ${when}: findings are as of then.\n`);
}

async function scanSource(
  url: string | undefined,
  opts: SourceOptions & { history?: string | true; only?: string; maxAge?: number },
  io: Io,
  /** Sees each shard of a live scan that does not keep its snapshot, while the shard is at hand. */
  onShardRead?: (shard: ShardSnapshot, config: CheckConfig) => void,
): Promise<{
  report: Report;
  config: CheckConfig;
  inventory?: Inventory;
  snapshot?: Snapshot;
  /** Set when history was applied shard by shard during the scan. */
  history?: { report: Report; lastSuccess: Map<string, number> };
  shards: string[];
  takenAt: string;
  hasOnlyColumn: boolean;
}> {
  if (opts.snapshot) {
    const { snapshot, config, inventory } = await readSource(url, opts, io);
    checkSnapshotAge(opts.snapshot, snapshot.takenAt, opts.maxAge, io);
    return {
      report: scanSnapshot(snapshot, config),
      config,
      ...(inventory ? { inventory } : {}),
      snapshot,
      shards: snapshot.shards.map((s) => s.name),
      takenAt: snapshot.takenAt,
      hasOnlyColumn: opts.only !== undefined && snapshotHasColumn(snapshot, opts.only),
    };
  }
  const live = await liveSource(url, opts, io);
  let hasOnlyColumn = false;
  const only = opts.only;
  const history = historyConfigFor(opts.history, live.inventory, io.env);
  // History and a vitess: block need the shards kept (the forecasts then run on the whole snapshot).
  const keepSnapshot = history !== undefined && live.inventory.vitess !== undefined;
  // A vitess: block keeps the shards in any case (scanLive): the caller then reads the snapshot whole.
  const kept = keepSnapshot || live.inventory.vitess !== undefined;
  const options = {
    ...live.options,
    keepSnapshot,
    // Trigger counts only matter to the planner (history's migration estimates plan); a plain scan skips the read.
    triggers: history !== undefined,
    ...(only || (onShardRead && !kept)
      ? {
          onShard: (shard: ShardSnapshot) => {
            if (only) hasOnlyColumn ||= snapshotHasColumn({ version: 1, takenAt: '', shards: [shard], errors: [] }, only);
            if (!kept) onShardRead?.(shard, live.inventory);
          },
        }
      : {}),
  };
  let r: LiveScan | undefined;
  const forecasted =
    history && !keepSnapshot
      ? await scanWithHistoryLive(history, live.inventory, async (forecast) => (r = await scanLive(live.inventory, { ...options, forecast })).report)
      : undefined;
  r ??= await scanLive(live.inventory, options);
  live.done();
  // A part of a partitioned run says which part it is (merge checks that all parts are there once).
  const partition = live.options.partition;
  const withPart = (report: Report): Report => (partition ? { ...report, partition } : report);
  return {
    report: withPart(r.report),
    config: live.inventory,
    inventory: live.inventory,
    ...(r.snapshot ? { snapshot: r.snapshot } : {}),
    ...(forecasted ? { history: { ...forecasted, report: withPart(forecasted.report) } } : {}),
    shards: r.shards,
    takenAt: r.takenAt,
    hasOnlyColumn,
  };
}

/** A live read's inventory and options (progress line, --partition, --gentle), checked before anything connects. */
async function liveSource(url: string | undefined, opts: SourceOptions, io: Io): Promise<{ inventory: Inventory; options: CollectOptions; done: () => void }> {
  // No source given: ./headroom.yaml when it is there (said on stderr), as other tools find their config.
  if (!url && !opts.config && !opts.host && !opts.socket && existsSync('headroom.yaml')) {
    opts.config = 'headroom.yaml';
    io.stderr('headroom: using ./headroom.yaml (give --config FILE or a URL for another)\n');
  }
  const load = optionFileChoice(opts);
  const flags = await connectionFlags(opts, io);
  if (flags && (url || opts.config)) throw new UsageError('give either -h/-S (one server) or a URL or --config, not both');
  const given = [url && 'a URL', opts.config && '--config'].filter(Boolean);
  if (given.length === 0 && !flags) throw new UsageError('nothing to scan: give --config headroom.yaml, a URL (mysql://user@host:3306), -h HOST -u USER, or --snapshot file.json (no ./headroom.yaml here)');
  if (url && opts.config) throw new UsageError('give either a URL or --config, not both');
  const inventory: Inventory = await withRails(
    flags ? inventoryFromFields(flags, io.env, load) : url ? inventoryFromUrl(url, io.env, load) : await loadInventory(opts.config!, io.env, load),
    opts.rails,
  );
  const progress = io.stderrIsTTY && !opts.quiet ? progressLine(io) : undefined;
  const partition = opts.partition ? parsePartition(opts.partition) : undefined;
  const gentleMs = opts.gentle === undefined ? undefined : opts.gentle === true ? 500 : Number(opts.gentle);
  if (gentleMs !== undefined && (!Number.isInteger(gentleMs) || gentleMs < 0 || gentleMs > 600_000)) throw new UsageError(`--gentle ${opts.gentle}: expected a pause in milliseconds (0 to 600000)`);
  return {
    inventory,
    options: {
      ...(progress ? { onProgress: progress.update } : {}),
      ...(partition ? { partition } : {}),
      ...(gentleMs !== undefined ? { gentleMs } : {}),
    },
    done: () => progress?.done(),
  };
}

function progressLine(io: Io) {
  const started = Date.now();
  return {
    update(p: CollectProgress) {
      const elapsed = (Date.now() - started) / 1000;
      // Servers are read in parallel; the ETA assumes the rest take as long on average as those done.
      const eta = p.shardsDone < p.shardsTotal ? ` · ETA ${Math.ceil((elapsed / p.shardsDone) * (p.shardsTotal - p.shardsDone))}s` : '';
      io.stderr(
        `\r\x1b[2Kservers ${p.shardsDone}/${p.shardsTotal} · ${p.databases} databases · last: ${p.shard} ${p.ok ? 'ok' : 'FAILED'} · ${elapsed.toFixed(1)}s${eta}`,
      );
    },
    done() {
      io.stderr('\r\x1b[2K');
    },
  };
}

/**
 * -h -P -u -p -S, with the mysql client's meanings: undefined when none of -h/-S is given. `-p` with
 * no value asks for the password on a terminal (never echoed); a value after -p is taken as it is.
 */
async function connectionFlags(opts: SourceOptions, io: Io): Promise<Parameters<typeof inventoryFromFields>[0] | undefined> {
  if (!opts.host && !opts.socket) {
    if (opts.port || opts.user || opts.password) throw new UsageError('-P, -u and -p go with -h HOST or -S SOCKET (the one-server form)');
    return undefined;
  }
  const port = opts.port === undefined ? undefined : Number(opts.port);
  if (port !== undefined && (!Number.isInteger(port) || port < 1 || port > 65535)) throw new UsageError(`-P ${opts.port}: expected a port number`);
  let password: string | undefined;
  if (opts.password === true) password = await promptPassword(io);
  else if (typeof opts.password === 'string') password = opts.password;
  return {
    ...(opts.host ? { host: opts.host } : {}),
    ...(port !== undefined ? { port } : {}),
    ...(opts.user ? { user: opts.user } : {}),
    ...(opts.socket ? { socket: opts.socket } : {}),
    ...(password !== undefined ? { password } : {}),
  };
}

/** Ask on the terminal, without echo ("Enter password: ", as the mysql client does). */
async function promptPassword(io: Io): Promise<string> {
  const stdin = process.stdin;
  if (!stdin.isTTY) throw new UsageError('-p without a value asks for the password, but there is no terminal to ask on: use --defaults-file, a password in the config (passwordFile, passwordCommand), or -pPASSWORD');
  io.stderr('Enter password: ');
  stdin.setRawMode(true);
  stdin.resume();
  stdin.setEncoding('utf8');
  return new Promise((resolve, reject) => {
    let typed = '';
    const done = (fn: () => void) => {
      stdin.setRawMode(false);
      stdin.pause();
      stdin.removeListener('data', onData);
      io.stderr('\n');
      fn();
    };
    const onData = (chunk: string) => {
      for (const ch of chunk) {
        if (ch === '\r' || ch === '\n') return done(() => resolve(typed));
        if (ch === '\u0003') return done(() => reject(new UsageError('interrupted at the password prompt')));
        if (ch === '\u007f' || ch === '\b') typed = typed.slice(0, -1);
        else typed += ch;
      }
    };
    stdin.on('data', onData);
  });
}

/** A file written under a temporary name and renamed to `path` on commit (removed if never committed). */
function openOutput(path: string): { write: (text: string) => void; commit: () => void; discard: () => void } {
  const temp = `${path}.${process.pid}.tmp`;
  let fd: number;
  try {
    fd = openSync(temp, 'w');
  } catch (e) {
    throw new UsageError(`${path}: cannot write: ${fileErrorText(e)}`);
  }
  let open = true;
  const close = () => {
    if (open) closeSync(fd);
    open = false;
  };
  return {
    write: (text) => {
      try {
        writeSync(fd, text);
      } catch (e) {
        throw new UsageError(`${path}: cannot write: ${fileErrorText(e)}`);
      }
    },
    commit: () => {
      close();
      renameSync(temp, path);
    },
    discard: () => {
      close();
      rmSync(temp, { force: true });
    },
  };
}

/** --write-baseline (scan and lint): accept today's findings, say so on stderr; the gate is then judged against them. */
async function acceptBaseline(report: Report, file: string, io: Io): Promise<Baseline> {
  const baseline = createBaseline(report, new Date());
  await writeBaselineFile(file, baseline);
  const n = report.findings.length;
  const e = report.errors.length;
  io.stderr(`headroom: wrote ${file}: ${n} finding${n === 1 ? '' : 's'} accepted` + (e ? `; the ${e} shard${e === 1 ? '' : 's'} not read ${e === 1 ? 'is' : 'are'} not in it` : '') + '\n');
  return baseline;
}

/** Text in pieces, to stdout or to a file written beside its name and renamed at the end. */
function emitPieces(pieces: Iterable<string>, out: string | undefined, io: Io): void {
  if (!out) {
    for (const p of pieces) io.stdout(p);
    return;
  }
  const file = openOutput(out);
  try {
    for (const p of pieces) file.write(p);
    file.commit();
  } finally {
    file.discard();
  }
}

/**
 * Colour for people: on a terminal unless NO_COLOR is set; FORCE_COLOR (not 0) turns it on when
 * piped (CI logs that render ANSI); never into a file given with --out.
 */
function useColor(out: string | undefined, io: Io, flag?: boolean): boolean {
  if (out || flag === false) return false;
  if (io.env.NO_COLOR !== undefined && io.env.NO_COLOR !== '') return false;
  const force = io.env.FORCE_COLOR;
  if (force !== undefined && force !== '' && force !== '0' && force !== 'false') return true;
  return io.stdoutIsTTY;
}

async function emit(text: string, out: string | undefined, io: Io): Promise<void> {
  if (!out) return io.stdout(text);
  try {
    await writeFile(out, text);
  } catch (e) {
    throw new UsageError(`${out}: cannot write: ${fileErrorText(e)}`);
  }
}

type GateFormat = 'table' | 'json' | 'sarif' | 'github' | 'junit' | 'markdown';

/** A report in one of the gate formats (scan and lint share them, with the same baseline rules). */
async function renderGate(
  report: Report,
  o: { format: GateFormat; failOn: FailOn; baseline: Baseline | undefined; anchor: string | undefined; color: boolean; only?: string; width?: number },
): Promise<string> {
  const gate = { failOn: o.failOn, baseline: o.baseline };
  switch (o.format) {
    case 'json':
      return o.baseline ? formatJsonWithBaseline(report, o.baseline) : formatJson(report);
    case 'sarif': {
      const artifactPath = o.anchor ? relative(process.cwd(), resolve(o.anchor)).split(sep).join('/') : undefined;
      return formatSarif(report, { ...gate, toolVersion: VERSION, docs: await readCheckDocs(), ...(artifactPath ? { artifactPath } : {}) });
    }
    case 'github':
      return formatGithub(report, gate);
    case 'junit':
      return formatJunit(report, gate);
    case 'markdown':
      return formatMarkdown(report, gate);
    case 'table': {
      const text = formatTable(report, { color: o.color, ...(o.only ? { only: o.only } : {}), ...(o.width ? { width: o.width } : {}) });
      return o.baseline ? `${text}Baseline: ${describeGate(evaluateGate(report, o.failOn, o.baseline), o.failOn, report.errors.length)}.\n` : text;
    }
  }
}

/** Whether `only` (table.column, db.table.column or shard/db/table.column) names an integer column of the snapshot. */
function snapshotHasColumn(snapshot: Snapshot, only: string): boolean {
  return snapshot.shards.some((sh) =>
    sh.databases.some((d) => d.tables.some((t) => t.columns.some((c) => matchesOnly({ shard: sh.name, database: d.name, table: t.name, column: c.name }, only)))),
  );
}

/** Scan a source and plan its findings (plan and runbook commands): --only / --finding must select something. */
function planFromSource(
  source: { snapshot: Snapshot; config: CheckConfig; inventory?: Inventory },
  opts: { only?: string; finding?: string },
): { plan: Plan; report: Report } {
  const report = scanSnapshot(source.snapshot, source.config);
  const plan = planWidenings(report.findings, source.snapshot, source.config, {
    policy: source.inventory?.policy ?? DEFAULT_POLICY,
    ...(source.inventory ? { connections: connectionsOf(source.inventory) } : {}),
    ...(opts.only ? { only: opts.only } : {}),
    ...(opts.finding ? { finding: opts.finding } : {}),
  });
  if ((opts.only || opts.finding) && plan.plans.length === 0) {
    throw new UsageError(`no finding matches ${opts.finding ? `--finding ${opts.finding}` : `--only ${opts.only}`} (see headroom scan --format json for ids)`);
  }
  return { plan, report };
}
