"""Account pages: sign-up and the profile page with the API token."""

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST
from rest_framework.authtoken.models import Token

from challenges.forms import SignupForm


def signup(request):
    if request.user.is_authenticated:
        return redirect("profile")

    form = SignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = form.save()
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(request, f"Welcome, {user.username}.")
        return redirect("challenge-list")
    return render(request, "registration/signup.html", {"form": form})


@login_required
def profile(request):
    token = Token.objects.filter(user=request.user).first()
    participations = request.user.participations.select_related("challenge", "team")
    context = {"token": token, "participations": participations}
    return render(request, "registration/profile.html", context)


@require_POST
@login_required
def create_token(request):
    """Create the user's API token, or replace it when ``regenerate`` is posted."""
    if request.POST.get("regenerate"):
        Token.objects.filter(user=request.user).delete()
        messages.info(request, "Your previous API token no longer works.")
    Token.objects.get_or_create(user=request.user)
    return redirect("profile")
