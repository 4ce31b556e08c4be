"""The Podium Django project: settings, URLs and entry points."""
