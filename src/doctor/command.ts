/**
 * The `headroom doctor` command: load the inventory (or a URL), run the doctor, print, exit 0
 * when every shard is fully scannable and 2 otherwise.
 */
import type { Io } from '../cli/main.js';
import { inventoryFromUrl, loadInventory, type LoadOptions } from '../config/inventory.js';
import type { Inventory } from '../config/types.js';
import { UsageError } from '../errors.js';
import { formatDoctorJson, formatDoctorText, runDoctor } from './doctor.js';

export interface DoctorOptions {
  config?: string;
  format: 'text' | 'json';
  /** --defaults-file FILE */
  defaultsFile?: string;
  /** false with --no-defaults */
  defaults?: boolean;
}

/** The option-file part of LoadOptions from --defaults-file / --no-defaults. */
export function optionFileChoice(opts: { defaultsFile?: string; defaults?: boolean }): Pick<LoadOptions, 'defaultsFile'> {
  if (opts.defaultsFile !== undefined && opts.defaults === false) throw new UsageError('give either --defaults-file or --no-defaults, not both');
  if (opts.defaultsFile !== undefined) return { defaultsFile: opts.defaultsFile };
  if (opts.defaults === false) return { defaultsFile: false };
  return {};
}

export async function doctorCommand(url: string | undefined, opts: DoctorOptions, io: Io, fromFlags?: Inventory): Promise<number> {
  if (fromFlags && (url || opts.config)) throw new UsageError('give either -h/-S (one server) or a URL or --config, not both');
  if (url && opts.config) throw new UsageError('give either a URL or --config, not both');
  if (!url && !opts.config && !fromFlags) throw new UsageError('nothing to check: give --config headroom.yaml, a URL (mysql://user@host:3306) or -h HOST -u USER');
  const load = optionFileChoice(opts);
  const inventory = fromFlags ?? (url ? inventoryFromUrl(url, io.env, load) : await loadInventory(opts.config!, io.env, load));
  const results = await runDoctor(inventory);
  io.stdout(opts.format === 'json' ? formatDoctorJson(results) : formatDoctorText(results));
  return results.every((r) => r.ok) ? 0 : 2;
}
