/**
 * Reading the configuration file defensively. A config is a few KB of plain YAML written by an
 * operator; anything else — a huge or binary file, a directory, a pipe, deep nesting, an alias
 * bomb, a custom tag — is refused with one `SdrError('SDR_ERR_CONFIG')` that names the file and
 * the positions, says what to do, and never quotes the file (any line of it could hold a secret).
 */
import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';
import {
  Composer,
  isAlias,
  isCollection,
  isPair,
  isScalar,
  LineCounter,
  Parser,
  visit,
  YAMLParseError,
  type CST,
  type Document,
  type Node,
} from 'yaml';
import { SdrError } from '../errors.js';

/** What a configuration file may be; docs/configuration.md ("Limits of the file") says the same. */
export const CONFIG_FILE_LIMITS = {
  /** Bytes: checked on the open file before reading, and again while reading. */
  maxBytes: 1024 * 1024,
  /** Mappings and lists inside one another. */
  maxDepth: 64,
  /** Values that aliases stand for, all expanded: room to share a region list across thousands of connections. */
  maxAliasedValues: 100_000,
} as const;

/** The YAML 1.2 core-schema tags, plus `!` (the non-specific tag, a plain string): nothing a loader would construct. */
const CORE_TAGS = new Set(['!', ...['str', 'int', 'float', 'bool', 'null', 'map', 'seq'].map((t) => `tag:yaml.org,2002:${t}`)]);
const MAX_LISTED = 10;

export type SmallFile = { data: Buffer } | { problem: string };

/**
 * Read a regular file of at most `maxBytes` without ever reading more: the size is checked on the
 * open descriptor (no race with a swap), and the read stops at `maxBytes + 1`. A pipe, socket or
 * device (`/dev/stdin`) is refused rather than waited on.
 */
export function readSmallFile(path: string, maxBytes: number): SmallFile {
  let fd: number;
  try {
    // Non-blocking, so that opening a FIFO does not wait for a writer: it is refused just below.
    fd = openSync(path, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
  } catch (err) {
    return { problem: fsReason(err) };
  }
  try {
    const st = fstatSync(fd);
    if (st.isDirectory()) return { problem: 'is a directory, not a file' };
    if (!st.isFile()) return { problem: 'is not a regular file (a pipe, socket or device); give the path of a file' };
    const tooBig = { problem: `is larger than the ${formatBytes(maxBytes)} limit` };
    if (st.size > maxBytes) return { problem: `is ${formatBytes(st.size)}, larger than the ${formatBytes(maxBytes)} limit` };
    // Read to EOF, not to st.size: some files (/proc) report size 0 yet have content.
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      const chunk = Buffer.allocUnsafe(Math.min(64 * 1024, maxBytes + 1 - total));
      const n = readSync(fd, chunk, 0, chunk.length, null);
      if (n === 0) break;
      chunks.push(chunk.subarray(0, n));
      total += n;
      if (total > maxBytes) return tooBig;
    }
    return { data: Buffer.concat(chunks, total) };
  } catch (err) {
    return { problem: fsReason(err) };
  } finally {
    closeSync(fd);
  }
}

/** The reason a file could not be opened or read, in words (never the file's content). */
export function fsReason(err: unknown): string {
  const code = (err as NodeJS.ErrnoException)?.code;
  switch (code) {
    case 'ENOENT':
      return 'no such file';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'EISDIR':
      return 'is a directory, not a file';
    default:
      return code ?? 'unreadable';
  }
}

/**
 * Read and parse the configuration file into plain data (`undefined` for an empty file).
 * Throws `SdrError('SDR_ERR_CONFIG')` for every way the file can be unfit, within the limits above.
 */
