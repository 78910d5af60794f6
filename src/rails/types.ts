/**
 * What headroom knows about a Rails app after reading its models (src/rails/app.ts), in terms of
 * table and column names: the references its associations declare, its polymorphic pairs, and
 * what it could not know. Nothing here is tied to a database: the same app applies to every
 * tenant database its `databases:` globs match.
 */

import type { RelationWarning } from '../model/types.js';

export type { RelationWarning };

/** One column the models say stores ids of another table's key. */
export interface ModelReference {
  from: { table: string; column: string };
  to: { table: string; column: string };
  /** `app/models/category.rb:7 belongs_to :parent, class_name: "Category"`. */
  evidence: string;
  file: string;
  line: number;
  /** The model whose association declares it. */
  model: string;
  macro: string;
}

/** A `belongs_to :X, polymorphic: true`: `X_type` names the class, `X_id` holds an id of its table. */
export interface PolymorphicPair {
  table: string;
  idColumn: string;
  typeColumn: string;
  /** The association name (`commentable`). */
  name: string;
  model: string;
  evidence: string;
  file: string;
  line: number;
  /** The models that declare `has_many`/`has_one … as: :X` towards this model: the tables X_id can point at. */
  candidates: PolymorphicCandidate[];
}

export interface PolymorphicCandidate {
  model: string;
  table: string;
  column: string;
  evidence: string;
}

/** A model class: where its rows live. */
export interface ModelTable {
  model: string;
  /** undefined: not known (computed table_name); abstract classes have none. */
  table: string | undefined;
  primaryKey: string | undefined;
  file: string;
  line: number;
  abstract: boolean;
  /** The STI base class when this is a subclass sharing its table. */
  stiBase?: string;
}

/** A Rails app, read. */
export interface RailsModels {
  /** The app's root as given (config or --rails), for messages. */
  root: string;
  /** Ruby files read (models, concerns, engines' models, inflections.rb). */
  files: number;
  models: ModelTable[];
  references: ModelReference[];
  polymorphic: PolymorphicPair[];
  warnings: RelationWarning[];
  /** Time to read and parse, in ms (for `headroom relations` and the bench). */
  parseMs: number;
}

/** One `rails:` entry of the inventory (or `--rails PATH`). */
export interface RailsConfig {
  /** Absolute path of the app's root (the directory holding app/models). */
  root: string;
  /** As written, for messages and evidence. */
  label: string;
  /** Globs over database names the app's models apply to; empty = every database. */
  databases: string[];
  /** Where it was set: `headroom.yaml rails[0]`, `--rails`. */
  from: string;
  /** Set when the app has been read (loadRails). */
  models?: RailsModels;
}
