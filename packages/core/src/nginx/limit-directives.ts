/** @module The nginx import of limit_req(_zone), limit_conn(_zone), allow/deny, auth_basic(_user_file) and satisfy: zones at http level, each level's directives merged over the outer level's as nginx does. */
import { isAbsolute, join } from 'node:path';
import type { AccessRuleOptions, ConnectionLimitEntry, LimitZoneOptions, RequestLimitEntry, RequestLimitOptions } from '../limits/limit-types.js';
import { parseAccessRule } from '../limits/access-rules.js';
import { compileLimitKey, MIN_ZONE_SIZE, readUserFile } from '../limits/resolve-limits.js';
import { parseRate } from '../limits/request-rate.js';
import { parseBodySize } from '../config/body-size.js';
import { fail, type ImportNotes } from './notes.js';
import type { Directive } from './syntax-tree.js';
import type { Position } from './tokenizer.js';

/** The directives read per level (http, server, location). */
export const LIMIT_DIRECTIVES: ReadonlySet<string> = new Set([
  'limit_req',
  'limit_req_status',
  'limit_req_dry_run',
  'limit_req_log_level',
  'limit_conn',
  'limit_conn_status',
  'limit_conn_dry_run',
  'limit_conn_log_level',
  'allow',
  'deny',
  'auth_basic',
  'auth_basic_user_file',
  'satisfy',
]);

/** The effective limit directives at one level: nginx's merged values, with where auth_basic's two halves come from. */
export interface LimitLevel {
  readonly options: RequestLimitOptions;
  readonly realm?: string;
  readonly userFile?: string;
}

export const TOP_LEVEL: LimitLevel = { options: {} };

/** The zones of a configuration and the checks that need the whole file (a zone used before it is declared is fine in nginx). */
export class LimitImport {
  readonly zones: Record<string, LimitZoneOptions> = {};
  readonly #uses: Array<{ zone: string; kind: 'requests' | 'connections'; at: Position }> = [];
  readonly #baseDir: string;
  readonly #readFiles = new Set<string>();

  constructor(baseDir: string) {
    this.#baseDir = baseDir;
  }

  /** `limit_req_zone KEY zone=NAME:SIZE rate=R;` / `limit_conn_zone KEY zone=NAME:SIZE;` (http level only). */
  readZone(d: Directive, ctx: string): void {
    if (ctx !== 'http' && ctx !== 'main') fail(d, `"${d.name}" directive is not allowed here`);
    const requests = d.name === 'limit_req_zone';
    const [keyArg, ...params] = d.args;
    if (keyArg === undefined || params.length !== (requests ? 2 : 1)) fail(d, `invalid number of arguments in "${d.name}" directive`);
    let name: string | undefined;
    let size = 0;
    let rate: string | undefined;
    for (const p of params) {
      if (p.value.startsWith('zone=')) {
        const colon = p.value.indexOf(':');
        if (colon === -1) fail(p, `invalid zone size "${p.value}"`);
        name = p.value.slice(5, colon);
        try {
          size = parseBodySize(p.value.slice(colon + 1), 'size');
        } catch {
          fail(p, `invalid zone size "${p.value}"`);
        }
        if (size < MIN_ZONE_SIZE) fail(p, `zone "${p.value}" is too small`);
      } else if (requests && p.value.startsWith('rate=')) {
        if (parseRate(p.value.slice(5)) === undefined) fail(p, `invalid rate "${p.value}"`);
        rate = p.value.slice(5);
      } else fail(p, `invalid parameter "${p.value}"`);
    }
    if (name === undefined || name === '') fail(d, `"${d.name}" must have "zone" parameter`);
    if (Object.hasOwn(this.zones, name)) {
      const other = this.zones[name]!;
      if ((other.kind === 'requests') === requests) fail(d, `${d.name} "${name}" is already bound to key "${other.key}"`);
      fail(d, `the shared memory zone "${name}" is already declared for a different use`);
    }
    try {
      compileLimitKey(keyArg.value, 'key');
    } catch (err) {
      fail(keyArg, `key "${keyArg.value}" of "${d.name}" is not supported: ${(err as Error).message.replace(/^key /, '')}`);
    }
    const sizeText = params
      .find((p) => p.value.startsWith('zone='))!
      .value.split(':')[1]!
      .toLowerCase();
    this.zones[name] = requests
      ? { kind: 'requests', key: keyArg.value, rate: rate ?? '1r/s', size: sizeText }
      : { kind: 'connections', key: keyArg.value, size: sizeText };
  }

  /** Every zone a limit_req / limit_conn names exists, of its kind (nginx: "zero size shared memory zone"). */
  check(): void {
    for (const use of this.#uses) {
      const zone = Object.hasOwn(this.zones, use.zone) ? this.zones[use.zone] : undefined;
      if (zone === undefined)
        fail(use.at, `zero size shared memory zone "${use.zone}": no ${use.kind === 'requests' ? 'limit_req_zone' : 'limit_conn_zone'} declares it`);
      if (zone.kind !== use.kind) fail(use.at, `the shared memory zone "${use.zone}" is already declared for a different use`);
    }
  }

