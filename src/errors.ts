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
