/** @module limit_conn slots, allow/deny rules, auth_basic against hashes made by the real tools (openssl passwd, Debian's htpasswd), satisfy, and the config errors naming the field. */
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSwitchyard, type Admission, type RequestLimitOptions } from '@switchyard/core';
import { checkAccess, parseAccessRule } from '../../../packages/core/src/limits/access-rules.js';
import { basicCredentials, checkBasicAuth, readHtpasswd } from '../../../packages/core/src/limits/basic-auth.js';

before(() => {
  // Debian's apache2-utils has htpasswd; install it when missing, as the other tests do for their packages.
  try {
    execFileSync('htpasswd', ['-nbm', 'u', 'p']);
  } catch {
    try {
      execFileSync('apt-get', ['install', '-y', 'apache2-utils'], { stdio: 'ignore' });
    } catch {
      execFileSync('apt-get', ['update'], { stdio: 'ignore' });
      execFileSync('apt-get', ['install', '-y', 'apache2-utils'], { stdio: 'ignore' });
    }
  }
});

function admitter(limits: RequestLimitOptions, extra: Record<string, unknown> = {}) {
  const sy = createSwitchyard({ upstreams: { app: ['http://127.0.0.1:1'] }, ...extra, locations: { '/': { upstream: 'app', limits } } });
  const location = sy.config.locations[0]!;
  return (clientIp: string, headers: Record<string, string> = {}): Admission | Promise<Admission | undefined> =>
    sy.admit(location, { method: 'GET', url: '/', headers, clientIp });
}

const basic = (user: string, pw: string): Record<string, string> => ({ authorization: `Basic ${Buffer.from(`${user}:${pw}`).toString('base64')}` });
async function statusOf(a: Admission | Promise<Admission | undefined>): Promise<number | undefined> {
  const got = await a;
  return got === undefined ? undefined : got.allowed ? 200 : got.status;
}

test('limit_conn: max slots per key, a refusal takes nothing, every slot comes back once (release twice is harmless)', async () => {
  const admit = admitter({ connections: [{ zone: 'c', max: 2 }] }, { limitZones: { c: { kind: 'connections', key: '$binary_remote_addr' } } });
  const a = (await admit('10.0.0.1')) as Admission & { allowed: true };
  const b = (await admit('10.0.0.1')) as Admission & { allowed: true };
  assert.equal(await statusOf(admit('10.0.0.1')), 503);
  assert.equal(await statusOf(admit('::ffff:10.0.0.2')), 200, 'another key');
  a.release();
  a.release();
  const c = (await admit('10.0.0.1')) as Admission & { allowed: true };
  assert.equal(c.allowed, true);
  assert.equal(await statusOf(admit('10.0.0.1')), 503, 'the double release gave back one slot only');
  b.release();
  c.release();
});

test('allow/deny: first match wins; CIDR v4 and v6, all, mapped addresses as IPv4; host bits cleared as nginx', () => {
  const rules = [
    parseAccessRule('192.168.1.1', true).rule,
    parseAccessRule('192.168.1.0/24', false).rule,
    parseAccessRule('2001:db8::/32', false).rule,
    parseAccessRule('all', true).rule,
  ];
  assert.equal(checkAccess(rules, '192.168.1.1'), 'deny');
  assert.equal(checkAccess(rules, '192.168.1.7'), 'allow');
  assert.equal(checkAccess(rules, '::ffff:192.168.1.7'), 'allow');
  assert.equal(checkAccess(rules, '2001:db8:1::5'), 'allow');
  assert.equal(checkAccess(rules, '2001:db9::5'), 'deny');
  assert.equal(checkAccess(rules, '10.0.0.1'), 'deny');
  assert.equal(checkAccess([parseAccessRule('10.0.0.0/8', false).rule], '11.0.0.1'), 'none');
  const masked = parseAccessRule('10.1.2.3/8', false);
  assert.equal(masked.hostBits, true);
  assert.equal(checkAccess([masked.rule], '10.200.0.1'), 'allow');
  assert.throws(() => parseAccessRule('10.0.0.0/33', true), /prefix length/);
  assert.throws(() => parseAccessRule('example.com', true), /not an address/);
});

