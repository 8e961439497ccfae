/** @module Why a directive that switchyard does not map is ignored, and whether that changes what reaches the app: the reason and kind of each warning. */
import { own } from '../config/own.js';
import type { ImportNoteKind } from '../types.js';
import type { ImportNotes } from './notes.js';
import type { Position } from './tokenizer.js';

const ACCESS =
  'not imported: switchyard does not apply nginx access rules, so every request reaches the app; check access in the app or a middleware in front of the proxied routes';

const SERVES_NO_FILES =
  "switchyard serves no files: a request no location matches reaches the app's own routes, where nginx would answer it from the file system";

/** Reasons for the directives that change what reaches the app when ignored. */
const CHANGES: Record<string, string> = {
  limit_rate: 'not imported: switchyard does not slow down responses',
  auth_request: ACCESS,
  auth_request_set: ACCESS,
  limit_except: ACCESS,
  if: 'nginx conditions are not evaluated',
  rewrite: 'URL rewriting is not imported: requests keep their original path',
  return: 'answering from the proxy is not imported here',
  real_ip_recursive: 'switchyard keeps X-Forwarded-For from trusted peers as it is',
  root: SERVES_NO_FILES,
  alias: SERVES_NO_FILES,
  index: SERVES_NO_FILES,
  autoindex: SERVES_NO_FILES,
  try_files: SERVES_NO_FILES,
  gzip: 'switchyard does not compress responses: use @fastify/compress (Fastify) or compression (Express)',
  more_set_headers: 'third-party headers-more module; write a rewriteResponseHeaders hook',
  more_clear_headers: 'third-party headers-more module; write a rewriteResponseHeaders hook',
  more_set_input_headers: 'third-party headers-more module; write a rewriteRequest hook',
  more_clear_input_headers: 'third-party headers-more module; write a rewriteRequest hook',
};

const PROCESS = "about nginx's own process; Node runs switchyard";
const NGINX_TUNING = "nginx's own I/O and memory tuning; Node's applies";
const CLIENT_CONN = "client connection timeouts are the Node server's (server.keepAliveTimeout, requestTimeout, headersTimeout)";
const STREAMED = 'switchyard streams responses already: it never buffers a response body, as nginx does with proxy_buffering off';
/** Directives that change nothing a request or a response carries here: nginx's process, tuning, buffers. */
const HARMLESS: Record<string, string> = {
  user: PROCESS,
  worker_processes: PROCESS,
  worker_connections: PROCESS,
  worker_rlimit_nofile: PROCESS,
  worker_cpu_affinity: PROCESS,
  worker_priority: PROCESS,
  worker_shutdown_timeout: PROCESS,
  pid: PROCESS,
  daemon: PROCESS,
  master_process: PROCESS,
  events: PROCESS,
  multi_accept: PROCESS,
  use: PROCESS,
  accept_mutex: PROCESS,
  lock_file: PROCESS,
  pcre_jit: PROCESS,
  thread_pool: PROCESS,
  load_module: PROCESS,
  timer_resolution: PROCESS,
  working_directory: PROCESS,
  env: PROCESS,
  error_log: "nginx's error log; switchyard logs errors through the framework's logger",
  sendfile: NGINX_TUNING,
  tcp_nopush: NGINX_TUNING,
  tcp_nodelay: NGINX_TUNING,
  aio: NGINX_TUNING,
  directio: NGINX_TUNING,
  open_file_cache: NGINX_TUNING,
  open_file_cache_valid: NGINX_TUNING,
  open_file_cache_min_uses: NGINX_TUNING,
  open_file_cache_errors: NGINX_TUNING,
  types_hash_max_size: NGINX_TUNING,
  types_hash_bucket_size: NGINX_TUNING,
  server_names_hash_max_size: NGINX_TUNING,
  server_names_hash_bucket_size: NGINX_TUNING,
  map_hash_max_size: NGINX_TUNING,
  map_hash_bucket_size: NGINX_TUNING,
  variables_hash_max_size: NGINX_TUNING,
  variables_hash_bucket_size: NGINX_TUNING,
  proxy_headers_hash_max_size: NGINX_TUNING,
  proxy_headers_hash_bucket_size: NGINX_TUNING,
  client_body_buffer_size: NGINX_TUNING,
  client_body_temp_path: NGINX_TUNING,
  proxy_temp_path: NGINX_TUNING,
  proxy_buffer_size: STREAMED,
  proxy_buffers: STREAMED,
  proxy_busy_buffers_size: STREAMED,
  proxy_max_temp_file_size: STREAMED,
  proxy_temp_file_write_size: STREAMED,
  proxy_buffering: STREAMED,
  reset_timedout_connection: NGINX_TUNING,
  keepalive_timeout: CLIENT_CONN,
  keepalive_requests: CLIENT_CONN,
  client_header_timeout: CLIENT_CONN,
  client_body_timeout: CLIENT_CONN,
  send_timeout: CLIENT_CONN,
  access_log: "a location's own access log is not imported: switchyard writes one access log, the http or server level one",
  server_tokens: "the nginx version in nginx's own Server header; switchyard sends no nginx version",
  types: 'MIME types of files nginx serves; the framework sets Content-Type',
  default_type: 'MIME types of files nginx serves; the framework sets Content-Type',
};

