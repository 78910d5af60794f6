/**
 * Where each column is defined in the DDL files `headroom lint` loads: file, line and column of
 * the column's name in its `CREATE TABLE` (or the `ALTER TABLE … ADD / MODIFY / CHANGE` that
 * defined it last), so CI annotations and SARIF results land on that line of the pull request.
 *
 * Pure: the statements come from `splitDdl` (which already handled DELIMITER), each with the
 * offset of its text in its file. The tokenizer knows MySQL's quoting (backticks, '…', "…" with
 * backslash and doubled-quote escapes), its comments (`-- `, `#`, `/* … *\/`) and executable
 * comments (`/*!50100 … *\/`, whose body is read as code). Anything it does not recognise is
 * skipped: a column it cannot place simply has no position (the reporters then fall back).
 */

export interface SourcePosition {
  /** The file as given (the caller makes it repository-relative for the reporters). */
  file: string;
  /** 1-based. */
  line: number;
  /** 1-based, in UTF-16 code units (what GitHub and SARIF viewers count for ASCII DDL). */
  column: number;
}

export interface PositionedStatement {
  file: string;
  /** Offset of `text` in the file's text. */
  offset: number;
  text: string;
}

interface Token {
  kind: 'word' | 'ident' | 'string' | 'punct';
  /** Unquoted identifier text for `ident` (backticks removed, `` `` `` → `` ` ``); the word as written otherwise. */
  value: string;
  /** Offset in the statement text. */
  at: number;
}

/** `table → column (lower case) → position`; a later definition of the same column wins. */
export type ColumnPositions = Map<string, Map<string, SourcePosition>>;

export function columnPositions(statements: readonly PositionedStatement[], fileTexts: ReadonlyMap<string, string>): ColumnPositions {
  const out: ColumnPositions = new Map();
  const lineStarts = new Map<string, number[]>();
  const position = (file: string, offset: number): SourcePosition => {
    let starts = lineStarts.get(file);
    if (!starts) {
      starts = [0];
      const text = fileTexts.get(file) ?? '';
      for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) starts.push(i + 1);
      lineStarts.set(file, starts);
    }
    // Last line start ≤ offset.
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { file, line: lo + 1, column: offset - starts[lo]! + 1 };
  };
  for (const s of statements) {
    for (const def of columnDefinitions(s.text)) {
      let table = out.get(def.table);
      if (!table) out.set(def.table, (table = new Map()));
      table.set(def.column.toLowerCase(), position(s.file, s.offset + def.at));
    }
  }
  return out;
}

/** The position of `table.column`, if a statement defined it. */
export function positionOf(positions: ColumnPositions, table: string, column: string): SourcePosition | undefined {
  return positions.get(table)?.get(column.toLowerCase());
}

/** Not column definitions when they open an element of CREATE TABLE (…) or follow ADD. */
const NOT_A_COLUMN = new Set(['CONSTRAINT', 'PRIMARY', 'KEY', 'INDEX', 'UNIQUE', 'FOREIGN', 'FULLTEXT', 'SPATIAL', 'CHECK', 'PERIOD', 'PARTITION', 'VECTOR']);

