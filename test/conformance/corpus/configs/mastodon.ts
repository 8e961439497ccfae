/** @module Mastodon's dist/nginx.conf: :80 redirects (and serves the ACME webroot), :443 serves static paths from disk in nested locations and proxies the rest to two upstreams. */
import { app, file, type CorpusConfig } from '../corpus-config.js';

const HOST = 'example.com';

export const mastodon: CorpusConfig = {
  name: 'mastodon',
  file: 'nginx.conf',
  source: 'github.com/mastodon/mastodon dist/nginx.conf @ 0061c555b721831a26b3dd95e7ed8742acc9c7df',
  backends: { backend: 'tcp', streaming: 'tcp' },
  localise: [
    ['server 127.0.0.1:3000 fail_timeout=0;', 'server {{backend:backend}} fail_timeout=0;', 'Puma (Rails) becomes a local backend'],
    ['server 127.0.0.1:4000 fail_timeout=0;', 'server {{backend:streaming}} fail_timeout=0;', 'the streaming API becomes a local backend'],
    ['proxy_cache_path /var/cache/nginx', 'proxy_cache_path {{dir}}/cache', 'the cache in the temp directory'],
    ['listen 80;', 'listen {{http}};', 'a free loopback port'],
    ['listen [::]:80;', '', 'IPv6: one loopback address per side is enough'],
    ['listen 443 ssl http2;', 'listen {{https}} ssl http2;', 'a free loopback port'],
    ['listen [::]:443 ssl http2;', '', 'IPv6: one loopback address per side is enough'],
    [
      '# ssl_certificate     /etc/letsencrypt/live/example.com/fullchain.pem;',
      'ssl_certificate {{cert}};',
      'the config says to uncomment these once you have a certificate (nginx refuses "listen ... ssl" without one)',
    ],
    ['# ssl_certificate_key /etc/letsencrypt/live/example.com/privkey.pem;', 'ssl_certificate_key {{key}};', 'the same'],
    ['root /home/mastodon/live/public;', 'root {{static}};', "the fixture's static directory (both blocks)"],
  ],
  side: 'https',
  byHand:
    'Terminate TLS in Node (certificate, and the :80 redirect in front of it or in the app); no proxy_cache (every request reaches Rails, and X-Cached is not added); compression with @fastify/compress or compression',
  cases: [
    { name: 'mastodon: / reaches the backend', host: HOST, path: '/', expect: app('backend', '/') },
    {
      name: 'mastodon: /api/v1/timelines/public reaches the backend',
      host: HOST,
      path: '/api/v1/timelines/public?local=true',
      expect: app('backend', '/api/v1/timelines/public?local=true'),
    },
    { name: 'mastodon: /api/v1/streaming (^~) reaches streaming', host: HOST, path: '/api/v1/streaming', expect: app('streaming', '/api/v1/streaming') },
    {
      name: 'mastodon: /api/v1/streaming/health reaches streaming',
      host: HOST,
      path: '/api/v1/streaming/health',
      expect: app('streaming', '/api/v1/streaming/health'),
    },
    { name: 'mastodon: /sw.js is served from disk', host: HOST, path: '/sw.js', expect: file('mastodon service worker\n') },
    { name: 'mastodon: /packs/app.js is served from disk', host: HOST, path: '/packs/app.js', expect: file('mastodon packs\n') },
    { name: 'mastodon: a missing /packs/ file is 404 (try_files =404)', host: HOST, path: '/packs/missing.js', expect: { status: 404 } },
    { name: 'mastodon: /system/media/a.png is served from disk', host: HOST, path: '/system/media/a.png', expect: file('mastodon media\n') },
    { name: 'mastodon: a missing /system/ file is 404', host: HOST, path: '/system/missing.png', expect: { status: 404 } },
    { name: 'mastodon: an unknown Host on :443 is the one https server', host: 'unknown.test', path: '/about', expect: app('backend', '/about') },
    {
      name: 'mastodon: a 2 MB upload (under 80m) reaches the backend',
      host: HOST,
      method: 'POST',
      path: '/api/v2/media',
      bodyBytes: 2 * 1024 * 1024,
      send: true,
      expect: app('backend', '/api/v2/media'),
    },
    { name: 'mastodon: a body over 80m is 413', host: HOST, method: 'POST', path: '/api/v2/media', bodyBytes: 80 * 1024 * 1024 + 1, expect: { status: 413 } },
    {
      name: 'mastodon: :80 redirects to https (301)',
      side: 'http',
      host: HOST,
      path: '/about?x=1',
      expect: { status: 301, location: 'https://example.com/about?x=1' },
    },
    {
      name: 'mastodon: :80 serves the certbot token from the root',
      side: 'http',
      host: HOST,
      path: '/.well-known/acme-challenge/token',
      expect: file('mastodon acme token\n'),
    },
  ],
};
