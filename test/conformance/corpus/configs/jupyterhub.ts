/** @module JupyterHub's "Using a reverse proxy" (nginx): a :80 block that redirects, a :443 `ssl on` block that proxies and serves /.well-known from nginx's default root. */
import { app, file, type CorpusConfig } from '../corpus-config.js';

const HUB = 'HUB.DOMAIN.TLD';

export const jupyterhub: CorpusConfig = {
  name: 'jupyterhub',
  file: 'nginx.conf',
  source: 'github.com/jupyterhub/jupyterhub docs/source/howto/configuration/config-proxy.md @ 3a9c631526bf2cb91c8691f2018c32da23d19f5c',
  backends: { hub: 'tcp' },
  localise: [
    ['listen 80;', 'listen {{http}};', 'a free loopback port'],
    ['listen 443;', 'listen {{https}};', 'a free loopback port ("ssl on" makes it TLS)'],
    ['/etc/letsencrypt/live/HUB.DOMAIN.TLD/fullchain.pem', '{{cert}}', 'a certificate generated with openssl'],
    ['/etc/letsencrypt/live/HUB.DOMAIN.TLD/privkey.pem', '{{key}}', 'a certificate generated with openssl'],
    ['/etc/ssl/certs/dhparam.pem', '{{dhparam}}', 'DH parameters generated with openssl (2048 bits, -dsaparam: the 4096 of the docs take minutes)'],
    ['proxy_pass http://127.0.0.1:8000;', 'proxy_pass http://{{backend:hub}};', 'JupyterHub becomes a local backend'],
  ],
  side: 'https',
  defaultRoot: true,
  byHand: "Terminate TLS in Node and redirect :80 in front of it; pass prefix (nginx -p) so /.well-known is served from nginx's default root <prefix>/html",
  cases: [
    { name: 'jupyterhub: / reaches the hub', host: HUB, path: '/', expect: app('hub', '/') },
    { name: 'jupyterhub: /hub/login reaches the hub', host: HUB, path: '/hub/login?next=%2Fhub%2F', expect: app('hub', '/hub/login?next=%2Fhub%2F') },
    { name: 'jupyterhub: /user/x/api/kernels reaches the hub', host: HUB, path: '/user/x/api/kernels', expect: app('hub', '/user/x/api/kernels') },
    {
      name: "jupyterhub: the certbot token is served from nginx's root",
      host: HUB,
      path: '/.well-known/acme-challenge/token',
      expect: file('jupyterhub acme token\n'),
    },
    { name: 'jupyterhub: a missing /.well-known file is 404', host: HUB, path: '/.well-known/missing', expect: { status: 404 } },
    { name: 'jupyterhub: an unknown Host on :443 is the one https server', host: 'unknown.test', path: '/hub/', expect: app('hub', '/hub/') },
    {
      name: 'jupyterhub: a body over the default 1m is 413',
      host: HUB,
      method: 'POST',
      path: '/hub/api/users',
      bodyBytes: 1024 * 1024 + 1,
      expect: { status: 413 },
    },
    {
      name: 'jupyterhub: :80 redirects to https (302)',
      side: 'http',
      host: HUB,
      path: '/hub/login?x=1',
      expect: { status: 302, location: 'https://hub.domain.tld/hub/login?x=1' },
    },
  ],
};
