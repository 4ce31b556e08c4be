"""The task definition file: labels, evaluation classes, metrics and policies.

One validated schema (version 1) is shared by the command line and the platform.
``parse_task`` checks a dict and fills in the documented defaults, and
``Task.to_dict`` writes the normalised form back, so that
``parse_task(task.to_dict()) == task``.
"""

from __future__ import annotations

import dataclasses
import json
import math
from pathlib import Path
from typing import Any

from evaluator.ranking.settings import RankingSettings

SCHEMA_VERSION = 1
METRICS = ("dice", "nsd", "hd95", "assd")
METRIC_LARGER_IS_BETTER = {"dice": True, "nsd": True, "hd95": False, "assd": False}
NSD_VARIANTS = ("surfel", "voxel")
EMPTY_POLICIES = ("kits21", "raw")
DEFAULT_METRICS = ("dice", "nsd", "hd95")

# A missed structure's distance in mm. It is larger than the diagonal of a
# 512 x 512 x 300 CT volume at 0.8 x 0.8 x 2.5 mm (about 950 mm), so that a
# miss ranks below every distance computed in such a volume.
DEFAULT_DISTANCE_PENALTY_MM = 1000.0
DEFAULT_MISSING_VALUES = {
    "dice": 0.0,
    "nsd": 0.0,
    "hd95": DEFAULT_DISTANCE_PENALTY_MM,
    "assd": DEFAULT_DISTANCE_PENALTY_MM,
}
MISSING_VALUE_WORDS = ("worst", "drop")
TOP_LEVEL_KEYS = (
    "version",
    "name",
    "labels",
    "classes",
    "metrics",
    "nsd_variant",
    "nsd_tolerance_mm",
    "empty_policy",
    "missing_values",
    "cases",
    "ranking",
)


class TaskDefinitionError(ValueError):
    """An invalid task definition; the message names the key and the expected form."""


@dataclasses.dataclass(frozen=True)
class EvaluationClass:
    """A set of label values scored as one region, e.g. KiTS's mass = {2, 3}."""

    labels: tuple[int, ...]
    nsd_tolerance_mm: float | None = None


@dataclasses.dataclass(frozen=True)
class CaseSpec:
    """A case of the task with its free subset tags (hospital, split, ...)."""

    id: str
    subset: dict[str, str] = dataclasses.field(default_factory=dict)


@dataclasses.dataclass(frozen=True)
class Task:
    """A validated task definition with every default filled in.

    Build it with :func:`parse_task` or :func:`load_task` rather than directly.
    """

    name: str
    labels: dict[int, str]
    classes: dict[str, EvaluationClass]
    metrics: tuple[str, ...] = DEFAULT_METRICS
    nsd_variant: str = "surfel"
    empty_policy: str = "kits21"
    missing_values: dict[str, float | str] = dataclasses.field(
        default_factory=lambda: dict(DEFAULT_MISSING_VALUES)
    )
    cases: list[CaseSpec] | None = None
    ranking: RankingSettings = dataclasses.field(default_factory=RankingSettings)
    version: int = SCHEMA_VERSION

    @property
    def distance_penalties_mm(self) -> dict[str, float]:
        """Distances that the ``kits21`` policy gives a structure missed by one side.

        Each distance metric's ``missing_values`` entry when it is a number, else
        ``DEFAULT_DISTANCE_PENALTY_MM``.
        """
        penalties = {}
        for metric in ("hd95", "assd"):
            value = self.missing_values.get(metric)
            penalties[metric] = value if isinstance(value, float) else DEFAULT_DISTANCE_PENALTY_MM
        return penalties

    def subset_of(self, case_id: str) -> dict[str, str]:
        """Return the subset tags of a case, empty when the task lists none."""
        for case in self.cases or ():
            if case.id == case_id:
                return dict(case.subset)
        return {}

    def to_dict(self) -> dict[str, Any]:
        """Return the normalised, JSON-safe task definition with defaults filled in.

        Examples
        --------
        >>> task = parse_task({"name": "t", "labels": {"1": "liver"},
        ...                    "classes": {"liver": {"labels": [1], "nsd_tolerance_mm": 2}}})
        >>> task.to_dict()["classes"]
        {'liver': {'labels': [1], 'nsd_tolerance_mm': 2.0}}
        >>> parse_task(task.to_dict()) == task
        True
        """
        classes = {}
        for class_name, evaluation_class in self.classes.items():
            entry: dict[str, Any] = {"labels": list(evaluation_class.labels)}
            if evaluation_class.nsd_tolerance_mm is not None:
                entry["nsd_tolerance_mm"] = evaluation_class.nsd_tolerance_mm
            classes[class_name] = entry

        cases = None
        if self.cases is not None:
            cases = [{"id": case.id, "subset": dict(case.subset)} for case in self.cases]

        return {
            "version": self.version,
            "name": self.name,
            "labels": {str(value): name for value, name in self.labels.items()},
            "classes": classes,
            "metrics": list(self.metrics),
            "nsd_variant": self.nsd_variant,
            "empty_policy": self.empty_policy,
            "missing_values": dict(self.missing_values),
            "cases": cases,
            "ranking": self.ranking.to_dict(),
        }


