/**
 * Command-line shell: parse, call the library, pick a reporter, return the exit code.
 * 0 clean · 1 findings at or above --fail-on · 2 bad usage/config/connection.
 */
import { Command, CommanderError, Option } from 'commander';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CHECKS } from '../checks/registry.js';
import { inventoryFromUrl, loadInventory } from '../config/inventory.js';
import type { CheckConfig, Inventory } from '../config/types.js';
import { redact, UsageError } from '../errors.js';
import { attachRunbookLinks, findingsAbout, renderIndex, renderRunbooks } from '../runbook/runbook.js';
import { collectSnapshot, type CollectProgress } from '../introspect/collect.js';
import { formatJson } from '../report/json.js';
import { formatTable } from '../report/table.js';
import { DEFAULT_CHECK_CONFIG, exitCode, scanSnapshot, type FailOn } from '../scan.js';
import { loadSnapshot, serializeSnapshot } from '../snapshot/file.js';
import type { Snapshot } from '../model/types.js';
import type { Connection } from '../plan/commands.js';
import { planWidenings } from '../plan/plan.js';
import { DEFAULT_POLICY } from '../plan/policy.js';
import { formatPlanJson, formatPlanMarkdown, formatPlanText } from '../report/plan.js';

export interface Io {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  env: Record<string, string | undefined>;
  /** Whether stdout / stderr are terminals (colour, progress). */
  stdoutIsTTY: boolean;
  stderrIsTTY: boolean;
}

export function processIo(): Io {
  return {
    stdout: (t) => process.stdout.write(t),
    stderr: (t) => process.stderr.write(t),
    env: process.env,
    stdoutIsTTY: Boolean(process.stdout.isTTY),
    stderrIsTTY: Boolean(process.stderr.isTTY),
  };
}

const VERSION = '0.1.0';

interface SourceOptions {
  config?: string;
  snapshot?: string;
  quiet?: boolean;
}

