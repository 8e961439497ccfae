/** @module Conformance scenarios: limit_req, limit_conn, allow/deny, auth_basic and satisfy (issue 24 item 4), with nginx's own answers; client_max_body_size in a nested location; proxy_buffering off. */
import type { RequestSpec, Scenario } from '../harness/scenario.js';
import { site } from './site.js';

const ONE = 'upstream u { server {{a}}; }';
const auth = (user: string, password: string): Array<[string, string]> => [['Authorization', `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`]];
const get = (path: string, extra: Partial<RequestSpec> = {}): RequestSpec => ({ path, ...extra });

/**
 * Made with `htpasswd -nbB alice wonderland`, `htpasswd -nbm bob builder`, `htpasswd -nbs erin secret`,
 * `openssl passwd -6 -salt saltsalt carol1` and `openssl passwd -5 -salt pepper dave2` (the unit tests make fresh ones).
 */
const HTPASSWD = `# users of the scenarios
alice:$2y$05$rE4fKqegPX.h2ec0KvPO1uPf0lFmPDLrEr.FdYAI.boxW.b6Wzfou
bob:$apr1$U2G9avzv$ee4xARLJzIGdE0UZnvIW9/
carol:$6$saltsalt$y2ly8Tu10xbIV8rwQ3TlBXtIYUx9WZkRtOv6cUHfpeuDwvUzAcFtP3hJze0I0bhsnbvQhc3arotD4QQFpgktz.
dave:$5$pepper$o7bY/kwoiN9M/sLXlqbSmDbd/bNHARD/wXCv6p3pP6B:a comment
erin:{SHA}5en6G6MezRroT3XKqkdPOmY/BfQ=
frank:{PLAIN}plain
`;

