"""Time Dice + NSD + HD95 against DeepMind surface-distance's per-label loop.

Usage::

    python benchmarks/metrics.py            # synthetic 512x512x200 map with 9 ellipsoids
    python benchmarks/metrics.py --word     # the WORD test labels in ../shared/data/word

For each label map, with a perturbed copy as prediction, the script prints
figures measured in one run. First it times surface-distance 0.1 computing Dice,
NSD and HD95 label by label against ``evaluator.metrics.compute_class_metrics``
for all classes, with their ratio and the largest difference between the values.
Then it times reading the two files alone against ``evaluate_case`` (read,
checks and metrics). It asserts nothing about time.

Each step runs ``--repeats`` times and prints its smallest wall time and its
smallest CPU time (``time.process_time``). Both sides run in one thread, so the
two agree on an idle machine. On a shared machine the CPU time is the steadier
figure, and the ratios use it.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np
import SimpleITK as sitk
import surface_distance
from scipy import ndimage

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from evaluator.evaluate import evaluate_case  # noqa: E402
from evaluator.metrics import compute_class_metrics  # noqa: E402
from evaluator.task import parse_task  # noqa: E402

SYNTHETIC_SIZE_XYZ = (512, 512, 200)
SYNTHETIC_SPACING_XYZ_MM = (0.8, 0.8, 2.5)
NSD_TOLERANCE_MM = 2.0
METRICS = ("dice", "nsd", "hd95")


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print one block of figures per label map."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--word", action="store_true", help="run on the WORD test labels instead of the synthetic map")
    parser.add_argument("--cases", type=int, default=2, help="number of WORD cases to run (default 2)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the synthetic map and of the perturbation")
    parser.add_argument("--repeats", type=int, default=3, help="runs of each timed step; the smallest time counts (default 3)")
    args = parser.parse_args(argv)

    # surface-distance 0.1 imports from deprecated SciPy namespaces.
    warnings.filterwarnings("ignore", message="Please import", category=DeprecationWarning)
    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}, "
          f"numpy {np.__version__}, SimpleITK {sitk.Version_VersionString()}")
    print(f"load average at the start (1, 5, 15 min): {_load_average()}")

    rng = np.random.default_rng(args.seed)
    if args.word:
        images = list(_word_images(args.cases))
    else:
        images = [("synthetic", _synthetic_image(rng))]

    for name, reference_image in images:
        prediction_image = _perturbed_copy(reference_image, rng)
        _run_one(name, reference_image, prediction_image, args.repeats)
    print(f"\nload average at the end (1, 5, 15 min): {_load_average()}")
    return 0


def _run_one(name: str, reference_image: sitk.Image, prediction_image: sitk.Image, repeats: int) -> None:
    reference = sitk.GetArrayFromImage(reference_image)
    prediction = sitk.GetArrayFromImage(prediction_image)
    spacing_mm = tuple(reversed(reference_image.GetSpacing()))
    label_values = [int(value) for value in np.unique(reference) if value != 0]
    task = parse_task(
        {
            "name": name,
            "labels": {str(value): f"label_{value}" for value in label_values},
            "metrics": list(METRICS),
            "nsd_tolerance_mm": NSD_TOLERANCE_MM,
        }
    )
    print(f"\n{name}: array shape {reference.shape}, spacing {spacing_mm} mm (array order), {len(label_values)} labels")

    # The reference implementation: one full-size mask pair per label.
    def surface_distance_loop():
        expected = {}
        for value in label_values:
            reference_mask = reference == value
            prediction_mask = prediction == value
            distances = surface_distance.compute_surface_distances(reference_mask, prediction_mask, spacing_mm)
            expected[f"label_{value}"] = {
                "dice": surface_distance.compute_dice_coefficient(reference_mask, prediction_mask),
                "nsd": surface_distance.compute_surface_dice_at_tolerance(distances, NSD_TOLERANCE_MM),
                "hd95": surface_distance.compute_robust_hausdorff(distances, 95),
            }
        return expected

    expected, reference_seconds = _timed(surface_distance_loop, repeats)
    results, evaluator_seconds = _timed(
        lambda: compute_class_metrics(reference, prediction, spacing_mm, task.classes, METRICS), repeats
    )

    largest_difference = max(
        abs(results[class_name].values[metric] - value)
        for class_name, values in expected.items()
        for metric, value in values.items()
    )
    print(f"  surface-distance per-label loop: {_format(reference_seconds)}")
    print(f"  evaluator, all classes:          {_format(evaluator_seconds)}")
    print(f"  speed-up (CPU time):             {reference_seconds[1] / evaluator_seconds[1]:8.1f} x")
    print(f"  largest difference of values:    {largest_difference:.3g}")

    with tempfile.TemporaryDirectory() as folder:
        reference_path = Path(folder) / "reference.nii.gz"
        prediction_path = Path(folder) / "case.nii.gz"
        sitk.WriteImage(reference_image, str(reference_path), useCompression=True)
        sitk.WriteImage(prediction_image, str(prediction_path), useCompression=True)

        def read_both():
            for path in (reference_path, prediction_path):
                sitk.GetArrayFromImage(sitk.ReadImage(str(path)))

        _, read_seconds = _timed(read_both, repeats)
        record, case_seconds = _timed(lambda: evaluate_case(task, "case", [reference_path], prediction_path), repeats)

    assert not record["errors"], record["errors"]
    print(f"  reading the two files alone:     {_format(read_seconds)}")
    print(f"  evaluate_case (read + metrics):  {_format(case_seconds)}")
    print(f"  ratio to reading alone (CPU):    {case_seconds[1] / read_seconds[1]:8.2f}")


def _timed(function, repeats: int):
    """Run ``function`` ``repeats`` times; return its last result and the smallest (wall, CPU) seconds."""
    wall_seconds, cpu_seconds = [], []
    for _ in range(max(repeats, 1)):
        timer = _Timer()
        result = function()
        wall, cpu = timer.stop()
        wall_seconds.append(wall)
        cpu_seconds.append(cpu)
    return result, (min(wall_seconds), min(cpu_seconds))


class _Timer:
    """Wall-clock and CPU time since construction."""

    def __init__(self):
        self.wall_start = time.perf_counter()
        self.cpu_start = time.process_time()

    def stop(self) -> tuple[float, float]:
        return time.perf_counter() - self.wall_start, time.process_time() - self.cpu_start


def _load_average() -> str:
    return ", ".join(f"{value:.2f}" for value in os.getloadavg())


def _format(seconds: tuple[float, float]) -> str:
    return f"{seconds[0]:8.2f} s wall, {seconds[1]:8.2f} s CPU"


def _synthetic_image(rng: np.random.Generator) -> sitk.Image:
    """Build a 512x512x200 label map with 9 ellipsoid organs of different sizes."""
    size_x, size_y, size_z = SYNTHETIC_SIZE_XYZ
    labels = np.zeros((size_z, size_y, size_x), np.uint8)
    z, y, x = np.ogrid[:size_z, :size_y, :size_x]
    spacing_x, spacing_y, spacing_z = SYNTHETIC_SPACING_XYZ_MM
    for value in range(1, 10):
        # Radii from 12 to 90 mm, centres spread over the body.
        radii_mm = rng.uniform(12, 90, size=3)
        centre = (rng.uniform(0.3, 0.7) * size_z, rng.uniform(0.3, 0.7) * size_y, rng.uniform(0.25, 0.75) * size_x)
        inside = (
            ((z - centre[0]) * spacing_z / radii_mm[0]) ** 2
            + ((y - centre[1]) * spacing_y / radii_mm[1]) ** 2
            + ((x - centre[2]) * spacing_x / radii_mm[2]) ** 2
        ) <= 1.0
        labels[inside] = value

    image = sitk.GetImageFromArray(labels)
    image.SetSpacing(SYNTHETIC_SPACING_XYZ_MM)
    return image


def _perturbed_copy(reference_image: sitk.Image, rng: np.random.Generator) -> sitk.Image:
    """Shift each label by up to two voxels and dilate or erode it once, as a plausible prediction."""
    reference = sitk.GetArrayFromImage(reference_image)
    prediction = np.zeros_like(reference)
    boxes = ndimage.find_objects(reference)
    for index, box in enumerate(boxes):
        if box is None:
            continue
        value = index + 1
        padded_box = tuple(slice(max(part.start - 4, 0), part.stop + 4) for part in box)
        mask = reference[padded_box] == value
        mask = ndimage.binary_dilation(mask) if rng.random() < 0.5 else ndimage.binary_erosion(mask)
        mask = np.roll(mask, tuple(rng.integers(-2, 3, size=mask.ndim)), axis=tuple(range(mask.ndim)))
        prediction[padded_box][mask] = value

    image = sitk.GetImageFromArray(prediction)
    image.CopyInformation(reference_image)
    return image


def _word_images(count: int):
    shared = Path(os.environ.get("PODIUM_SHARED_DATA", Path(__file__).resolve().parents[2] / "shared" / "data"))
    folder = shared / "word" / "labelsTs"
    if not folder.is_dir():
        sys.exit(f"the WORD labels are not at {folder}; set PODIUM_SHARED_DATA")
    for path in sorted(folder.glob("word_*.nii.gz"))[:count]:
        yield path.name.removesuffix(".nii.gz"), sitk.ReadImage(str(path))


if __name__ == "__main__":
    sys.exit(main())
