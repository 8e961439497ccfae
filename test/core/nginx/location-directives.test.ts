/** @module nginx `location` blocks and proxy_* directives: keys, proxy_pass (URI part, implicit pools), retries, timeouts, headers, inheritance, and every error with its position. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { NginxParseError, type LocationOptions, type SwitchyardOptions } from '@switchyard/core';
import { parseNginxConfig } from '../../../packages/core/src/nginx/index.js';

const POOL = 'upstream app { server a:1; }\n';

/** Parse `server { BODY }` after a one-line upstream `app` (so BODY starts on line 3). */
function server(body: string): { options: SwitchyardOptions; warnings: string[] } {
  return parseNginxConfig(`${POOL}server {\n${body}\n}\n`);
}
/** The options of the only location of `server { location / { BODY } }`. */
function location(body: string): { loc: LocationOptions | string | undefined; warnings: string[] } {
  const { options, warnings } = server(`location / {\n${body}\n}`);
  return { loc: options.locations?.['/'], warnings };
}

function throwsAt(text: string, line: number, column: number, message: RegExp): void {
  assert.throws(
    () => parseNginxConfig(text),
    (err: unknown) => {
      assert.ok(err instanceof NginxParseError, String(err));
      assert.deepEqual([err.line, err.column], [line, column], err.message);
      assert.match(err.message, message);
      return true;
    },
  );
}
/** Errors inside `location / { BODY }` (BODY starts on line 4). */
const inLocation = (body: string, line: number, column: number, message: RegExp): void =>
  throwsAt(`${POOL}server {\nlocation / {\n${body}\n}\n}\n`, line, column, message);

test('location keys: every modifier, spaced or glued as nginx allows', () => {
  const { options } = server(
    [
      'location = /exact { proxy_pass http://app; }',
      'location =/glued { proxy_pass http://app; }',
      'location ^~ /static/ { proxy_pass http://app; }',
      'location /api/ { proxy_pass http://app; }',
      'location ~ ^/re/ { proxy_pass http://app; }',
      'location ~* \\.(gif|jpg)$ { proxy_pass http://app; }',
      'location ~^/glued-re { proxy_pass http://app; }',
      'location ~*^/glued-rei { proxy_pass http://app; }',
      'location "~*" "\\.(a|b){2}$" { proxy_pass http://app; }',
    ].join('\n'),
  );
  assert.deepEqual(Object.keys(options.locations ?? {}), [
    '= /exact',
    '= /glued',
    '^~ /static/',
    '/api/',
    '~ ^/re/',
    '~* \\.(gif|jpg)$',
    '~ ^/glued-re',
    '~* ^/glued-rei',
    '~* \\.(a|b){2}$',
  ]);
});

test('proxy_pass with a URI part sets rewritePrefix; without one the path goes as is', () => {
  const { options } = server(
    [
      'location /api/ { proxy_pass http://app/v1/; }',
      'location /root/ { proxy_pass http://app/; }',
      'location /plain/ { proxy_pass http://app; }',
      'location = /one { proxy_pass http://app/other; }',
    ].join('\n'),
  );
  assert.deepEqual(options.locations, {
    '/api/': { upstream: 'app', headerDefaults: 'nginx', rewritePrefix: '/v1/' },
    '/root/': { upstream: 'app', headerDefaults: 'nginx', rewritePrefix: '/' },
    '/plain/': { upstream: 'app', headerDefaults: 'nginx' },
    '= /one': { upstream: 'app', headerDefaults: 'nginx', rewritePrefix: '/other' },
  });
});

