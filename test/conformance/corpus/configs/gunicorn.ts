/** @module gunicorn's examples/nginx.conf: a `return 444` default server, `try_files $uri @proxy_to_app`, a 4G limit. */
import { app, file, type CorpusConfig } from '../corpus-config.js';

export const gunicorn: CorpusConfig = {
  name: 'gunicorn',
  file: 'nginx.conf',
  source: 'github.com/benoitc/gunicorn examples/nginx.conf @ 65ac1a3a4c0aa00960968c720d6e6bd2ac32f1b9',
  whole: true,
  backends: { app: 'unix' },
  localise: [
    ['worker_processes 1;', 'daemon off; master_process off; worker_processes 1;', 'one foreground process the test can stop'],
    ['error_log  /var/log/nginx/error.log warn;', 'error_log {{dir}}/error.log info;', 'logs in the temp directory'],
    ['pid /var/run/nginx.pid;', 'pid {{dir}}/nginx.pid;', 'pid file in the temp directory'],
    ['include mime.types;', 'include /etc/nginx/mime.types;', "nginx's conf directory is the temp directory here: Debian's mime.types by its path"],
    ['access_log /var/log/nginx/access.log combined;', 'access_log {{dir}}/access.log combined;', 'logs in the temp directory'],
    ['server unix:/tmp/gunicorn.sock fail_timeout=0;', 'server {{backend:app}} fail_timeout=0;', 'gunicorn becomes a local backend on a unix socket'],
    ['listen 80 default_server;', 'listen {{http}} default_server;', 'a free loopback port'],
    ['listen 80;', 'listen {{http}};', 'the same port'],
    ['root /path/to/app/current/public;', 'root {{static}};', "the fixture's static directory (both roots)"],
  ],
  side: 'http',
  byHand: 'Nothing: the default server closes unknown hosts (444), public/ is served, the rest goes to @proxy_to_app',
  includes: { 'mime.types': '/etc/nginx/mime.types' },
  cases: [
    { name: 'gunicorn: / goes to the app (@proxy_to_app)', host: 'example.com', path: '/', expect: app('app', '/') },
    { name: 'gunicorn: /accounts/login/ goes to the app', host: 'example.com', path: '/accounts/login/?next=/', expect: app('app', '/accounts/login/?next=/') },
    { name: 'gunicorn: a file of public/ is served', host: 'example.com', path: '/robots.txt', expect: file('gunicorn robots\n') },
    { name: 'gunicorn: www.example.com is the same site', host: 'www.example.com', path: '/x', expect: app('app', '/x') },
    { name: 'gunicorn: an unknown Host is closed without an answer (444)', host: 'unknown.test', path: '/', expect: { status: 0 } },
    {
      name: 'gunicorn: a body over 4G is 413',
      host: 'example.com',
      method: 'POST',
      path: '/upload',
      bodyBytes: 4 * 1024 * 1024 * 1024 + 1,
      expect: { status: 413 },
    },
  ],
};
