/**
 * Reading Rails models: one case per association form and table-name rule (docs/rails.md), on
 * apps written inline. Nothing is run: prism parses, src/rails/app.ts resolves.
 */
import { describe, expect, it } from 'vitest';
import { readModels } from '../support/rails.js';

const refs = async (files: Record<string, string>, inflections?: string) =>
  (await readModels(files, inflections)).references.map((r) => `${r.from.table}.${r.from.column} → ${r.to.table}.${r.to.column}`);
const evidence = async (files: Record<string, string>) => (await readModels(files)).references.map((r) => r.evidence);
const tables = async (files: Record<string, string>, inflections?: string) =>
  Object.fromEntries((await readModels(files, inflections)).models.filter((m) => !m.abstract).map((m) => [m.model, m.table]));
const warnings = async (files: Record<string, string>, inflections?: string) => (await readModels(files, inflections)).warnings.map((w) => `${w.file}:${w.line} ${w.message}`);

const model = (name: string, body = '', parent = 'ApplicationRecord') => `class ${name} < ${parent}\n${body}\nend\n`;

describe('associations → references', () => {
  it('belongs_to: <name>_id → the class of the name', async () => {
    expect(await refs({ 'app/models/post.rb': model('Post', '  belongs_to :author, class_name: "Person"\n  belongs_to :person'), 'app/models/person.rb': model('Person') })).toEqual([
      'posts.author_id → people.id',
      'posts.person_id → people.id',
    ]);
  });

  it('a self-reference (belongs_to :parent, class_name: "Category"), with evidence file:line and the call as written', async () => {
    const files = { 'app/models/category.rb': `# nested\nclass Category < ApplicationRecord\n  belongs_to :parent, class_name: "Category", optional: true\nend\n` };
    expect(await refs(files)).toEqual(['categories.parent_id → categories.id']);
    expect(await evidence(files)).toEqual(['app/models/category.rb:3 belongs_to :parent, class_name: "Category", optional: true']);
  });

  it('foreign_key: and primary_key: (strings or symbols), on belongs_to and has_many', async () => {
    const files = {
      'app/models/booking.rb': model('Booking', '  belongs_to :tx, class_name: "Transaction", foreign_key: :transaction_id'),
      'app/models/transaction.rb': model('Transaction', '  self.primary_key = "tx_no"\n  has_many :refunds, foreign_key: "original_tx_no", primary_key: :tx_no'),
      'app/models/refund.rb': model('Refund'),
    };
    expect(await refs(files)).toEqual(['bookings.transaction_id → transactions.tx_no', 'refunds.original_tx_no → transactions.tx_no']);
  });

  it('has_many / has_one: the target table, the owner\'s foreign key (demodulized), class_name', async () => {
    const files = {
      'app/models/admin/user.rb': 'module Admin\n  class User < ApplicationRecord\n    has_many :posts\n    has_one :avatar, class_name: "Image"\n  end\nend\n',
      'app/models/post.rb': model('Post'),
      'app/models/image.rb': model('Image'),
    };
    expect(await refs(files)).toEqual(['images.user_id → users.id', 'posts.user_id → users.id']);
  });

  it('has_many :through gives no column of its own', async () => {
    expect(await refs({ 'app/models/a.rb': model('Author', '  has_many :posts\n  has_many :comments, through: :posts'), 'app/models/p.rb': model('Post'), 'app/models/c.rb': model('Comment') })).toEqual(['posts.author_id → authors.id']);
  });

  it('has_and_belongs_to_many: the default join table (sorted names, shared prefix once) and join_table:', async () => {
    const files = {
      'app/models/listing.rb': model('Listing', '  has_and_belongs_to_many :tags\n  has_and_belongs_to_many :watchers, class_name: "Person", join_table: "listing_followers", association_foreign_key: "follower_id"'),
      'app/models/tag.rb': model('Tag', '  has_and_belongs_to_many :listings'),
      'app/models/person.rb': model('Person'),
    };
    expect(await refs(files)).toEqual([
      'listing_followers.follower_id → people.id',
      'listing_followers.listing_id → listings.id',
      'listings_tags.listing_id → listings.id',
      'listings_tags.tag_id → tags.id',
    ]);
  });

  it('with_options: options merged into the calls in the block (block parameter or bare), evidence names it', async () => {
    const files = {
      'app/models/listing.rb': model('Listing', '  with_options class_name: "Person" do |o|\n    o.belongs_to :approver\n    belongs_to :reviewer, optional: true\n  end'),
      'app/models/person.rb': model('Person'),
    };
    expect(await refs(files)).toEqual(['listings.approver_id → people.id', 'listings.reviewer_id → people.id']);
    expect((await evidence(files))[0]).toBe('app/models/listing.rb:3 belongs_to :approver (with_options class_name: "Person")');
  });

  it('concerns: included do … end applies to each class that includes the module (nested concerns too)', async () => {
    const files = {
      'app/models/concerns/authored.rb': 'module Authored\n  extend ActiveSupport::Concern\n  include Dated\n  included do\n    belongs_to :author, class_name: "Person"\n  end\nend\n',
      'app/models/concerns/dated.rb': 'module Dated\n  extend ActiveSupport::Concern\n  included do\n    belongs_to :calendar\n  end\nend\n',
      'app/models/post.rb': model('Post', '  include Authored'),
      'app/models/note.rb': model('Note', '  include ::Authored'),
      'app/models/person.rb': model('Person'),
      'app/models/calendar.rb': model('Calendar'),
    };
    expect(await refs(files)).toEqual(['notes.author_id → people.id', 'notes.calendar_id → calendars.id', 'posts.author_id → people.id', 'posts.calendar_id → calendars.id']);
    expect((await evidence(files))[2]).toBe('app/models/concerns/authored.rb:5 belongs_to :author, class_name: "Person" (in Authored, included in Post)');
  });

  it('class_name resolves like compute_type: Admin::Note → Admin::Person before ::Person', async () => {
    const files = {
      'app/models/admin.rb': 'module Admin\n  def self.table_name_prefix = "admin_"\nend\n',
      'app/models/admin/note.rb': 'module Admin\n  class Note < ApplicationRecord\n    belongs_to :person\n    belongs_to :owner, class_name: "::Person"\n  end\nend\n',
      'app/models/admin/person.rb': 'class Admin::Person < ApplicationRecord\nend\n',
      'app/models/person.rb': model('Person'),
    };
    expect(await refs(files)).toEqual(['admin_notes.owner_id → people.id', 'admin_notes.person_id → admin_people.id']);
  });

  it('one reference per column: a belongs_to and its inverse has_many agree; a disagreement is a warning, the belongs_to is kept', async () => {
    const files = {
      'app/models/post.rb': model('Post', '  belongs_to :author, class_name: "Person"'),
      'app/models/person.rb': model('Person', '  has_many :posts, foreign_key: "author_id"'),
      'app/models/robot.rb': model('Robot', '  has_many :posts, foreign_key: "author_id"'),
    };
    expect(await refs(files)).toEqual(['posts.author_id → people.id']);
    expect(await warnings(files)).toEqual([
      'app/models/robot.rb:2 models disagree on posts.author_id: app/models/post.rb:2 belongs_to :author, class_name: "Person" → people.id, but app/models/robot.rb:2 has_many :posts, foreign_key: "author_id" → robots.id; the first is used',
    ]);
  });
});