test('proxy_pass to a host:port without an upstream block makes an implicit one-server pool named after it (https defaults to 443 there)', () => {
  const { options } = parseNginxConfig(
    [
      'location /a/ { proxy_pass http://127.0.0.1:8080/; }',
      'location /b/ { proxy_pass http://127.0.0.1:8080; }',
      'location /c/ { proxy_pass http://backend; }',
      'location /d/ { proxy_pass https://api.example.com/v2/; }',
      'location /e/ { proxy_pass http://[::1]:9000; }',
    ].join('\n'),
  );
  assert.deepEqual(options, {
    upstreams: {
      '127.0.0.1:8080': { servers: ['http://127.0.0.1:8080'] },
      backend: { servers: ['http://backend'] },
      'api.example.com': { servers: ['https://api.example.com'] },
      '[::1]:9000': { servers: ['http://[::1]:9000'] },
    },
    locations: {
      '/a/': { upstream: '127.0.0.1:8080', headerDefaults: 'nginx', rewritePrefix: '/' },
      '/b/': { upstream: '127.0.0.1:8080', headerDefaults: 'nginx' },
      '/c/': { upstream: 'backend', headerDefaults: 'nginx' },
      '/d/': { upstream: 'api.example.com', headerDefaults: 'nginx', rewritePrefix: '/v2/' },
      '/e/': { upstream: '[::1]:9000', headerDefaults: 'nginx' },
    },
    accelRedirect: true,
    absoluteRedirect: true,
    maxBodySize: '1m',
    redirect: 'default',
    underscoresInHeaders: false,
  });
});

test('an upstream block may be declared after the location that uses it; names match case-insensitively', () => {
  const { options } = parseNginxConfig('location / { proxy_pass http://APP; }\nupstream app { server a:1; }');
  assert.deepEqual(options, {
    upstreams: { app: { servers: ['http://a:1'] } },
    locations: { '/': { upstream: 'app', headerDefaults: 'nginx' } },
    accelRedirect: true,
    absoluteRedirect: true,
    maxBodySize: '1m',
    redirect: 'default',
    underscoresInHeaders: false,
  });
});

test('proxy_next_upstream: conditions in order, statuses as numbers, non_idempotent, off, repeated lines add up', () => {
  assert.deepEqual(
    location('proxy_pass http://app;\nproxy_next_upstream error timeout invalid_header http_500 http_502 http_503 http_504 http_403 http_404 http_429;').loc,
    {
      upstream: 'app',
      headerDefaults: 'nginx',
      retry: { on: ['error', 'timeout', 'invalid_header', 500, 502, 503, 504, 403, 404, 429] },
    },
  );
  assert.deepEqual(location('proxy_pass http://app;\nproxy_next_upstream error non_idempotent;\nproxy_next_upstream http_502 error;').loc, {
    upstream: 'app',
    headerDefaults: 'nginx',
    retry: { on: ['error', 502], nonIdempotent: true },
  });
  assert.deepEqual(location('proxy_pass http://app;\nproxy_next_upstream error off;').loc, { upstream: 'app', headerDefaults: 'nginx', retry: { on: [] } });
  const updating = location('proxy_pass http://app;\nproxy_next_upstream error updating;');
  assert.deepEqual(updating.loc, { upstream: 'app', headerDefaults: 'nginx', retry: { on: ['error'] } });
  assert.deepEqual(updating.warnings, ['line 5: "proxy_next_upstream updating" ignored (switchyard has no cache)']);
});

test('proxy_next_upstream_tries, _timeout and the three proxy timeouts (bare number = seconds)', () => {
  assert.deepEqual(
    location(
      'proxy_pass http://app;\nproxy_next_upstream_tries 3;\nproxy_next_upstream_timeout 15;\nproxy_connect_timeout 500ms;\nproxy_read_timeout 2m;\nproxy_send_timeout 1h30m;',
    ).loc,
    { upstream: 'app', headerDefaults: 'nginx', retry: { tries: 3, timeout: '15s' }, timeouts: { connect: '500ms', read: '2m', send: '1h30m' } },
  );
  assert.deepEqual(location('proxy_pass http://app;\nproxy_next_upstream_tries 0;').loc, { upstream: 'app', headerDefaults: 'nginx', retry: { tries: 0 } });
});

