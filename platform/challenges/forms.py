"""Forms of the participant pages: sign-up and joining a challenge."""

from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import UserCreationForm

from challenges.models import Team


class SignupForm(UserCreationForm):
    email = forms.EmailField(required=True)

    class Meta(UserCreationForm.Meta):
        model = get_user_model()
        fields = ("username", "email")


class JoinForm(forms.Form):
    """Accept a challenge's rules, and optionally create or join a team by name."""

    TEAM_NONE = "none"
    TEAM_CREATE = "create"
    TEAM_JOIN = "join"

    accept_rules = forms.BooleanField(label="I have read and accept the rules of this challenge.")
    team_choice = forms.ChoiceField(
        label="Team",
        choices=[(TEAM_NONE, "Take part alone"), (TEAM_CREATE, "Create a team"), (TEAM_JOIN, "Join a team")],
        initial=TEAM_NONE,
        widget=forms.RadioSelect,
    )
    team_name = forms.CharField(label="Team name", max_length=100, required=False)

    def __init__(self, *args, challenge, **kwargs):
        super().__init__(*args, **kwargs)
        self.challenge = challenge

    def clean(self):
        cleaned = super().clean()
        choice = cleaned.get("team_choice")
        name = (cleaned.get("team_name") or "").strip()
        cleaned["team_name"] = name
        if choice in (self.TEAM_CREATE, self.TEAM_JOIN) and not name:
            self.add_error("team_name", "Enter the team's name.")
            return cleaned

        exists = Team.objects.filter(challenge=self.challenge, name__iexact=name).exists()
        if choice == self.TEAM_CREATE and exists:
            self.add_error("team_name", f"A team named {name} already exists in this challenge; join it instead.")
        if choice == self.TEAM_JOIN and not exists:
            self.add_error("team_name", f"No team named {name} exists in this challenge; check the spelling or create it.")
        return cleaned
