/** @module TLS to a resolved address uses the name: SNI and the certificate check (a certificate valid only for `tls.test`) in both adapters and in health probes. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, runScript } from '../helpers/child-scripts.js';
import { writeSelfSigned } from '../helpers/self-signed.js';
import { startDns } from './support/dnsmasq.js';

test('a resolved https server is reached by address, with SNI and the certificate checked against its name', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'sy-tls-name-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  // Valid for the name only (no IP SAN): checking it against 127.0.0.2 would fail.
  writeSelfSigned(dir, { cn: 'tls.test', san: 'DNS:tls.test' });
  const dns = await startDns({ hosts: ['127.0.0.2 tls.test'] });
  t.after(() => dns.stop());
  const port = await freePort();
  const run = await runScript(
    'test/discovery/support/tls-child.ts',
    [],
    { NODE_EXTRA_CA_CERTS: join(dir, 'cert.pem'), SY_DNS: dns.address, SY_PORT: String(port), SY_KEY: join(dir, 'key.pem'), SY_CERT: join(dir, 'cert.pem') },
    60_000,
  );
  assert.equal(run.code, 0, run.out);
  const line = run.out.split('\n').find((l) => l.startsWith('{'));
  assert.ok(line, run.out);
  const report = JSON.parse(line) as { results: Record<string, string>; snis: string[]; hosts: string[]; probed: boolean };
  assert.deepEqual(report.results, { fastify: '200 secure', fastifyHealth: 'true', express: '200 secure' });
  assert.deepEqual(report.snis, ['tls.test']);
  assert.deepEqual(report.hosts, [`tls.test:${port}`]);
  assert.equal(report.probed, true);
});
