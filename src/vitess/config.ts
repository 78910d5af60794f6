/**
 * The `vitess:` block of the inventory: keyspaces, their VSchema (as
 * `vtctldclient GetVSchema <keyspace>` prints it), and which shards (servers of
 * `shards:`) hold their tablets' MySQL databases (`vt_<keyspace>` by default).
 *
 * Facts (Vitess docs, "Sequences"): a sequence is a one-row table in an
 * UNSHARDED keyspace, `create table user_seq(id bigint, next_id bigint, cache bigint,
 * primary key(id)) comment 'vitess_sequence'`, with the row id = 0; the VSchema
 * lists it as `{"type": "sequence"}`, and a sharded table uses it through
 * `"auto_increment": {"column": "user_id", "sequence": "user_seq"}` (the name
 * may be qualified with its keyspace).
 */
import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { fileErrorText, UsageError } from '../errors.js';

export interface VSchemaTable {
  type?: string;
  auto_increment?: { column: string; sequence: string };
  /** The table's vindexes, primary first (`column` or `columns`, and the vindex's name). */
  column_vindexes?: { columns: string[]; name: string }[];
}

export interface Vindex {
  type: string;
  /** A lookup vindex's owner table (its rows follow the owner's). */
  owner?: string;
  params?: Record<string, string>;
}

export interface VSchema {
  sharded?: boolean;
  tables?: Record<string, VSchemaTable>;
  vindexes?: Record<string, Vindex>;
}

export interface KeyspaceConfig {
  name: string;
  /** MySQL database holding the keyspace's tables on each of its shards. */
  database: string;
  /** Names of servers from `shards:` (the primary of each shard of the keyspace). */
  shards: string[];
  /** Parsed VSchema (after loadVitess reads a file path). */
  vschema: VSchema;
  /** Where the VSchema came from, for messages. */
  vschemaSource: string;
  /** A path not read yet (validateInventory is pure; loadInventory reads it). */
  vschemaPath?: string;
}

export interface VitessConfig {
  keyspaces: KeyspaceConfig[];
  /** vtctld's gRPC address (`host:port`) and extra vtctldclient flags: every vtctldclient command needs `--server`. */
  vtctld?: { server: string; flags: string[] };
}

type Fail = (field: string, why: string) => Error;

export function parseVitessConfig(raw: unknown, fail: Fail, shardNames: string[]): VitessConfig {
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) throw fail('vitess', 'expected a mapping with `keyspaces:`');
  const o = raw as Record<string, unknown>;
  for (const k of Object.keys(o)) if (k !== 'keyspaces' && k !== 'vtctld') throw fail(`vitess.${k}`, `unknown key; allowed: keyspaces, vtctld${k === 'server' ? ' (did you mean "vtctld"?)' : ''}`);
  const vtctld = o.vtctld === undefined ? undefined : parseVtctld(o.vtctld, fail);
  if (!Array.isArray(o.keyspaces) || o.keyspaces.length === 0) throw fail('vitess.keyspaces', 'expected a non-empty list');
  const keyspaces = o.keyspaces.map((k, i): KeyspaceConfig => {
    const f = `vitess.keyspaces[${i}]`;
    if (!k || typeof k !== 'object' || Array.isArray(k)) throw fail(f, 'expected a mapping {name, vschema, shards}');
    const ks = k as Record<string, unknown>;
    for (const key of Object.keys(ks)) if (!['name', 'vschema', 'shards', 'database'].includes(key)) throw fail(`${f}.${key}`, 'unknown key; allowed: name, vschema, shards, database');
    if (typeof ks.name !== 'string' || !ks.name) throw fail(`${f}.name`, 'missing: the keyspace name');
    if (!Array.isArray(ks.shards) || ks.shards.length === 0 || ks.shards.some((s) => typeof s !== 'string')) {
      throw fail(`${f}.shards`, 'expected a list of shard names from `shards:`');
    }
    for (const [j, s] of (ks.shards as string[]).entries()) {
      if (!shardNames.includes(s)) throw fail(`${f}.shards[${j}]`, `"${s}" is not a shard in \`shards:\``);
    }
    if (ks.database !== undefined && (typeof ks.database !== 'string' || ks.database === '')) throw fail(`${f}.database`, 'expected a database name');
    const database = ks.database === undefined ? `vt_${ks.name}` : ks.database;
    if (ks.vschema === '') throw fail(`${f}.vschema`, 'is empty: a path to the VSchema JSON, or the VSchema itself');
    if (typeof ks.vschema === 'string') {
      return { name: ks.name, database, shards: ks.shards as string[], vschema: {}, vschemaSource: ks.vschema, vschemaPath: ks.vschema };
    }
    return { name: ks.name, database, shards: ks.shards as string[], vschema: checkVSchema(ks.vschema, (why) => fail(`${f}.vschema`, why)), vschemaSource: `${f}.vschema` };
  });
  return { keyspaces, ...(vtctld ? { vtctld } : {}) };
}

