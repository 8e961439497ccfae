/** @module Headers that tell an upstream who the client is or what it asked for: only a trusted peer may send them. */

/**
 * Client-address and original-request headers an application may believe (Rack reads
 * `X-Forwarded-Ssl: on` as HTTPS, IIS and Symfony route on `X-Original-URL`, CDNs' IP headers feed
 * rate limits). switchyard writes X-Forwarded-For/-Proto/-Host and X-Real-IP itself; the rest of
 * the family is dropped unless the peer is a trusted proxy, as nginx users do with
 * `proxy_set_header X-Original-URL ""`.
 */
const FAMILY: ReadonlySet<string> = new Set([
  'x-forwarded-for',
  'x-forwarded-proto',
  'x-forwarded-host',
  'x-forwarded-port',
  'x-forwarded-prefix',
  'x-forwarded-ssl',
  'x-forwarded-scheme',
  'x-forwarded-server',
  'x-forwarded-uri',
  'x-forwarded-path',
  'x-forwarded-protocol',
  'x-forwarded',
  'forwarded-for',
  'forwarded',
  'x-real-ip',
  'x-client-ip',
  'client-ip',
  'true-client-ip',
  'cf-connecting-ip',
  'cf-connecting-ipv6',
  'cf-visitor',
  'fastly-client-ip',
  'x-cluster-client-ip',
  'x-originating-ip',
  'x-remote-ip',
  'x-remote-addr',
  'x-proxyuser-ip',
  'x-original-url',
  'x-original-uri',
  'x-original-host',
  'x-rewrite-url',
  'x-host',
  'x-url-scheme',
  'x-scheme',
  'front-end-https',
]);

/**
 * A header of the forwarding family. `X_Forwarded_For` counts too: CGI-style servers (PHP, Rack,
 * WSGI) map `_` and `-` to the same variable, so the underscore spelling is the same header to them.
 */
export function isForwardingHeader(name: string): boolean {
  if (FAMILY.has(name)) return true;
  return name.includes('_') && FAMILY.has(name.replaceAll('_', '-'));
}
