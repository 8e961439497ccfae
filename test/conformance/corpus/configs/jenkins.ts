/** @module Jenkins' "Reverse proxy - Nginx": a `rewrite ... last` for its static URLs, `/userContent` served from disk, `location /` proxied with a 10m limit. */
import { app, file, type CorpusConfig } from '../corpus-config.js';

export const jenkins: CorpusConfig = {
  name: 'jenkins',
  file: 'nginx.conf',
  source:
    'github.com/jenkins-infra/jenkins.io content/doc/book/system-administration/reverse-proxy-configuration-with-jenkins/reverse-proxy-configuration-nginx.adoc @ 00af70f85cfcbf82f95e55829b582c988f9a81a5',
  backends: { jenkins: 'tcp' },
  localise: [
    ['server 127.0.0.1:8080;', 'server {{backend:jenkins}};', 'Jenkins becomes a local backend'],
    ['listen          80;', 'listen {{http}};', 'a free loopback port'],
    ['root            /var/run/jenkins/war/;', 'root {{static}}/war/;', "the fixture's static directory stands for the Jenkins war"],
    ['/var/log/nginx/jenkins.access.log', '{{dir}}/jenkins.access.log', 'logs in the temp directory'],
    ['/var/log/nginx/jenkins.error.log', '{{dir}}/jenkins.error.log', 'logs in the temp directory'],
    ['root /var/lib/jenkins/;', 'root {{static}}/home/;', "the fixture's static directory stands for $JENKINS_HOME"],
  ],
  side: 'http',
  byHand:
    'Nothing: /userContent is served from $JENKINS_HOME (a missing file is rewritten to //userContent/... and proxied), /static/<hex>/ is rewritten, the rest reaches Jenkins',
  cases: [
    {
      name: 'jenkins: /static/<8 hex>/... is rewritten to the root and proxied',
      host: 'jenkins.example.com',
      path: '/static/0123abcd/css/style.css',
      expect: app('jenkins', '/css/style.css'),
    },
    {
      name: 'jenkins: /static/ without the hex part is proxied as is',
      host: 'jenkins.example.com',
      path: '/static/xyz/css/style.css',
      expect: app('jenkins', '/static/xyz/css/style.css'),
    },
    {
      name: 'jenkins: a /userContent file is served from $JENKINS_HOME',
      host: 'jenkins.example.com',
      path: '/userContent/readme.txt',
      expect: file('jenkins user content\n'),
    },
    {
      name: 'jenkins: a missing /userContent file is rewritten to //userContent/... and proxied',
      host: 'jenkins.example.com',
      path: '/userContent/missing.txt',
      expect: app('jenkins', '//userContent/missing.txt'),
    },
    { name: 'jenkins: / reaches Jenkins', host: 'jenkins.example.com', path: '/', expect: app('jenkins', '/') },
    {
      name: 'jenkins: /job/x/build reaches Jenkins',
      host: 'jenkins.example.com',
      path: '/job/x/build?delay=0sec',
      expect: app('jenkins', '/job/x/build?delay=0sec'),
    },
    { name: 'jenkins: any Host is the one server', host: 'unknown.test', path: '/login', expect: app('jenkins', '/login') },
    {
      name: 'jenkins: a 2 MB upload (under 10m) reaches Jenkins',
      host: 'jenkins.example.com',
      method: 'POST',
      path: '/job/x/build',
      bodyBytes: 2 * 1024 * 1024,
      send: true,
      expect: app('jenkins', '/job/x/build'),
    },
    {
      name: 'jenkins: a body over 10m is 413',
      host: 'jenkins.example.com',
      method: 'POST',
      path: '/job/x/build',
      bodyBytes: 10 * 1024 * 1024 + 1,
      expect: { status: 413 },
    },
  ],
};
