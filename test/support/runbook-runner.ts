/**
 * Reading a generated runbook the way the on-call engineer would, and running it.
 *
 * - Section 4 ("## 4. Steps", up to "## 5.") is split into its "### Step N: …" parts; each part's
 *   ```sql and ```sh fences are its executable blocks, in order (the logic of
 *   test/integration/runbook.test.ts's stepBlocks/runBlocks, copied here so tests do not import
 *   each other).
 * - SQL blocks go through the stock `mariadb` client, connected the way section 4's intro says
 *   ("SQL blocks run in `mysql -h H -P P -u U -p`"): host, port and user are read from that line.
 *   `-p` (a password prompt) is dropped: the throwaway server's root has an empty password.
 * - Shell blocks run one line at a time through `sh -c`, comment and blank lines skipped, a line
 *   ending in `\` joined with the next. A pt-online-schema-change `--dry-run` must exit 0 and print
 *   no `Error` line before the `--execute` after it is run (what the runbook tells the reader);
 *   an `--execute` must print "Successfully altered".
 * - Variables: if a fenced block before section 4 holds only `NAME=value` / `export NAME=value`
 *   lines (a fill-in block), its text is put in front of every shell line, so those variables are
 *   set as a person who pasted the block into their terminal would have them. `<placeholder>`s
 *   in it are filled from the caller's map; an unknown one is an error (a person would have to
 *   ask), never silently left in.
 * - A blocked step ("Blocked: do not start") is a failure: a person would not start that runbook.
 * - A step that fails stops its runbook (a person would stop there); the failure names the step,
 *   the block and the error text.
 */
import { execFile } from 'node:child_process';

export interface Block {
  lang: 'sql' | 'sh';
  text: string;
}

export interface Step {
  n: number;
  title: string;
  body: string;
  blocks: Block[];
}

export interface Connection {
  host: string;
  port: number;
  user: string;
}

export interface ParsedRunbook {
  steps: Step[];
  /** The line that says how to connect for SQL blocks, parsed; undefined if the runbook has none. */
  connection: Connection | undefined;
  /** Text of the fill-in (variables) blocks before section 4, or '' when there are none. */
  variables: string;
  /** Unlabelled fences of a section (3: pre-checks, 5: verify), in order. */
  plainBlocks(section: number): string[];
  /** Raw text of "## n." up to the next "## " heading. */
  section(n: number): string;
}

