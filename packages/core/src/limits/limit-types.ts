/** @module The public types of the request limits (nginx limit_req, limit_conn, allow/deny, auth_basic): options in, resolved form out, the per-request verdict. */
import type { ConnectionZone } from './connection-count.js';
import type { LimitKey, ResolvedRequestLimit } from './request-rate.js';

export type { LimitKey, ResolvedRequestLimit };
import type { AccessRule } from './access-rules.js';
import type { BasicAuthUsers } from './basic-auth.js';

/**
 * nginx `limit_req_zone KEY zone=NAME:SIZE rate=R;`: per-key request rate state shared by every
 * location that names the zone.
 */
export interface RequestZoneOptions {
  kind: 'requests';
  /** nginx variables (`'$binary_remote_addr'`, `'$server_name'`, `'$http_x_api_key'`...); a request whose key is `''` is not limited. */
  key: string;
  /** `'10r/s'` or `'30r/m'` (nginx's units). */
  rate: string;
  /** nginx's zone size (`'10m'`, bytes): bounds the keys kept, 8,192 per megabyte (least recently used evicted). Default `'10m'`. */
  size?: number | string;
}

/** nginx `limit_conn_zone KEY zone=NAME:SIZE;`: per-key count of requests in progress. */
export interface ConnectionZoneOptions {
  kind: 'connections';
  /** As `RequestZoneOptions.key`. */
  key: string;
  /** nginx's zone size: bounds the keys with requests in progress, 16,384 per megabyte (a new key past it is refused). Default `'10m'`. */
  size?: number | string;
}

export type LimitZoneOptions = RequestZoneOptions | ConnectionZoneOptions;

/** One nginx `limit_req zone=NAME [burst=N] [nodelay | delay=N];`. */
export interface RequestLimitEntry {
  zone: string;
  /** Requests over the rate that are let in (delayed or not). Default 0. */
  burst?: number;
  /** Let the burst through at once (nginx `nodelay`). Default false: delayed to the rate. */
  nodelay?: boolean;
  /** nginx `delay=N`: the first N excess requests go at once, the rest of the burst is delayed. Default 0. */
  delay?: number;
}

/** One nginx `limit_conn NAME N;`. */
export interface ConnectionLimitEntry {
  zone: string;
  /** Requests in progress per key (1 to 65535). */
  max: number;
}

/** One `allow ADDRESS|CIDR|all;` or `deny ...;`, in order: the first that matches the client decides. */
export type AccessRuleOptions = { allow: string } | { deny: string };

/** nginx `auth_basic REALM;` + `auth_basic_user_file FILE;` (or the users given in code). */
export type BasicAuthOptions =
  | { realm: string; userFile: string }
  /** User name to an htpasswd hash (`{PLAIN}pw`, `{SHA}`, `{SSHA}`, `$apr1$`, `$1$`, `$5$`, `$6$`, `$2y$`). */
  | { realm: string; users: Readonly<Record<string, string>> };

/**
 * The access limits of a level (top, a virtual server, a location): nginx's preaccess and access
 * phases. Each field given replaces the outer level's (nginx's inheritance); one not given is
 * inherited. See docs/request-limits.md.
 */
export interface RequestLimitOptions {
  /** nginx `limit_req` entries, all applied; `[]` drops the inherited ones. */
  requests?: readonly RequestLimitEntry[];
  /** nginx `limit_req_status` (400 to 599). Default 503. */
  requestStatus?: number;
  /** nginx `limit_req_dry_run on`: count, never delay or refuse. Default false. */
  requestDryRun?: boolean;
  /** nginx `limit_conn` entries, all applied; `[]` drops the inherited ones. */
  connections?: readonly ConnectionLimitEntry[];
  /** nginx `limit_conn_status` (400 to 599). Default 503. */
  connectionStatus?: number;
  /** nginx `limit_conn_dry_run on`. Default false. */
  connectionDryRun?: boolean;
  /** nginx `allow` / `deny`, first match wins, 403 for a deny; `[]` drops the inherited ones. */
  access?: readonly AccessRuleOptions[];
  /** nginx `auth_basic` (401 with `WWW-Authenticate`); false is `auth_basic off`. */
  basicAuth?: BasicAuthOptions | false;
  /** nginx `satisfy`: `'all'` (default) needs the address and the password, `'any'` either. */
  satisfy?: 'all' | 'any';
}

/** The limits in effect in a location, merged over the outer levels. */
export interface ResolvedLimits {
  readonly requests: readonly ResolvedRequestLimit[];
  readonly requestStatus: number;
  readonly requestDryRun: boolean;
  readonly connections: ReadonlyArray<{ readonly zone: ConnectionZone; readonly max: number }>;
  readonly connectionStatus: number;
  readonly connectionDryRun: boolean;
  readonly access: readonly AccessRule[];
  readonly basicAuth: { readonly realm: string; readonly users: BasicAuthUsers } | undefined;
  readonly satisfy: 'all' | 'any';
}

/** What `admit` says of a request: let it through (release its limit_conn slots when it ends), or the answer nginx gives. */
export type Admission =
  | { readonly allowed: true; readonly release: () => void }
  | {
      readonly allowed: false;
      readonly status: number;
      readonly headers: Readonly<Record<string, string>>;
      readonly body: string;
    };
