/** @module Conformance scenarios: nginx `map` variables in proxied request headers (exact keys any case, hostnames wildcards, regexes with captures, default), as ngx_http_map_module picks them. */
import type { Scenario } from '../harness/scenario.js';
import { site } from './site.js';

const ONE = 'upstream u { server {{a}}; }';

export const MAPS: Scenario[] = [
  {
    name: "map of a request header: Discourse's $thescheme (exact key any case, default a variable)",
    from: 'ngx_http_map_module, discourse nginx.sample.conf',
    backends: { a: {} },
    http: `${ONE}
map $http_x_forwarded_proto $thescheme { default $scheme; https https; }
${site('location / { proxy_pass http://u; proxy_set_header X-Forwarded-Proto $thescheme; }')}`,
    steps: [
      '/',
      { path: '/', headers: [['X-Forwarded-Proto', 'https']] },
      { path: '/', headers: [['X-Forwarded-Proto', 'HTTPS']] },
      { path: '/', headers: [['X-Forwarded-Proto', 'gopher']] },
    ],
    compare: { request: ['x-forwarded-proto'] },
  },
  {
    name: 'map $host with hostnames: exact, then wildcards, then regexes in order with their captures, else the default',
    from: 'ngx_http_map_module (hostnames, ~ keys)',
    backends: { a: {} },
    http: `${ONE}
map $host $tenant {
  hostnames;
  default none;
  shop.example.com exact;
  *.example.com wild;
  ~^api-(\\w+)\\.test$ api_$1;
  ~*^ADMIN\\. admin;
}
${site('location / { proxy_pass http://u; proxy_set_header X-Tenant $tenant; }')}`,
    steps: [
      { path: '/', headers: [['Host', 'shop.example.com']] },
      { path: '/', headers: [['Host', 'Shop.Example.COM']] },
      { path: '/', headers: [['Host', 'a.b.example.com']] },
      { path: '/', headers: [['Host', 'api-eu.test']] },
      { path: '/', headers: [['Host', 'admin.other.org']] },
      { path: '/', headers: [['Host', 'elsewhere.org']] },
    ],
    compare: { request: ['x-tenant'] },
  },
];
