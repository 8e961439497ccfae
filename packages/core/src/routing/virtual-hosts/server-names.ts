/** @module nginx's `server_name` rules: which virtual host a request's Host picks (exact, `*.x`, `x.*`, regex, then the default). */

/** A server name as nginx reads it: exact, leading wildcard (`*.x`, `.x`), trailing wildcard (`x.*`) or regex (`~re`). */
export type ServerNameKind = 'exact' | 'head' | 'tail' | 'dot' | 'regex';

/**
 * Classify one `server_name` entry, or give why nginx would refuse it. nginx lowercases names;
 * a `*` is allowed only as the whole first label (`*.example.com`) or the whole last one
 * (`www.example.*`); `.example.com` is `example.com` plus `*.example.com`.
 */
export function classifyServerName(name: string): { kind: ServerNameKind; value: string } | { error: string } {
  if (name.startsWith('~')) {
    const source = name.slice(1);
    if (source === '') return { error: 'is an empty regular expression' };
    try {
      new RegExp(source, 'i');
    } catch (err) {
      return { error: `has an invalid regular expression: ${(err as Error).message}` };
    }
    return { kind: 'regex', value: source };
  }
  const lower = name.toLowerCase();
  if (/[\s/\\]/.test(lower)) return { error: 'may not contain spaces or slashes' };
  if (lower.startsWith('*.') && !lower.slice(2).includes('*') && lower.length > 2) return { kind: 'head', value: lower.slice(2) };
  if (lower.endsWith('.*') && !lower.slice(0, -2).includes('*') && lower.length > 2) return { kind: 'tail', value: lower.slice(0, -2) };
  if (lower.includes('*')) return { error: 'is an invalid wildcard: "*" may only be the first label ("*.example.com") or the last ("www.example.*")' };
  if (lower.startsWith('.') && lower.length > 1) return { kind: 'dot', value: lower.slice(1) };
  return { kind: 'exact', value: lower };
}

/**
 * The host nginx compares with the server names: the Host header (or the absolute request
 * target's host, which wins, as in nginx) lowercased, without its port and a trailing dot;
 * `undefined` for none or an empty one.
 */
export function normalizeHost(host: string | undefined): string | undefined {
  if (typeof host !== 'string') return undefined;
  let h = host.trim().toLowerCase();
  if (h.startsWith('[')) {
    const end = h.indexOf(']');
    if (end !== -1) h = h.slice(0, end + 1);
  } else {
    const colon = h.indexOf(':');
    if (colon !== -1) h = h.slice(0, colon);
  }
  if (h.endsWith('.')) h = h.slice(0, -1);
  return h === '' ? undefined : h;
}

/** Picks the index of a virtual host by Host, as `ngx_http_find_virtual_server` does. */
export interface ServerNameTable {
  pick(host: string | undefined): number;
}

/**
 * The lookup for servers given as lists of names, in config order. The first server that names an
 * exact or wildcard name keeps it (nginx: "conflicting server name ... ignored"). Order of the search:
 * exact name, the longest matching `*.` wildcard, the longest matching `.*` wildcard, the first
 * matching regex in config order, else the default server (`defaultIndex`).
 */
export function createServerNameTable(servers: ReadonlyArray<readonly string[]>, defaultIndex: number): ServerNameTable {
  const exact = new Map<string, number>();
  const head = new Map<string, number>();
  const tail = new Map<string, number>();
  const regexes: { regex: RegExp; index: number }[] = [];
  const keep = (map: Map<string, number>, key: string, index: number): void => {
    if (!map.has(key)) map.set(key, index);
  };
  servers.forEach((names, index) => {
    for (const name of names) {
      const c = classifyServerName(name);
      if ('error' in c) continue; // validated where the names were read
      if (c.kind === 'exact') keep(exact, c.value, index);
      else if (c.kind === 'head') keep(head, c.value, index);
      else if (c.kind === 'tail') keep(tail, c.value, index);
      else if (c.kind === 'dot') {
        keep(exact, c.value, index);
        keep(head, c.value, index);
      } else regexes.push({ regex: new RegExp(c.value, 'i'), index });
    }
  });
  return {
    pick(host) {
      if (host === undefined) return defaultIndex;
      const hit = exact.get(host);
      if (hit !== undefined) return hit;
      if (head.size > 0) {
        // `a.b.example.com`: `b.example.com`, then `example.com`, then `com`: the longest first.
        for (let dot = host.indexOf('.'); dot !== -1; dot = host.indexOf('.', dot + 1)) {
          const found = head.get(host.slice(dot + 1));
          if (found !== undefined) return found;
        }
      }
      if (tail.size > 0) {
        for (let dot = host.lastIndexOf('.'); dot > 0; dot = host.lastIndexOf('.', dot - 1)) {
          const found = tail.get(host.slice(0, dot));
          if (found !== undefined) return found;
        }
      }
      for (const { regex, index } of regexes) if (regex.test(host)) return index;
      return defaultIndex;
    },
  };
}
