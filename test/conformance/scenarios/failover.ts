/** @module Conformance scenarios: retries and passive health (proxy_next_upstream*, max_fails, POST rules, 502/504, invalid answers), after nginx-tests proxy_next_upstream*.t and upstream.t. */
import { times, type Scenario } from '../harness/scenario.js';
import { site } from './site.js';

const ABC = 'upstream u { server {{a}}; server {{b}}; server {{c}}; }';
/** A NUL byte in a header value: nginx's parser answers NGX_HTTP_PARSE_INVALID_HEADER ("upstream sent invalid header"). */
const BAD_HEADER = 'HTTP/1.1 200 OK\r\nX-Bad: a\u0000b\r\nContent-Length: 2\r\n\r\nok';

export const FAILOVER: Scenario[] = [
  {
    name: 'a refusing server is skipped, then left out for fail_timeout (max_fails=1)',
    from: 'upstream.t',
    backends: { a: 'refused', b: {}, c: {} },
    http: `${ABC}
${site('location / { proxy_pass http://u; }')}`,
    steps: times(6, '/'),
  },
  {
    name: 'max_fails=2: a resetting server gets a second chance',
    from: 'upstream.t (max_fails)',
    backends: { a: { reply: 'reset' }, b: {}, c: {} },
    http: `upstream u { server {{a}} max_fails=2; server {{b}}; server {{c}}; }
${site('location / { proxy_pass http://u; }')}`,
    steps: times(8, '/'),
  },
  {
    name: 'max_fails=0: a failing server is never left out',
    from: 'ngx_http_upstream_round_robin.c',
    backends: { a: { reply: { status: 502 } }, b: {}, c: {} },
    http: `upstream u { server {{a}} max_fails=0; server {{b}}; server {{c}}; }
${site('location / { proxy_pass http://u; proxy_next_upstream error http_502; }')}`,
    steps: times(6, '/'),
  },
  {
    name: 'http_502 in proxy_next_upstream: the next server answers and the failed one is left out',
    from: 'proxy_next_upstream.t',
    backends: { a: { reply: { status: 502 } }, b: {}, c: {} },
    http: `${ABC}
${site('location / { proxy_pass http://u; proxy_next_upstream error http_502; }')}`,
    steps: times(5, '/'),
    nginx: [{ tries: 'a>b', status: 200 }, { tries: 'c' }, { tries: 'b' }, { tries: 'c' }, { tries: 'b' }],
  },
  {
    name: 'a 502 not named in proxy_next_upstream reaches the client and is no failure',
    from: 'proxy_next_upstream.t',
    backends: { a: { reply: { status: 502 } }, b: {} },
    http: `upstream u { server {{a}}; server {{b}}; }
${site('location / { proxy_pass http://u; }')}`,
    steps: times(4, '/'),
    nginx: [
      { tries: 'a', status: 502 },
      { tries: 'b', status: 200 },
      { tries: 'a', status: 502 },
      { tries: 'b', status: 200 },
    ],
  },
  {
    name: 'proxy_next_upstream off: a refused server gives 502 and counts as failed',
    from: 'proxy_next_upstream.t (off)',
    backends: { a: 'refused', b: {} },
    http: `upstream u { server {{a}}; server {{b}}; }
${site('location / { proxy_pass http://u; proxy_next_upstream off; }')}`,
    steps: times(4, '/'),
  },
  {
    name: 'proxy_next_upstream_tries 2 with every server answering 502',
    from: 'proxy_next_upstream_tries.t, issue 23 item 1',
    backends: { a: { reply: { status: 502 } }, b: { reply: { status: 502 } }, c: { reply: { status: 502 } } },
    http: `${ABC}
${site('location / { proxy_pass http://u; proxy_next_upstream error http_502; proxy_next_upstream_tries 2; }')}`,
    steps: times(6, '/'),
  },
  {
    name: 'every server answering 503 (http_503): the last try passes its answer and is not counted',
    from: 'proxy_next_upstream.t, issue 23 item 1',
    backends: { a: { reply: { status: 503 } }, b: { reply: { status: 503 } } },
    http: `upstream u { server {{a}}; server {{b}}; }
${site('location / { proxy_pass http://u; proxy_next_upstream error http_503; }')}`,
    steps: times(5, '/'),
  },
  {
    name: 'proxy_next_upstream_tries 1 never retries',
    from: 'proxy_next_upstream_tries.t',
    backends: { a: { reply: { status: 502 } }, b: {}, c: {} },
    http: `${ABC}
${site('location / { proxy_pass http://u; proxy_next_upstream error http_502; proxy_next_upstream_tries 1; }')}`,
    steps: times(4, '/'),
  },
  {
    name: 'a POST answered 500 is not retried and not counted as a failure',
    from: 'proxy_next_upstream.t (non_idempotent), issue 23 item 1',
    backends: { a: { reply: { status: 500 } }, b: {} },
    http: `upstream u { server {{a}}; server {{b}}; }
${site('location / { proxy_pass http://u; proxy_next_upstream error http_500; }')}`,
    steps: [{ method: 'POST', path: '/', body: 'x' }, '/', { method: 'POST', path: '/', body: 'x' }, '/', '/'],
  },
  {
    name: 'non_idempotent lets a POST answered 500 be retried',
    from: 'proxy_next_upstream.t (non_idempotent)',
    backends: { a: { reply: { status: 500 } }, b: {} },
    http: `upstream u { server {{a}}; server {{b}}; }
${site('location / { proxy_pass http://u; proxy_next_upstream error http_500 non_idempotent; }')}`,
    steps: [{ method: 'POST', path: '/', body: 'x' }, { method: 'POST', path: '/', body: 'x' }, '/'],
  },
  {
    name: 'a POST to a refusing server is retried (nothing was sent)',
    from: 'ngx_http_upstream.c (request_sent)',
    backends: { a: 'refused', b: {} },
    http: `upstream u { server {{a}}; server {{b}}; }
${site('location / { proxy_pass http://u; }')}`,
    steps: [
      { method: 'POST', path: '/', body: 'x' },
      { method: 'PATCH', path: '/', body: 'x' },
    ],
  },
  {
    name: 'a POST whose connection is reset after sending is not retried: 502',
    from: 'ngx_http_upstream.c (request_sent)',
    backends: { a: { reply: 'reset' }, b: {} },
    http: `upstream u { server {{a}}; server {{b}}; }
${site('location / { proxy_pass http://u; }')}`,
    steps: [{ method: 'POST', path: '/', body: 'x' }, '/', '/', { method: 'PATCH', path: '/', body: 'x' }],
  },
  {
    name: 'PUT and DELETE are retried, PATCH is not',
    from: 'ngx_http_upstream.c (idempotent methods)',
    backends: { a: { reply: { status: 502 } }, b: {} },
    http: `upstream u { server {{a}} max_fails=0; server {{b}}; }
${site('location / { proxy_pass http://u; proxy_next_upstream error http_502; }')}`,
    steps: [
      { method: 'PUT', path: '/', body: 'x' },
      { method: 'PUT', path: '/', body: 'x' },
      { method: 'DELETE', path: '/' },
      { method: 'DELETE', path: '/' },
      { method: 'PATCH', path: '/', body: 'x' },
      { method: 'PATCH', path: '/', body: 'x' },
    ],
  },
  {
    name: 'http_404 moves on without counting a failure',
    from: 'proxy_next_upstream.t (http_404)',
    backends: { a: { reply: { status: 404 } }, b: {}, c: {} },
    http: `${ABC}
${site('location / { proxy_pass http://u; proxy_next_upstream http_404; }')}`,
    steps: times(6, '/'),
  },
  {
    name: 'http_403 and http_429 move on; 403 is not counted, 429 is',
    from: 'ngx_http_upstream.c (next_upstream masks)',
    backends: { a: { byPath: { '/403': { status: 403 }, '/429': { status: 429 } } }, b: {}, c: {} },
    http: `${ABC}
${site('location / { proxy_pass http://u; proxy_next_upstream error http_403 http_429; }')}`,
    steps: ['/403', '/x', '/x', '/403', '/x', '/x', '/429', '/x', '/x', '/x'],
  },
  {
    name: 'a connection reset moves on to the next server',
    from: 'proxy_next_upstream.t (error)',
    backends: { a: { reply: 'reset' }, b: {}, c: {} },
    http: `${ABC}
${site('location / { proxy_pass http://u; }')}`,
    steps: times(4, '/'),
  },
  {
    name: 'a connection closed without an answer moves on to the next server',
    from: 'proxy_noclose.t, proxy_next_upstream.t (error)',
    backends: { a: { reply: 'close' }, b: {}, c: {} },
    http: `${ABC}
${site('location / { proxy_pass http://u; }')}`,
    steps: times(4, '/'),
  },
  {
    name: 'no live upstream: every server refuses, 502',
    from: 'upstream.t (no live upstreams)',
    backends: { a: 'refused', b: 'refused' },
    http: `upstream u { server {{a}}; server {{b}}; }
${site('location / { proxy_pass http://u; }')}`,
    steps: times(3, '/'),
    nginx: times(3, '/').map(() => ({ tries: '-', status: 502 })),
  },
  {
    name: 'every server down: 502 without a try',
    from: 'upstream.t (down)',
    backends: { a: {}, b: {} },
    http: `upstream u { server {{a}} down; server {{b}} down; }
${site('location / { proxy_pass http://u; }')}`,
    steps: times(2, '/'),
  },
  {
    name: 'a single server is tried again at once after failing (max_fails ignored)',
    from: 'ngx_http_upstream_round_robin.c (peers->single)',
    backends: { a: { first: ['reset', 'reset'] } },
    http: `upstream u { server {{a}}; }
${site('location / { proxy_pass http://u; }')}`,
    steps: times(3, '/'),
  },
  {
    name: 'every primary failing turns to the backup, then back to the primaries for a new request',
    from: 'upstream_backup.t',
    backends: { a: { first: [{ status: 502 }] }, b: { first: [{ status: 502 }] }, c: {} },
    http: `upstream u { server {{a}} max_fails=0; server {{b}} max_fails=0; server {{c}} backup; }
${site('location / { proxy_pass http://u; proxy_next_upstream error http_502; }')}`,
    steps: times(4, '/'),
  },
  {
    name: 'an invalid response header is a 502 unless invalid_header is named',
    from: 'proxy_next_upstream.t (invalid_header)',
    backends: { a: { reply: { raw: BAD_HEADER } }, b: {} },
    http: `upstream u { server {{a}} max_fails=0; server {{b}} backup; }
${site(`location / { proxy_pass http://u; }
location /next { proxy_pass http://u; proxy_next_upstream error invalid_header; }`)}`,
    steps: ['/', '/next', '/'],
  },
  {
    // nginx 1.22 passes any three-digit status on (the issue had 502 for this case).
    name: 'an upstream status 999 is passed on',
    from: 'ngx_http_parse.c (status line), issue 23 item 10',
    backends: { a: { reply: { raw: 'HTTP/1.1 999 Odd\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok' } } },
    http: `upstream u { server {{a}}; }
${site('location / { proxy_pass http://u; }')}`,
    steps: ['/'],
    nginx: [{ tries: 'a', status: 999 }],
    deliberate: { id: 'invalid-upstream-status', switchyard: [{ tries: 'a', status: 502 }] },
  },
  {
    // nginx 1.22 passes an unrequested 101 on and closes (the issue had 502 for this case).
    name: 'an unrequested 101 Switching Protocols is passed on',
    from: 'ngx_http_upstream.c (upgrade), issue 23 item 10',
    backends: { a: { reply: { raw: 'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: upgrade\r\n\r\n' } } },
    http: `upstream u { server {{a}}; }
${site('location / { proxy_pass http://u; }')}`,
    steps: ['/'],
    nginx: [{ tries: 'a', status: 101 }],
    deliberate: { id: 'invalid-upstream-status', switchyard: [{ tries: 'a', status: 502 }] },
  },
  {
    name: 'proxy_read_timeout: a server that never answers gives 504',
    from: 'proxy.t (timeout)',
    backends: { a: { reply: 'hang' } },
    http: `upstream u { server {{a}}; }
${site('location / { proxy_pass http://u; proxy_read_timeout 1s; }')}`,
    steps: ['/'],
    nginx: [{ tries: 'a', status: 504 }],
  },
  {
    name: 'a read timeout moves on (timeout in proxy_next_upstream) and leaves the server out',
    from: 'proxy_next_upstream.t (timeout)',
    backends: { a: { reply: 'hang' }, b: {} },
    http: `upstream u { server {{a}}; server {{b}}; }
${site('location / { proxy_pass http://u; proxy_read_timeout 1s; proxy_next_upstream error timeout; }')}`,
    steps: ['/', '/', '/'],
    nginx: [{ tries: 'a>b', status: 200 }, { tries: 'b' }, { tries: 'b' }],
  },
  {
    name: 'proxy_next_upstream_tries 0 tries every server',
    from: 'proxy_next_upstream_tries.t (zero)',
    backends: { a: { reply: { status: 502 } }, b: { reply: { status: 502 } }, c: { first: [{ status: 502 }] } },
    http: `${ABC}
${site('location / { proxy_pass http://u; proxy_next_upstream error http_502; proxy_next_upstream_tries 0; }')}`,
    steps: times(3, '/'),
  },
  {
    name: 'every server resetting: 502, then 502 without a try while they are failed',
    from: 'upstream.t (no live upstreams)',
    backends: { a: { reply: 'reset' }, b: { reply: 'reset' } },
    http: `upstream u { server {{a}}; server {{b}}; }
${site('location / { proxy_pass http://u; }')}`,
    steps: times(3, '/'),
    nginx: [
      { tries: 'a>b', status: 502 },
      { tries: '-', status: 502 },
      { tries: '-', status: 502 },
    ],
  },
  {
    name: 'a failure lowers the effective weight of a heavy server (max_fails=3)',
    from: 'ngx_http_upstream_round_robin.c (effective_weight)',
    backends: { a: { first: [{ status: 502 }] }, b: {} },
    http: `upstream u { server {{a}} weight=3 max_fails=3; server {{b}}; }
${site('location / { proxy_pass http://u; proxy_next_upstream error http_502; }')}`,
    steps: times(9, '/'),
  },
  {
    name: 'a backup marked down is not used: 502',
    from: 'upstream_backup.t',
    backends: { a: 'refused', b: {} },
    http: `upstream u { server {{a}}; server {{b}} backup down; }
${site('location / { proxy_pass http://u; }')}`,
    steps: times(2, '/'),
  },
  {
    // nginx 1.22 takes the answer (later versions refuse it).
    name: 'an upstream answer with two Content-Length headers',
    from: 'ngx_http_proxy_module.c (duplicate Content-Length)',
    backends: { a: { reply: { raw: 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\nok' } } },
    http: `upstream u { server {{a}}; }
${site('location / { proxy_pass http://u; }')}`,
    steps: ['/'],
    nginx: [{ tries: 'a', status: 200 }],
    deliberate: { id: 'ambiguous-response-framing', switchyard: [{ tries: 'a', status: 502 }] },
  },
  {
    // nginx 1.22 takes the answer, chunked (later versions refuse it).
    name: 'an upstream answer with both Content-Length and Transfer-Encoding',
    from: 'ngx_http_proxy_module.c (both framings)',
    backends: { a: { reply: { raw: 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n' } } },
    http: `upstream u { server {{a}}; }
${site('location / { proxy_pass http://u; }')}`,
    steps: ['/'],
    nginx: [{ tries: 'a', status: 200 }],
    deliberate: { id: 'ambiguous-response-framing', switchyard: [{ tries: 'a', status: 502 }] },
  },
];
