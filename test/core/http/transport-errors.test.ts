/** @module Transport errors map to nginx's failure kinds (invalid_header for a malformed answer), and only valid statuses are relayed. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { classifyTransportError, isRelayableStatus } from '@switchyard/core';

class HTTPParserError extends Error {
  override name = 'HTTPParserError';
}

test("undici's parser error (no code, only its class name) is invalid_header, also wrapped as a cause", () => {
  const parse = new HTTPParserError('Response does not match the HTTP/1.1 protocol (Invalid header value char)');
  assert.equal(classifyTransportError(parse), 'invalid_header');
  assert.equal(classifyTransportError(Object.assign(new Error('Internal Server Error'), { cause: parse })), 'invalid_header');
});

test("undici's bad upgrade (an unasked 101) is invalid_header; other socket errors stay error", () => {
  assert.equal(classifyTransportError(Object.assign(new Error('bad upgrade'), { code: 'UND_ERR_SOCKET' })), 'invalid_header');
  assert.equal(classifyTransportError(Object.assign(new Error('other side closed'), { code: 'UND_ERR_SOCKET' })), 'error');
  assert.equal(classifyTransportError(Object.assign(new Error('x'), { code: 'HPE_INVALID_HEADER_TOKEN' })), 'invalid_header');
  assert.equal(classifyTransportError(Object.assign(new Error('x'), { code: 'ECONNRESET' })), 'error');
});

test('statuses 100-599 are relayed, except 101 (only for an upgrade) and anything outside', () => {
  for (const status of [100, 200, 204, 304, 418, 502, 599]) assert.equal(isRelayableStatus(status), true, String(status));
  for (const status of [0, 99, 101, 600, 999, 1000, 200.5]) assert.equal(isRelayableStatus(status), false, String(status));
});
