/** @module PM2's "Production Setup with Nginx": one TLS server, `proxy_pass` with a URI part. */
import { app, type CorpusConfig } from '../corpus-config.js';

export const pm2: CorpusConfig = {
  name: 'pm2',
  file: 'nginx.conf',
  source:
    'https://pm2.keymetrics.io/docs/tutorials/pm2-nginx-production-setup/ (github.com/pm2-hive/pm2-hive.github.io docs/tutorials/pm2-nginx-production-setup/index.html.md @ 31382eefeeb5c13952a74389aac71861c9cd240d)',
  backends: { node: 'tcp' },
  localise: [
    ['server 127.0.0.1:3001;', 'server {{backend:node}};', 'the Node.js app becomes a local backend'],
    ['listen 443 ssl;', 'listen {{https}} ssl;', 'a free loopback port'],
    ['/etc/ssl/main.key', '{{key}}', 'a certificate generated with openssl'],
    ['/etc/ssl/main.crt', '{{cert}}', 'a certificate generated with openssl'],
  ],
  side: 'https',
  byHand: "Terminate TLS in Node (https.createServer or Fastify's https option with the certificate)",
  cases: [
    { name: 'pm2: / reaches the app', host: 'www.my-website.com', path: '/', expect: app('node', '/') },
    {
      name: 'pm2: a path and query pass unchanged (proxy_pass .../ on location /)',
      host: 'www.my-website.com',
      path: '/api/users?page=2',
      expect: app('node', '/api/users?page=2'),
    },
    { name: 'pm2: any Host is the one server', host: 'unknown.test', path: '/x', expect: app('node', '/x') },
    {
      name: 'pm2: a body over the default 1m is 413',
      host: 'www.my-website.com',
      method: 'POST',
      path: '/upload',
      bodyBytes: 1024 * 1024 + 1,
      expect: { status: 413 },
    },
  ],
};
