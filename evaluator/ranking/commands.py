"""The ``rank`` and ``report`` subcommands of the evaluator command line."""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
from pathlib import Path
from typing import Any

from evaluator import __version__
from evaluator.ranking.missing import override_missing_policy, parse_missing_policy
from evaluator.ranking.output import write_ranking_csv, write_ranking_json
from evaluator.ranking.rank import rank_table
from evaluator.ranking.settings import CORRECTIONS, SCHEMES, RankingSettings
from evaluator.ranking.table import ResultTable, table_from_results
from evaluator.task import TaskDefinitionError, load_task


class CommandError(Exception):
    """An invalid input of a command; the message names the input and the fix."""


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``rank`` and ``report`` subcommands to the evaluator's parser."""
    rank_parser = subparsers.add_parser(
        "rank",
        help="rank algorithms from their RESULTS.json files",
        description=(
            "Rank algorithms from the RESULTS.json files that `evaluator evaluate` wrote, "
            "one per algorithm, and write RANKING.json."
        ),
    )
    _add_ranking_arguments(rank_parser)
    rank_parser.add_argument(
        "--output", required=True, metavar="RANKING.json", help="path of the RANKING.json to write"
    )
    rank_parser.add_argument(
        "--csv", metavar="RANKING.csv", help="also write one row per algorithm and task as CSV"
    )
    rank_parser.set_defaults(handler=run_rank)

    report_parser = subparsers.add_parser(
        "report",
        help="write a standalone HTML report with the ranking figures",
        description=(
            "Rank algorithms from their RESULTS.json files and write a standalone HTML "
            "report with interactive plotly figures (needs the optional plotly package)."
        ),
    )
    _add_ranking_arguments(report_parser)
    report_parser.add_argument(
        "--output", required=True, metavar="report.html", help="path of the HTML report to write"
    )
    report_parser.set_defaults(handler=run_report)


def _add_ranking_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "results", nargs="+", metavar="RESULTS.json", help="evaluate output, one per algorithm"
    )
    parser.add_argument("--task", required=True, metavar="TASK.json", help="task definition file")
    parser.add_argument(
        "--scheme",
        choices=SCHEMES,
        help="ranking scheme (default: the task file's ranking, else aggregate-then-rank)",
    )
    parser.add_argument(
        "--aggregate",
        metavar="mean|median|quantile:Q",
        help='aggregate per algorithm: mean, median or quantile:Q (default: the task file\'s)',
    )
    parser.add_argument(
        "--missing",
        metavar="VALUE|worst|drop",
        help=(
            "missing-value policy: a number (applied to metrics where larger is better; "
            "distance metrics keep the task file's penalty), worst or drop"
        ),
    )
    parser.add_argument(
        "--correction",
        choices=CORRECTIONS,
        help="p-value adjustment for test-then-rank (default: the task file's, else holm)",
    )
    parser.add_argument(
        "--alpha", type=float, help="significance level of the pairwise tests (default: the task file's, else 0.05)"
    )
    parser.add_argument(
        "--bootstrap",
        type=int,
        metavar="N",
        help="bootstrap samples (default: the task file's, else 1000); 0 skips the bootstrap",
    )
    parser.add_argument("--seed", type=int, help="bootstrap seed (default: the task file's, else 0)")
    parser.add_argument(
        "--subset",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="rank only the cases whose subset tag KEY equals VALUE; repeat to combine tags",
    )


def run_rank(args: argparse.Namespace) -> int:
    """Rank the algorithms and write RANKING.json (and the CSV when requested).

    Returns 0 on success, and 1 with a message on stderr when an input is invalid.
    """
    try:
        ranking, _ = _rank_from_arguments(args)
    except CommandError as error:
        print(f"evaluator rank: error: {error}", file=sys.stderr)
        return 1

    write_ranking_json(Path(args.output), ranking)
    if args.csv:
        write_ranking_csv(Path(args.csv), ranking)
    _print_warnings("rank", ranking)
    print(
        f"ranked {len(ranking['algorithms'])} algorithm(s) on {ranking['n_cases']} case(s) "
        f"with {ranking['scheme']}; wrote {args.output}",
        file=sys.stderr,
    )
    return 0


