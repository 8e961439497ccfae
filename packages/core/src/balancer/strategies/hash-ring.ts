/**
 * @module nginx's ketama ring for `hash ... consistent`, kept up to date incrementally: adding,
 * removing or reweighting one server merges or filters its points instead of rebuilding every
 * server's, and gives exactly the ring a full build gives.
 */
import type { ServerSlot } from '../server-slot.js';

/**
 * Every point is packed in one float64 as `hash * SEQ_SPACE + seq`: sorting the numbers sorts by
 * hash, then by `seq`, the server's rank in the tier. nginx sorts the points of all servers (in
 * server order) with a stable sort and keeps the first point of each hash value, so the owner of
 * a hash shared by two servers is the earlier server: the lowest `seq`. 2^32 * 2^21 < 2^53, exact.
 */
const SEQ_SPACE = 2 ** 21;

interface Member {
  readonly seq: number;
  /** Ring points of this server (160 per unit of weight, fewer when the tier is scaled: consistent-hash.ts). */
  count: number;
}

/** One incremental change is worth it below this share of changed servers; a larger change rebuilds. */
const INCREMENTAL_SHARE = 0.25;

export class HashRing {
  /** Unique hashes, ascending (what a pick searches). */
  hashes = new Uint32Array(0);
  /** For each unique hash, the index in `groups` of its owner's name group. */
  owners = new Int32Array(0);
  /** Servers sharing one ring name (nginx compares points to peers by name), in tier order. */
  groups: ServerSlot[][] = [];

  /** All points with duplicates, packed and sorted (see SEQ_SPACE). */
  #points = new Float64Array(0);
  readonly #members = new Map<ServerSlot, Member>();
  #nextSeq = 0;
  readonly #pointsOf: (slot: ServerSlot, count: number) => number[];
  #countOf: (slot: ServerSlot) => number = () => 0;

  /** `pointsOf` gives the first `count` ring points of a server (nginx's crc32 chain of its name). */
  constructor(pointsOf: (slot: ServerSlot, count: number) => number[]) {
    this.#pointsOf = pointsOf;
  }

  /** Make the ring that of `servers` (in tier order) with `countOf(s)` points each, reusing the points of servers already in it. */
  update(servers: readonly ServerSlot[], countOf: (slot: ServerSlot) => number = (s) => s.weight * 160): void {
    this.#countOf = countOf;
    const plan = this.#plan(servers);
    if (plan === undefined) this.#build(servers);
    else this.#apply(plan.gone, plan.added);
    this.#compactSeqs(servers);
    this.#derive(servers);
  }

  /**
   * Servers that left (or changed weight) and servers that joined (or changed weight), or
   * `undefined` when a full build is simpler: first build, many changes, or an order in which a
   * known server follows a new one (ranks would have to move).
   */
  #plan(servers: readonly ServerSlot[]): { gone: Set<number>; added: ServerSlot[] } | undefined {
    if (this.#members.size === 0) return undefined;
    const gone = new Set<number>();
    const added: ServerSlot[] = [];
    const present = new Set<ServerSlot>();
    let lastSeq = -1;
    let joined = false;
    for (const s of servers) {
      present.add(s);
      const m = this.#members.get(s);
      if (m === undefined) {
        joined = true;
        added.push(s);
        continue;
      }
      if (joined || m.seq <= lastSeq) return undefined;
      lastSeq = m.seq;
      if (m.count !== this.#countOf(s)) {
        gone.add(m.seq);
        added.push(s);
      }
    }
    for (const [s, m] of this.#members) {
      if (!present.has(s)) {
        gone.add(m.seq);
        this.#members.delete(s);
      }
    }
    if (gone.size + added.length > Math.max(1, servers.length * INCREMENTAL_SHARE)) return undefined;
    return { gone, added };
  }

  #build(servers: readonly ServerSlot[]): void {
    this.#members.clear();
    this.#nextSeq = 0;
    const all: number[] = [];
    for (const s of servers) {
      const seq = this.#nextSeq++;
      const count = this.#countOf(s);
      this.#members.set(s, { seq, count });
      for (const hash of this.#pointsOf(s, count)) all.push(hash * SEQ_SPACE + seq);
    }
    this.#points = Float64Array.from(all).sort();
  }

  #apply(gone: Set<number>, added: readonly ServerSlot[]): void {
    const fresh: number[] = [];
    for (const s of added) {
      let m = this.#members.get(s);
      // A reweighted server keeps its rank; a new one ranks after every other.
      if (m === undefined) {
        m = { seq: this.#nextSeq++, count: 0 };
        this.#members.set(s, m);
      }
      m.count = this.#countOf(s);
      for (const hash of this.#pointsOf(s, m.count)) fresh.push(hash * SEQ_SPACE + m.seq);
    }
    const incoming = Float64Array.from(fresh).sort();
    const dropped = new Uint8Array(this.#nextSeq);
    for (const seq of gone) dropped[seq] = 1;
    // One pass: drop the points of servers that left or changed, merge the sorted new ones in.
    const old = this.#points;
    const out = new Float64Array(old.length + incoming.length);
    let j = 0;
    let k = 0;
    for (let i = 0; i < old.length; i++) {
      const p = old[i] as number;
      if (dropped[p % SEQ_SPACE] === 1) continue;
      while (j < incoming.length && (incoming[j] as number) < p) out[k++] = incoming[j++] as number;
      out[k++] = p;
    }
    while (j < incoming.length) out[k++] = incoming[j++] as number;
    this.#points = k === out.length ? out : out.slice(0, k);
  }

  /** Renumber ranks 0..n-1 when churn left them sparse; order is kept, so the sort stays valid. */
  #compactSeqs(servers: readonly ServerSlot[]): void {
    if (this.#nextSeq < SEQ_SPACE / 2 && this.#nextSeq <= 2 * servers.length + 64) return;
    const renumber = new Map<number, number>();
    let next = 0;
    for (const s of servers) {
      const m = this.#members.get(s) as Member;
      renumber.set(m.seq, next);
      this.#members.set(s, { seq: next++, count: m.count });
    }
    const points = this.#points;
    for (let i = 0; i < points.length; i++) {
      const p = points[i] as number;
      const seq = p % SEQ_SPACE;
      points[i] = p - seq + (renumber.get(seq) as number);
    }
    this.#nextSeq = next;
  }

  /** The searchable ring: one point per hash value, owned by the earliest server, as nginx keeps it. */
  #derive(servers: readonly ServerSlot[]): void {
    const groupOf = new Map<string, number>();
    const groups: ServerSlot[][] = [];
    const groupBySeq = new Int32Array(this.#nextSeq);
    for (const s of servers) {
      let g = groupOf.get(s.ringName);
      if (g === undefined) {
        g = groups.length;
        groupOf.set(s.ringName, g);
        groups.push([]);
      }
      (groups[g] as ServerSlot[]).push(s);
      groupBySeq[(this.#members.get(s) as Member).seq] = g;
    }
    const points = this.#points;
    const hashes = new Uint32Array(points.length);
    const owners = new Int32Array(points.length);
    let n = 0;
    let last = -1;
    for (let i = 0; i < points.length; i++) {
      const p = points[i] as number;
      const seq = p % SEQ_SPACE;
      const hash = (p - seq) / SEQ_SPACE;
      if (hash === last) continue;
      last = hash;
      hashes[n] = hash;
      owners[n++] = groupBySeq[seq] as number;
    }
    this.hashes = hashes.slice(0, n);
    this.owners = owners.slice(0, n);
    this.groups = groups;
  }
}
