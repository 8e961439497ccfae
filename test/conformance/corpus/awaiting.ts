/** @module The corpus cases switchyard does not answer as nginx today, each with the answer it gives meanwhile: features in progress (the lead deletes an entry when its feature lands), one deliberate difference, and the gaps nobody is on yet. */
import { app, type View } from './corpus-config.js';

/** What switchyard does today for such a case: another answer, or the whole config refused (keyed by config name). */
export type Today = View | { readonly refused: RegExp };

/**
 * Static files (root/alias/index/try_files with a named @app fallback), location-level return, rewrite,
 * `if` redirect forms: today such a location is left out and `location /` proxies its paths.
 */
export const AWAITING_STATIC_AND_REWRITE: Readonly<Record<string, Today>> = {
  'mastodon: /sw.js is served from disk': app('backend', '/sw.js'),
  'mastodon: /packs/app.js is served from disk': app('backend', '/packs/app.js'),
  'mastodon: a missing /packs/ file is 404 (try_files =404)': app('backend', '/packs/missing.js'),
  'mastodon: /system/media/a.png is served from disk': app('backend', '/system/media/a.png'),
  'mastodon: a missing /system/ file is 404': app('backend', '/system/missing.png'),
  // try_files ... @gitlab: the only proxied location is named, so the import has nothing a request reaches.
  gitlab: { refused: /upstream "gitlab" is reached by no location/ },
  'gitea: a static asset is served from the alias': app('gitea', '/_/static/assets/css/index.css'),
  'gitea: a missing static asset is 404, not the app': app('gitea', '/_/static/assets/css/missing.css'),
  // The cdn host's locations are left out, so it has none: the app's 404 for every path, the static file too.
  'gitea-two-domains: cdn.example.com serves a static file': { status: 404 },
  'jenkins: /static/<8 hex>/... is rewritten to the root and proxied': app('jenkins', '/static/0123abcd/css/style.css'),
  'jenkins: a /userContent file is served from $JENKINS_HOME': app('jenkins', '/userContent/readme.txt'),
  'jenkins: a missing /userContent file is rewritten to //userContent/... and proxied': app('jenkins', '/userContent/missing.txt'),
  // `location ~ /.well-known { allow all; }`: files from nginx's default root (and an allow, see AWAITING_LIMITS).
  "jupyterhub: the certbot token is served from nginx's root": app('hub', '/.well-known/acme-challenge/token'),
  'jupyterhub: a missing /.well-known file is 404': app('hub', '/.well-known/missing'),
};

/** limit_req, limit_conn, allow/deny, auth_basic: no corpus case depends on them alone (the `allow all` of JupyterHub and Mastodon sits in a static location, above). */
export const AWAITING_LIMITS: Readonly<Record<string, Today>> = {};

/**
 * Deliberate (docs/nginx-sites.md, "The :80 block that redirects to its :443 twin"): switchyard has one
 * listening side, so a site's :80 and :443 blocks are one host and the plain-HTTP redirect is not
 * imported (with a warning); the proxied :443 side answers.
 */
export const ONE_LISTENING_SIDE: Readonly<Record<string, View>> = {
  'mastodon: :80 redirects to https (301)': app('backend', '/about?x=1'),
  'mastodon: :80 serves the certbot token from the root': app('backend', '/.well-known/acme-challenge/token'),
  'jupyterhub: :80 redirects to https (302)': app('hub', '/hub/login?x=1'),
};

/** Configs refused today for a reason nginx does not share, and which no one is implementing yet. */
export const NOT_SCHEDULED: Readonly<Record<string, { readonly refused: RegExp; readonly because: string }>> = {
  gunicorn: {
    refused: /"return 444" \(close the connection without an answer\) is not supported \(line 37/,
    because: 'return 444 (the default server that closes connections of unknown hosts): needs both adapters to destroy the socket without answering',
  },
  discourse: {
    refused: /unknown "bytes_sent" variable \(line 29, column 26\)/,
    because:
      'log_format uses $bytes_sent (response bytes including the head), which the access log does not compute; past it, proxy_set_header uses $thescheme (a map) and $public (a set), which are not evaluated, and then the static features above',
  },
};
