/** @module Conformance scenarios: how servers are picked (round robin, weights, down, backup, least_conn, max_conns, implicit pools), after nginx-tests upstream*.t. */
import { times, type Scenario } from '../harness/scenario.js';
import { site } from './site.js';

export const BALANCING: Scenario[] = [
  {
    name: 'round robin: three servers in turn',
    from: 'upstream.t',
    backends: { a: {}, b: {}, c: {} },
    http: `upstream u { server {{a}}; server {{b}}; server {{c}}; }
${site('location / { proxy_pass http://u; }')}`,
    steps: times(6, '/'),
    nginx: ['a', 'b', 'c', 'a', 'b', 'c'].map((tries) => ({ tries, status: 200 })),
  },
  {
    name: 'weighted round robin 3:1 is smooth',
    from: 'upstream.t (weights)',
    backends: { a: {}, b: {} },
    http: `upstream u { server {{a}} weight=3; server {{b}}; }
${site('location / { proxy_pass http://u; }')}`,
    steps: times(8, '/'),
  },
  {
    name: 'weighted round robin 5:1:1 interleaves',
    from: 'ngx_http_upstream_round_robin.c (smooth weighted)',
    backends: { a: {}, b: {}, c: {} },
    http: `upstream u { server {{a}} weight=5; server {{b}}; server {{c}}; }
${site('location / { proxy_pass http://u; }')}`,
    steps: times(7, '/'),
    nginx: ['a', 'a', 'b', 'a', 'c', 'a', 'a'].map((tries) => ({ tries })),
  },
  {
    name: 'a server marked down is never picked',
    from: 'upstream.t (down)',
    backends: { a: {}, b: {}, c: {} },
    http: `upstream u { server {{a}}; server {{b}} down; server {{c}}; }
${site('location / { proxy_pass http://u; }')}`,
    steps: times(4, '/'),
  },
  {
    name: 'backup idles while a primary is up',
    from: 'upstream_backup.t',
    backends: { a: {}, b: {} },
    http: `upstream u { server {{a}}; server {{b}} backup; }
${site('location / { proxy_pass http://u; }')}`,
    steps: times(4, '/'),
  },
  {
    name: 'backups take over (in turn) when every primary refuses',
    from: 'upstream_backup.t',
    backends: { a: 'refused', b: 'refused', c: {}, d: {} },
    http: `upstream u { server {{a}}; server {{b}}; server {{c}} backup; server {{d}} backup; }
${site('location / { proxy_pass http://u; }')}`,
    steps: times(4, '/'),
  },
  {
    name: 'backup answers when the primary answers 502 (http_502)',
    from: 'upstream_backup.t, proxy_next_upstream.t',
    backends: { a: { reply: { status: 502 } }, b: {} },
    http: `upstream u { server {{a}}; server {{b}} backup; }
${site('location / { proxy_pass http://u; proxy_next_upstream error http_502; }')}`,
    steps: times(3, '/'),
  },
  {
    name: 'proxy_pass host:port makes an implicit one-server pool',
    from: 'proxy.t',
    backends: { a: {} },
    http: site('location / { proxy_pass http://{{a}}; }'),
    steps: times(2, '/x'),
    compare: { path: true },
  },
  {
    name: 'least_conn: a held request steers the next ones to the idle servers, in turn',
    from: 'upstream_least_conn.t',
    backends: { a: { byPath: { '/hold': 'hang' } }, b: {}, c: {} },
    http: `upstream u { least_conn; server {{a}}; server {{b}}; server {{c}}; }
${site('location / { proxy_pass http://u; }')}`,
    steps: [{ path: '/hold', hold: true }, ...times(4, '/')],
  },
  {
    name: 'least_conn with weights and no load is weighted round robin',
    from: 'upstream_least_conn.t',
    backends: { a: {}, b: {} },
    http: `upstream u { least_conn; server {{a}} weight=2; server {{b}}; }
${site('location / { proxy_pass http://u; }')}`,
    steps: times(6, '/'),
  },
  {
    name: 'max_conns=1: the busy server is passed over',
    from: 'upstream_max_conns.t',
    backends: { a: { byPath: { '/hold': 'hang' } }, b: {} },
    http: `upstream u { server {{a}} max_conns=1; server {{b}}; }
${site('location / { proxy_pass http://u; }')}`,
    steps: [{ path: '/hold', hold: true }, ...times(3, '/')],
  },
  {
    name: 'max_conns reached on the only server: 502',
    from: 'upstream_max_conns.t',
    backends: { a: { byPath: { '/hold': 'hang' } }, b: {} },
    http: `upstream u { server {{a}} max_conns=1; }
${site('location / { proxy_pass http://u; }')}`,
    steps: [{ path: '/hold', hold: true }, '/'],
    nginx: [{ tries: 'a...' }, { tries: '-', status: 502 }],
  },
  {
    name: 'max_conns reached on the primary: the backup answers',
    from: 'upstream_max_conns.t (backup)',
    backends: { a: { byPath: { '/hold': 'hang' } }, b: {} },
    http: `upstream u { server {{a}} max_conns=1; server {{b}} backup; }
${site('location / { proxy_pass http://u; }')}`,
    steps: [{ path: '/hold', hold: true }, '/', '/'],
  },
  {
    name: 'least_conn respects max_conns',
    from: 'upstream_max_conns.t (least_conn)',
    backends: { a: { byPath: { '/hold': 'hang' } }, b: { byPath: { '/hold': 'hang' } } },
    http: `upstream u { least_conn; server {{a}} max_conns=1; server {{b}} max_conns=1; }
${site('location / { proxy_pass http://u; }')}`,
    steps: [{ path: '/hold', hold: true }, { path: '/hold', hold: true }, '/'],
  },
];
