"""Leaderboards: ranking snapshots of a phase, their pages, analyses and exports."""
