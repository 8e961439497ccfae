/** @module Scenario: request and response headers of an imported nginx config are nginx's (checked against Debian's real nginx), duplicate Host is a 400, odd upstream statuses are 502s. */
import { describe, it, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { drivers } from './drivers/index.js';
import { backendsFor, startProxy } from './support/setup.js';
import { call, type Answer } from './support/http.js';
import { startNginxSite } from '../helpers/real-nginx.js';

/** The request headers as the backend received them: lower-case names, repeated ones joined. */
function receivedHeaders(req: IncomingMessage): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 0; i < req.rawHeaders.length; i += 2) {
    const name = (req.rawHeaders[i] as string).toLowerCase();
    const value = req.rawHeaders[i + 1] as string;
    out[name] = out[name] === undefined ? value : `${out[name]}, ${value}`;
  }
  return out;
}

function echo(req: IncomingMessage, res: ServerResponse): void {
  res.setHeader('x-accel-buffering', 'no');
  res.setHeader('x-accel-expires', '0');
  res.setHeader('x-accel-foo', 'passes in nginx too');
  res.setHeader('x-pad', 'avoid browser bug');
  res.setHeader('server', 'upstream-server');
  res.setHeader('date', 'Mon, 01 Jan 2001 00:00:00 GMT');
  res.setHeader('x-powered-by', 'php');
  res.setHeader('content-type', 'application/json');
  res.end(JSON.stringify(receivedHeaders(req)));
}

/** An nginx http {} body: one pool on `backendPort`, locations covering defaults, variables, hide/pass. */
function config(backendPort: number, listen: string | undefined): string {
  return [
    `upstream pool { server 127.0.0.1:${backendPort}; }`,
    'server {',
    listen === undefined ? '' : `  listen ${listen};`,
    '  server_name shop.example www.shop.example;',
    '  location /plain/ { proxy_pass http://pool; }',
    `  location /implicit/ { proxy_pass http://127.0.0.1:${backendPort}; }`,
    '  location /vars/ {',
    '    proxy_pass http://pool;',
    '    proxy_set_header Host internal.example;',
    '    proxy_set_header X-Host $host;',
    '    proxy_set_header X-Http-Host $http_host;',
    '    proxy_set_header X-A $http_x_a;',
    '    proxy_set_header X-Missing $http_x_missing;',
    '    proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;',
    '    proxy_set_header X-Real-IP $remote_addr;',
    '    proxy_set_header X-Proxy $proxy_host:$proxy_port;',
    '    proxy_set_header X-Server-Name $server_name;',
    '    proxy_set_header X-Uri "$request_method $request_uri $scheme";',
    '    proxy_set_header X-Cookie $cookie_sid;',
    '    proxy_set_header X-Arg $arg_q;',
    '    proxy_set_header Proxy "";',
    '  }',
    '  location /host/ { proxy_pass http://pool; proxy_set_header Host $host; }',
    '  location /pass/ { proxy_pass http://pool; proxy_pass_header Server; proxy_pass_header X-Pad; proxy_hide_header X-Powered-By; }',
    '}',
  ].join('\n');
}

const CLIENT = {
  'x-forwarded-for': '203.0.113.9',
  'x-real-ip': '198.51.100.1',
  'x-forwarded-proto': 'https',
  proxy: 'http://evil.example',
  'x-a': 'aa',
  cookie: 'a=1; sid=S1',
};

/** What can be compared: the connection-level headers differ on purpose (keep-alive upstream, framing). */
function comparable(headers: Record<string, unknown>, dropServer: boolean): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (['connection', 'keep-alive', 'transfer-encoding', 'content-length', 'date'].includes(name)) continue;
    if (dropServer && name === 'server') continue;
    // Express's own X-Powered-By is the app's header, not the upstream's (app.disable('x-powered-by') removes it).
    if (name === 'x-powered-by' && value === 'Express') continue;
    out[name] = value;
  }
  return out;
}

async function through(
  url: string,
  path: string,
  host: string,
): Promise<{ upstream: Record<string, unknown>; client: Record<string, unknown>; answer: Answer }> {
  const answer = await call(`${url}${path}`, { headers: { ...CLIENT, host } });
  assert.equal(answer.status, 200, answer.body);
  return {
    upstream: comparable(JSON.parse(answer.body) as Record<string, unknown>, false),
    client: comparable(answer.headers, !path.startsWith('/pass/')),
    answer,
  };
}

function closeServer(server: Server): Promise<void> {
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeAllConnections();
  return closed;
}

async function startEcho(t: TestContext): Promise<number> {
  const server = createServer(echo);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => closeServer(server));
  return (server.address() as { port: number }).port;
}

