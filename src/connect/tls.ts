import { fileErrorText } from '../errors.js';
/**
 * TLS: certificate files, the mysql2 options for each mode, and one-line explanations of
 * handshake failures.
 */
import net from 'node:net';
import { readFileSync } from 'node:fs';
import type { ShardConfig, TlsConfig } from '../config/types.js';

/**
 * Read a PEM file at load time. Returns an error text (no throw) so the caller can name the field.
 * `kind` decides what the file must contain.
 */
export function readPem(path: string, kind: 'certificate' | 'key'): { text: string } | { error: string } {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    return { error: `cannot read ${path}: ${fileErrorText(e)}` };
  }
  const ok = kind === 'key' ? /-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(text) : /-----BEGIN CERTIFICATE-----/.test(text);
  if (!ok) return { error: `${path} is not a PEM ${kind === 'key' ? 'private key' : 'certificate'} (expected a "-----BEGIN ${kind === 'key' ? 'PRIVATE KEY' : 'CERTIFICATE'}-----" block)` };
  return { text };
}

/** mysql2's `ssl` option for a mode. */
export function mysqlSsl(tls: TlsConfig): Record<string, unknown> {
  const out: Record<string, unknown> = {
    rejectUnauthorized: tls.mode !== 'required',
    verifyIdentity: tls.mode === 'verify-identity',
  };
  if (tls.ca && tls.mode !== 'required') out.ca = tls.ca;
  if (tls.cert) out.cert = tls.cert;
  if (tls.key) out.key = tls.key.reveal();
  return out;
}

/**
 * mysql2 (3.x) leaves out the TLS server name for an IP address, and Node then checks the
 * certificate against "localhost" instead of the address. For verify-identity to an IP, hand
 * mysql2 a socket that carries the address Node's check falls back to.
 */
export function ipIdentityStream(shard: ShardConfig): (() => net.Socket) | undefined {
  if (shard.socketPath || shard.ssl?.mode !== 'verify-identity' || !net.isIP(shard.host)) return undefined;
  return () => {
    const socket = net.connect({ host: shard.host, port: shard.port });
    (socket as unknown as { _host: string })._host = shard.host;
    return socket;
  };
}

/** A one-line reason for a TLS failure, or undefined when `e` is not one. */
export function explainTlsError(e: unknown, shard: ShardConfig): string | undefined {
  const err = e as { code?: string; message?: string };
  const msg = err?.message ?? '';
  const from = shard.ssl ? ` (${shard.ssl.from})` : '';
  if (err?.code === 'HANDSHAKE_NO_SSL_SUPPORT' || /does not support secure connection/i.test(msg)) {
    return `TLS is required${from} but the server does not offer TLS (its have_ssl is not YES): enable TLS on the server, or drop ssl for this shard`;
  }
  // An error packet from the server (it has an errno and an SQL state) is never a TLS handshake failure.
  if (typeof (e as { errno?: unknown })?.errno === 'number' && (e as { sqlState?: unknown }).sqlState) return undefined;
  const tlsCodes = /^(ERR_TLS_|ERR_SSL_|CERT_|UNABLE_TO_|SELF_SIGNED|DEPTH_ZERO|HANDSHAKE_SSL_ERROR$)/;
  if (!tlsCodes.test(err?.code ?? '') && !/certificate|altnames|\bssl\b|\btls\b/i.test(msg)) return undefined;
  const against = shard.ssl?.caFile ? `the CA in ${shard.ssl.caFile}` : "the system's CAs (set ssl.ca to your CA)";
  if (/altnames|does not match certificate|ALTNAME/i.test(`${err.code} ${msg}`)) {
    return `TLS: the server's certificate is not valid for the host name "${shard.host}": ${firstLine(msg)} — connect by a name the certificate lists, or use ssl mode verify-ca to skip the host-name check`;
  }
  if (/expired/i.test(msg)) return `TLS: the server's certificate has expired: ${firstLine(msg)}`;
  if (/not yet valid/i.test(msg)) return `TLS: the server's certificate is not valid yet: ${firstLine(msg)}`;
  if (/self[- ]signed|unable to (get|verify)|issuer|certificate chain|verify/i.test(msg)) {
    return `TLS: the server's certificate does not verify against ${against}: ${firstLine(msg)}${from}`;
  }
  if (/bad decrypt|key values mismatch|PEM|no start line|private key/i.test(msg)) {
    return `TLS: the client certificate or key cannot be used: ${firstLine(msg)}${from}`;
  }
  return `TLS handshake failed: ${firstLine(msg)}${from}`;
}

function firstLine(s: string): string {
  return s.split('\n')[0] ?? s;
}
