"""Django application configuration for the leaderboards."""

import logging
import shutil
from pathlib import Path

from django.apps import AppConfig

logger = logging.getLogger(__name__)

STATIC_FOLDER = Path(__file__).resolve().parent / "static" / "leaderboards"


def install_plotly_js(folder=STATIC_FOLDER):
    """Copy plotly.js from the installed plotly package into the app's static files.

    The pages load plotly.js from the site's own static files, never from a CDN,
    so they work offline. The copy is not committed: it is taken from the
    installed package, which keeps it at the version the Python figures expect.
    Returns the path of the copy, or None when plotly is not installed.
    """
    try:
        import plotly
    except ImportError:
        logger.warning("plotly is not installed; the leaderboard figures cannot be drawn")
        return None

    source = Path(plotly.__file__).resolve().parent / "package_data" / "plotly.min.js"
    target = folder / "plotly.min.js"
    if target.exists() and target.stat().st_size == source.stat().st_size:
        return target

    try:
        folder.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target)
    except OSError as error:
        logger.warning("Could not copy plotly.js from %s to %s: %s", source, target, error)
        return None
    logger.info("Copied plotly.js %s to %s", plotly.__version__, target)
    return target


class LeaderboardsConfig(AppConfig):
    name = "leaderboards"
    verbose_name = "Leaderboards"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        install_plotly_js()
