/**
 * `npm run bench:rails`: what reading a big Rails app's models costs. Generates an app of N model
 * files (default 1,000; Intercom has over 800 models) under the temp dir — namespaces with
 * table_name_prefix, concerns with included blocks, STI subclasses, with_options, polymorphic
 * pairs, has_and_belongs_to_many, validations, scopes and methods so files are the size of real
 * ones — plus its db/schema.rb, then measures:
 *
 *   - readRailsApp in this process: the first run (WASM compile + instantiate included) and warm runs;
 *   - `node bin/headroom.js lint --rails APP` and `relations --rails APP` end to end, each a fresh process.
 *
 *   npm run bench:rails                      # 1,000 files, 5 runs
 *   npm run bench:rails -- --models 2000 --runs 3 --out /tmp/r.md
 *
 * Writes the `rails` section of bench/RESULTS.md (or --out).
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { readRailsApp } from '../src/rails/app.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const BIN = path.join(ROOT, 'bin', 'headroom.js');
const { values: opt } = parseArgs({ options: { models: { type: 'string' }, runs: { type: 'string' }, out: { type: 'string' }, keep: { type: 'boolean' } } });
const MODELS = Number(opt.models ?? 1000);
const RUNS = Number(opt.runs ?? 5);
const OUT = path.resolve(opt.out ?? path.join(ROOT, 'bench', 'RESULTS.md'));

const NAMESPACES = 40;
const CONCERNS = 25;

/** The app: `MODELS` files in total (models, concerns, namespace modules, ApplicationRecord). */
function generate(dir: string): { files: number; bytes: number; lines: number; tables: string[] } {
  const models = path.join(dir, 'app', 'models');
  fs.mkdirSync(path.join(models, 'concerns'), { recursive: true });
  let files = 0;
  let bytes = 0;
  let lines = 0;
  const write = (rel: string, text: string) => {
    const p = path.join(models, rel);
    fs.mkdirSync(path.dirname(p), { recursive: true });
    fs.writeFileSync(p, text);
    files++;
    bytes += Buffer.byteLength(text);
    lines += text.split('\n').length;
  };
  write('application_record.rb', 'class ApplicationRecord < ActiveRecord::Base\n  primary_abstract_class\nend\n');
  for (let c = 0; c < CONCERNS; c++) {
    write(
      `concerns/trait${c}.rb`,
      `module Trait${c}\n  extend ActiveSupport::Concern\n\n  included do\n    belongs_to :trait${c}_owner, class_name: "Model${c}", optional: true\n    has_many :notes, as: :notable\n    scope :recent_${c}, -> { where("created_at > ?", 1.week.ago) }\n  end\n\n  class_methods do\n    def trait${c}_lookup(id)\n      find_by(id: id)\n    end\n  end\n\n  def trait${c}?\n    trait${c}_owner.present?\n  end\nend\n`,
    );
  }
  for (let n = 0; n < NAMESPACES; n++) write(`ns${n}.rb`, `module Ns${n}\n  def self.table_name_prefix\n    "ns${n}_"\n  end\nend\n`);
  write('note.rb', 'class Note < ApplicationRecord\n  belongs_to :notable, polymorphic: true\nend\n');
  const count = MODELS - files;
  const tables: string[] = ['notes'];
  const name = (i: number) => `Model${i}`;
  const full = (i: number) => (i % 3 === 0 ? `Ns${i % NAMESPACES}::${name(i)}` : name(i));
  for (let i = 0; i < count; i++) {
    const ns = i % 3 === 0 ? `Ns${i % NAMESPACES}` : undefined;
    const cls = full(i);
    const sti = i % 17 === 5 && i > 5;
    const parent = sti ? `::${full(i - 5)}` : 'ApplicationRecord';
    const a = (k: number) => full((i * 7 + k * 13) % count);
    const body: string[] = [
      `  include Trait${i % CONCERNS}`,
      '',
      `  belongs_to :owner, class_name: "${a(1)}"`,
      `  belongs_to :creator, class_name: "::${a(2)}", foreign_key: "created_by_id", optional: true`,
      `  has_many :children, class_name: "${a(3)}", foreign_key: "parent_model${i}_id", dependent: :destroy`,
      `  has_one :summary, class_name: "${a(4)}", inverse_of: :summarized`,
      ...(i % 5 === 0 ? [`  has_and_belongs_to_many :peers, class_name: "${a(5)}", join_table: "peers_${i}"`] : []),
      ...(i % 4 === 0 ? ['  with_options class_name: "Model1", optional: true do |o|', '    o.belongs_to :approver', '    o.belongs_to :reviewer', '  end'] : []),
      ...(i % 9 === 0 ? ['  has_many :notes, as: :notable'] : []),
      ...(i % 50 === 0 ? ['  belongs_to :plan, class_name: "#{PLAN_NS}::Plan"'] : []),
      '',
      '  validates :name, presence: true, length: { maximum: 255 }',
      '  validates :owner, presence: true',
      `  scope :active, -> { where(state: "active").order(created_at: :desc) }`,
      '',
      '  before_save :normalize_name',
      '',
    ];
    for (let m = 0; m < 12; m++) {
      body.push(`  def compute_${m}(value, options = {})`, `    return nil if value.blank?`, `    result = value.to_s.strip.downcase.gsub(/[^a-z0-9]+/, "-")`, `    options.fetch(:prefix, "m${m}") + result`, '  end', '');
    }
    body.push('  private', '', '  def normalize_name', '    self.name = name.to_s.squish', '  end');
    const text = ns
      ? `module ${ns}\n  class ${name(i)} < ${parent}\n${body.map((l) => (l ? `  ${l}` : l)).join('\n')}\n  end\nend\n`
      : `class ${cls} < ${parent}\n${body.join('\n')}\nend\n`;
    write(`${ns ? `ns${i % NAMESPACES}/` : ''}model${i}.rb`, text);
    if (!sti) tables.push(ns ? `ns${i % NAMESPACES}_model${i}s` : `model${i}s`);
  }
  // db/schema.rb: a table per base model, integer columns for its references.
  const schema = ['ActiveRecord::Schema[7.1].define(version: 2026_01_01_000000) do'];
  for (const t of tables) {
    schema.push(`  create_table "${t}", charset: "utf8mb4", force: :cascade do |t|`, '    t.bigint "owner_id"', '    t.integer "created_by_id"', '    t.bigint "trait_owner_id"', '    t.string "name"', '    t.index ["owner_id"]', '  end', '');
  }
  schema.push('end', '');
  fs.mkdirSync(path.join(dir, 'db'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'db', 'schema.rb'), schema.join('\n'));
  return { files, bytes, lines, tables };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

const ms = (x: number) => `${x.toFixed(0)} ms`;

async function main(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'headroom-bench-rails-'));
  try {
    const app = generate(dir);
    const inProcess: number[] = [];
    let last;
    for (let r = 0; r < RUNS; r++) {
      const t = performance.now();
      last = await readRailsApp(dir);
      inProcess.push(performance.now() - t);
    }
    const cli = (args: string[]) => {
      const times: number[] = [];
      for (let r = 0; r < RUNS; r++) {
        const t = performance.now();
        try {
          execFileSync(process.execPath, [BIN, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
        } catch (e) {
          // lint exits 1 on findings: that is its answer, not a failure.
          if ((e as { status?: number }).status !== 1) throw e;
        }
        times.push(performance.now() - t);
      }
      return times;
    };
    const load = os.loadavg()[0]!;
    const start = cli(['--version']);
    const lint = cli(['lint', '--rails', dir, '--format', 'json', '--out', path.join(dir, 'lint.json')]);
    const relations = cli(['relations', '--rails', dir, '--format', 'json', '--out', path.join(dir, 'relations.json')]);
    process.env.HEADROOM_RAILS_THREADS = '1';
    const oneThread = cli(['relations', '--rails', dir, '--format', 'json', '--out', path.join(dir, 'relations-1.json')]);
    delete process.env.HEADROOM_RAILS_THREADS;
    if (fs.readFileSync(path.join(dir, 'relations.json'), 'utf8') !== fs.readFileSync(path.join(dir, 'relations-1.json'), 'utf8')) throw new Error('one thread and several gave different listings');
    const loadAfter = os.loadavg()[0]!;
    const node = execFileSync(process.execPath, ['-e', 'process.stdout.write(process.version)']).toString();
    const cpus = os.cpus();
    const section = [
      '<!-- bench:rails -->',
      `## Reading a Rails app: ${MODELS.toLocaleString('en')} model files`,
      '',
      `Run ${new Date().toISOString()} by \`npm run bench:rails${MODELS === 1000 && RUNS === 5 ? '' : ` -- --models ${MODELS} --runs ${RUNS}`}\` (bench/rails.ts).`,
      '',
      `- Machine: ${cpus.length} CPUs (${cpus[0]?.model.trim() ?? '?'}), Node ${node}; @ruby/prism 1.9.0 (WASM); 1-minute load average ${load.toFixed(1)} before the CLI runs, ${loadAfter.toFixed(1)} after (other work on the machine inflates every number)`,
      `- App (generated): ${app.files.toLocaleString('en')} files under app/models (${NAMESPACES} namespace modules with table_name_prefix, ${CONCERNS} concerns, STI subclasses, with_options, polymorphic pairs, habtm), ${app.lines.toLocaleString('en')} lines, ${(app.bytes / 1e6).toFixed(2)} MB; db/schema.rb with ${app.tables.length.toLocaleString('en')} tables`,
      `- Read: ${last!.models.length.toLocaleString('en')} models, ${last!.references.length.toLocaleString('en')} references, ${last!.polymorphic.length} polymorphic pairs, ${last!.warnings.length} warnings`,
      '',
      '| what | runs | first | median | max |',
      '|---|---|---|---|---|',
      `| \`readRailsApp\` in one process (first run compiles the WASM module) | ${RUNS} | ${ms(inProcess[0]!)} | ${ms(median(inProcess))} | ${ms(Math.max(...inProcess))} |`,
      `| \`headroom --version\` (a fresh process that reads nothing: the CLI's own start) | ${RUNS} | ${ms(start[0]!)} | ${ms(median(start))} | ${ms(Math.max(...start))} |`,
      `| \`headroom lint --rails APP\` (fresh process: start, models, schema.rb, checks, JSON) | ${RUNS} | ${ms(lint[0]!)} | ${ms(median(lint))} | ${ms(Math.max(...lint))} |`,
      `| \`headroom relations --rails APP --format json\` (fresh process) | ${RUNS} | ${ms(relations[0]!)} | ${ms(median(relations))} | ${ms(Math.max(...relations))} |`,
      `| the same with \`HEADROOM_RAILS_THREADS=1\` (parsing on the main thread only) | ${RUNS} | ${ms(oneThread[0]!)} | ${ms(median(oneThread))} | ${ms(Math.max(...oneThread))} |`,
      '',
      "Target: under 2 s for 1,000 files. Files are read in parallel (libuv). From 200 files on, parsing is shared between the main thread and worker threads (one per further CPU, at most 3 more), each instantiating the prism module the main thread compiled; the listing is byte for byte the same as one thread's (checked by this run). `readRailsApp` in this process runs from the TypeScript sources, where there is no compiled worker file: one thread.",
      '<!-- /bench:rails -->',
    ].join('\n');
    writeBlock(OUT, section);
    process.stdout.write(`${section}\n`);
  } finally {
    if (!opt.keep) fs.rmSync(dir, { recursive: true, force: true });
    else process.stderr.write(`kept ${dir}\n`);
  }
}

/** Replace (or append) the `rails` block of FILE. */
function writeBlock(file: string, section: string): void {
  const text = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '# Benchmark results\n';
  const start = text.indexOf('<!-- bench:rails -->');
  const endMark = '<!-- /bench:rails -->';
  const end = text.indexOf(endMark);
  const next = start >= 0 && end > start ? text.slice(0, start) + section + text.slice(end + endMark.length) : `${text.replace(/\n*$/, '\n\n')}${section}\n`;
  fs.writeFileSync(file, next);
}

await main();
