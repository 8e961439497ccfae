/** @module gRPC through a Fastify app served over HTTP/2: a real grpc-js client, grpc-js servers in an h2c pool; unary and server streaming, trailers, failover. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import Fastify from 'fastify';
import * as grpc from '@grpc/grpc-js';
import switchyard from '@switchyard/fastify';
import { count, echo, echoClient, startEchoServer } from './support.js';
import { selfSigned } from '../../helpers/self-signed.js';

test('unary and server-streaming calls reach the pool round robin; grpc-status and grpc-message arrive intact', async (t) => {
  const servers = [await startEchoServer('a'), await startEchoServer('b')];
  t.after(() => Promise.all(servers.map((s) => s.close())));
  const app = Fastify({ http2: true });
  await app.register(switchyard, {
    upstreams: { grpc: { protocol: 'h2c', servers: servers.map((s) => `http://127.0.0.1:${s.port}`) } },
    locations: { '/switchyard.test.Echo/': 'grpc' },
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const client = echoClient(`127.0.0.1:${(app.server.address() as AddressInfo).port}`);
  // The client first: Fastify's close waits for open HTTP/2 sessions (http2SessionTimeout).
  t.after(async () => {
    client.close();
    await app.close();
  });

  const answers = [];
  for (let i = 0; i < 4; i++) answers.push(await echo(client, `hi${i}`));
  assert.deepEqual(answers, [{ value: 'a:hi0' }, { value: 'b:hi1' }, { value: 'a:hi2' }, { value: 'b:hi3' }]);

  const streamed = await count(client, 5);
  assert.deepEqual(streamed.messages, ['a:1', 'a:2', 'a:3', 'a:4', 'a:5']);
  assert.equal(streamed.code, grpc.status.OK);

  // A status from a server (in its trailers, or headers-only) reaches the client as the server said it.
  servers[1]!.fail = { code: grpc.status.PERMISSION_DENIED, message: 'not you' };
  assert.deepEqual(await echo(client, 'to b'), { code: grpc.status.PERMISSION_DENIED, details: 'not you' });
  assert.deepEqual(await echo(client, 'to a'), { value: 'a:to a' });
});

test('grpc-status UNAVAILABLE from a server is retried like a 503 (retry.on: [503]); a deadline ends the call at the client and cancels it upstream', async (t) => {
  const servers = [await startEchoServer('a'), await startEchoServer('b')];
  const app = Fastify({ http2: true });
  await app.register(switchyard, {
    upstreams: {
      grpc: {
        protocol: 'h2c',
        servers: servers.map((s) => ({ url: `http://127.0.0.1:${s.port}`, maxFails: 0 })),
        retry: { on: ['error', 'timeout', 503], nonIdempotent: true },
      },
    },
    locations: { '/switchyard.test.Echo/': 'grpc' },
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const client = echoClient(`127.0.0.1:${(app.server.address() as AddressInfo).port}`);
  t.after(async () => {
    client.close();
    await app.close();
    await Promise.all(servers.map((s) => s.close()));
  });
  servers[0]!.fail = { code: grpc.status.UNAVAILABLE, message: 'draining' };
  for (let i = 0; i < 4; i++) assert.deepEqual(await echo(client, `c${i}`), { value: `b:c${i}` });
  assert.equal(servers[0]!.calls.length, 2, 'every other call tried a first, then moved to b');

  // Both unavailable: the last server's answer reaches the client as it was (UNAVAILABLE with its message).
  servers[1]!.fail = { code: grpc.status.UNAVAILABLE, message: 'b is down' };
  const both = await echo(client, 'x');
  assert.equal(both.code, grpc.status.UNAVAILABLE);
  assert.match(both.details ?? '', /is down|draining/);

  // The client's deadline: the call ends DEADLINE_EXCEEDED at the client, and the held upstream call is cancelled.
  servers[0]!.fail = undefined;
  servers[0]!.hang = true;
  servers[1]!.hang = true;
  const late = await echo(client, 'slow', 300);
  assert.equal(late.code, grpc.status.DEADLINE_EXCEEDED);
  await Promise.race([servers[0]!.cancelled, servers[1]!.cancelled]);
});

test('TLS end to end: grpc-js over TLS to Fastify({ http2: true, https }), then h2 (ALPN, verified with the pool CA) to TLS grpc-js servers', async (t) => {
  const upstreamCert = selfSigned();
  const edgeCert = selfSigned();
  const credentials = grpc.ServerCredentials.createSsl(null, [{ cert_chain: upstreamCert.cert, private_key: upstreamCert.key }]);
  const servers = [await startEchoServer('a', credentials), await startEchoServer('b', credentials)];
  const app = Fastify({ http2: true, https: { key: edgeCert.key, cert: edgeCert.cert, allowHTTP1: true } });
  await app.register(switchyard, {
    upstreams: { grpc: { protocol: 'h2', tls: { ca: upstreamCert.cert }, servers: servers.map((s) => `https://127.0.0.1:${s.port}`) } },
    locations: { '/switchyard.test.Echo/': 'grpc' },
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const client = echoClient(`127.0.0.1:${(app.server.address() as AddressInfo).port}`, grpc.credentials.createSsl(edgeCert.cert));
  t.after(async () => {
    client.close();
    await app.close();
    await Promise.all(servers.map((s) => s.close()));
  });
  assert.deepEqual([await echo(client, '1'), await echo(client, '2')], [{ value: 'a:1' }, { value: 'b:2' }]);
  const streamed = await count(client, 3);
  assert.deepEqual(streamed.messages, ['a:1', 'a:2', 'a:3']);
  assert.equal(streamed.code, grpc.status.OK);
});

test('protocol is checked against the servers at registration, naming the field', async () => {
  const app = Fastify();
  await assert.rejects(async () => {
    await app.register(switchyard, { upstreams: { g: { protocol: 'h2', servers: ['http://127.0.0.1:1'] } } });
  }, /upstreams\.g\.servers\[0\] is http:\/\/, but protocol 'h2' is HTTP\/2 over TLS/);
  await assert.rejects(async () => {
    await Fastify().register(switchyard, { upstreams: { g: { protocol: 'h3' as 'h2', servers: ['http://127.0.0.1:1'] } } });
  }, /upstreams\.g\.protocol must be one of 'h1', 'h2' \(HTTP\/2 over TLS\), 'h2c'/);
  await app.close();
});
