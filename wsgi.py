"""gunicorn entry point: `gunicorn wsgi:app`."""

from linkage import logs
from linkage.app import create_app
from linkage.config import Settings

settings = Settings.from_env()
# Before the app exists: Flask then adds no handler of its own, and every line is in one format.
logs.configure(settings.log_format)
app = create_app({"SETTINGS": settings})
# Each gunicorn worker imports this module: it reads its data before it takes a request.
app.extensions["linkage"].warm_up()
