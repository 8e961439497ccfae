/** @module Conformance scenarios: which location takes a request (prefix, =, ^~, regex order, nested), the path sent upstream, internal locations, X-Accel-Redirect and the slash redirect. */
import type { Scenario } from '../harness/scenario.js';
import { site } from './site.js';

const TWO_POOLS = `upstream ua { server {{a}}; }
upstream ub { server {{b}}; }
upstream uc { server {{c}}; }`;

export const ROUTING: Scenario[] = [
  {
    name: 'the longest matching prefix wins',
    from: 'http_location.t',
    backends: { a: {}, b: {}, c: {} },
    http: `${TWO_POOLS}
${site(`location / { proxy_pass http://ua; }
location /api/ { proxy_pass http://ub; }
location /api/v2/ { proxy_pass http://uc; }`)}`,
    steps: ['/', '/api/x', '/api/v2/x', '/api/v3/x', '/apix', '/API/x'],
    compare: { path: true },
    nginx: [{ tries: 'a' }, { tries: 'b' }, { tries: 'c' }, { tries: 'b' }, { tries: 'a' }, { tries: 'a' }],
  },
  {
    name: 'an exact location beats the prefixes; regexes beat prefixes unless ^~',
    from: 'http_location.t',
    backends: { a: {}, b: {}, c: {} },
    http: `${TWO_POOLS}
${site(`location / { proxy_pass http://ua; }
location = /exact { proxy_pass http://ub; }
location ^~ /static/ { proxy_pass http://ub; }
location /media/ { proxy_pass http://ua; }
location ~ \\.(png|jpg)$ { proxy_pass http://uc; }`)}`,
    steps: ['/exact', '/exact/', '/static/x.png', '/media/x.png', '/media/x.txt', '/x.PNG'],
  },
  {
    name: 'regexes are tried in order; ~* ignores case',
    from: 'http_location.t (regex)',
    backends: { a: {}, b: {}, c: {} },
    http: `${TWO_POOLS}
${site(`location / { proxy_pass http://ua; }
location ~* \\.php$ { proxy_pass http://ub; }
location ~ ^/admin/ { proxy_pass http://uc; }`)}`,
    steps: ['/index.php', '/INDEX.PHP', '/admin/x', '/admin/x.php', '/x.php5'],
  },
  {
    name: 'proxy_pass with a URI replaces the matched prefix; without one the path passes as sent',
    from: 'proxy.t',
    backends: { a: {}, b: {} },
    http: `upstream ua { server {{a}}; }
upstream ub { server {{b}}; }
${site(`location /api/ { proxy_pass http://ua/v1/; }
location /raw/ { proxy_pass http://ub; }
location /strip/ { proxy_pass http://ua/; }`)}`,
    steps: ['/api/users?id=7', '/api/', '/raw/a/b?c=d', '/strip/x/y', '/api/a%20b'],
    compare: { path: true },
  },
  {
    name: 'a request for the prefix without its slash is redirected (absolute, with the port)',
    from: 'http_absolute_redirect.t, issue 23 item 8',
    backends: { a: {} },
    http: `upstream u { server {{a}}; }
${site('location /api/ { proxy_pass http://u/; }')}`,
    steps: ['/api', '/api?x=1', '/api/'],
    compare: { response: ['location'] },
    nginx: [
      { tries: '-', status: 301, response: { location: 'http://localhost:{port}/api/' } },
      { tries: '-', status: 301, response: { location: 'http://localhost:{port}/api/?x=1' } },
      { tries: 'a', status: 200, response: { location: undefined } },
    ],
  },
  {
    name: 'the slash redirect uses the request Host (lowercase, without its port)',
    from: 'http_absolute_redirect.t, issue 23 item 8',
    backends: { a: {} },
    http: `upstream u { server {{a}}; }
${site('location /api/ { proxy_pass http://u/; }')}`,
    steps: [{ path: '/api', headers: [['Host', 'Shop.Example:8443']] }],
    compare: { response: ['location'] },
  },
  {
    name: 'no slash redirect when an exact location takes the path',
    from: 'ngx_http_core_module.c (auto_redirect)',
    backends: { a: {}, b: {} },
    http: `upstream ua { server {{a}}; }
upstream ub { server {{b}}; }
${site(`location /api/ { proxy_pass http://ua/; }
location = /api { proxy_pass http://ub; }`)}`,
    steps: ['/api', '/api/'],
  },
  {
    name: 'an internal location answers 404 to a client',
    from: 'http_internal (core), issue 23 item 4',
    backends: { a: {}, b: {} },
    http: `upstream ua { server {{a}}; }
upstream ub { server {{b}}; }
${site(`location / { proxy_pass http://ua; }
location /internal/ { internal; proxy_pass http://ub; }`)}`,
    steps: ['/internal/secret', '/public'],
    nginx: [
      { tries: '-', status: 404 },
      { tries: 'a', status: 200 },
    ],
  },
  {
    name: 'X-Accel-Redirect to an internal location is followed; the client sees the final answer',
    from: 'proxy_xar.t, issue 23 item 4',
    backends: {
      a: { byPath: { '/start': { headers: { 'x-accel-redirect': '/internal/file?q=1', 'x-app': 'first' }, body: 'first answer' } } },
      b: {},
    },
    http: `upstream ua { server {{a}}; }
upstream ub { server {{b}}; }
${site(`location / { proxy_pass http://ua; }
location /internal/ { internal; proxy_pass http://ub/files/; }`)}`,
    steps: ['/start'],
    compare: { path: true, body: true, response: ['x-accel-redirect', 'x-app'] },
    nginx: [{ tries: 'a>b', status: 200, path: ['/start', '/files/file?q=1'], body: 'b', response: { 'x-accel-redirect': undefined, 'x-app': undefined } }],
  },
  {
    name: 'X-Accel-Redirect to a public location is followed too',
    from: 'proxy_xar.t',
    backends: { a: { byPath: { '/go': { headers: { 'x-accel-redirect': '/other/page' } } } }, b: {} },
    http: `upstream ua { server {{a}}; }
upstream ub { server {{b}}; }
${site(`location / { proxy_pass http://ua; }
location /other/ { proxy_pass http://ub; }`)}`,
    steps: ['/go', '/other/page'],
    compare: { path: true, response: ['x-accel-redirect'] },
  },
  {
    name: 'X-Accel-Redirect on a POST continues as a GET (the request body goes along)',
    from: 'proxy_xar.t (method)',
    backends: { a: { byPath: { '/upload': { headers: { 'x-accel-redirect': '/internal/done' } } } }, b: {} },
    http: `upstream ua { server {{a}}; }
upstream ub { server {{b}}; }
${site(`location / { proxy_pass http://ua; }
location /internal/ { internal; proxy_pass http://ub; }`)}`,
    steps: [{ method: 'POST', path: '/upload', body: 'payload' }],
    compare: { path: true, method: true, request: ['content-length'] },
  },
  {
    name: 'nested locations: the inner one takes its paths, the outer the rest',
    from: 'http_location.t (nested), issue 23 item 7',
    backends: { a: {}, b: {} },
    http: `upstream ua { server {{a}}; }
upstream ub { server {{b}}; }
${site(`location /a/ {
    proxy_pass http://ua;
    location /a/b/ { proxy_pass http://ub; }
}`)}`,
    steps: ['/a/x', '/a/b/x', '/a/bx'],
    nginx: [{ tries: 'a' }, { tries: 'b' }, { tries: 'a' }],
  },
  {
    name: 'nested locations inherit the outer proxy settings',
    from: 'ngx_http_proxy_module.c (merge), issue 23 item 7',
    backends: { a: { reply: { status: 502 } }, b: {} },
    http: `upstream u { server {{a}}; server {{b}}; }
${site(`location /api/ {
    proxy_next_upstream error http_502;
    proxy_set_header X-Tier outer;
    proxy_pass http://u;
    location /api/inner/ { proxy_pass http://u; }
}`)}`,
    steps: ['/api/inner/x', '/api/inner/y'],
    compare: { request: ['x-tier'] },
  },
  {
    name: 'locations match the decoded, normalised path; the path sent depends on the proxy_pass URI',
    from: 'http_uri.t, proxy.t (URI normalisation)',
    backends: { a: {}, b: {}, c: {} },
    http: `${TWO_POOLS}
${site(`location / { proxy_pass http://uc; }
location /api/ { proxy_pass http://ua/v1/; }
location /raw/ { proxy_pass http://ub; }`)}`,
    steps: ['/%61pi/x', '/api//x', '/api/./y', '/x/../api/z', '/raw/%61//b/../c', '/api/a%2Fb', '/api/%7Euser'],
    compare: { path: true },
  },
];
