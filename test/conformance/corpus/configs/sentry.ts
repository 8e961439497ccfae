/** @module Sentry self-hosted's nginx.conf: two upstreams, a regex location, http-level proxy settings and a 100m body limit. */
import { app, type CorpusConfig } from '../corpus-config.js';

export const sentry: CorpusConfig = {
  name: 'sentry',
  file: 'nginx.conf',
  source: 'github.com/getsentry/self-hosted nginx/nginx.conf @ 17e522566b025aed43abd36744faf3ed7f46dbd5',
  whole: true,
  backends: { relay: 'tcp', web: 'tcp' },
  localise: [
    ['user nginx;', '', 'Debian has no "nginx" user (nginx refuses to start: getpwnam failed); the tests run it as the current user'],
    ['worker_processes auto;', 'daemon off; master_process off; worker_processes 1;', 'one foreground process the test can stop'],
    ['error_log /var/log/nginx/error.log warn;', 'error_log {{dir}}/error.log info;', 'logs in the temp directory'],
    ['pid /var/run/nginx.pid;', 'pid {{dir}}/nginx.pid;', 'pid file in the temp directory'],
    ['access_log /var/log/nginx/access.log main;', 'access_log {{dir}}/access.log main;', 'logs in the temp directory'],
    ['server relay:3000;', 'server {{backend:relay}};', 'the compose service names become local backends'],
    ['server web:9000;', 'server {{backend:web}};', 'the compose service names become local backends'],
    ['listen 80;', 'listen {{http}};', 'a free loopback port'],
  ],
  side: 'http',
  byHand: 'Nothing: every path reaches its upstream as in nginx (the compose names relay and web must resolve where Node runs)',
  cases: [
    { name: 'sentry: /api/store/ goes to relay', path: '/api/store/', expect: app('relay', '/api/store/') },
    { name: 'sentry: /api/42/envelope/ (regex) goes to relay', path: '/api/42/envelope/', expect: app('relay', '/api/42/envelope/') },
    { name: 'sentry: /api/0/projects/ (not [1-9]) goes to web', path: '/api/0/projects/', expect: app('web', '/api/0/projects/') },
    { name: 'sentry: / goes to web', path: '/', expect: app('web', '/') },
    { name: 'sentry: /organizations/x/issues/ goes to web', path: '/organizations/x/issues/', expect: app('web', '/organizations/x/issues/') },
    { name: 'sentry: any Host is the one server', host: 'unknown.test', path: '/auth/login/', expect: app('web', '/auth/login/') },
    { name: 'sentry: a 2 KB POST reaches relay', method: 'POST', path: '/api/store/', bodyBytes: 2048, send: true, expect: app('relay', '/api/store/') },
    { name: 'sentry: a body over 100m is 413', method: 'POST', path: '/api/store/', bodyBytes: 100 * 1024 * 1024 + 1, expect: { status: 413 } },
  ],
};
