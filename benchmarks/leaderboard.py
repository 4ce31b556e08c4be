"""Time a leaderboard snapshot and the leaderboard page of a large synthetic phase.

Usage::

    python benchmarks/leaderboard.py                       # 100 entries x 6,000 cases x 9 classes x 2 metrics
    python benchmarks/leaderboard.py --entries 20 --cases 500 --scheme rank-then-aggregate

The script builds a phase in a fresh SQLite database under a temporary folder,
or in DATABASE_URL's database when it is set. It stores one finalized
submission per entry with synthetic per-case Dice and HD95 values. Then it
prints the time to compute the snapshot (every subset: all cases, each
hospital, each split) and the server time of the leaderboard page rendered
from it (Django's test client, median of several requests). It asserts
nothing about time.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

REPOSITORY_ROOT = Path(__file__).resolve().parents[1]
HOSPITALS = "ABCDEFGHIJK"
# Hospitals A to F are in-distribution, G to K out-of-distribution (Touchstone's 11 unseen hospitals).
IN_DISTRIBUTION_HOSPITALS = set("ABCDEF")
CLASS_NAMES = ("spleen", "kidney_right", "kidney_left", "gallbladder", "liver", "stomach", "aorta", "ivc", "pancreas")
PAGE_REQUESTS = 7


def parse_arguments():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--entries", type=int, default=100, help="submissions on the leaderboard (default 100)")
    parser.add_argument("--cases", type=int, default=6000, help="reference cases (default 6000)")
    parser.add_argument(
        "--scheme",
        default="aggregate-then-rank",
        choices=("aggregate-then-rank", "rank-then-aggregate", "test-then-rank"),
        help="ranking scheme (default aggregate-then-rank)",
    )
    parser.add_argument("--bootstrap", type=int, default=1000, help="bootstrap samples (default 1000)")
    parser.add_argument("--missing-share", type=float, default=0.01, help="share of missing cases per entry (default 0.01)")
    return parser.parse_args()


def set_up_django(folder):
    """Point Django at a throwaway SQLite database unless DATABASE_URL is set, and migrate it."""
    sys.path.insert(0, str(REPOSITORY_ROOT))
    sys.path.insert(0, str(REPOSITORY_ROOT / "platform"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "podium.settings")
    os.environ.setdefault("DEBUG", "1")
    os.environ.setdefault("PODIUM_VAR_DIR", str(folder))
    os.environ.setdefault("LOG_LEVEL", "WARNING")

    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0, run_syncdb=True)


def task_definition(scheme, bootstrap):
    return {
        "name": "leaderboard-benchmark",
        "labels": {str(number): name for number, name in enumerate(CLASS_NAMES, start=1)},
        "classes": {name: {"labels": [number]} for number, name in enumerate(CLASS_NAMES, start=1)},
        "metrics": ["dice", "hd95"],
        "ranking": {"scheme": scheme, "bootstrap": bootstrap, "seed": 1},
    }


def synthetic_results(rng, case_ids, skill, missing_share):
    """Return a submission's stored results: Dice and HD95 per class and case, a few cases missing."""
    n_cases = len(case_ids)
    missing = rng.random(n_cases) < missing_share
    values = {}
    flags = {}
    for name in CLASS_NAMES:
        dice = np.clip(rng.normal(0.80 + 0.1 * skill, 0.08, n_cases), 0.0, 1.0)
        hd95 = np.abs(rng.normal(12.0 - 6.0 * skill, 4.0, n_cases))
        dice[missing] = 0.0
        hd95[missing] = 1000.0
        values[f"{name}/dice"] = np.round(dice, 6).tolist()
        values[f"{name}/hd95"] = np.round(hd95, 4).tolist()
        flags[f"{name}/dice"] = missing.tolist()
        flags[f"{name}/hd95"] = missing.tolist()
    return {"case_ids": case_ids, "values": values, "missing": flags}


def build_phase(arguments):
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from challenges.models import Challenge, Phase, ReferenceCase
    from submissions.models import Submission

    rng = np.random.default_rng(0)
    stamp = int(time.time())
    challenge = Challenge.objects.create(slug=f"benchmark-{stamp}", title="Leaderboard benchmark", is_public=True)
    phase = Phase.objects.create(
        challenge=challenge,
        slug="test",
        name="Test",
        task_definition=task_definition(arguments.scheme, arguments.bootstrap),
        show_case_results=False,
        leaderboard_entry="latest",
        method_fields=["architecture", "pre_training"],
    )

    case_ids = [f"case_{number:05d}" for number in range(arguments.cases)]
    references = []
    for number, case_id in enumerate(case_ids):
        hospital = HOSPITALS[number % len(HOSPITALS)]
        split = "in" if hospital in IN_DISTRIBUTION_HOSPITALS else "ood"
        references.append(ReferenceCase(phase=phase, case_id=case_id, subset={"hospital": hospital, "split": split}))
    ReferenceCase.objects.bulk_create(references, batch_size=2000)

    users = get_user_model().objects.bulk_create(
        [get_user_model()(username=f"bench-{stamp}-{number}") for number in range(arguments.entries)]
    )
    architectures = ("U-Net", "transformer", "hybrid")
    for number, user in enumerate(users):
        Submission.objects.create(
            phase=phase,
            creator=user,
            status="succeeded",
            original_name="predictions.zip",
            upload="uploads/none.zip",
            method_description={"architecture": architectures[number % 3], "pre_training": "yes" if number % 2 else "no"},
            results=synthetic_results(rng, case_ids, rng.random(), arguments.missing_share),
            evaluation_round=1,
            reference_version=phase.reference_version,
            finished_at=timezone.now(),
        )
    return phase


def time_page(phase):
    from django.test import Client
    from django.urls import reverse

    client = Client(HTTP_HOST="localhost")
    url = reverse("leaderboard", kwargs={"challenge_slug": phase.challenge.slug, "phase_slug": phase.slug})
    durations = []
    size = 0
    for _ in range(PAGE_REQUESTS):
        started = time.perf_counter()
        response = client.get(url)
        durations.append(time.perf_counter() - started)
        if response.status_code != 200:
            raise SystemExit(f"GET {url} returned status {response.status_code}; expected 200")
        size = len(response.content)
    return statistics.median(durations), min(durations), size


def main():
    arguments = parse_arguments()
    with tempfile.TemporaryDirectory(prefix="podium-leaderboard-benchmark-") as folder:
        set_up_django(Path(folder))
        from leaderboards.snapshot import build_snapshot

        started = time.perf_counter()
        phase = build_phase(arguments)
        print(f"stored {arguments.entries} submissions x {arguments.cases} cases x {len(CLASS_NAMES)} classes x 2 metrics "
              f"in {time.perf_counter() - started:.1f} s")

        started = time.perf_counter()
        snapshot = build_snapshot(phase.pk)
        snapshot_s = time.perf_counter() - started
        print(f"snapshot ({arguments.scheme}, {snapshot.bootstrap_samples} bootstrap samples requested, "
              f"{len(snapshot.subset_keys)} subsets): {snapshot_s:.1f} s")

        median_s, best_s, size = time_page(phase)
        print(f"leaderboard page from the snapshot: median {median_s * 1000:.0f} ms, best {best_s * 1000:.0f} ms "
              f"over {PAGE_REQUESTS} requests, {size / 1024:.0f} KiB of HTML")
        print(f"machine: {os.cpu_count()} CPUs visible, Python {sys.version.split()[0]}, NumPy {np.__version__}")


if __name__ == "__main__":
    main()
