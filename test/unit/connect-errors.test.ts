/**
 * Every way a connection fails becomes one line that says what to do, never the password.
 * (Each of these is also met for real in test/integration/connections.test.ts.)
 */
import { describe, expect, it } from 'vitest';
import { CredentialError } from '../../src/connect/credentials.js';
import { DeadlineError, describeError, isPrivilegeError, StageError } from '../../src/connect/session.js';
import { explainTlsError, mysqlSsl } from '../../src/connect/tls.js';
import type { ShardConfig } from '../../src/config/types.js';
import { Secret } from '../../src/config/types.js';

const PW = 'Zq9-err-secret';
const shard = (extra: Partial<ShardConfig> = {}): ShardConfig => ({
  name: 's1',
  host: 'db1.internal',
  port: 3306,
  user: 'headroom',
  password: new Secret(PW),
  databases: [],
  exclude: [],
  concurrency: 2,
  timeoutSeconds: 7,
  ...extra,
});
const err = (props: Record<string, unknown>) => Object.assign(new Error(String(props.message ?? '')), props);
const server = (code: string, errno: number, message: string) => err({ code, errno, sqlState: '28000', sqlMessage: message, message });

describe('describeError', () => {
  it.each<[string, unknown, Partial<ShardConfig>, RegExp]>([
    ['access denied', server('ER_ACCESS_DENIED_ERROR', 1045, "Access denied for user 'headroom'@'10.0.0.1' (using password: YES)"), {},
      /^authentication failed: Access denied for user 'headroom'@'10\.0\.0\.1' \(using password: YES\) — a wrong user or password, or an account that requires TLS \(REQUIRE SSL\): then set ssl for this shard$/],
    ['access denied, TLS on, password from a file', server('ER_ACCESS_DENIED_ERROR', 1045, 'Access denied'), { ssl: { mode: 'required', from: 'x' }, passwordFrom: 'shards[0].passwordFile' },
      /^authentication failed: Access denied \(the password came from shards\[0\]\.passwordFile\)$/],
    ['too many connections', server('ER_CON_COUNT_ERROR', 1040, 'Too many connections'), {}, /^the server refused the connection: Too many connections \(max_connections is reached/],
    ['user limit', server('ER_USER_LIMIT_REACHED', 1226, "User 'headroom' has exceeded the 'max_user_connections' resource (current value: 2)"), {}, /lower concurrency for this shard\)$/],
    ['refused', err({ code: 'ECONNREFUSED', message: 'connect ECONNREFUSED 10.0.0.1:3306' }), {}, /^connect ECONNREFUSED db1\.internal:3306: nothing accepts connections there/],
    ['unknown host', err({ code: 'ENOTFOUND', message: 'getaddrinfo ENOTFOUND db1.internal' }), {}, /^unknown host db1\.internal: the name does not resolve \(ENOTFOUND\)$/],
    ['connect timeout', err({ code: 'ETIMEDOUT', message: 'connect ETIMEDOUT' }), {}, /^connect to db1\.internal:3306 timed out after 7s$/],
    ['no socket', err({ code: 'ENOENT', message: 'connect ENOENT /run/mysqld/mysqld.sock' }), { socketPath: '/run/mysqld/mysqld.sock' }, /^no socket at \/run\/mysqld\/mysqld\.sock/],
    ['statement timeout', new StageError('reading the catalog (information_schema)', server('ER_STATEMENT_TIMEOUT', 1969, 'Query execution was interrupted (max_statement_time exceeded)')), {},
      /^reading the catalog \(information_schema\) took longer than 7s \(timeoutSeconds\): Query execution was interrupted/],
    ['lock wait', new StageError('reading MAX(id) of a.b', server('ER_LOCK_WAIT_TIMEOUT', 1205, 'Lock wait timeout exceeded; try restarting transaction')), {},
      /^reading MAX\(id\) of a\.b waited longer than 7s \(timeoutSeconds\) for a lock another session holds/],
    ['client deadline', new StageError('listing databases', new DeadlineError('no answer within 7s (timeoutSeconds)')), {}, /^listing databases took longer than 7s \(timeoutSeconds\): no answer within 7s/],
    ['server gone', new StageError('reading MAX() of 100 columns', err({ code: 'PROTOCOL_CONNECTION_LOST', message: 'Connection lost: The server closed the connection.' })), {},
      /^the connection to db1\.internal:3306 was lost while reading MAX\(\) of 100 columns \(PROTOCOL_CONNECTION_LOST\): the server stopped/],
    ['password command', new StageError('getting the password', new CredentialError('defaults.passwordCommand: exited with code 2 (its output is not shown)')), {},
      /^defaults\.passwordCommand: exited with code 2 \(its output is not shown\)$/],
    ['anything else, at a stage', new StageError('listing databases', new Error('something odd\nsecond line')), {}, /^listing databases: something odd$/],
  ])('%s', (_name, e, extra, message) => {
    const text = describeError(e, shard(extra));
    expect(text).toMatch(message);
    expect(text).not.toContain('\n');
  });

  it('scrubs the password, and any other secret it is given', () => {
    const e = new Error(`mysql://headroom:${PW}@db1 failed with token Zq9-token-123`);
    const text = describeError(e, shard(), ['Zq9-token-123']);
    expect(text).not.toContain(PW);
    expect(text).not.toContain('Zq9-token-123');
  });

  it('tells a privilege error (a coverage gap) from a login error', () => {
    expect(isPrivilegeError(server('ER_TABLEACCESS_DENIED_ERROR', 1142, 'SELECT command denied'))).toBe(true);
    expect(isPrivilegeError(server('ER_ACCESS_DENIED_ERROR', 1045, 'Access denied'))).toBe(false);
  });
});

