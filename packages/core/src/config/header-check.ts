/** @module Configured header names and values checked against exactly what node:http accepts, so a bad one is a config error and not a failure on every request. */
import { validateHeaderName, validateHeaderValue } from 'node:http';
import { fail } from './describe.js';

/** What node:http's header value check refuses (its checkInvalidHeaderChar): anything but TAB, visible ASCII, space and 0x80-0xFF. */
const REFUSED_VALUE_CHAR = /[^\t\x20-\x7e\x80-\xff]/u;

function codePoint(ch: string): string {
  return `U+${ch.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;
}

function shown(ch: string): string {
  return /[\x00-\x1f\x7f]/.test(ch) ? JSON.stringify(ch) : `'${ch}'`;
}

/**
 * Throws a config error naming `path` unless node:http would send `name: value` as given, e.g.
 * `locations["/api/"].headers["X-Env"] has a character node:http refuses ('–' U+2013)`.
 */
export function checkHeader(name: string, value: string, path: string): void {
  try {
    validateHeaderName(name);
  } catch {
    const bad = [...name].find((ch) => !/[!#$%&'*+\-.^_`|~0-9A-Za-z]/.test(ch));
    fail(path, `is not a valid header name${bad === undefined ? '' : ` (node:http refuses ${shown(bad)} ${codePoint(bad)} in a name)`}`);
  }
  try {
    validateHeaderValue(name, value);
  } catch {
    const bad = REFUSED_VALUE_CHAR.exec(value)?.[0];
    fail(path, `has a character node:http refuses${bad === undefined ? '' : ` (${shown(bad)} ${codePoint(bad)})`}`);
  }
}
