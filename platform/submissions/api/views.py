"""API views: phases, joining a challenge, creating submissions and reading them."""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.generics import ListAPIView
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from challenges.joining import JoinRejected, join_challenge
from challenges.permissions import visible_challenges, visible_phases
from submissions.api.serializers import (
    DetailSerializer,
    JoinSerializer,
    ParticipationSerializer,
    PhaseSerializer,
    SubmissionCreatedSerializer,
    SubmissionDetailSerializer,
    SubmissionUploadSerializer,
)
from submissions.creation import SubmissionRejected, create_submission
from submissions.presentation import submission_payload
from submissions.uploads import InvalidUpload, check_request_size
from submissions.views import REJECTION_STATUS, get_visible_submission


class PhaseList(ListAPIView):
    """List the phases the user may see, open or closed."""

    serializer_class = PhaseSerializer
    permission_classes = [AllowAny]
    pagination_class = None

    def get_queryset(self):
        return visible_phases(self.request.user).order_by("challenge_id", "pk")


class JoinChallenge(APIView):
    """Join a challenge; posting accepts its rules."""

    parser_classes = [JSONParser, FormParser, MultiPartParser]

    @extend_schema(
        request=JoinSerializer,
        responses={
            200: ParticipationSerializer,
            201: ParticipationSerializer,
            400: DetailSerializer,
            404: DetailSerializer,
        },
    )
    def post(self, request, pk):
        challenge = get_object_or_404(visible_challenges(request.user), pk=pk)
        serializer = JoinSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)

        already = challenge.participations.filter(user=request.user).exists()
        try:
            participation = join_challenge(
                request.user,
                challenge,
                team_name=serializer.validated_data.get("team_name", ""),
                create_team=serializer.validated_data["create_team"],
            )
        except JoinRejected as error:
            return Response({"detail": str(error)}, status=status.HTTP_400_BAD_REQUEST)

        answer_status = status.HTTP_200_OK if already else status.HTTP_201_CREATED
        return Response(ParticipationSerializer(participation).data, status=answer_status)


class CreateSubmission(APIView):
    """Upload predictions to a phase as multipart ``file`` fields."""

    parser_classes = [MultiPartParser]

    @extend_schema(
        request={"multipart/form-data": SubmissionUploadSerializer},
        responses={
            201: SubmissionCreatedSerializer,
            400: OpenApiResponse(DetailSerializer, description="The upload is invalid or too large."),
            403: OpenApiResponse(DetailSerializer, description="Not joined, or the phase is closed."),
            404: DetailSerializer,
            429: OpenApiResponse(DetailSerializer, description="A submission limit is reached."),
        },
    )
    def post(self, request, pk):
        phase = get_object_or_404(visible_phases(request.user), pk=pk)

        # Read only the header before the body is parsed, so an oversized
        # upload is rejected without being written to disk.
        try:
            check_request_size(request.META.get("CONTENT_LENGTH"))
        except InvalidUpload as error:
            return rejection(SubmissionRejected.INVALID_UPLOAD, str(error))

        files = request.FILES.getlist("file")
        if not files:
            return rejection(
                SubmissionRejected.INVALID_UPLOAD,
                "No file was uploaded; send the predictions as the multipart field 'file'.",
            )

        try:
            submission = create_submission(
                user=request.user, phase=phase, files=files, method_description=request.data
            )
        except SubmissionRejected as rejected:
            return rejection(rejected.code, rejected.message)

        return Response({"id": submission.pk, "status": submission.status}, status=status.HTTP_201_CREATED)


def rejection(code, message):
    return Response({"detail": message, "code": code}, status=REJECTION_STATUS[code])


class SubmissionDetail(APIView):
    """Read a submission's status, progress, problems and the results the user may see."""

    @extend_schema(responses={200: SubmissionDetailSerializer, 404: DetailSerializer})
    def get(self, request, pk):
        submission = get_visible_submission(request.user, pk)
        return Response(submission_payload(submission, request.user))
