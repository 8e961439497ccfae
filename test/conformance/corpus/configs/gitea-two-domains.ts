/** @module Gitea's "Two nodes and two domains": an application host and a static host (alias, `return 404`) on one nginx, picked by server_name. */
import { app, file, type CorpusConfig } from '../corpus-config.js';

export const giteaTwoDomains: CorpusConfig = {
  name: 'gitea-two-domains',
  file: 'nginx.conf',
  source:
    'github.com/go-gitea/gitea docs/content/administration/reverse-proxies.en-us.md @ 16cb5fc6aff0f24182535e4dff453810893f9589 ("Two nodes and two domains")',
  backends: { gitea: 'tcp' },
  localise: [
    ['listen 80;', 'listen {{http}};', 'a free loopback port (both blocks)'],
    ['proxy_pass http://localhost:3000;', 'proxy_pass http://{{backend:gitea}};', 'Gitea becomes a local backend'],
    ['alias /path/to/gitea/public/;', 'alias {{static}}/;', "the fixture's static directory"],
  ],
  side: 'http',
  byHand: 'Nothing: the cdn host serves its /gitea/ files (and 404 elsewhere, as its `location /` does in nginx)',
  cases: [
    { name: 'gitea-two-domains: git.example.com reaches Gitea', host: 'git.example.com', path: '/user/login', expect: app('gitea', '/user/login') },
    { name: 'gitea-two-domains: the Host is case-insensitive and without its port', host: 'GIT.Example.com:8080', path: '/', expect: app('gitea', '/') },
    { name: 'gitea-two-domains: cdn.example.com serves a static file', host: 'cdn.example.com', path: '/gitea/css/index.css', expect: file('gitea cdn css\n') },
    { name: 'gitea-two-domains: a missing cdn file is 404', host: 'cdn.example.com', path: '/gitea/css/missing.css', expect: { status: 404 } },
    { name: 'gitea-two-domains: cdn.example.com answers 404 elsewhere (return 404)', host: 'cdn.example.com', path: '/user/login', expect: { status: 404 } },
    { name: 'gitea-two-domains: an unknown Host goes to the first server (Gitea)', host: 'unknown.test', path: '/explore', expect: app('gitea', '/explore') },
    {
      name: 'gitea-two-domains: a body over the default 1m is 413 on the app host',
      host: 'git.example.com',
      method: 'POST',
      path: '/api/v1/repos',
      bodyBytes: 1024 * 1024 + 1,
      expect: { status: 413 },
    },
  ],
};
