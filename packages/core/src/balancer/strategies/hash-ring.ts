/**
 * @module nginx's ketama ring for `hash ... consistent`, kept up to date incrementally: adding,
 * removing or reweighting one server merges or filters its points instead of rebuilding every
 * server's, and gives exactly the ring a full build gives.
 */
import type { ServerSlot } from '../server-slot.js';

/**
 * Points are sorted by hash, then by `seq`, the server's rank in the tier: nginx sorts the points
 * of all servers (in server order) with a stable sort and keeps the first point of each hash
 * value, so the owner of a hash shared by two servers is the earlier server, the lowest `seq`.
 * Ranks are renumbered before they pass this bound.
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
  /** Servers sharing one ring name (nginx compares points to peers by name), in tier order. */
  groups: ServerSlot[][] = [];
  /** For each rank (a point's `seq`), the index in `groups` of its server's name group. */
  groupOfSeq = new Int32Array(0);

  /** All points with duplicates, sorted by (hash, seq): the hash of each and its server's rank. */
  #pointHash: Uint32Array = new Uint32Array(0);
  #pointSeq: Int32Array = new Int32Array(0);

  /**
   * Every point's hash, ascending, duplicates included: a pick's binary search lands on the first
   * of equal hashes, the lowest rank, which is the point nginx keeps (and it skips the others).
   */
  get pointHash(): Uint32Array {
    return this.#pointHash;
  }

  /** The rank of each point's server (`groups[groupOfSeq[seq]]` owns it). */
  get pointSeq(): Int32Array {
    return this.#pointSeq;
  }

  /** nginx's deduplicated ring (one point per hash, its owner's group): for tests and introspection, built on demand. */
  get hashes(): Uint32Array {
    return this.#unique().hashes;
  }

  get owners(): Int32Array {
    return this.#unique().owners;
  }

  #unique(): { hashes: Uint32Array; owners: Int32Array } {
    this.#uniqueView ??= this.#dedupe();
    return this.#uniqueView;
  }

  #uniqueView: { hashes: Uint32Array; owners: Int32Array } | undefined;

  #dedupe(): { hashes: Uint32Array; owners: Int32Array } {
    const hashes: number[] = [];
    const owners: number[] = [];
    let last = -1;
    for (let i = 0; i < this.#pointHash.length; i++) {
      const hash = this.#pointHash[i] as number;
      if (hash === last) continue;
      last = hash;
      hashes.push(hash);
      owners.push(this.groupOfSeq[this.#pointSeq[i] as number] as number);
    }
    return { hashes: Uint32Array.from(hashes), owners: Int32Array.from(owners) };
  }
  readonly #members = new Map<ServerSlot, Member>();
  #nextSeq = 0;
  readonly #pointsOf: (slot: ServerSlot, count: number) => ArrayLike<number>;
  #countOf: (slot: ServerSlot) => number = (s) => s.weight * 160;

  /** `pointsOf` gives the first `count` ring points of a server (nginx's crc32 chain of its name). */
  constructor(pointsOf: (slot: ServerSlot, count: number) => ArrayLike<number>) {
    this.#pointsOf = pointsOf;
  }

  /** Make the ring that of `servers` (in tier order) with `countOf(s)` points each, reusing the points of servers already in it. */
  update(servers: readonly ServerSlot[], countOf: (slot: ServerSlot) => number = (s) => s.weight * 160): void {
    this.#countOf = countOf;
    this.#uniqueView = undefined;
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

  /**
   * The points of `servers` sorted by (hash, rank): filled in rank order, then a stable LSD radix
   * sort on the hash (two 16-bit passes), so equal hashes stay in rank order as nginx's stable sort
   * keeps them. Linear in the points: 160,000 sort in a few ms where a comparison sort took 15-60.
   */
  #sorted(servers: readonly ServerSlot[]): { hash: Uint32Array; seq: Int32Array } {
    const members = servers.map((s) => [s, this.#members.get(s) as Member] as const).sort((a, b) => a[1].seq - b[1].seq);
    const lists: Array<ArrayLike<number>> = [];
    let total = 0;
    for (const [s, m] of members) {
      const points = this.#pointsOf(s, m.count);
      lists.push(points);
      total += points.length;
    }
    let hash = new Uint32Array(total);
    let seq = new Int32Array(total);
    let k = 0;
    members.forEach(([, m], i) => {
      const points = lists[i] as ArrayLike<number>;
      for (let j = 0; j < points.length; j++) {
        hash[k] = points[j] as number;
        seq[k++] = m.seq;
      }
    });
    // A few servers' points (one added): a comparison sort of packed numbers beats two 65,536-bucket passes.
    if (total < 4096) return sortSmall(hash, seq);
    let tmpHash = new Uint32Array(total);
    let tmpSeq = new Int32Array(total);
    const counts = new Uint32Array(65536);
    for (const shift of [0, 16]) {
      counts.fill(0);
      for (let i = 0; i < total; i++) (counts[((hash[i] as number) >>> shift) & 0xffff] as number)++;
      let sum = 0;
      for (let b = 0; b < 65536; b++) {
        const c = counts[b] as number;
        counts[b] = sum;
        sum += c;
      }
      for (let i = 0; i < total; i++) {
        const h = hash[i] as number;
        const at = (counts[(h >>> shift) & 0xffff] as number)++;
        tmpHash[at] = h;
        tmpSeq[at] = seq[i] as number;
      }
      [hash, tmpHash] = [tmpHash, hash];
      [seq, tmpSeq] = [tmpSeq, seq];
    }
    return { hash, seq };
  }

  #build(servers: readonly ServerSlot[]): void {
    this.#members.clear();
    this.#nextSeq = 0;
    for (const s of servers) this.#members.set(s, { seq: this.#nextSeq++, count: this.#countOf(s) });
    const { hash, seq } = this.#sorted(servers);
    this.#pointHash = hash;
    this.#pointSeq = seq;
  }

  #apply(gone: Set<number>, added: readonly ServerSlot[]): void {
    for (const s of added) {
      const m = this.#members.get(s);
      // A reweighted server keeps its rank; a new one ranks after every other.
      if (m === undefined) this.#members.set(s, { seq: this.#nextSeq++, count: this.#countOf(s) });
      else m.count = this.#countOf(s);
    }
    const incoming = this.#sorted(added);
    const inHash = incoming.hash;
    const inSeq = incoming.seq;
    const dropped = new Uint8Array(this.#nextSeq);
    for (const seq of gone) dropped[seq] = 1;
    // One pass over integers: drop the points of servers that left or changed, merge the sorted new ones in.
    const oldHash = this.#pointHash;
    const oldSeq = this.#pointSeq;
    const outHash = new Uint32Array(oldHash.length + inHash.length);
    const outSeq = new Int32Array(outHash.length);
    let j = 0;
    let k = 0;
    for (let i = 0; i < oldHash.length; i++) {
      const s = oldSeq[i] as number;
      if (dropped[s] === 1) continue;
      const h = oldHash[i] as number;
      while (j < inHash.length && ((inHash[j] as number) < h || ((inHash[j] as number) === h && (inSeq[j] as number) < s))) {
        outHash[k] = inHash[j] as number;
        outSeq[k++] = inSeq[j++] as number;
      }
      outHash[k] = h;
      outSeq[k++] = s;
    }
    while (j < inHash.length) {
      outHash[k] = inHash[j] as number;
      outSeq[k++] = inSeq[j++] as number;
    }
    this.#pointHash = k === outHash.length ? outHash : outHash.slice(0, k);
    this.#pointSeq = k === outSeq.length ? outSeq : outSeq.slice(0, k);
  }

  /** Renumber ranks 0..n-1 when churn left them sparse; order is kept, so the sort stays valid. */
  #compactSeqs(servers: readonly ServerSlot[]): void {
    if (this.#nextSeq < SEQ_SPACE / 2 && this.#nextSeq <= 2 * servers.length + 64) return;
    const renumber = new Int32Array(this.#nextSeq);
    let next = 0;
    for (const s of servers) {
      const m = this.#members.get(s) as Member;
      renumber[m.seq] = next;
      this.#members.set(s, { seq: next++, count: m.count });
    }
    const seqs = this.#pointSeq;
    for (let i = 0; i < seqs.length; i++) seqs[i] = renumber[seqs[i] as number] as number;
    this.#nextSeq = next;
  }

  /** The name groups and each rank's group: O(servers), the points stay as they are. */
  #derive(servers: readonly ServerSlot[]): void {
    const groupOf = new Map<string, number>();
    const groups: ServerSlot[][] = [];
    const groupOfSeq = new Int32Array(this.#nextSeq);
    for (const s of servers) {
      let g = groupOf.get(s.ringName);
      if (g === undefined) {
        g = groups.length;
        groupOf.set(s.ringName, g);
        groups.push([]);
      }
      (groups[g] as ServerSlot[]).push(s);
      groupOfSeq[(this.#members.get(s) as Member).seq] = g;
    }
    this.groupOfSeq = groupOfSeq;
    this.groups = groups;
  }
}

/** (hash, seq) pairs sorted by hash then seq, packed as `hash * SEQ_SPACE + seq` (exact below 2^53). */
function sortSmall(hash: Uint32Array, seq: Int32Array): { hash: Uint32Array; seq: Int32Array } {
  const packed = new Float64Array(hash.length);
  for (let i = 0; i < hash.length; i++) packed[i] = (hash[i] as number) * SEQ_SPACE + (seq[i] as number);
  packed.sort();
  for (let i = 0; i < packed.length; i++) {
    const p = packed[i] as number;
    const h = Math.floor(p / SEQ_SPACE);
    hash[i] = h;
    seq[i] = p - h * SEQ_SPACE;
  }
  return { hash, seq };
}
