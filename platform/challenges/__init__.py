"""Challenges, their phases, hidden reference cases, teams and participations."""
