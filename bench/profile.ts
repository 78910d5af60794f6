/**
 * Summarise a V8 .cpuprofile (from `node --cpu-prof`): self time per function, and time per
 * headroom source function including callees, with dist/*.js positions mapped back to src/*.ts
 * through the compiled source maps.
 */
import fs from 'node:fs';
import { SourceMap } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
  columnNumber: number;
}
interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

export interface ProfileRow {
  where: string;
  fn: string;
  ms: number;
  share: number;
}

export interface ProfileSummary {
  totalMs: number;
  idleMs: number;
  gcMs: number;
  /** Self time grouped by owner: headroom src, each node_modules package, node internals. */
  byOwner: { owner: string; ms: number; share: number }[];
  self: ProfileRow[];
  /** headroom's own functions, time including everything they call (each sample once per function). */
  inclusive: ProfileRow[];
}

export function summariseProfile(file: string, root: string, top = 15): ProfileSummary {
  const profile = JSON.parse(fs.readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map<number, ProfileNode>(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const maps = new Map<string, SourceMap | null>();
  const locate = (cf: CallFrame): string => {
    if (!cf.url) return cf.functionName.startsWith('(') ? cf.functionName : '(native)';
    let filePath: string;
    try {
      filePath = cf.url.startsWith('file:') ? fileURLToPath(cf.url) : cf.url;
    } catch {
      return cf.url;
    }
    if (!filePath.startsWith('/')) return filePath; // node:internal/...
    if (filePath.startsWith(path.join(root, 'dist'))) {
      let map = maps.get(filePath);
      if (map === undefined) {
        try {
          map = new SourceMap(JSON.parse(fs.readFileSync(`${filePath}.map`, 'utf8')));
        } catch {
          map = null;
        }
        maps.set(filePath, map);
      }
      const entry = map?.findEntry(cf.lineNumber, cf.columnNumber) as { originalSource?: string; originalLine?: number } | undefined;
      if (entry?.originalSource) {
        const src = entry.originalSource.startsWith('file:') ? fileURLToPath(entry.originalSource) : path.resolve(path.dirname(filePath), entry.originalSource);
        return `${path.relative(root, src)}:${(entry.originalLine ?? 0) + 1}`;
      }
    }
    return `${path.relative(root, filePath)}:${cf.lineNumber + 1}`;
  };
  const owner = (where: string): string => {
    if (where.startsWith('src/') || where.startsWith('dist/')) return 'headroom (src/)';
    const m = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(where);
    if (m) return m[1]!;
    if (where.startsWith('node:') || where.startsWith('(native)')) return 'node internals';
    return where.startsWith('(') ? where : 'other';
  };

  const selfMs = new Map<number, number>();
  let total = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    const dt = (profile.timeDeltas[i] ?? 0) / 1000;
    total += dt;
    const id = profile.samples[i]!;
    selfMs.set(id, (selfMs.get(id) ?? 0) + dt);
  }

  const selfBy = new Map<string, ProfileRow>();
  const owners = new Map<string, number>();
  const incl = new Map<string, ProfileRow>();
  let idle = 0;
  let gc = 0;
  for (const [id, ms] of selfMs) {
    const node = byId.get(id)!;
    const cf = node.callFrame;
    const where = locate(cf);
    const fn = cf.functionName || '(anonymous)';
    if (fn === '(idle)') idle += ms;
    if (fn === '(garbage collector)') gc += ms;
    const key = `${fn}\u0000${where}`;
    const row = selfBy.get(key) ?? { where, fn, ms: 0, share: 0 };
    row.ms += ms;
    selfBy.set(key, row);
    const o = fn === '(idle)' ? '(idle: waiting on the servers)' : fn === '(garbage collector)' ? '(garbage collector)' : fn === '(program)' ? '(program)' : owner(where);
    owners.set(o, (owners.get(o) ?? 0) + ms);
    // inclusive, for headroom's own functions
    const seen = new Set<string>();
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const c = byId.get(cur)!.callFrame;
      const w = locate(c);
      if (!w.startsWith('src/')) continue;
      const k = `${c.functionName || '(anonymous)'}\u0000${w}`;
      if (seen.has(k)) continue;
      seen.add(k);
      const r = incl.get(k) ?? { where: w, fn: c.functionName || '(anonymous)', ms: 0, share: 0 };
      r.ms += ms;
      incl.set(k, r);
    }
  }
  const finish = (rows: Iterable<ProfileRow>) =>
    [...rows]
      .map((r) => ({ ...r, share: total ? r.ms / total : 0 }))
      .sort((a, b) => b.ms - a.ms)
      .slice(0, top);
  return {
    totalMs: total,
    idleMs: idle,
    gcMs: gc,
    byOwner: [...owners].map(([o, ms]) => ({ owner: o, ms, share: total ? ms / total : 0 })).sort((a, b) => b.ms - a.ms),
    self: finish(selfBy.values()),
    inclusive: finish(incl.values()),
  };
}
