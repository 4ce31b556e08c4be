"""The progress line that ``run_demo`` prints while the demo submissions are evaluated."""

import pytest

from fixtures.progress import DemoProgress


@pytest.mark.parametrize(
    ("progress", "expected"),
    [
        (DemoProgress(18, 0, 0, 0, ()), "0/18 demo submissions evaluated; waiting for validation"),
        (DemoProgress(18, 1, 164, 40, ()), "1/18 demo submissions evaluated (40/164 cases scored)"),
        (
            DemoProgress(18, 18, 164, 164, ("kits-demo/test",)),
            "18/18 demo submissions evaluated (164/164 cases scored); computing leaderboards of kits-demo/test",
        ),
    ],
    ids=["before-validation", "scoring", "leaderboards"],
)
def test_progress_describe(progress, expected):
    assert progress.describe() == expected
