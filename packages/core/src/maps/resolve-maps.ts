/** @module Validation of `maps` (nginx `map` blocks): keys as ngx_http_map_module reads them (exact, hostname wildcards, regexes), values with variables, no cycles; errors name the field. */
import { checkKeys, child, describe, expectObject, fail, optionalBoolean } from '../config/describe.js';
import { FrozenMap } from '../config/frozen.js';
import { compileSafeRegex } from '../routing/regex-safety.js';
import type { MapTemplate, ResolvedMap, ResolvedMaps } from './map-types.js';
import { MapTemplateError, parseMapTemplate } from './map-template.js';

const MAP_KEYS = ['source', 'values', 'default', 'hostnames', 'volatile'] as const;

/** Variables every request has: a map cannot take their names (nginx: "the duplicate variable"). */
const BUILTIN = new Set([
  'host',
  'http_host',
  'remote_addr',
  'binary_remote_addr',
  'remote_port',
  'server_port',
  'server_name',
  'scheme',
  'https',
  'proxy_add_x_forwarded_for',
  'proxy_host',
  'proxy_port',
  'request_uri',
  'request_method',
  'uri',
  'document_uri',
  'args',
  'query_string',
  'is_args',
  'content_type',
  'content_length',
  'msec',
  'time_iso8601',
  'time_local',
  'request_id',
  'pid',
  'request_filename',
  'document_root',
  'status',
]);

const NO_MAPS: ResolvedMaps = new FrozenMap();

function template(text: unknown, path: string): MapTemplate {
  if (typeof text !== 'string') fail(path, `must be a string, got ${describe(text)}`);
  if (/[\r\n\0]/.test(text)) fail(path, 'must not contain CR, LF or NUL');
  try {
    return parseMapTemplate(text);
  } catch (err) {
    if (err instanceof MapTemplateError) fail(path, err.message);
    throw err;
  }
}

function hasCapture(t: MapTemplate): boolean {
  return t.parts.some((p) => typeof p !== 'string' && 'capture' in p);
}

/**
 * Validate `maps` (variable name to `{ source, values?, default?, hostnames?, volatile? }`). Keys
 * of `values` are exact (compared case-insensitively, as nginx), `~re` (case-sensitive) or `~*re`
 * (case-insensitive) regexes tried in the order written, and with `hostnames` the wildcards
 * `*.example.com`, `.example.com`, `www.example.*`; a leading `\` makes the rest literal (`\~x`).
 * Which variables a map may use depends on where it is used (proxied headers, rewrite steps, the
 * access log): checked there, with the field of the use.
 */
export function resolveMaps(input: unknown): ResolvedMaps {
  if (input === undefined) return NO_MAPS;
  const obj = expectObject(input, 'maps', 'an object of variable name to { source, values?, default?, hostnames?, volatile? }');
  const out = new Map<string, ResolvedMap>();
  for (const [name, value] of Object.entries(obj)) {
    const path = child('maps', name);
    if (!/^[A-Za-z0-9_]+$/.test(name)) fail(path, `must be a variable name (letters, digits, '_', without '$'), got ${JSON.stringify(name)}`);
    const lower = name.toLowerCase();
    if (BUILTIN.has(lower) || /^(?:http|sent_http|upstream_http|cookie|arg)_/.test(lower) || /^\d+$/.test(lower)) {
      fail(path, `"$${name}" is a variable nginx gives every request; a map cannot define it`);
    }
    if (out.has(lower)) fail(path, `repeats the map $${lower} (variable names are case-insensitive)`);
    out.set(lower, resolveMap(lower, value, path));
  }
  checkCycles(out);
  return new FrozenMap(out);
}

