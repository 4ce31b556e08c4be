"""URL configuration of the Podium site.

No URL serves PODIUM_PRIVATE_ROOT: uploads and references are read only by
the pipeline, from disk.
"""

from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView

admin.site.site_header = "Podium administration"
admin.site.site_title = "Podium"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", include("submissions.api.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("", include("challenges.urls")),
    path("", include("submissions.urls")),
    # The leaderboard pages and GET /api/v1/phases/<id>/leaderboard/.
    path("", include("leaderboards.urls")),
]