test('proxy_set_header: any Host is a header (default $proxy_host through headerDefaults), literals and variables become headers', () => {
  assert.deepEqual(location('proxy_pass http://app;\nproxy_set_header Host $host;').loc, {
    upstream: 'app',
    headerDefaults: 'nginx',
    headers: { Host: '$host' },
  });
  assert.deepEqual(location('proxy_pass http://app;\nproxy_set_header Host $http_host;').loc, {
    upstream: 'app',
    headerDefaults: 'nginx',
    headers: { Host: '$http_host' },
  });
  assert.deepEqual(location('proxy_pass http://app;\nproxy_set_header Host $proxy_host;'), {
    loc: { upstream: 'app', headerDefaults: 'nginx', headers: { Host: '$proxy_host' } },
    warnings: [],
  });
  assert.deepEqual(location('proxy_pass http://app;\nproxy_set_header Host api.internal;').loc, {
    upstream: 'app',
    headerDefaults: 'nginx',
    headers: { Host: 'api.internal' },
  });
  assert.deepEqual(location('proxy_pass http://app;\nproxy_set_header X-A "one two";\nproxy_set_header X-B \'3\';\nproxy_set_header X-A again;').loc, {
    upstream: 'app',
    headerDefaults: 'nginx',
    headers: { 'X-A': 'again', 'X-B': '3' },
  });
});

test('proxy_set_header: forwarding headers and variables are sent as written, an empty value removes; WebSocket and framing ones are warnings', () => {
  const { loc, warnings } = location(
    [
      'proxy_pass http://app;',
      'proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;',
      'proxy_set_header X-Forwarded-Proto $scheme;',
      'proxy_set_header X-Forwarded-Host $host;',
      'proxy_set_header X-Real-IP $remote_addr;',
      'proxy_set_header Upgrade $http_upgrade;',
      'proxy_set_header Connection "upgrade";',
      'proxy_set_header Connection "";',
      'proxy_set_header X-Start "t=${msec}";',
      'proxy_set_header X-Id $request_id;',
      'proxy_set_header Accept-Encoding "";',
      'proxy_set_header Host $host:$server_port;',
      'proxy_set_header X-Price "costs $";',
      'proxy_set_header Keep-Alive "";',
    ].join('\n'),
  );
  assert.deepEqual(loc, {
    upstream: 'app',
    headerDefaults: 'nginx',
    headers: {
      'X-Forwarded-For': '$proxy_add_x_forwarded_for',
      'X-Forwarded-Proto': '$scheme',
      'X-Forwarded-Host': '$host',
      'X-Real-IP': '$remote_addr',
      'X-Start': 't=${msec}',
      'X-Id': '$request_id',
      'Accept-Encoding': '',
      Host: '$host:$server_port',
      'X-Price': 'costs $',
    },
  });
  assert.deepEqual(warnings, [
    'line 9: "proxy_set_header Upgrade" ignored (switchyard proxies WebSocket upgrades itself)',
    'line 10: "proxy_set_header Connection" ignored (switchyard proxies WebSocket upgrades itself)',
    'line 11: "proxy_set_header Connection" ignored (switchyard keeps upstream connections alive itself)',
    'line 17: "proxy_set_header Keep-Alive" ignored (switchyard frames requests and manages connections itself)',
  ]);
});

test("proxy_set_header: an unknown variable or a regex capture is an error naming the line; $server_name is the server block's first name", () => {
  inLocation('proxy_pass http://app;\nproxy_set_header X-U $upstream_addr;', 5, 22, /"proxy_set_header X-U" uses the nginx variable "\$upstream_addr"/);
  inLocation('proxy_pass http://app;\nproxy_set_header X-U a$1;', 5, 22, /regex capture "\$1"/);
  const { options } = server(
    'server_name shop.example www.shop.example;\nlocation / { proxy_pass http://app; proxy_set_header X-S "$server_name/${server_name}"; }',
  );
  assert.deepEqual(options.locations?.['/'], { upstream: 'app', headerDefaults: 'nginx', headers: { 'X-S': 'shop.example/shop.example' } });
});

