/** @module Validation of the `admin` (HTTP admin API) and `cluster` options. */
import type { AdminOptions } from '../types.js';
import { checkKeys, describe, expectObject, fail, optionalBoolean } from './describe.js';
import { rememberAllow, resolveAdminAllow } from '../admin/admin-allow.js';

const ADMIN_KEYS = ['path', 'token', 'authorize', 'allow', 'validate'] as const;

/** `admin: { path, token?, authorize? }`: a write without either could never be allowed, so one is required. */
export function resolveAdmin(input: unknown, taken: ReadonlyArray<{ readonly path: string } | undefined>): Readonly<AdminOptions> | undefined {
  if (input === undefined) return undefined;
  const obj = expectObject(input, 'admin', "an object { path: '/switchyard/api', token?, authorize? }");
  checkKeys(obj, ADMIN_KEYS, 'admin');
  const path = obj.path;
  if (typeof path !== 'string' || !/^\/[^\s?#]*[^\s?#/]$/.test(path)) {
    fail('admin.path', `must be a path starting with '/' and not ending with '/' (no spaces, '?' or '#'), got ${describe(path)}`);
  }
  for (const other of taken) {
    if (other !== undefined && (other.path === path || other.path.startsWith(`${path}/`))) {
      fail('admin.path', `must not contain the status or metrics path ${JSON.stringify(other.path)}`);
    }
  }
  const token = obj.token;
  if (token !== undefined && (typeof token !== 'string' || token.length < 16)) {
    fail(
      'admin.token',
      `must be a string of at least 16 characters (a random secret), got ${typeof token === 'string' ? `${token.length} characters` : describe(token)}`,
    );
  }
  const authorize = obj.authorize;
  if (authorize !== undefined && typeof authorize !== 'function')
    fail('admin.authorize', `must be a function (request) => boolean | Promise<boolean>, got ${describe(authorize)}`);
  if (token === undefined && authorize === undefined) {
    fail('admin', 'needs a token or an authorize function: without either no write could ever be allowed');
  }
  const allow = resolveAdminAllow(obj.allow, 'admin.allow');
  const validate = obj.validate;
  if (validate !== undefined && typeof validate !== 'function')
    fail('admin.validate', `must be a function ({ upstream, url, server, request }) => string | undefined (a string refuses), got ${describe(validate)}`);
  const resolved = Object.freeze({
    path,
    ...(token !== undefined ? { token } : {}),
    ...(authorize !== undefined ? { authorize: authorize as AdminOptions['authorize'] & object } : {}),
    ...(allow !== undefined ? { allow: Object.freeze([...(obj.allow as string[])]) } : {}),
    ...(validate !== undefined ? { validate: validate as AdminOptions['validate'] & object } : {}),
  });
  rememberAllow(resolved, allow);
  return resolved;
}

export function resolveCluster(input: unknown): boolean {
  return optionalBoolean(input, 'cluster', false);
}