/** Sends raw bytes and resolves with the whole answer (the proxy closes the connection after it). */
function rawCall(port: number, bytes: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.end(bytes));
    let text = '';
    socket.setEncoding('latin1');
    socket.on('data', (d: string) => (text += d));
    socket.on('error', reject);
    socket.on('close', () => resolve(text));
  });
}

describe('nginx: the reference for imported headers', () => {
  it('real nginx and both adapters send the same request headers and the same response headers', async (t) => {
    const backendPort = await startEcho(t);
    const nginx = await startNginxSite((listen) => config(backendPort, listen));
    t.after(() => nginx.stop());
    for (const driver of drivers) {
      const proxy = await startProxy(t, driver, { nginx: config(backendPort, undefined) });
      for (const path of ['/plain/a', '/implicit/a', '/vars/a?q=1&x=2', '/host/a', '/pass/a']) {
        const want = await through(nginx.url, path, 'Shop.Example:8080');
        const got = await through(proxy.url, path, 'Shop.Example:8080');
        assert.deepEqual(got.upstream, want.upstream, `${driver.name} ${path}: request headers`);
        assert.deepEqual(got.client, want.client, `${driver.name} ${path}: response headers`);
      }
      // What the comparison covers, spelt out: Host $proxy_host, client X-Forwarded-For untouched, no X-Real-IP added.
      const plain = await through(proxy.url, '/plain/a', 'shop.example');
      assert.equal(plain.upstream.host, 'pool');
      assert.equal(plain.upstream['x-forwarded-for'], '203.0.113.9');
      assert.equal(plain.upstream['x-real-ip'], '198.51.100.1');
      assert.equal(plain.client['x-pad'], undefined);
      assert.equal(plain.client['x-accel-buffering'], undefined);
      assert.equal(plain.answer.headers.server, undefined, 'no Server of its own, nor the upstream one');
      assert.notEqual(plain.answer.headers.date, 'Mon, 01 Jan 2001 00:00:00 GMT');
      const vars = await through(proxy.url, '/vars/a?q=1&x=2', 'Shop.Example:8080');
      assert.equal(vars.upstream['x-forwarded-for'], '203.0.113.9, 127.0.0.1');
      assert.equal(vars.upstream.proxy, undefined, 'proxy_set_header Proxy "" removes the client header (httpoxy)');
      assert.equal(vars.upstream['x-missing'], undefined);
    }
  });

  it('duplicate Host: 400 from nginx and from both adapters, nothing sent upstream', async (t) => {
    let requests = 0;
    const server = createServer((req, res) => {
      requests++;
      echo(req, res);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    t.after(() => closeServer(server));
    const port = (server.address() as { port: number }).port;
    const nginx = await startNginxSite((listen) => config(port, listen));
    t.after(() => nginx.stop());
    const request = 'GET /plain/a HTTP/1.1\r\nHost: a.example\r\nhost: b.example\r\n\r\n';
    assert.match(await rawCall(nginx.port, request), /^HTTP\/1\.1 400 /);
    for (const driver of drivers) {
      const proxy = await startProxy(t, driver, { nginx: config(port, undefined) });
      const answer = await rawCall(proxy.port, request);
      assert.match(answer, /^HTTP\/1\.1 400 /, driver.name);
      assert.match(answer, /client sent duplicate host header/);
      // A single Host still goes through.
      assert.equal((await call(`${proxy.url}/plain/a`)).status, 200);
    }
    assert.equal(requests, 2, 'only the two single-Host requests reached the backend');
  });
});

for (const driver of drivers) {
  describe(`${driver.name}: configured headers and hidden response headers`, () => {
    it('JS headers: nginx variables, Host, an empty value removes, forwardedHeaders: false passes the client chain', async (t) => {
      const [backend] = await backendsFor(t, 1);
      backend!.handle((req, res) => res.end(JSON.stringify(req.headers)));
      const proxy = await startProxy(t, driver, {
        upstreams: { app: [backend!.url] },
        locations: {
          '/js/': { upstream: 'app', headers: { Host: 'internal.example', 'X-Host': '$host', 'X-Uri': '$request_uri', Proxy: '' } },
          '/raw/': { upstream: 'app', forwardedHeaders: false, headers: { 'X-Chain': '$proxy_add_x_forwarded_for' } },
          '/ng/': { upstream: 'app', headerDefaults: 'nginx' },
        },
      });
      const headers = { host: 'Shop.Example:8443', 'x-forwarded-for': '203.0.113.9', proxy: 'http://evil.example' };
      const js = JSON.parse((await call(`${proxy.url}/js/a?b=1`, { headers })).body) as Record<string, string>;
      assert.equal(js.host, 'internal.example');
      assert.equal(js['x-host'], 'shop.example');
      assert.equal(js['x-uri'], '/js/a?b=1');
      assert.equal(js.proxy, undefined);
      // The safe JS defaults stay: the untrusted client's X-Forwarded-For is replaced.
      assert.equal(js['x-forwarded-for'], '127.0.0.1');
      const raw = JSON.parse((await call(`${proxy.url}/raw/a`, { headers })).body) as Record<string, string>;
      assert.equal(raw['x-forwarded-for'], '203.0.113.9');
      assert.equal(raw['x-chain'], '203.0.113.9, 127.0.0.1');
      assert.equal(raw['x-real-ip'], undefined);
      assert.equal(raw.host, new URL(backend!.url).host, 'forwardedHeaders alone keeps the server host');
      const ng = JSON.parse((await call(`${proxy.url}/ng/a`, { headers })).body) as Record<string, string>;
      assert.equal(ng.host, 'app');
      assert.equal(ng['x-forwarded-for'], '203.0.113.9');
    });

    it('X-Accel-* instructions and X-Pad never reach the client by default; hideHeaders / passHeaders change the set', async (t) => {
      const [backend] = await backendsFor(t, 1);
      backend!.handle((_req, res) => {
        res.setHeader('x-accel-redirect', '/internal/file');
        res.setHeader('x-accel-limit-rate', '1024');
        res.setHeader('x-pad', 'p');
        res.setHeader('server', 'upstream-server');
        res.setHeader('x-powered-by', 'php');
        res.end('ok');
      });
      const proxy = await startProxy(t, driver, {
        upstreams: { app: [backend!.url] },
        locations: {
          '/': 'app',
          '/tuned/': { upstream: 'app', hideHeaders: ['X-Powered-By'], passHeaders: ['X-Accel-Redirect'] },
        },
      });
      const plain = await call(`${proxy.url}/a`);
      assert.equal(plain.headers['x-accel-redirect'], undefined);
      assert.equal(plain.headers['x-accel-limit-rate'], undefined);
      assert.equal(plain.headers['x-pad'], undefined);
      assert.equal(plain.headers.server, 'upstream-server', 'JS locations pass the upstream Server');
      assert.equal(plain.headers['x-powered-by'], 'php');
      const tuned = await call(`${proxy.url}/tuned/a`);
      assert.equal(tuned.headers['x-accel-redirect'], '/internal/file');
      // Hidden from the upstream's answer (Express's app adds its own X-Powered-By, which stays the app's).
      assert.notEqual(tuned.headers['x-powered-by'], 'php');
    });

    it('a WebSocket upgrade with two Host headers is a 400 too, and never reaches the upstream', async (t) => {
      let upgrades = 0;
      const server = createServer();
      server.on('upgrade', (_req, socket) => {
        upgrades++;
        socket.end('HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n');
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      t.after(() => closeServer(server));
      const proxy = await startProxy(t, driver, {
        upstreams: { app: [`http://127.0.0.1:${(server.address() as { port: number }).port}`] },
        locations: { '/': 'app' },
      });
      const upgrade = (hosts: string): string =>
        `GET /ws HTTP/1.1\r\n${hosts}Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n`;
      const answer = await rawCall(proxy.port, upgrade('Host: a.example\r\nHost: b.example\r\n'));
      assert.match(answer, /^HTTP\/1\.1 400 /);
      assert.match(answer, /client sent duplicate host header/);
      assert.equal(upgrades, 0);
      // One Host: the handshake goes upstream (the answer is not the point here).
      await rawCall(proxy.port, upgrade('Host: a.example\r\n'));
      assert.equal(upgrades, 1);
    });

    it('an upstream status above 599 or an unrequested 101 is a 502', async (t) => {
      const [backend] = await backendsFor(t, 1);
      backend!.handle((req, res) => {
        const status =
          req.url === '/s999'
            ? 'HTTP/1.1 999 Odd\r\nContent-Length: 2\r\n\r\nok'
            : 'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: upgrade\r\n\r\n';
        res.socket?.end(status);
      });
      const proxy = await startProxy(t, driver, { upstreams: { app: [backend!.url] }, locations: { '/': { upstream: 'app', retry: { on: [] } } } });
      assert.equal((await call(`${proxy.url}/s999`)).status, 502);
      assert.equal((await call(`${proxy.url}/s101`)).status, 502);
      assert.equal((await call(`${proxy.url}/s999`)).status, 502, 'the proxy keeps answering');
    });
  });
}
