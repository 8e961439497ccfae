/** @module nginx import of proxy_ssl_* (files read relative to the nginx file) and of `server unix:/path;`. */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSwitchyard, NginxParseError, parseNginxConfig, toSwitchyardOptions } from '@switchyard/core';
import { encryptedKey, privatePki } from '../../helpers/private-ca.js';

function confDir(t: TestContext, files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'sy-nginx-ssl-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

test('proxy_ssl_* become the tls of the https upstream, files read relative to the nginx file', (t) => {
  const pki = privatePki();
  const dir = confDir(t, {
    'ca.pem': pki.ca,
    'client.pem': pki.client.cert,
    'client.key': encryptedKey(pki.client.key, 'secret'),
    'pass.txt': 'secret\n',
    'nginx.conf': `
upstream api { server 10.0.0.1:8443; server 10.0.0.2:8443; }
server {
    proxy_ssl_trusted_certificate ca.pem;
    proxy_ssl_verify on;
    location /api/ {
        proxy_pass https://api/;
        proxy_ssl_certificate client.pem;
        proxy_ssl_certificate_key client.key;
        proxy_ssl_password_file pass.txt;
        proxy_ssl_name api.internal;
        proxy_ssl_server_name on;
        proxy_ssl_protocols TLSv1.2 TLSv1.3;
        proxy_ssl_session_reuse on;
    }
}`,
  });
  const { options, warnings } = toSwitchyardOptions({ nginx: join(dir, 'nginx.conf') });
  const { tls, ...rest } = options.upstreams.api as unknown as { tls: Record<string, unknown> };
  assert.deepEqual(rest, { servers: ['https://10.0.0.1:8443', 'https://10.0.0.2:8443'] });
  const { key, ...others } = tls;
  assert.deepEqual(others, { ca: pki.ca, cert: pki.client.cert, passphrase: 'secret', servername: 'api.internal', minVersion: 'TLSv1.2' });
  assert.match(String(key), /^-----BEGIN ENCRYPTED PRIVATE KEY-----/);
  assert.deepEqual(warnings, ['line 14: "proxy_ssl_session_reuse on" ignored (switchyard always resumes TLS sessions with upstreams)']);
  // The result is a valid configuration: the key decrypts with the passphrase and matches the certificate.
  const sy = createSwitchyard({ nginx: join(dir, 'nginx.conf') });
  const server = sy.upstream('api').servers()[0]!;
  assert.equal(server.tls?.servername, 'api.internal');
  assert.equal(server.tls?.passphrase, 'secret');
});

test('proxy_ssl_verify off maps to rejectUnauthorized false with a warning; no proxy_ssl_verify at all is a warning too', () => {
  const { options, warnings } = parseNginxConfig(`
upstream a { server 10.0.0.1:443; }
upstream b { server 10.0.0.2:443; }
server {
    location /a/ { proxy_pass https://a; proxy_ssl_verify off; proxy_ssl_server_name off; }
    location /b/ { proxy_pass https://b; }
}`);
  assert.deepEqual(options.upstreams.a, { servers: ['https://10.0.0.1:443'], tls: { rejectUnauthorized: false } });
  assert.deepEqual(options.upstreams.b, { servers: ['https://10.0.0.2:443'] });
  assert.deepEqual(warnings, [
    'line 5: "proxy_ssl_server_name off" ignored (switchyard always sends SNI to upstream "a": the host name, or proxy_ssl_name)',
    'line 5: proxy_ssl_verify off: the certificates of upstream "a" are not verified (tls.rejectUnauthorized: false); anyone on the path can impersonate it',
    'line 6: upstream "b" is reached over https: switchyard verifies its certificate (nginx does only with "proxy_ssl_verify on"); add proxy_ssl_trusted_certificate for a private CA, or "proxy_ssl_verify off" to keep nginx\'s behaviour',
  ]);
});

test('proxy_ssl errors: a missing file names the resolved path and the line; a certificate without its key', (t) => {
  const dir = confDir(t, {});
  assert.throws(
    () =>
      parseNginxConfig('upstream a { server h:443; }\nserver { location / { proxy_pass https://a; proxy_ssl_trusted_certificate missing.pem; } }', {
        baseDir: dir,
      }),
    (err: unknown) =>
      err instanceof NginxParseError &&
      err.line === 2 &&
      err.message.includes(`cannot read "${join(dir, 'missing.pem')}" of "proxy_ssl_trusted_certificate": no such file`),
  );
  assert.throws(
    () => parseNginxConfig('upstream a { server h:443; }\nserver { location / { proxy_pass https://a; proxy_ssl_certificate c.pem; } }', { baseDir: dir }),
    /no "proxy_ssl_certificate_key" is defined for certificate "c.pem"/,
  );
  assert.throws(
    () =>
      parseNginxConfig(
        'upstream a { server h:443; }\nserver { location /x/ { proxy_pass https://a; proxy_ssl_verify off; }\nlocation /y/ { proxy_pass https://a; } }',
      ),
    /upstream "a" gets other proxy_ssl_\* settings here than on line 2: switchyard gives each pool one TLS setting/,
  );
});

test('server unix:/path; imports as a unix: server url, with its parameters; Host is the upstream name', () => {
  const { options } = parseNginxConfig(`
upstream app { server unix:/run/app.sock weight=2; server unix:/run/app2.sock backup; server 127.0.0.1:8000; }
server { location / { proxy_pass http://app; } }`);
  assert.deepEqual(options.upstreams.app, {
    servers: [{ url: 'unix:/run/app.sock', weight: 2 }, { url: 'unix:/run/app2.sock', backup: true }, 'http://127.0.0.1:8000'],
  });
  const sy = createSwitchyard(options);
  const [unix] = sy.upstream('app').servers();
  assert.deepEqual(
    { ...unix },
    {
      url: 'unix:/run/app.sock',
      origin: 'http://localhost',
      protocol: 'http:',
      hostname: 'localhost',
      port: 80,
      host: 'app',
      basePath: '',
      backup: false,
      socketPath: '/run/app.sock',
    },
  );
  assert.throws(
    () => parseNginxConfig('upstream app { server unix:/run/a.sock; }\nserver { location / { proxy_pass https://app; } }'),
    /is a unix socket, but its upstream is reached over https/,
  );
});
