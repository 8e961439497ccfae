/** @module Conformance scenarios: the request headers a backend receives (Host, X-Forwarded-*, proxy_set_header and its inheritance, duplicates), after nginx-tests proxy.t and http_host.t. */
import type { Scenario } from '../harness/scenario.js';
import { site } from './site.js';

const ONE = 'upstream u { server {{a}}; }';
const FORWARDING = ['x-forwarded-for', 'x-forwarded-proto', 'x-forwarded-host', 'x-real-ip'];

export const REQUEST_HEADERS: Scenario[] = [
  {
    name: 'default Host is $proxy_host: the upstream name',
    from: 'proxy.t, issue 23 item 2',
    backends: { a: {} },
    http: `upstream backend.internal { server {{a}}; }
${site('location / { proxy_pass http://backend.internal; }')}`,
    steps: ['/'],
    compare: { request: ['host'] },
    nginx: [{ request: [{ host: 'backend.internal' }] }],
  },
  {
    name: 'default Host of an implicit pool is its host:port',
    from: 'proxy.t',
    backends: { a: {} },
    http: site('location / { proxy_pass http://{{a}}; }'),
    steps: ['/'],
    compare: { request: ['host'] },
    nginx: [{ request: [{ host: '{a}' }] }],
  },
  {
    name: 'proxy_set_header Host with a literal name',
    from: 'proxy.t, issue 23 item 3',
    backends: { a: {} },
    http: `${ONE}
${site('location / { proxy_pass http://u; proxy_set_header Host internal.example; }')}`,
    steps: ['/'],
    compare: { request: ['host'] },
    nginx: [{ request: [{ host: 'internal.example' }] }],
  },
  {
    name: 'proxy_set_header Host $host: lowercase, without the port',
    from: 'http_host.t, issue 23 item 6',
    backends: { a: {} },
    http: `${ONE}
${site('location / { proxy_pass http://u; proxy_set_header Host $host; }')}`,
    steps: [{ path: '/', headers: [['Host', 'Shop.EXAMPLE:8080']] }, '/'],
    compare: { request: ['host'] },
  },
  {
    name: 'proxy_set_header Host $http_host: verbatim',
    from: 'http_host.t',
    backends: { a: {} },
    http: `${ONE}
${site('location / { proxy_pass http://u; proxy_set_header Host $http_host; }')}`,
    steps: [{ path: '/', headers: [['Host', 'Shop.EXAMPLE:8080']] }],
    compare: { request: ['host'] },
  },
  {
    name: 'no forwarding headers unless configured; the client X-Forwarded-For passes untouched',
    from: 'proxy.t, issue 23 item 6',
    backends: { a: {} },
    http: `${ONE}
${site('location / { proxy_pass http://u; }')}`,
    steps: ['/', { path: '/', headers: [['X-Forwarded-For', '203.0.113.7']] }],
    compare: { request: FORWARDING },
  },
  {
    name: '$proxy_add_x_forwarded_for appends the client address to its chain',
    from: 'ngx_http_proxy_module.c, issue 23 item 6',
    backends: { a: {} },
    http: `${ONE}
${site('location / { proxy_pass http://u; proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for; }')}`,
    steps: ['/', { path: '/', headers: [['X-Forwarded-For', '203.0.113.7, 198.51.100.1']] }, { path: '/', from: '127.0.9.9' }],
    compare: { request: ['x-forwarded-for'] },
  },
  {
    name: 'X-Real-IP $remote_addr, X-Forwarded-Proto $scheme, X-Forwarded-Host $host',
    from: 'proxy.t, issue 23 item 6',
    backends: { a: {} },
    http: `${ONE}
${site(`location / {
    proxy_pass http://u;
    proxy_set_header X-Real-IP $remote_addr;
    proxy_set_header X-Forwarded-Proto $scheme;
    proxy_set_header X-Forwarded-Host $host;
}`)}`,
    steps: [
      {
        path: '/',
        from: '127.0.7.7',
        headers: [
          ['Host', 'WWW.Example.com:81'],
          ['X-Real-IP', '6.6.6.6'],
        ],
      },
    ],
    compare: { request: FORWARDING },
  },
  {
    name: 'a literal proxy_set_header reaches the backend; a location list replaces the server list',
    from: 'ngx_http_proxy_module.c (proxy_set_header inheritance)',
    backends: { a: {} },
    http: `${ONE}
server {
    listen {{listen}};
    proxy_set_header X-Site main;
    proxy_set_header X-Env prod;
    location / { proxy_pass http://u; }
    location /own/ { proxy_pass http://u; proxy_set_header X-Own yes; }
}`,
    steps: ['/', '/own/x'],
    compare: { request: ['x-site', 'x-env', 'x-own'] },
  },
  {
    name: 'proxy_set_header NAME "" removes a client header',
    from: 'ngx_http_proxy_module.c (empty value)',
    backends: { a: {} },
    http: `${ONE}
${site('location / { proxy_pass http://u; proxy_set_header Accept-Encoding ""; proxy_set_header X-Secret ""; }')}`,
    steps: [
      {
        path: '/',
        headers: [
          ['Accept-Encoding', 'gzip'],
          ['X-Secret', 's3cr3t'],
          ['X-Keep', 'k'],
        ],
      },
    ],
    compare: { request: ['accept-encoding', 'x-secret', 'x-keep'] },
  },
  {
    name: 'client headers pass through (repeats kept, names any case)',
    from: 'proxy.t',
    backends: { a: {} },
    http: `${ONE}
${site('location / { proxy_pass http://u; }')}`,
    steps: [
      {
        path: '/',
        headers: [
          ['X-Custom', 'one'],
          ['x-custom', 'two'],
          ['Cookie', 'a=1'],
          ['Authorization', 'Bearer t'],
          ['User-Agent', 'conformance/1'],
          ['Accept', '*/*'],
        ],
      },
    ],
    compare: { request: ['x-custom', 'cookie', 'authorization', 'user-agent', 'accept'] },
    nginx: [{ request: [{ 'x-custom': 'one | two', cookie: 'a=1', authorization: 'Bearer t', 'user-agent': 'conformance/1', accept: '*/*' }] }],
    deliberate: {
      id: 'repeated-headers-joined',
      switchyard: [{ request: [{ 'x-custom': 'one, two', cookie: 'a=1', authorization: 'Bearer t', 'user-agent': 'conformance/1', accept: '*/*' }] }],
    },
  },
  {
    name: 'hop-by-hop request headers are not forwarded (Keep-Alive, TE, Proxy-Connection)',
    from: 'ngx_http_proxy_module.c (ngx_http_proxy_headers)',
    backends: { a: {} },
    http: `${ONE}
${site('location / { proxy_pass http://u; }')}`,
    steps: [
      {
        path: '/',
        headers: [
          ['Connection', 'close'],
          ['Keep-Alive', 'timeout=5'],
          ['TE', 'trailers'],
          ['Proxy-Connection', 'keep-alive'],
          ['X-Listed', 'kept?'],
        ],
      },
    ],
    compare: { request: ['keep-alive', 'te', 'proxy-connection', 'x-listed'] },
    nginx: [{ request: [{ 'keep-alive': undefined, te: undefined, 'proxy-connection': 'keep-alive', 'x-listed': 'kept?' }] }],
    deliberate: {
      id: 'proxy-connection-dropped',
      switchyard: [{ request: [{ 'keep-alive': undefined, te: undefined, 'proxy-connection': undefined, 'x-listed': 'kept?' }] }],
    },
  },
  {
    name: 'a header named in Connection is still forwarded by nginx',
    from: 'ngx_http_proxy_module.c (Connection tokens are not honoured)',
    backends: { a: {} },
    http: `${ONE}
${site('location / { proxy_pass http://u; }')}`,
    steps: [
      {
        path: '/',
        headers: [
          ['Connection', 'close, X-Listed'],
          ['X-Listed', 'value'],
        ],
      },
    ],
    compare: { request: ['x-listed'] },
    nginx: [{ request: [{ 'x-listed': 'value' }] }],
    deliberate: { id: 'connection-listed-dropped', switchyard: [{ request: [{ 'x-listed': undefined }] }] },
  },
  {
    name: 'two Host headers: 400 without a try',
    from: 'http_host.t (duplicate), issue 23 item 10',
    backends: { a: {} },
    http: `${ONE}
${site('location / { proxy_pass http://u; }')}`,
    steps: [
      {
        path: '/',
        headers: [
          ['Host', 'one.example'],
          ['Host', 'two.example'],
        ],
      },
      '/',
    ],
    nginx: [
      { tries: '-', status: 400 },
      { tries: 'a', status: 200 },
    ],
  },
  {
    name: 'the request body and its length reach the backend',
    from: 'proxy.t (body)',
    backends: { a: {} },
    http: `${ONE}
${site('location / { proxy_pass http://u; }')}`,
    steps: [{ method: 'POST', path: '/submit', body: 'hello=world', headers: [['Content-Type', 'application/x-www-form-urlencoded']] }],
    compare: { request: ['content-length', 'content-type', 'transfer-encoding'] },
  },
];

