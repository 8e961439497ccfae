/** @module Conformance scenarios: a location's `return`, and the rewrite module (rewrite flags, captures and arguments, set, break, if and its conditions, the cycle bound), on files and a proxied app (issue 24 item 2). */
import { CLOSED_WITHOUT_ANSWER } from '../harness/raw-client.js';
import type { RequestSpec, Scenario } from '../harness/scenario.js';
import { SITE_FILES } from './files.js';
import { site } from './site.js';

const ONE = 'upstream u { server {{a}}; }';
const req = (method: string, path: string, extra: Partial<RequestSpec> = {}): RequestSpec => ({ method, path, ...extra });
const ua = (path: string, agent: string): RequestSpec => ({ path, headers: [['User-Agent', agent]] });

export const REWRITE: Scenario[] = [
  {
    name: 'location return: 200 with a text, 301 to $scheme://$host$request_uri, a relative 302 made absolute, 204, 444',
    from: 'http_rewrite.t (return), issue 24 item 2',
    backends: {},
    http: `server_tokens off;
${site(`location = /hello { return 200 "hello $host $uri\\n"; }
location /old/ { return 301 $scheme://$host$request_uri; }
location = /rel { return 302 /new/place; }
location = /empty { return 204; }
location = /drop { return 444; }
location = /teapot { return 418; }
location = /text { return "https://example.com/only-url"; }`)}`,
    steps: [
      '/hello',
      '/hello?x=1',
      { path: '/old/a/b?c=d', headers: [['Host', 'Shop.Example:8080']] },
      '/old/x%20y',
      '/rel',
      '/empty',
      '/drop',
      req('HEAD', '/hello'),
      req('POST', '/hello', { body: 'a=1' }),
      '/teapot',
      '/text',
    ],
    compare: { body: true, response: ['location', 'content-length', 'content-type'] },
    nginx: [
      { status: 200, body: 'hello localhost /hello\n', response: { location: undefined, 'content-length': '23', 'content-type': 'text/plain' } },
      { status: 200 },
      { status: 301, response: { location: 'http://shop.example/old/a/b?c=d', 'content-length': '162', 'content-type': 'text/html' } },
      { status: 301, response: { location: 'http://localhost/old/x%20y', 'content-length': '162', 'content-type': 'text/html' } },
      { status: 302, response: { location: 'http://localhost:{port}/new/place', 'content-length': '138', 'content-type': 'text/html' } },
      { status: 204, body: '' },
      { status: CLOSED_WITHOUT_ANSWER },
      { status: 200, body: '' },
      { status: 200 },
      { status: 418 },
      { status: 302, response: { location: 'https://example.com/only-url', 'content-length': '138', 'content-type': 'text/html' } },
    ],
  },
  {
    name: 'rewrite last / break / redirect / permanent, with captures; arguments kept, or dropped by a final ?',
    from: 'http_rewrite.t, issue 24 item 2',
    backends: { a: {} },
    http: `${ONE}
server_tokens off;
${site(`location / { root {{root}}; }
location /app/ { proxy_pass http://u; }
location /r/ {
    root {{root}};
    rewrite ^/r/last/(.*)$ /docs/$1 last;
    rewrite ^/r/break/(.*)$ /docs/$1 break;
    rewrite ^/r/temp/(.*)$ /about.html?from=$1 redirect;
    rewrite ^/r/perm/(.*)$ https://example.com/$1? permanent;
    rewrite ^/r/abs/(.*)$ http://other.example/$1;
    rewrite ^/r/args/(.*)$ /app/$1?added=1 last;
    rewrite ^/r/drop/(.*)$ /app/$1? last;
    rewrite ^/r/keep/(.*)$ /app/$1 last;
    rewrite ^/r/(?<word>[a-z]+)/named$ /app/named/$word last;
}`)}`,
    files: SITE_FILES,
    steps: [
      '/r/last/guide.txt',
      '/r/last/guide.txt?q=1',
      '/r/break/guide.txt',
      '/r/temp/x',
      '/r/temp/x?y=2',
      '/r/perm/p/q?dropped=1',
      '/r/abs/z?k=v',
      '/r/args/x?orig=2',
      '/r/args/x',
      '/r/drop/z?keep=no',
      '/r/keep/z?keep=yes',
      '/r/word/named',
      '/r/nothing',
    ],
    compare: { body: true, path: true, response: ['location'] },
    nginx: [
      { tries: '-', status: 200, body: 'the guide\n' },
      { tries: '-', status: 200, body: 'the guide\n' },
      { tries: '-', status: 200, body: 'the guide\n' },
      { tries: '-', status: 302, response: { location: 'http://localhost:{port}/about.html?from=x' } },
      { tries: '-', status: 302, response: { location: 'http://localhost:{port}/about.html?from=x&y=2' } },
      { tries: '-', status: 301, response: { location: 'https://example.com/p/q' } },
      { tries: '-', status: 302, response: { location: 'http://other.example/z?k=v' } },
      { tries: 'a', path: ['/app/x?added=1&orig=2'] },
      { tries: 'a', path: ['/app/x?added=1'] },
      { tries: 'a', path: ['/app/z'] },
      { tries: 'a', path: ['/app/z?keep=yes'] },
      { tries: 'a', path: ['/app/named/word'] },
      { tries: '-', status: 404 },
    ],
  },
  {
    name: 'rewrite in a proxied location (break) changes the path sent; without a flag the next rewrite sees the new URI',
    from: 'http_rewrite.t, Jenkins static rewrite, issue 24 item 2',
    backends: { a: {} },
    http: `${ONE}
server_tokens off;
${site(`location /api/ {
    rewrite ^/api/v1/(.*)$ /api/v2/$1;
    rewrite ^/api/v2/(.*)$ /internal/$1 break;
    proxy_pass http://u;
}
location /static/ {
    rewrite ^/static/[0-9a-f]+/(.*)$ /assets/$1 last;
}
location /assets/ { root {{root}}; }`)}`,
    files: SITE_FILES,
    steps: ['/api/v1/users?id=1', '/api/v2/x', '/api/other', '/static/abc123/app.css', '/static/zzz/app.css'],
    compare: { body: true, path: true },
    nginx: [
      { tries: 'a', path: ['/internal/users?id=1'] },
      { tries: 'a', path: ['/internal/x'] },
      { tries: 'a', path: ['/api/other'] },
      { tries: '-', status: 200, body: 'body { color: red }\n' },
      { tries: '-', status: 404 },
    ],
  },
  {
    name: 'set and variables in a return: $uri, $args, $arg_NAME, $request_method, $request_uri, $host, a set variable in another',
    from: 'ngx_http_rewrite_module.c (set), issue 24 item 2',
    backends: {},
    http: `server_tokens off;
${site(`location /v {
    set $name "world";
    set $greet "hi $name";
    return 200 "$greet|$uri|$args|$arg_a|$request_method|$request_uri|$host|$is_args\\n";
}`)}`,
    steps: ['/v', '/v/x?a=1&b=2', { path: '/v%20w?a=%20', headers: [['Host', 'Example.COM:81']] }, req('POST', '/v?a=p', { body: 'x' })],
    compare: { body: true },
    nginx: [
      { status: 200, body: 'hi world|/v|||GET|/v|localhost|\n' },
      { status: 200, body: 'hi world|/v/x|a=1&b=2|1|GET|/v/x?a=1&b=2|localhost|?\n' },
      { status: 200, body: 'hi world|/v w|a=%20|%20|GET|/v%20w?a=%20|example.com|?\n' },
      { status: 200, body: 'hi world|/v|a=p|p|POST|/v?a=p|localhost|?\n' },
    ],
  },
  {
    name: 'if ($request_method = POST) { return 405; } and if ($http_user_agent ~* bot) { return 403; } before a proxy and files',
    from: 'http_rewrite.t (if), issue 24 item 2',
    backends: { a: {} },
    http: `${ONE}
server_tokens off;
${site(`location /form/ {
    if ($request_method = POST) { return 405; }
    proxy_pass http://u;
}
location / {
    if ($http_user_agent ~* bot) { return 403; }
    if ($http_user_agent !~ ^Mozilla) { return 200 "not a browser: $http_user_agent\\n"; }
    if ($arg_debug != "") { return 200 "debug=$arg_debug\\n"; }
    root {{root}};
}`)}`,
    files: SITE_FILES,
    steps: [
      req('POST', '/form/x', { body: 'a=1' }),
      '/form/x',
      req('PUT', '/form/x', { body: 'a=1' }),
      ua('/about.html', 'Googlebot/2.1'),
      ua('/about.html', 'Mozilla/5.0 (compatible; BingBOT)'),
      ua('/about.html', 'Mozilla/5.0 Firefox'),
      ua('/about.html', 'curl/8'),
      { path: '/about.html?debug=on', headers: [['User-Agent', 'Mozilla/5.0']] },
    ],
    compare: { body: true, method: true },
    nginx: [
      { tries: '-', status: 405 },
      { tries: 'a', status: 200 },
      { tries: 'a', method: ['PUT'] },
      { tries: '-', status: 403 },
      { tries: '-', status: 403 },
      { tries: '-', status: 200, body: 'about us\n' },
      { tries: '-', status: 200, body: 'not a browser: curl/8\n' },
      { tries: '-', status: 200, body: 'debug=on\n' },
    ],
  },
  {
    name: 'if (!-f $request_filename) { rewrite ^ /fallback last; } and if (-d $request_filename) redirecting to the slash',
    from: 'http_rewrite.t (file tests), issue 24 item 2',
    backends: {},
    http: `server_tokens off;
${site(`location /site/ {
    alias {{root}}/;
    if (-d $request_filename) { rewrite ^(.*[^/])$ $1/ permanent; }
    if (!-f $request_filename) { rewrite ^ /fallback last; }
}
location / {
    root {{root}};
    if (-e $request_filename) { break; }
    return 200 "nothing at $uri\\n";
}
location = /fallback { return 200 "fallback for $request_uri\\n"; }`)}`,
    files: SITE_FILES,
    steps: ['/site/about.html', '/site/nope.html?x=1', '/site/docs', '/site/docs?y=1', '/site/docs/', '/about.html', '/docs', '/nope'],
    compare: { body: true, response: ['location'] },
    nginx: [
      { status: 200, body: 'about us\n' },
      { status: 200, body: 'fallback for /site/nope.html?x=1\n' },
      { status: 301, response: { location: 'http://localhost:{port}/site/docs/' } },
      { status: 301, response: { location: 'http://localhost:{port}/site/docs/?y=1' } },
      { status: 200, body: 'fallback for /site/docs/\n' },
      { status: 200, body: 'about us\n' },
      { status: 301 },
      { status: 200, body: 'nothing at /nope\n' },
    ],
  },
  {
    name: 'server-level rewrite and return run before the location lookup; break stops the rewrites of its level',
    from: 'ngx_http_rewrite_module.c (server rewrite phase), issue 24 item 2',
    backends: { a: {} },
    http: `${ONE}
server_tokens off;
server {
    listen {{listen}};
    server_name localhost;
    rewrite ^/old/(.*)$ /app/$1 last;
    rewrite ^/moved$ /app/moved permanent;
    if ($request_uri ~ ^/gone) { return 410; }
    location /app/ {
        rewrite ^/app/stop/(.*)$ /app/stopped/$1;
        break;
        rewrite ^ /never last;
        proxy_pass http://u;
    }
    location / { root {{root}}; }
}`,
    files: SITE_FILES,
    steps: ['/old/x?q=1', '/moved?z=1', '/gone/now', '/app/stop/y', '/app/plain', '/about.html'],
    compare: { body: true, path: true, response: ['location'] },
    nginx: [
      { tries: 'a', path: ['/app/x?q=1'] },
      { tries: '-', status: 301, response: { location: 'http://localhost:{port}/app/moved?z=1' } },
      { tries: '-', status: 410 },
      { tries: 'a', path: ['/app/stopped/y'] },
      { tries: 'a', path: ['/app/plain'] },
      { tries: '-', status: 200, body: 'about us\n' },
    ],
  },
  {
    name: 'a rewrite cycle ends in 500: ten URI changes are followed, the eleventh is refused',
    from: 'ngx_http_core_module.c (NGX_HTTP_MAX_URI_CHANGES), issue 24 item 2',
    backends: {},
    http: `server_tokens off;
${site(`location /loop/ { rewrite ^/loop/(.*)$ /loop/x$1 last; }
location /a { rewrite ^ /b last; }
location /b { rewrite ^ /a last; }
location /s/ { rewrite ^/s/(\\d)(.*)$ /s/$2 last; return 200 "end at $uri\\n"; }`)}`,
    steps: ['/loop/y', '/a', '/s/123456789', '/s/1234567890', '/s/12345678901'],
    compare: { body: true },
    nginx: [{ status: 500 }, { status: 500 }, { status: 200, body: 'end at /s/\n' }, { status: 200, body: 'end at /s/\n' }, { status: 500 }],
  },
];