def load_task(path: str | Path) -> Task:
    """Read and validate a task definition file in JSON or YAML.

    Parameters
    ----------
    path : str or Path
        A ``.json`` file, or a ``.yaml``/``.yml`` file.

    Returns
    -------
    Task

    Raises
    ------
    TaskDefinitionError
        When the file is missing, not valid JSON or YAML, or fails validation.

    Examples
    --------
    >>> import json, tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (folder / "task.json").write_text(json.dumps(
    ...     {"name": "spleen", "labels": {"1": "spleen"},
    ...      "classes": {"spleen": {"labels": [1], "nsd_tolerance_mm": 1.0}}}))
    >>> load_task(folder / "task.json").metrics
    ('dice', 'nsd', 'hd95')
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise TaskDefinitionError(f"{path}: cannot read the task file ({error.strerror})") from error

    if path.suffix.lower() in (".yaml", ".yml"):
        import yaml

        try:
            data = yaml.safe_load(text)
        except yaml.YAMLError as error:
            raise TaskDefinitionError(f"{path}: invalid YAML ({error})") from error
    else:
        try:
            data = json.loads(text)
        except json.JSONDecodeError as error:
            raise TaskDefinitionError(f"{path}: invalid JSON ({error})") from error

    return parse_task(data, source=str(path))


def parse_task(data: Any, source: str = "task") -> Task:
    """Validate a task definition dict and fill in the defaults.

    Parameters
    ----------
    data : dict
        The decoded task definition (see ``docs/evaluator.md`` for every key).
    source : str
        Name of the file or field the dict came from, used in error messages.

    Returns
    -------
    Task

    Raises
    ------
    TaskDefinitionError
        Naming the invalid key and the expected form.

    Examples
    --------
    >>> task = parse_task({
    ...     "name": "kits-style",
    ...     "labels": {"1": "kidney", "2": "tumor", "3": "cyst"},
    ...     "classes": {"mass": {"labels": [2, 3], "nsd_tolerance_mm": 1.13}},
    ... })
    >>> task.classes["mass"].labels
    (2, 3)
    >>> task.missing_values["hd95"]
    1000.0
    """
    if not isinstance(data, dict):
        raise TaskDefinitionError(f"{source}: expected a JSON object, got {type(data).__name__}")

    unknown = sorted(set(data) - set(TOP_LEVEL_KEYS))
    if unknown:
        raise TaskDefinitionError(
            f"{source}: unknown key(s) {', '.join(map(repr, unknown))}; "
            f"expected only {', '.join(TOP_LEVEL_KEYS)}"
        )

    version = data.get("version", SCHEMA_VERSION)
    if version != SCHEMA_VERSION or isinstance(version, bool):
        raise TaskDefinitionError(
            f"{source}: version: expected {SCHEMA_VERSION} (the only schema version), got {version!r}"
        )

    name = data.get("name")
    if not isinstance(name, str) or not name.strip():
        raise TaskDefinitionError(f"{source}: name: expected a non-empty string, got {name!r}")

    labels = _parse_labels(data.get("labels"), source)
    metrics = _parse_metrics(data.get("metrics", list(DEFAULT_METRICS)), source)
    default_tolerance = _parse_tolerance(data.get("nsd_tolerance_mm"), f"{source}: nsd_tolerance_mm")
    classes = _parse_classes(data.get("classes"), labels, default_tolerance, "nsd" in metrics, source)
    nsd_variant = _parse_choice(data.get("nsd_variant", "surfel"), NSD_VARIANTS, f"{source}: nsd_variant")
    empty_policy = _parse_choice(
        data.get("empty_policy", "kits21"), EMPTY_POLICIES, f"{source}: empty_policy"
    )
    missing_values = _parse_missing_values(data.get("missing_values"), source)
    cases = _parse_cases(data.get("cases"), source)

    try:
        ranking = RankingSettings.from_dict(data.get("ranking"))
    except (TypeError, ValueError) as error:
        raise TaskDefinitionError(f"{source}: {error}") from error

    return Task(
        name=name,
        labels=labels,
        classes=classes,
        metrics=metrics,
        nsd_variant=nsd_variant,
        empty_policy=empty_policy,
        missing_values=missing_values,
        cases=cases,
        ranking=ranking,
        version=version,
    )


def _parse_labels(raw: Any, source: str) -> dict[int, str]:
    form = 'an object of label value to name, e.g. {"1": "kidney"}'
    if not isinstance(raw, dict) or not raw:
        raise TaskDefinitionError(f"{source}: labels: expected {form}, got {raw!r}")

    labels = {}
    for key, label_name in raw.items():
        value = _parse_label_value(key, f"{source}: labels")
        if value == 0:
            # 0 is always background, so listing it changes nothing.
            continue
        if not isinstance(label_name, str) or not label_name:
            raise TaskDefinitionError(
                f"{source}: labels.{key}: expected a non-empty name, got {label_name!r}"
            )
        labels[value] = label_name
    return dict(sorted(labels.items()))


def _parse_label_value(raw: Any, where: str) -> int:
    if isinstance(raw, bool):
        raw = None
    if isinstance(raw, str) and raw.strip().isdigit():
        return int(raw)
    if isinstance(raw, int) and raw >= 0:
        return raw
    raise TaskDefinitionError(f"{where}: expected a label value, a whole number >= 0, got {raw!r}")


def _parse_metrics(raw: Any, source: str) -> tuple[str, ...]:
    valid = isinstance(raw, list) and raw and all(metric in METRICS for metric in raw)
    if not valid or len(set(raw)) != len(raw):
        raise TaskDefinitionError(
            f"{source}: metrics: expected a list of distinct names from {', '.join(METRICS)}, got {raw!r}"
        )
    return tuple(raw)


def _parse_tolerance(raw: Any, where: str) -> float | None:
    if raw is None:
        return None
    valid = isinstance(raw, (int, float)) and not isinstance(raw, bool) and math.isfinite(raw)
    if not valid or raw < 0:
        raise TaskDefinitionError(f"{where}: expected a distance in mm >= 0, got {raw!r}")
    return float(raw)


def _parse_classes(
    raw: Any,
    labels: dict[int, str],
    default_tolerance: float | None,
    needs_tolerance: bool,
    source: str,
) -> dict[str, EvaluationClass]:
    if raw is None:
        # A plain per-organ task: one class per label, named like the label.
        raw = {label_name: {"labels": [value]} for value, label_name in labels.items()}
    form = 'an object of class name to {"labels": [...], "nsd_tolerance_mm": ...}'
    if not isinstance(raw, dict) or not raw:
        raise TaskDefinitionError(f"{source}: classes: expected {form}, got {raw!r}")

    classes = {}
    for class_name, entry in raw.items():
        where = f"{source}: classes.{class_name}"
        if not isinstance(entry, dict):
            raise TaskDefinitionError(f"{where}: expected {form}, got {entry!r}")
        unknown = sorted(set(entry) - {"labels", "nsd_tolerance_mm"})
        if unknown:
            raise TaskDefinitionError(
                f"{where}: unknown key(s) {', '.join(unknown)}; expected labels, nsd_tolerance_mm"
            )

        values = entry.get("labels")
        if not isinstance(values, list) or not values:
            raise TaskDefinitionError(f"{where}.labels: expected a non-empty list of label values, got {values!r}")
        class_labels = tuple(sorted({_parse_label_value(value, f"{where}.labels") for value in values}))
        if 0 in class_labels:
            # _parse_labels drops 0, so the undeclared-label message would ask for a declaration that cannot help.
            raise TaskDefinitionError(
                f"{where}.labels: label 0 is the background and cannot belong to a class; remove it"
            )
        undeclared = [value for value in class_labels if value not in labels]
        if undeclared:
            raise TaskDefinitionError(
                f"{where}.labels: {undeclared} not declared in labels; declare them or remove them"
            )

        tolerance = _parse_tolerance(entry.get("nsd_tolerance_mm"), f"{where}.nsd_tolerance_mm")
        if tolerance is None:
            tolerance = default_tolerance
        if tolerance is None and needs_tolerance:
            raise TaskDefinitionError(
                f"{where}.nsd_tolerance_mm: required because metrics include nsd "
                "(or set a task-wide nsd_tolerance_mm)"
            )
        classes[str(class_name)] = EvaluationClass(labels=class_labels, nsd_tolerance_mm=tolerance)
    return classes


def _parse_choice(raw: Any, choices: tuple[str, ...], where: str) -> str:
    if raw not in choices:
        raise TaskDefinitionError(f"{where}: expected one of {', '.join(choices)}, got {raw!r}")
    return raw


def _parse_missing_values(raw: Any, source: str) -> dict[str, float | str]:
    missing_values: dict[str, float | str] = dict(DEFAULT_MISSING_VALUES)
    if raw is None:
        return missing_values
    if not isinstance(raw, dict):
        raise TaskDefinitionError(
            f'{source}: missing_values: expected an object of metric to a number, "worst" or "drop", got {raw!r}'
        )

    for metric, value in raw.items():
        where = f"{source}: missing_values.{metric}"
        if metric not in METRICS:
            raise TaskDefinitionError(f"{where}: unknown metric; expected one of {', '.join(METRICS)}")
        if value in MISSING_VALUE_WORDS:
            missing_values[metric] = value
            continue
        valid = isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)
        if not valid:
            raise TaskDefinitionError(f'{where}: expected a finite number, "worst" or "drop", got {value!r}')
        missing_values[metric] = float(value)
    return missing_values


def _parse_cases(raw: Any, source: str) -> list[CaseSpec] | None:
    if raw is None:
        return None
    form = 'a list of {"id": "...", "subset": {"tag": "value"}}'
    if not isinstance(raw, list):
        raise TaskDefinitionError(f"{source}: cases: expected {form}, got {raw!r}")

    cases = []
    seen = set()
    for index, entry in enumerate(raw):
        where = f"{source}: cases[{index}]"
        if isinstance(entry, str):
            entry = {"id": entry}
        if not isinstance(entry, dict) or set(entry) - {"id", "subset"}:
            raise TaskDefinitionError(f"{where}: expected {form}, got {entry!r}")

        case_id = entry.get("id")
        if not isinstance(case_id, str) or not case_id or "/" in case_id or case_id.startswith("."):
            raise TaskDefinitionError(f"{where}.id: expected a case id (a file name stem), got {case_id!r}")
        if case_id in seen:
            raise TaskDefinitionError(f"{where}.id: case {case_id!r} is listed twice")
        seen.add(case_id)

        subset = entry.get("subset", {})
        valid = isinstance(subset, dict) and all(
            isinstance(key, str) and isinstance(value, str) for key, value in subset.items()
        )
        if not valid:
            raise TaskDefinitionError(f"{where}.subset: expected an object of string tags, got {subset!r}")
        cases.append(CaseSpec(id=case_id, subset=dict(subset)))
    return cases
