"""Serializers of the API: phases, joining, submission uploads and submission details."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from challenges.models import METHOD_FIELD_NAMES, Phase


class PhaseSerializer(serializers.ModelSerializer):
    challenge = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    challenge_id = serializers.IntegerField(read_only=True)
    challenge_title = serializers.CharField(source="challenge.title", read_only=True)
    is_open = serializers.SerializerMethodField()

    class Meta:
        model = Phase
        fields = [
            "id",
            "slug",
            "name",
            "challenge",
            "challenge_id",
            "challenge_title",
            "is_open",
            "opens_at",
            "closes_at",
            "daily_limit",
            "total_limit",
            "method_fields",
            "show_case_results",
            "show_leaderboard",
        ]

    @extend_schema_field(serializers.BooleanField())
    def get_is_open(self, phase):
        return phase.is_open()


class JoinSerializer(serializers.Serializer):
    """Posting accepts the challenge's rules; a team name optionally joins or creates a team."""

    team_name = serializers.CharField(required=False, allow_blank=True, max_length=100)
    create_team = serializers.BooleanField(required=False, default=False)


class ParticipationSerializer(serializers.Serializer):
    challenge = serializers.IntegerField(source="challenge_id")
    team = serializers.CharField(source="team.name", allow_null=True, default=None)
    rules_accepted_at = serializers.DateTimeField()


class SubmissionUploadSerializer(serializers.Serializer):
    """A multipart upload: ``file`` (repeat it for several label-map files) plus method fields."""

    file = serializers.ListField(child=serializers.FileField(), allow_empty=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in METHOD_FIELD_NAMES:
            self.fields[name] = serializers.CharField(required=False, allow_blank=True, max_length=4000)


class SubmissionCreatedSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    status = serializers.CharField()


class ProblemSerializer(serializers.Serializer):
    case_id = serializers.CharField(allow_blank=True)
    code = serializers.CharField()
    message = serializers.CharField()


class SubmissionDetailSerializer(serializers.Serializer):
    """The documented shape of ``submissions.presentation.submission_payload``."""

    id = serializers.IntegerField()
    status = serializers.ChoiceField(
        choices=["pending", "validating", "evaluating", "succeeded", "failed", "cancelled"]
    )
    cases_done = serializers.IntegerField()
    cases_total = serializers.IntegerField()
    progress = serializers.CharField()
    finished = serializers.BooleanField()
    phase = serializers.IntegerField()
    challenge = serializers.IntegerField()
    creator = serializers.CharField()
    team = serializers.CharField(allow_null=True)
    original_name = serializers.CharField()
    created_at = serializers.DateTimeField()
    finished_at = serializers.DateTimeField(allow_null=True)
    problems = ProblemSerializer(many=True)
    error_message = serializers.CharField(allow_blank=True)
    method_description = serializers.DictField(child=serializers.CharField())
    evaluator_version = serializers.CharField(allow_blank=True)
    reference_version = serializers.IntegerField()
    aggregates = serializers.DictField(allow_null=True, help_text="null where the phase hides scores.")
    cases = serializers.ListField(
        child=serializers.DictField(), allow_null=True, help_text="Case records; null where the phase hides them."
    )


class DetailSerializer(serializers.Serializer):
    detail = serializers.CharField()
    code = serializers.CharField(required=False)
