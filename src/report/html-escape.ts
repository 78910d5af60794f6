/**
 * Escaping for the HTML report. Every string that comes from a database (names of shards,
 * databases, tables, columns, constraints, error messages) and every other text goes through
 * `esc` before it is put in the page, in element content and in quoted attribute values alike.
 */

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function esc(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ENTITIES[c]!);
}

/**
 * A link target that may be put in an href: a relative path, or an http(s) URL. Anything else
 * (`javascript:`, `data:` …, possible in a hand-edited JSON report) gives undefined: no link.
 */
export function safeHref(href: string | undefined): string | undefined {
  if (!href) return undefined;
  const trimmed = href.trim();
  // Control characters and whitespace inside a scheme can disguise one (`java\nscript:`).
  if (/[\u0000-\u001f\u007f]/.test(trimmed)) return undefined;
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(trimmed);
  if (scheme && !/^https?$/i.test(scheme[1]!)) return undefined;
  if (trimmed.startsWith('//')) return undefined; // protocol-relative: a network location
  return trimmed;
}
