/**
 * `headroom doctor`: for each shard, connect as the scan would, and say what the scan will and
 * will not be able to read, with the GRANT statements that close the gap.
 *
 * It reads no catalog table: the server version, the session's user, TLS status
 * (`SHOW SESSION STATUS LIKE 'Ssl_%'`, `have_ssl`), `SHOW GRANTS` and `SHOW DATABASES`.
 */
import type { Inventory, ShardConfig } from '../config/types.js';
import { mysqlActiveRoles, someOf } from '../connect/coverage.js';
import { Credentials } from '../connect/credentials.js';
import { Access, accountOf, fixStatements, parseGrants } from '../connect/grants.js';
import { describeError, openSession, step } from '../connect/session.js';
import { selectDatabases } from '../introspect/collect.js';
import { detectFlavor, readGrants, readServer, readSession, readTlsStatus, showDatabases } from '../introspect/queries.js';

export interface DoctorTls {
  /** Whether this session is encrypted. */
  encrypted: boolean;
  version?: string;
  cipher?: string;
  /** What headroom checks of the certificate: `identity` (CA and host name), `ca`, or `none`. */
  verified?: 'identity' | 'ca' | 'none';
  /** The CA file it is verified against (absent: the system's CAs). */
  caFile?: string;
  /** @@have_ssl: YES when the server offers TLS (null: the server did not say). */
  serverOffers: string | null;
}

export interface DoctorDatabases {
  /** SHOW DATABASES lists every database (SHOW DATABASES privilege or a global privilege). */
  listsAll: boolean;
  /** Databases SHOW DATABASES lists (system ones left out). */
  listed: number;
  /** The ones the shard's globs match. */
  matched: string[];
  /** Of those: every table visible in information_schema. */
  full: string[];
  /** Only some tables visible (table-level grants). */
  partial: string[];
  /** No table visible. */
  none: string[];
  /** Without SELECT on the whole database: MAX() reads there would be denied. */
  noSelect: string[];
}

export interface DoctorResult {
  shard: string;
  /** `host:port` or `socket /path`. */
  target: string;
  /** Fully scannable: connected, sees every database and every table it is asked to, may read MAX() everywhere. */
  ok: boolean;
  /** Why it could not connect or look (one line, no password). */
  error?: string;
  server?: { flavor: string; version: string };
  /** CURRENT_USER(): the account the server matched. */
  account?: string;
  tls?: DoctorTls;
  /** SHOW GRANTS, password hashes replaced by <secret>. */
  grants?: string[];
  databases?: DoctorDatabases;
  /** What the scan will read, and what it will not, one line each. */
  canRead: string[];
  cannotRead: string[];
  /** GRANT statements that make the shard fully scannable. */
  fix: string[];
}

export async function runDoctor(inventory: Inventory): Promise<DoctorResult[]> {
  const credentials = new Credentials();
  const results: DoctorResult[] = new Array(inventory.shards.length);
  let next = 0;
  const worker = async () => {
    while (next < inventory.shards.length) {
      const i = next++;
      results[i] = await doctorShard(inventory.shards[i]!, credentials);
    }
  };
  await Promise.all(Array.from({ length: Math.min(inventory.shardConcurrency, inventory.shards.length) }, worker));
  return results;
}

