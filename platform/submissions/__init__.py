"""Submissions of predicted label maps and the pipeline that evaluates them."""
