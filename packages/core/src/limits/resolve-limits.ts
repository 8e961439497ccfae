/** @module Validation of `limitZones` (top level) and `limits` (top level, virtual servers, locations): errors naming the exact field, nginx's per-directive inheritance. */
import { readFileSync } from 'node:fs';
import { checkKeys, child, describe, expectObject, fail, isPlainObject, optionalBoolean, suggest } from '../config/describe.js';
import { parseBodySize } from '../config/body-size.js';
import { compileHashKey } from '../config/hash-key.js';
import { parseAccessRule, type AccessRule } from './access-rules.js';
import { HtpasswdLineError, readHtpasswd, usersFromRecord, type BasicAuthUsers } from './basic-auth.js';
import { CONNECTION_STATE_BYTES, ConnectionZone } from './connection-count.js';
import type { LimitKey, ResolvedLimits } from './limit-types.js';
import { parseRate, RATE_STATE_BYTES, RequestRateZone } from './request-rate.js';

/** The zones of a configuration by name (nginx's shared memory zones: one name space for both kinds). */
export type LimitZones = ReadonlyMap<string, RequestRateZone | ConnectionZone>;

const ZONE_KEYS = ['kind', 'key', 'rate', 'size'] as const;
const LIMIT_KEYS = [
  'requests',
  'requestStatus',
  'requestDryRun',
  'connections',
  'connectionStatus',
  'connectionDryRun',
  'access',
  'basicAuth',
  'satisfy',
] as const;
const DEFAULT_ZONE_SIZE = 10 * 1024 * 1024;
/** nginx refuses a zone smaller than 8 pages ("zone is too small"). */
export const MIN_ZONE_SIZE = 8 * 4096;

/** What a level without any limit has (nginx's defaults). */
export const NO_LIMITS: ResolvedLimits = Object.freeze({
  requests: Object.freeze([]),
  requestStatus: 503,
  requestDryRun: false,
  connections: Object.freeze([]),
  connectionStatus: 503,
  connectionDryRun: false,
  access: Object.freeze([]),
  basicAuth: undefined,
  satisfy: 'all',
});

/** Whether a location's limits do anything (else the adapters skip the phases). */
export function hasLimits(limits: ResolvedLimits): boolean {
  return limits.requests.length > 0 || limits.connections.length > 0 || limits.access.length > 0 || limits.basicAuth !== undefined;
}

/** A zone key: nginx variables as `hash.key` takes them; `$binary_remote_addr` is the client address (its bytes in nginx, its text here: the same identity). */
export function compileLimitKey(source: unknown, path: string): LimitKey {
  if (typeof source !== 'string' || source === '') fail(path, `must be a string of nginx variables such as '$binary_remote_addr', got ${describe(source)}`);
  return compileHashKey(source.replace(/\$(?:binary_remote_addr\b|\{binary_remote_addr\})/g, '$remote_addr'), path);
}

/** `limitZones`: `{ name: { kind: 'requests', key, rate, size? } | { kind: 'connections', key, size? } }`. */
export function resolveLimitZones(input: unknown, path = 'limitZones'): LimitZones {
  const zones = new Map<string, RequestRateZone | ConnectionZone>();
  if (input === undefined) return zones;
  const obj = expectObject(input, path, 'an object of zone name to { kind, key, rate?, size? }');
  for (const [name, value] of Object.entries(obj)) {
    const at = child(path, name);
    if (!isPlainObject(value)) fail(at, `must be { kind: 'requests' | 'connections', key, ... }, got ${describe(value)}`);
    checkKeys(value, ZONE_KEYS, at);
    const size = value.size === undefined ? DEFAULT_ZONE_SIZE : parseBodySize(value.size, `${at}.size`);
    if (size < MIN_ZONE_SIZE) fail(`${at}.size`, `is too small: at least ${MIN_ZONE_SIZE} bytes (32k), as nginx, got ${describe(value.size)}`);
    const key = compileLimitKey(value.key, `${at}.key`);
    if (value.kind === 'requests') {
      const rate = typeof value.rate === 'string' ? parseRate(value.rate) : undefined;
      if (rate === undefined || rate <= 0) fail(`${at}.rate`, `must be a rate like '10r/s' or '30r/m', got ${describe(value.rate)}`);
      zones.set(name, new RequestRateZone(name, key, rate, Math.floor(size / RATE_STATE_BYTES)));
    } else if (value.kind === 'connections') {
      if (value.rate !== undefined) fail(`${at}.rate`, "only applies to kind 'requests' (a connections zone counts requests in progress)");
      zones.set(name, new ConnectionZone(name, key, Math.floor(size / CONNECTION_STATE_BYTES)));
    } else {
      fail(`${at}.kind`, `must be 'requests' (nginx limit_req_zone) or 'connections' (limit_conn_zone), got ${describe(value.kind)}`);
    }
  }
  return zones;
}

