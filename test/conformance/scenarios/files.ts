/** @module Conformance scenarios: files served from a fixture directory (root, alias, index, try_files), with the headers a cache and a browser read (issue 24 item 2). */
import type { RequestSpec, Scenario } from '../harness/scenario.js';
import { site } from './site.js';

/** The fixture site every scenario serves (written under `{{root}}`, all with the same mtime). */
export const SITE_FILES: Record<string, string> = {
  'index.html': '<h1>home</h1>\n',
  'about.html': 'about us\n',
  'secret.txt': 'outside the alias\n',
  'docs/index.html': 'docs index\n',
  'docs/guide.txt': 'the guide\n',
  'list/default.htm': 'default page\n',
  'empty/': '',
  'my file.txt': 'a name with a space\n',
  'café.txt': 'a UTF-8 name\n',
  'fallback.html': 'fallback page\n',
  'range.txt': '0123456789abcdefghij\n',
  'assets/app.css': 'body { color: red }\n',
  'assets/img/logo.txt': 'logo\n',
};

/** What a static answer is compared on: status, body, redirect target, the validators and the length. */
const FILE_HEADERS = { body: true, response: ['location', 'content-length', 'last-modified'], present: ['etag'] } as const;
const copy = (): { body: boolean; response: string[]; present: string[] } => ({
  body: FILE_HEADERS.body,
  response: [...FILE_HEADERS.response],
  present: [...FILE_HEADERS.present],
});

const ONE = 'upstream u { server {{a}}; }';
/** The app answers with its length written: nginx relays an upstream's HTTP/1.0 answer without one as it is. */
const APP = { reply: { headers: { 'content-length': '1' } } };
const req = (method: string, path: string, extra: Partial<RequestSpec> = {}): RequestSpec => ({ method, path, ...extra });

