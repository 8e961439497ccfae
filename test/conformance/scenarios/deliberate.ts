/** @module Conformance scenarios for the documented, deliberate differences (docs/nginx-conformance.md): each asserts nginx's answer and switchyard's, so neither drifts silently. */
import type { Scenario } from '../harness/scenario.js';
import { site } from './site.js';

export const DELIBERATE: Scenario[] = [
  {
    name: 'upstream requests: nginx sends HTTP/1.0 with Connection: close, switchyard HTTP/1.1 kept alive',
    from: 'ngx_http_proxy_module.c (proxy_http_version 1.0 default)',
    backends: { a: {} },
    http: `upstream u { server {{a}}; }
${site('location / { proxy_pass http://u; }')}`,
    steps: ['/', '/'],
    compare: { version: true, request: ['connection'] },
    nginx: [
      { version: ['1.0'], request: [{ connection: 'close' }] },
      { version: ['1.0'], request: [{ connection: 'close' }] },
    ],
    deliberate: {
      id: 'upstream-keepalive',
      switchyard: [
        { version: ['1.1'], request: [{ connection: 'keep-alive' }] },
        { version: ['1.1'], request: [{ connection: 'keep-alive' }] },
      ],
    },
  },
  {
    name: 'with proxy_http_version 1.1 and keepalive, nginx speaks HTTP/1.1 too',
    from: 'upstream_keepalive.t',
    backends: { a: {} },
    http: `upstream u { server {{a}}; keepalive 4; }
${site('location / { proxy_pass http://u; proxy_http_version 1.1; proxy_set_header Connection ""; }')}`,
    steps: ['/', '/'],
    compare: { version: true },
    nginx: [{ version: ['1.1'] }, { version: ['1.1'] }],
  },
  {
    name: 'fail_timeout=1s: nginx counts whole seconds, switchyard milliseconds',
    from: 'ngx_http_upstream_round_robin.c (now - checked <= fail_timeout, in seconds)',
    backends: { a: { first: [{ status: 502 }] }, b: {} },
    http: `upstream u { server {{a}} max_fails=1 fail_timeout=1s; server {{b}} backup; }
${site('location / { proxy_pass http://u; proxy_next_upstream error http_502; }')}`,
    // Started just after a wall-clock second: the failure is at S + a few ms, the wait ends at S+1.05 s,
    // where nginx's whole-second clock still reads S+1 (1 <= fail_timeout: still failed) and switchyard's
    // 1050 ms are past its 1000 ms window.
    alignToSecond: true,
    steps: ['/', { wait: 1050 }, '/'],
    nginx: [
      { tries: 'a>b', status: 200 },
      { tries: 'b', status: 200 },
    ],
    deliberate: {
      id: 'failure-window-ms',
      switchyard: [
        { tries: 'a>b', status: 200 },
        { tries: 'a', status: 200 },
      ],
    },
  },
];
