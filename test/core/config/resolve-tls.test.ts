/** @module `tls` validation with real PEM material (a private CA made by openssl): parsed at configuration time, errors naming the field, server settings merged over the upstream's. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createSwitchyard, SwitchyardConfigError, upstreamTlsOptions } from '@switchyard/core';
import { encryptedKey, privatePki } from '../../helpers/private-ca.js';

const pki = privatePki();

function configError(tls: unknown): string {
  try {
    createSwitchyard({ upstreams: { api: { servers: ['https://10.0.0.1:443'], tls } as never } });
  } catch (err) {
    assert.ok(err instanceof SwitchyardConfigError);
    return err.message;
  }
  return 'no error';
}

test('bad key material fails at configuration time, naming the field', () => {
  assert.equal(
    configError({ cert: pki.client.cert, key: pki.server.key }),
    'upstreams.api.tls.key does not belong to upstreams.api.tls.cert (CN=switchyard-client, O=switchyard tests)',
  );
  const locked = encryptedKey(pki.client.key, 'right');
  assert.equal(configError({ cert: pki.client.cert, key: locked }), 'upstreams.api.tls.key is encrypted: set upstreams.api.tls.passphrase');
  assert.match(
    configError({ cert: pki.client.cert, key: locked, passphrase: 'wrong' }),
    /^upstreams\.api\.tls\.passphrase does not decrypt upstreams\.api\.tls\.key: /,
  );
  assert.match(
    configError({ ca: '-----BEGIN CERTIFICATE-----\nnot base64\n-----END CERTIFICATE-----\n' }),
    /^upstreams\.api\.tls\.ca is not a readable PEM certificate: /,
  );
  assert.equal(configError({ key: pki.client.key }), 'upstreams.api.tls.cert is required with upstreams.api.tls.key (the client certificate)');
  assert.equal(configError({ passphrase: 'x' }), 'upstreams.api.tls.passphrase only applies to upstreams.api.tls.key, which is not set');
  // An encrypted key with the right passphrase is fine.
  assert.equal(configError({ cert: pki.client.cert, key: locked, passphrase: 'right' }), 'no error');
});

test("server tls is merged field by field over the upstream's; connection options default to verification and the url's name", () => {
  const sy = createSwitchyard({
    upstreams: {
      api: {
        servers: [
          'https://api.internal:8443',
          { url: 'https://10.0.0.2:8443', tls: { servername: 'b.internal', cert: pki.client.cert, key: pki.client.key } },
          'https://10.0.0.3',
        ],
        tls: { ca: pki.ca, minVersion: 'TLSv1.2' },
      },
      plain: ['https://10.0.0.9'],
    },
  });
  const [named, withOwn, byIp] = sy.upstream('api').servers();
  assert.deepEqual(upstreamTlsOptions(named!), { rejectUnauthorized: true, servername: 'api.internal', ca: [pki.ca], minVersion: 'TLSv1.2' });
  assert.deepEqual(upstreamTlsOptions(withOwn!), {
    rejectUnauthorized: true,
    servername: 'b.internal',
    ca: [pki.ca],
    cert: pki.client.cert,
    key: pki.client.key,
    minVersion: 'TLSv1.2',
  });
  assert.deepEqual(upstreamTlsOptions(byIp!), { rejectUnauthorized: true, servername: '', ca: [pki.ca], minVersion: 'TLSv1.2' }, 'no SNI for an IP');
  assert.deepEqual(upstreamTlsOptions(sy.upstream('plain').servers()[0]!), { rejectUnauthorized: true, servername: '' });
});

test('a Buffer given as tls material is copied: changing it later changes nothing', () => {
  const ca = Buffer.from(pki.ca);
  const sy = createSwitchyard({ upstreams: { api: { servers: ['https://h:1'], tls: { ca } } } });
  ca.fill(0);
  assert.equal(String(upstreamTlsOptions(sy.upstream('api').servers()[0]!).ca?.[0]), pki.ca);
});