function resolveMap(name: string, input: unknown, path: string): ResolvedMap {
  const obj = expectObject(input, path, 'an object { source, values?, default?, hostnames?, volatile? }');
  checkKeys(obj, MAP_KEYS, path);
  if (obj.source === undefined) fail(`${path}.source`, "is required: the value looked up, e.g. '$http_x_forwarded_proto'");
  const source = template(obj.source, `${path}.source`);
  const hostnames = optionalBoolean(obj.hostnames, `${path}.hostnames`, false);
  const volatile = optionalBoolean(obj.volatile, `${path}.volatile`, false);
  const def = obj.default === undefined ? { text: '', parts: [] } : template(obj.default, `${path}.default`);
  const uses = new Map<string, string>();
  const note = (t: MapTemplate, where: string): void => {
    for (const p of t.parts) if (typeof p !== 'string' && 'variable' in p && !uses.has(p.variable)) uses.set(p.variable, where);
  };
  note(source, 'source');
  note(def, 'default');
  let outerCaptures = hasCapture(source) ? 'source' : hasCapture(def) ? 'default' : undefined;
  const exact = new Map<string, MapTemplate>();
  const head = new Map<string, MapTemplate>();
  const tail = new Map<string, MapTemplate>();
  const regexes: { key: string; regex: RegExp; value: MapTemplate }[] = [];
  const values = obj.values === undefined ? {} : expectObject(obj.values, `${path}.values`, 'an object of key to value');
  const put = (table: Map<string, MapTemplate>, key: string, value: MapTemplate, at: string): void => {
    // nginx: `conflicting parameter` (its keys are lower-cased).
    if (table.has(key)) fail(at, `repeats the key ${JSON.stringify(key)} (keys are compared case-insensitively)`);
    table.set(key, value);
  };
  for (const [key, text] of Object.entries(values)) {
    const at = child(`${path}.values`, key);
    const value = template(text, at);
    const where = `values[${JSON.stringify(key)}]`;
    note(value, where);
    if (key.startsWith('~')) {
      const ignoreCase = key.startsWith('~*');
      const pattern = key.slice(ignoreCase ? 2 : 1);
      const compiled = compileSafeRegex(pattern, ignoreCase);
      if ('invalid' in compiled) fail(at, `is not a valid regular expression in JavaScript: ${compiled.invalid}`);
      if ('unsafe' in compiled) fail(at, `can take exponential time on a crafted value: ${compiled.unsafe}`);
      regexes.push({ key, regex: compiled.regex, value });
      continue;
    }
    if (hasCapture(value)) outerCaptures ??= where;
    const literal = (key.startsWith('\\') ? key.slice(1) : key).toLowerCase();
    if (!hostnames) {
      put(exact, literal, value, at);
      continue;
    }
    if (literal.startsWith('*.') && literal.length > 2 && !literal.slice(2).includes('*')) put(head, literal.slice(2), value, at);
    else if (literal.endsWith('.*') && literal.length > 2 && !literal.slice(0, -2).includes('*')) put(tail, literal.slice(0, -2), value, at);
    else if (literal.includes('*'))
      fail(at, `is an invalid hostname or wildcard: "*" may only be the first label ("*.example.com") or the last ("www.example.*")`);
    else if (literal.startsWith('.') && literal.length > 1) {
      // `.example.com` is `example.com` and `*.example.com`.
      put(exact, literal.slice(1), value, at);
      put(head, literal.slice(1), value, at);
    } else put(exact, literal, value, at);
  }
  return Object.freeze({
    name,
    source,
    exact: new FrozenMap(exact),
    head: new FrozenMap(head),
    tail: new FrozenMap(tail),
    regexes: Object.freeze(regexes),
    default: def,
    hostnames,
    volatile,
    uses: new FrozenMap(uses),
    outerCaptures,
  });
}

/** A map may use other maps, never itself through them (nginx finds that only per request: "cycle while evaluating variable"). */
function checkCycles(maps: ReadonlyMap<string, ResolvedMap>): void {
  const done = new Set<string>();
  const visit = (name: string, chain: string[]): void => {
    if (done.has(name)) return;
    const at = chain.indexOf(name);
    if (at !== -1) {
      const loop = [...chain.slice(at), name].map((n) => `$${n}`).join(' -> ');
      fail(child('maps', chain[0] as string), `uses itself through other maps (${loop})`);
    }
    const map = maps.get(name);
    if (map === undefined) return;
    for (const used of map.uses.keys()) {
      const lower = used.toLowerCase();
      if (maps.has(lower)) visit(lower, [...chain, name]);
    }
    done.add(name);
  };
  for (const name of maps.keys()) visit(name, []);
}

/** The maps a value uses, directly or through other maps (lower-case names). */
export function mapsUsedBy(names: Iterable<string>, maps: ResolvedMaps): Set<string> {
  const out = new Set<string>();
  const walk = (name: string): void => {
    const lower = name.toLowerCase();
    const map = maps.get(lower);
    if (map === undefined || out.has(lower)) return;
    out.add(lower);
    for (const used of map.uses.keys()) walk(used);
  };
  for (const n of names) walk(n);
  return out;
}