/**
 * One level's `limits` over the outer level's (undefined: nothing set above): each field given
 * replaces the outer one, as nginx merges each directive. `undefined` input keeps `outer`.
 * `baseDir` is where a relative `basicAuth.userFile` is read from (default the working directory).
 */
export function resolveLimits(
  input: unknown,
  path: string,
  outer: ResolvedLimits | undefined,
  zones: LimitZones,
  baseDir?: string,
): ResolvedLimits | undefined {
  if (input === undefined) return outer;
  const obj = expectObject(input, path, 'an object { requests?, connections?, access?, basicAuth?, ... }');
  checkKeys(obj, LIMIT_KEYS, path);
  const base = outer ?? NO_LIMITS;
  const out: ResolvedLimits = {
    requests: obj.requests === undefined ? base.requests : resolveRequests(obj.requests, `${path}.requests`, zones),
    requestStatus: obj.requestStatus === undefined ? base.requestStatus : status(obj.requestStatus, `${path}.requestStatus`),
    requestDryRun: optionalBoolean(obj.requestDryRun, `${path}.requestDryRun`, base.requestDryRun),
    connections: obj.connections === undefined ? base.connections : resolveConnections(obj.connections, `${path}.connections`, zones),
    connectionStatus: obj.connectionStatus === undefined ? base.connectionStatus : status(obj.connectionStatus, `${path}.connectionStatus`),
    connectionDryRun: optionalBoolean(obj.connectionDryRun, `${path}.connectionDryRun`, base.connectionDryRun),
    access: obj.access === undefined ? base.access : resolveAccess(obj.access, `${path}.access`),
    basicAuth: obj.basicAuth === undefined ? base.basicAuth : resolveBasicAuth(obj.basicAuth, `${path}.basicAuth`, baseDir),
    satisfy: obj.satisfy === undefined ? base.satisfy : satisfy(obj.satisfy, `${path}.satisfy`),
  };
  return Object.freeze(out);
}

function status(value: unknown, path: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 400 || value > 599)
    fail(path, `must be an HTTP status from 400 to 599, got ${describe(value)}`);
  return value;
}

function satisfy(value: unknown, path: string): 'all' | 'any' {
  if (value !== 'all' && value !== 'any') fail(path, `must be 'all' or 'any', got ${describe(value)}`);
  return value;
}

function zoneOf<K extends 'requests' | 'connections'>(
  name: unknown,
  path: string,
  zones: LimitZones,
  kind: K,
): K extends 'requests' ? RequestRateZone : ConnectionZone {
  if (typeof name !== 'string') fail(path, `must be the name of a limitZones entry, got ${describe(name)}`);
  const zone = zones.get(name);
  if (zone === undefined) {
    const hint = suggest(name, [...zones.keys()]);
    fail(
      path,
      `names the unknown zone ${JSON.stringify(name)} (${hint ? `did you mean ${hint}?` : `limitZones has ${zones.size === 0 ? 'none' : [...zones.keys()].join(', ')}`})`,
    );
  }
  const want = kind === 'requests' ? RequestRateZone : ConnectionZone;
  if (!(zone instanceof want)) fail(path, `names zone ${JSON.stringify(name)}, which is a ${kind === 'requests' ? "'connections'" : "'requests'"} zone`);
  return zone as K extends 'requests' ? RequestRateZone : ConnectionZone;
}

function countField(value: unknown, path: string, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0 || value > 1_000_000_000)
    fail(path, `must be a whole number >= 0, got ${describe(value)}`);
  return value;
}

function resolveRequests(input: unknown, path: string, zones: LimitZones): ResolvedLimits['requests'] {
  if (!Array.isArray(input)) fail(path, `must be an array of { zone, burst?, nodelay?, delay? }, got ${describe(input)}`);
  const seen = new Set<RequestRateZone>();
  return Object.freeze(
    (input as unknown[]).map((entry, i) => {
      const at = `${path}[${i}]`;
      if (!isPlainObject(entry)) fail(at, `must be { zone, burst?, nodelay?, delay? }, got ${describe(entry)}`);
      checkKeys(entry, ['zone', 'burst', 'nodelay', 'delay'], at);
      const zone = zoneOf(entry.zone, `${at}.zone`, zones, 'requests');
      if (seen.has(zone)) fail(`${at}.zone`, `repeats zone ${JSON.stringify(zone.name)} (nginx: "is duplicate")`);
      seen.add(zone);
      const burst = countField(entry.burst, `${at}.burst`, 0);
      const nodelay = optionalBoolean(entry.nodelay, `${at}.nodelay`, false);
      if (nodelay && entry.delay !== undefined) fail(`${at}.delay`, 'cannot be given with nodelay (nodelay lets the whole burst through at once)');
      const delay = nodelay ? Math.floor(Number.MAX_SAFE_INTEGER / 1000) : countField(entry.delay, `${at}.delay`, 0);
      // nginx keeps burst and delay in 1/1000 requests, as the excess.
      return Object.freeze({ zone, burst: burst * 1000, delay: delay * 1000 });
    }),
  );
}

