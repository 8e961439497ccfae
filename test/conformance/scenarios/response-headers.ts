/** @module Conformance scenarios: what the client gets back (hidden upstream headers, proxy_pass_header/proxy_hide_header, add_header, error_page, proxy_redirect). */
import type { Scenario } from '../harness/scenario.js';
import { site } from './site.js';

const ONE = 'upstream u { server {{a}}; }';
const ACCEL = ['x-accel-buffering', 'x-accel-charset', 'x-accel-limit-rate', 'x-accel-expires', 'x-pad'];
const PAGE = '<!doctype html><h1>down for a moment</h1>\n';

export const RESPONSE_HEADERS: Scenario[] = [
  {
    name: 'X-Accel-* and X-Pad from the upstream are hidden',
    from: 'proxy_xar.t, ngx_http_proxy_module.c (hide headers), issue 23 item 5',
    backends: {
      a: {
        reply: {
          headers: {
            'x-accel-buffering': 'no',
            'x-accel-charset': 'utf-8',
            'x-accel-limit-rate': '1000000',
            'x-accel-expires': '0',
            'x-pad': 'avoid browser bug',
            'x-app': 'kept',
          },
        },
      },
    },
    http: `${ONE}
${site('location / { proxy_pass http://u; }')}`,
    steps: ['/'],
    compare: { response: [...ACCEL, 'x-app'] },
    nginx: [{ response: { ...Object.fromEntries(ACCEL.map((h) => [h, undefined])), 'x-app': 'kept' } }],
  },
  {
    name: "the upstream's Server and Date are replaced by the proxy's",
    from: 'ngx_http_proxy_module.c (hide headers), issue 23 item 5',
    backends: { a: {} },
    http: `${ONE}
${site('location / { proxy_pass http://u; }')}`,
    steps: ['/'],
    compare: { response: ['server', 'date'] },
    nginx: [{ response: { server: '<not upstream>', date: '<own>' } }],
  },
  {
    name: "proxy_pass_header Server and Date pass the upstream's",
    from: 'ngx_http_proxy_module.c (proxy_pass_header)',
    backends: { a: {} },
    http: `${ONE}
${site('location / { proxy_pass http://u; proxy_pass_header Server; proxy_pass_header Date; proxy_pass_header X-Accel-Buffering; }')}`,
    steps: [{ path: '/' }],
    compare: { response: ['server', 'date'] },
  },
  {
    name: 'proxy_hide_header hides a header; others pass (Set-Cookie twice, Cache-Control)',
    from: 'ngx_http_proxy_module.c (proxy_hide_header)',
    backends: {
      a: { reply: { headers: { 'x-powered-by': 'php', 'set-cookie': ['a=1; Path=/', 'b=2; Path=/'], 'cache-control': 'no-store', 'x-app': 'kept' } } },
    },
    http: `${ONE}
${site('location / { proxy_pass http://u; proxy_hide_header X-Powered-By; }')}`,
    steps: ['/'],
    compare: { response: ['x-powered-by', 'set-cookie', 'cache-control', 'x-app'] },
  },
  {
    name: 'add_header applies to 2xx/3xx answers only, unless always',
    from: 'headers.t',
    backends: { a: { byPath: { '/err': { status: 500 }, '/gone': { status: 404 } } } },
    http: `${ONE}
${site('location / { proxy_pass http://u; add_header X-Frame-Options DENY; add_header X-Always yes always; }')}`,
    steps: ['/', '/err', '/gone'],
    compare: { response: ['x-frame-options', 'x-always'] },
  },
  {
    name: 'proxy_redirect default rewrites an upstream Location to the location prefix',
    from: 'proxy_redirect.t',
    backends: { a: { byPath: { '/v1/old': { status: 302, headers: { location: 'http://u/v1/new' } } } } },
    http: `${ONE}
${site('location /api/ { proxy_pass http://u/v1/; }')}`,
    steps: ['/api/old'],
    compare: { response: ['location'] },
  },
  {
    name: 'error_page with proxy_intercept_errors serves the page for an upstream 503 and for 502',
    from: 'http_error_page.t, proxy_intercept_errors',
    backends: { a: { byPath: { '/busy': { status: 503, body: 'upstream busy page' } } }, gone: 'refused' },
    http: `${ONE}
upstream gone { server {{gone}}; }
${site(`proxy_intercept_errors on;
error_page 502 503 /50x.html;
location /app/ { proxy_pass http://u/; }
location /gone/ { proxy_pass http://gone/; }
location = /50x.html { root {{root}}; }`)}`,
    files: { '50x.html': PAGE },
    steps: ['/app/ok', '/app/busy', '/gone/x'],
    compare: { body: true },
    nginx: [
      { tries: 'a', status: 200, body: 'a' },
      { tries: 'a', status: 503, body: PAGE },
      { tries: '-', status: 502, body: PAGE },
    ],
  },
  {
    name: "error_page without proxy_intercept_errors leaves the upstream's error answer alone",
    from: 'http_error_page.t',
    backends: { a: { reply: { status: 503, body: 'upstream busy page' } } },
    http: `${ONE}
${site(`error_page 503 /50x.html;
location / { proxy_pass http://u; }
location = /50x.html { root {{root}}; }`)}`,
    files: { '50x.html': PAGE },
    steps: ['/'],
    compare: { body: true },
  },
  {
    name: 'error_page = changes the status to the page answer',
    from: 'http_error_page.t (=code)',
    backends: { gone: 'refused' },
    http: `upstream gone { server {{gone}}; }
${site(`error_page 502 =503 /50x.html;
location / { proxy_pass http://gone; }
location = /50x.html { root {{root}}; }`)}`,
    files: { '50x.html': PAGE },
    steps: ['/'],
    compare: { body: true },
  },
  {
    name: 'add_header and proxy_hide_header of a location replace the server ones (inherited as a whole)',
    from: 'ngx_http_headers_filter_module.c, ngx_http_proxy_module.c (merge)',
    backends: { a: { reply: { headers: { 'x-one': '1', 'x-two': '2' } } } },
    http: `${ONE}
server {
    listen {{listen}};
    add_header X-Site main;
    proxy_hide_header X-One;
    location / { proxy_pass http://u; }
    location /own/ { proxy_pass http://u; add_header X-Own yes; proxy_hide_header X-Two; }
}`,
    steps: ['/', '/own/x'],
    compare: { response: ['x-site', 'x-own', 'x-one', 'x-two'] },
  },
  {
    name: 'a HEAD answer keeps the upstream Content-Length and has no body',
    from: 'proxy.t (HEAD)',
    backends: { a: { reply: { headers: { 'content-length': '5' }, body: '' } } },
    http: `${ONE}
${site('location / { proxy_pass http://u; }')}`,
    steps: [{ method: 'HEAD', path: '/' }],
    compare: { response: ['content-length'], body: true },
  },
];
