/** @module The pieces of nginx's hashing: crc32, the ketama ring points (including a server written without a port), ip_hash bytes. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { crc32 as zlibCrc32 } from 'node:zlib';
import { crc32 } from '../../../packages/core/src/balancer/crc32.js';
import { ipHashBytes } from '../../../packages/core/src/balancer/ip-bytes.js';
import { ringHostPort, serverInfo, writtenAuthority } from '../../../packages/core/src/balancer/server-info.js';
import { ringPoints } from '../../../packages/core/src/balancer/strategies/consistent-hash.js';
import { hashRound } from '../../../packages/core/src/balancer/strategies/hash.js';

describe('crc32', () => {
  it('agrees with zlib on ASCII and UTF-8 text', () => {
    for (const s of ['', 'a', 'hello world', '/index.html?x=1', 'ключ', '日本語', 'x'.repeat(1000)]) {
      assert.equal(crc32(s), zlibCrc32(Buffer.from(s, 'utf8')), s);
    }
  });

  it('hash rounds follow nginx: ((crc32([REHASH] KEY) >> 16) & 0x7fff)', () => {
    assert.equal(hashRound('key', 0), (zlibCrc32('key') >>> 16) & 0x7fff);
    assert.equal(hashRound('key', 1), (zlibCrc32('1key') >>> 16) & 0x7fff);
    assert.equal(hashRound('key', 12), (zlibCrc32('12key') >>> 16) & 0x7fff);
  });
});

describe('consistent hash ring points', () => {
  /** crc32(HOST \0 PORT PREV_HASH) computed from whole buffers, independently of the incremental code. */
  function expectedPoints(host: string, port: string, count: number): number[] {
    const out: number[] = [];
    let prev = Buffer.alloc(4);
    for (let i = 0; i < count; i++) {
      const hash = zlibCrc32(Buffer.concat([Buffer.from(host), Buffer.from([0]), Buffer.from(port), prev]));
      out.push(hash);
      prev = Buffer.alloc(4);
      prev.writeUInt32LE(hash);
    }
    return out;
  }

  it('hashes host and port as written: http://h:80 keeps 80, http://h hashes an empty port', () => {
    assert.equal(writtenAuthority('http://h:80'), 'h:80');
    assert.equal(writtenAuthority('http://h'), 'h');
    assert.equal(writtenAuthority('https://user@h:8443/base?x#y'), 'h:8443');
    assert.deepEqual(ringHostPort('h:80'), { host: 'h', port: '80' });
    assert.deepEqual(ringHostPort('h'), { host: 'h', port: '' });
    assert.deepEqual(ringHostPort('[::1]:8080'), { host: '[::1]', port: '8080' });
    assert.deepEqual(ringHostPort('[::1]'), { host: '[::1]', port: '' });
    assert.deepEqual(ringPoints('h:80', 1), expectedPoints('h', '80', 160));
    assert.deepEqual(ringPoints('h', 1), expectedPoints('h', '', 160));
    assert.notDeepEqual(ringPoints('h', 1), ringPoints('h:80', 1));
  });

  it('gives 160 points per unit of weight', () => {
    assert.equal(ringPoints('10.0.0.1:8080', 3).length, 480);
    assert.deepEqual(ringPoints('10.0.0.1:8080', 3).slice(0, 160), ringPoints('10.0.0.1:8080', 1));
  });
});

describe('server info', () => {
  it('is computed from the url with default ports and nginx $proxy_host', () => {
    assert.deepEqual(serverInfo('http://127.0.0.1:8001', false), {
      url: 'http://127.0.0.1:8001',
      origin: 'http://127.0.0.1:8001',
      protocol: 'http:',
      hostname: '127.0.0.1',
      port: 8001,
      host: '127.0.0.1:8001',
      basePath: '',
      backup: false,
    });
    const https = serverInfo('https://api.example:443/base/', true);
    assert.equal(https.port, 443);
    assert.equal(https.host, 'api.example');
    assert.equal(https.basePath, '/base');
    assert.equal(https.backup, true);
    const v6 = serverInfo('http://[::1]:9000', false);
    assert.equal(v6.hostname, '::1');
    assert.equal(v6.host, '[::1]:9000');
    assert.equal(serverInfo('http://h', false).port, 80);
  });
});

describe('ip_hash address bytes', () => {
  const bytes = (ip: string | undefined) => [...ipHashBytes(ip)];
  it('takes the first three octets of IPv4, also written as ::ffff:a.b.c.d', () => {
    assert.deepEqual(bytes('192.168.1.77'), [192, 168, 1]);
    assert.deepEqual(bytes('::ffff:192.168.1.77'), [192, 168, 1]);
    assert.deepEqual(bytes('::FFFF:c0a8:14d'), [192, 168, 1]);
  });
  it('takes all 16 bytes of IPv6', () => {
    assert.deepEqual(bytes('2001:db8::1'), [0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]);
    assert.deepEqual(bytes('::1'), [...Array(15).fill(0), 1]);
    assert.deepEqual(bytes('::'), Array(16).fill(0));
    assert.deepEqual(bytes('64:ff9b::192.0.2.33'), [0, 0x64, 0xff, 0x9b, 0, 0, 0, 0, 0, 0, 0, 0, 192, 0, 2, 33]);
    assert.deepEqual(bytes('fe80::1%eth0'), [0xfe, 0x80, ...Array(13).fill(0), 1]);
  });
  it("uses nginx's three zero bytes for anything else", () => {
    for (const junk of [undefined, '', 'unix:/tmp/s', '1.2.3', '1.2.3.4.5', '256.1.1.1', '1::2::3', 'g::1']) {
      assert.deepEqual(bytes(junk), [0, 0, 0], String(junk));
    }
  });
});