test('htpasswd hashes from openssl passwd (-apr1, -1, -5, -6) and htpasswd (-B, -s, -m) check the right password only', async () => {
  const lines: string[] = [];
  const users: Array<[string, string]> = [];
  let n = 0;
  for (const alg of ['-apr1', '-1', '-5', '-6']) {
    for (const pw of ['secret', 'päss wörd:with colon', 'x'.repeat(70)]) {
      const user = `o${n++}`;
      lines.push(`${user}:${execFileSync('openssl', ['passwd', alg, pw]).toString().trim()}`);
      users.push([user, pw]);
    }
  }
  for (const flag of ['-B', '-s', '-m']) {
    const user = `h${n++}`;
    lines.push(execFileSync('htpasswd', ['-nb', flag, user, 'hunter2']).toString().trim());
    users.push([user, 'hunter2']);
  }
  lines.push('plain:{PLAIN}open sesame', '# a comment', '', 'plain:{PLAIN}second line of a user is not used');
  const table = readHtpasswd(Buffer.from(lines.join('\n') + '\n').toString('latin1'));
  for (const [user, pw] of users) {
    assert.equal(await checkBasicAuth(table, basic(user, pw).authorization), true, `${user} right`);
    assert.equal(await checkBasicAuth(table, basic(user, `${pw}!`).authorization), false, `${user} wrong`);
  }
  assert.equal(await checkBasicAuth(table, basic('plain', 'open sesame').authorization), true);
  assert.equal(await checkBasicAuth(table, basic('plain', 'second line of a user is not used').authorization), false);
  assert.equal(await checkBasicAuth(table, basic('nobody', 'x').authorization), false);
});

test('Basic credentials are read as nginx does', () => {
  assert.deepEqual(basicCredentials('bAsIc   dTpw')?.user, 'u');
  assert.equal(basicCredentials('Basic '), undefined);
  assert.equal(basicCredentials('Bearer dTpw'), undefined);
  assert.equal(basicCredentials(`Basic ${Buffer.from(':pw').toString('base64')}`), undefined, 'an empty user');
  assert.equal(basicCredentials(`Basic ${Buffer.from('nocolon').toString('base64')}`), undefined);
  assert.equal(basicCredentials('Basic a!b='), undefined);
});