describe('TLS', () => {
  const tls = { mode: 'verify-identity' as const, caFile: '/etc/ca.pem', from: 'shards[0].ssl' };
  it.each<[string, unknown, RegExp]>([
    ['server has no TLS', err({ code: 'HANDSHAKE_NO_SSL_SUPPORT', message: 'Server does not support secure connection' }), /^TLS is required \(shards\[0\]\.ssl\) but the server does not offer TLS/],
    ['unknown CA', err({ code: 'HANDSHAKE_SSL_ERROR', message: 'self-signed certificate in certificate chain' }), /^TLS: the server's certificate does not verify against the CA in \/etc\/ca\.pem: self-signed/],
    ['wrong name', err({ code: 'HANDSHAKE_SSL_ERROR', message: "Hostname/IP does not match certificate's altnames: Host: db1.internal. is not in the cert's altnames: DNS:db2" }),
      /^TLS: the server's certificate is not valid for the host name "db1\.internal": .* use ssl mode verify-ca to skip the host-name check$/],
    ['expired', err({ code: 'CERT_HAS_EXPIRED', message: 'certificate has expired' }), /^TLS: the server's certificate has expired/],
  ])('%s', (_name, e, message) => {
    expect(explainTlsError(e, shard({ ssl: tls }))).toMatch(message);
  });

  it('a server error that mentions "tls" (a user named tlsuser) is not a TLS failure', () => {
    expect(explainTlsError(server('ER_ACCESS_DENIED_ERROR', 1045, "Access denied for user 'tlsuser'@'h'"), shard({ ssl: tls }))).toBeUndefined();
  });

  it('mysql2 options per mode: required does not verify, verify-ca skips the host name', () => {
    const key = new Secret('-----BEGIN PRIVATE KEY-----x');
    expect(mysqlSsl({ mode: 'required', ca: 'CA', from: 'x' })).toEqual({ rejectUnauthorized: false, verifyIdentity: false });
    expect(mysqlSsl({ mode: 'verify-ca', ca: 'CA', cert: 'C', key, from: 'x' })).toEqual({ rejectUnauthorized: true, verifyIdentity: false, ca: 'CA', cert: 'C', key: key.reveal() });
    expect(mysqlSsl({ mode: 'verify-identity', from: 'x' })).toEqual({ rejectUnauthorized: true, verifyIdentity: true });
  });
});

describe('redaction takes the password out of what the server said, never out of headroom\'s own words', () => {
  it('a password that is a word of the message ("wrong"): the hint still reads "a wrong user or password"', () => {
    const msg = describeError(server('ER_ACCESS_DENIED_ERROR', 1045, "Access denied for user 'headroom'@'10.0.0.1' (using password: YES)"), shard({ password: new Secret('wrong') }));
    expect(msg).toContain('— a wrong user or password, or an account that requires TLS');
    expect(msg).not.toContain('***');
  });

  it('a password equal to the user name: the account the server names is kept', () => {
    const msg = describeError(server('ER_ACCESS_DENIED_ERROR', 1045, "Access denied for user 'headroom'@'10.0.0.1' (using password: YES)"), shard({ password: new Secret('headroom') }));
    expect(msg).toMatch(/^authentication failed: Access denied for user 'headroom'@'10\.0\.0\.1'/);
  });

  it('a password the driver or a tool did echo is still taken out', () => {
    const msg = describeError(err({ code: 'EWEIRD', message: `something said ${PW} to us` }), shard());
    expect(msg).toBe('something said *** to us');
    expect(describeError(new CredentialError(`passwordCommand printed ${PW} on stderr`), shard())).not.toContain(PW);
  });
});
