/** @module nginx `include FILE|GLOB;` followed as nginx does: the included directives take the include's place, read from disk or from texts the caller passes. */
import { existsSync, readdirSync } from 'node:fs';
import { basename, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { SwitchyardConfigError } from '../../errors.js';
import { fail, type ImportNotes } from '../notes.js';
import { readConfigFile } from '../read-config-file.js';
import { parseSyntaxTree, type Directive } from '../syntax-tree.js';
import { globRegex, hasGlob } from './glob-pattern.js';
import { MAX_INCLUDE_DEPTH, MAX_INCLUDED_BYTES, MAX_INCLUDED_FILES } from './include-limits.js';

/** Where included files come from. */
export interface IncludeSource {
  /**
   * Read included files from disk. Relative names are taken from this directory, as nginx takes them
   * from its configuration prefix (the main file's directory), whichever file the include is in.
   */
  readonly dir?: string;
  /** The texts of included files by the name the `include` writes (`'proxy_params'`, `'conf.d/app.conf'`); globs match these names. */
  readonly files?: Readonly<Record<string, string>>;
}

interface Included {
  /** How warnings and errors name the file. */
  readonly name: string;
  readonly text: string;
}

/**
 * The tree with every `include` replaced by the directives of the files it names, recursively.
 * A name with a wildcard that matches nothing includes nothing (nginx's rule); a plain name that
 * cannot be found is an error naming the line. With neither `dir` nor `files` (a configuration
 * given as text), an include can only be followed when its text is passed in `files`; a missing
 * `mime.types` (MIME types only: the framework's business) is then a warning, anything else an error.
 */
export function expandIncludes(tree: readonly Directive[], source: IncludeSource, notes: ImportNotes): Directive[] {
  const budget = { files: 0, bytes: 0 };
  const expand = (block: readonly Directive[], depth: number): Directive[] => {
    const out: Directive[] = [];
    for (const d of block) {
      if (d.name !== 'include') {
        out.push(d.block === undefined ? d : { ...d, block: expand(d.block, depth) });
        continue;
      }
      const arg = d.args[0];
      if (arg === undefined || d.args.length !== 1 || d.block !== undefined) fail(d, 'invalid number of arguments in "include" directive');
      if (depth >= MAX_INCLUDE_DEPTH) fail(d, `"include ${arg.value}" nested deeper than ${MAX_INCLUDE_DEPTH} includes (does a file include itself?)`);
      for (const file of findIncluded(d, arg.value, source, notes)) {
        if (++budget.files > MAX_INCLUDED_FILES) fail(d, `more than ${MAX_INCLUDED_FILES} included files`);
        budget.bytes += Buffer.byteLength(file.text);
        if (budget.bytes > MAX_INCLUDED_BYTES) fail(d, `included files add up to more than ${MAX_INCLUDED_BYTES} bytes`);
        const text = file.text.startsWith('\uFEFF') ? file.text.slice(1) : file.text;
        out.push(...expand(parseSyntaxTree(text, file.name), depth + 1));
      }
    }
    return out;
  };
  return expand(tree, 0);
}

function findIncluded(d: Directive, pattern: string, source: IncludeSource, notes: ImportNotes): Included[] {
  if (source.files !== undefined) {
    const names = Object.keys(source.files);
    const wanted = hasGlob(pattern) ? names.filter((n) => globRegex(pattern).test(n)).sort() : names.filter((n) => n === pattern);
    if (wanted.length > 0 || hasGlob(pattern)) return wanted.map((name) => ({ name, text: source.files?.[name] as string }));
    if (source.dir === undefined)
      fail(
        d,
        `"include ${pattern}": no text for "${pattern}" in the files passed to parseNginxConfig (given: ${names.map((n) => `"${n}"`).join(', ') || 'none'})`,
      );
  }
  if (source.dir !== undefined) {
    const full = isAbsolute(pattern) ? pattern : resolve(source.dir, pattern);
    if (!hasGlob(pattern) && !existsSync(full) && mimeTypesOnly(d, pattern, notes)) return [];
    return fromDisk(d, pattern, source.dir);
  }
  if (mimeTypesOnly(d, pattern, notes)) return [];
  fail(
    d,
    `"include ${pattern}": the configuration was given as text, so switchyard cannot read the included file. ` +
      `Pass its text (parseNginxConfig(text, { files: { '${pattern}': '...' } })) or load the configuration from its file ({ nginx: '/path/nginx.conf' }), which reads includes from disk`,
  );
}

/** A missing `mime.types` changes nothing switchyard does (the framework writes Content-Type): a warning, not an error. */
function mimeTypesOnly(d: Directive, pattern: string, notes: ImportNotes): boolean {
  if (basename(pattern) !== 'mime.types') return false;
  notes.ignored(d, `include ${pattern}`, 'MIME types only; the framework sets Content-Type itself', 'harmless');
  return true;
}

function fromDisk(d: Directive, pattern: string, dir: string): Included[] {
  const full = isAbsolute(pattern) ? pattern : resolve(dir, pattern);
  const paths = hasGlob(pattern) ? globOnDisk(full) : [full];
  return paths.map((path) => {
    const name = path.startsWith(dir + sep) ? relative(dir, path) : path;
    try {
      return { name, text: readConfigFile(path) };
    } catch (err) {
      if (err instanceof SwitchyardConfigError) fail(d, `"include ${pattern}": ${err.message.replace(/^nginx /, '')}`);
      const why = (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : String((err as Error).message);
      fail(d, `"include ${pattern}": cannot read "${path}": ${why}`);
    }
  });
}

/** glob(3) over the file system, one path segment at a time, sorted as glob(3) sorts. */
function globOnDisk(full: string): string[] {
  const root = full.startsWith(sep) ? sep : '';
  const segments = full.split(sep).filter((s) => s !== '');
  let current = [root === '' ? '.' : root];
  for (const segment of segments) {
    const next: string[] = [];
    for (const base of current) {
      if (!hasGlob(segment)) {
        next.push(join(base, segment));
        continue;
      }
      const re = globRegex(segment);
      let names: string[];
      try {
        names = readdirSync(base);
      } catch {
        continue;
      }
      for (const name of names.sort()) if (re.test(name)) next.push(join(base, name));
    }
    current = next;
  }
  return current.filter((p) => existsSync(p));
}
