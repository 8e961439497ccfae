/** @module nginx `include` globs (`conf.d/*.conf`, `sites-enabled/*`): glob(3) patterns turned into anchored regexes, one path segment or a whole path. */

/** Whether `pattern` has a glob(3) wildcard: nginx globs the include argument only then. */
export function hasGlob(pattern: string): boolean {
  return /[*?[]/.test(pattern);
}

/**
 * An anchored regex for a glob(3) pattern: `*` and `?` never match `/`, and (as glob(3) without
 * GLOB_PERIOD) never match a leading `.` of a name, so `*.conf` skips `.hidden.conf` as nginx does.
 */
export function globRegex(pattern: string): RegExp {
  let out = '^';
  let atNameStart = true;
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i] as string;
    if (ch === '*' || ch === '?') {
      const one = ch === '*' ? '[^/]*' : '[^/]';
      out += atNameStart ? `(?!\\.)${one}` : one;
      atNameStart = false;
      continue;
    }
    if (ch === '[') {
      const close = pattern.indexOf(']', i + 2);
      if (close !== -1) {
        let set = pattern.slice(i + 1, close);
        const negated = set.startsWith('!') || set.startsWith('^');
        if (negated) set = set.slice(1);
        out += `[${negated ? '^/' : ''}${set.replace(/[\\\]]/g, '\\$&')}]`;
        i = close;
        atNameStart = false;
        continue;
      }
    }
    out += ch.replace(/[.+^${}()|\\\]]/g, '\\$&');
    atNameStart = ch === '/';
  }
  return new RegExp(`${out}$`);
}