export async function main(argv: string[], io: Io = processIo()): Promise<number> {
  let code = 0;
  const program = new Command('headroom')
    .description('Finds integer keys close to their limit across sharded MySQL/MariaDB fleets — primary keys and every column that references them.')
    .version(VERSION)
    .exitOverride()
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr })
    .showSuggestionAfterError(true);

  program
    .command('scan')
    .description('Read the fleet (or a snapshot) and report keys near their limit.')
    .argument('[url]', 'scan one server: mysql://user@host:3306 (instead of --config)')
    .option('-c, --config <file>', 'inventory YAML (shards, thresholds, relationships, ignore)')
    .option('-s, --snapshot <file>', 'scan a snapshot file written by `headroom snapshot` instead of live servers')
    .addOption(new Option('-f, --format <format>', 'output format').choices(['table', 'json']).default('table'))
    .addOption(new Option('--fail-on <severity>', 'exit 1 when a finding is at or above this').choices(['critical', 'warning', 'never']).default('critical'))
    .option('-o, --out <file>', 'write the report to a file instead of stdout')
    .option('--only <column>', 'only findings about this column or the key it references: table.column, db.table.column or shard/db/table.column')
    .option('-q, --quiet', 'no progress line on stderr')
    .action(async (url: string | undefined, opts: SourceOptions & { format: 'table' | 'json'; failOn: FailOn; out?: string; only?: string }) => {
      const { snapshot, config, inventory } = await readSource(url, opts, io);
      let report = attachRunbookLinks(scanSnapshot(snapshot, config), inventory?.runbookBaseUrl);
      if (opts.only) report = findingsAbout(report, opts.only);
      const text =
        opts.format === 'json' ? formatJson(report) : formatTable(report, { color: !opts.out && io.stdoutIsTTY && !io.env.NO_COLOR });
      await emit(text, opts.out, io);
      code = exitCode(report, opts.failOn);
    });

  program
    .command('snapshot')
    .description('Read the fleet and write its normalized catalog to a file, for offline `scan --snapshot`.')
    .argument('[url]', 'one server: mysql://user@host:3306 (instead of --config)')
    .option('-c, --config <file>', 'inventory YAML')
    .option('-o, --out <file>', 'where to write the snapshot (default: stdout)')
    .option('-q, --quiet', 'no progress line on stderr')
    .action(async (url: string | undefined, opts: SourceOptions & { out?: string }) => {
      if (opts.snapshot) throw new UsageError('snapshot: --snapshot makes no sense here; use --config or a URL');
      const { snapshot } = await readSource(url, opts, io);
      await emit(serializeSnapshot(snapshot), opts.out, io);
      for (const e of snapshot.errors) io.stderr(`headroom: shard ${e.shard}: ${e.message}\n`);
      code = snapshot.errors.length ? 2 : 0;
    });

  program
    .command('plan')
    .description('Turn findings into ordered migration plans: every column of each widening group, the tool, the commands, time and disk.')
    .argument('[url]', 'one server: mysql://user@host:3306 (instead of --config)')
    .option('-c, --config <file>', 'inventory YAML (its policy: block sets tools, copy rate, direct-ALTER limits)')
    .option('-s, --snapshot <file>', 'plan from a snapshot instead of live servers')
    .option('--only <column>', 'only the group containing this column: table.column, db.table.column or shard/db/table.column')
    .option('--finding <id>', 'only the group of this finding id (from scan --format json)')
    .addOption(new Option('-f, --format <format>', 'output format').choices(['text', 'json', 'markdown']).default('text'))
    .option('-o, --out <file>', 'write the plan to a file instead of stdout')
    .option('-q, --quiet', 'no progress line on stderr')
    .action(async (url: string | undefined, opts: SourceOptions & { only?: string; finding?: string; format: 'text' | 'json' | 'markdown'; out?: string }) => {
      const { snapshot, config, inventory } = await readSource(url, opts, io);
      const report = scanSnapshot(snapshot, config);
      const plan = planWidenings(report.findings, snapshot, config, {
        policy: inventory?.policy ?? DEFAULT_POLICY,
        ...(inventory ? { connections: connectionsOf(inventory) } : {}),
        ...(opts.only ? { only: opts.only } : {}),
        ...(opts.finding ? { finding: opts.finding } : {}),
      });
      if ((opts.only || opts.finding) && plan.plans.length === 0) {
        throw new UsageError(`no finding matches ${opts.finding ? `--finding ${opts.finding}` : `--only ${opts.only}`} (see headroom scan --format json for ids)`);
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
    .option('-q, --quiet', 'no progress line on stderr')
    .action(async (url: string | undefined, opts: SourceOptions & { out: string; only?: string; finding?: string; stdout?: boolean }) => {
      const { snapshot, config, inventory } = await readSource(url, opts, io);
      const report = scanSnapshot(snapshot, config);
      const connections = inventory ? connectionsOf(inventory) : undefined;
      const policy = inventory?.policy ?? DEFAULT_POLICY;
      const plan = planWidenings(report.findings, snapshot, config, {
        policy,
        ...(connections ? { connections } : {}),
        ...(opts.only ? { only: opts.only } : {}),
        ...(opts.finding ? { finding: opts.finding } : {}),
      });
      if ((opts.only || opts.finding) && plan.plans.length === 0) {
        throw new UsageError(`no finding matches ${opts.finding ? `--finding ${opts.finding}` : `--only ${opts.only}`} (see headroom scan --format json for ids)`);
      }
      const scanCommand = opts.config ? `headroom scan --config ${opts.config}` : url ? `headroom scan ${redact(url)}` : `headroom scan --config <your headroom.yaml>`;
      const files = renderRunbooks(plan, { findings: report.findings, policy, scanCommand, ...(connections ? { connections } : {}) });
      if (opts.stdout) {
        io.stdout(files.map((f) => f.content).join('\n\n'));
      } else {
        try {
          await mkdir(opts.out, { recursive: true });
          for (const f of files) await writeFile(join(opts.out, f.path), f.content);
          await writeFile(join(opts.out, 'index.md'), renderIndex(plan, report.findings));
        } catch (e) {
          throw new UsageError(`${opts.out}: cannot write runbooks: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
        }
        io.stdout(`wrote ${files.length} runbook${files.length === 1 ? '' : 's'} and index.md to ${opts.out}/\n`);
      }
      for (const e of snapshot.errors) io.stderr(`headroom: shard ${e.shard} could not be read, no runbook for it: ${e.message}\n`);
      code = snapshot.errors.length ? 2 : 0;
    });

  program
    .command('checks')
    .description('List the checks (their ids are what findings, docs and baselines use).')
    .action(() => {
      for (const c of CHECKS) io.stdout(`${c.id.padEnd(18)} ${c.summary}  (docs/checks/${c.id}.md)\n`);
    });

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

function connectionsOf(inventory: Inventory): Map<string, Connection> {
  return new Map(
    inventory.shards.map((s) => [s.name, { host: s.host, port: s.port, user: s.user, ...(s.socketPath ? { socketPath: s.socketPath } : {}) }]),
  );
}

async function readSource(
  url: string | undefined,
  opts: SourceOptions,
  io: Io,
): Promise<{ snapshot: Snapshot; config: CheckConfig; inventory?: Inventory }> {
  const given = [url && 'a URL', opts.config && '--config', opts.snapshot && '--snapshot'].filter(Boolean);
  if (opts.snapshot) {
    if (url) throw new UsageError('give either a URL or --snapshot, not both');
    // Nothing connects: a ${VAR} meant for a password need not be set to read thresholds and relationships.
    const env = new Proxy(io.env, { get: (target, name: string) => target[name] ?? '' });
    const inventory = opts.config ? await loadInventory(opts.config, env) : undefined;
    return { snapshot: await loadSnapshot(opts.snapshot), config: inventory ?? DEFAULT_CHECK_CONFIG, ...(inventory ? { inventory } : {}) };
  }
  if (given.length === 0) throw new UsageError('nothing to scan: give --config headroom.yaml, a URL (mysql://user@host:3306) or --snapshot file.json');
  if (url && opts.config) throw new UsageError('give either a URL or --config, not both');
  const inventory: Inventory = url ? inventoryFromUrl(url, io.env) : await loadInventory(opts.config!, io.env);
  const progress = io.stderrIsTTY && !opts.quiet ? progressLine(io) : undefined;
  const snapshot = await collectSnapshot(inventory, progress ? { onProgress: progress.update } : {});
  progress?.done();
  return { snapshot, config: inventory, inventory };
}

function progressLine(io: Io) {
  const started = Date.now();
  return {
    update(p: CollectProgress) {
      const s = ((Date.now() - started) / 1000).toFixed(1);
      io.stderr(`\r\x1b[2Kreading shards ${p.shardsDone}/${p.shardsTotal} · last: ${p.shard} ${p.ok ? 'ok' : 'FAILED'} · ${s}s`);
    },
    done() {
      io.stderr('\r\x1b[2K');
    },
  };
}

async function emit(text: string, out: string | undefined, io: Io): Promise<void> {
  if (!out) return io.stdout(text);
  try {
    await writeFile(out, text);
  } catch (e) {
    throw new UsageError(`${out}: cannot write: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
}