function resolveConnections(input: unknown, path: string, zones: LimitZones): ResolvedLimits['connections'] {
  if (!Array.isArray(input)) fail(path, `must be an array of { zone, max }, got ${describe(input)}`);
  const seen = new Set<ConnectionZone>();
  return Object.freeze(
    (input as unknown[]).map((entry, i) => {
      const at = `${path}[${i}]`;
      if (!isPlainObject(entry)) fail(at, `must be { zone, max }, got ${describe(entry)}`);
      checkKeys(entry, ['zone', 'max'], at);
      const zone = zoneOf(entry.zone, `${at}.zone`, zones, 'connections');
      if (seen.has(zone)) fail(`${at}.zone`, `repeats zone ${JSON.stringify(zone.name)} (nginx: "is duplicate")`);
      seen.add(zone);
      const max = entry.max;
      if (typeof max !== 'number' || !Number.isInteger(max) || max < 1 || max > 65535)
        fail(`${at}.max`, `must be a whole number from 1 to 65535, got ${describe(max)}`);
      return Object.freeze({ zone, max });
    }),
  );
}

function resolveAccess(input: unknown, path: string): readonly AccessRule[] {
  if (!Array.isArray(input)) fail(path, `must be an array of { allow: 'ADDRESS|CIDR|all' } or { deny: ... }, got ${describe(input)}`);
  return Object.freeze(
    (input as unknown[]).map((entry, i) => {
      const at = `${path}[${i}]`;
      if (!isPlainObject(entry)) fail(at, `must be { allow: ... } or { deny: ... }, got ${describe(entry)}`);
      checkKeys(entry, ['allow', 'deny'], at);
      const deny = entry.deny !== undefined;
      if (deny === (entry.allow !== undefined)) fail(at, 'must have exactly one of allow or deny');
      const text = deny ? entry.deny : entry.allow;
      const field = `${at}.${deny ? 'deny' : 'allow'}`;
      if (typeof text !== 'string') fail(field, `must be an address, a CIDR range or 'all', got ${describe(text)}`);
      try {
        return parseAccessRule(text, deny).rule;
      } catch (err) {
        return fail(field, (err as Error).message);
      }
    }),
  );
}

function resolveBasicAuth(input: unknown, path: string, baseDir: string | undefined): ResolvedLimits['basicAuth'] {
  if (input === false) return undefined;
  if (!isPlainObject(input)) fail(path, `must be { realm, userFile } or { realm, users }, or false, got ${describe(input)}`);
  checkKeys(input, ['realm', 'userFile', 'users'], path);
  const realm = input.realm;
  if (typeof realm !== 'string' || /[\r\n"\\]/.test(realm))
    fail(`${path}.realm`, `must be a string without quotes, backslashes or line breaks, got ${describe(realm)}`);
  if ((input.userFile === undefined) === (input.users === undefined)) fail(path, 'must have exactly one of userFile or users');
  let users: BasicAuthUsers;
  if (input.users !== undefined) {
    const record = expectObject(input.users, `${path}.users`, 'an object of user name to htpasswd hash');
    for (const [name, hash] of Object.entries(record)) {
      if (typeof hash !== 'string') fail(child(`${path}.users`, name), `must be an htpasswd hash string, got ${describe(hash)}`);
      if (name === '' || name.includes(':')) fail(child(`${path}.users`, name), 'is not a user name (empty or with ":")');
    }
    try {
      users = usersFromRecord(record as Record<string, string>);
    } catch (err) {
      return fail(`${path}.users`, (err as Error).message);
    }
  } else {
    users = readUserFile(input.userFile, `${path}.userFile`, baseDir);
  }
  return Object.freeze({ realm, users });
}

/** Read and compile an htpasswd file now (a change needs a reload); errors name the file and its line. */
export function readUserFile(file: unknown, path: string, baseDir: string | undefined): BasicAuthUsers {
  if (typeof file !== 'string' || file === '') fail(path, `must be the path of an htpasswd file, got ${describe(file)}`);
  const full = baseDir === undefined || file.startsWith('/') ? file : `${baseDir.replace(/\/$/, '')}/${file}`;
  let text: string;
  try {
    text = readFileSync(full, 'latin1');
  } catch (err) {
    return fail(path, `cannot be read: ${(err as Error).message}`);
  }
  try {
    return readHtpasswd(text);
  } catch (err) {
    if (err instanceof HtpasswdLineError) return fail(path, `line ${err.line} of ${full}: ${err.message}`);
    throw err;
  }
}