describe('polymorphic pairs', () => {
  it('belongs_to polymorphic: true, with every model that has_many/has_one … as: it as a candidate (three targets)', async () => {
    const m = await readModels({
      'app/models/comment.rb': model('Comment', '  belongs_to :commentable, polymorphic: true'),
      'app/models/post.rb': model('Post', '  has_many :comments, as: :commentable'),
      'app/models/photo.rb': model('Photo', '  self.primary_key = "photo_no"\n  has_one :comment, as: :commentable'),
      'app/models/event.rb': model('Event', '  has_many :remarks, class_name: "Comment", as: :commentable'),
    });
    expect(m.references).toEqual([]);
    expect(m.polymorphic).toHaveLength(1);
    expect(m.polymorphic[0]).toMatchObject({ table: 'comments', idColumn: 'commentable_id', typeColumn: 'commentable_type', name: 'commentable', evidence: 'app/models/comment.rb:2 belongs_to :commentable, polymorphic: true' });
    expect(m.polymorphic[0]!.candidates.map((c) => `${c.model} ${c.table}.${c.column}`)).toEqual(['Event events.id', 'Photo photos.photo_no', 'Post posts.id']);
  });

  it('foreign_key:/foreign_type: rename the pair; a pair without candidates is a warning', async () => {
    const m = await readModels({ 'app/models/a.rb': model('Attachment', '  belongs_to :owner, polymorphic: true, foreign_key: "owner_ref", foreign_type: "owner_class"') });
    expect(m.polymorphic[0]).toMatchObject({ idColumn: 'owner_ref', typeColumn: 'owner_class', candidates: [] });
    expect(m.warnings.map((w) => w.message)).toEqual(['attachments.owner_ref is polymorphic, but no model declares has_many/has_one … as: :owner: its candidate tables are not known']);
  });
});