export const REQUEST_FRAMING: Scenario[] = [
  {
    name: 'Expect: 100-continue is answered by the proxy and not forwarded',
    from: 'ngx_http_proxy_module.c (ngx_http_proxy_headers: Expect "")',
    backends: { a: {} },
    http: `${ONE}
${site('location / { proxy_pass http://u; }')}`,
    steps: [{ method: 'POST', path: '/', body: 'data', headers: [['Expect', '100-continue']] }],
    compare: { request: ['expect', 'content-length'] },
  },
  {
    name: 'a chunked request body reaches the backend (nginx buffers it and sends its length)',
    from: 'proxy_chunked.t, proxy_request_buffering on',
    backends: { a: {} },
    http: `${ONE}
${site('location / { proxy_pass http://u; }')}`,
    steps: [{ method: 'POST', path: '/', headers: [['Transfer-Encoding', 'chunked']], body: '5\r\nhello\r\n0\r\n\r\n' }],
    compare: { request: ['content-length', 'transfer-encoding'] },
    // An imported config has nginx's client_max_body_size (1m): a chunked body within it is read whole
    // first and sent with its length, as nginx (a JS config without maxBodySize streams it).
    nginx: [{ tries: 'a', status: 200, request: [{ 'content-length': '5', 'transfer-encoding': undefined }] }],
  },
  {
    name: 'a request with both Content-Length and Transfer-Encoding is refused: 400',
    from: 'http_request.t (smuggling)',
    backends: { a: {} },
    http: `${ONE}
${site('location / { proxy_pass http://u; }')}`,
    steps: [
      {
        method: 'POST',
        path: '/',
        headers: [
          ['Content-Length', '5'],
          ['Transfer-Encoding', 'chunked'],
        ],
        body: '0\r\n\r\n',
      },
    ],
  },
  {
    name: 'a header name with an underscore is dropped (underscores_in_headers off)',
    from: 'ngx_http_core_module.c (underscores_in_headers, ignore_invalid_headers)',
    backends: { a: {} },
    http: `${ONE}
${site('location / { proxy_pass http://u; }')}`,
    steps: [
      {
        path: '/',
        headers: [
          ['X_Under', 'u'],
          ['X-Dash', 'd'],
        ],
      },
    ],
    compare: { request: ['x_under', 'x-dash'] },
  },
  {
    name: 'methods pass as sent (HEAD, OPTIONS, DELETE, a WebDAV one)',
    from: 'proxy.t (methods)',
    backends: { a: {} },
    http: `${ONE}
${site('location / { proxy_pass http://u; }')}`,
    steps: [
      { method: 'HEAD', path: '/' },
      { method: 'OPTIONS', path: '/' },
      { method: 'DELETE', path: '/' },
      { method: 'PROPFIND', path: '/' },
    ],
    compare: { method: true },
  },
  {
    name: 'an absolute-form request target: its host is $host',
    from: 'http_host.t (absolute URI)',
    backends: { a: {} },
    http: `${ONE}
${site('location / { proxy_pass http://u; proxy_set_header Host $host; }')}`,
    steps: [{ path: 'http://Other.Example/x?y=1', headers: [['Host', 'localhost']] }],
    compare: { request: ['host'], path: true },
  },
];