test('proxy_pass_header and proxy_hide_header become passHeaders / hideHeaders, each inherited as a whole list', () => {
  const { options } = server(
    'proxy_pass_header Server; proxy_hide_header X-Powered-By;\nlocation /a/ { proxy_pass http://app; }\nlocation /b/ { proxy_pass http://app; proxy_pass_header X-Accel-Redirect; proxy_hide_header X-Debug; }',
  );
  assert.deepEqual(options.locations?.['/a/'], { upstream: 'app', headerDefaults: 'nginx', hideHeaders: ['x-powered-by'], passHeaders: ['server'] });
  assert.deepEqual(options.locations?.['/b/'], { upstream: 'app', headerDefaults: 'nginx', hideHeaders: ['x-debug'], passHeaders: ['x-accel-redirect'] });
});

test('proxy_http_version and other proxy_* options are warnings', () => {
  const { loc, warnings } = location('proxy_pass http://app;\nproxy_http_version 1.0;\nproxy_buffering off;\nproxy_ssl_verify on;\nproxy_redirect off;');
  assert.deepEqual(loc, { upstream: 'app', headerDefaults: 'nginx', redirect: false });
  assert.deepEqual(warnings, [
    'line 5: "proxy_http_version 1.0" ignored (switchyard always speaks HTTP/1.1 with keep-alive to upstreams)',
    'line 6: "proxy_buffering" ignored (switchyard streams responses already: it never buffers a response body, as nginx does with proxy_buffering off)',
    'line 7: "proxy_ssl_verify" ignored (it applies to https upstreams only, and the location it reaches proxies over http)',
  ]);
});

test('inheritance: each setting inherits from server and http (bare top level too); proxy_set_header only as a whole list', () => {
  const { options } = parseNginxConfig(
    [
      'proxy_read_timeout 7s;',
      'http {',
      '  proxy_connect_timeout 3s;',
      '  proxy_next_upstream error;',
      '  upstream app { server a:1; }',
      '  server {',
      '    proxy_next_upstream_tries 2;',
      '    location /a/ { proxy_pass http://app; }',
      '    location /b/ { proxy_pass http://app; proxy_connect_timeout 1s; proxy_next_upstream http_503; }',
      '    location /c/ { proxy_pass http://app; proxy_set_header X-C c; }',
      '    proxy_set_header Host $host;',
      '    proxy_set_header X-S s;',
      '  }',
      '}',
    ].join('\n'),
  );
  assert.deepEqual(options.locations, {
    '/a/': {
      upstream: 'app',
      headerDefaults: 'nginx',
      headers: { Host: '$host', 'X-S': 's' },
      retry: { on: ['error'], tries: 2 },
      timeouts: { connect: '3s', read: '7s' },
    },
    '/b/': {
      upstream: 'app',
      headerDefaults: 'nginx',
      headers: { Host: '$host', 'X-S': 's' },
      retry: { on: [503], tries: 2 },
      timeouts: { connect: '1s', read: '7s' },
    },
    '/c/': { upstream: 'app', headerDefaults: 'nginx', headers: { 'X-C': 'c' }, retry: { on: ['error'], tries: 2 }, timeouts: { connect: '3s', read: '7s' } },
  });
});

test('locations that do not proxy are kept with what they answer; one without a root or answer is left out with a true warning', () => {
  const { options, warnings } = server(
    [
      'location / { proxy_pass http://app; }',
      'location = /healthz { return 200 "ok"; }',
      'location /static/ { root /srv; expires 1d; }',
      'location /files/ { alias /data/; }',
      'location /spa/ { try_files $uri /index.html; }',
      'location /both/ { return 403; proxy_pass http://app; }',
      'location @fallback { try_files $uri =404; }',
      'location /empty/ { }',
    ].join('\n'),
  );
  assert.deepEqual(options.locations, {
    '/': { upstream: 'app', headerDefaults: 'nginx' },
    '= /healthz': { return: { status: 200, body: 'ok' } },
    '/static/': { root: '/srv', expires: '1d' },
    '/files/': { alias: '/data/' },
    // nginx runs the return (rewrite phase) before it would proxy.
    '/both/': { upstream: 'app', headerDefaults: 'nginx', return: { status: 403 } },
  });
  assert.deepEqual(warnings, [
    'line 7: location /spa/ serves files but has no root or alias: nginx would serve files from its default root, which switchyard does not know; it is left out, so its requests are matched by the other locations (give it a root)',
    'line 9: location @fallback serves files but has no root or alias: nginx would serve files from its default root, which switchyard does not know; it is left out, and a try_files or error_page naming it is an error (give it a root)',
    'line 10: location /empty/ neither proxies nor answers itself: nginx would serve files from its default root, which switchyard does not know; it is left out, so its requests are matched by the other locations (give it a root)',
  ]);
});