/** `vtctld: host:port`, or `{ server: host:port, flags: [--tls-…, …] }` (vtctldclient's own flags, passed through). */
function parseVtctld(raw: unknown, fail: Fail): { server: string; flags: string[] } {
  const address = (v: unknown, field: string): string => {
    if (typeof v !== 'string' || !/^[^\s:]+:\d{1,5}$/.test(v.trim())) throw fail(field, `expected vtctld's gRPC address as host:port (vtctldclient --server), got ${JSON.stringify(v)}`);
    return v.trim();
  };
  if (typeof raw === 'string') return { server: address(raw, 'vitess.vtctld'), flags: [] };
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) throw fail('vitess.vtctld', 'expected host:port or {server, flags}');
  const v = raw as Record<string, unknown>;
  for (const k of Object.keys(v)) if (k !== 'server' && k !== 'flags') throw fail(`vitess.vtctld.${k}`, 'unknown key; allowed: server, flags');
  const flags = v.flags === undefined ? [] : v.flags;
  if (!Array.isArray(flags) || flags.some((f) => typeof f !== 'string' || !/^--[a-z][a-z0-9-]*(=.*)?$/.test(f))) {
    throw fail('vitess.vtctld.flags', 'expected a list of vtctldclient flags such as "--grpc-auth-static-client-creds=/etc/vtctld-creds.json"');
  }
  return { server: address(v.server, 'vitess.vtctld.server'), flags: flags as string[] };
}

/**
 * A VSchema as `vtctldclient GetVSchema` prints it: protojson with EmitUnpopulated (vitess
 * go/cmd/vtctldclient/cli/json.go), so every unset message field is `null`, unset lists `[]`,
 * maps `{}`, enums by name (or number). Fields headroom does not use (foreign_key_mode,
 * multi_tenant_spec, require_explicit_routing, columns, pinned, source, …, and fields added
 * later) are accepted and ignored; what headroom uses is checked strictly. Field list:
 * vitessio/vitess proto/vschema.proto (Keyspace, Table, ColumnVindex, AutoIncrement, Vindex).
 */
export function checkVSchema(raw: unknown, fail: (why: string) => Error): VSchema {
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) throw fail('expected a VSchema object (as `vtctldclient GetVSchema` prints it) or a path to one');
  const v = raw as Record<string, unknown>;
  const out: VSchema = {};
  if (v.sharded !== undefined && v.sharded !== null) {
    if (typeof v.sharded !== 'boolean') throw fail(`\`sharded\` must be true or false, got ${JSON.stringify(v.sharded)}`);
    // Unset and false are the same to protobuf: kept only when true (so printed and sparse forms read alike).
    if (v.sharded) out.sharded = true;
  }
  const tables = mapOf(v.tables, '`tables`', fail);
  if (tables && Object.keys(tables).length) {
    out.tables = {};
    for (const [name, t] of Object.entries(tables)) out.tables[name] = checkTable(name, t, fail);
  }
  const vindexes = mapOf(v.vindexes, '`vindexes`', fail);
  if (vindexes && Object.keys(vindexes).length) {
    out.vindexes = {};
    for (const [name, x] of Object.entries(vindexes)) {
      if (!x || typeof x !== 'object' || Array.isArray(x)) throw fail(`vindexes.${name}: expected a mapping (e.g. {"type": "hash"})`);
      const vx = x as Record<string, unknown>;
      if (typeof vx.type !== 'string' || vx.type === '') throw fail(`vindexes.${name}.type: expected the vindex type, e.g. "hash"`);
      const vindex: Vindex = { type: vx.type };
      if (vx.owner !== undefined && vx.owner !== null && vx.owner !== '') {
        if (typeof vx.owner !== 'string') throw fail(`vindexes.${name}.owner: expected a table name`);
        vindex.owner = vx.owner;
      }
      const params = mapOf(vx.params, `vindexes.${name}.params`, fail);
      if (params && Object.keys(params).length) {
        vindex.params = {};
        for (const [k, p] of Object.entries(params)) {
          if (typeof p !== 'string') throw fail(`vindexes.${name}.params.${k}: expected a string (Vindex params are strings)`);
          vindex.params[k] = p;
        }
      }
      out.vindexes[name] = vindex;
    }
  }
  return out;
}

function mapOf(v: unknown, field: string, fail: (why: string) => Error): Record<string, unknown> | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'object' || Array.isArray(v)) throw fail(`${field} must be a mapping`);
  return v as Record<string, unknown>;
}

