"""``GET /api/v1/phases/<id>/leaderboard/``: a phase's leaderboard for scripts."""

from django.http import Http404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from challenges.models import Phase
from leaderboards import visibility
from leaderboards.documents import leaderboard_document
from leaderboards.models import SnapshotSubset
from leaderboards.subsets import ALL_CASES


class PhaseLeaderboardView(APIView):
    """The leaderboard of one subset of a phase's cases, as the leaderboard page shows it.

    Anonymous requests get public phases only. A leaderboard the caller may not
    see returns 404, as a missing phase does.
    """

    permission_classes = [AllowAny]

    @extend_schema(
        parameters=[
            OpenApiParameter("subset", str, description='Subset key: "all" (default), "hospital:<value>" or "split:<value>".'),
            OpenApiParameter("ranking", bool, description="Add the full RANKING.json of the subset."),
        ],
        responses={200: dict},
    )
    def get(self, request, phase_id):
        phase = Phase.objects.select_related("challenge").filter(pk=phase_id).first()
        if phase is None or not visibility.can_view_leaderboard(request.user, phase):
            raise Http404(f"No leaderboard is published for phase {phase_id}.")

        snapshot = visibility.visible_snapshot(request.user, phase)
        subset_key = request.query_params.get("subset") or ALL_CASES
        subsets = []
        subset = None
        if snapshot is not None:
            stored = SnapshotSubset.objects.filter(snapshot=snapshot).order_by("position")
            subsets = list(stored.values("key", "label", "case_count"))
            include_ranking = request.query_params.get("ranking") in ("1", "true", "yes")
            subset_rows = stored.filter(key=subset_key)
            subset = (subset_rows if include_ranking else subset_rows.defer("ranking")).first()
            if subsets and subset is None:
                raise Http404(f"The leaderboard of phase {phase_id} has no subset {subset_key!r}.")
        else:
            include_ranking = False

        return Response(
            leaderboard_document(phase, snapshot, subset, subsets=subsets, include_ranking=include_ranking)
        )
