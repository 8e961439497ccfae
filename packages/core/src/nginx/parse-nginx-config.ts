/** @module parseNginxConfig: an nginx configuration (upstream and location blocks, bare or inside http/server) turned into switchyard options plus warnings. */
import { isAbsolute, join } from 'node:path';
import { parseTrustEntry } from '../config/trust-proxy.js';
import type {
  MapOptions,
  LocationOptions,
  NginxParseResult,
  RetryOptions,
  ReturnOptions,
  RewriteStep,
  VirtualServerOptions,
  ServerOptions,
  SwitchyardOptions,
  TimeoutOptions,
  UpstreamOptions,
} from '../types.js';
import { ignoreDirective, isOtherPass } from './ignored-directives.js';
import { locationKey, readLocation, type ImportedLocation, type ProxyTarget } from './location-block.js';
import { responseHookOptions, type PageLocation, type PageScope } from './error-pages.js';
import { headerLevel, NO_HEADERS, writeHeaderOptions, type HeaderLevel } from './header-options.js';
import { fail, ImportNotes } from './notes.js';
import { mergeSettings, PROXY_DIRECTIVES, readProxyDirective, type ProxySettings } from './proxy-settings.js';
import { parseSyntaxTree, type Directive } from './syntax-tree.js';
import { expandIncludes, type IncludeSource } from './include/expand-includes.js';
import { readServerHead } from './server-block.js';
import { readUpstream, type ImportedServer, type ImportedUpstream } from './upstream-block.js';
import { putOwn } from '../config/own.js';
import { suggest } from '../config/describe.js';
import { tlsFromSsl, warnUnusedSsl } from './proxy-ssl.js';
import { absoluteRedirectOption, mergeRedirect, readRedirectDirective, redirectOption, type RedirectSettings } from './redirect-directives.js';
import { readResolver, readResolverTimeout } from './resolver-directive.js';
import type { ResolverOptions } from '../types.js';
import { LogDirectives } from './log-directives.js';
import { collectSetNames, hasRewriteSteps, readFileDirective, readStep, type FileLevel } from './content-directives.js';
import { readMapBlock, type ImportedMap } from './map-block.js';
import { countSets, inlineConstants, serverConstants } from './server-constants.js';
import { resolveMaps } from '../maps/resolve-maps.js';
import type { ResolvedMaps } from '../maps/map-types.js';
import { compileHeaderValue, HeaderValueError } from '../http/header-variables.js';
import { SwitchyardConfigError } from '../errors.js';
import { LIMIT_DIRECTIVES, LimitImport, limitOptionsOf, TOP_LEVEL, withoutLevelDirectives, type LimitLevel } from './limit-directives.js';

type Context = 'main' | 'http' | 'server';

/**
 * Read an nginx configuration and return switchyard options plus warnings.
 *
 * What is an error and what is a warning:
 * - syntax errors (unbalanced braces, missing `;`, unterminated quotes) and
 *   values nginx itself would reject are `NginxParseError`s with line and column;
 * - anything that would change *where* a request goes, or how it fails over, and
 *   that switchyard cannot reproduce is an error too: any unknown directive
 *   inside `upstream`, `ntlm`, a UNIX
 *   socket in `proxy_pass` itself (`server unix:/path;` in an upstream is fine), `proxy_pass` with variables or inside `if`,
 *   `try_files` in a proxied location, non-HTTP `*_pass`, `stream {}`;
 * - `root`, `alias`, `index`, `try_files` and the rewrite module become the locations' own answers
 *   (content-directives.ts, docs/nginx-files.md);
 * - directives that do not concern balancing (`user`,
 *   `events {}`, ...) and proxy options switchyard handles its own way are
 *   ignored with a warning `line N: "name" ignored (why)`, never silently;
 * - a location that does not proxy (`return`, `root`, `try_files`, ...) is left
 *   out, with one warning: its requests are matched by the other locations;
 * - upstreams with server or location blocks but no location that proxies are an
 *   error (the file would proxy nothing); a file of upstream blocks only imports,
 *   for `proxyTo` routes;
 * - each warning has a kind (`result.notes`): `'harmless'` or `'changes'` what
 *   reaches the app; `strict: true` makes the first `'changes'` one an error.
 *
 * Nested locations become `locations` of their location (settings inherited as nginx merges
 * them); `internal` becomes `internal: true`, a named location with `proxy_pass` a `@name` key,
 * `proxy_ignore_headers X-Accel-Redirect` `accelRedirect: false`, `absolute_redirect`,
 * `port_in_redirect` and `server_name_in_redirect` the `absoluteRedirect` of the locations.
 * `set_real_ip_from` ranges become `trustProxy`; NGINX Plus `health_check` in a
 * location becomes the `healthCheck` of its upstream; `proxy_ssl_*` of the locations
 * that reach an https upstream become its `tls` (certificate and key files are read,
 * relative to `options.baseDir`); `server unix:/path;` becomes a `unix:/path` server.
 *
 * Durations stay nginx strings (`'30s'`), bare numbers become seconds (`'30s'`).
 * `proxy_*` settings are written on each location (nginx has no upstream-level
 * retry or timeout), inherited from `http`/`server` level as nginx does.
 *
 * @example
 * const { options, warnings } = parseNginxConfig(`
 *   upstream app { least_conn; server 10.0.0.1:8080 weight=2; server 10.0.0.2:8080; }
 *   server { location /api/ { proxy_pass http://app/; } }`)
 * // options.upstreams.app.balance === 'least-conn'
 * // options.locations['/api/'] deep-equals { upstream: 'app', rewritePrefix: '/' }
 */
export function parseNginxConfig(text: string, options: NginxParseOptions = {}): NginxParseResult {
  if (typeof text !== 'string') throw new TypeError(`parseNginxConfig expects the configuration text, got ${typeof text}`);
  // A UTF-8 byte order mark would otherwise glue itself to the first directive name.
  const include: IncludeSource = {
    ...(options.baseDir !== undefined ? { dir: options.baseDir } : {}),
    ...(options.files !== undefined ? { files: options.files } : {}),
  };
  if (options.prefix !== undefined && (typeof options.prefix !== 'string' || !isAbsolute(options.prefix))) {
    throw new TypeError(`parseNginxConfig: prefix must be an absolute directory (nginx -p), got ${JSON.stringify(options.prefix)}`);
  }
  return new Importer(options.baseDir ?? process.cwd(), include, options.strict === true, options.prefix).run(
    parseSyntaxTree(text.startsWith('\uFEFF') ? text.slice(1) : text),
  );
}

