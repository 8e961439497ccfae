/** @module Grafana's "Run Grafana behind a reverse proxy": an upstream, a Live WebSocket location, a server-level root. */
import { app, type CorpusConfig } from '../corpus-config.js';

export const grafana: CorpusConfig = {
  name: 'grafana',
  file: 'nginx.conf',
  source: 'github.com/grafana/grafana docs/sources/tutorials/run-grafana-behind-a-proxy/index.md @ 00e07a29f9ef6a2a4972bf562dd1338ed168982e',
  backends: { grafana: 'tcp' },
  localise: [
    ['server localhost:3000;', 'server {{backend:grafana}};', 'Grafana becomes a local backend'],
    ['listen 80;', 'listen {{http}};', 'a free loopback port'],
    ['root /usr/share/nginx/html;', 'root {{static}};', "the fixture's static directory"],
  ],
  side: 'http',
  byHand: 'Nothing for the proxied paths (root/index of the server are unused: every path is proxied)',
  cases: [
    { name: 'grafana: / reaches Grafana', path: '/', expect: app('grafana', '/') },
    { name: 'grafana: /api/live/ws reaches Grafana', path: '/api/live/ws', expect: app('grafana', '/api/live/ws') },
    { name: 'grafana: /d/abc/dashboard reaches Grafana', path: '/d/abc/dashboard?orgId=1', expect: app('grafana', '/d/abc/dashboard?orgId=1') },
    { name: 'grafana: any Host', host: 'unknown.test', path: '/login', expect: app('grafana', '/login') },
    { name: 'grafana: a body over the default 1m is 413', method: 'POST', path: '/api/dashboards/db', bodyBytes: 1024 * 1024 + 1, expect: { status: 413 } },
  ],
};