test('auth_basic: 401 with WWW-Authenticate; satisfy all (403 first) and any (either); a user file read at config time with its line in errors', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sy-htpasswd-'));
  try {
    const file = join(dir, 'users');
    writeFileSync(file, `ann:${execFileSync('openssl', ['passwd', '-apr1', 'pw']).toString().trim()}\n`);
    const all = admitter({ basicAuth: { realm: 'Team', userFile: file }, access: [{ allow: '10.0.0.0/8' }, { deny: 'all' }] });
    const refused = (await all('10.0.0.1')) as Admission & { allowed: false };
    assert.equal(refused.status, 401);
    assert.equal(refused.headers['www-authenticate'], 'Basic realm="Team"');
    assert.equal(await statusOf(all('10.0.0.1', basic('ann', 'pw'))), 200);
    assert.equal(await statusOf(all('192.0.2.1', basic('ann', 'pw'))), 403);
    const any = admitter({ basicAuth: { realm: 'Team', users: { ann: '{PLAIN}pw' } }, access: [{ allow: '10.0.0.0/8' }, { deny: 'all' }], satisfy: 'any' });
    assert.equal(await statusOf(any('10.0.0.1')), 200);
    assert.equal(await statusOf(any('192.0.2.1')), 401);
    assert.equal(await statusOf(any('192.0.2.1', basic('ann', 'pw'))), 200);

    writeFileSync(file, 'ann:{PLAIN}x\nbob:abcdefghijklm\n');
    assert.throws(() => admitter({ basicAuth: { realm: 'T', userFile: file } }), /locations\["\/"\]\.limits\.basicAuth\.userFile.*line 2 of .*DES crypt/);
    assert.throws(() => admitter({ basicAuth: { realm: 'T', userFile: join(dir, 'none') } }), /basicAuth\.userFile cannot be read/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('config errors name the exact field', () => {
  const zones = { limitZones: { one: { kind: 'requests', key: '$remote_addr', rate: '1r/s' }, c: { kind: 'connections', key: '$remote_addr' } } };
  const bad =
    (limits: unknown, extra: Record<string, unknown> = zones) =>
    () =>
      admitter(limits as RequestLimitOptions, extra);
  assert.throws(
    bad({ requests: [{ zone: 'onee' }] }),
    /locations\["\/"\]\.limits\.requests\[0\]\.zone names the unknown zone "onee" \(did you mean "?one"?\?\)/,
  );
  assert.throws(bad({ requests: [{ zone: 'c' }] }), /requests\[0\]\.zone names zone "c", which is a 'connections' zone/);
  assert.throws(bad({ connections: [{ zone: 'c', max: 0 }] }), /connections\[0\]\.max must be a whole number from 1 to 65535/);
  assert.throws(bad({ requestStatus: 200 }), /limits\.requestStatus must be an HTTP status from 400 to 599/);
  assert.throws(bad({ access: [{ allow: 'nope' }] }), /limits\.access\[0\]\.allow/);
  assert.throws(bad({ satisfy: 'some' }), /limits\.satisfy must be 'all' or 'any'/);
  assert.throws(bad({ requests: [{ zone: 'one', nodelay: true, delay: 2 }] }), /requests\[0\]\.delay cannot be given with nodelay/);
  assert.throws(bad({}, { limitZones: { z: { kind: 'requests', key: '$remote_addr', rate: '5r/h' } } }), /limitZones\.z\.rate must be a rate like '10r\/s'/);
  assert.throws(bad({}, { limitZones: { z: { kind: 'connections', key: '$remote_addr', size: '4k' } } }), /limitZones\.z\.size is too small/);
  assert.throws(bad({}, { limitZones: { z: { kind: 'connections', key: '$nope' } } }), /limitZones\.z\.key/);
  assert.throws(bad({ bogus: 1 }), /limits.*bogus/);
});

test('inheritance: top-level limits reach every location, a server or location field replaces only that field', async () => {
  const sy = createSwitchyard({
    upstreams: { app: ['http://127.0.0.1:1'] },
    limitZones: { one: { kind: 'requests', key: '$remote_addr', rate: '1r/m' } },
    limits: { requests: [{ zone: 'one', nodelay: true }], access: [{ deny: '192.0.2.0/24' }] },
    servers: [
      { names: ['a.test'], limits: { requestStatus: 429 }, locations: { '/': 'app', '/open/': { upstream: 'app', limits: { access: [], requests: [] } } } },
    ],
  });
  const [root, open] = sy.config.locations;
  const req = { method: 'GET', url: '/', headers: {}, clientIp: '198.51.100.1' };
  assert.equal(await statusOf(sy.admit(root!, req)), 200);
  assert.equal(await statusOf(sy.admit(root!, req)), 429);
  assert.equal(await statusOf(sy.admit(root!, { ...req, clientIp: '192.0.2.9' })), 403, 'requests of one zone are per address, deny inherited from the top');
  assert.equal(await statusOf(sy.admit(open!, { ...req, clientIp: '192.0.2.9' })), 200);
  assert.equal(await statusOf(sy.admit(open!, req)), 200);
  await sy.close();
});

test('a bcrypt hash without bcryptjs installed is a config error naming the package (it is loaded only for such a hash)', () => {
  const hash = execFileSync('htpasswd', ['-nbB', 'ann', 'pw']).toString().trim().slice(4);
  const dir = mkdtempSync(join(tmpdir(), 'sy-no-bcrypt-'));
  const cwd = process.cwd();
  try {
    // bcryptjs is resolved from the application's directory: one without it.
    process.chdir(dir);
    assert.throws(
      () => admitter({ basicAuth: { realm: 'T', users: { ann: hash } } }),
      /basicAuth\.users "ann" bcrypt hashes .* need the optional peer dependency bcryptjs \(npm install bcryptjs\)/,
    );
    assert.doesNotThrow(() => admitter({ basicAuth: { realm: 'T', users: { ann: '{PLAIN}pw' } } }), 'other formats need no package');
  } finally {
    process.chdir(cwd);
    rmSync(dir, { recursive: true, force: true });
  }
});
