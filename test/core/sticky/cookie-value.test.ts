/** @module The sticky value and cookie text, byte for byte as nginx's sticky module writes them. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { stickyPeerName, stickyServerId } from '@switchyard/core';
import { cookieTime, formatStickyCookie } from '../../../packages/core/src/sticky/set-cookie.js';
import { signStickyValue, verifyStickyValue } from '../../../packages/core/src/sticky/signed-value.js';

test('the sticky id is the route, else the lowercase hex MD5 of the peer name nginx uses (ip:port, [v6]:port, unix:path)', () => {
  // Digests from `echo -n NAME | md5sum`.
  assert.equal(stickyServerId('http://127.0.0.1:8001', undefined), 'c69a4fd523c3ca0ca67cda2f009f1ea6');
  assert.equal(stickyServerId('http://[::1]:8001', undefined), '8573bb4ad8d5b586ac86a23065ee6618');
  assert.equal(stickyServerId('unix:/run/app.sock', undefined), '939db79304b0f599c2c20969650359ab');
  // nginx names the peer with its port even when the config leaves it out.
  assert.equal(stickyPeerName('http://localhost'), 'localhost:80');
  assert.equal(stickyServerId('http://localhost', undefined), '1c3c2192e2912699ccd31119b162666a');
  assert.equal(stickyPeerName('https://10.0.0.1/base'), '10.0.0.1:443');
  assert.equal(stickyServerId('http://127.0.0.1:8001', 'a'), 'a');
});

test('Set-Cookie attributes in nginx order: expires, max-age, domain, httponly, secure, samesite, path', () => {
  const now = Date.UTC(2026, 10, 30, 22, 0, 0);
  const full = { name: 'srv_id', expires: 3600, domain: '.example.com', path: '/', httpOnly: true, secure: true, sameSite: 'lax' as const };
  assert.equal(
    formatStickyCookie(full, 'c69a4fd523c3ca0ca67cda2f009f1ea6', now),
    'srv_id=c69a4fd523c3ca0ca67cda2f009f1ea6; expires=Mon, 30-Nov-26 23:00:00 GMT; max-age=3600; domain=.example.com; httponly; secure; samesite=lax; path=/',
  );
  const session = { name: 'srv_id', expires: undefined, domain: undefined, path: undefined, httpOnly: false, secure: false, sameSite: undefined };
  assert.equal(formatStickyCookie(session, 'a', now), 'srv_id=a');
  assert.equal(formatStickyCookie({ ...session, expires: 'max' }, 'a', now), 'srv_id=a; expires=Thu, 31-Dec-37 23:55:55 GMT; max-age=315360000');
  // ngx_http_cookie_time: two-digit years up to 2037, four after.
  assert.equal(cookieTime(Date.UTC(2040, 0, 2, 3, 4, 5) / 1000), 'Mon, 02-Jan-2040 03:04:05 GMT');
});

test('signed values: the right secret verifies, a forged or unsigned value does not', () => {
  const secret = 'a-secret-of-sixteen+';
  const signed = signStickyValue(secret, 'c69a4fd523c3ca0ca67cda2f009f1ea6');
  assert.match(signed, /^c69a4fd523c3ca0ca67cda2f009f1ea6\.[A-Za-z0-9_-]{43}$/);
  assert.equal(verifyStickyValue(secret, signed), 'c69a4fd523c3ca0ca67cda2f009f1ea6');
  assert.equal(verifyStickyValue('another-secret-of-16', signed), undefined);
  assert.equal(verifyStickyValue(secret, 'c69a4fd523c3ca0ca67cda2f009f1ea6'), undefined);
  assert.equal(verifyStickyValue(secret, `b${signed.slice(1)}`), undefined);
  assert.equal(verifyStickyValue(secret, `${signed}x`), undefined);
});
