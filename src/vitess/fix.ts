/**
 * Plans for broken Vitess sequences. Widening fixes none of them: the fix is the VSchema, the
 * sequence table or its row. Pure: findings + snapshot + config → plans whose steps are the exact
 * SQL (on the sequence's own shard) and vtctldclient commands (through vtctld) that fix it.
 *
 * Facts (Vitess docs, "Sequences"; vttablet's sequence engine): a sequence is a table in an
 * unsharded keyspace, `CREATE TABLE t (id INT, next_id BIGINT, cache BIGINT, PRIMARY KEY (id))
 * COMMENT 'vitess_sequence'`, with one row, id = 0; the VSchema declares it `{"type": "sequence"}`
 * (`ALTER VSCHEMA ADD SEQUENCE t`). vttablet reads next_id and cache from that row (SELECT … FOR
 * UPDATE) whenever it reserves a block of `cache` ids; it refuses cache < 1.
 */
import type { CheckConfig } from '../config/types.js';
import type { Finding, Snapshot } from '../model/types.js';
import { q, qt, sh, vtctldclient, type Connection } from '../plan/commands.js';
import { groupId, findingKey } from '../plan/groups.js';
import type { Policy, Step, WideningPlan } from '../plan/types.js';
import { groupDigits } from '../checks/common.js';
import type { KeyspaceConfig, VitessConfig } from './config.js';

/** The block size a repaired sequence gets (Vitess's examples use small ones; each block is one row update). */
export const REPAIR_CACHE = 1000n;

/** Sequence findings that widening cannot fix, planned as repairs; the rest go to the widening planner. */
export function sequenceFixPlans(findings: readonly Finding[], snapshot: Snapshot, config: CheckConfig, policy: Policy, connections?: Map<string, Connection>): WideningPlan[] {
  const vitess = config.vitess;
  if (!vitess) return [];
  const out: WideningPlan[] = [];
  for (const f of findings) {
    if (f.check !== 'sequence-capacity' || !f.sequenceProblem) continue;
    const plan = fixPlan(f, snapshot, vitess, policy, connections);
    if (plan) out.push(plan);
  }
  return out;
}

/** The keyspace a sequence-capacity finding is about (its id is `sequence-capacity:<keyspace>/<table>.<column>`). */
function sharded(f: Finding, vitess: VitessConfig): KeyspaceConfig | undefined {
  const name = f.id.slice('sequence-capacity:'.length, f.id.indexOf('/'));
  return vitess.keyspaces.find((k) => k.name === name);
}

/** The largest id the column holds on any shard of the keyspace (MAX() read in the scan), or null when none was read. */
function maxOnShards(snapshot: Snapshot, ks: KeyspaceConfig, table: string, column: string): bigint | null {
  let best: bigint | null = null;
  for (const name of ks.shards) {
    const t = snapshot.shards.find((s) => s.name === name)?.databases.find((d) => d.name === ks.database)?.tables.find((x) => x.name === table);
    const v = t?.maxValues[column];
    if (v !== undefined && v !== null && (best === null || v > best)) best = v;
  }
  return best;
}

