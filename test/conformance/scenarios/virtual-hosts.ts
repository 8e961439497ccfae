/** @module Conformance scenarios: virtual hosts (server_name exact, wildcards, regex, default_server, Host case and port) and redirect-only servers. */
import type { RequestSpec, Scenario } from '../harness/scenario.js';
import { CLOSED_WITHOUT_ANSWER } from '../harness/raw-client.js';

const POOLS = `upstream ua { server {{a}}; }
upstream ub { server {{b}}; }
upstream uc { server {{c}}; }`;

const as = (host: string, path = '/'): RequestSpec => ({ path, headers: [['Host', host]] });

export const VIRTUAL_HOSTS: Scenario[] = [
  {
    name: 'server_name picks the server: exact, *. and .* wildcards, regex, then default_server; Host case and port do not matter',
    from: 'http_server_name.t, issue 24 item 1',
    backends: { a: {}, b: {}, c: {} },
    http: `${POOLS}
server { listen {{listen}}; server_name example.com *.example.com; location / { proxy_pass http://ua; } }
server { listen {{listen}}; server_name www.example.* ~^img\\d+\\.cdn\\.test$; location / { proxy_pass http://ub; } location /a/ { proxy_pass http://ua; } }
server { listen {{listen}} default_server; server_name fallback.test; location / { proxy_pass http://uc; } }`,
    steps: [
      as('example.com'),
      as('EXAMPLE.com:8080'),
      as('deep.sub.example.com'),
      as('www.example.com'), // *.example.com is searched before www.example.*
      as('www.example.org'),
      as('www.example.org', '/a/x'),
      as('img12.cdn.test'),
      as('IMG12.CDN.TEST'),
      as('img.cdn.test'),
      as('localhost'),
      as('fallback.test', '/a/x'),
    ],
    compare: { path: true },
    nginx: [
      { tries: 'a' },
      { tries: 'a' },
      { tries: 'a' },
      { tries: 'a' },
      { tries: 'b' },
      { tries: 'a' },
      { tries: 'b' },
      { tries: 'b' },
      { tries: 'c' },
      { tries: 'c' },
      { tries: 'c' },
    ],
  },
  {
    name: 'without default_server the first server block answers unknown hosts; two hosts may both have location /',
    from: 'http_server_name.t, issue 24 item 1',
    backends: { a: {}, b: {} },
    http: `upstream ua { server {{a}}; }
upstream ub { server {{b}}; }
server { listen {{listen}}; server_name one.test; location / { proxy_pass http://ua; } }
server { listen {{listen}}; server_name two.test; location / { proxy_pass http://ub; } }`,
    steps: [as('two.test'), as('one.test'), as('three.test'), as('two.test.')],
    nginx: [{ tries: 'b' }, { tries: 'a' }, { tries: 'a' }, { tries: 'b' }],
  },
  {
    name: 'a redirect-only server answers its return with $host, $request_uri, $server_name and $scheme; no upstream is asked',
    from: 'issue 24 item 5',
    backends: { a: {} },
    http: `upstream ua { server {{a}}; }
server { listen {{listen}}; server_name app.test; location / { proxy_pass http://ua; } }
server { listen {{listen}}; server_name www.app.test old.app.test; return 301 https://$host$request_uri; }
server { listen {{listen}}; server_name moved.test; return 302 $scheme://$server_name/new?from=$uri; }
server { listen {{listen}}; server_name perm.test; return 308 https://app.test$request_uri; }`,
    steps: [as('www.app.test', '/a/b?c=d'), as('OLD.app.test:81', '/x'), as('moved.test', '/p%20q?z=1'), as('perm.test', '/'), as('app.test', '/ok')],
    compare: { response: ['location'] },
    nginx: [
      { tries: '-', status: 301 },
      { tries: '-', status: 301 },
      { tries: '-', status: 302 },
      { tries: '-', status: 308 },
      { tries: 'a', status: 200 },
    ],
  },
  {
    name: "return 444 (a default server dropping unknown hosts, as gunicorn's example) closes the connection without a byte; the named host is proxied",
    from: 'gunicorn docs/deploy nginx example, issue 24 corpus',
    backends: { a: {} },
    http: `upstream ua { server {{a}}; }
server { listen {{listen}} default_server; return 444; }
server { listen {{listen}}; server_name app.test; location / { proxy_pass http://ua; } }`,
    steps: [
      as('unknown.test'),
      as('app.test', '/x'),
      { method: 'POST', path: '/form', headers: [['Host', 'other.test']], body: 'a=1' },
      {
        path: '/',
        headers: [
          ['Host', 'unknown.test'],
          ['Connection', 'keep-alive'],
        ],
      },
      as('APP.test:80', '/y'),
    ],
    compare: { path: true },
    nginx: [
      { tries: '-', status: CLOSED_WITHOUT_ANSWER },
      { tries: 'a', status: 200 },
      { tries: '-', status: CLOSED_WITHOUT_ANSWER },
      { tries: '-', status: CLOSED_WITHOUT_ANSWER },
      { tries: 'a', status: 200 },
    ],
  },
];