const OTHER_PASS = new Set(['fastcgi_pass', 'uwsgi_pass', 'scgi_pass', 'memcached_pass']);

/** The `*_pass` directives of nginx's non-HTTP upstream protocols: a location using one cannot be proxied. */
export function isOtherPass(name: string): boolean {
  return OTHER_PASS.has(name);
}

/** The reason given in the warning for an ignored directive. */
export function ignoredReason(name: string): string {
  const known = own(CHANGES, name) ?? own(HARMLESS, name);
  if (known !== undefined) return known;
  if (name.startsWith('proxy_ssl_'))
    return "no switchyard equivalent; Node's TLS defaults apply (the mapped ones are proxy_ssl_trusted_certificate, _certificate, _certificate_key, _password_file, _name, _verify, _protocols)";
  if (name.startsWith('gzip_')) return own(CHANGES, 'gzip') as string;
  if (name.startsWith('ssl_')) return "TLS is terminated by the Node server (https.createServer, or Fastify's https option), not by the import";
  if (name.startsWith('proxy_cache')) return 'switchyard has no cache: every request reaches the upstream';
  if (name.startsWith('proxy_')) return 'proxy option not supported by switchyard';
  return 'not about load balancing';
}

/**
 * The kind of the warning for an ignored directive: `'harmless'` for nginx's process and tuning
 * (the table above), `'changes'` for everything else, including names switchyard does not know:
 * a warning nobody checked is never called harmless.
 */
export function ignoredKind(name: string): ImportNoteKind {
  return own(HARMLESS, name) !== undefined ? 'harmless' : 'changes';
}

/**
 * In a location that proxies, nginx answers from the upstream and reads no file: `root`, `alias`
 * and `index` there change nothing (`try_files` does: nginx tries the files first).
 */
export function ignoreInProxiedLocation(notes: ImportNotes, at: Position & { args?: ReadonlyArray<{ value: string }> }, name: string): void {
  if (name === 'root' || name === 'alias' || name === 'index') notes.ignored(at, name, 'the location proxies: nginx reads no file here either', 'harmless');
  else ignoreDirective(notes, at, name);
}

/** Warn that a directive is ignored, with its reason and kind. */
export function ignoreDirective(notes: ImportNotes, at: Position & { args?: ReadonlyArray<{ value: string }> }, name: string): void {
  if (name === 'gzip' && at.args?.[0]?.value === 'off') {
    notes.ignored(at, 'gzip off', 'switchyard does not compress responses either', 'harmless');
    return;
  }
  if (name === 'proxy_request_buffering') {
    // switchyard streams request bodies: what nginx does with "off"; "on" (nginx's default) waits for the whole body first.
    const off = at.args?.[0]?.value === 'off';
    notes.ignored(
      at,
      `${name} ${off ? 'off' : 'on'}`,
      'switchyard streams request bodies to the upstream as they arrive, as nginx does with proxy_request_buffering off',
      off ? 'harmless' : 'changes',
    );
    return;
  }
  notes.ignored(at, name, ignoredReason(name), ignoredKind(name));
}
