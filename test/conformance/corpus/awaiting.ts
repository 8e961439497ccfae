/** @module The corpus cases switchyard does not answer as nginx today, each with the answer it gives meanwhile: features in progress (the lead deletes an entry when its feature lands), one deliberate difference, and the gaps nobody is on yet. */
import { app, type View } from './corpus-config.js';

/** What switchyard does today for such a case: another answer, or the whole config refused (keyed by config name). */
export type Today = View | { readonly refused: RegExp };

/**
 * Static files (root/alias/index/try_files with a named @app fallback), location-level return, rewrite,
 * `if` redirect forms: imported (docs/nginx-files.md), so no case waits on them any more.
 */
export const AWAITING_STATIC_AND_REWRITE: Readonly<Record<string, Today>> = {};

/** limit_req, limit_conn, allow/deny, auth_basic: no corpus case depends on them alone (the `allow all` of JupyterHub and Mastodon sits in a static location, above). */
export const AWAITING_LIMITS: Readonly<Record<string, Today>> = {};

/**
 * Deliberate (docs/nginx-sites.md, "The :80 block that redirects to its :443 twin"): switchyard has one
 * listening side, so a site's :80 and :443 blocks are one host and the plain-HTTP redirect is not
 * imported (with a warning); the proxied :443 side answers.
 */
export const ONE_LISTENING_SIDE: Readonly<Record<string, View>> = {
  'mastodon: :80 redirects to https (301)': app('backend', '/about?x=1'),
  'jupyterhub: :80 redirects to https (302)': app('hub', '/hub/login?x=1'),
};

/** Configs refused today for a reason nginx does not share, and which no one is implementing yet. */
export const NOT_SCHEDULED: Readonly<Record<string, { readonly refused: RegExp; readonly because: string }>> = {};
