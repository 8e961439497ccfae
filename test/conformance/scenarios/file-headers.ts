/** @module Conformance scenarios: nginx's add_header and expires on a location's own answers (`return`, rewrite redirects) and on proxied ones, inherited from the server level. */
import type { Scenario } from '../harness/scenario.js';
import { site } from './site.js';

const ONE = 'upstream u { server {{a}}; }';

export const FILE_HEADERS: Scenario[] = [
  {
    name: "add_header and expires on a location's return (2xx, 3xx; a 4xx only with always)",
    from: 'ngx_http_headers_filter_module.c (safe_status, expires epoch / max)',
    backends: { a: {} },
    http: `${ONE}
${site(`location / { proxy_pass http://u; }
    location = /ok { return 200 "ok"; expires max; add_header Cache-Control public; add_header X-A a; }
    location = /moved { return 302 /ok; expires epoch; add_header X-A a; }
    location = /gone { return 410 "gone"; expires max; add_header X-A a; add_header X-Always yes always; }
    location /old/ { rewrite ^/old/(.*)$ /new/$1 permanent; add_header X-A a; }`)}`,
    steps: ['/ok', '/moved', '/gone', '/old/x'],
    compare: { response: ['cache-control', 'expires', 'x-a', 'x-always'] },
    nginx: [
      { response: { 'cache-control': 'max-age=315360000, public', expires: 'Thu, 31 Dec 2037 23:55:55 GMT', 'x-a': 'a', 'x-always': undefined } },
      { response: { 'cache-control': 'no-cache', expires: 'Thu, 01 Jan 1970 00:00:01 GMT', 'x-a': 'a', 'x-always': undefined } },
      { response: { 'cache-control': undefined, expires: undefined, 'x-a': undefined, 'x-always': 'yes' } },
      { response: { 'cache-control': undefined, expires: undefined, 'x-a': 'a', 'x-always': undefined } },
    ],
  },
  {
    name: "expires replaces a proxied answer's Cache-Control; the server's add_header is inherited unless the location has its own",
    from: 'ngx_http_headers_filter_module.c (ngx_http_set_expires, merge_conf)',
    backends: { a: { reply: { headers: { 'cache-control': 'no-store', 'x-app': 'kept' } } } },
    http: `${ONE}
${site(`add_header Strict-Transport-Security "max-age=63072000";
    location / { proxy_pass http://u; }
    location /static/ { proxy_pass http://u; expires max; add_header Cache-Control public; }
    location /neg/ { proxy_pass http://u; expires -1h; }`)}`,
    steps: ['/', '/static/a.css', '/neg/a'],
    compare: { response: ['cache-control', 'strict-transport-security', 'x-app'] },
    nginx: [
      { response: { 'cache-control': 'no-store', 'strict-transport-security': 'max-age=63072000', 'x-app': 'kept' } },
      { response: { 'cache-control': 'max-age=315360000, public', 'strict-transport-security': undefined, 'x-app': 'kept' } },
      { response: { 'cache-control': 'no-cache', 'strict-transport-security': 'max-age=63072000', 'x-app': 'kept' } },
    ],
  },
];
