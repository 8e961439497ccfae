/** @module Conformance scenarios: client_max_body_size at http, server and location level, for a Content-Length and a chunked body. */
import type { RequestSpec, Scenario } from '../harness/scenario.js';

/** A body sent as chunks of the given sizes (the harness writes it as it is, framing included). */
function chunked(path: string, ...sizes: number[]): RequestSpec {
  const body = sizes.map((n, i) => `${n.toString(16)}\r\n${String.fromCharCode(97 + i).repeat(n)}\r\n`).join('') + '0\r\n\r\n';
  return { method: 'POST', path, headers: [['Transfer-Encoding', 'chunked']], body };
}

const post = (path: string, size: number): RequestSpec => ({ method: 'POST', path, body: 'x'.repeat(size) });

export const BODY_LIMITS: Scenario[] = [
  {
    name: 'client_max_body_size: 413 for a Content-Length or a chunked body over the limit, before any upstream; location level wins, 0 is no limit',
    from: 'http_body.t, issue 24 item 4',
    backends: { a: {} },
    http: `upstream u { server {{a}}; }
server_tokens off;
client_max_body_size 100;
server {
    listen {{listen}};
    server_name localhost;
    location / { proxy_pass http://u; }
    location /big/ { proxy_pass http://u; client_max_body_size 1k; }
    location /free/ { proxy_pass http://u; client_max_body_size 0; }
}`,
    steps: [
      post('/', 100),
      post('/', 101),
      chunked('/', 60, 60),
      chunked('/', 50, 50),
      post('/big/x', 1024),
      post('/big/x', 1025),
      chunked('/big/x', 1000, 100),
      post('/free/x', 3000),
    ],
    compare: { body: true, response: ['content-type'] },
    nginx: [
      { tries: 'a', status: 200 },
      { tries: '-', status: 413 },
      { tries: '-', status: 413 },
      { tries: 'a', status: 200 },
      { tries: 'a', status: 200 },
      { tries: '-', status: 413 },
      { tries: '-', status: 413 },
      { tries: 'a', status: 200 },
    ],
  },
  {
    name: "client_max_body_size defaults to nginx's 1m in an imported config",
    from: 'ngx_http_core_module docs, issue 24 item 4',
    backends: { a: {} },
    http: `upstream u { server {{a}}; }
server { listen {{listen}}; server_name localhost; location / { proxy_pass http://u; } }`,
    steps: [post('/', 1024 * 1024), post('/', 1024 * 1024 + 1)],
    nginx: [
      { tries: 'a', status: 200 },
      { tries: '-', status: 413 },
    ],
  },
];