describe('table names', () => {
  it('ActiveSupport pluralization: people, categories, statuses, mice, data…', async () => {
    expect(await tables({
      'a.rb': model('Person'),
      'b.rb': model('Category'),
      'c.rb': model('Status'),
      'd.rb': model('Mouse'),
      'e.rb': model('LineItem'),
      'f.rb': model('Datum'),
      'g.rb': model('Equipment'),
    })).toEqual({ Category: 'categories', Datum: 'data', Equipment: 'equipment', LineItem: 'line_items', Mouse: 'mice', Person: 'people', Status: 'statuses' });
  });

  it("the app's inflections.rb: irregular, uncountable, acronym (camelize of belongs_to :sms_message → SMSMessage)", async () => {
    const inflections = 'ActiveSupport::Inflector.inflections(:en) do |inflect|\n  inflect.irregular "criterion", "criteria"\n  inflect.uncountable %w[feedback]\n  inflect.acronym "SMS"\n  inflect.plural(/^(ox)$/i, \'\\1en\')\nend\n';
    const files = { 'a.rb': model('Criterion'), 'b.rb': model('Feedback', '  belongs_to :sms_message'), 'c.rb': model('SMSMessage'), 'd.rb': model('Ox') };
    expect(await tables(files, inflections)).toEqual({ Criterion: 'criteria', Feedback: 'feedback', Ox: 'oxen', SMSMessage: 'sms_messages' });
    expect(await refs(files, inflections)).toEqual(['feedback.sms_message_id → sms_messages.id']);
    // Without the app's rules: Rails' own.
    expect(await tables(files)).toMatchObject({ Criterion: 'criterions', Feedback: 'feedbacks' });
    expect(await warnings(files)).toContain('b.rb:2 belongs_to :sms_message: class SmsMessage is not among the models read; not read');
  });

  it('self.table_name = and self.primary_key =', async () => {
    const m = await readModels({ 'a.rb': model('LegacyOrder', '  self.table_name = "orders_legacy"\n  self.primary_key = :order_no') });
    expect(m.models.find((x) => x.model === 'LegacyOrder')).toMatchObject({ table: 'orders_legacy', primaryKey: 'order_no' });
  });

  it('table_name_prefix/suffix: on a namespace module (def self.…, as the generator writes it), a parent class, the model; isolate_namespace', async () => {
    expect(await tables({
      'admin.rb': 'module Admin\n  def self.table_name_prefix\n    "admin_"\n  end\nend\n',
      'admin/user.rb': 'class Admin::User < ApplicationRecord\nend\n',
      'billing/invoice.rb': 'module Billing\n  class Invoice < ApplicationRecord\n  end\nend\n',
      'archive.rb': model('ArchiveRecord', '  self.abstract_class = true\n  self.table_name_prefix = "old_"\n  self.table_name_suffix = "_v1"'),
      'old_post.rb': model('OldPost', '', 'ArchiveRecord'),
      'engine.rb': 'module Payouts\n  class Engine < ::Rails::Engine\n    isolate_namespace Payouts\n  end\nend\n',
      'payout.rb': 'module Payouts\n  class Payout < ActiveRecord::Base\n  end\nend\n',
    })).toEqual({ 'Admin::User': 'admin_users', 'Billing::Invoice': 'invoices', OldPost: 'old_old_posts_v1', 'Payouts::Payout': 'payouts_payouts' });
  });

  it('a class nested in a model: the parent\'s singular table name first (Listing::Revision → listing_revisions); pluralize_table_names = false', async () => {
    expect(await tables({ 'l.rb': model('Listing'), 'r.rb': model('Listing::Revision'), 's.rb': model('Setting', '  self.pluralize_table_names = false') })).toEqual({
      Listing: 'listings',
      'Listing::Revision': 'listing_revisions',
      Setting: 'setting',
    });
  });

  it('single-table inheritance: a subclass shares its base class\'s table, and its associations land there', async () => {
    const files = {
      'payment.rb': model('Payment', '  belongs_to :payer, class_name: "Person"'),
      'refund.rb': model('RefundPayment', '  belongs_to :original_payment, class_name: "Payment"', 'Payment'),
      'partial.rb': model('PartialRefund', '', 'RefundPayment'),
      'person.rb': model('Person'),
    };
    expect(await tables(files)).toEqual({ Payment: 'payments', RefundPayment: 'payments', PartialRefund: 'payments', Person: 'people' });
    expect(await refs(files)).toEqual(['payments.original_payment_id → payments.id', 'payments.payer_id → people.id']);
    expect((await readModels(files)).models.find((m) => m.model === 'PartialRefund')!.stiBase).toBe('Payment');
  });
});

