/** @module JupyterHub's second nginx block (the NO_HUB site beside the hub): a `root` without its `;`, which nginx refuses, and so must the import. */
import type { CorpusConfig } from '../corpus-config.js';

export const jupyterhubNoHub: CorpusConfig = {
  name: 'jupyterhub-no-hub',
  file: 'nginx.conf',
  source:
    'github.com/jupyterhub/jupyterhub docs/source/howto/configuration/config-proxy.md @ 3a9c631526bf2cb91c8691f2018c32da23d19f5c (the NO_HUB.DOMAIN.TLD block)',
  backends: {},
  localise: [
    ['listen 80;', 'listen {{http}};', 'a free loopback port'],
    ['listen 443;', 'listen {{https}};', 'a free loopback port'],
  ],
  side: 'http',
  nginxRefuses: /directive "root" is not terminated by ";"/,
  refused: /missing ";" after "\/var\/www\/html" \(line 18, column 23\)/,
  refusedBecause: '`root /var/www/html` lacks its `;` (nginx: directive "root" is not terminated by ";")',
  byHand: 'Add the `;` after `root /var/www/html` (then it is a static site: no upstream, nothing for switchyard)',
  cases: [],
};