/** Options of `parseNginxConfig`. */
export interface NginxParseOptions {
  /**
   * Directory relative file names (proxy_ssl_certificate ...) are read from: the nginx file's own. Default the working directory.
   * Given, `include` reads files from disk relative to it too (nginx's configuration prefix); `{ nginx: path }` passes the file's directory.
   */
  baseDir?: string;
  /** Texts of the files the configuration includes, by the name its `include` writes (`{ 'proxy_params': '...' }`); globs match these names. */
  files?: Readonly<Record<string, string>>;
  /**
   * Refuse what would change what reaches the app: the first warning of kind `'changes'` (an access
   * limit not imported, a location switchyard does not serve, ...) throws `NginxParseError` at its
   * line instead. The `'harmless'` ones (`user`, `worker_processes`, ...) stay warnings. Default false.
   */
  strict?: boolean;
  /**
   * nginx's prefix (`nginx -p`; compiled in: `/usr/share/nginx` for Debian's package,
   * `/usr/local/nginx` for a source build). Relative `root` and `alias` paths resolve against
   * it, and a location that serves files without a root of its own or inherited uses nginx's
   * default root, `<prefix>/html`. Without it such a location is left out (a warning) and a
   * relative root resolves against the working directory (a warning).
   */
  prefix?: string;
}

class Importer {
  readonly #baseDir: string;
  readonly #notes: ImportNotes;
  readonly #upstreams = new Map<string, ImportedUpstream>();
  readonly #locations = new Map<string, ImportedLocation>();
  /** nginx's "duplicate location" identity: `/a/` and `^~ /a/` are the same prefix location. */
  readonly #locationIds = new Map<string, { loc: ImportedLocation; server: number }>();
  /** `set_real_ip_from` entries: the peers whose X-Forwarded-For nginx believes, i.e. switchyard's `trustProxy`. */
  readonly #trusted: string[] = [];
  readonly #resolver: ResolverOptions = {};
  readonly #logs = new LogDirectives();
  #serverBlocks = 0;
  /** The first location block that was read and left out (it does not proxy): what the "no location reaches the upstreams" error points at. */
  #firstDropped: Directive | undefined;
  /** Virtual hosts: server blocks with the same server_name list are one (the :80 and :443 copies of a site). */
  readonly #scopes: Scope[] = [];
  /** The `add_header` / `expires` in effect at each host scope's server level. */
  readonly #serverHeaders = new Map<number, HeaderLevel>();
  readonly #scopeByKey = new Map<string, number>();
  #scope = -1;
  readonly #scopeOfLocation = new Map<ImportedLocation, number>();
  #sslWarned = false;
  /** client_max_body_size in effect where the walk is (nginx's default 1m), and at the http level. */
  #bodyLimit = '1m';
  #topBodyLimit = '1m';
  /** Per location block (nested ones too): its client_max_body_size and limit directives, merged as nginx does. */
  readonly #levelOf = new Map<string, LocationLevel>();
  readonly #limits: LimitImport;
  #limitLevel: LimitLevel = TOP_LEVEL;
  /** root/index/try_files in effect where the walk is (http, server). */
  #fileLevel: FileLevel = {};
  /** Every `set $name` of the file, and every map's name (rewrite steps may use both). */
  #setNames: ReadonlySet<string> = new Set();
  /** How many `set $name` the file has per name (a server constant is set once). */
  #setCounts: ReadonlyMap<string, number> = new Map();
  /** The `map` blocks of the http level, by lower-case name (a later one replaces an earlier one, as in nginx). */
  readonly #maps = new Map<string, ImportedMap>();
  /** `#maps` validated by core, for the header values' check. */
  #resolvedMaps: ResolvedMaps = new Map();
  /** `underscores_in_headers on` or `ignore_invalid_headers off` somewhere: underscore headers pass. */
  #underscores = false;
  /** Every location of each server block, proxied or not: where error_page URIs are looked up. */
  readonly #pageScopes = new Map<number, { locations: PageLocation[]; server: ProxySettings }>();
  readonly #scopeOf = new Map<ImportedLocation, PageScope>();

  readonly #include: IncludeSource;
  /** The file has an `http {}` block: its top level is nginx's main context, not a site file's http level. */
  #hasHttpBlock = false;