function checkTable(name: string, t: unknown, fail: (why: string) => Error): VSchemaTable {
  if (t === null || typeof t !== 'object' || Array.isArray(t)) throw fail(`tables.${name}: expected a mapping (e.g. {"type": "sequence"})`);
  const o = t as Record<string, unknown>;
  const out: VSchemaTable = {};
  if (o.type !== undefined && o.type !== null && o.type !== '') {
    if (typeof o.type !== 'string') throw fail(`tables.${name}.type: expected a string such as "sequence" or "reference"`);
    out.type = o.type;
  }
  const ai = o.auto_increment;
  if (ai !== undefined && ai !== null) {
    if (typeof ai !== 'object' || Array.isArray(ai)) throw fail(`tables.${name}.auto_increment: expected {"column": ..., "sequence": ...} or null`);
    const a = ai as Record<string, unknown>;
    if (typeof a.column !== 'string' || a.column === '') throw fail(`tables.${name}.auto_increment.column: missing: the column the sequence feeds`);
    if (typeof a.sequence !== 'string' || a.sequence === '') throw fail(`tables.${name}.auto_increment.sequence: expected the sequence table's name as a string, got ${JSON.stringify(a.sequence)}`);
    out.auto_increment = { column: a.column, sequence: a.sequence };
  }
  const cv = o.column_vindexes;
  if (cv !== undefined && cv !== null && !(Array.isArray(cv) && cv.length === 0)) {
    if (!Array.isArray(cv)) throw fail(`tables.${name}.column_vindexes: expected a list`);
    out.column_vindexes = cv.map((x, i) => {
      const f = `tables.${name}.column_vindexes[${i}]`;
      if (!x || typeof x !== 'object' || Array.isArray(x)) throw fail(`${f}: expected {"column": ..., "name": ...}`);
      const c = x as Record<string, unknown>;
      if (typeof c.name !== 'string' || c.name === '') throw fail(`${f}.name: missing: the vindex's name`);
      const columns = Array.isArray(c.columns) && c.columns.length ? c.columns : typeof c.column === 'string' && c.column !== '' ? [c.column] : undefined;
      if (!columns || columns.some((x2) => typeof x2 !== 'string' || x2 === '')) throw fail(`${f}: expected "column" or "columns" naming the vindex's column(s)`);
      return { columns: columns as string[], name: c.name };
    });
  }
  return out;
}

/**
 * `vtctldclient GetSrvVSchema <cell>`: every keyspace's VSchema in one object,
 * `{"keyspaces": {"<name>": Keyspace, …}, "routing_rules": …}`. Undefined when `raw` is not one.
 */
export function srvVSchemaKeyspaces(raw: unknown): Record<string, unknown> | undefined {
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) return undefined;
  const k = (raw as Record<string, unknown>).keyspaces;
  if (!k || typeof k !== 'object' || Array.isArray(k)) return undefined;
  // A Keyspace has no `keyspaces` field: an object with one is an SrvVSchema.
  return k as Record<string, unknown>;
}

/** Read VSchema files named by path, relative to the inventory file. */
export async function loadVSchemaFiles(vitess: VitessConfig, inventoryFile: string): Promise<VitessConfig> {
  const keyspaces = await Promise.all(
    vitess.keyspaces.map(async (ks) => {
      if (!ks.vschemaPath) return ks;
      const path = resolve(dirname(inventoryFile), ks.vschemaPath);
      let text: string;
      try {
        text = await readFile(path, 'utf8');
      } catch (e) {
        throw new UsageError(`${inventoryFile}: vitess keyspace ${ks.name}: cannot read vschema ${ks.vschemaPath}: ${fileErrorText(e)}`);
      }
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch (e) {
        throw new UsageError(`${ks.vschemaPath}: not JSON: ${(e as Error).message.replace(/\s+/g, ' ')}`);
      }
      const { vschemaPath: _p, ...rest } = ks;
      // One GetSrvVSchema file for every keyspace: this keyspace's entry.
      const all = srvVSchemaKeyspaces(json);
      if (all) {
        if (!(ks.name in all)) throw new UsageError(`${ks.vschemaPath}: a GetSrvVSchema file without keyspace ${ks.name} (it has ${Object.keys(all).join(', ') || 'none'})`);
        return { ...rest, vschema: checkVSchema(all[ks.name], (why) => new UsageError(`${ks.vschemaPath}: keyspaces.${ks.name}.${why}`)) };
      }
      return { ...rest, vschema: checkVSchema(json, (why) => new UsageError(`${ks.vschemaPath}: ${why}`)) };
    }),
  );
  return { ...vitess, keyspaces };
}

export interface SequenceRef {
  keyspace: string;
  table: string;
}

/** Every sequence table a keyspace's VSchema declares (`"type": "sequence"`). */
export function declaredSequences(vitess: VitessConfig): SequenceRef[] {
  return vitess.keyspaces.flatMap((ks) =>
    Object.entries(ks.vschema.tables ?? {})
      .filter(([, t]) => t.type === 'sequence')
      .map(([table]) => ({ keyspace: ks.name, table })),
  );
}

/** Resolve `seq` or `ks.seq` from an auto_increment entry to a declared sequence. */
export function resolveSequence(vitess: VitessConfig, name: string): SequenceRef | undefined {
  const all = declaredSequences(vitess);
  const parts = name.split('.');
  if (parts.length === 2) return all.find((s) => s.keyspace === parts[0] && s.table === parts[1]);
  return all.find((s) => s.table === name);
}
