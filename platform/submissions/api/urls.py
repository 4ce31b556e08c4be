"""URLs of the API, version 1, mounted under /api/v1/."""

from django.urls import path

from submissions.api import views

urlpatterns = [
    path("phases/", views.PhaseList.as_view(), name="api-phase-list"),
    path("challenges/<int:pk>/join/", views.JoinChallenge.as_view(), name="api-challenge-join"),
    path("phases/<int:pk>/submissions/", views.CreateSubmission.as_view(), name="api-submission-create"),
    path("submissions/<int:pk>/", views.SubmissionDetail.as_view(), name="api-submission-detail"),
]
