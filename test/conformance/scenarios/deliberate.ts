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

/** The fixture site of the file scenarios (see files.ts). */
const FILES_SITE: Record<string, string> = {
  'secret.txt': 'outside the alias\n',
  'assets/app.css': 'body { color: red }\n',
  'page.html': '<p>page</p>\n',
  'notes.txt': 'notes\n',
  'data.json': '{"a":1}\n',
  'script.js': 'let a = 1;\n',
  'blob.unknownext': 'bytes\n',
  'range.txt': '0123456789abcdefghij\n',
};

export const DELIBERATE_FILES: Scenario[] = [
  {
    name: 'alias without its slash: nginx opens /i../secret.txt outside the alias directory, switchyard answers 404',
    from: 'the classic alias traversal (ngx_http_map_uri_to_path), issue 24 item 2',
    backends: {},
    http: `server_tokens off;
${site('location /i { alias {{root}}/assets/; }')}`,
    files: FILES_SITE,
    steps: ['/i../secret.txt', '/i%2e%2e/secret.txt', '/i/app.css'],
    compare: { body: true },
    nginx: [
      { status: 200, body: 'outside the alias\n' },
      { status: 200, body: 'outside the alias\n' },
      { status: 200, body: 'body { color: red }\n' },
    ],
    deliberate: {
      id: 'alias-traversal',
      switchyard: [{ status: 404 }, { status: 404 }, { status: 200, body: 'body { color: red }\n' }],
    },
  },
  {
    name: 'Content-Type of files: nginx from its types block, switchyard from the framework MIME table',
    from: 'ngx_http_core_module.c (types, default_type), issue 24 item 2',
    backends: {},
    http: `server_tokens off;
types { text/html html; text/plain txt; text/css css; application/json json; application/javascript js; }
default_type application/octet-stream;
${site('location / { root {{root}}; }')}`,
    files: FILES_SITE,
    // `.js` is left out: the two libraries' MIME tables differ there (application/javascript on
    // Fastify, text/javascript on Express, RFC 9239), so one record cannot state both.
    steps: ['/page.html', '/notes.txt', '/assets/app.css', '/data.json', '/blob.unknownext'],
    compare: { response: ['content-type'] },
    nginx: [
      { response: { 'content-type': 'text/html' } },
      { response: { 'content-type': 'text/plain' } },
      { response: { 'content-type': 'text/css' } },
      { response: { 'content-type': 'application/json' } },
      { response: { 'content-type': 'application/octet-stream' } },
    ],
    deliberate: {
      id: 'file-content-type',
      switchyard: [
        { response: { 'content-type': 'text/html; charset=utf-8' } },
        { response: { 'content-type': 'text/plain; charset=utf-8' } },
        { response: { 'content-type': 'text/css; charset=utf-8' } },
        { response: { 'content-type': 'application/json; charset=utf-8' } },
        { response: { 'content-type': 'application/octet-stream' } },
      ],
    },
  },
  {
    name: 'Range and conditional answers of files: the static library also sends Accept-Ranges on 206 and 304',
    from: 'ngx_http_range_filter_module.c, issue 24 item 2',
    backends: {},
    http: `server_tokens off;
${site('location / { root {{root}}; }')}`,
    files: FILES_SITE,
    steps: [
      '/range.txt',
      { path: '/range.txt', headers: [['Range', 'bytes=0-4']] },
      { path: '/range.txt', headers: [['If-Modified-Since', 'Thu, 02 Jan 2020 03:04:05 GMT']] },
      { path: '/range.txt', headers: [['Range', 'bytes=100-200']] },
    ],
    compare: { response: ['accept-ranges', 'content-range', 'content-type'] },
    nginx: [
      { status: 200, response: { 'accept-ranges': 'bytes', 'content-range': undefined, 'content-type': 'text/plain' } },
      { status: 206, response: { 'accept-ranges': undefined, 'content-range': 'bytes 0-4/21', 'content-type': 'text/plain' } },
      { status: 304, response: { 'accept-ranges': undefined, 'content-range': undefined, 'content-type': undefined } },
      { status: 416, response: { 'accept-ranges': undefined, 'content-range': 'bytes */21', 'content-type': 'text/html' } },
    ],
    deliberate: {
      id: 'file-range-headers',
      switchyard: [
        { status: 200, response: { 'accept-ranges': 'bytes', 'content-range': undefined, 'content-type': 'text/plain; charset=utf-8' } },
        { status: 206, response: { 'accept-ranges': 'bytes', 'content-range': 'bytes 0-4/21', 'content-type': 'text/plain; charset=utf-8' } },
        { status: 304, response: { 'accept-ranges': 'bytes', 'content-range': undefined, 'content-type': undefined } },
        { status: 416, response: { 'accept-ranges': undefined, 'content-range': 'bytes */21', 'content-type': 'text/html' } },
      ],
    },
  },
];
