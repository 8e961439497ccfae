/** @module Conformance scenarios: key-bound picks (hash, hash consistent, ip_hash), with down and refusing servers, after nginx-tests upstream_hash.t and upstream_ip_hash.t. */
import type { Scenario, Step } from '../harness/scenario.js';
import { site } from './site.js';

const PATHS: Step[] = ['/1', '/2', '/3', '/4', '/5', '/6', '/7', '/8', '/1', '/5'];

/** One client address per /24 (ip_hash reads the first three octets), twice round. */
const CLIENTS = ['127.0.1.1', '127.0.2.1', '127.0.3.1', '127.0.4.1', '127.0.5.1', '127.0.6.1', '127.1.1.1', '127.0.2.9'];
const FROM: Step[] = CLIENTS.map((from) => ({ path: '/', from }));

export const HASHING: Scenario[] = [
  {
    name: 'hash $request_uri',
    from: 'upstream_hash.t',
    backends: { a: {}, b: {}, c: {} },
    http: `upstream u { hash $request_uri; server {{a}}; server {{b}}; server {{c}}; }
${site('location / { proxy_pass http://u; }')}`,
    steps: PATHS,
  },
  {
    name: 'hash $request_uri with weights',
    from: 'upstream_hash.t (weight)',
    backends: { a: {}, b: {}, c: {} },
    http: `upstream u { hash $request_uri; server {{a}} weight=3; server {{b}}; server {{c}} weight=2; }
${site('location / { proxy_pass http://u; }')}`,
    steps: PATHS,
  },
  {
    name: 'hash $request_uri consistent (ketama)',
    from: 'upstream_hash.t (consistent)',
    backends: { a: {}, b: {}, c: {} },
    http: `upstream u { hash $request_uri consistent; server {{a}}; server {{b}}; server {{c}}; }
${site('location / { proxy_pass http://u; }')}`,
    steps: PATHS,
  },
  {
    name: 'hash on a query argument ($arg_key)',
    from: 'upstream_hash.t (variables)',
    backends: { a: {}, b: {}, c: {} },
    http: `upstream u { hash $arg_key; server {{a}}; server {{b}}; server {{c}}; }
${site('location / { proxy_pass http://u; }')}`,
    steps: ['/?key=one', '/?key=two', '/x?key=one', '/?key=three', '/?key=four', '/?key=two&z=1', '/?key=five'],
  },
  {
    name: 'hash on a request header ($http_x_user)',
    from: 'upstream_hash.t (variables)',
    backends: { a: {}, b: {}, c: {} },
    http: `upstream u { hash $http_x_user consistent; server {{a}}; server {{b}}; server {{c}}; }
${site('location / { proxy_pass http://u; }')}`,
    steps: ['ann', 'bob', 'cid', 'dan', 'eve', 'ann', 'fay'].map((user) => ({ path: '/', headers: [['X-User', user]] })),
  },
  {
    name: 'hash with a down server rehashes the keys bound to it',
    from: 'upstream_hash.t (down)',
    backends: { a: {}, b: {}, c: {} },
    http: `upstream u { hash $request_uri; server {{a}}; server {{b}} down; server {{c}}; }
${site('location / { proxy_pass http://u; }')}`,
    steps: PATHS,
  },
  {
    name: 'hash consistent with a refusing server moves its keys on',
    from: 'upstream_hash.t (next)',
    backends: { a: {}, b: 'refused', c: {} },
    http: `upstream u { hash $request_uri consistent; server {{a}}; server {{b}}; server {{c}}; }
${site('location / { proxy_pass http://u; }')}`,
    steps: PATHS,
  },
  {
    name: 'hash $remote_addr',
    from: 'upstream_hash.t (remote_addr)',
    backends: { a: {}, b: {}, c: {} },
    http: `upstream u { hash $remote_addr; server {{a}}; server {{b}}; server {{c}}; }
${site('location / { proxy_pass http://u; }')}`,
    steps: FROM,
  },
  {
    name: 'ip_hash by the client /24',
    from: 'upstream_ip_hash.t',
    backends: { a: {}, b: {}, c: {} },
    http: `upstream u { ip_hash; server {{a}}; server {{b}}; server {{c}}; }
${site('location / { proxy_pass http://u; }')}`,
    steps: FROM,
  },
  {
    name: 'ip_hash with a down server',
    from: 'upstream_ip_hash.t (down)',
    backends: { a: {}, b: {}, c: {} },
    http: `upstream u { ip_hash; server {{a}}; server {{b}} down; server {{c}}; }
${site('location / { proxy_pass http://u; }')}`,
    steps: FROM,
  },
];
