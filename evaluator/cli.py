"""The ``evaluator`` command line: ``evaluate``, plus ``rank`` and ``report`` from the ranking package."""

from __future__ import annotations

import argparse
import csv
import logging
import sys
from pathlib import Path

from evaluator import __version__
from evaluator.evaluate import ReferenceError, evaluate_folders
from evaluator.ranking import commands as ranking_commands
from evaluator.ranking.output import write_json
from evaluator.task import TaskDefinitionError, load_task


def build_parser() -> argparse.ArgumentParser:
    """Build the argument parser with every subcommand."""
    parser = argparse.ArgumentParser(
        prog="evaluator",
        description="Evaluate and rank medical image segmentations offline, as the Podium platform does.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    evaluate_parser = subparsers.add_parser(
        "evaluate",
        help="score a folder of predicted label maps against the references",
        description=(
            "Score every case of a task: Dice, NSD, HD95 and ASSD per evaluation class, with a "
            "status per class and the problems of each case, and write RESULTS.json."
        ),
    )
    evaluate_parser.add_argument("--task", required=True, metavar="TASK.json", help="task definition file (JSON or YAML)")
    evaluate_parser.add_argument("--reference", required=True, metavar="DIR", help="folder of reference label maps")
    evaluate_parser.add_argument("--prediction", required=True, metavar="DIR", help="folder of predicted label maps named by case id")
    evaluate_parser.add_argument("--output", required=True, metavar="RESULTS.json", help="path of the results file to write")
    evaluate_parser.add_argument("--name", metavar="ALGORITHM", help="algorithm name stored in the results")
    evaluate_parser.add_argument("--csv", metavar="CASES.csv", help="also write one row per case and class")
    evaluate_parser.add_argument(
        "--grand-challenge",
        metavar="metrics.json",
        help='also write grand-challenge.org\'s metrics.json shape ({"case": ..., "aggregates": ...})',
    )
    evaluate_parser.add_argument("--jobs", type=_positive_int, default=1, metavar="N", help="worker processes (default 1)")
    evaluate_parser.add_argument("--no-progress", action="store_true", help="hide the progress bar")
    evaluate_parser.set_defaults(handler=run_evaluate)

    ranking_commands.register(subparsers)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the command line and return its exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    return args.handler(args)


def run_evaluate(args: argparse.Namespace) -> int:
    """Evaluate the prediction folder and write the requested files.

    Returns 0 when the evaluation ran, even if every case failed (the problems
    are in the output), and 1 with a message on stderr for a fatal problem.
    """
    try:
        task = load_task(args.task)
        results = evaluate_folders(
            task,
            args.reference,
            args.prediction,
            name=args.name,
            jobs=args.jobs,
            progress=not args.no_progress,
        )
    except (TaskDefinitionError, ReferenceError, FileNotFoundError) as error:
        print(f"evaluator evaluate: error: {error}", file=sys.stderr)
        return 1

    write_json(Path(args.output), results)
    if args.csv:
        write_cases_csv(Path(args.csv), results)
    if args.grand_challenge:
        write_json(Path(args.grand_challenge), grand_challenge_metrics(results))

    failed = sum(1 for case in results["cases"] if case["flagged"])
    print(
        f"evaluated {len(results['cases'])} case(s), {failed} missing or rejected; wrote {args.output}",
        file=sys.stderr,
    )
    return 0


def grand_challenge_metrics(results: dict) -> dict:
    """Return grand-challenge.org's ``metrics.json`` shape of a RESULTS.json dict.

    ``case`` maps each case id to its reported metrics per class (with status and
    errors), ``aggregates`` is the results' aggregates.
    """
    return {
        "case": {
            case["case_id"]: {"metrics": case["metrics"], "status": case["status"], "errors": case["errors"]}
            for case in results["cases"]
        },
        "aggregates": results["aggregates"],
    }


def write_cases_csv(path: Path, results: dict) -> None:
    """Write one row per case and class: ids, status, reported and raw values, error codes."""
    metrics = results["task"]["metrics"]
    with open(path, "w", newline="", encoding="utf-8") as csv_file:
        writer = csv.writer(csv_file)
        writer.writerow(["case_id", "class", "status", *metrics, *(f"raw_{metric}" for metric in metrics), "errors"])
        for case in results["cases"]:
            codes = " ".join(error["code"] for error in case["errors"])
            for class_name, values in case["metrics"].items():
                raw = case["raw"][class_name]
                writer.writerow(
                    [
                        case["case_id"],
                        class_name,
                        case["status"][class_name],
                        *(_csv_value(values[metric]) for metric in metrics),
                        *(_csv_value(raw[metric]) for metric in metrics),
                        codes,
                    ]
                )


def _csv_value(value) -> str:
    return "" if value is None else repr(value)


def _positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number >= 1, got {text}")
    return value
