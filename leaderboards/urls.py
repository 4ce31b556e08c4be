"""URLs of the leaderboard pages, analyses, exports and API, included at the site's root."""

from django.urls import path

from leaderboards import actions, api, exports, views

PHASE = "challenges/<slug:challenge_slug>/phases/<slug:phase_slug>/leaderboard/"

urlpatterns = [
    path(PHASE, views.leaderboard, name="leaderboard"),
    path(f"{PHASE}analysis/", views.analysis, name="leaderboard-analysis"),
    path(f"{PHASE}cases/", views.case_difficulty, name="leaderboard-cases"),
    path(f"{PHASE}cases/<str:case_id>/", views.case_values, name="leaderboard-case"),
    path(f"{PHASE}leaderboard.csv", exports.leaderboard_csv, name="leaderboard-csv"),
    path(f"{PHASE}leaderboard.json", exports.leaderboard_json, name="leaderboard-json"),
    path(f"{PHASE}cases.csv", exports.cases_csv, name="leaderboard-cases-csv"),
    path(f"{PHASE}cases.json", exports.cases_json, name="leaderboard-cases-json"),
    path(f"{PHASE}report.html", exports.report_html, name="leaderboard-report"),
    path(f"{PHASE}refresh/", actions.refresh, name="leaderboard-refresh"),
    path(f"{PHASE}freeze/", actions.freeze, name="leaderboard-freeze"),
    path(f"{PHASE}choose/", actions.choose_entry, name="leaderboard-choose"),
    path("api/v1/phases/<int:phase_id>/leaderboard/", api.PhaseLeaderboardView.as_view(), name="api-phase-leaderboard"),
]
