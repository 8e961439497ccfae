/** @module socket.io's cluster-nginx example: four nodes behind `hash $remote_addr consistent`. */
import { type CorpusConfig } from '../corpus-config.js';

const NODES = ['john', 'paul', 'george', 'ringo'];
const anyNode = (url: string): { status: number; oneOf: string[]; sameAsNginx: true } => ({
  status: 200,
  oneOf: NODES.map((n) => `${n} ${url}`),
  sameAsNginx: true,
});

export const socketioCluster: CorpusConfig = {
  name: 'socketio-cluster',
  file: 'nginx.conf',
  source: 'github.com/socketio/socket.io examples/cluster-nginx/nginx/nginx.conf @ 0d10e6131be34bab8ffb0cf5390cd9f8180ea2d7',
  whole: true,
  backends: { john: 'tcp', paul: 'tcp', george: 'tcp', ringo: 'tcp' },
  localise: [
    [
      'worker_processes 4;',
      'daemon off; master_process off; worker_processes 1; pid {{dir}}/nginx.pid; error_log {{dir}}/error.log info;',
      'one foreground process, its files in the temp directory',
    ],
    ['listen 80;', 'listen {{http}};', 'a free loopback port'],
    ['server server-john:3000;', 'server {{backend:john}};', 'the compose service names become local backends'],
    ['server server-paul:3000;', 'server {{backend:paul}};', 'the compose service names become local backends'],
    ['server server-george:3000;', 'server {{backend:george}};', 'the compose service names become local backends'],
    ['server server-ringo:3000;', 'server {{backend:ringo}};', 'the compose service names become local backends'],
  ],
  side: 'http',
  byHand: "Nothing: hash $remote_addr consistent picks the same node as nginx (socket.io's sticky sessions)",
  cases: [
    { name: 'socketio-cluster: / reaches a node', path: '/', expect: anyNode('/') },
    {
      name: 'socketio-cluster: the polling transport reaches a node',
      path: '/socket.io/?EIO=4&transport=polling',
      expect: anyNode('/socket.io/?EIO=4&transport=polling'),
    },
    { name: 'socketio-cluster: any Host', host: 'unknown.test', path: '/', expect: anyNode('/') },
    {
      name: 'socketio-cluster: a body over the default 1m is 413',
      method: 'POST',
      path: '/socket.io/?EIO=4&transport=polling',
      bodyBytes: 1024 * 1024 + 1,
      expect: { status: 413 },
    },
  ],
};
