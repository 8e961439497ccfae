/** @module The candidates of the side-by-side run: who they are, which framework's peers they are compared with. */
export type Group = 'ceiling' | 'nginx' | 'fastify' | 'express' | 'node';
export type Role = 'ceiling' | 'reference' | 'peer' | 'switchyard';

export interface Candidate {
  readonly id: string;
  readonly label: string;
  readonly group: Group;
  readonly role: Role;
  /** A Node server under bench/servers/, or undefined for `direct` (no proxy) and `nginx`. */
  readonly script?: string;
  /** Expected to spread 1-2-3-1-2-3 (all but the direct ceiling). */
  readonly balances: boolean;
}

export const CANDIDATES: readonly Candidate[] = [
  { id: 'direct', label: 'direct to one backend (ceiling)', group: 'ceiling', role: 'ceiling', balances: false },
  { id: 'nginx', label: 'nginx upstream (keepalive)', group: 'nginx', role: 'reference', balances: true },
  {
    id: 'reply-from-array',
    label: 'Fastify + @fastify/reply-from, base array',
    group: 'fastify',
    role: 'peer',
    script: 'reply-from-array.mjs',
    balances: true,
  },
  {
    id: 'fastify-http-proxy',
    label: 'Fastify + @fastify/http-proxy',
    group: 'fastify',
    role: 'peer',
    script: 'fastify-http-proxy.mjs',
    balances: true,
  },
  {
    id: 'switchyard-fastify',
    label: 'Fastify + @switchyard/fastify',
    group: 'fastify',
    role: 'switchyard',
    script: 'switchyard-fastify.mjs',
    balances: true,
  },
  {
    id: 'node-http-proxy',
    label: 'node:http + http-proxy (no framework)',
    group: 'node',
    role: 'peer',
    script: 'node-http-proxy.mjs',
    balances: true,
  },
  {
    id: 'express-http-proxy',
    label: 'Express 5 + http-proxy',
    group: 'express',
    role: 'peer',
    script: 'express-http-proxy.mjs',
    balances: true,
  },
  {
    id: 'http-proxy-middleware',
    label: 'Express 5 + http-proxy-middleware',
    group: 'express',
    role: 'peer',
    script: 'http-proxy-middleware.mjs',
    balances: true,
  },
  {
    id: 'switchyard-express',
    label: 'Express 5 + @switchyard/express',
    group: 'express',
    role: 'switchyard',
    script: 'switchyard-express.mjs',
    balances: true,
  },
];

/** The peers a candidate's framework is measured against (issue 7's targets). */
export function peersOf(c: Candidate): readonly string[] {
  if (c.group === 'fastify') return ['reply-from-array', 'fastify-http-proxy'];
  if (c.group === 'express') return ['express-http-proxy', 'http-proxy-middleware'];
  return [];
}
