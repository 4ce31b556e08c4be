"""WSGI entry point for the Podium site (gunicorn podium.wsgi)."""

import os
import sys
from pathlib import Path

# platform/ is a folder on sys.path, not a package: a package of that name
# would shadow the standard library's platform module.
_PLATFORM_DIR = str(Path(__file__).resolve().parents[1])
if _PLATFORM_DIR not in sys.path:
    sys.path.insert(0, _PLATFORM_DIR)

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "podium.settings")

from django.core.wsgi import get_wsgi_application  # noqa: E402 - needs sys.path above

application = get_wsgi_application()