  /** The limit directives of one block merged over `outer`: each directive given replaces the outer one (limit_req and allow/deny as lists). */
  readLevel(block: readonly Directive[], outer: LimitLevel, notes: ImportNotes): LimitLevel {
    const own: RequestLimitOptions = {};
    const requests: RequestLimitEntry[] = [];
    const connections: ConnectionLimitEntry[] = [];
    const access: AccessRuleOptions[] = [];
    let realm: string | undefined;
    let userFile: string | undefined;
    const once = new Set<string>();
    for (const d of block) {
      if (!LIMIT_DIRECTIVES.has(d.name)) continue;
      if (d.block) fail(d, `"${d.name}" cannot have a block`);
      const single = d.name !== 'limit_req' && d.name !== 'limit_conn' && d.name !== 'allow' && d.name !== 'deny';
      if (single) {
        if (once.has(d.name)) fail(d, `"${d.name}" directive is duplicate`);
        once.add(d.name);
      }
      switch (d.name) {
        case 'limit_req':
          requests.push(this.#limitReq(d, requests));
          break;
        case 'limit_conn':
          connections.push(this.#limitConn(d, connections));
          break;
        case 'limit_req_status':
          own.requestStatus = statusArg(d);
          break;
        case 'limit_conn_status':
          own.connectionStatus = statusArg(d);
          break;
        case 'limit_req_dry_run':
          own.requestDryRun = onOff(d);
          break;
        case 'limit_conn_dry_run':
          own.connectionDryRun = onOff(d);
          break;
        case 'limit_req_log_level':
        case 'limit_conn_log_level':
          notes.ignored(d, d.name, "nginx's error log level; switchyard logs no line per limited request", 'harmless');
          break;
        case 'allow':
        case 'deny': {
          const a = d.args[0];
          if (a === undefined || d.args.length !== 1) fail(d, `invalid number of arguments in "${d.name}" directive`);
          let parsed: ReturnType<typeof parseAccessRule>;
          try {
            parsed = parseAccessRule(a.value, d.name === 'deny');
          } catch (err) {
            if (a.value.startsWith('unix:')) {
              notes.ignored(d, `${d.name} unix:`, 'switchyard listens on TCP only', 'harmless');
              break;
            }
            fail(a, `invalid parameter "${a.value}": ${(err as Error).message}`);
          }
          if (parsed.hostBits) notes.warn(a, `low address bits of ${a.value} are meaningless (as nginx, the range is read without them)`, 'harmless');
          access.push(d.name === 'deny' ? { deny: a.value } : { allow: a.value });
          break;
        }
        case 'auth_basic': {
          const a = d.args[0];
          if (a === undefined || d.args.length !== 1) fail(d, 'invalid number of arguments in "auth_basic" directive');
          if (a.value.includes('$')) fail(a, '"auth_basic" with variables is not supported: switchyard needs a fixed realm');
          if (/["\\\r\n]/.test(a.value)) fail(a, '"auth_basic" realm with quotes, backslashes or line breaks is not supported');
          realm = a.value;
          break;
        }
        case 'auth_basic_user_file': {
          const a = d.args[0];
          if (a === undefined || d.args.length !== 1) fail(d, 'invalid number of arguments in "auth_basic_user_file" directive');
          if (a.value.includes('$')) fail(a, '"auth_basic_user_file" with variables is not supported: switchyard reads the file when the config is read');
          userFile = isAbsolute(a.value) ? a.value : join(this.#baseDir, a.value);
          // Read now: a missing file or a hash switchyard cannot check is an error at this line.
          if (!this.#readFiles.has(userFile)) {
            try {
              readUserFile(userFile, 'file', undefined);
            } catch (err) {
              fail(a, `"auth_basic_user_file ${a.value}": ${(err as Error).message.replace(/^file /, '')}`);
            }
            this.#readFiles.add(userFile);
          }
          break;
        }
        case 'satisfy': {
          const a = d.args[0];
          if (a === undefined || d.args.length !== 1) fail(d, 'invalid number of arguments in "satisfy" directive');
          if (a.value !== 'all' && a.value !== 'any') fail(a, `invalid value "${a.value}" in "satisfy" directive, it must be "all" or "any"`);
          own.satisfy = a.value;
          break;
        }
      }
    }
    if (requests.length > 0) own.requests = requests;
    if (connections.length > 0) own.connections = connections;
    if (access.length > 0) own.access = access;
    const options: RequestLimitOptions = { ...outer.options, ...own };
    const level: { options: RequestLimitOptions; realm?: string; userFile?: string } = { options };
    const r = realm ?? outer.realm;
    const f = userFile ?? outer.userFile;
    if (r !== undefined) level.realm = r;
    if (f !== undefined) level.userFile = f;
    if (realm !== undefined || userFile !== undefined) {
      // nginx declines (no password asked) when either half is missing, or the realm is "off".
      options.basicAuth = r === undefined || f === undefined || r === 'off' ? false : { realm: r, userFile: f };
    }
    return level;
  }

  #limitReq(d: Directive, seen: readonly RequestLimitEntry[]): RequestLimitEntry {
    if (d.args.length < 1 || d.args.length > 3) fail(d, 'invalid number of arguments in "limit_req" directive');
    let zone: string | undefined;
    const entry: { burst?: number; nodelay?: boolean; delay?: number } = {};
    for (const a of d.args) {
      const v = a.value;
      if (v.startsWith('zone=')) zone = v.slice(5);
      else if (v.startsWith('burst=')) entry.burst = positive(a, v.slice(6), 'burst');
      else if (v.startsWith('delay=')) entry.delay = positive(a, v.slice(6), 'delay');
      else if (v === 'nodelay') entry.nodelay = true;
      else fail(a, `invalid parameter "${v}"`);
    }
    if (zone === undefined) fail(d, '"limit_req" must have "zone" parameter');
    if (seen.some((s) => s.zone === zone)) fail(d, '"limit_req" directive is duplicate');
    this.#uses.push({ zone, kind: 'requests', at: d });
    // nginx: the last of nodelay and delay= wins.
    const out: RequestLimitEntry = { zone };
    if (entry.burst !== undefined) out.burst = entry.burst;
    const last = [...d.args].reverse().find((a) => a.value === 'nodelay' || a.value.startsWith('delay='));
    if (last?.value === 'nodelay') out.nodelay = true;
    else if (entry.delay !== undefined) out.delay = entry.delay;
    return out;
  }

  #limitConn(d: Directive, seen: readonly ConnectionLimitEntry[]): ConnectionLimitEntry {
    const [zoneArg, maxArg] = d.args;
    if (zoneArg === undefined || maxArg === undefined || d.args.length !== 2) fail(d, 'invalid number of arguments in "limit_conn" directive');
    const max = /^\d+$/.test(maxArg.value) ? Number(maxArg.value) : 0;
    if (max <= 0) fail(maxArg, `invalid number of connections "${maxArg.value}"`);
    if (max > 65535) fail(maxArg, `connection limit must be less 65536`);
    if (seen.some((s) => s.zone === zoneArg.value)) fail(d, '"limit_conn" directive is duplicate');
    this.#uses.push({ zone: zoneArg.value, kind: 'connections', at: d });
    return { zone: zoneArg.value, max };
  }
}

/**
 * What a location writes in its `limits`: the effective fields that differ from `outer`'s (the
 * enclosing location's, or none for a location at server level, whose `limits` carry the http and
 * server directives merged), or undefined when none does.
 */
export function limitOptionsOf(level: LimitLevel, outer: LimitLevel): RequestLimitOptions | undefined {
  const out: Record<string, unknown> = {};
  const a = level.options as Record<string, unknown>;
  const b = outer.options as Record<string, unknown>;
  for (const key of Object.keys(a)) {
    if (JSON.stringify(a[key]) !== JSON.stringify(b[key])) out[key] = a[key];
  }
  return Object.keys(out).length === 0 ? undefined : out;
}

function positive(at: Position, text: string, what: string): number {
  const n = /^\d+$/.test(text) ? Number(text) : 0;
  if (n <= 0) fail(at, `invalid ${what} value "${what}=${text}"`);
  return n;
}

function statusArg(d: Directive): number {
  const a = d.args[0];
  if (a === undefined || d.args.length !== 1) fail(d, `invalid number of arguments in "${d.name}" directive`);
  const n = /^\d+$/.test(a.value) ? Number(a.value) : NaN;
  if (!(n >= 400 && n <= 599)) fail(a, `value must be between 400 and 599`);
  return n;
}

function onOff(d: Directive): boolean {
  const a = d.args[0];
  if (a === undefined || d.args.length !== 1) fail(d, `invalid number of arguments in "${d.name}" directive`);
  const v = a.value.toLowerCase();
  if (v !== 'on' && v !== 'off') fail(a, `invalid value "${a.value}" in "${d.name}" directive, it must be "on" or "off"`);
  return v === 'on';
}

/** A location block without the directives read outside readLocation (limits, client_max_body_size), nested locations included. */
export function withoutLevelDirectives(d: Directive): Directive {
  if (d.block === undefined) return d;
  const block = d.block
    .filter((c) => !LIMIT_DIRECTIVES.has(c.name) && c.name !== 'client_max_body_size')
    .map((c) => (c.name === 'location' ? withoutLevelDirectives(c) : c));
  return { ...d, block };
}
