/** @module Why a directive that switchyard does not map is ignored: the reason text of each warning. */
import { own } from '../config/own.js';

const ACCESS = 'access control is left to the app';
const REASONS: Record<string, string> = {
  allow: ACCESS,
  deny: ACCESS,
  auth_basic: ACCESS,
  auth_basic_user_file: ACCESS,
  auth_request: ACCESS,
  satisfy: ACCESS,
  limit_except: ACCESS,
  if: 'nginx conditions are not evaluated',
  rewrite: 'URL rewriting and redirects are left to the app',
  return: 'answering from the proxy is left to the app',
  real_ip_recursive: 'switchyard keeps X-Forwarded-For from trusted peers as it is',
  more_set_headers: 'third-party headers-more module; write a rewriteResponseHeaders hook',
  more_clear_headers: 'third-party headers-more module; write a rewriteResponseHeaders hook',
  more_set_input_headers: 'third-party headers-more module; write a rewriteRequest hook',
  more_clear_input_headers: 'third-party headers-more module; write a rewriteRequest hook',
};

const OTHER_PASS = new Set(['fastcgi_pass', 'uwsgi_pass', 'scgi_pass', 'memcached_pass']);

/** The `*_pass` directives of nginx's non-HTTP upstream protocols: a location using one cannot be proxied. */
export function isOtherPass(name: string): boolean {
  return OTHER_PASS.has(name);
}

/** The reason given in the warning for an ignored directive. */
export function ignoredReason(name: string): string {
  const known = own(REASONS, name);
  if (known !== undefined) return known;
  if (name.startsWith('proxy_ssl_'))
    return "no switchyard equivalent; Node's TLS defaults apply (the mapped ones are proxy_ssl_trusted_certificate, _certificate, _certificate_key, _password_file, _name, _verify, _protocols)";
  if (name.startsWith('proxy_')) return 'proxy option not supported by switchyard';
  return 'not about load balancing';
}
