"""The WSGI entry point for gunicorn: `gunicorn wsgi:app` (ASSOCIATION_ENV defaults to production)."""

import gc

from association import create_app

app = create_app()

# The application's own objects (routes, schemas, templates, translations: ~150,000) live as long as the
# process. Frozen, the cyclic garbage collector stops re-scanning them on every full collection: measured in
# process, requests got ~10 % cheaper and the long pauses behind the p99 latency shorter (bench/RESULTS.md).
gc.collect()
gc.freeze()