  constructor(baseDir: string, include: IncludeSource, strict: boolean, prefix: string | undefined) {
    this.#notes = new ImportNotes({ strict });
    const resolvePath = (at: Directive, value: string): string => {
      if (value.startsWith('/') || value.startsWith('$')) return value;
      if (prefix !== undefined) return join(prefix, value) + (value.endsWith('/') ? '/' : '');
      this.#notes.warn(
        at,
        `"${at.name} ${value}" is relative: nginx resolves it against its prefix (nginx -p), switchyard against the working directory; pass prefix to parseNginxConfig (or write an absolute path)`,
      );
      return value;
    };
    this.#fileLevel = { resolvePath, ...(prefix !== undefined ? { root: join(prefix, 'html') } : {}) };
    this.#baseDir = baseDir;
    this.#include = include;
    this.#limits = new LimitImport(baseDir);
  }

  run(tree: readonly Directive[]): NginxParseResult {
    const expanded = expandIncludes(tree, this.#include, this.#notes);
    this.#hasHttpBlock = expanded.some((d) => d.name === 'http');
    this.#readMaps(this.#hasHttpBlock ? expanded.filter((d) => d.name === 'http').flatMap((d) => d.block ?? []) : expanded);
    this.#setNames = new Set([...collectSetNames(expanded), ...[...this.#maps.values()].map((m) => m.name)]);
    this.#setCounts = countSets(expanded);
    this.#walk(expanded, 'main', {});
    this.#limits.check();
    if (this.#upstreams.size === 0 && this.#locations.size === 0) {
      fail({ line: 1, column: 1 }, 'no "upstream" block and no proxied "location" found: nothing for switchyard to balance');
    }
    this.#checkNamedTargets();
    if (this.#upstreams.size > 0 && (this.#serverBlocks > 0 || this.#locations.size > 0 || this.#firstDropped !== undefined) && !this.#someUpstreamReached()) {
      this.#noLocationReaches();
    }
    const options = this.#options();
    return { options, warnings: this.#notes.list(), notes: this.#notes.entries() };
  }

  /**
   * `maps` for the maps the options use (in header values, rewrite steps, roots, the log format,
   * and the maps those use); the others are left out with a note: nothing switchyard imports reads
   * them (the usual `$connection_upgrade` feeds `proxy_set_header Connection`, which switchyard
   * drops since it handles upgrades itself).
   */
  #writeMaps(options: SwitchyardOptions): void {
    if (this.#maps.size === 0) return;
    const used = new Set<string>();
    const visit = (name: string): void => {
      if (used.has(name)) return;
      used.add(name);
      const map = this.#maps.get(name);
      if (map !== undefined) for (const inner of mapNamesIn(JSON.stringify(map.options), this.#maps)) visit(inner);
    };
    for (const name of mapNamesIn(JSON.stringify(options), this.#maps)) visit(name);
    const maps: Record<string, MapOptions> = {};
    for (const [lower, map] of this.#maps) {
      if (used.has(lower)) putOwn(maps, map.name, map.options);
      else this.#notes.ignored(map.at, `map ${map.options.source} $${map.name}`, 'nothing imported uses it', 'harmless');
    }
    if (Object.keys(maps).length > 0) options.maps = maps;
  }

  /** The http level's `map` blocks, each checked as core checks the `maps` option (the error at the block's line). */
  #readMaps(block: readonly Directive[]): void {
    for (const d of block) {
      if (d.name !== 'map') continue;
      const map = readMapBlock(d);
      const lower = map.name.toLowerCase();
      const earlier = this.#maps.get(lower);
      if (earlier !== undefined)
        this.#notes.warn(d, `map $${map.name} replaces the one on line ${earlier.at.line}, as in nginx (the last one is used)`, 'harmless');
      try {
        resolveMaps({ [map.name]: map.options });
      } catch (err) {
        if (err instanceof SwitchyardConfigError) fail(d, `"map ... $${map.name}": ${err.message.replace(/^maps\.\w+\.?/, '')}`);
        throw err;
      }
      this.#maps.set(lower, map);
    }
    const all: Record<string, MapOptions> = {};
    for (const m of this.#maps.values()) putOwn(all, m.name, m.options);
    try {
      this.#resolvedMaps = resolveMaps(all);
    } catch (err) {
      // A cycle between maps: nginx finds it per request ("cycle while evaluating variable").
      const first = this.#maps.values().next().value;
      if (err instanceof SwitchyardConfigError && first !== undefined) fail(first.at, `map blocks: ${err.message}`);
      throw err;
    }
  }

  /** Every `try_files ... @name` names a named location of the file (nginx would answer 500 "could not find named location"). */
  #checkNamedTargets(): void {
    const defined = new Set([...this.#locations.values()].filter((l) => l.kind === 'named').map((l) => l.key));
    const check = (l: ImportedLocation): void => {
      const last = l.content.tryFiles?.at(-1);
      if (last?.startsWith('@') === true && !defined.has(last)) {
        fail(
          l,
          `"try_files" of "location ${l.key}" ends with ${last}, which is no named location of this file${defined.size > 0 ? ` (there are ${[...defined].join(', ')})` : ''}`,
        );
      }
      l.nested.forEach(check);
    };
    this.#locations.forEach(check);
  }

  /**
   * A client request can reach a location that proxies: one that is neither named nor internal,
   * or a named one that a `try_files` sends requests to (gunicorn's `try_files $uri @app`).
   * Internal locations are reached only through X-Accel-Redirect, which needs a proxied one first.
   */
  #someUpstreamReached(): boolean {
    const named = new Set<string>();
    const collect = (l: ImportedLocation): void => {
      for (const entry of l.content.tryFiles ?? []) if (entry.startsWith('@')) named.add(entry);
      l.nested.forEach(collect);
    };
    this.#locations.forEach(collect);
    const proxies = (l: ImportedLocation): boolean => l.target !== undefined || l.nested.some(proxies);
    return [...this.#locations.values()].some((l) => proxies(l) && (l.kind === 'named' ? named.has(l.key) : !l.internal));
  }

  /**
   * Upstreams, and server or location blocks, but no location that a client request can take to
   * them: the file was meant to proxy and would proxy nothing (every location answers itself or was
   * left out, or only an internal or unnamed-by-try_files named location proxies). A file of
   * upstream blocks only is no site: it is the pools for `proxyTo` routes.
   */
  #noLocationReaches(): never {
    const up = [...this.#upstreams.values()][0]!;
    const d = this.#firstDropped;
    const dropped = d === undefined ? '' : `"location ${locationKey(d).key}" (line ${d.line}${d.file !== undefined ? ` of ${d.file}` : ''}, see its warning)`;
    const proxying = [...this.#locations.values()].some((l) => l.target !== undefined);
    const why = proxying
      ? `only named or internal locations proxy, which no client request reaches (a named one is reached through a try_files that names it, an internal one through X-Accel-Redirect)${d === undefined ? '' : `, and ${dropped} was left out`}`
      : this.#locations.size > 0
        ? `no location proxies (they serve files or answer themselves)${d === undefined ? '' : `, and ${dropped} was left out`}`
        : d !== undefined
          ? `every location block was left out (the first is ${dropped})`
          : 'the server blocks have no location with proxy_pass';
    fail(
      up,
      `upstream "${up.name}" is reached by no location: ${why}; add a location with "proxy_pass http://${up.name}", or pass a file of upstream blocks only to use them with proxyTo routes`,
    );
  }

  #walk(block: readonly Directive[], ctx: Context, inherited: ProxySettings, inheritedRedirect: RedirectSettings = {}): void {
    const outerBodyLimit = this.#bodyLimit;
    this.#bodyLimit = readBodySize(block) ?? outerBodyLimit;
    if (ctx !== 'server') this.#topBodyLimit = this.#bodyLimit;
    const outerLimits = this.#limitLevel;
    this.#limitLevel = this.#limits.readLevel(block, outerLimits, this.#notes);
    const outerFiles = this.#fileLevel;
    this.#fileLevel = this.#readFileLevel(block, outerFiles);
    this.#walkLevel(block, ctx, inherited, inheritedRedirect);
    if (ctx === 'server') this.#noteUnmatchedFiles(block);
    this.#bodyLimit = outerBodyLimit;
    this.#limitLevel = outerLimits;
    this.#fileLevel = outerFiles;
  }

  /**
   * nginx answers a request that no location matches from the server's root; switchyard gives it
   * to the app's own routes. Said once per server block that has a root and no `location /`.
   */
  #noteUnmatchedFiles(block: readonly Directive[]): void {
    const root = this.#fileLevel.root;
    if (root === undefined || block.some((d) => d.name === 'return')) return;
    const catchAll = block.some((d) => {
      if (d.name !== 'location') return false;
      const { kind, pattern } = locationKey(d);
      return (kind === 'prefix' || kind === 'prefix-priority') && pattern === '/';
    });
    if (catchAll) return;
    const at = block.find((d) => d.name === 'root') ?? block[0];
    if (at === undefined) return;
    this.#notes.warn(
      at,
      `a request no location of this server matches reaches the app's own routes, where nginx would serve it from root ${root}: add "location / { }" to serve those paths from the root`,
    );
  }

  /** root, index and try_files of an http or server level, over the level above (nginx inherits them into locations). */
  #readFileLevel(block: readonly Directive[], outer: FileLevel): FileLevel {
    const own: { root?: string; alias?: string; index?: string[]; tryFiles?: string[] } = {};
    for (const d of block) {
      if (d.name === 'alias') fail(d, '"alias" directive is not allowed here');
      if (d.name === 'root' || d.name === 'index' || d.name === 'try_files') readFileDirective(d, own, this.#setNames, outer.resolvePath);
    }
    return { ...outer, root: own.root ?? outer.root, index: own.index ?? outer.index, tryFiles: own.tryFiles ?? outer.tryFiles };
  }

  #walkLevel(block: readonly Directive[], ctx: Context, inherited: ProxySettings, inheritedRedirect: RedirectSettings): void {
    // Settings of one level apply to every location of that level, wherever they are written in it.
    const level: ProxySettings = {};
    const redirectLevel: RedirectSettings = {};
    const redirectDirectives = new Set<Directive>();
    for (const d of block) {
      if (readRedirectDirective(d, redirectLevel, this.#notes)) redirectDirectives.add(d);
      else readProxyDirective(d, level, this.#notes);
    }
    if (ctx === 'server') {
      const constants = serverConstants(block, this.#setCounts, new Set(this.#maps.keys()));
      if (constants !== undefined) level.constants = constants;
    }
    const settings = mergeSettings(inherited, level);
    const redirect = mergeRedirect(inheritedRedirect, redirectLevel);
    // add_header / expires of a server block: its own answers', and what its locations inherit (the first block of a host).
    if (ctx === 'server' && !this.#serverHeaders.has(this.#hostScope())) this.#serverHeaders.set(this.#hostScope(), headerLevel(settings));

    for (const d of block) {
      if (PROXY_DIRECTIVES.has(d.name) || redirectDirectives.has(d) || LIMIT_DIRECTIVES.has(d.name)) continue;
      switch (d.name) {
        case 'http':
          if (ctx !== 'main') fail(d, '"http" directive is not allowed here');
          if (!d.block) fail(d, '"http" needs a { ... } block');
          this.#walk(d.block, 'http', settings, redirect);
          break;
        case 'server':
          if (ctx === 'server') fail(d, '"server" directive is not allowed here');
          if (!d.block) fail(d, '"server ADDRESS" belongs inside an "upstream" block; outside, "server" needs a { ... } block');
          if (d.args.length > 0) fail(d.args[0] ?? d, 'invalid number of arguments in "server" directive');
          ++this.#serverBlocks;
          this.#enterServer(d);
          this.#walk(d.block, 'server', settings, redirect);
          this.#scope = -1;
          break;
        case 'upstream': {
          if (ctx === 'server') fail(d, '"upstream" directive is not allowed here');
          const up = readUpstream(d, this.#notes);
          if (this.#upstreams.has(up.name.toLowerCase())) fail(d, `duplicate upstream "${up.name}"`);
          this.#upstreams.set(up.name.toLowerCase(), up);
          break;
        }
        case 'location': {
          // nginx allows locations only in server; a bare file of upstreams and locations reads like a server snippet.
          if (ctx === 'http') fail(d, '"location" directive is not allowed here (write it inside a "server" block)');
          // client_max_body_size and the limits are read here (the location's own, else the level's), nested locations too.
          this.#readLevels(d, { bodyLimit: this.#bodyLimit, limits: this.#limitLevel });
          const loc = readLocation(withoutLevelDirectives(d), settings, this.#notes, redirect, undefined, this.#fileLevel, this.#setNames);
          const scope = this.#pageScope(settings);
          scope.locations.push({ ...locationKey(d), proxied: loc?.target !== undefined, block: d.block ?? [], inherited: settings });
          if (!loc) {
            this.#firstDropped ??= d;
            break;
          }
          if (loc.kind !== 'regex' && loc.kind !== 'regex-i' && loc.kind !== 'named' && !loc.pattern.startsWith('/')) {
            // nginx accepts `location foo` (or `location __proto__`) but no request path can match it.
            this.#notes.warn(d, `location "${loc.key}" ignored: its path does not start with "/", so no request can match it`, 'harmless');
            break;
          }
          this.#scopeOf.set(loc, scope);
          const host = this.#hostScope();
          this.#scopes[host]!.locationBlocks.add(this.#serverBlocks);
          this.#scopeOfLocation.set(loc, host);
          const id = `${host}\n${loc.kind === 'prefix' || loc.kind === 'prefix-priority' ? `prefix ${loc.pattern}` : loc.key}`;
          const prev = this.#locationIds.get(id);
          if (prev && prev.server === this.#serverBlocks) fail(d, `duplicate location "${loc.key}"`);
          if (prev) {
            // The same location in two server blocks (typically the :80 and :443 copies of one site) is one
            // location for switchyard when both say the same; when they differ there is no right answer.
            if (prev.loc.key !== loc.key || sameRouting(prev.loc) !== sameRouting(loc)) {
              // The :80 twin's `location / { return 301 https://...; }`: one listening side, the other block's location answers.
              if (redirectsToHttps(loc) || redirectsToHttps(prev.loc)) {
                const redirecting = redirectsToHttps(loc) ? loc : prev.loc;
                this.#notes.warn(
                  redirecting,
                  `location ${loc.key} of line ${redirecting.line} redirects to https and is not imported: another server block with the same server_name has this location, and switchyard answers both on one listening side (redirect plain HTTP to https in front of it, or in the app)`,
                );
                if (redirecting === prev.loc) {
                  this.#locationIds.set(id, { loc, server: this.#serverBlocks });
                  this.#locations.set(`${host}\n${loc.key}`, loc);
                  this.#scopeOf.set(loc, scope);
                }
                break;
              }
              fail(d, `location "${loc.key}" differs from the one on line ${prev.loc.line} in another server block: switchyard has one set of locations`);
            }
            this.#notes.warn(d, `location ${loc.key} repeats the one on line ${prev.loc.line} of another server block; one is kept`);
            break;
          }
          this.#locationIds.set(id, { loc, server: this.#serverBlocks });
          this.#locations.set(`${host}\n${loc.key}`, loc);
          break;
        }
        case 'limit_req_zone':
        case 'limit_conn_zone':
          this.#limits.readZone(d, ctx);
          break;
        case 'resolver':
          // http {} or server {}: switchyard has one top-level resolver (a later one wins, with a warning).
          if (this.#resolver.servers !== undefined) this.#notes.warn(d, '"resolver" repeated: the last one is used for every upstream without its own');
          readResolver(d, this.#resolver, this.#notes);
          break;
        case 'resolver_timeout':
          readResolverTimeout(d, this.#resolver);
          break;
        case 'log_format':
          // A site file (no http block, as sites-enabled/ files are) is read as the inside of http {}.
          this.#logs.logFormat(d, ctx === 'main' && !this.#hasHttpBlock ? 'http' : ctx);
          break;
        case 'access_log':
          this.#logs.accessLog(d, this.#notes);
          break;
        case 'set_real_ip_from': {
          const from = d.args[0];
          if (from === undefined || d.args.length !== 1) fail(d, 'invalid number of arguments in "set_real_ip_from" directive');
          if (from.value.startsWith('unix:')) this.#notes.ignored(d, 'set_real_ip_from unix:', 'switchyard listens on TCP only', 'harmless');
          else if (!validTrustEntry(from.value)) fail(from, `invalid address "${from.value}" in "set_real_ip_from" directive`);
          else if (!this.#trusted.includes(from.value)) this.#trusted.push(from.value);
          break;
        }
        case 'real_ip_header': {
          const header = d.args[0]?.value ?? '';
          if (header.toLowerCase() !== 'x-forwarded-for')
            this.#notes.ignored(d, `real_ip_header ${header}`, 'switchyard takes the client address from X-Forwarded-For of trusted peers');
          break;
        }
        case 'underscores_in_headers':
        case 'ignore_invalid_headers': {
          // Either keeps client headers named with `_` (nginx drops them only with both at their defaults).
          const on = onOffValue(d);
          if (on === (d.name === 'underscores_in_headers')) this.#underscores = true;
          break;
        }
        case 'stream':
          fail(d, '"stream" (TCP/UDP proxying) is not supported: switchyard balances HTTP');
        case 'map':
          // Read before the walk (a map may be used above the line that defines it, as in nginx).
          if (ctx === 'server' || (ctx === 'main' && this.#hasHttpBlock)) fail(d, '"map" directive is not allowed here');
          break;
        case 'proxy_pass':
        case 'grpc_pass':
        case 'health_check':
          fail(d, `"${d.name}" directive is not allowed here (only inside a location)`);
        case 'client_max_body_size':
          // Read by #walk for its level.
          break;
        case 'server_name':
        case 'listen':
        case 'return':
        case 'rewrite':
        case 'if':
        case 'set':
        case 'break':
          // Read by #enterServer (a `return` inside a location is the location's, read with it).
          if (ctx === 'server') break;
          ignoreDirective(this.#notes, d, d.name);
          break;
        case 'root':
        case 'index':
        case 'try_files':
          // Read by #walk for its level (and inherited by the locations).
          break;
        default:
          if (ctx === 'server' && this.#sslWarned && (d.name === 'ssl' || d.name.startsWith('ssl_'))) break;
          if (isOtherPass(d.name)) fail(d, `"${d.name}" is not supported: switchyard proxies HTTP only`);
          if (d.block && containsProxyPass(d)) fail(d, `"proxy_pass" inside "${d.name}" is not supported`);
          ignoreDirective(this.#notes, d, d.name);
      }
    }
  }

  /** The body limit and limit directives of a location block and of those nested in it, each over its enclosing level's. */
  #readLevels(d: Directive, outer: LocationLevel): void {
    const block = d.block ?? [];
    const level: LocationLevel = { bodyLimit: readBodySize(block) ?? outer.bodyLimit, limits: this.#limits.readLevel(block, outer.limits, this.#notes) };
    this.#levelOf.set(levelKey(d), level);
    for (const c of block) if (c.name === 'location') this.#readLevels(c, level);
  }

  /** Open the host scope of a server block: the one of an earlier block with the same server_name list, or a new one. */
  #enterServer(d: Directive): void {
    const head = readServerHead(d.block ?? [], this.#notes);
    let index = this.#scopeByKey.get(head.key);
    if (index === undefined) {
      index = this.#scopes.length;
      this.#scopes.push({ names: head.names, isDefault: false, at: d, locationBlocks: new Set(), return: undefined });
      this.#scopeByKey.set(head.key, index);
    }
    const scope = this.#scopes[index]!;
    if (head.isDefault) {
      const other = this.#scopes.findIndex((s) => s.isDefault);
      if (other === -1) scope.isDefault = true;
      else if (other !== index)
        this.#notes.warn(
          d,
          `"default_server" ignored: the server on line ${this.#scopes[other]!.at.line} is the default already (switchyard has one listening side)`,
        );
    }
    const block = d.block ?? [];
    if (hasRewriteSteps(block)) {
      // The server's rewrite directives run in order before any location (its `return` among them).
      const steps = block.filter((c) => ['rewrite', 'return', 'set', 'break', 'if'].includes(c.name)).map((c) => readStep(c, this.#setNames, false));
      if (scope.rewrite !== undefined && JSON.stringify(scope.rewrite) !== JSON.stringify(steps)) {
        fail(
          d,
          `this server block's rewrite directives differ from those of another block with the same server_name (line ${scope.at.line}): switchyard answers both on one listening side`,
        );
      }
      scope.rewrite = steps;
    } else if (head.return !== undefined && scope.return === undefined) scope.return = { ...head.return, block: this.#serverBlocks };
    if (head.ssl !== undefined && !this.#sslWarned) {
      this.#sslWarned = true;
      this.#notes.warn(
        head.ssl,
        `${head.ssl.name === 'ssl' ? '"ssl on"' : '"listen ... ssl"'} and the ssl_* directives of server blocks are not imported: TLS must be terminated by the Node server (https.createServer, or Fastify's https option), and $scheme (of a "return", and X-Forwarded-Proto unless a trusted proxy sent one) is that connection's: https only where Node terminates TLS`,
      );
    }
    this.#scope = index;
  }

  /** The host scope of the location being read: the server block's, or for a bare file one scope without names. */
  #hostScope(): number {
    if (this.#scope !== -1) return this.#scope;
    const key = JSON.stringify([]);
    let index = this.#scopeByKey.get(key);
    if (index === undefined) {
      index = this.#scopes.length;
      this.#scopes.push({ names: [], isDefault: false, at: { line: 1, column: 1 }, locationBlocks: new Set(), return: undefined });
      this.#scopeByKey.set(key, index);
    }
    return index;
  }

  /**
   * The host scopes as `servers`. A `return` at server level answers every request of its block;
   * when another block with the same server_name proxies (the usual `listen 80` block that
   * redirects to its `listen 443 ssl` twin), switchyard has one listening side for both: the
   * proxied locations are kept and the redirect is not imported, with a warning.
   */
  #virtualServers(hostLocations: Array<Record<string, LocationOptions>>): VirtualServerOptions[] {
    return this.#scopes.map((scope, i) => {
      const out: VirtualServerOptions = { names: [...scope.names] };
      if (scope.isDefault) out.default = true;
      writeHeaderOptions(out, this.#serverHeaders.get(i) ?? NO_HEADERS, NO_HEADERS);
      const locations = hostLocations[i]!;
      const ret = scope.return;
      if (scope.rewrite !== undefined) {
        out.rewrite = scope.rewrite;
        out.locations = locations;
      } else if (ret !== undefined && scope.locationBlocks.has(ret.block)) {
        this.#notes.warn(ret.at, '"return" answers every request of this server block: its locations are never used and are left out, as in nginx', 'harmless');
        out.return = ret.options;
      } else if (ret !== undefined && scope.locationBlocks.size > 0) {
        this.#notes.warn(
          ret.at,
          `"return ${ret.options.status}" not imported: another server block with the same server_name proxies, and switchyard answers both on one listening side (redirect plain HTTP to https in front of it, or in the app)`,
        );
        out.locations = locations;
      } else if (ret !== undefined) {
        out.return = ret.options;
      } else {
        out.locations = locations;
      }
      const defaultIndex = Math.max(
        0,
        this.#scopes.findIndex((x) => x.isDefault),
      );
      if (scope.names.length === 0 && i !== defaultIndex && this.#scopes.length > 1) {
        this.#notes.warn(
          scope.at,
          `this server block has no server_name and is not the default (the server on line ${this.#scopes[defaultIndex]!.at.line} is): no request reaches it, since switchyard answers every server block on one listening side (mark it "listen ... default_server" or give it names)`,
        );
      }
      return out;
    });
  }

  #pageScope(server: ProxySettings): { locations: PageLocation[]; server: ProxySettings } {
    let scope = this.#pageScopes.get(this.#serverBlocks);
    if (scope === undefined) this.#pageScopes.set(this.#serverBlocks, (scope = { locations: [], server }));
    return scope;
  }

  #options(): SwitchyardOptions {
    const schemes = new Map<ImportedUpstream, { scheme: 'http' | 'https'; at: ProxyTarget }>();
    const protocols = new Map<ImportedUpstream, { protocol: 'h1' | 'h2' | 'h2c'; at: ProxyTarget }>();
    const healthChecks = new Map<ImportedUpstream, NonNullable<ImportedLocation['healthCheck']>>();
    const hostLocations = this.#scopes.map((): Record<string, LocationOptions> => ({}));
    const implicit = new Map<string, ImportedUpstream>();
    const sslOf = new Map<ImportedUpstream, { json: string; at: ProxyTarget; loc: ImportedLocation }>();
    const unusedSsl = new Set<string>();

    const proxiedOptions = (loc: ImportedLocation, t: ProxyTarget): LocationOptions => {
      let up = this.#upstreams.get(t.host.toLowerCase());
      if (up && t.port !== undefined) fail(t, `upstream "${up.name}" may not have port ${t.port}`);
      if (!up) {
        checkUpstreamTypo(
          t,
          [...this.#upstreams.values()].map((u) => u.name),
        );
        // nginx makes an implicit one-server pool of a proxy_pass host:port with no upstream block.
        const name = t.port === undefined ? t.host : `${t.host}:${t.port}`;
        up = implicit.get(name.toLowerCase());
        if (!up) {
          const server: ImportedServer = { host: t.host, port: t.port, options: {}, line: t.line, column: t.column };
          up = { name, servers: [server], balance: undefined, hash: undefined, keepalive: undefined, line: t.line, column: t.column };
          implicit.set(name.toLowerCase(), up);
        }
      }
      const seen = schemes.get(up);
      if (seen && seen.scheme !== t.scheme) {
        fail(
          t,
          `upstream "${up.name}" is reached over ${t.scheme} here and over ${seen.scheme} on line ${seen.at.line}: switchyard gives each pool one scheme`,
        );
      }
      schemes.set(up, { scheme: t.scheme, at: t });
      const protocol = t.http2 ?? 'h1';
      const seenProtocol = protocols.get(up);
      if (seenProtocol !== undefined && seenProtocol.protocol !== protocol) {
        fail(
          t,
          `upstream "${up.name}" is reached with ${protocol === 'h1' ? 'proxy_pass (HTTP/1.1)' : 'grpc_pass (HTTP/2)'} here and otherwise on line ${seenProtocol.at.line}: switchyard gives each pool one protocol`,
        );
      }
      protocols.set(up, { protocol, at: t });
      if (t.scheme === 'https') {
        const ssl = JSON.stringify(loc.settings.ssl ?? {});
        const prevSsl = sslOf.get(up);
        if (prevSsl !== undefined && prevSsl.json !== ssl) {
          fail(t, `upstream "${up.name}" gets other proxy_ssl_* settings here than on line ${prevSsl.at.line}: switchyard gives each pool one TLS setting`);
        }
        if (prevSsl === undefined) sslOf.set(up, { json: ssl, at: t, loc });
      } else {
        warnUnusedSsl(loc.settings.ssl, unusedSsl, this.#notes);
      }
      if (loc.healthCheck) {
        const prev = healthChecks.get(up);
        if (prev) this.#notes.warn(loc.healthCheck.at, `"health_check" ignored (upstream "${up.name}" already has one, line ${prev.at.line})`);
        else healthChecks.set(up, loc.healthCheck);
      }
      return locationOptions(loc, t, up.name, this.#resolvedMaps);
    };
    const optionsOf = (loc: ImportedLocation, top: boolean, parent?: LocationLevel, above: HeaderLevel = NO_HEADERS): LocationOptions => {
      const options = loc.target === undefined ? answeringOptions(loc) : proxiedOptions(loc, loc.target);
      // add_header / expires for every answer of the location (nginx inherits them as switchyard does: written where they differ).
      const headers = headerLevel(loc.settings);
      writeHeaderOptions(options, headers, above);
      if (loc.target !== undefined) addContentOptions(loc, options);
      // A nested location inherits its enclosing one's (the resolved config does the same): written when it differs.
      const level = this.#levelOf.get(levelKey(loc));
      if (level !== undefined && level.bodyLimit !== (parent?.bodyLimit ?? this.#topBodyLimit)) options.maxBodySize = level.bodyLimit;
      const limits = level === undefined ? undefined : limitOptionsOf(level.limits, parent?.limits ?? TOP_LEVEL);
      if (limits !== undefined) options.limits = limits;
      // error_page URIs are looked up among the server's own locations (nested ones are not searched).
      const scope = top && loc.target !== undefined ? this.#scopeOf.get(loc) : undefined;
      if (scope !== undefined) Object.assign(options, responseHookOptions(loc.settings, scope, this.#notes));
      if (loc.nested.length > 0) {
        const nested: Record<string, LocationOptions> = {};
        for (const child of loc.nested) putOwn(nested, child.key, optionsOf(child, false, level, headers));
        options.locations = nested;
      }
      return options;
    };
    for (const loc of this.#locations.values()) {
      // putOwn: `location __proto__` and `upstream __proto__` are names like any other.
      const host = this.#scopeOfLocation.get(loc) ?? 0;
      putOwn(hostLocations[host]!, loc.key, optionsOf(loc, true, undefined, this.#serverHeaders.get(host)));
    }

    const upstreams: Record<string, UpstreamOptions> = {};
    const implicitPools = new Set(implicit.values());
    for (const up of [...this.#upstreams.values(), ...implicit.values()]) {
      const scheme = schemes.get(up)?.scheme ?? 'http';
      const fromBlock = !implicitPools.has(up);
      const out: UpstreamOptions = { servers: up.servers.map((s) => serverEntry(s, scheme, fromBlock)) };
      const ssl = sslOf.get(up);
      if (ssl !== undefined) {
        const tls = tlsFromSsl(ssl.loc.settings.ssl, up.name, ssl.at, this.#baseDir, this.#notes);
        if (tls !== undefined) out.tls = tls;
      }
      const protocol = protocols.get(up)?.protocol;
      if (protocol !== undefined && protocol !== 'h1') out.protocol = protocol;
      if (up.balance !== undefined) out.balance = up.balance;
      if (up.hash !== undefined) out.hash = up.hash.consistent ? { key: up.hash.key, consistent: true } : { key: up.hash.key };
      if (up.keepalive !== undefined) out.keepalive = up.keepalive;
      if (up.sticky !== undefined) out.sticky = up.sticky;
      if (up.resolver !== undefined) out.resolver = up.resolver;
      if (up.queue !== undefined && up.servers.some((s) => (s.options.maxConns ?? 0) > 0)) out.queue = up.queue;
      else if (up.queue !== undefined && up.queueAt !== undefined) {
        // NGINX Plus also queues while no server can be chosen at all; switchyard queues only for servers at max_conns.
        this.#notes.warn(
          up.queueAt,
          `"queue" has no effect in upstream "${up.name}": no server has max_conns, and switchyard queues only for servers at max_conns`,
        );
      }
      const hc = healthChecks.get(up);
      if (hc) out.healthCheck = hc.options;
      putOwn(upstreams, up.name, out);
    }
    // nginx's client_max_body_size defaults to 1m: an imported config keeps that limit unless it says otherwise.
    const options: SwitchyardOptions = { upstreams, maxBodySize: this.#topBodyLimit };
    const servers = this.#virtualServers(hostLocations);
    if (servers.length > 1 || servers.some((s) => s.return !== undefined)) options.servers = servers;
    else if (servers.length === 1 && (Object.keys(servers[0]!.locations ?? {}).length > 0 || servers[0]!.rewrite !== undefined)) {
      options.locations = servers[0]!.locations!;
      if (servers[0]!.rewrite !== undefined) options.rewrite = servers[0]!.rewrite;
      // The server's add_header / expires: the single-site shape's top level (its locations inherit them the same way).
      if (servers[0]!.addHeaders !== undefined) options.addHeaders = servers[0]!.addHeaders;
      if (servers[0]!.expires !== undefined) options.expires = servers[0]!.expires;
    }
    if (options.locations !== undefined || options.servers !== undefined) {
      // nginx's defaults: X-Accel-Redirect is followed, the slash redirect is absolute.
      options.accelRedirect = true;
      options.absoluteRedirect = true;
      // proxy_redirect default: on in nginx unless turned off.
      options.redirect = 'default';
      // nginx's default drops client headers named with `_` (underscores_in_headers off).
      options.underscoresInHeaders = this.#underscores;
    }
    if (this.#trusted.length > 0) options.trustProxy = [...this.#trusted];
    if (Object.keys(this.#limits.zones).length > 0) options.limitZones = this.#limits.zones;
    if (Object.keys(this.#resolver).length > 0) options.resolver = { ...this.#resolver };
    const accessLog = this.#logs.option();
    if (accessLog !== undefined) options.accessLog = accessLog;
    this.#writeMaps(options);
    return options;
  }
}

/** The maps a text uses: each `$name` / `${name}` that is a map's (lower-case). */
function mapNamesIn(text: string, maps: ReadonlyMap<string, ImportedMap>): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(/\$(?:\{([A-Za-z0-9_]+)\}|([A-Za-z0-9_]+))/g)) {
    const name = (m[1] ?? m[2] ?? '').toLowerCase();
    if (maps.has(name)) out.push(name);
  }
  return out;
}

/** The client_max_body_size of one level (nginx refuses two at one level), normalised to switchyard's size form. */
function readBodySize(block: readonly Directive[]): string | undefined {
  let found: Directive | undefined;
  for (const d of block) {
    if (d.name !== 'client_max_body_size') continue;
    if (found !== undefined) fail(d, '"client_max_body_size" directive is duplicate');
    found = d;
  }
  if (found === undefined) return undefined;
  const arg = found.args[0];
  if (arg === undefined || found.args.length !== 1) fail(found, 'invalid number of arguments in "client_max_body_size" directive');
  if (!/^\d+[kKmMgG]?$/.test(arg.value))
    fail(arg, `"${arg.value}" is an invalid value in "client_max_body_size" (a size like 10m, 512k, 1g, or 0 for no limit)`);
  return arg.value.toLowerCase();
}

/** What a location block sets outside readLocation. */
interface LocationLevel {
  readonly bodyLimit: string;
  readonly limits: LimitLevel;
}

/** A location block's identity across the copies the import makes of it (its position and key). */
function levelKey(at: { readonly line: number; readonly column: number; readonly file?: string | undefined }): string {
  return `${at.file ?? ''}:${at.line}:${at.column}`;
}

/**
 * `proxy_pass http://uu;` beside `upstream u {}`: nginx refuses to start ("host not found in
 * upstream") unless `uu` resolves; here a bare name (no port, no dot, no IP, not localhost) that is
 * one typo away from an upstream's name is that error, with the name meant. Any other name stays
 * an implicit one-server pool, looked up by DNS when it is connected to (a compose service name).
 */
function checkUpstreamTypo(t: ProxyTarget, upstreams: readonly string[]): void {
  if (t.port !== undefined || t.host.includes('.') || t.host.includes(':') || t.host.toLowerCase() === 'localhost' || t.host.startsWith('unix:')) return;
  const meant = suggest(t.host, upstreams);
  if (meant === undefined) return;
  fail(
    t,
    `host not found in upstream "${t.host}": there is no "upstream ${t.host}" block (did you mean "${meant}"?); for a host looked up by DNS, write its port (http://${t.host}:80)`,
  );
}

/** A virtual host being imported. */
interface Scope {
  readonly names: string[];
  isDefault: boolean;
  readonly at: { readonly line: number; readonly column: number };
  /** The server blocks (by number) that gave this host a proxied location. */
  readonly locationBlocks: Set<number>;
  return: { options: ReturnOptions; at: Directive; block: number } | undefined;
  /** Server-level rewrite steps (with the server's `return` among them), when it has any. */
  rewrite?: RewriteStep[];
}

function onOffValue(d: Directive): boolean {
  const v = d.args[0];
  if (v === undefined || d.args.length !== 1) fail(d, `invalid number of arguments in "${d.name}" directive`);
  const value = v.value.toLowerCase();
  if (value !== 'on' && value !== 'off') fail(v, `invalid value "${v.value}" in "${d.name}" directive, it must be "on" or "off"`);
  return value === 'on';
}

function validTrustEntry(entry: string): boolean {
  try {
    parseTrustEntry(entry);
    return true;
  } catch {
    return false;
  }
}

/** A location whose only answer is a redirect to https (the :80 block of an https site). */
function redirectsToHttps(loc: ImportedLocation): boolean {
  const steps = loc.content.steps;
  if (loc.target !== undefined || steps.length !== 1) return false;
  const only = steps[0]!;
  return 'return' in only && only.return.url !== undefined && /^https:\/\//i.test(only.return.url);
}

/** What decides where and how a location proxies, without source positions. */
function sameRouting(loc: ImportedLocation): string {
  const { scheme, host, port, uri } = loc.target ?? { scheme: undefined, host: '', port: undefined, uri: undefined };
  const nested: string[] = loc.nested.map((n) => `${n.key} ${sameRouting(n)}`);
  // The server_name differs between the server blocks that repeat a location: not a routing difference.
  return JSON.stringify([
    scheme,
    host.toLowerCase(),
    port,
    uri,
    { ...loc.settings, serverName: undefined, headers: loc.settings.headers?.map((h) => [h.name, h.value]) },
    loc.healthCheck?.options,
    loc.internal,
    loc.redirect,
    loc.content,
    nested,
  ]);
}

function containsProxyPass(d: Directive): boolean {
  return (d.block ?? []).some((c) => c.name === 'proxy_pass' || c.name === 'grpc_pass' || containsProxyPass(c));
}

/**
 * The server url. A `server h;` of an upstream block has port 80 whatever the
 * scheme of the proxy_pass: `http://h` keeps the port empty for consistent hashing
 * as nginx does, and `https://h` needs `:80` spelt out. An implicit pool comes from
 * the proxy_pass url itself, where the scheme's default port applies (443 for https).
 */
function serverEntry(s: ImportedServer, scheme: 'http' | 'https', fromBlock: boolean): ServerOptions | string {
  if (s.host.startsWith('unix:')) {
    if (scheme === 'https')
      fail(s, `server "${s.host}" is a unix socket, but its upstream is reached over https: switchyard speaks plain HTTP on unix sockets`);
    return Object.keys(s.options).length === 0 ? s.host : { url: s.host, ...s.options };
  }
  // With `service=` the SRV records give the port: none is written.
  const port = s.port !== undefined ? `:${s.port}` : scheme === 'https' && fromBlock && s.options.service === undefined ? ':80' : '';
  const url = `${scheme}://${s.host}${port}`;
  return Object.keys(s.options).length === 0 ? url : { url, ...s.options };
}

/** A location that answers itself: its rewrite steps and files, and what any location has. */
function answeringOptions(loc: ImportedLocation): LocationOptions {
  const out: LocationOptions = {};
  if (loc.internal && loc.kind !== 'named') out.internal = true;
  addContentOptions(loc, out);
  return out;
}

/** Rewrite steps and files into `out` (a proxied location keeps its root only for `$request_filename` in its steps). */
function addContentOptions(loc: ImportedLocation, out: LocationOptions): void {
  const c = loc.content;
  const only = c.steps.length === 1 ? c.steps[0] : undefined;
  // A lone `return` reads best as the location's `return` (the same thing: nothing runs before it).
  if (only !== undefined && 'return' in only) out.return = only.return;
  else if (c.steps.length > 0) out.rewrite = [...c.steps];
  const serves = loc.target === undefined;
  // A server's constant `set` variable (Discourse's `alias $public/;`) is its text here too: the alias then starts with a fixed directory.
  const constants = loc.settings.constants;
  if (c.alias !== undefined) out.alias = inlineConstants(c.alias, constants);
  else if (c.root !== undefined && (serves || c.steps.length > 0)) out.root = inlineConstants(c.root, constants);
  if (serves && (out.root !== undefined || out.alias !== undefined)) {
    if (c.index !== undefined) out.index = [...c.index];
    if (c.tryFiles !== undefined) out.tryFiles = [...c.tryFiles];
  }
}

function locationOptions(loc: ImportedLocation, target: ProxyTarget, upstream: string, maps: ResolvedMaps): LocationOptions {
  const out: LocationOptions = { upstream };
  if (target.uri !== undefined) out.rewritePrefix = target.uri;
  if (loc.internal && loc.kind !== 'named') out.internal = true;
  if (loc.redirect.ignoreAccelRedirect === true) out.accelRedirect = false;
  const absolute = absoluteRedirectOption(loc.redirect);
  if (absolute !== true) out.absoluteRedirect = absolute;
  const redirect = redirectOption(loc.redirect, target, loc.pattern);
  if (redirect !== undefined) out.redirect = redirect;
  const s = loc.settings;
  // nginx sends exactly its proxy_set_header list plus its default `Host $proxy_host`; the client's
  // own headers pass untouched (no X-Forwarded-* unless the config writes them): `headerDefaults: 'nginx'`.
  out.headerDefaults = 'nginx';
  const headers: Record<string, string> = {};
  const serverName = s.serverName ?? '';
  for (const h of s.headers ?? []) {
    // $server_name is the server block's name, a server's constant `set` variable its text: both written in.
    const value = inlineConstants(h.value.replace(/\$(?:server_name\b|\{server_name\})/g, serverName), s.constants);
    try {
      compileHeaderValue(value, undefined, maps);
    } catch (err) {
      if (err instanceof HeaderValueError) fail(h.at ?? loc, `"proxy_set_header ${h.name}" ${err.message}`);
      throw err;
    }
    putOwn(headers, h.name, value);
  }
  if (Object.keys(headers).length > 0) out.headers = headers;
  if (s.hideHeaders !== undefined && s.hideHeaders.length > 0) out.hideHeaders = [...s.hideHeaders];
  if (s.passHeaders !== undefined) out.passHeaders = [...s.passHeaders];
  const retry: RetryOptions = {};
  if (s.nextUpstream) {
    retry.on = [...s.nextUpstream.on];
    if (s.nextUpstream.nonIdempotent) retry.nonIdempotent = true;
  }
  if (s.tries !== undefined) retry.tries = s.tries;
  if (s.retryTimeout !== undefined) retry.timeout = s.retryTimeout;
  if (Object.keys(retry).length > 0) out.retry = retry;
  const timeouts: TimeoutOptions = {};
  if (s.connect !== undefined) timeouts.connect = s.connect;
  if (s.read !== undefined) timeouts.read = s.read;
  if (s.send !== undefined) timeouts.send = s.send;
  if (Object.keys(timeouts).length > 0) out.timeouts = timeouts;
  return out;
}