export const FILES: Scenario[] = [
  {
    name: 'root: a file, a directory without its slash (301 to uri/), its index.html, a missing file, query strings, encoded names',
    from: 'http_static (ngx_http_static_module.c), issue 24 item 2',
    backends: {},
    http: `server_tokens off;
${site('location / { root {{root}}; }')}`,
    files: SITE_FILES,
    steps: [
      '/about.html',
      '/about.html?v=1&x',
      '/docs',
      '/docs?x=1',
      '/docs/',
      '/docs/guide.txt',
      '/missing.html',
      '/my%20file.txt',
      '/caf%C3%A9.txt',
      '/',
      '/%61bout.html',
    ],
    compare: copy(),
    nginx: [
      {
        status: 200,
        body: 'about us\n',
        response: { location: undefined, 'content-length': '9', 'last-modified': 'Thu, 02 Jan 2020 03:04:05 GMT' },
        present: { etag: '<present>' },
      },
      { status: 200, body: 'about us\n' },
      { status: 301, response: { location: 'http://localhost:{port}/docs/', 'content-length': '162', 'last-modified': undefined } },
      { status: 301, response: { location: 'http://localhost:{port}/docs/?x=1', 'content-length': '162', 'last-modified': undefined } },
      { status: 200, body: 'docs index\n' },
      { status: 200, body: 'the guide\n' },
      { status: 404 },
      { status: 200, body: 'a name with a space\n' },
      { status: 200, body: 'a UTF-8 name\n' },
      { status: 200, body: '<h1>home</h1>\n' },
      { status: 200, body: 'about us\n' },
    ],
  },
  {
    name: 'HEAD has the headers of GET without the body; POST to a file is 405, to a missing one 404; PUT and DELETE are 405',
    from: 'ngx_http_static_module.c (methods), issue 24 item 2',
    backends: {},
    http: `server_tokens off;
${site('location / { root {{root}}; }')}`,
    files: SITE_FILES,
    steps: [
      req('HEAD', '/about.html'),
      req('HEAD', '/docs/'),
      req('HEAD', '/missing.html'),
      req('POST', '/about.html', { body: 'a=1' }),
      req('POST', '/missing.html', { body: 'a=1' }),
      req('POST', '/docs/', { body: 'a=1' }),
      req('POST', '/docs', { body: 'a=1' }),
      req('PUT', '/about.html', { body: 'a=1' }),
      req('PUT', '/missing.html', { body: 'a=1' }),
      req('DELETE', '/about.html'),
      req('DELETE', '/docs/'),
      req('DELETE', '/empty/'),
      req('POST', '/empty/', { body: 'a=1' }),
    ],
    compare: copy(),
    nginx: [
      { status: 200, body: '', response: { location: undefined, 'content-length': '9', 'last-modified': 'Thu, 02 Jan 2020 03:04:05 GMT' } },
      { status: 200, body: '' },
      { status: 404, body: '' },
      { status: 405 },
      { status: 404 },
      { status: 405 },
      { status: 301 },
      { status: 405 },
      { status: 405 },
      { status: 405 },
      { status: 405 },
      { status: 405 },
      { status: 403 },
    ],
  },
  {
    name: 'conditional and range requests: 304 on the ETag or on Last-Modified, 206 with Content-Range, 416 past the end (Accept-Ranges: deliberate.ts)',
    from: 'http_static (ngx_http_not_modified_filter_module.c, ngx_http_range_filter_module.c), issue 24 item 2',
    backends: {},
    http: `server_tokens off;
${site('location / { root {{root}}; }')}`,
    files: SITE_FILES,
    steps: [
      '/range.txt',
      req('GET', '/range.txt', { headers: [['If-None-Match', '{{previous:etag}}']] }),
      req('GET', '/range.txt', { headers: [['If-None-Match', '"other"']] }),
      req('GET', '/range.txt', { headers: [['If-Modified-Since', 'Thu, 02 Jan 2020 03:04:05 GMT']] }),
      req('GET', '/range.txt', { headers: [['If-Modified-Since', 'Wed, 01 Jan 2020 00:00:00 GMT']] }),
      req('GET', '/range.txt', { headers: [['Range', 'bytes=0-4']] }),
      req('GET', '/range.txt', { headers: [['Range', 'bytes=-3']] }),
      req('GET', '/range.txt', { headers: [['Range', 'bytes=5-']] }),
      req('HEAD', '/range.txt', { headers: [['If-None-Match', '{{previous:etag}}']] }),
      req('GET', '/range.txt', { headers: [['Range', 'bytes=100-200']] }),
    ],
    compare: { body: true, response: ['content-length', 'last-modified', 'content-range'], present: ['etag'] },
    nginx: [
      { status: 200, response: { 'content-length': '21', 'last-modified': 'Thu, 02 Jan 2020 03:04:05 GMT', 'content-range': undefined } },
      { status: 304, body: '' },
      { status: 200 },
      { status: 304, body: '' },
      { status: 200 },
      { status: 206, body: '01234', response: { 'content-length': '5', 'last-modified': 'Thu, 02 Jan 2020 03:04:05 GMT', 'content-range': 'bytes 0-4/21' } },
      { status: 206, body: 'ij\n' },
      { status: 206, body: '56789abcdefghij\n' },
      { status: 304, body: '' },
      { status: 416, response: { 'content-length': '190', 'last-modified': undefined, 'content-range': 'bytes */21' }, present: { etag: undefined } },
    ],
  },
  {
    name: 'index with a list: the first that exists; a directory with none is 403; without the slash 301',
    from: 'ngx_http_index_module.c, issue 24 item 2',
    backends: {},
    http: `server_tokens off;
${site('location / { root {{root}}; index missing.html default.htm index.html; }')}`,
    files: SITE_FILES,
    steps: ['/list/', '/docs/', '/empty/', '/list', '/empty', '/'],
    compare: copy(),
    nginx: [
      { status: 200, body: 'default page\n' },
      { status: 200, body: 'docs index\n' },
      { status: 403 },
      { status: 301, response: { location: 'http://localhost:{port}/list/', 'content-length': '162', 'last-modified': undefined } },
      { status: 301 },
      { status: 200, body: '<h1>home</h1>\n' },
    ],
  },
  {
    name: 'alias: a prefix location maps its prefix to the directory; a regex location maps its captures (numbered and named)',
    from: 'http_alias (ngx_http_map_uri_to_path), issue 24 item 2',
    backends: {},
    http: `server_tokens off;
${site(`location /static/ { alias {{root}}/assets/; }
location ~ ^/files/(.+\\.txt)$ { alias {{root}}/docs/$1; }
location ~ ^/v(\\d+)/(.*)$ { alias {{root}}/assets/$2; }
location ~ ^/named/(?<rest>.+)$ { alias {{root}}/docs/$rest; }`)}`,
    files: SITE_FILES,
    steps: [
      '/static/app.css',
      '/static/img/logo.txt',
      '/static/img',
      '/static/nope.css',
      '/files/guide.txt',
      '/files/nope.txt',
      '/v2/app.css',
      '/v2/img/logo.txt',
      '/static/app.css?v=3',
      '/named/guide.txt',
    ],
    compare: copy(),
    nginx: [
      { status: 200, body: 'body { color: red }\n' },
      { status: 200, body: 'logo\n' },
      { status: 301, response: { location: 'http://localhost:{port}/static/img/', 'content-length': '162', 'last-modified': undefined } },
      { status: 404 },
      { status: 200, body: 'the guide\n' },
      { status: 404 },
      { status: 200, body: 'body { color: red }\n' },
      { status: 200, body: 'logo\n' },
      { status: 200, body: 'body { color: red }\n' },
      { status: 200, body: 'the guide\n' },
    ],
  },
  {
    name: 'encoded dot segments are decoded and resolved before the lookup: %2e%2e cannot climb out of root (400 above it)',
    from: 'ngx_http_parse.c (complex URI), issue 24 item 2',
    backends: {},
    http: `server_tokens off;
${site(`location / { root {{root}}/docs; }
location /i/ { alias {{root}}/assets/; }`)}`,
    files: SITE_FILES,
    steps: ['/%2e%2e/secret.txt', '/i/%2e%2e/%2e%2e/secret.txt', '/i/img/%2E%2E/app.css', '/i/..%2fsecret.txt', '/../secret.txt', '/guide.txt'],
    compare: copy(),
    nginx: [{ status: 400 }, { status: 400 }, { status: 200, body: 'body { color: red }\n' }, { status: 404 }, { status: 400 }, { status: 200 }],
  },
  {
    name: 'try_files $uri $uri/ =404: a file, a directory without its slash 301, with it its index, a directory without one 403, else 404',
    from: 'http_try_files.t, issue 24 item 2',
    backends: {},
    http: `server_tokens off;
${site('location / { root {{root}}; try_files $uri $uri/ =404; }')}`,
    files: SITE_FILES,
    steps: ['/about.html', '/docs', '/docs/', '/empty', '/missing', '/my%20file.txt', '/about.html?x=1', '/empty/'],
    compare: copy(),
    nginx: [
      { status: 200 },
      { status: 301 },
      { status: 200, body: 'docs index\n' },
      { status: 301 },
      { status: 404 },
      { status: 200 },
      { status: 200 },
      { status: 403 },
    ],
  },
  {
    name: 'try_files $uri @app: files are served, everything else goes to the named location that proxies, the URI as sent',
    from: 'gunicorn deploy docs, http_try_files.t, issue 24 item 2',
    backends: { a: APP },
    http: `${ONE}
server_tokens off;
${site(`location / { root {{root}}; try_files $uri @app; }
location @app { proxy_pass http://u; }`)}`,
    files: SITE_FILES,
    steps: [
      '/about.html',
      '/api/users?id=7',
      '/docs/',
      '/docs',
      '/about.html/x',
      req('POST', '/form', { body: 'a=1' }),
      req('POST', '/about.html', { body: 'a=1' }),
      '/a%20b?c=d',
    ],
    compare: { ...copy(), path: true, method: true },
    nginx: [
      { tries: '-', status: 200, body: 'about us\n' },
      { tries: 'a', status: 200, path: ['/api/users?id=7'] },
      { tries: 'a', path: ['/docs/'] },
      { tries: 'a', path: ['/docs'] },
      { tries: 'a' },
      { tries: 'a', method: ['POST'] },
      { tries: '-', status: 405 },
      { tries: 'a', path: ['/a%20b?c=d'] },
    ],
  },
  {
    name: 'try_files $uri /index.html (a single-page app): unknown paths get the index, arguments kept',
    from: 'http_try_files.t, issue 24 item 2',
    backends: {},
    http: `server_tokens off;
${site('location / { root {{root}}; try_files $uri /index.html; }')}`,
    files: SITE_FILES,
    steps: ['/about.html', '/some/route', '/some/route?x=1', '/docs/', '/index.html'],
    compare: copy(),
    nginx: [
      { status: 200, body: 'about us\n' },
      { status: 200, body: '<h1>home</h1>\n' },
      { status: 200 },
      { status: 200, body: '<h1>home</h1>\n' },
      { status: 200 },
    ],
  },
  {
    name: 'try_files ... =403 and a URI fallback that proxies, with its own arguments',
    from: 'http_try_files.t, issue 24 item 2',
    backends: { a: APP },
    http: `${ONE}
server_tokens off;
${site(`location /locked/ { root {{root}}; try_files $uri =403; }
location / { root {{root}}; try_files $uri $uri.html /app/fallback?from=$uri; }
location /app/ { proxy_pass http://u; }`)}`,
    files: { ...SITE_FILES, 'locked/open.txt': 'open\n' },
    steps: ['/locked/open.txt', '/locked/nope', '/about', '/nope?x=1'],
    compare: { ...copy(), path: true },
    nginx: [
      { tries: '-', status: 200, body: 'open\n' },
      { tries: '-', status: 403 },
      { tries: '-', status: 200, body: 'about us\n' },
      { tries: 'a', path: ['/app/fallback?from=/nope'] },
    ],
  },
];