def run_report(args: argparse.Namespace) -> int:
    """Rank the algorithms and write the standalone HTML report.

    Returns 0 on success, and 1 with a message on stderr when an input is
    invalid or plotly is not installed.
    """
    try:
        from evaluator.report import build_report
    except ImportError as error:
        print(
            f"evaluator report: error: the report needs plotly ({error}); "
            "install it with: pip install 'podium-evaluator[report]'",
            file=sys.stderr,
        )
        return 1

    try:
        ranking, table = _rank_from_arguments(args)
    except CommandError as error:
        print(f"evaluator report: error: {error}", file=sys.stderr)
        return 1

    html = build_report(ranking, table.to_dict())
    Path(args.output).write_text(html, encoding="utf-8")
    _print_warnings("report", ranking)
    print(f"wrote {args.output}", file=sys.stderr)
    return 0


def _rank_from_arguments(args: argparse.Namespace) -> tuple[dict[str, Any], ResultTable]:
    try:
        task = load_task(args.task)
    except TaskDefinitionError as error:
        # The task module's messages already name the file.
        raise CommandError(str(error)) from error
    except OSError as error:
        raise CommandError(f"{args.task}: cannot read the task file: {error.strerror}") from error

    results = [_load_results(Path(path)) for path in args.results]
    settings = _settings_from_arguments(task.ranking, args)
    subset = _parse_subset(args.subset)

    try:
        table = table_from_results(results, task)
        if args.missing is not None:
            policy = parse_missing_policy(args.missing, source="--missing")
            table = dataclasses.replace(
                table,
                missing_policy=override_missing_policy(table.missing_policy, table.larger_is_better, policy),
            )
        ranking = rank_table(table, settings, subset=subset)
    except ValueError as error:
        raise CommandError(str(error)) from error

    ranking["evaluator_version"] = __version__
    ranking["inputs"] = {"results": [str(path) for path in args.results], "task": str(args.task)}
    return ranking, table.select_cases(subset)


def _load_results(path: Path) -> dict[str, Any]:
    try:
        results = json.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise CommandError(f"{path}: cannot read the results file: {error.strerror}") from error
    except json.JSONDecodeError as error:
        raise CommandError(
            f"{path}: not valid JSON ({error}); pass the RESULTS.json that `evaluator evaluate` wrote"
        ) from error

    if not isinstance(results, dict) or not isinstance(results.get("cases"), list):
        raise CommandError(
            f"{path}: expected a RESULTS.json object with a \"cases\" list; "
            "pass the file that `evaluator evaluate` wrote"
        )
    # An evaluation run without --name is named after its file.
    if not results.get("name"):
        results = {**results, "name": path.stem}
    return results


def _settings_from_arguments(settings: RankingSettings, args: argparse.Namespace) -> RankingSettings:
    overrides = {
        name: getattr(args, name)
        for name in ("scheme", "aggregate", "correction", "alpha", "bootstrap", "seed")
        if getattr(args, name) is not None
    }
    try:
        return dataclasses.replace(settings, **overrides)
    except ValueError as error:
        raise CommandError(str(error).replace("ranking.", "--", 1)) from error


def _parse_subset(items: list[str]) -> dict[str, str] | None:
    subset = {}
    for item in items:
        name, separator, value = item.partition("=")
        if not separator or not name or not value:
            raise CommandError(f"--subset: expected KEY=VALUE such as split=ood, got {item!r}")
        subset[name] = value
    return subset or None


def _print_warnings(command: str, ranking: dict[str, Any]) -> None:
    for warning in ranking["warnings"]:
        print(f"evaluator {command}: warning: {warning}", file=sys.stderr)
