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
}

export interface VSchema {
  sharded?: boolean;
  tables?: Record<string, VSchemaTable>;
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
  /** vtctld's gRPC address (`host:port`): every vtctldclient command needs `--server`. */
  server?: string;
}

type Fail = (field: string, why: string) => Error;

export function parseVitessConfig(raw: unknown, fail: Fail, shardNames: string[]): VitessConfig {
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) throw fail('vitess', 'expected a mapping with `keyspaces:`');
  const o = raw as Record<string, unknown>;
  for (const k of Object.keys(o)) if (k !== 'keyspaces' && k !== 'server') throw fail(`vitess.${k}`, 'unknown key; allowed: keyspaces, server');
  if (o.server !== undefined && (typeof o.server !== 'string' || !/^[^\s:]+:\d{1,5}$/.test(o.server))) {
    throw fail('vitess.server', `expected vtctld's address as host:port (vtctldclient --server), got ${JSON.stringify(o.server)}`);
  }
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
  return { keyspaces, ...(typeof o.server === 'string' ? { server: o.server } : {}) };
}

export function checkVSchema(raw: unknown, fail: (why: string) => Error): VSchema {
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) throw fail('expected a VSchema object (as `vtctldclient GetVSchema` prints it) or a path to one');
  const v = raw as Record<string, unknown>;
  if (v.tables !== undefined && (typeof v.tables !== 'object' || v.tables === null || Array.isArray(v.tables))) throw fail('`tables` must be a mapping');
  for (const [name, t] of Object.entries((v.tables ?? {}) as Record<string, unknown>)) {
    if (!t || typeof t !== 'object' || Array.isArray(t)) throw fail(`tables.${name}: expected a mapping (e.g. {"type": "sequence"})`);
    const ai = (t as VSchemaTable | null)?.auto_increment;
    if (ai !== undefined && (typeof ai?.column !== 'string' || typeof ai?.sequence !== 'string')) {
      throw fail(`tables.${name}.auto_increment: expected {"column": ..., "sequence": ...}`);
    }
  }
  return v as VSchema;
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
