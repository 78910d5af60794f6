/** db/schema.rb → catalog (src/rails/schema-rb.ts): the forms `rails db:schema:dump` writes for MySQL, with positions. */
import { beforeAll, describe, expect, it } from 'vitest';
import { loadRubyParser, type PrismParse } from '../../src/rails/prism.js';
import { readSchemaRb } from '../../src/rails/schema-rb.js';

let parse: PrismParse;
beforeAll(async () => {
  parse = await loadRubyParser();
});

const SCHEMA = `ActiveRecord::Schema[7.1].define(version: 2026_01_01_000000) do
  create_table "a", force: :cascade do |t|
    t.integer "tiny", limit: 1
    t.integer "small", limit: 2
    t.integer "medium", limit: 3
    t.integer "plain"
    t.integer "big", limit: 8
    t.bigint "ubig", unsigned: true, null: false
    t.boolean "flag"
    t.string "name"
    t.references "owner", polymorphic: true, type: :integer
    t.belongs_to "b", foreign_key: true
  end
  create_table "b", id: :integer do |t|
  end
  create_table "c", id: { type: :integer, unsigned: true } do |t|
  end
  create_table "d", id: false do |t|
    t.bigint :a_id
  end
  create_table "e", primary_key: "code", id: :integer, default: nil do |t|
  end
  create_table "f", id: :uuid do |t|
  end
  add_foreign_key "d", "a"
  add_foreign_key "a", "b", column: "b_id", name: "fk_a_b"
end
`;

describe('readSchemaRb', () => {
  it('integer columns with their MySQL types; keys; foreign keys (default column from the table name)', () => {
    const { shard, warnings } = readSchemaRb(SCHEMA, 'db/schema.rb', parse);
    expect(warnings).toEqual([]);
    const t = Object.fromEntries(shard.databases[0]!.tables.map((x) => [x.name, x]));
    expect(t.a!.columns.map((c) => `${c.name} ${c.columnType}${c.autoIncrement ? ' auto' : ''}${c.nullable ? '' : ' not-null'}`)).toEqual([
      'id bigint auto not-null',
      'tiny tinyint',
      'small smallint',
      'medium mediumint',
      'plain int',
      'big bigint',
      'ubig bigint unsigned not-null',
      'flag tinyint(1)',
      'owner_id int',
      'b_id bigint',
    ]);
    expect(t.b!.columns[0]).toMatchObject({ name: 'id', dataType: 'int', autoIncrement: true });
    expect(t.c!.columns[0]).toMatchObject({ name: 'id', dataType: 'int', unsigned: true });
    expect(t.d!.primaryKey).toEqual([]);
    expect(t.e!.columns[0]).toMatchObject({ name: 'code', dataType: 'int', autoIncrement: false });
    expect(t.e!.primaryKey).toEqual(['code']);
    expect(t.f!.columns).toEqual([]); // a uuid key is not an integer
    expect(t.d!.foreignKeys).toEqual([{ name: 'fk_rails_d_a_id', columns: ['a_id'], referencedDatabase: 'schema', referencedTable: 'a', referencedColumns: ['id'] }]);
    expect(t.a!.foreignKeys.map((f) => `${f.name} ${f.columns} → ${f.referencedTable}`)).toEqual(['fk_rails_a_b_id b_id → bs', 'fk_a_b b_id → b']);
  });

  it('positions: 1-based line and column of each column definition (the create_table for the key)', () => {
    const { positions } = readSchemaRb(SCHEMA, 'db/schema.rb', parse);
    expect(positions.get('a')!.get('id')).toEqual({ file: 'db/schema.rb', line: 2, column: 3 });
    expect(positions.get('a')!.get('big')).toEqual({ file: 'db/schema.rb', line: 7, column: 5 });
    expect(positions.get('a')!.get('owner_id')).toEqual({ file: 'db/schema.rb', line: 11, column: 5 });
  });

  it('a syntax error names the line', () => {
    expect(() => readSchemaRb('create_table "x" do |t|\n  t.integer "a",\nend\n', 'db/schema.rb', parse)).toThrow(/^db\/schema\.rb:\d+: Ruby syntax error: /);
  });
});