test('directives that do not concern balancing inside a proxied location or server are warnings', () => {
  const { options, warnings } = server(
    'listen 80;\nserver_name a.example;\naccess_log off;\nlocation / {\nproxy_pass http://app;\nallow 10.0.0.0/8;\ndeny all;\nlimit_except GET { deny all; }\nmore_set_headers "X-A: b";\n}',
  );
  // allow/deny are imported (docs/request-limits.md); the deny inside limit_except is not.
  assert.deepEqual(options.locations, { '/': { upstream: 'app', headerDefaults: 'nginx', limits: { access: [{ allow: '10.0.0.0/8' }, { deny: 'all' }] } } });
  // `access_log off` is read (it turns the access log off), see test/core/nginx/log-directives.test.ts.
  assert.equal(options.accessLog, false);
  // listen and server_name are read (virtual hosts, docs/nginx-sites.md).
  assert.deepEqual(warnings, [
    'line 10: "limit_except" ignored (not imported: switchyard does not apply nginx access rules, so every request reaches the app; check access in the app or a middleware in front of the proxied routes)',
    'line 11: "more_set_headers" ignored (third-party headers-more module; write a rewriteResponseHeaders hook)',
  ]);
});

test('health_check maps to the upstream healthCheck; unsupported parameters warn', () => {
  const { options, warnings } = server(
    'location / { proxy_pass http://app; health_check interval=2s fails=2 passes=3 uri=/ping mandatory persistent match=ok jitter=1s; }\n' +
      'location /x/ { proxy_pass http://app; health_check; }',
  );
  assert.deepEqual(options.upstreams.app, {
    servers: ['http://a:1'],
    healthCheck: { interval: '2s', fails: 2, passes: 3, path: '/ping', mandatory: true },
  });
  assert.deepEqual(
    warnings,
    [
      '"health_check persistent" ignored (not supported by switchyard\'s health checks)',
      '"health_check match" ignored (not supported by switchyard\'s health checks)',
      '"health_check jitter" ignored (not supported by switchyard\'s health checks)',
    ]
      .map((w) => `line 3: ${w}`)
      .concat(['line 4: "health_check" ignored (upstream "app" already has one, line 3)']),
  );
});

test('set_real_ip_from becomes trustProxy; real_ip_header other than X-Forwarded-For warns', () => {
  const { options, warnings } = parseNginxConfig(
    `${POOL}set_real_ip_from 10.0.0.0/8;\nset_real_ip_from ::1;\nreal_ip_header X-Real-IP;\nreal_ip_recursive on;\nlocation / { proxy_pass http://app; }`,
  );
  assert.deepEqual(options.trustProxy, ['10.0.0.0/8', '::1']);
  assert.deepEqual(warnings, [
    'line 4: "real_ip_header X-Real-IP" ignored (switchyard takes the client address from X-Forwarded-For of trusted peers)',
    'line 5: "real_ip_recursive" ignored (switchyard keeps X-Forwarded-For from trusted peers as it is)',
  ]);
});

test('several server blocks without server_name are one site: their locations join (virtual hosts: docs/nginx-sites.md)', () => {
  const { options, warnings } = parseNginxConfig(
    `${POOL}server { location /a/ { proxy_pass http://app; } }\nserver { location /b/ { proxy_pass http://app; } }`,
  );
  assert.deepEqual(Object.keys(options.locations ?? {}), ['/a/', '/b/']);
  assert.deepEqual(warnings, []);
});

