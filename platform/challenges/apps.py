"""Django application configuration of the challenges app."""

from django.apps import AppConfig
from django.db.models.signals import m2m_changed, post_migrate


class ChallengesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "challenges"
    verbose_name = "Challenges"

    def ready(self):
        from challenges import organisers
        from challenges.models import Challenge

        post_migrate.connect(organisers.ensure_organiser_group, dispatch_uid="challenges-organiser-group")
        m2m_changed.connect(
            organisers.grant_admin_access,
            sender=Challenge.organisers.through,
            dispatch_uid="challenges-organiser-access",
        )
