/**
 * VSchemas the way `vtctldclient GetVSchema` / `GetSrvVSchema` print them, generated from the proto
 * field list rather than written by hand, so that a field the proto adds is one edit here and the
 * tests then feed it to headroom.
 *
 * vtctldclient marshals with protojson.MarshalOptions{Multiline, Indent "  ", UseEnumNumbers: true,
 * UseProtoNames: true, EmitUnpopulated: true} (vitessio/vitess go/cmd/vtctldclient/cli/json.go at
 * 08413c715da9e6d1220384b9719f688cec7240ee). With EmitUnpopulated every field is printed: scalars at
 * their zero value (false, "", 0), enums as the number 0, unset messages and `optional` scalars as
 * null, unset repeated fields as [], unset maps as {}. Field names are the proto names (snake_case).
 *
 * Field list: vitessio/vitess proto/vschema.proto at 046b7be2ef19ddb54c9218de23c1c3dd36f764e8
 * (Keyspace with foreign_key_mode and multi_tenant_spec, Table with source, Column with nullable).
 */

type Kind =
  | { k: 'bool' | 'string' | 'int32' | 'enum' | 'optional-bool' }
  | { k: 'message'; of: string }
  | { k: 'repeated'; of: string }
  | { k: 'map'; of: string };

const s = (k: 'bool' | 'string' | 'int32' | 'enum' | 'optional-bool'): Kind => ({ k });
const msg = (of: string): Kind => ({ k: 'message', of });
const rep = (of: string): Kind => ({ k: 'repeated', of });
const map = (of: string): Kind => ({ k: 'map', of });

/** message → its fields in proto order. `string`/`int32` as element types of lists and maps are scalars. */
export const VSCHEMA_PROTO: Record<string, [string, Kind][]> = {
  Keyspace: [
    ['sharded', s('bool')],
    ['vindexes', map('Vindex')],
    ['tables', map('Table')],
    ['require_explicit_routing', s('bool')],
    ['foreign_key_mode', s('enum')],
    ['multi_tenant_spec', msg('MultiTenantSpec')],
  ],
  MultiTenantSpec: [
    ['tenant_id_column_name', s('string')],
    ['tenant_id_column_type', s('string')],
  ],
  Vindex: [
    ['type', s('string')],
    ['params', map('string')],
    ['owner', s('string')],
  ],
  Table: [
    ['type', s('string')],
    ['column_vindexes', rep('ColumnVindex')],
    ['auto_increment', msg('AutoIncrement')],
    ['columns', rep('Column')],
    ['pinned', s('string')],
    ['column_list_authoritative', s('bool')],
    ['source', s('string')],
  ],
  ColumnVindex: [
    ['column', s('string')],
    ['name', s('string')],
    ['columns', rep('string')],
  ],
  AutoIncrement: [
    ['column', s('string')],
    ['sequence', s('string')],
  ],
  Column: [
    ['name', s('string')],
    ['type', s('enum')],
    ['invisible', s('bool')],
    ['default', s('string')],
    ['collation_name', s('string')],
    ['size', s('int32')],
    ['scale', s('int32')],
    ['nullable', s('optional-bool')],
    ['values', rep('string')],
  ],
  SrvVSchema: [
    ['keyspaces', map('Keyspace')],
    ['routing_rules', msg('RoutingRules')],
    ['shard_routing_rules', msg('ShardRoutingRules')],
  ],
  RoutingRules: [['rules', rep('RoutingRule')]],
  RoutingRule: [
    ['from_table', s('string')],
    ['to_tables', rep('string')],
  ],
  ShardRoutingRules: [['rules', rep('ShardRoutingRule')]],
  ShardRoutingRule: [
    ['from_keyspace', s('string')],
    ['to_keyspace', s('string')],
    ['shard', s('string')],
  ],
};

function element(of: string, v: unknown): unknown {
  if (of === 'string') return v ?? '';
  if (of === 'int32') return v ?? 0;
  return marshal(of, v as Record<string, unknown>);
}

/** `value` (a partial message: only the fields it sets) as protojson with EmitUnpopulated prints it. */
export function marshal(message: string, value: Record<string, unknown> | undefined): Record<string, unknown> {
  const fields = VSCHEMA_PROTO[message];
  if (!fields) throw new Error(`protojson test support: no message ${message}`);
  const v = value ?? {};
  for (const k of Object.keys(v)) if (!fields.some(([n]) => n === k)) throw new Error(`protojson test support: ${message} has no field ${k}`);
  const out: Record<string, unknown> = {};
  for (const [name, kind] of fields) {
    const x = v[name];
    switch (kind.k) {
      case 'bool':
        out[name] = x ?? false;
        break;
      case 'string':
        out[name] = x ?? '';
        break;
      case 'int32':
      case 'enum':
        out[name] = x ?? 0;
        break;
      case 'optional-bool':
        out[name] = x ?? null;
        break;
      case 'message':
        out[name] = x === undefined ? null : marshal(kind.of, x as Record<string, unknown>);
        break;
      case 'repeated':
        out[name] = ((x as unknown[] | undefined) ?? []).map((e) => element(kind.of, e));
        break;
      case 'map':
        out[name] = Object.fromEntries(Object.entries((x as Record<string, unknown> | undefined) ?? {}).map(([k, e]) => [k, element(kind.of, e)]));
        break;
    }
  }
  return out;
}

/** The text `vtctldclient GetVSchema <keyspace>` prints for this keyspace. */
export function getVSchemaText(keyspace: Record<string, unknown>): string {
  return JSON.stringify(marshal('Keyspace', keyspace), null, 2) + '\n';
}

/** The text `vtctldclient GetSrvVSchema <cell>` prints for these keyspaces. */
export function getSrvVSchemaText(keyspaces: Record<string, Record<string, unknown>>): string {
  return JSON.stringify(marshal('SrvVSchema', { keyspaces }), null, 2) + '\n';
}
