/** @module nginx import of server blocks as virtual hosts: server_name, default_server, the :80/:443 copies, redirect-only servers, listen ssl. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { NginxParseError } from '@switchyard/core';
import { parseNginxConfig as parseWithHeaders } from '../../../packages/core/src/nginx/index.js';

/**
 * The import with the header mode every imported location carries (`headerDefaults: 'nginx'`,
 * tested in test/core/http) left out, and nginx's redirect defaults: these tests are about hosts and limits.
 */
function parseNginxConfig(text: string): ReturnType<typeof parseWithHeaders> {
  const result = parseWithHeaders(text);
  const options = JSON.parse(JSON.stringify(result.options, (key, value: unknown) => (key === 'headerDefaults' ? undefined : value))) as typeof result.options;
  return { options, warnings: result.warnings };
}
import { createSwitchyard } from '../../../packages/core/src/switchyard.js';

const POOLS = 'upstream app { server 127.0.0.1:1; }\nupstream blog { server 127.0.0.1:2; }\n';

test('two server blocks with server_name and location / each are two hosts (no longer an error)', () => {
  const { options, warnings } = parseNginxConfig(
    `${POOLS}server { listen 80; server_name example.com www.example.com; location / { proxy_pass http://app; } }
server { listen 80 default_server; server_name *.blog.test Blog.test; location / { proxy_pass http://blog; } }`,
  );
  assert.equal(options.locations, undefined);
  assert.deepEqual(options.servers, [
    { names: ['example.com', 'www.example.com'], locations: { '/': { upstream: 'app' } } },
    { names: ['*.blog.test', 'blog.test'], default: true, locations: { '/': { upstream: 'blog' } } },
  ]);
  assert.deepEqual(warnings, []);
  const sy = createSwitchyard({ options, warnings });
  assert.equal(sy.match('GET', '/', 'www.example.com')?.location.upstream, 'app');
  assert.equal(sy.match('GET', '/', 'x.blog.test')?.location.upstream, 'blog');
  assert.equal(sy.match('GET', '/', 'other.test')?.location.upstream, 'blog', 'default_server');
  void sy.close();
});

test('blocks with the same server_name (the :80 and :443 copies) are one host; identical locations are kept once', () => {
  const { options, warnings } = parseNginxConfig(
    `${POOLS}server { listen 80; server_name a.test; location / { proxy_pass http://app; } }
server { listen 443; server_name a.test; location / { proxy_pass http://app; } location /blog/ { proxy_pass http://blog; } }`,
  );
  assert.deepEqual(options.locations, { '/': { upstream: 'app' }, '/blog/': { upstream: 'blog' } });
  assert.deepEqual(warnings, ['line 4: location / repeats the one on line 3 of another server block; one is kept']);
  assert.throws(
    () =>
      parseNginxConfig(
        `${POOLS}server { server_name a.test; location / { proxy_pass http://app; } }\nserver { server_name a.test; location / { proxy_pass http://blog; } }`,
      ),
    (err: unknown) => err instanceof NginxParseError && err.line === 4 && /location "\/" differs from the one on line 3/.test(err.message),
  );
});

test('a redirect-only server imports as a host that answers its return', () => {
  const { options, warnings } = parseNginxConfig(
    `${POOLS}server { listen 80; server_name www.a.test; return 301 https://a.test$request_uri; }
server { listen 80; server_name a.test; location / { proxy_pass http://app; } }
server { listen 80; server_name go.test; return https://$server_name/; }
server { listen 80; server_name gone.test; return 410 "gone from $host\\n"; }`,
  );
  assert.deepEqual(options.servers, [
    { names: ['www.a.test'], return: { status: 301, url: 'https://a.test$request_uri' } },
    { names: ['a.test'], locations: { '/': { upstream: 'app' } } },
    { names: ['go.test'], return: { status: 302, url: 'https://$server_name/' } },
    { names: ['gone.test'], return: { status: 410, body: 'gone from $host\n' } },
  ]);
  assert.deepEqual(warnings, []);
  const sy = createSwitchyard({ options, warnings });
  const ret = sy.matchSite('GET', '/x?y=1', 'WWW.a.test');
  assert.ok(ret !== undefined && 'return' in ret);
  assert.deepEqual(ret.return, { status: 301, location: 'https://a.test/x?y=1' });
  void sy.close();
});

test('the :80 block that redirects to its :443 twin is not imported (one listening side), with a warning that says so', () => {
  const { options, warnings } = parseNginxConfig(
    `${POOLS}server { listen 80; server_name a.test; return 301 https://$host$request_uri; }
server { listen 443 ssl; server_name a.test; ssl_certificate a.pem; ssl_certificate_key a.key; ssl_protocols TLSv1.2;
  location / { proxy_pass http://app; } }`,
  );
  assert.deepEqual(options.locations, { '/': { upstream: 'app' } });
  assert.deepEqual(warnings, [
    'line 3: "return 301" not imported: another server block with the same server_name proxies, and switchyard answers both on one listening side (redirect plain HTTP to https in front of it, or in the app)',
    'line 4: "listen ... ssl" and the ssl_* directives of server blocks are not imported: TLS must be terminated by the Node server (https.createServer, or Fastify\'s https option), and $scheme (of a "return", and X-Forwarded-Proto unless a trusted proxy sent one) is that connection\'s: https only where Node terminates TLS',
  ]);
});

