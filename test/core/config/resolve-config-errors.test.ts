import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SwitchyardConfigError } from '../../../packages/core/src/errors.js';
import { resolveConfig } from '../../../packages/core/src/config/resolve-config.js';

const S = 'http://127.0.0.1:8001';
const up = (extra: Record<string, unknown>) => ({ upstreams: { api: { servers: [S], ...extra } } });
const loc = (locations: Record<string, unknown>) => ({ upstreams: { api: [S], web: [S] }, locations });

/** [options, exact message] — the message always starts with the error's path. */
const CASES: Array<[unknown, string]> = [
  // top level
  [undefined, 'must be an options object { upstreams, locations?, ... }, got undefined'],
  [{}, 'upstreams is required (at least one upstream)'],
  [{ upstreams: {} }, 'upstreams must define at least one upstream (or give locations that answer themselves: root, alias, return, rewrite)'],
  [{ upstreams: [] }, 'upstreams must be an object of upstream name to options, got an array'],
  [{ upstreams: { api: [S] }, upstream: 1 }, 'upstream is not a known option (did you mean upstreams?)'],
  [{ upstreams: { api: [S] }, locatoins: {} }, 'locatoins is not a known option (did you mean locations?)'],
  [{ upstreams: { 'my api': [S] } }, 'upstreams["my api"] is not a valid upstream name (empty or with spaces)'],
  // upstreams
  [{ upstreams: { api: 'http://x' } }, 'upstreams.api must be an array of servers or an object { servers, balance?, ... }, got "http://x"'],
  [{ upstreams: { api: [] } }, 'upstreams.api.servers must list at least one server'],
  [{ upstreams: { api: {} } }, 'upstreams.api.servers is required (at least one server)'],
  [{ upstreams: { api: { servers: S } } }, 'upstreams.api.servers must be an array of servers, got "http://127.0.0.1:8001"'],
  [up({ server: [] }), 'upstreams.api.server is not a known option (did you mean servers?)'],
  [
    up({ balance: 'least_conn' }),
    "upstreams.api.balance must be one of 'round-robin', 'least-conn', 'least-time', 'random', 'random-two', 'ip-hash', 'hash', got \"least_conn\" (did you mean least-conn?)",
  ],
  [up({ balance: 3 }), "upstreams.api.balance must be one of 'round-robin', 'least-conn', 'least-time', 'random', 'random-two', 'ip-hash', 'hash', got 3"],
  [up({ balance: 'hash' }), "upstreams.api.hash is required with balance 'hash' (e.g. { key: '$request_uri' })"],
  [up({ hash: { key: '$uri' } }), "upstreams.api.hash only applies to balance 'hash', but balance is 'round-robin'"],
  [up({ balance: 'ip-hash', hash: { key: '$uri' } }), "upstreams.api.hash only applies to balance 'hash', but balance is 'ip-hash'"],
  [up({ balance: 'hash', hash: {} }), "upstreams.api.hash.key is required (an nginx variable string like '$request_uri', or a function)"],
  [up({ balance: 'hash', hash: { key: 5 } }), 'upstreams.api.hash.key must be a string of nginx variables or a function, got 5'],
  [up({ balance: 'hash', hash: { key: '$uri', consistent: 'yes' } }), 'upstreams.api.hash.consistent must be a boolean, got "yes"'],
  [up({ balance: 'hash', hash: { key: '$uri', consistant: true } }), 'upstreams.api.hash.consistant is not a known option (did you mean consistent?)'],
  [
    up({ balance: 'hash', hash: { key: '$bogus' } }),
    'upstreams.api.hash.key uses the unknown variable $bogus (known: $request_uri, $uri, $document_uri, $args, $query_string, $is_args, $remote_addr, $host, $request_method, $http_<name>, $cookie_<name>, $arg_<name>)',
  ],
  [up({ keepalive: -1 }), 'upstreams.api.keepalive must be a non-negative integer, got -1'],
  [up({ keepalive: 1.5 }), 'upstreams.api.keepalive must be a non-negative integer, got 1.5'],
  // servers (object and shorthand paths)
  [
    { upstreams: { backend: { servers: [S, 'http://b:1', { url: 'http://c:1', weight: -1 }] } } },
    'upstreams.backend.servers[2].weight must be a positive integer, got -1',
  ],
  [{ upstreams: { api: [S, { url: 'http://c:1', weight: 0 }] } }, 'upstreams.api.servers[1].weight must be a positive integer, got 0'],
  [{ upstreams: { api: [{ url: S, wieght: 2 }] } }, 'upstreams.api.servers[0].wieght is not a known option (did you mean weight?)'],
  [
    { upstreams: { api: [S, 'ftp://x:1'] } },
    `upstreams.api.servers[1] must be an http(s) url like 'http://127.0.0.1:8080' (only http and https), got "ftp://x:1"`,
  ],
  [{ upstreams: { api: [S, S] } }, 'upstreams.api.servers[1] repeats the url http://127.0.0.1:8001 of upstreams.api.servers[0]'],
  [{ upstreams: { api: ['http://A:1', 'http://a:1'] } }, 'upstreams.api.servers[1] repeats the url http://a:1 of upstreams.api.servers[0]'],
  [{ upstreams: { api: ['a:1', 'http://a:1/'] } }, 'upstreams.api.servers[1] repeats the url http://a:1 of upstreams.api.servers[0]'],
  [{ upstreams: { api: [42] } }, "upstreams.api.servers[0] must be a url string ('http://host:port') or an object { url, weight?, ... }, got 42"],
  [{ upstreams: { api: [{}] } }, 'upstreams.api.servers[0].url is required'],
  [{ upstreams: { api: [{ url: 7 }] } }, "upstreams.api.servers[0].url must be an http(s) url like 'http://127.0.0.1:8080', got 7"],
  [
    { upstreams: { api: ['http://u:p@h:1'] } },
    `upstreams.api.servers[0] must be an http(s) url like 'http://127.0.0.1:8080' without credentials, got "http://u:p@h:1"`,
  ],
  [
    { upstreams: { api: ['http://h:1/x?y=1'] } },
    `upstreams.api.servers[0] must be an http(s) url like 'http://127.0.0.1:8080' without query or fragment, got "http://h:1/x?y=1"`,
  ],
  [
    { upstreams: { api: ['http://h:1#f'] } },
    `upstreams.api.servers[0] must be an http(s) url like 'http://127.0.0.1:8080' without query or fragment, got "http://h:1#f"`,
  ],
  [
    { upstreams: { api: ['http://h:99999'] } },
    `upstreams.api.servers[0] must be an http(s) url like 'http://127.0.0.1:8080', got "http://h:99999" (not a valid url)`,
  ],
  [{ upstreams: { api: ['http://h:'] } }, `upstreams.api.servers[0] must be an http(s) url like 'http://127.0.0.1:8080' (empty port), got "http://h:"`],
  [{ upstreams: { api: ['http:///x'] } }, `upstreams.api.servers[0] must be an http(s) url like 'http://127.0.0.1:8080' (a host is missing), got "http:///x"`],
  [
    { upstreams: { api: ['unix:tmp/s.sock'] } },
    `upstreams.api.servers[0] must be 'unix:' followed by the socket file's absolute path, like 'unix:/run/app.sock', got "unix:tmp/s.sock"`,
  ],
  [
    { upstreams: { api: [`unix:/${'d'.repeat(120)}`] } },
    `upstreams.api.servers[0] must be 'unix:' followed by the socket file's absolute path, like 'unix:/run/app.sock': the path is 121 bytes, above the 107 a unix socket address holds`,
  ],
  [
    { upstreams: { api: [{ url: 'http://h:1', tls: { rejectUnauthorized: false } }] } },
    'upstreams.api.servers[0].tls only applies to an https url, but the url is http://h:1',
  ],
  [
    { upstreams: { api: { servers: ['https://h:1'], tls: { ca: '/etc/ssl/ca.pem' } } } },
    'upstreams.api.tls.ca must be a PEM certificate (text starting with -----BEGIN CERTIFICATE-----); pass the file contents, not its name',
  ],
  [{ upstreams: { api: { servers: ['https://h:1'], tls: { ca: [7] } } } }, 'upstreams.api.tls.ca[0] must be a PEM certificate (a string or a Buffer), got 7'],
  [
    { upstreams: { api: { servers: ['https://h:1'], tls: { cert: '-----BEGIN CERTIFICATE-----' } } } },
    "upstreams.api.tls.key is required with upstreams.api.tls.cert (the client certificate's private key)",
  ],
  [
    { upstreams: { api: { servers: ['https://h:1'], tls: { servername: '10.0.0.1' } } } },
    'upstreams.api.tls.servername must be a DNS name (SNI cannot carry an IP address), got "10.0.0.1"',
  ],
  [{ upstreams: { api: { servers: ['https://h:1'], tls: { rejectUnauthorized: 'no' } } } }, 'upstreams.api.tls.rejectUnauthorized must be a boolean, got "no"'],
  [
    { upstreams: { api: { servers: ['https://h:1'], tls: { minVersion: 'TLS1.2' } } } },
    "upstreams.api.tls.minVersion must be one of 'TLSv1', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3', got \"TLS1.2\"",
  ],
  [
    { upstreams: { api: { servers: ['http://h:1'], tls: { rejectUnauthorized: false } } } },
    "upstreams.api.tls only applies to https servers, and none of upstreams.api.servers is one (write 'https://host:port')",
  ],
  [
    { upstreams: { api: { servers: ['https://h:1'], tls: { verify: false } } } },
    'upstreams.api.tls.verify is not a known option (known: ca, cert, key, passphrase, servername, rejectUnauthorized, minVersion)',
  ],
  [{ upstreams: { api: [''] } }, `upstreams.api.servers[0] must be an http(s) url like 'http://127.0.0.1:8080', got ""`],
  [{ upstreams: { api: [{ url: S, maxFails: -1 }] } }, 'upstreams.api.servers[0].maxFails must be a non-negative integer, got -1'],
  [{ upstreams: { api: [{ url: S, maxConns: '2' }] } }, 'upstreams.api.servers[0].maxConns must be a non-negative integer, got "2"'],
  [
    { upstreams: { api: [{ url: S, failTimeout: '10x' }] } },
    `upstreams.api.servers[0].failTimeout must be a duration (ms number or '500ms'/'10s'/'1m'/'1h'), got "10x"`,
  ],
  [{ upstreams: { api: [{ url: S, slowStart: -5 }] } }, `upstreams.api.servers[0].slowStart must be a duration (ms number or '500ms'/'10s'/'1m'/'1h'), got -5`],
  [{ upstreams: { api: [{ url: S, backup: 'true' }] } }, 'upstreams.api.servers[0].backup must be a boolean, got "true"'],
  [{ upstreams: { api: [{ url: S, down: 1 }] } }, 'upstreams.api.servers[0].down must be a boolean, got 1'],
  [{ upstreams: { api: [{ url: S, drain: null }] } }, 'upstreams.api.servers[0].drain must be a boolean, got null'],
  // retry
  [up({ retry: true }), 'upstreams.api.retry must be an object { on?, tries?, timeout?, nonIdempotent?, budget? }, got true'],
  [up({ retry: { on: 'error' } }), 'upstreams.api.retry.on must be an array of conditions, got "error"'],
  [
    up({ retry: { on: ['error', 501] } }),
    "upstreams.api.retry.on[1] must be 'error', 'timeout', 'invalid_header' or one of the statuses 500, 502, 503, 504, 403, 404, 429, got 501",
  ],
  [
    up({ retry: { on: ['http_502'] } }),
    "upstreams.api.retry.on[0] must be 'error', 'timeout', 'invalid_header' or one of the statuses 500, 502, 503, 504, 403, 404, 429, got \"http_502\" (write 502)",
  ],
  [up({ retry: { tries: -1 } }), 'upstreams.api.retry.tries must be a non-negative integer, got -1'],
  [up({ retry: { timeout: '5 seconds' } }), `upstreams.api.retry.timeout must be a duration (ms number or '500ms'/'10s'/'1m'/'1h'), got "5 seconds"`],
  [up({ retry: { nonIdempotent: 'no' } }), 'upstreams.api.retry.nonIdempotent must be a boolean, got "no"'],
  [up({ retry: { retries: 2 } }), 'upstreams.api.retry.retries is not a known option (did you mean tries?)'],
  [up({ retry: { budget: true } }), 'upstreams.api.retry.budget must be an object { percent?, window?, minPerSecond? } or false, got true'],
  [up({ retry: { budget: { percent: 101 } } }), 'upstreams.api.retry.budget.percent must be a number from 0 to 100, got 101'],
  [up({ retry: { budget: { percent: -1 } } }), 'upstreams.api.retry.budget.percent must be a number from 0 to 100, got -1'],
  [up({ retry: { budget: { minPerSecond: -1 } } }), 'upstreams.api.retry.budget.minPerSecond must be a non-negative number, got -1'],
  [up({ retry: { budget: { window: '500ms' } } }), 'upstreams.api.retry.budget.window must be a duration from 1s to 60s, got "500ms"'],
  [up({ retry: { budget: { window: '2m' } } }), 'upstreams.api.retry.budget.window must be a duration from 1s to 60s, got "2m"'],
  [
    up({ retry: { budget: { minConcurrent: 3 } } }),
    "upstreams.api.retry.budget.minConcurrent was replaced by minPerSecond (the budget is a rate now: retries <= percent% of the window's requests + minPerSecond x window)",
  ],
  [up({ retry: { budget: { min: 1 } } }), 'upstreams.api.retry.budget.min is not a known option (known: percent, window, minPerSecond)'],
  // timeouts
  [up({ timeouts: { connect: 'soon' } }), `upstreams.api.timeouts.connect must be a duration (ms number or '500ms'/'10s'/'1m'/'1h'), got "soon"`],
  [up({ timeouts: { read: -1 } }), `upstreams.api.timeouts.read must be a duration (ms number or '500ms'/'10s'/'1m'/'1h'), got -1`],
  [up({ timeouts: { send: [] } }), `upstreams.api.timeouts.send must be a duration (ms number or '500ms'/'10s'/'1m'/'1h'), got an array`],
  [up({ timeouts: { idle: 1 } }), 'upstreams.api.timeouts.idle is not a known option (known: connect, read, send, websocketIdle)'],
  [up({ timeouts: 5 }), 'upstreams.api.timeouts must be an object { connect?, read?, send?, websocketIdle? }, got 5'],
  // healthCheck
  [up({ healthCheck: true }), 'upstreams.api.healthCheck must be an object { path?, interval?, timeout?, ... }, got true'],
  [
    up({ healthCheck: { path: 'health' } }),
    `upstreams.api.healthCheck.path must be a path starting with '/' (printable ASCII, percent-encode the rest; no spaces or '#'), got "health"`,
  ],
  [
    up({ healthCheck: { path: '/日本' } }),
    `upstreams.api.healthCheck.path must be a path starting with '/' (printable ASCII, percent-encode the rest; no spaces or '#'), got "/日本"`,
  ],
  [up({ healthCheck: { interval: 0 } }), 'upstreams.api.healthCheck.interval must be a duration above 0, got 0'],
  [up({ healthCheck: { timeout: '0s' } }), 'upstreams.api.healthCheck.timeout must be a duration above 0, got "0s"'],
  [up({ healthCheck: { fails: 0 } }), 'upstreams.api.healthCheck.fails must be a positive integer, got 0'],
  [up({ healthCheck: { passes: 2.5 } }), 'upstreams.api.healthCheck.passes must be a positive integer, got 2.5'],
  [
    up({ healthCheck: { status: '200-' } }),
    `upstreams.api.healthCheck.status must be statuses like '200', '200-399', '2xx' or a comma list of them, got "200-" (bad item "200-")`,
  ],
  [
    up({ healthCheck: { status: '399-200' } }),
    `upstreams.api.healthCheck.status must be statuses like '200', '200-399', '2xx' or a comma list of them, got "399-200" (bad item "399-200")`,
  ],
  [
    up({ healthCheck: { status: '6xx' } }),
    `upstreams.api.healthCheck.status must be statuses like '200', '200-399', '2xx' or a comma list of them, got "6xx" (bad item "6xx")`,
  ],
  [
    up({ healthCheck: { status: '200,,300' } }),
    `upstreams.api.healthCheck.status must be statuses like '200', '200-399', '2xx' or a comma list of them, got "200,,300" (bad item "")`,
  ],
  [up({ healthCheck: { status: 200 } }), `upstreams.api.healthCheck.status must be statuses like '200', '200-399', '2xx' or a comma list of them, got 200`],
  [up({ healthCheck: { body: 5 } }), 'upstreams.api.healthCheck.body must be a RegExp or a string, got 5'],
  [up({ healthCheck: { mandatory: 'yes' } }), 'upstreams.api.healthCheck.mandatory must be a boolean, got "yes"'],
  [
    up({ healthCheck: { uri: '/' } }),
    'upstreams.api.healthCheck.uri is not a known option (known: path, interval, timeout, fails, passes, status, body, mandatory)',
  ],
  // locations
  [loc({ '/api/': 'nope' }), 'locations["/api/"].upstream names the unknown upstream "nope" (known: api, web)'],
  [loc({ '/api/': 'apj' }), 'locations["/api/"].upstream names the unknown upstream "apj" (did you mean api?)'],
  [loc({ '/api/': { upstream: 'nope' } }), 'locations["/api/"].upstream names the unknown upstream "nope" (known: api, web)'],
  [loc({ '/api/': {} }), 'locations["/api/"].upstream is required unless the location answers itself (root, alias, tryFiles, return or rewrite)'],
  [loc({ '/api/': 5 }), 'locations["/api/"] must be an upstream name or an object { upstream, ... }, got 5'],
  [
    loc({ '/api/': { upstream: 'api', rewrite: '/' } }),
    'locations["/api/"].rewrite must be an array of rewrite steps ({ rewrite, to }, { return }, { set, value }, { break: true }, { if, then }), got "/" (to replace the location\'s prefix, write rewritePrefix)',
  ],
  [loc({ '~ ([a-': 'api' }), 'locations["~ ([a-"] has an invalid regular expression: Invalid regular expression: /([a-/: Unterminated character class'],
  [
    loc({ '~* \\.png$': { upstream: 'api', rewritePrefix: '/img/' } }),
    'locations["~* \\\\.png$"].rewritePrefix cannot be used in a regex location (nginx refuses a URI in proxy_pass there too)',
  ],
  [
    loc({ '/api/': { upstream: 'api', rewritePrefix: 'v1/' } }),
    `locations["/api/"].rewritePrefix must be a path starting with '/' without query, spaces or control characters, got "v1/"`,
  ],
  [
    loc({ '/api/': { upstream: 'api', rewritePrefix: '/v1?x=1' } }),
    `locations["/api/"].rewritePrefix must be a path starting with '/' without query, spaces or control characters, got "/v1?x=1"`,
  ],
  [loc({ 'api/': 'api' }), `locations["api/"] is not a valid location: the path must start with '/', got "api/"`],
  [loc({ '= ': 'api' }), `locations["= "] is not a valid location: the pattern after '=' is empty`],
  [loc({ '': 'api' }), `locations[""] is not a valid location: the path is empty`],
  [loc({ '@ x': 'api' }), 'locations["@ x"] is not a valid named location (@ and a name without spaces)'],
  [
    loc({ '@n': { upstream: 'api', rewritePrefix: '/' } }),
    'locations["@n"].rewritePrefix cannot be used in a named location (nginx refuses a URI in proxy_pass there too)',
  ],
  [
    loc({ '/a/': { upstream: 'api', locations: { '/b/': 'api' } } }),
    'locations["/a/"].locations["/b/"] is outside its enclosing location "/a/" (a nested path must start with "/a/")',
  ],
  [
    loc({ '/a/': { upstream: 'api', locations: { '@n': 'api' } } }),
    'locations["/a/"].locations["@n"] is a named location, which can be at the top level only (nginx)',
  ],
  [loc({ '= /a': { upstream: 'api', locations: { '/a/b': 'api' } } }), 'locations["= /a"].locations cannot be inside an exact location (nginx refuses it)'],
  [
    loc({ '/a/': { upstream: 'api', locations: { '/a/b/': 'api', '^~ /a/b/': 'api' } } }),
    'locations["/a/"].locations["^~ /a/b/"] duplicates the location "/a/b/"',
  ],
  [loc({ '/a/': { upstream: 'api', internal: 'yes' } }), 'locations["/a/"].internal must be a boolean, got "yes"'],
  [loc({ '/a/': { upstream: 'api', absoluteRedirect: { port: 1 } } }), 'locations["/a/"].absoluteRedirect.port must be a boolean, got 1'],
  [
    loc({ '/a/': { upstream: 'api', absoluteRedirect: { serverName: 'a/b' } } }),
    `locations["/a/"].absoluteRedirect.serverName must be a host name (letters, digits, '.', '-', '_'), got "a/b"`,
  ],
  [
    loc({ '/a//b/': 'api' }),
    `locations["/a//b/"] is not a valid location: "/a//b/" is not a normalised path (requests are matched after decoding %XX and resolving '.', '..' and '//'; write "/a/b/")`,
  ],
  [
    loc({ '/a/%2e%2e/b': 'api' }),
    `locations["/a/%2e%2e/b"] is not a valid location: "/a/%2e%2e/b" is not a normalised path (requests are matched after decoding %XX and resolving '.', '..' and '//'; write "/b")`,
  ],
  [loc({ '/api/': 'api', '^~ /api/': 'web' }), 'locations["^~ /api/"] duplicates the location "/api/"'],
  [loc({ '= /x': 'api', '=/x': 'web' }), 'locations["=/x"] duplicates the location "= /x"'],
  [
    loc({ '/api/': { upstream: 'api', retry: { on: ['error', 'nope'] } } }),
    `locations["/api/"].retry.on[1] must be 'error', 'timeout', 'invalid_header' or one of the statuses 500, 502, 503, 504, 403, 404, 429, got "nope"`,
  ],
  [
    loc({ '/api/': { upstream: 'api', timeouts: { read: 'x' } } }),
    `locations["/api/"].timeouts.read must be a duration (ms number or '500ms'/'10s'/'1m'/'1h'), got "x"`,
  ],
  [loc({ '/api/': { upstream: 'api', preserveHost: 1 } }), 'locations["/api/"].preserveHost must be a boolean, got 1'],
  [loc({ '/api/': { upstream: 'api', websocket: 'no' } }), 'locations["/api/"].websocket must be a boolean, got "no"'],
  [loc({ '/api/': { upstream: 'api', headers: [] } }), 'locations["/api/"].headers must be an object of header name to string value, got an array'],
  [
    loc({ '/api/': { upstream: 'api', headers: { 'x y': 'a' } } }),
    `locations["/api/"].headers["x y"] is not a valid header name (node:http refuses ' ' U+0020 in a name)`,
  ],
  [
    loc({ '/api/': { upstream: 'api', headers: { 'X-Env': 'prod – eu' } } }),
    `locations["/api/"].headers["X-Env"] has a character node:http refuses ('–' U+2013)`,
  ],
  [
    loc({ '/api/': { upstream: 'api', headers: { 'X-Emoji': 'ok 🙂' } } }),
    `locations["/api/"].headers["X-Emoji"] has a character node:http refuses ('🙂' U+1F642)`,
  ],
  [
    loc({ '/api/': { upstream: 'api', headers: { 'X-Bell': 'a\x07b' } } }),
    `locations["/api/"].headers["X-Bell"] has a character node:http refuses ("\\u0007" U+0007)`,
  ],
  [
    loc({ '/api/': { upstream: 'api', headers: { 'X-É': 'a' } } }),
    `locations["/api/"].headers["X-É"] is not a valid header name (node:http refuses 'É' U+00C9 in a name)`,
  ],
  [loc({ '/api/': { upstream: 'api', headers: { 'x-a': 1 } } }), 'locations["/api/"].headers["x-a"] must be a string, got 1'],
  [loc({ '/api/': { upstream: 'api', headers: { 'x-a': 'a\r\nb: c' } } }), 'locations["/api/"].headers["x-a"] must not contain CR, LF or NUL'],
  [
    loc({ '/api/': { upstream: 'api', headers: { 'X-A': 'a', 'x-a': 'b' } } }),
    'locations["/api/"].headers["x-a"] repeats the header x-a (names are case-insensitive)',
  ],
  [
    loc({ '/api/': { upstream: 'api', headers: { 'Keep-Alive': 'timeout=5' } } }),
    'locations["/api/"].headers["Keep-Alive"] is a hop-by-hop/framing header switchyard manages itself and cannot be set',
  ],
  [
    loc({ '/api/': { upstream: 'api', headers: { 'Transfer-Encoding': 'chunked' } } }),
    'locations["/api/"].headers["Transfer-Encoding"] is a hop-by-hop/framing header switchyard manages itself and cannot be set',
  ],
  [{ upstreams: { api: [S] }, locations: [] }, 'locations must be an object of nginx location key to upstream name or options, got an array'],
  // trustProxy, status, metrics
  [{ upstreams: { api: [S] }, trustProxy: 'yes' }, 'trustProxy must be a boolean or an array of IP addresses / CIDR ranges, got "yes"'],
  [{ upstreams: { api: [S] }, trustProxy: ['10.0.0.0/8', '10.0.0.0/40'] }, 'trustProxy[1] has an invalid prefix length /40, got "10.0.0.0/40"'],
  [
    { upstreams: { api: [S] }, trustProxy: ['proxy.local'] },
    'trustProxy[0] must be an IP address, a CIDR range or one of loopback, linklocal, uniquelocal, private, got "proxy.local"',
  ],
  [{ upstreams: { api: [S] }, trustProxy: [1] }, 'trustProxy[0] must be an IP address, a CIDR range or a keyword, got 1'],
  [
    { upstreams: { api: [S] }, trustProxy: ['constructor'] },
    'trustProxy[0] must be an IP address, a CIDR range or one of loopback, linklocal, uniquelocal, private, got "constructor"',
  ],
  [
    { upstreams: { api: [S] }, trustProxy: ['__proto__'] },
    'trustProxy[0] must be an IP address, a CIDR range or one of loopback, linklocal, uniquelocal, private, got "__proto__"',
  ],
  [{ upstreams: { api: [S] }, status: { path: 'status' } }, `status.path must be a path starting with '/' (no spaces, '?' or '#'), got "status"`],
  [{ upstreams: { api: [S] }, status: {} }, `status.path must be a path starting with '/' (no spaces, '?' or '#'), got undefined`],
  [{ upstreams: { api: [S] }, status: '/status' }, `status must be an object { path: '/...' }, got "/status"`],
  [{ upstreams: { api: [S] }, status: { path: '/s', html: true } }, 'status.html is not a known option (known: path, history)'],
  [
    { upstreams: { api: [S] }, status: { path: '/s', history: true } },
    'status.history must be false or an object { interval?, samples? } (it is on by default), got true',
  ],
  [{ upstreams: { api: [S] }, status: { path: '/s', history: { every: '1s' } } }, 'status.history.every is not a known option (known: interval, samples)'],
  [{ upstreams: { api: [S] }, status: { path: '/s', history: { interval: '50ms' } } }, 'status.history.interval must be from 100ms to 1h, got "50ms"'],
  [
    { upstreams: { api: [S] }, status: { path: '/s', history: { interval: 'soon' } } },
    `status.history.interval must be a duration (ms number or '500ms'/'10s'/'1m'/'1h'), got "soon"`,
  ],
  [{ upstreams: { api: [S] }, status: { path: '/s', history: { samples: 1 } } }, 'status.history.samples must be an integer from 2 to 1440, got 1'],
  [{ upstreams: { api: [S] }, status: { path: '/s', history: { samples: 2.5 } } }, 'status.history.samples must be an integer from 2 to 1440, got 2.5'],
  [{ upstreams: { api: [S] }, metrics: { path: '/m?x' } }, `metrics.path must be a path starting with '/' (no spaces, '?' or '#'), got "/m?x"`],
  [{ upstreams: { api: [S] }, status: { path: '/s' }, metrics: { path: '/s' } }, 'metrics.path must differ from status.path, both are "/s"'],
];

test('every invalid field throws a SwitchyardConfigError naming its path', () => {
  const mismatches: string[] = [];
  for (const [options, message] of CASES) {
    try {
      resolveConfig(options as never);
      mismatches.push(`no error, expected: ${message}`);
    } catch (err) {
      if (!(err instanceof SwitchyardConfigError)) mismatches.push(`not a config error: ${String(err)}`);
      else if (err.message !== message) mismatches.push(`expected: ${message}\n  actual:   ${err.message}`);
      else if (err.code !== 'SWITCHYARD_INVALID_CONFIG' || !message.startsWith(err.path)) mismatches.push(`bad path/code: ${err.path}`);
    }
  }
  assert.deepEqual(mismatches, []);
  assert.ok(CASES.length > 100);
});
