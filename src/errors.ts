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
