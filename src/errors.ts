/**
 * An error the user can fix (bad flag, bad config, unreachable file).
 * The CLI prints its message as one line and exits 2; no stack trace.
 */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** Replace anything that looks like a password in a message with a marker. */
export function redact(message: string, secrets: readonly string[] = []): string {
  let out = message.replace(/(mysql:\/\/[^:/@\s]*:)[^@\s]*@/gi, '$1***@');
  for (const s of secrets) {
    if (s.length >= 3) out = out.split(s).join('***');
  }
  return out;
}

/**
 * A server's or a tool's own text with `secrets` taken out, for a message headroom then writes its
 * own words around (never redact those: a password "wrong" must not turn "a wrong user" into
 * "a *** user"). The account a server names (`user 'u'@'h'`) is kept as it is: it is not a secret,
 * even when a password equals the user name.
 */
export function redactValues(text: string, secrets: readonly string[]): string {
  return text
    .split(/(user '[^']*'@'[^']*')/)
    .map((part, i) => (i % 2 === 1 ? part : redact(part, secrets)))
    .join('');
}

/** Why a file could not be read, in a few words ("no such file", "permission denied"). */
export function fileErrorText(e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'no such file';
  if (code === 'EACCES') return 'permission denied';
  if (code === 'EISDIR') return 'is a directory';
  if (code === 'ENOTDIR') return 'not a directory';
  if (code === 'EEXIST') return 'exists and is not a directory';
  if (code === 'EROFS') return 'read-only file system';
  if (code === 'ENOSPC') return 'no space left on the device';
  return code ?? (e as Error).message;
}