export function readConfigYaml(file: string): unknown {
  const read = readSmallFile(file, CONFIG_FILE_LIMITS.maxBytes);
  if ('problem' in read) {
    throw new SdrError('SDR_ERR_CONFIG', `cannot read configuration file ${file}: ${read.problem}`, {
      hint: 'Check the --config path (or SDR_CONFIG) and its permissions; it must be a YAML file of at most 1 MiB.',
    });
  }
  const text = decodeText(read.data);
  if (text === undefined) {
    throw new SdrError(
      'SDR_ERR_CONFIG',
      `configuration file ${file} is not text: it is not valid UTF-8 or contains NUL bytes (a binary file?)`,
      { hint: 'Point --config (or SDR_CONFIG) at the YAML file, saved as UTF-8.' },
    );
  }
  const lines = new LineCounter();
  const at = (offset: number) => {
    const p = lines.linePos(offset);
    return `line ${p.line}, column ${p.col}`;
  };
  const tokens = [...new Parser(lines.addNewLine).parse(text)];
  // The composer and toJS recurse once per level: refuse deep nesting before either sees it.
  const { tooDeep, tags } = scan(tokens, CONFIG_FILE_LIMITS.maxDepth);
  if (tooDeep !== undefined) {
    throw unfit(
      file,
      [`${at(tooDeep)}: mappings and lists nest more than ${CONFIG_FILE_LIMITS.maxDepth} levels deep`],
      `Flatten the file: a configuration nests a handful of levels (docs/configuration.md).`,
    );
  }
  const doc = compose(tokens, text.length);
  if (!doc) return undefined;
  if (doc.errors.length) {
    // Only the position and the parser's own words: a snippet of the line could hold a secret.
    const problems = doc.errors.map((e) => `${at(e.pos[0])}: ${e.message.split('\n')[0]}`);
    throw new SdrError('SDR_ERR_CONFIG', `configuration file ${file} is not valid YAML:\n${listed(problems)}`, {
      hint: 'Fix the YAML syntax at the positions listed (keys must be unique).',
    });
  }
  const problems = unsupported(doc, at, tags);
  if (problems.length) {
    throw unfit(
      file,
      problems,
      'Write plain values, mappings and lists: no tags (!!binary, !!set, !custom …), and aliases (*name) only to an anchor (&name) defined before them, within the limits in docs/configuration.md.',
    );
  }
  try {
    return doc.toJS({ maxAliasCount: CONFIG_FILE_LIMITS.maxAliasedValues });
  } catch (err) {
    // Not reached after the checks above; the YAML library's own limit stays as a backstop.
    throw unfit(
      file,
      [`aliases expand to more than ${CONFIG_FILE_LIMITS.maxAliasedValues} values (an alias bomb?)`],
      'Use fewer aliases (docs/configuration.md).',
      err,
    );
  }
}

function decodeText(data: Buffer): string | undefined {
  if (data.includes(0)) return undefined;
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(data);
  } catch {
    return undefined;
  }
}

/**
 * As `parseDocument`, from tokens already parsed: one document, the core schema whatever `%YAML`
 * says, duplicate keys refused — by a set per mapping, not the library's pairwise check, which is
 * quadratic (a 1 MiB mapping of distinct keys would take minutes).
 */
function compose(tokens: CST.Token[], end: number): Document.Parsed | undefined {
  const composer = new Composer({ schema: 'core', uniqueKeys: false, prettyErrors: false });
  let doc: Document.Parsed | undefined;
  for (const d of composer.compose(tokens, true, end)) {
    if (!doc) doc = d;
    else {
      doc.errors.push(
        new YAMLParseError([d.range[0], d.range[0]], 'MULTIPLE_DOCS', 'a second YAML document ("---"): a configuration is one document'),
      );
      break;
    }
  }
  if (doc) {
    visit(doc, {
      Map(_, map) {
        const seen = new Set<unknown>();
        for (const { key } of map.items) {
          const value = isScalar(key) ? key.value : key;
          if (!seen.has(value)) seen.add(value);
          else
            doc.errors.push(
              new YAMLParseError(
                [(key as Node).range?.[0] ?? 0, (key as Node).range?.[0] ?? 0],
                'DUPLICATE_KEY',
                'Map keys must be unique',
              ),
            );
        }
      },
    });
  }
  return doc;
}

interface Scan {
  /** The offset of the first collection nested deeper than the limit. */
  tooDeep?: number;
  /** Where every tag is written, ascending: a node's range starts after its tag. */
  tags: number[];
}

