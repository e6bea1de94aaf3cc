"""gunicorn entry point: `gunicorn wsgi:app`."""

from linkage import create_app

app = create_app()