/** Column names defined by one statement, with their offsets in its text. */
export function columnDefinitions(sql: string): { table: string; column: string; at: number }[] {
  const tokens = tokenize(sql);
  const word = (i: number, ...w: string[]) => tokens[i]?.kind === 'word' && w.includes(tokens[i]!.value.toUpperCase());
  let i = 0;
  const out: { table: string; column: string; at: number }[] = [];
  const tableName = (): string | undefined => {
    const t = tokens[i];
    if (!t || (t.kind !== 'ident' && t.kind !== 'word')) return undefined;
    let name = t.value;
    i++;
    // db.table: the table part.
    if (tokens[i]?.kind === 'punct' && tokens[i]!.value === '.' && (tokens[i + 1]?.kind === 'ident' || tokens[i + 1]?.kind === 'word')) {
      name = tokens[i + 1]!.value;
      i += 2;
    }
    return name;
  };
  const isName = (t: Token | undefined) => t !== undefined && (t.kind === 'ident' || t.kind === 'word');
  /** From i: the end of the element at the current depth (the index of the `,` or closing `)`, or tokens.length). */
  const elementEnd = (from: number): number => {
    let depth = 0;
    for (let j = from; j < tokens.length; j++) {
      const t = tokens[j]!;
      if (t.kind !== 'punct') continue;
      if (t.value === '(') depth++;
      else if (t.value === ')') {
        if (depth === 0) return j;
        depth--;
      } else if (t.value === ',' && depth === 0) return j;
    }
    return tokens.length;
  };

  if (word(i, 'CREATE')) {
    i++;
    if (word(i, 'OR') && word(i + 1, 'REPLACE')) i += 2;
    if (word(i, 'TEMPORARY')) i++;
    if (!word(i, 'TABLE')) return [];
    i++;
    if (word(i, 'IF') && word(i + 1, 'NOT') && word(i + 2, 'EXISTS')) i += 3;
    const table = tableName();
    if (table === undefined || tokens[i]?.value !== '(' || tokens[i]!.kind !== 'punct') return [];
    i++;
    while (i < tokens.length) {
      const first = tokens[i]!;
      if (first.kind === 'ident' || (first.kind === 'word' && !NOT_A_COLUMN.has(first.value.toUpperCase()))) out.push({ table, column: first.value, at: first.at });
      const end = elementEnd(i);
      if (end >= tokens.length || tokens[end]!.value === ')') break;
      i = end + 1;
    }
    return out;
  }

  if (word(i, 'ALTER')) {
    i++;
    if (word(i, 'ONLINE', 'IGNORE')) i++;
    if (!word(i, 'TABLE')) return [];
    i++;
    if (word(i, 'IF') && word(i + 1, 'EXISTS')) i += 2;
    const table = tableName();
    if (table === undefined) return [];
    while (i < tokens.length) {
      const end = elementEnd(i);
      if (word(i, 'ADD')) {
        let j = i + 1;
        const explicit = word(j, 'COLUMN');
        if (explicit) j++;
        if (word(j, 'IF') && word(j + 1, 'NOT') && word(j + 2, 'EXISTS')) j += 3;
        if (tokens[j]?.kind === 'punct' && tokens[j]!.value === '(') {
          // ADD [COLUMN] (a int, b int): each element is a column (or, without COLUMN, maybe an index: skipped by keyword).
          j++;
          while (j < tokens.length) {
            const first = tokens[j]!;
            if (first.kind === 'ident' || (first.kind === 'word' && !NOT_A_COLUMN.has(first.value.toUpperCase()))) out.push({ table, column: first.value, at: first.at });
            const e = elementEnd(j);
            if (e >= tokens.length || tokens[e]!.value === ')') break;
            j = e + 1;
          }
        } else if (isName(tokens[j]) && (explicit || tokens[j]!.kind === 'ident' || !NOT_A_COLUMN.has(tokens[j]!.value.toUpperCase()))) {
          out.push({ table, column: tokens[j]!.value, at: tokens[j]!.at });
        }
      } else if (word(i, 'MODIFY', 'CHANGE')) {
        const change = word(i, 'CHANGE');
        let j = i + 1;
        if (word(j, 'COLUMN')) j++;
        if (word(j, 'IF') && word(j + 1, 'EXISTS')) j += 2;
        if (change) j++; // the old name; the new one follows
        if (isName(tokens[j])) out.push({ table, column: tokens[j]!.value, at: tokens[j]!.at });
      }
      if (end >= tokens.length) break;
      i = end + 1;
    }
    return out;
  }
  return [];
}

/** MySQL tokens, comments dropped, an executable comment's body kept as code. */
export function tokenize(sql: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  let inExecutable = false;
  const n = sql.length;
  while (i < n) {
    const c = sql[i]!;
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r' || c === '\f' || c === '\v') {
      i++;
      continue;
    }
    if (inExecutable && c === '*' && sql[i + 1] === '/') {
      inExecutable = false;
      i += 2;
      continue;
    }
    if (c === '/' && sql[i + 1] === '*') {
      if (sql[i + 2] === '!' || (sql[i + 2] === 'M' && sql[i + 3] === '!')) {
        // /*!50100 … */ and MariaDB's /*M!100100 … */: the server runs the body.
        i += sql[i + 2] === '!' ? 3 : 4;
        while (i < n && sql[i]! >= '0' && sql[i]! <= '9') i++;
        inExecutable = true;
        continue;
      }
      const close = sql.indexOf('*/', i + 2);
      i = close < 0 ? n : close + 2;
      continue;
    }
    if (c === '#' || (c === '-' && sql[i + 1] === '-' && (i + 2 >= n || /\s/.test(sql[i + 2]!)))) {
      const eol = sql.indexOf('\n', i);
      i = eol < 0 ? n : eol + 1;
      continue;
    }
    if (c === '`') {
      let j = i + 1;
      let value = '';
      while (j < n) {
        if (sql[j] === '`') {
          if (sql[j + 1] === '`') {
            value += '`';
            j += 2;
            continue;
          }
          break;
        }
        value += sql[j];
        j++;
      }
      out.push({ kind: 'ident', value, at: i });
      i = j + 1;
      continue;
    }
    if (c === "'" || c === '"') {
      let j = i + 1;
      while (j < n) {
        if (sql[j] === '\\') {
          j += 2;
          continue;
        }
        if (sql[j] === c) {
          if (sql[j + 1] === c) {
            j += 2;
            continue;
          }
          break;
        }
        j++;
      }
      // A double-quoted name (ANSI_QUOTES) reads like a string here; neither is a column name we need.
      out.push({ kind: 'string', value: sql.slice(i + 1, j), at: i });
      i = j + 1;
      continue;
    }
    const m = /^[\p{L}\p{N}_$]+/u.exec(sql.slice(i, i + 256));
    if (m) {
      out.push({ kind: 'word', value: m[0], at: i });
      i += m[0].length;
      continue;
    }
    out.push({ kind: 'punct', value: c, at: i });
    i++;
  }
  return out;
}

/** Each finding whose column a statement defined gets `source`, with its file mapped by `path` (e.g. to the repository root). */
export function attachSources<F extends { table: string; column: string; source?: SourcePosition }>(
  findings: readonly F[],
  positions: ColumnPositions,
  path: (file: string) => string,
): F[] {
  return findings.map((f) => {
    const at = positionOf(positions, f.table, f.column);
    return at ? { ...f, source: { ...at, file: path(at.file) } } : f;
  });
}