test('proxy_pass errors point at the URL', () => {
  inLocation('proxy_pass app;', 4, 12, /invalid URL prefix in "app"/);
  inLocation('proxy_pass ftp://app;', 4, 12, /invalid URL prefix/);
  inLocation('proxy_pass http://$backend;', 4, 12, /uses nginx variables/);
  inLocation('proxy_pass http://app$request_uri;', 4, 12, /uses nginx variables/);
  inLocation('proxy_pass http://unix:/tmp/s.sock:/;', 4, 12, /UNIX-domain socket targets/);
  inLocation('proxy_pass http://app:99999;', 4, 12, /invalid port/);
  inLocation('proxy_pass http://a:b:c;', 4, 12, /invalid host/);
  inLocation('proxy_pass http://;', 4, 12, /invalid host/);
  inLocation('proxy_pass http://app;\nproxy_pass http://app;', 5, 1, /"proxy_pass" directive is duplicate/);
  inLocation('proxy_pass;', 4, 1, /invalid number of arguments in "proxy_pass"/);
  inLocation('proxy_pass http://app:8080;', 4, 12, /upstream "app" may not have port 8080/);
  throwsAt(`${POOL}location ~ \\.php$ { proxy_pass http://app/x; }`, 2, 32, /cannot have URI part in location given by regular expression/);
  throwsAt(`${POOL}location @named { proxy_pass http://app/; }`, 2, 30, /cannot have URI part/);
  throwsAt(
    `${POOL}location /a/ { proxy_pass http://app; }\nlocation /b/ { proxy_pass https://app; }`,
    3,
    27,
    /upstream "app" is reached over https here and over http on line 2/,
  );
});

test('location structure errors', () => {
  throwsAt(`${POOL}location / { proxy_pass http://app; }\nlocation / { proxy_pass http://app; }`, 3, 1, /duplicate location "\/"/);
  throwsAt(`${POOL}location /a/ { proxy_pass http://app; }\nlocation ^~ /a/ { proxy_pass http://app; }`, 3, 1, /duplicate location "\^~ \/a\/"/);
  // Nested locations: nginx's own checks (ngx_http_core_location).
  throwsAt(`${POOL}location /a/ { proxy_pass http://app;\n  location /b/ { proxy_pass http://app; } }`, 3, 3, /location "\/b\/" is outside location "\/a\/"/);
  throwsAt(`${POOL}location = /a { proxy_pass http://app;\n  location /a/b { proxy_pass http://app; } }`, 3, 3, /cannot be inside the exact location "\/a"/);
  throwsAt(`${POOL}location @n { proxy_pass http://app;\n  location /x/ { proxy_pass http://app; } }`, 3, 3, /cannot be inside the named location "@n"/);
  throwsAt(
    `${POOL}location / { proxy_pass http://app;\n  location @n { proxy_pass http://app; } }`,
    3,
    3,
    /named location "@n" can be on the server level only/,
  );
  throwsAt(`${POOL}location / proxy_pass;`, 2, 10, /invalid location modifier "\/"/);
  throwsAt(`${POOL}location /;`, 2, 1, /"location \/" needs a \{ \.\.\. \} block/);
  throwsAt(`${POOL}location { }`, 2, 1, /invalid number of arguments in "location"/);
  throwsAt(`${POOL}location a b c { }`, 2, 1, /invalid number of arguments in "location"/);
  throwsAt(`${POOL}location ~~ /x { }`, 2, 10, /invalid location modifier "~~"/);
  throwsAt(`${POOL}location = { }`, 2, 10, /location "=" has no path/);
  throwsAt(`${POOL}location "" { }`, 2, 1, /empty location path/);
  throwsAt(`${POOL}http { location / { proxy_pass http://app; } }`, 2, 8, /"location" directive is not allowed here/);
});