function sectionText(markdown: string, n: number): string {
  const start = markdown.search(new RegExp(`^## ${n}\\. `, 'm'));
  if (start < 0) return '';
  const rest = markdown.slice(start + 3);
  const end = rest.search(/^## /m);
  return markdown.slice(start, end < 0 ? undefined : start + 3 + end);
}

const ASSIGNMENT = /^(?:export\s+)?[A-Za-z_][A-Za-z0-9_]*=/;

export function parseRunbook(markdown: string): ParsedRunbook {
  const steps4 = sectionText(markdown, 4);
  const parts = steps4.split(/^(?=### Step \d+: )/m).slice(1);
  const steps = parts.map((part) => {
    const head = /^### Step (\d+): (.*)$/m.exec(part);
    return {
      n: Number(head?.[1]),
      title: head?.[2] ?? '',
      body: part,
      blocks: [...part.matchAll(/```(sql|sh)\n([\s\S]*?)```/g)].map((m) => ({ lang: m[1] as 'sql' | 'sh', text: m[2]! })),
    };
  });
  const conn = /`mysql -h (\S+) -P (\d+) -u ([^\s`]+)/.exec(steps4.split(/^### /m)[0] ?? '');
  const before4 = markdown.slice(0, Math.max(0, markdown.search(/^## 4\. /m)));
  const variables = [...before4.matchAll(/```(?:sh|bash|shell)?\n([\s\S]*?)```/g)]
    .map((m) => m[1]!)
    .filter((text) => {
      const lines = text.split('\n').filter((l) => l.trim() && !l.trim().startsWith('#'));
      return lines.length > 0 && lines.every((l) => ASSIGNMENT.test(l.trim()));
    })
    .join('\n');
  return {
    steps,
    connection: conn ? { host: conn[1]!, port: Number(conn[2]), user: conn[3]! } : undefined,
    variables,
    plainBlocks: (n) => [...sectionText(markdown, n).matchAll(/```\n([\s\S]*?)```/g)].map((m) => m[1]!),
    section: (n) => sectionText(markdown, n),
  };
}

/** A blocked step: it says so and tells the reader not to start (the options are at the top of the runbook). */
export function blockedStep(step: Step): boolean {
  return /\bBlocked\b[^\n]*do not start/i.test(step.body);
}

/**
 * A step with nothing to run: no fence, or only empty fences. Exempt: the application step, a
 * step that says there is nothing to run, and a blocked step that says not to start.
 */
export function emptyStep(step: Step): boolean {
  if (step.blocks.some((b) => b.text.trim() !== '')) return false;
  if (/restart the application/i.test(step.title)) return false;
  if (/nothing to run/i.test(step.body)) return false;
  if (blockedStep(step) && step.blocks.length === 0) return false;
  return true;
}

export interface ExecResult {
  code: number;
  stdout: string;
  stderr: string;
}

export function execCommand(file: string, args: string[], opts: { timeoutMs: number; env?: NodeJS.ProcessEnv; cwd?: string }): Promise<ExecResult> {
  return new Promise((resolve) => {
    execFile(
      file,
      args,
      { timeout: opts.timeoutMs, env: opts.env ?? process.env, cwd: opts.cwd, maxBuffer: 64 * 1024 * 1024 },
      (err, stdout, stderr) => {
        const numeric = typeof (err as { code?: unknown } | null)?.code === 'number';
        const code = err ? (numeric ? (err as unknown as { code: number }).code : 1) : 0;
        // not an exit code (spawn error, timeout, signal): say what happened
        resolve({ code, stdout, stderr: err && !numeric ? `${stderr}${err.message}` : stderr });
      },
    );
  });
}

export function mariadbArgs(conn: Connection, sql: string): string[] {
  return ['--no-defaults', '-h', conn.host, '-P', String(conn.port), '-u', conn.user, '--batch', '-e', sql];
}

/** Fill `<placeholder>`s in the variables block; throws on one the map does not know. */
export function fillVariables(text: string, fill: Record<string, string>): string {
  return text.replace(/<[^<>\n]+>/g, (p) => {
    const v = fill[p];
    if (v === undefined) throw new Error(`the runbook's variables block has a placeholder nobody filled: ${p}`);
    return v;
  });
}

export interface StepFailure {
  runbook: string;
  step: number;
  title: string;
  block: number;
  command: string;
  error: string;
}

export interface RunStats {
  steps: number;
  blocks: number;
  sqlBlocks: number;
  shellLines: number;
  ptoscExecutes: number;
  orphanChecks: number;
}

function shellLines(text: string): string[] {
  const out: string[] = [];
  let pending = '';
  for (const raw of text.split('\n')) {
    if (!pending && (!raw.trim() || raw.trimStart().startsWith('#'))) continue;
    if (raw.endsWith('\\')) {
      pending += raw.slice(0, -1) + ' ';
      continue;
    }
    out.push(pending + raw);
    pending = '';
  }
  if (pending.trim()) out.push(pending);
  return out;
}

const short = (s: string, n = 600): string => (s.length > n ? `${s.slice(0, n)}…` : s).trim();

/**
 * Run every step's blocks in order. Stops at the first failing block and returns it; `stats`
 * counts what ran. `log` receives every command's output.
 */
export async function runSteps(
  name: string,
  parsed: ParsedRunbook,
  conn: Connection,
  opts: { variables?: string; stats: RunStats; log?: (text: string) => void; env?: NodeJS.ProcessEnv },
): Promise<StepFailure | undefined> {
  const log = opts.log ?? (() => undefined);
  const prelude = opts.variables ? `${opts.variables}\n` : '';
  for (const step of parsed.steps) {
    opts.stats.steps++;
    if (blockedStep(step)) {
      return { runbook: name, step: step.n, title: step.title, block: 0, command: '(none)', error: 'blocked step: the runbook says do not start until someone decides how to widen this table' };
    }
    for (const [i, block] of step.blocks.entries()) {
      opts.stats.blocks++;
      const fail = (command: string, error: string): StepFailure => ({ runbook: name, step: step.n, title: step.title, block: i + 1, command: short(command, 400), error: short(error) });
      if (block.lang === 'sql') {
        opts.stats.sqlBlocks++;
        if (!block.text.trim()) return fail('(empty ```sql block)', 'the step has an empty SQL block: nothing a person could run');
        const r = await execCommand('mariadb', mariadbArgs(conn, block.text), { timeoutMs: 90_000 });
        log(r.stdout + r.stderr);
        if (r.code !== 0) return fail(block.text, `mariadb exit ${r.code}: ${r.stderr}`);
        const orphans = /^orphans\n(\d+)/m.exec(r.stdout);
        if (orphans) {
          opts.stats.orphanChecks++;
          if (Number(orphans[1]) !== 0) return fail(block.text, `orphan check: orphans = ${orphans[1]} (expected 0)`);
        }
      } else {
        const lines = shellLines(block.text);
        if (lines.length === 0) return fail('(empty ```sh block)', 'the step has an empty shell block: nothing a person could run');
        for (const line of lines) {
          opts.stats.shellLines++;
          const r = await execCommand('sh', ['-c', prelude + line], { timeoutMs: 150_000, env: opts.env });
          const out = r.stdout + r.stderr;
          log(out);
          if (r.code !== 0) return fail(line, `exit ${r.code}: ${out.split('\n').filter((l) => /error|fail|cannot|can't|die/i.test(l)).join(' | ') || out}`);
          if (/pt-online-schema-change/.test(line) && /--dry-run\b/.test(line) && /^Error/m.test(out)) {
            return fail(line, `dry run printed an Error line: ${out.split('\n').filter((l) => /^Error/.test(l)).join(' | ')}`);
          }
          if (/pt-online-schema-change/.test(line) && /--execute\b/.test(line)) {
            opts.stats.ptoscExecutes++;
            if (!/Successfully altered/.test(out)) return fail(line, `no "Successfully altered": ${out}`);
          }
        }
      }
    }
  }
  return undefined;
}
