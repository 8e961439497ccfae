/** @module The incremental consistent-hash ring equals a fresh full build after random add / remove / reweight sequences, including shared names and crc32 collisions between servers. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { resolveServer } from '../../../packages/core/src/config/resolve-server.js';
import { ServerSlot } from '../../../packages/core/src/balancer/server-slot.js';
import { HashRing } from '../../../packages/core/src/balancer/strategies/hash-ring.js';
import { ringPoints } from '../../../packages/core/src/balancer/strategies/consistent-hash.js';

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const pointsOf = (s: ServerSlot): number[] => ringPoints(s.ringName, s.weight);

function slot(url: string, weight = 1): ServerSlot {
  return new ServerSlot(resolveServer({ url, weight }, 'test'), true, 0);
}

/** The ring as data: [hash, owner group's urls] for every point, and the groups. */
function shape(ring: HashRing): { points: Array<[number, string]>; groups: string[][] } {
  const groups = ring.groups.map((g) => g.map((s) => s.url));
  const points: Array<[number, string]> = [];
  for (let i = 0; i < ring.hashes.length; i++) points.push([ring.hashes[i]!, groups[ring.owners[i]!]!.join(' ')]);
  return { points, groups };
}

function fresh(servers: readonly ServerSlot[]): HashRing {
  const ring = new HashRing(pointsOf);
  ring.update(servers);
  return ring;
}

/** Two server names among `candidates` whose rings share a point (crc32 collisions exist among a few thousand names). */
function collidingNames(candidates: readonly string[]): [string, string] {
  const owner = new Map<number, string>();
  for (const name of candidates) {
    for (const h of ringPoints(name, 1)) {
      const other = owner.get(h);
      if (other !== undefined && other !== name) return [other, name];
      owner.set(h, name);
    }
  }
  throw new Error('no collision found');
}

describe('incremental hash ring', () => {
  it('equals a fresh build after every step of random add / remove / reweight sequences', () => {
    const [c1, c2] = collidingNames(Array.from({ length: 4000 }, (_, i) => `10.7.${i >> 8}.${i & 255}:80`));
    // Shared names: http://hN:80 and https://hN:80 are one ring name; c1/c2 collide on a point.
    const urls = [
      ...Array.from({ length: 30 }, (_, i) => `http://h${i}:80`),
      ...Array.from({ length: 6 }, (_, i) => `https://h${i}:80`),
      `http://${c1}`,
      `http://${c2}`,
    ];
    for (let seed = 1; seed <= 4; seed++) {
      const random = mulberry32(seed);
      const ring = new HashRing(pointsOf);
      let servers: ServerSlot[] = urls.slice(0, 10).map((u) => slot(u, 1 + Math.floor(random() * 3)));
      ring.update(servers);
      for (let step = 0; step < 80; step++) {
        const r = random();
        const absent = urls.filter((u) => !servers.some((s) => s.url === u));
        if (r < 0.4 && absent.length > 0) {
          servers = [...servers, slot(absent[Math.floor(random() * absent.length)]!, 1 + Math.floor(random() * 3))];
        } else if (r < 0.75 && servers.length > 1) {
          const gone = servers[Math.floor(random() * servers.length)];
          servers = servers.filter((s) => s !== gone);
        } else {
          servers[Math.floor(random() * servers.length)]!.weight = 1 + Math.floor(random() * 4);
        }
        ring.update(servers);
        assert.deepEqual(shape(ring), shape(fresh(servers)), `seed ${seed} step ${step}`);
      }
    }
  });

  it('the earlier server owns a shared point, whichever joined the ring first', () => {
    const [c1, c2] = collidingNames(Array.from({ length: 4000 }, (_, i) => `10.7.${i >> 8}.${i & 255}:80`));
    const a = slot(`http://${c1}`);
    const b = slot(`http://${c2}`);
    const shared = ringPoints(c1, 1).find((h) => ringPoints(c2, 1).includes(h))!;
    const ring = new HashRing(pointsOf);
    ring.update([b]);
    ring.update([b, a]);
    const at = ring.hashes.indexOf(shared);
    assert.equal(ring.groups[ring.owners[at]!]![0], b);
    ring.update([a]);
    ring.update([a, b]);
    assert.equal(ring.groups[ring.owners[ring.hashes.indexOf(shared)]!]![0], a);
    assert.deepEqual(shape(ring), shape(fresh([a, b])));
  });

  it('stays exact through long churn (ranks are renumbered)', () => {
    const ring = new HashRing(pointsOf);
    let servers = Array.from({ length: 8 }, (_, i) => slot(`http://n${i}:1`));
    ring.update(servers);
    for (let k = 0; k < 300; k++) {
      servers = [...servers.slice(1), slot(`http://m${k}:1`)];
      ring.update(servers);
    }
    assert.deepEqual(shape(ring), shape(fresh(servers)));
  });
});