/** One pass over the syntax tree, without recursion (it may be arbitrarily deep). */
function scan(tokens: CST.Token[], maxDepth: number): Scan {
  const tags: number[] = [];
  const props = (list: CST.Token[] | undefined) => {
    for (const p of list ?? []) if (p.type === 'tag') tags.push(p.offset);
  };
  const stack: Array<[CST.Token | null | undefined, number]> = tokens.map((t) => [t, 0]);
  while (stack.length) {
    const [t, depth] = stack.pop()!;
    if (!t) continue;
    if (t.type === 'document') {
      props(t.start);
      stack.push([t.value, depth]);
    } else if (t.type === 'block-scalar') props(t.props);
    else if (t.type === 'block-map' || t.type === 'block-seq' || t.type === 'flow-collection') {
      if (depth + 1 > maxDepth) return { tooDeep: t.offset, tags };
      for (const item of t.items) {
        props(item.start);
        props(item.sep);
        stack.push([item.key, depth + 1], [item.value, depth + 1]);
      }
    }
  }
  return { tags: tags.sort((a, b) => a - b) };
}

/**
 * What plain YAML does not need and a loader should not trust: explicit tags outside the core
 * schema; aliases that point nowhere, at their own ancestor, or expand past `maxAliasedValues`.
 */
function unsupported(doc: Document.Parsed, at: (offset: number) => string, tags: number[]): string[] {
  const problems: string[] = [];
  const expanded = new Map<Node, number>();
  const open = new Set<Node>();
  let aliased = 0;
  /** The node's size with its aliases expanded. */
  const walk = (node: unknown): number => {
    if (isPair(node)) return walk(node.key) + walk(node.value);
    if (isAlias(node)) {
      const offset = node.range?.[0] ?? 0;
      const target = node.resolve(doc);
      if (!target) problems.push(`${at(offset)}: alias to an anchor that is not defined before it`);
      else if (open.has(target)) problems.push(`${at(offset)}: alias inside the very node its anchor names (a cycle)`);
      const size = (target && !open.has(target) && expanded.get(target)) || 1;
      const before = aliased;
      aliased += size;
      // Reported once, at the alias that crosses the limit.
      if (before <= CONFIG_FILE_LIMITS.maxAliasedValues && aliased > CONFIG_FILE_LIMITS.maxAliasedValues) {
        problems.push(`${at(offset)}: aliases expand to more than ${CONFIG_FILE_LIMITS.maxAliasedValues} values (an alias bomb?)`);
      }
      return size;
    }
    if (!isScalar(node) && !isCollection(node)) return 0;
    if (node.tag && !CORE_TAGS.has(node.tag))
      problems.push(
        `${at(tagBefore(tags, node.range?.[0] ?? 0))}: explicit tag not allowed (only plain strings, numbers, booleans, null, mappings and lists)`,
      );
    let size = 1;
    if (isCollection(node)) {
      open.add(node);
      for (const item of node.items) size += walk(item);
      open.delete(node);
    }
    if (node.anchor) expanded.set(node, size);
    return size;
  };
  walk(doc.contents);
  return problems;
}

/** The last tag written before `offset` (the node's own), or `offset` itself. */
function tagBefore(tags: number[], offset: number): number {
  let found = offset;
  for (let lo = 0, hi = tags.length - 1; lo <= hi;) {
    const mid = (lo + hi) >> 1;
    if (tags[mid]! < offset) {
      found = tags[mid]!;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return found;
}

function unfit(file: string, problems: string[], hint: string, cause?: unknown): SdrError {
  return new SdrError('SDR_ERR_CONFIG', `configuration file ${file} uses YAML a configuration may not:\n${listed(problems)}`, {
    hint,
    ...(cause === undefined ? {} : { cause }),
  });
}

function listed(problems: string[]): string {
  const shown = problems.slice(0, MAX_LISTED).map((p) => `  ${p}`);
  if (problems.length > MAX_LISTED) shown.push(`  … and ${problems.length - MAX_LISTED} more`);
  return shown.join('\n');
}

function formatBytes(n: number): string {
  if (n >= 1024 * 1024) return `${+(n / (1024 * 1024)).toFixed(1)} MiB`;
  if (n >= 1024) return `${+(n / 1024).toFixed(1)} KiB`;
  return `${n} bytes`;
}