export async function doctorShard(shard: ShardConfig, credentials = new Credentials()): Promise<DoctorResult> {
  const target = shard.socketPath ? `socket ${shard.socketPath}` : `${shard.host}:${shard.port}`;
  const base: DoctorResult = { shard: shard.name, target, ok: false, canRead: [], cannotRead: [], fix: [] };
  let session;
  try {
    session = await openSession({ ...shard, concurrency: 1 }, credentials);
  } catch (e) {
    return { ...base, error: describeError(e, shard) };
  }
  const { db } = session;
  try {
    const server = await step(shard, 'connecting', () => readServer(db));
    const flavor = detectFlavor(server);
    const who = await step(shard, 'reading the session user', () => readSession(db));
    const tlsStatus = await step(shard, 'reading the TLS status', () => readTlsStatus(db));
    const grantRows = await step(shard, 'reading the session grants (SHOW GRANTS)', () =>
      readGrants(db, flavor === 'mysql' ? mysqlActiveRoles(who.currentRole) : []),
    );
    const listed = await step(shard, 'listing databases (SHOW DATABASES)', () => showDatabases(db));
    const grants = parseGrants(grantRows);
    const access = new Access(grants);
    const account = accountOf(who.currentUser);
    const matched = selectDatabases(listed, shard.databases, shard.exclude);
    const full = matched.filter((d) => access.seesAllTables(d));
    const partial = matched.filter((d) => !access.seesAllTables(d) && access.tablesGrantedIn(d).length > 0);
    const none = matched.filter((d) => !access.seesAllTables(d) && access.tablesGrantedIn(d).length === 0);
    const noSelect = matched.filter((d) => !access.selectsAll(d));

    const tls: DoctorTls = { encrypted: tlsStatus.version !== '', serverOffers: tlsStatus.haveSsl };
    if (tls.encrypted) {
      tls.version = tlsStatus.version;
      tls.cipher = tlsStatus.cipher;
      tls.verified = shard.ssl?.mode === 'verify-identity' ? 'identity' : shard.ssl?.mode === 'verify-ca' ? 'ca' : 'none';
      if (shard.ssl?.caFile) tls.caFile = shard.ssl.caFile;
    }

    const globs = shard.databases.length ? `the globs ${shard.databases.join(', ')}` : 'no glob (every non-system database)';
    const canRead: string[] = [];
    const cannotRead: string[] = [];
    if (access.listsAllDatabases) canRead.push(`every database name (SHOW DATABASES lists all ${listed.length})`);
    else cannotRead.push(`databases it has no privilege on: SHOW DATABASES lists only the ${listed.length} it has privileges on (no SHOW DATABASES privilege), so hidden ones cannot even be counted`);
    if (matched.length === 0) cannotRead.push(`anything: ${globs} match${shard.databases.length === 1 ? 'es' : ''} none of the ${listed.length} databases it can list`);
    if (full.length) canRead.push(`the catalog (information_schema) of ${full.length} of ${matched.length} matched databases in full`);
    if (partial.length) cannotRead.push(`all tables of ${partial.length} database${partial.length === 1 ? '' : 's'} (${someOf(partial)}): only tables with a table-level grant are visible`);
    if (none.length) cannotRead.push(`any table of ${none.length} database${none.length === 1 ? '' : 's'} (${someOf(none)}): no privilege there`);
    const withSelect = matched.length - noSelect.length;
    if (withSelect > 0) {
      const which = withSelect === matched.length ? (withSelect === 1 ? 'the matched database' : `all ${withSelect} matched databases`) : `${withSelect} of ${matched.length} matched databases`;
      canRead.push(`MAX() of keys without a usable counter in ${which} (SELECT)`);
    }
    // Not needed to scan; the planner needs it (copy tools refuse tables with triggers).
    const noTrigger = matched.filter((d) => {
      const p = access.databasePrivileges(d);
      return !p.has('TRIGGER') && !p.has('ALL') && !p.has('ALL PRIVILEGES');
    });
    if (noTrigger.length) {
      cannotRead.push(
        `triggers in ${noTrigger.length === matched.length ? (matched.length === 1 ? 'the matched database' : `any of the ${matched.length} matched databases`) : `${noTrigger.length} of ${matched.length} matched databases (${someOf(noTrigger)})`}: no TRIGGER privilege, so plans cannot tell which tables the copy tools refuse (scans are not affected; each runbook's pre-check, run as the migration account, checks)`,
      );
    }
    if (noSelect.length) cannotRead.push(`MAX() in ${noSelect.length} database${noSelect.length === 1 ? '' : 's'} without SELECT (${someOf(noSelect)}): keys without a usable counter there stay unknown`);

    const fix = fixStatements({ account, access, matched, globs: shard.databases, needSelect: noSelect });
    const ok = matched.length > 0 && access.listsAllDatabases && partial.length === 0 && none.length === 0 && noSelect.length === 0;
    return {
      ...base,
      ok,
      server: { flavor, version: server.version },
      account: who.currentUser,
      tls,
      grants: grants.lines.map((l) => l.text).concat(grants.unparsed),
      databases: { listsAll: access.listsAllDatabases, listed: listed.length, matched, full, partial, none, noSelect },
      canRead,
      cannotRead,
      fix,
    };
  } catch (e) {
    return { ...base, error: describeError(e, shard, session.secrets) };
  } finally {
    await session.close();
  }
}

/** The doctor's report for people. */
export function formatDoctorText(results: readonly DoctorResult[]): string {
  const out: string[] = [];
  const pad = (label: string) => label.padEnd(10);
  const block = (label: string, lines: readonly string[]) => {
    lines.forEach((l, i) => out.push(`  ${pad(i === 0 ? label : '')}${l}`));
  };
  for (const r of results) {
    out.push(`${r.shard} (${r.target}): ${r.ok ? 'OK, fully scannable' : r.error ? 'CANNOT CONNECT' : 'NOT fully scannable'}`);
    if (r.error) {
      block('error', [r.error]);
      out.push('');
      continue;
    }
    if (r.server) block('server', [`${r.server.flavor === 'mariadb' ? 'MariaDB' : 'MySQL'} ${r.server.version}`]);
    if (r.account) block('session', [r.account]);
    if (r.tls) block('TLS', [tlsText(r.tls)]);
    if (r.grants) block('grants', r.grants);
    if (r.canRead.length) block('can read', r.canRead);
    if (r.cannotRead.length) block('cannot', r.cannotRead);
    if (r.fix.length) block('to fix', r.fix);
    out.push('');
  }
  const good = results.filter((r) => r.ok).length;
  out.push(
    `${results.length} shard${results.length === 1 ? '' : 's'}: ${good} fully scannable` +
      (good < results.length ? `, ${results.length - good} not — a scan would exit 2.` : '.'),
  );
  return `${out.join('\n')}\n`;
}

function tlsText(t: DoctorTls): string {
  if (t.encrypted) {
    const check =
      t.verified === 'identity'
        ? `certificate verified against ${t.caFile ?? "the system's CAs"}, host name checked`
        : t.verified === 'ca'
          ? `certificate verified against ${t.caFile ?? "the system's CAs"} (host name not checked: verify-ca)`
          : 'certificate NOT verified (ssl: required; give ssl.ca to verify it)';
    return `${t.version} ${t.cipher}; ${check}`;
  }
  if (t.serverOffers === 'YES') return 'off — the server offers TLS: set ssl: { ca: <your CA> } (or ssl: required) for this shard';
  return `off${t.serverOffers ? ` (the server has no TLS: have_ssl=${t.serverOffers})` : ''}`;
}

/** `--format json`: the results as they are. */
export function formatDoctorJson(results: readonly DoctorResult[]): string {
  return `${JSON.stringify({ version: 1, ok: results.every((r) => r.ok), shards: results }, null, 2)}\n`;
}
