/** @module Gitea's "serve static resources directly" (single node, single domain): an `alias` location beside the proxied `location /`. */
import { app, file, type CorpusConfig } from '../corpus-config.js';

export const gitea: CorpusConfig = {
  name: 'gitea',
  file: 'nginx.conf',
  source: 'github.com/go-gitea/gitea docs/content/administration/reverse-proxies.en-us.md @ 16cb5fc6aff0f24182535e4dff453810893f9589',
  backends: { gitea: 'tcp' },
  localise: [
    ['listen 80;', 'listen {{http}};', 'a free loopback port'],
    ['alias /path/to/gitea/public/;', 'alias {{static}}/;', "the fixture's static directory"],
    ['proxy_pass http://localhost:3000;', 'proxy_pass http://{{backend:gitea}};', 'Gitea becomes a local backend'],
  ],
  side: 'http',
  byHand: 'Nothing: /_/static/assets/ is served from the alias, the rest reaches Gitea',
  cases: [
    { name: 'gitea: a static asset is served from the alias', host: 'git.example.com', path: '/_/static/assets/css/index.css', expect: file('gitea css\n') },
    { name: 'gitea: a missing static asset is 404, not the app', host: 'git.example.com', path: '/_/static/assets/css/missing.css', expect: { status: 404 } },
    { name: 'gitea: / reaches Gitea', host: 'git.example.com', path: '/', expect: app('gitea', '/') },
    { name: 'gitea: /user/login reaches Gitea', host: 'git.example.com', path: '/user/login', expect: app('gitea', '/user/login') },
    { name: 'gitea: an encoded slash passes as received', host: 'git.example.com', path: '/a%2Fb', expect: app('gitea', '/a%2Fb') },
    { name: 'gitea: any Host is the one server', host: 'unknown.test', path: '/explore', expect: app('gitea', '/explore') },
    {
      name: 'gitea: a body over the default 1m is 413',
      host: 'git.example.com',
      method: 'POST',
      path: '/api/v1/repos',
      bodyBytes: 1024 * 1024 + 1,
      expect: { status: 413 },
    },
  ],
};
