/** @module GitLab's lib/support/nginx/gitlab: `try_files $uri $uri/index.html $uri.html @gitlab`, an assets location served from disk, a 20m limit. */
import { app, file, type CorpusConfig } from '../corpus-config.js';

const HOST = 'YOUR_SERVER_FQDN';

export const gitlab: CorpusConfig = {
  name: 'gitlab',
  file: 'gitlab',
  source: 'github.com/gitlabhq/gitlabhq lib/support/nginx/gitlab @ 0718d877b9b2ee9a8acd22e3c6d5abed2a5e9639',
  backends: { gitlab: 'unix' },
  localise: [
    ['server unix:/home/git/gitlab/tmp/sockets/gitlab.socket;', 'server {{backend:gitlab}};', 'the unicorn socket becomes a local backend on a unix socket'],
    ['listen *:80 default_server;', 'listen {{http}} default_server;', 'a free loopback port'],
    ['root /home/git/gitlab/public;', 'root {{static}};', "the fixture's static directory (both roots)"],
    ['/var/log/nginx/gitlab_access.log', '{{dir}}/gitlab_access.log', 'logs in the temp directory'],
    ['/var/log/nginx/gitlab_error.log', '{{dir}}/gitlab_error.log', 'logs in the temp directory'],
  ],
  side: 'http',
  byHand: 'gzip_static (the assets are served uncompressed); the error pages are read at import, so public/ must exist where Node runs',
  cases: [
    { name: 'gitlab: / goes to GitLab (@gitlab)', host: HOST, path: '/', expect: app('gitlab', '/') },
    { name: 'gitlab: /explore goes to GitLab', host: HOST, path: '/explore?sort=latest', expect: app('gitlab', '/explore?sort=latest') },
    { name: 'gitlab: a file of public/ is served', host: HOST, path: '/robots.txt', expect: file('gitlab robots\n') },
    { name: 'gitlab: /help is served as help.html ($uri.html)', host: HOST, path: '/help', expect: file('gitlab help page\n') },
    { name: 'gitlab: an asset is served from disk', host: HOST, path: '/assets/application.css', expect: file('gitlab asset\n') },
    { name: 'gitlab: a missing asset is 404', host: HOST, path: '/assets/missing.css', expect: { status: 404 } },
    { name: 'gitlab: any Host is the default server', host: 'unknown.test', path: '/users/sign_in', expect: app('gitlab', '/users/sign_in') },
    {
      name: 'gitlab: a 2 MB push (under 20m) goes to GitLab',
      host: HOST,
      method: 'POST',
      path: '/group/repo.git/git-receive-pack',
      bodyBytes: 2 * 1024 * 1024,
      send: true,
      expect: app('gitlab', '/group/repo.git/git-receive-pack'),
    },
    {
      name: 'gitlab: a body over 20m is 413',
      host: HOST,
      method: 'POST',
      path: '/group/repo.git/git-receive-pack',
      bodyBytes: 20 * 1024 * 1024 + 1,
      expect: { status: 413 },
    },
  ],
};
