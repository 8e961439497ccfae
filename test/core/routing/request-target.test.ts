/** @module adoptTargetHost: an absolute-form target's host becomes the Host header (RFC 9112 3.2.2); anything else leaves it alone. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { adoptTargetHost } from '@switchyard/core';

function hostAfter(url: string): string | undefined {
  const headers: { host?: string } = { host: 'localhost' };
  adoptTargetHost(url, headers);
  return headers.host;
}

test("an absolute-form target's authority replaces Host; origin form, userinfo and odd targets do not", () => {
  assert.equal(hostAfter('http://Other.Example/x?y=1'), 'other.example');
  assert.equal(hostAfter('https://a.example:8443'), 'a.example:8443');
  assert.equal(hostAfter('http://[::1]:8080/p'), '[::1]:8080');
  assert.equal(hostAfter('http://[::AB]/p'), '[::ab]');
  assert.equal(hostAfter('HTTP://b.example?q'), 'b.example');
  for (const url of ['/x', '/http://c.example/', 'http://user@d.example/', 'http:///x', 'ftp://e.example/', '*']) {
    assert.equal(hostAfter(url), 'localhost', url);
  }
});
