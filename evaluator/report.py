"""Standalone HTML report of a ranking, with plotly.js embedded so it opens offline."""

from __future__ import annotations

import html
from typing import Any

from evaluator import figures

# Pairs of subset tag values whose difference the report plots as a drop. The
# report uses the first pair whose two values are both present. Task files tag
# the split "in" or "ood", and "id" is an older spelling of "in".
DISTRIBUTION_SHIFT_PAIRS = (("in", "ood"), ("id", "ood"), ("in-distribution", "out-of-distribution"))


def build_report(ranking: dict[str, Any], case_values: dict[str, Any]) -> str:
    """Return a standalone HTML page with the leaderboard tables and every ranking figure.

    ``ranking`` is a RANKING.json dict and ``case_values`` the ``ResultTable.to_dict()``
    of the same cases. plotly.js is embedded once, inline, so the file needs no network.
    """
    sections = [_summary_section(ranking)]
    plots = _figures(ranking, case_values)

    for position, (heading, figure) in enumerate(plots):
        # The first figure carries plotly.js; the others reuse it.
        figure_html = figure.to_html(full_html=False, include_plotlyjs=position == 0)
        sections.append(f"<section><h2>{html.escape(heading)}</h2>{figure_html}</section>")

    title = "Ranking report"
    return (
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
        f"<title>{title}</title>\n<style>{_STYLE}</style>\n</head>\n<body>\n"
        f"<h1>{title}</h1>\n" + "\n".join(sections) + "\n</body>\n</html>\n"
    )


def _figures(ranking: dict[str, Any], case_values: dict[str, Any]) -> list[tuple[str, Any]]:
    plots = []
    has_bootstrap = bool(ranking["bootstrap"]["samples"])
    if has_bootstrap:
        plots.append(("Overall bootstrap ranks", figures.bootstrap_blob_plot(ranking)))
        plots.append(("Rank stability", figures.kendall_tau_violin(ranking)))
    plots.append(("Ranks under each scheme", figures.scheme_line_plot(ranking)))

    for task in ranking["tasks"]:
        plots.append((f"{task}: values", figures.dot_box_plot(ranking, case_values, task)))
        if has_bootstrap:
            plots.append((f"{task}: bootstrap ranks", figures.bootstrap_blob_plot(ranking, task)))
        plots.append((f"{task}: significance", figures.significance_map(ranking, task)))
        plots.append((f"{task}: case difficulty", figures.case_difficulty_plot(case_values, task)))
        for tag, subsets in ranking["subsets"].items():
            reference, shifted = _shift_pair(subsets)
            plots.append(
                (
                    f"{task} per {tag}",
                    figures.subset_heatmap(ranking, task, tag, reference=reference, shifted=shifted),
                )
            )
    return plots


def _shift_pair(subsets: dict[str, Any]) -> tuple[str | None, str | None]:
    for reference, shifted in DISTRIBUTION_SHIFT_PAIRS:
        if reference in subsets and shifted in subsets:
            return reference, shifted
    return None, None


def _summary_section(ranking: dict[str, Any]) -> str:
    settings = ranking["settings"]
    policy = ", ".join(f"{key}: {value}" for key, value in ranking["missing_values"].items())
    lines = [
        f"Scheme {settings['scheme']}, aggregate {settings['aggregate']}, "
        f"tests adjusted by {settings['correction']} at alpha {settings['alpha']}, "
        f"tasks combined by {settings['combine']}"
        + (f" with ties broken by {settings['tie_break']}" if settings["tie_break"] else "")
        + ".",
        f"{ranking['n_cases']} cases"
        + (f" with subset {ranking['subset']}" if ranking["subset"] else "")
        + f"; bootstrap of {ranking['bootstrap']['samples']} samples, seed {ranking['seed']}.",
        f"Missing values: {policy}.",
    ]
    rows = []
    for name in figures.algorithms_by_rank(ranking):
        entry = ranking["overall"][name]
        interval = entry.get("rank_interval")
        interval_text = f"{interval[0]:g} to {interval[1]:g}" if interval else ""
        rows.append(
            f"<tr><td>{entry['rank']}</td><td>{html.escape(name)}</td>"
            f"<td>{_number(entry['value'])}</td><td>{interval_text}</td></tr>"
        )
    warnings = "".join(f"<li>{html.escape(warning)}</li>" for warning in ranking["warnings"])
    return (
        "<section>"
        + "".join(f"<p>{html.escape(line)}</p>" for line in lines)
        + "<table><thead><tr><th>rank</th><th>algorithm</th><th>score</th>"
        "<th>95 % rank interval</th></tr></thead><tbody>"
        + "".join(rows)
        + "</tbody></table>"
        + (f"<h2>Warnings</h2><ul>{warnings}</ul>" if warnings else "")
        + "</section>"
    )


def _number(value: float | None) -> str:
    return "undefined" if value is None else f"{value:.4g}"


_STYLE = (
    "body{font-family:sans-serif;margin:2em;max-width:1100px}"
    "table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:0.3em 0.6em;text-align:left}"
)