test('directives that change routing in a way switchyard cannot honour are errors', () => {
  inLocation('if ($http_x) { proxy_pass http://app; }', 4, 1, /"proxy_pass" inside "if" is not supported/);
  inLocation('proxy_pass http://app;\ntry_files $uri @app;', 3, 1, /"try_files" in proxied "location \/" is not supported/);
  inLocation('proxy_pass http://app;\nif ($x) { return 403; }', 5, 1, /unknown variable "\$x" in "if"/);
  inLocation('proxy_pass http://app;\nif ($http_x) { add_header A b; }', 5, 16, /"add_header" inside "if" is not supported/);
  inLocation('proxy_pass http://app;\nif ($http_x ~ a++) { return 403; }', 5, 1, /regex "a\+\+" is not valid in JavaScript/);
  inLocation('fastcgi_pass 127.0.0.1:9000;', 4, 1, /"fastcgi_pass" is not supported: switchyard proxies HTTP only/);
  inLocation('scgi_pass 127.0.0.1:9000;', 4, 1, /"scgi_pass" is not supported: switchyard proxies HTTP only/);
  inLocation('proxy_pass http://app;\nhealth_check type=grpc;', 5, 14, /"health_check type=grpc" is not supported/);
  inLocation('proxy_pass http://app;\nhealth_check fails=0;', 5, 14, /invalid parameter "fails=0" in "health_check"/);
  inLocation('proxy_pass http://app;\nhealth_check interval=x;', 5, 14, /invalid parameter "interval=x"/);
  inLocation('proxy_pass http://app;\nhealth_check uri=ping;', 5, 14, /invalid parameter "uri=ping"/);
});

test('a proxied location may sit in one that serves files, and a proxied location may rewrite first', () => {
  const { options, warnings } = server(
    'location / { root /srv;\n  location /api/ { proxy_pass http://app; } }\nlocation /v1/ { rewrite ^/v1/(.*)$ /v2/$1 break; proxy_pass http://app; }',
  );
  assert.deepEqual(options.locations, {
    '/': { root: '/srv', locations: { '/api/': { upstream: 'app', headerDefaults: 'nginx' } } },
    '/v1/': { upstream: 'app', headerDefaults: 'nginx', rewrite: [{ rewrite: '^/v1/(.*)$', to: '/v2/$1', flag: 'break' }] },
  });
  assert.deepEqual(warnings, []);
});

test('regex locations JavaScript cannot compile are errors at the regex; a BOM is skipped', () => {
  throwsAt(`${POOL}location ~ a++ { proxy_pass http://app; }`, 2, 12, /location regex "a\+\+" is not valid in JavaScript/);
  throwsAt(`${POOL}location ~*(x { proxy_pass http://app; }`, 2, 10, /location regex "\(x" is not valid/);
  assert.deepEqual(parseNginxConfig(`\uFEFF${POOL}`).options, { upstreams: { app: { servers: ['http://a:1'] } }, maxBodySize: '1m' });
});

test('proxy_pass hidden in limit_except is an error, not a silent drop', () => {
  inLocation('limit_except GET { proxy_pass http://app; }', 4, 1, /"proxy_pass" inside "limit_except" is not supported/);
});

test('the same location in two server blocks: kept once when identical, an error when different', () => {
  const same = parseNginxConfig(
    `${POOL}server { listen 80; location / { proxy_pass http://app; } }\nserver { listen 443; location / { proxy_pass http://app; } }`,
  );
  assert.deepEqual(same.options.locations, { '/': { upstream: 'app', headerDefaults: 'nginx' } });
  assert.deepEqual(same.warnings, ['line 3: location / repeats the one on line 2 of another server block; one is kept']);
  throwsAt(
    `${POOL}server { location / { proxy_pass http://app; } }\nserver { location / { proxy_pass http://app/v2/; } }`,
    3,
    10,
    /location "\/" differs from the one on line 2 in another server block/,
  );
  throwsAt(
    `${POOL}server { location /a/ { proxy_pass http://app; } }\nserver { location ^~ /a/ { proxy_pass http://app; } }`,
    3,
    10,
    /location "\^~ \/a\/" differs from the one on line 2/,
  );
});

test('set_real_ip_from with an invalid address is an error at the address', () => {
  throwsAt(`${POOL}set_real_ip_from 1.2.3.4.5;`, 2, 18, /invalid address "1.2.3.4.5" in "set_real_ip_from"/);
  throwsAt(`${POOL}set_real_ip_from 10.0.0.0/99;`, 2, 18, /invalid address/);
  throwsAt(`${POOL}set_real_ip_from;`, 2, 1, /invalid number of arguments in "set_real_ip_from"/);
});
