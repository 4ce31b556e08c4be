"""URL configuration of the Podium site.

No URL serves PODIUM_PRIVATE_ROOT: uploads and references are read only by
the pipeline, from disk.
"""

import importlib.util

from django.apps import apps
from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView

admin.site.site_header = "Podium administration"
admin.site.site_title = "Podium"


def module_exists(name):
    """Return whether a module can be imported, without importing it."""
    try:
        return importlib.util.find_spec(name) is not None
    except ModuleNotFoundError:
        return False


urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", include("submissions.api.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("", include("challenges.urls")),
    path("", include("submissions.urls")),
]

# The leaderboards app brings its pages and GET /api/v1/phases/<id>/leaderboard/.
# NOTE: they are mounted only while the app is installed (see INSTALLED_APPS).
if apps.is_installed("leaderboards") and module_exists("leaderboards.urls"):
    urlpatterns.append(path("", include("leaderboards.urls")))
