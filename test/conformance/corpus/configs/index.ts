/** @module The corpus: sixteen published reverse-proxy configs (fourteen projects; Gitea and JupyterHub twice), in the order of the docs table. */
import type { CorpusConfig } from '../corpus-config.js';
import { discourse } from './discourse.js';
import { gitea } from './gitea.js';
import { giteaTwoDomains } from './gitea-two-domains.js';
import { gitlab } from './gitlab.js';
import { grafana } from './grafana.js';
import { gunicorn } from './gunicorn.js';
import { jenkins } from './jenkins.js';
import { jupyterhub } from './jupyterhub.js';
import { jupyterhubNoHub } from './jupyterhub-no-hub.js';
import { mastodon } from './mastodon.js';
import { mattermost } from './mattermost.js';
import { pm2 } from './pm2.js';
import { puma } from './puma.js';
import { sentry } from './sentry.js';
import { socketioCluster } from './socketio-cluster.js';
import { uwsgiDjango } from './uwsgi-django.js';

export const CORPUS: readonly CorpusConfig[] = [
  mastodon,
  discourse,
  gitlab,
  sentry,
  mattermost,
  gitea,
  giteaTwoDomains,
  jenkins,
  jupyterhub,
  jupyterhubNoHub,
  grafana,
  gunicorn,
  puma,
  uwsgiDjango,
  socketioCluster,
  pm2,
];