test('a return beside locations in one block wins, as in nginx: the locations are left out, with a warning', () => {
  const { options, warnings } = parseNginxConfig(
    `${POOLS}server { server_name a.test; return 403; location / { proxy_pass http://app; } }\nserver { server_name b.test; location / { proxy_pass http://blog; } }`,
  );
  assert.deepEqual(options.servers?.[0], { names: ['a.test'], return: { status: 403 } });
  assert.deepEqual(warnings, ['line 3: "return" answers every request of this server block: its locations are never used and are left out, as in nginx']);
});

test("return 444 (gunicorn's default server for unknown hosts) imports as a server that closes the connection", () => {
  const { options } = parseNginxConfig(
    `${POOLS}server { listen 80 default_server; return 444; }\nserver { listen 80; server_name app.test; location / { proxy_pass http://app; } }`,
  );
  assert.deepEqual(options.servers?.[0], { names: [], default: true, return: { status: 444 } });
  assert.deepEqual(options.servers?.[1]?.names, ['app.test']);
});

test('server_name and return errors name the line', () => {
  const at = (text: string, line: number, re: RegExp): void =>
    assert.throws(
      () => parseNginxConfig(`${POOLS}${text}`),
      (err: unknown) => err instanceof NginxParseError && err.line === line && re.test(err.message),
      re.source,
    );
  at('server { server_name a.*.test; location / { proxy_pass http://app; } }', 3, /server name "a\.\*\.test" is an invalid wildcard/);
  at('server { server_name ~(; location / { proxy_pass http://app; } }', 3, /server name "~\(" has an invalid regular expression/);
  at('server { server_name a.test; return 301; }', 3, /"return 301" needs the URL/);
  at('server { server_name a.test; return 301 https://$http_host/; }', 3, /"\$http_host" in "return" is not supported/);
  at('server { server_name a.test; return 444 bye; }', 3, /"return 444" with a text is not supported: "return 444;" closes the connection without an answer/);
  at('server { server_name a.test; return 199; }', 3, /"return 199" is not supported: switchyard answers a status from 200 to 599/);
});

test('a second default_server and a block that no request can reach are warnings', () => {
  const { warnings } = parseNginxConfig(
    `${POOLS}server { listen 80 default_server; server_name a.test; location / { proxy_pass http://app; } }
server { listen 8080 default_server; server_name b.test; location / { proxy_pass http://blog; } }
server { listen 81; location /x/ { proxy_pass http://blog; } }`,
  );
  assert.deepEqual(warnings, [
    'line 4: "default_server" ignored: the server on line 3 is the default already (switchyard has one listening side)',
    'line 5: this server block has no server_name and is not the default (the server on line 3 is): no request reaches it, since switchyard answers every server block on one listening side (mark it "listen ... default_server" or give it names)',
  ]);
});

test('proxy_pass to a name one typo away from an upstream is an error with "did you mean"; other names stay implicit pools', () => {
  assert.throws(
    () => parseNginxConfig('upstream u { server 127.0.0.1:1; }\nserver { location / {\nproxy_pass http://uu; } }'),
    (err: unknown) =>
      err instanceof NginxParseError &&
      err.line === 3 &&
      err.message.includes(
        'host not found in upstream "uu": there is no "upstream uu" block (did you mean "u"?); for a host looked up by DNS, write its port (http://uu:80)',
      ),
  );
  assert.throws(
    () => parseNginxConfig('upstream backend { server 127.0.0.1:1; }\nserver { location / { proxy_pass http://backnd; } }'),
    /did you mean "backend"\?/,
  );
  for (const target of ['uu:8080', 'uu.internal', '127.0.0.2', 'localhost', 'api']) {
    const { options } = parseNginxConfig(`upstream u { server 127.0.0.1:1; }\nserver { location / { proxy_pass http://${target}; } }`);
    assert.equal(typeof options.locations?.['/'], 'object', target);
    assert.ok(Object.keys(options.upstreams).includes(target), target);
  }
});

test('"ssl on;" (JupyterHub\'s docs) is the TLS warning of "listen ... ssl", once, and its ssl_* directives are not warned one by one', () => {
  const { warnings } = parseNginxConfig(
    `${POOLS}server { listen 443; ssl on; server_name a.test; ssl_certificate a.pem; ssl_certificate_key a.key; ssl_protocols TLSv1.2;
  location / { proxy_pass http://app; } }`,
  );
  assert.deepEqual(warnings, [
    'line 3: "ssl on" and the ssl_* directives of server blocks are not imported: TLS must be terminated by the Node server (https.createServer, or Fastify\'s https option), and $scheme (of a "return", and X-Forwarded-Proto unless a trusted proxy sent one) is that connection\'s: https only where Node terminates TLS',
  ]);
});
