/** @module Puma's docs/nginx.md: the Rails page-caching `if (-f ...)` chain with `proxy_pass` inside `if`. */
import { app, file, type CorpusConfig } from '../corpus-config.js';

const HOST = 'myapp.com';

export const puma: CorpusConfig = {
  name: 'puma',
  file: 'nginx.conf',
  source: 'github.com/puma/puma docs/nginx.md @ 111cc1da744c1015536b017c330ff27a7af3f864',
  backends: { puma: 'unix' },
  localise: [
    ['server unix:///myapp/tmp/puma.sock;', 'server {{backend:puma}};', 'the Puma socket becomes a local backend on a unix socket'],
    ['listen 80;', 'listen {{http}};', 'a free loopback port'],
    ['root /myapp/public;', 'root {{static}};', "the fixture's static directory"],
    ['root /myapp/current/public;', 'root {{static}};', "the fixture's static directory"],
    ['/myapp/log/nginx.access.log', '{{dir}}/access.log', 'logs in the temp directory'],
    ['/myapp/log/nginx.error.log', '{{dir}}/app-error.log', 'logs in the temp directory'],
  ],
  side: 'http',
  refused: /"proxy_pass" inside "if" is not supported: switchyard does not proxy from inside a condition .*\(line 57/,
  refusedBecause: 'proxy_pass inside if (issue 24 counts this refusal as correct: only the redirect forms of if are imported)',
  byHand: 'Refused (proxy_pass inside if): write location / { proxy_pass http://myapp; } and serve public/ and the page cache in the app',
  cases: [
    { name: 'puma: / goes to Puma', host: HOST, path: '/', expect: app('puma', '/') },
    { name: 'puma: /users/sign_in goes to Puma', host: HOST, path: '/users/sign_in', expect: app('puma', '/users/sign_in') },
    { name: 'puma: /about is served as about.html (page cache)', host: HOST, path: '/about', expect: file('puma about page\n') },
    { name: 'puma: a file of public/ is served', host: HOST, path: '/robots.txt', expect: file('puma robots\n') },
    { name: 'puma: an image is served from disk', host: HOST, path: '/images/logo.png', expect: file('puma logo\n') },
    { name: 'puma: a missing image is 404', host: HOST, path: '/images/missing.png', expect: { status: 404 } },
    { name: 'puma: a body over the default 1m is 413', host: HOST, method: 'POST', path: '/users', bodyBytes: 1024 * 1024 + 1, expect: { status: 413 } },
  ],
};