function fixPlan(f: Finding, snapshot: Snapshot, vitess: VitessConfig, policy: Policy, connections?: Map<string, Connection>): WideningPlan | undefined {
  const ks = sharded(f, vitess);
  if (!ks) return undefined;
  const entry = ks.vschema.tables?.[f.table]?.auto_increment;
  const named = entry?.sequence ?? f.sequence?.table ?? '';
  // Where the sequence lives (or must live): its keyspace, that keyspace's database, its first shard.
  let seqKeyspace: KeyspaceConfig | undefined;
  let seqTable = named;
  if (f.sequence) {
    seqKeyspace = vitess.keyspaces.find((k) => k.name === f.sequence!.keyspace);
    seqTable = f.sequence.table;
  } else if (named.includes('.')) {
    seqKeyspace = vitess.keyspaces.find((k) => k.name === named.split('.')[0]);
    seqTable = named.split('.').slice(1).join('.');
  } else {
    const unsharded = vitess.keyspaces.filter((k) => !k.vschema.sharded);
    if (unsharded.length === 1) seqKeyspace = unsharded[0];
  }
  const steps: Step[] = [];
  const blocked: string[] = [];
  const warnings: string[] = [];
  const maxKey = maxOnShards(snapshot, ks, f.table, f.column);
  const current = f.current;
  // The next id must be above every id any shard already holds, and never go back.
  const floor = [maxKey === null ? 0n : maxKey + 1n, current === null ? 0n : current + 1n].reduce((a, b) => (b > a ? b : a));
  const nextId = floor > 0n ? floor : 1n;
  const key = findingKey(f);
  const id = groupId(key);
  const base = {
    id,
    shard: f.shard,
    database: ks.database,
    key,
    keys: [key],
    groups: [id],
    members: [],
    triggeredBy: [f.id],
    worstSeverity: f.severity,
    total: { secondsLow: 0, secondsHigh: 0, diskBytes: 0n },
    kind: 'sequence-fix' as const,
  };
  if (!seqKeyspace) {
    blocked.push(
      `${ks.name}.${f.table}.${f.column} names sequence "${named}", which no keyspace declares, and the vitess: block has ${vitess.keyspaces.filter((k) => !k.vschema.sharded).length} unsharded keyspaces: ` +
        'decide which unsharded keyspace holds the sequence (qualify it in the VSchema as "<keyspace>.<table>"), then plan again.',
    );
    return { ...base, steps, blocked, warnings };
  }
  const seqShard = seqKeyspace.shards[0]!;
  const conn = connections?.get(seqShard) ?? { host: `<host of ${seqShard}>`, port: 3306, user: '<migration user>' };
  const vt = vtctldclient(vitess.vtctld ?? { server: '<vtctld host:port>', flags: [] });
  const seqQualified = qt(seqKeyspace.database, seqTable);
  const sql = (n: number, title: string, commands: string[], notes: string[]): Step => ({ n, kind: 'sequence-fix', title, database: seqKeyspace!.database, table: seqTable, commands, notes });
  const shell = (n: number, title: string, commands: string[], notes: string[]): Step => ({ n, kind: 'sequence-fix', title, database: seqKeyspace!.database, table: seqTable, tool: 'vitess', commands, notes });
  const maxNote =
    maxKey === null
      ? `No shard's MAX(${f.column}) was read: before running, check that ${groupDigits(nextId)} is above \`SELECT MAX(${q(f.column)}) FROM ${q(f.table)}\` on every shard of ${ks.name}.`
      : `${groupDigits(nextId)} is one above the largest ${f.table}.${f.column} on any shard of ${ks.name} (${groupDigits(maxKey)}, MAX() in the scan)${current !== null && current + 1n > (maxKey ?? 0n) ? ' and not below the sequence\'s own next_id' : ''}: ids it hands out cannot collide with rows that exist.`;
  const create = () =>
    shell(
      steps.length + 1,
      `Create the sequence table ${seqKeyspace!.name}.${seqTable}`,
      [`${vt} ApplySchema --ddl-strategy direct --sql ${sh(`CREATE TABLE ${q(seqTable)} (id INT, next_id BIGINT, cache BIGINT, PRIMARY KEY (id)) COMMENT 'vitess_sequence'`)} ${sh(seqKeyspace!.name)}`],
      [`Through vtctld, on the unsharded keyspace ${seqKeyspace!.name} (every tablet of it gets the table).`],
    );
  const insertRow = () =>
    sql(steps.length + 1, `Give ${seqTable} its row (id 0, next id ${groupDigits(nextId)}, cache ${REPAIR_CACHE})`, [`INSERT INTO ${seqQualified} (id, next_id, cache) VALUES (0, ${nextId}, ${REPAIR_CACHE});`], [maxNote, 'vttablet reads only the row with id = 0; other rows, if any, are ignored and can stay.']);
  switch (f.sequenceProblem) {
    case 'undeclared': {
      const exists = seqKeyspace.shards.some((s) => snapshot.shards.find((x) => x.name === s)?.databases.find((d) => d.name === seqKeyspace!.database)?.tables.some((t) => t.name === seqTable));
      if (!exists) steps.push(create());
      if (!exists) steps.push(insertRow());
      const ddl = `alter vschema add sequence ${seqTable}`;
      steps.push(
        shell(
          steps.length + 1,
          `Declare ${seqTable} as a sequence in keyspace ${seqKeyspace.name}'s VSchema`,
          [`${vt} ApplyVSchema --sql ${sh(ddl)} --dry-run ${sh(seqKeyspace.name)}`, `${vt} ApplyVSchema --sql ${sh(ddl)} ${sh(seqKeyspace.name)}`],
          ['The first command only prints the VSchema it would save: check that it lists the table with "type": "sequence", then run the second.'],
        ),
      );
      break;
    }
    case 'missing-table':
      steps.push(create(), insertRow());
      break;
    case 'missing-row':
      steps.push(insertRow());
      break;
    case 'null-next-id':
    case 'behind-data':
      steps.push(
        sql(
          steps.length + 1,
          `Move ${seqTable}'s next id to ${groupDigits(nextId)}`,
          [`UPDATE ${seqQualified} SET next_id = ${nextId} WHERE id = 0 AND (next_id IS NULL OR next_id < ${nextId});`],
          [
            maxNote,
            `The primary tablet of ${seqKeyspace.name} hands out the rest of a block it already reserved before it reads next_id again: until then ids below ${groupDigits(nextId)} can still be handed out. To apply it at once, restart (or reparent) that tablet after this step.`,
          ],
        ),
      );
      break;
    case 'bad-cache':
      steps.push(
        sql(
          steps.length + 1,
          `Give ${seqTable} a cache vttablet accepts (${REPAIR_CACHE})`,
          [`UPDATE ${seqQualified} SET cache = ${REPAIR_CACHE} WHERE id = 0;`],
          [`vttablet refuses cache < 1; it reads the row again at its next attempt to reserve ids, so inserts that need an id work from then on. Each block of ${REPAIR_CACHE} ids costs one update of this row.`],
        ),
      );
      break;
  }
  void policy;
  void conn;
  return {
    ...base,
    shard: seqShard,
    database: seqKeyspace.database,
    steps,
    blocked,
    warnings,
    fix: { sequence: `${seqKeyspace.name}.${seqTable}`, database: seqKeyspace.database, table: seqTable, problem: f.sequenceProblem!, nextId: String(nextId), cache: String(REPAIR_CACHE) },
  };
}

