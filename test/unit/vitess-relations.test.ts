/**
 * References the VSchema tells (src/vitess/relations.ts → relationSource "vschema"): tables sharded
 * by the same vindex on a column of the same name as a sequence-backed key, and lookup vindexes'
 * owners. Below declared, configured and model; above Rails naming.
 */
import { describe, expect, it } from 'vitest';
import { resolveRelationships } from '../../src/relations/relationships.js';
import type { VSchema } from '../../src/vitess/config.js';
import { config, configured, db, keyspace, shard, table, vitessConfig } from './builders.js';

const CUSTOMER: VSchema = {
  sharded: true,
  vindexes: { hash: { type: 'hash' }, corder_lookup: { type: 'consistent_lookup_unique', owner: 'corder', params: { table: 'customer.corder_keyspace_idx', from: 'order_id', to: 'keyspace_id' } } },
  tables: {
    customer: { column_vindexes: [{ columns: ['customer_id'], name: 'hash' }], auto_increment: { column: 'customer_id', sequence: 'customer_seq' } },
    corder: { column_vindexes: [{ columns: ['customer_id'], name: 'hash' }, { columns: ['order_id'], name: 'corder_lookup' }], auto_increment: { column: 'order_id', sequence: 'corder_seq' } },
    // Sharded by another vindex: not co-located by customer_id.
    audit: { column_vindexes: [{ columns: ['customer_id'], name: 'xxhash' }] },
    corder_keyspace_idx: { column_vindexes: [{ columns: ['order_id'], name: 'hash' }] },
  },
};

const s80 = shard(
  'customer-80',
  db(
    'vt_customer',
    table('customer', { customer_id: 'int' }, { primaryKey: ['customer_id'] }),
    table('corder', { order_id: 'int', customer_id: 'int' }, { primaryKey: ['order_id'] }),
    table('audit', { id: 'bigint auto', customer_id: 'int' }),
    table('corder_keyspace_idx', { order_id: 'int' }, { primaryKey: ['order_id'] }),
  ),
);
const vitess = vitessConfig(keyspace('commerce', ['commerce-0'], { tables: { customer_seq: { type: 'sequence' }, corder_seq: { type: 'sequence' } } }), keyspace('customer', ['customer-80'], CUSTOMER));

describe('references from the VSchema', () => {
  it('a table sharded by the same vindex on the key\'s column name stores its ids; a lookup table stores its owner\'s', () => {
    const rels = resolveRelationships(s80, config({ vitess }));
    const vs = rels.filter((r) => r.source === 'vschema').map((r) => `${r.from.table}.${r.from.column} → ${r.to.table}.${r.to.column}`);
    expect(vs).toEqual(['corder.customer_id → customer.customer_id', 'corder_keyspace_idx.order_id → corder.order_id']);
    expect(rels.find((r) => r.from.table === 'corder' && r.from.column === 'customer_id')!.evidence).toBe(
      'customer.corder is sharded by vindex hash(customer_id), like customer.customer_id, whose ids come from sequence customer_seq',
    );
    // audit is sharded by another vindex: not co-located, not a vschema reference.
    expect(rels.some((r) => r.from.table === 'audit' && r.source === 'vschema')).toBe(false);
  });

  it('configured wins over vschema; vschema wins over naming', () => {
    const withConfig = resolveRelationships(s80, config({ vitess, relationships: [configured('corder.customer_id', 'customer.customer_id')] }));
    expect(withConfig.find((r) => r.from.table === 'corder' && r.from.column === 'customer_id')!.source).toBe('configured');
    const none = resolveRelationships(s80, config());
    expect(none.some((r) => r.source === 'vschema')).toBe(false);
  });
});
