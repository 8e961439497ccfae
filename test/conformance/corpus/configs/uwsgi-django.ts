/** @module uWSGI's "Django and nginx" tutorial: media and static by `alias`, the app by `uwsgi_pass` (not HTTP: refused). */
import { file, type CorpusConfig } from '../corpus-config.js';

export const uwsgiDjango: CorpusConfig = {
  name: 'uwsgi-django',
  file: 'mysite_nginx.conf',
  source: 'github.com/unbit/uwsgi-docs tutorials/Django_and_nginx.rst @ 004625465bc1786ea135072f9127549bdda0b2cd',
  backends: { django: 'tcp' },
  localise: [
    ['server 127.0.0.1:8001;', 'server {{backend:django}};', 'a local backend (it speaks HTTP, not uwsgi: it answers 400 to the uwsgi packet)'],
    ['listen      8000;', 'listen {{http}};', 'a free loopback port'],
    ['alias /path/to/your/mysite/mysite/media;', 'alias {{static}}/media;', "the fixture's static directory"],
    ['alias /path/to/your/mysite/mysite/static;', 'alias {{static}}/static;', "the fixture's static directory"],
    ['include     /path/to/your/mysite/uwsgi_params;', 'include {{fixture}}/uwsgi_params;', 'the uwsgi_params file beside the site file'],
  ],
  side: 'http',
  refused: /"uwsgi_pass" .*(not supported|HTTP)/,
  refusedBecause: 'uwsgi_pass: the uwsgi protocol is not HTTP, switchyard proxies HTTP',
  byHand: 'Refused (uwsgi_pass is not HTTP): run the Django app with an HTTP server (uWSGI --http, gunicorn) and proxy_pass to it; serve /static and /media',
  includes: { '/path/to/your/mysite/uwsgi_params': 'uwsgi_params' },
  cases: [
    {
      name: 'uwsgi-django: a static file is served from the alias',
      host: 'www.example.com',
      path: '/static/css/base.css',
      expect: file('django static css\n'),
    },
    { name: 'uwsgi-django: a media file is served from the alias', host: 'www.example.com', path: '/media/a.txt', expect: file('django media\n') },
    {
      name: 'uwsgi-django: the app is reached over uwsgi (an HTTP backend answers the uwsgi packet 400)',
      host: 'www.example.com',
      path: '/admin/',
      expect: { status: 400 },
    },
  ],
};