export const REQUEST_LIMITS: Scenario[] = [
  {
    name: 'limit_req rate=1r/m burst=0 nodelay: the first request passes, the second in the minute gets 503 with nginx page',
    from: 'limit_req.t, issue 24 item 4',
    backends: { a: {} },
    http: `${ONE}
server_tokens off;
limit_req_zone $binary_remote_addr zone=one:1m rate=1r/m;
${site('location / { proxy_pass http://u; limit_req zone=one nodelay; }\n    location /free/ { proxy_pass http://u; }')}`,
    steps: ['/', '/', '/free/x', '/'],
    compare: { body: true, response: ['content-type'] },
    nginx: [
      { tries: 'a', status: 200 },
      { tries: '-', status: 503 },
      { tries: 'a', status: 200 },
      { tries: '-', status: 503 },
    ],
  },
  {
    name: 'limit_req burst=2 nodelay: three at once pass, the fourth is refused; another client address has its own state',
    from: 'limit_req.t, issue 24 item 4',
    backends: { a: {} },
    http: `${ONE}
server_tokens off;
limit_req_zone $binary_remote_addr zone=one:1m rate=1r/m;
${site('location / { proxy_pass http://u; limit_req zone=one burst=2 nodelay; }')}`,
    steps: ['/', '/', '/', '/', get('/', { from: '127.0.0.2' })],
    nginx: [
      { tries: 'a', status: 200 },
      { tries: 'a', status: 200 },
      { tries: 'a', status: 200 },
      { tries: '-', status: 503 },
      { tries: 'a', status: 200 },
    ],
  },
  {
    name: 'limit_req_status 429 (server level, inherited), two limit_req in one location both apply',
    from: 'limit_req2.t, issue 24 item 4',
    backends: { a: {} },
    http: `${ONE}
server_tokens off;
limit_req_zone $binary_remote_addr zone=one:1m rate=1r/m;
limit_req_zone $uri zone=uri:1m rate=1r/m;
server {
    listen {{listen}};
    server_name localhost;
    limit_req_status 429;
    location / { proxy_pass http://u; limit_req zone=one burst=5 nodelay; limit_req zone=uri nodelay; }
}`,
    steps: ['/a', '/a', '/b', '/c'],
    compare: { body: true, response: ['content-type'] },
    nginx: [
      { tries: 'a', status: 200 },
      { tries: '-', status: 429 },
      { tries: 'a', status: 200 },
      { tries: 'a', status: 200 },
    ],
  },
  {
    name: 'limit_req_dry_run on: counted, never refused',
    from: 'ngx_http_limit_req_module docs',
    backends: { a: {} },
    http: `${ONE}
limit_req_zone $binary_remote_addr zone=one:1m rate=1r/m;
${site('location / { proxy_pass http://u; limit_req zone=one nodelay; limit_req_dry_run on; }')}`,
    steps: ['/', '/', '/'],
    nginx: [
      { tries: 'a', status: 200 },
      { tries: 'a', status: 200 },
      { tries: 'a', status: 200 },
    ],
  },
  {
    name: 'limit_conn 1: a second request while one is in progress gets 503; another location and another address pass',
    from: 'limit_conn.t, issue 24 item 4',
    backends: { a: { byPath: { '/slow': 'hang' } } },
    http: `${ONE}
server_tokens off;
limit_conn_zone $binary_remote_addr zone=addr:1m;
${site('location / { proxy_pass http://u; limit_conn addr 1; }\n    location /free/ { proxy_pass http://u; }')}`,
    steps: [get('/slow', { hold: true }), '/x', '/free/x', get('/y', { from: '127.0.0.2' })],
    compare: { body: true },
    nginx: [
      { tries: 'a...', status: 'held' },
      { tries: '-', status: 503 },
      { tries: 'a', status: 200 },
      { tries: 'a', status: 200 },
    ],
  },
  {
    name: 'allow/deny: first match wins, CIDR ranges, IPv6 rules do not match IPv4 clients, 403 page; an inner level replaces the list',
    from: 'access.t, issue 24 item 4',
    backends: { a: {} },
    http: `${ONE}
server_tokens off;
server {
    listen {{listen}};
    server_name localhost;
    deny ::1;
    allow 127.0.0.2;
    deny 127.0.0.0/8;
    location / { proxy_pass http://u; }
    location /inner/ { proxy_pass http://u; allow 127.0.0.0/31; deny all; }
}`,
    steps: [get('/', { from: '127.0.0.1' }), get('/', { from: '127.0.0.2' }), get('/inner/', { from: '127.0.0.1' }), get('/inner/', { from: '127.0.0.2' })],
    compare: { body: true, response: ['content-type'] },
    nginx: [
      { tries: '-', status: 403 },
      { tries: 'a', status: 200 },
      { tries: 'a', status: 200 },
      { tries: '-', status: 403 },
    ],
  },
  {
    name: 'auth_basic: 401 with WWW-Authenticate without or with a wrong password; bcrypt, apr1, SHA-crypt, {SHA}, {PLAIN} users pass; auth_basic off inside',
    from: 'auth_basic.t, issue 24 item 4',
    backends: { a: {} },
    files: { htpasswd: HTPASSWD },
    http: `${ONE}
server_tokens off;
server {
    listen {{listen}};
    server_name localhost;
    auth_basic "Staff only";
    auth_basic_user_file {{root}}/htpasswd;
    location / { proxy_pass http://u; }
    location /public/ { proxy_pass http://u; auth_basic off; }
}`,
    steps: [
      '/',
      get('/', { headers: auth('alice', 'wonderland') }),
      get('/', { headers: auth('alice', 'wrong') }),
      get('/', { headers: auth('bob', 'builder') }),
      get('/', { headers: auth('carol', 'carol1') }),
      get('/', { headers: auth('dave', 'dave2') }),
      get('/', { headers: auth('erin', 'secret') }),
      get('/', { headers: auth('frank', 'plain') }),
      get('/', { headers: auth('nobody', 'x') }),
      get('/', { headers: [['Authorization', 'Bearer abc']] }),
      '/public/x',
    ],
    compare: { body: true, response: ['www-authenticate', 'content-type'] },
    nginx: [
      { tries: '-', status: 401, response: { 'www-authenticate': 'Basic realm="Staff only"', 'content-type': 'text/html' } },
      { tries: 'a', status: 200 },
      { tries: '-', status: 401 },
      { tries: 'a', status: 200 },
      { tries: 'a', status: 200 },
      { tries: 'a', status: 200 },
      { tries: 'a', status: 200 },
      { tries: 'a', status: 200 },
      { tries: '-', status: 401 },
      { tries: '-', status: 401 },
      { tries: 'a', status: 200 },
    ],
  },
  {
    name: 'satisfy any: an allowed address needs no password, another needs it; satisfy all: both, a denied address gets 403 first',
    from: 'auth_basic.t, ngx_http_core_access_phase, issue 24 item 4',
    backends: { a: {} },
    files: { htpasswd: HTPASSWD },
    http: `${ONE}
server_tokens off;
server {
    listen {{listen}};
    server_name localhost;
    auth_basic "Staff only";
    auth_basic_user_file {{root}}/htpasswd;
    allow 127.0.0.2;
    deny all;
    location /any/ { proxy_pass http://u; satisfy any; }
    location /all/ { proxy_pass http://u; }
}`,
    steps: [
      get('/any/', { from: '127.0.0.2' }),
      get('/any/', { from: '127.0.0.1' }),
      get('/any/', { from: '127.0.0.1', headers: auth('frank', 'plain') }),
      get('/all/', { from: '127.0.0.1', headers: auth('frank', 'plain') }),
      get('/all/', { from: '127.0.0.2' }),
      get('/all/', { from: '127.0.0.2', headers: auth('frank', 'plain') }),
    ],
    compare: { response: ['www-authenticate'] },
    nginx: [
      { tries: 'a', status: 200 },
      { tries: '-', status: 401 },
      { tries: 'a', status: 200 },
      { tries: '-', status: 403 },
      { tries: '-', status: 401 },
      { tries: 'a', status: 200 },
    ],
  },
  {
    name: 'client_max_body_size in a nested location applies to it (and its own nested ones inherit it)',
    from: 'ngx_http_core_module (client_max_body_size merge), issue 24 item 5',
    backends: { a: {} },
    http: `${ONE}
server_tokens off;
${site(`location / {
        proxy_pass http://u;
        client_max_body_size 2k;
        location /small/ { proxy_pass http://u; client_max_body_size 100; location /small/deeper/ { proxy_pass http://u; } }
    }`)}`,
    steps: [
      { method: 'POST', path: '/x', body: 'x'.repeat(2048) },
      { method: 'POST', path: '/small/x', body: 'x'.repeat(101) },
      { method: 'POST', path: '/small/x', body: 'x'.repeat(100) },
      { method: 'POST', path: '/small/deeper/x', body: 'x'.repeat(101) },
    ],
    nginx: [
      { tries: 'a', status: 200 },
      { tries: '-', status: 413 },
      { tries: 'a', status: 200 },
      { tries: '-', status: 413 },
    ],
  },
  {
    name: 'proxy_buffering off: the answer passes as it is, X-Accel-Buffering from the upstream is not shown to the client',
    from: 'ngx_http_proxy_module docs (proxy_buffering, X-Accel-Buffering), issue 24 item 4',
    backends: { a: { reply: { headers: { 'x-accel-buffering': 'yes', 'x-app': 'kept' }, body: 'streamed body' } } },
    http: `${ONE}
${site('location / { proxy_pass http://u; proxy_buffering off; }')}`,
    steps: ['/'],
    compare: { body: true, response: ['x-accel-buffering', 'x-app'] },
    nginx: [{ tries: 'a', status: 200, response: { 'x-accel-buffering': undefined, 'x-app': 'kept' } }],
  },
];
