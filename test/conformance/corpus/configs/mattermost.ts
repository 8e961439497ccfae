/** @module Mattermost's "Configuring NGINX as a proxy": a WebSocket regex location and `location /`, both with a 50M body limit and a cache. */
import { app, type CorpusConfig } from '../corpus-config.js';

export const mattermost: CorpusConfig = {
  name: 'mattermost',
  file: 'nginx.conf',
  source: 'github.com/mattermost/docs source/install/config-proxy-nginx.rst @ 0245d30fa812ae49a6d56b14a945d7aa46fc6621',
  backends: { mattermost: 'tcp' },
  localise: [
    ['server 10.10.10.2:8065;', 'server {{backend:mattermost}};', 'the Mattermost server becomes a local backend'],
    ['proxy_cache_path /var/cache/nginx', 'proxy_cache_path {{dir}}/cache', 'the cache in the temp directory'],
    ['listen 80;', 'listen {{http}};', 'a free loopback port'],
  ],
  side: 'http',
  byHand: 'No proxy_cache (every request reaches Mattermost)',
  cases: [
    {
      name: 'mattermost: /api/v4/websocket (regex) reaches Mattermost',
      host: 'mattermost.example.com',
      path: '/api/v4/websocket',
      expect: app('mattermost', '/api/v4/websocket'),
    },
    {
      name: 'mattermost: /api/v4/users/websocket reaches Mattermost',
      host: 'mattermost.example.com',
      path: '/api/v4/users/websocket',
      expect: app('mattermost', '/api/v4/users/websocket'),
    },
    { name: 'mattermost: / reaches Mattermost', host: 'mattermost.example.com', path: '/', expect: app('mattermost', '/') },
    { name: 'mattermost: any Host is the one server', host: 'unknown.test', path: '/login', expect: app('mattermost', '/login') },
    {
      name: 'mattermost: a 2 MB upload (under 50M) reaches Mattermost',
      host: 'mattermost.example.com',
      method: 'POST',
      path: '/api/v4/files',
      bodyBytes: 2 * 1024 * 1024,
      send: true,
      expect: app('mattermost', '/api/v4/files'),
    },
    {
      name: 'mattermost: a body over 50M is 413',
      host: 'mattermost.example.com',
      method: 'POST',
      path: '/api/v4/files',
      bodyBytes: 50 * 1024 * 1024 + 1,
      expect: { status: 413 },
    },
  ],
};
