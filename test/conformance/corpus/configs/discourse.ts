/** @module Discourse's config/nginx.sample.conf: a site file with a map ($thescheme) and a server-level set ($public) in proxied headers, log_format, variables in root and alias, proxied locations nested in a static `location /` (try_files not inherited), try_files with a named fallback, internal locations. */
import { app, file, type CorpusConfig } from '../corpus-config.js';

const HOST = 'enter.your.web.hostname.here';
const THINS = ['thin0', 'thin1', 'thin2', 'thin3'];
const thin = (url: string): { status: number; oneOf: string[] } => ({ status: 200, oneOf: THINS.map((n) => `${n} ${url}`) });

export const discourse: CorpusConfig = {
  name: 'discourse',
  file: 'nginx.sample.conf',
  source: 'github.com/discourse/discourse config/nginx.sample.conf @ 00d445c4bcdecd11fb16816451401b5ebab0a6ab',
  backends: { thin0: 'unix', thin1: 'unix', thin2: 'unix', thin3: 'unix', avatars: 'tcp' },
  localise: [
    ['server unix:/var/www/discourse/tmp/sockets/thin.0.sock;', 'server {{backend:thin0}};', 'the thin sockets become local backends on unix sockets'],
    ['server unix:/var/www/discourse/tmp/sockets/thin.1.sock;', 'server {{backend:thin1}};', 'the same'],
    ['server unix:/var/www/discourse/tmp/sockets/thin.2.sock;', 'server {{backend:thin2}};', 'the same'],
    ['server unix:/var/www/discourse/tmp/sockets/thin.3.sock;', 'server {{backend:thin3}};', 'the same'],
    ['proxy_cache_path /var/nginx/cache', 'proxy_cache_path {{dir}}/cache', 'the cache in the temp directory'],
    ['access_log /var/log/nginx/access.log log_discourse;', 'access_log {{dir}}/access.log log_discourse;', 'logs in the temp directory'],
    ['listen 80;', 'listen {{http}};', 'a free loopback port'],
    ['set $public /var/www/discourse/public;', 'set $public {{static}};', "the fixture's static directory"],
    [
      'proxy_pass https://avatars.discourse.org/;',
      'proxy_pass http://{{backend:avatars}}/;',
      'no Internet in the tests: the avatar service becomes a local backend (plain HTTP)',
    ],
  ],
  side: 'http',
  byHand:
    "The $thescheme map and the server's set $public are imported; by hand: no proxy_cache for avatars, and the avatar location's proxy_method GET / proxy_pass_request_headers off / proxy_pass_request_body off are not applied (the client's method, headers and body reach it), no gzip_static (compression by a plugin), no add_header/expires on the files served",
  cases: [
    { name: 'discourse: / goes to the app (no file)', host: HOST, path: '/', expect: thin('/') },
    { name: 'discourse: a topic goes to the app through @discourse', host: HOST, path: '/t/welcome/1', expect: thin('/t/welcome/1') },
    { name: 'discourse: a file of public/ is served (try_files $uri)', host: HOST, path: '/robots.txt', expect: file('discourse robots\n') },
    { name: 'discourse: /favicon.ico is a 204', host: HOST, path: '/favicon.ico', expect: { status: 204 } },
    { name: 'discourse: /backups/ is internal (404)', host: HOST, path: '/backups/site.tar.gz', expect: { status: 404 } },
    { name: 'discourse: /downloads/ is internal (404)', host: HOST, path: '/downloads/x.png', expect: { status: 404 } },
    { name: 'discourse: /srv/status (nested =) goes to the app', host: HOST, path: '/srv/status', expect: thin('/srv/status') },
    { name: 'discourse: an asset is served from disk', host: HOST, path: '/assets/app.js', expect: file('discourse asset\n') },
    { name: 'discourse: a missing asset is 404', host: HOST, path: '/assets/missing.js', expect: { status: 404 } },
    {
      name: 'discourse: an uploaded image is served from disk (nested try_files)',
      host: HOST,
      path: '/uploads/default/original/a.png',
      expect: file('discourse upload\n'),
    },
    { name: 'discourse: a missing uploaded image is 404', host: HOST, path: '/uploads/default/original/missing.png', expect: { status: 404 } },
    {
      name: 'discourse: another upload goes to the app',
      host: HOST,
      path: '/uploads/default/original/doc.pdf',
      expect: thin('/uploads/default/original/doc.pdf'),
    },
    {
      name: 'discourse: /admin/backups/ goes to the app (its own X-Accel-Mapping)',
      host: HOST,
      path: '/admin/backups/x.tar.gz',
      expect: thin('/admin/backups/x.tar.gz'),
    },
    { name: 'discourse: /message-bus/ goes to the app', host: HOST, path: '/message-bus/abc/poll', expect: thin('/message-bus/abc/poll') },
    {
      name: 'discourse: /letter_avatar_proxy/ goes to the avatar service, prefix replaced',
      host: HOST,
      path: '/letter_avatar_proxy/v4/letter/a/1.png',
      expect: app('avatars', '/v4/letter/a/1.png'),
    },
    { name: 'discourse: any Host is the one server', host: 'unknown.test', path: '/latest', expect: thin('/latest') },
    { name: 'discourse: a body over 10m is 413', host: HOST, method: 'POST', path: '/uploads.json', bodyBytes: 10 * 1024 * 1024 + 1, expect: { status: 413 } },
  ],
};
