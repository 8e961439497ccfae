/** @module buildUpstreamHeaders on its own: headers named in Connection are dropped, except Content-Length (the core's defence against an unframed body; both adapters re-frame too, so only this test sees it). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildUpstreamHeaders, createSwitchyard, type Location, type ServerInfo } from '@switchyard/core';

test('Connection naming Content-Length drops the other named headers but keeps Content-Length', async () => {
  const sy = createSwitchyard({ upstreams: { b: ['http://10.9.9.9:80'] }, locations: { '/': 'b' } });
  const route = sy.match('POST', '/');
  assert.ok(route && route.redirect === undefined);
  const location: Location = route.location;
  const server = sy.upstream('b').servers()[0] as ServerInfo;
  const incoming = { host: 'site', connection: 'keep-alive, Content-Length, X-Secret', 'content-length': '5', 'x-secret': 'hop', 'x-kept': 'end' };
  const out = buildUpstreamHeaders(incoming, { peerIp: '203.0.113.9', encrypted: false, trusted: false, location, server });
  assert.equal(out['content-length'], '5');
  assert.equal(out['x-secret'], undefined, 'a header named in Connection is hop-by-hop');
  assert.equal(out['x-kept'], 'end');
  assert.equal(out.connection, undefined);
  // A re-serialised body replaces the client's length.
  const reframed = buildUpstreamHeaders(incoming, { peerIp: '203.0.113.9', encrypted: false, trusted: false, location, server, bodyLength: 2 });
  assert.equal(reframed['content-length'], '2');
  await sy.close();
});
