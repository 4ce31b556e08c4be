"""The "Organisers" group, whose members use the admin for their own challenges."""

import logging

from django.contrib.auth.models import Group, Permission

logger = logging.getLogger(__name__)

ORGANISER_GROUP = "Organisers"

# (app label, model, actions) that a staff organiser needs in the admin. The
# admin classes narrow each of them to the challenges the user organises.
ORGANISER_PERMISSIONS = [
    ("challenges", "challenge", ("add", "change", "view")),
    ("challenges", "phase", ("add", "change", "delete", "view")),
    ("challenges", "referencecase", ("add", "change", "delete", "view")),
    ("challenges", "team", ("change", "view")),
    ("challenges", "participation", ("change", "view")),
    ("submissions", "submission", ("change", "view")),
    ("leaderboards", "snapshot", ("change", "view")),
]


def ensure_organiser_group(**kwargs):
    """Create the organiser group and give it the admin permissions it needs."""
    group, _ = Group.objects.get_or_create(name=ORGANISER_GROUP)
    permissions = []
    for app_label, model, actions in ORGANISER_PERMISSIONS:
        codenames = [f"{action}_{model}" for action in actions]
        permissions.extend(Permission.objects.filter(content_type__app_label=app_label, codename__in=codenames))
    group.permissions.add(*permissions)


def grant_admin_access(sender, instance, action, pk_set, **kwargs):
    """Make users added as organisers staff members of the organiser group."""
    if action != "post_add" or not pk_set:
        return

    from django.contrib.auth import get_user_model

    ensure_organiser_group()
    group = Group.objects.get(name=ORGANISER_GROUP)
    if kwargs.get("reverse"):
        # user.organised_challenges.add(...): the instance is the user.
        users = [instance]
    else:
        users = get_user_model().objects.filter(pk__in=pk_set)
    for user in users:
        user.groups.add(group)
        if not user.is_staff:
            user.is_staff = True
            user.save(update_fields=["is_staff"])
            logger.info("Gave admin access to organiser %s", user.pk)