describe('abstract classes', () => {
  it("an abstract ancestor's associations (and its concerns') land on each base class's own table; STI subclasses share it", async () => {
    const files = {
      'app/models/application_record.rb': 'class ApplicationRecord < ActiveRecord::Base\n  primary_abstract_class\n  include Tenanted\nend\n',
      'app/models/concerns/tenanted.rb': 'module Tenanted\n  extend ActiveSupport::Concern\n  included do\n    belongs_to :tenant\n  end\nend\n',
      'app/models/archived.rb': model('Archived', '  self.abstract_class = true\n  belongs_to :archiver, class_name: "Person"'),
      'app/models/tenant.rb': model('Tenant'),
      'app/models/person.rb': model('Person'),
      'app/models/old_post.rb': model('OldPost', '', 'Archived'),
      'app/models/older_post.rb': model('OlderPost', '', 'OldPost'),
    };
    expect(await refs(files)).toEqual([
      'old_posts.archiver_id → people.id',
      'old_posts.tenant_id → tenants.id',
      'people.tenant_id → tenants.id',
      'tenants.tenant_id → tenants.id',
    ]);
    expect(await evidence(files)).toContain('app/models/concerns/tenanted.rb:4 belongs_to :tenant (in Tenanted, included in ApplicationRecord, inherited by Person)');
    expect(await evidence(files)).toContain('app/models/archived.rb:3 belongs_to :archiver, class_name: "Person" (on Archived, inherited by OldPost)');
  });
});

describe('what cannot be known is said, with file:line', () => {
  it('a computed class_name, a computed association name, send(:belongs_to), **opts, a computed table_name, def self.included(base)', async () => {
    expect(await warnings({
      'app/models/s.rb': [
        'class Subscription < ApplicationRecord',
        '  belongs_to :plan, class_name: "#{NS}::Plan"',
        '  %i[owner payer].each { |r| belongs_to r }',
        '  send(:has_many, :renewals)',
        '  belongs_to :x, **OPTIONS',
        'end',
        'class Sub < ApplicationRecord',
        '  self.table_name = "subs_#{Rails.env}"',
        '  belongs_to :plan',
        'end',
        'module Legacy',
        '  def self.included(base)',
        '    base.class_eval { belongs_to :thing }',
        '  end',
        'end',
      ].join('\n'),
    })).toEqual([
      'app/models/s.rb:2 belongs_to :plan, class_name: "#{NS}::Plan": class_name: "#{NS}::Plan" is computed; not read',
      "app/models/s.rb:3 belongs_to r: the association's name is computed (metaprogrammed); its references are not read",
      'app/models/s.rb:4 send(:has_many, :renewals): an association declared through send; it is not read (metaprogrammed)',
      'app/models/s.rb:5 belongs_to :x, **OPTIONS: its options come from **OPTIONS, which is not a literal; not read',
      'app/models/s.rb:7 Sub: its table name is computed; its references are not read',
      'app/models/s.rb:8 self.table_name = "subs_#{Rails.env}": computed; Sub\'s table is not known',
      'app/models/s.rb:12 associations inside def self.included(base) are metaprogrammed; they are not read (use an ActiveSupport::Concern included do … end block, or declare the reference in relationships:)',
    ]);
  });

  it('a syntax error: the file is named with the line, the other files still read', async () => {
    const m = await readModels({ 'app/models/broken.rb': 'class Broken < ApplicationRecord\n  belongs_to :person,\nend\nend\n', 'app/models/ok.rb': model('Ok', '  belongs_to :broken') });
    expect(m.warnings.map((w) => `${w.file}:${w.line}`)).toEqual(['app/models/broken.rb:3', 'app/models/ok.rb:2']);
    expect(m.warnings[0]!.message).toMatch(/^Ruby syntax error: .*; nothing in this file is read$/);
    expect(m.warnings[1]!.message).toBe('belongs_to :broken: class Broken is not among the models read; not read');
  });

  it('a target that is abstract, an unknown class, a composite key', async () => {
    expect(await warnings({
      'a.rb': model('Base', '  self.abstract_class = true'),
      'b.rb': model('Thing', '  belongs_to :base\n  belongs_to :nothing\n  belongs_to :pair, foreign_key: [:a_id, :b_id]'),
    })).toEqual([
      'b.rb:2 belongs_to :base: Base is abstract (no table); not read',
      'b.rb:3 belongs_to :nothing: class Nothing is not among the models read; not read',
      'b.rb:4 belongs_to :pair, foreign_key: [:a_id, :b_id]: foreign_key: [:a_id, :b_id]: a composite key; not read',
    ]);
  });
});
