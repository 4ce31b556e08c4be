"""The figure sections of the analysis page, built by the evaluator's figure module.

Each section is rendered with ``to_html(full_html=False, include_plotlyjs=False)``;
the page loads plotly.js once from the site's static files.
"""

import dataclasses
import re

from evaluator import figures as evaluator_figures
from leaderboards.methods import method_box_plot, method_groups
from leaderboards.subsets import SPLIT_LABELS

IN_DISTRIBUTION_VALUES = [value for value, label in SPLIT_LABELS.items() if label == "In-distribution"]
OUT_OF_DISTRIBUTION_VALUES = [value for value, label in SPLIT_LABELS.items() if label == "Out-of-distribution"]


def figure_html(figure, element_id):
    """Return the figure's HTML fragment without plotly.js, which the page loads once."""
    return figure.to_html(full_html=False, include_plotlyjs=False, div_id=element_id, config={"responsive": True})


def analysis_sections(*, ranking, all_cases_ranking, table, entries, method_fields, task_key):
    """Return the analysis page's sections: ``[{id, title, text, figures: [html], groups}]``.

    `ranking` is the selected subset's RANKING.json and `all_cases_ranking` the
    one of all cases, whose per-subset aggregates feed the heatmaps. `table` is
    the subset's ResultTable, or None when the user may not see per-case values;
    then no section shows them.
    """
    sections = []
    has_bootstrap = bool(ranking["bootstrap"]["samples"])

    if has_bootstrap:
        sections.append(
            _section(
                "rank-uncertainty",
                "Rank uncertainty",
                f"How often each entry took each rank over {ranking['bootstrap']['samples']} bootstrap samples "
                "of the cases, overall and in the selected class and metric, and how much the whole ranking "
                "changes between samples (Kendall's tau-b of each sample's ranking with the full one).",
                [
                    figure_html(evaluator_figures.bootstrap_blob_plot(ranking), "figure-blob-overall"),
                    figure_html(evaluator_figures.bootstrap_blob_plot(ranking, task_key), "figure-blob-task"),
                    figure_html(evaluator_figures.kendall_tau_violin(ranking), "figure-kendall"),
                ],
            )
        )

    if len(ranking["algorithms"]) > 1:
        sections.append(
            _section(
                "significance",
                "Significance",
                "Adjusted one-sided p-values of the paired Wilcoxon signed-rank test that the row entry is "
                "better than the column entry.",
                [figure_html(evaluator_figures.significance_map(ranking, task_key), "figure-significance")],
            )
        )

    sections.append(
        _section(
            "schemes",
            "Ranking schemes",
            "Each entry's overall rank under aggregate-then-rank, rank-then-aggregate and test-then-rank, "
            "each computed once on all the cases of the subset.",
            [figure_html(evaluator_figures.scheme_line_plot(ranking), "figure-schemes")],
        )
    )

    heatmaps = _subset_heatmaps(all_cases_ranking, task_key)
    if heatmaps:
        sections.append(
            _section(
                "subsets",
                "Hospitals and distribution shift",
                "Each entry's aggregate per hospital and per split over all the phase's cases, and its drop "
                "from in-distribution to out-of-distribution cases (positive is a loss).",
                heatmaps,
            )
        )

    if table is not None:
        case_values = _single_task(table, task_key).to_dict()
        sections.append(
            _section(
                "per-case",
                "Per-case values",
                "Every case of every entry as a dot over its box plot, and each case's mean over the entries, "
                "hardest first.",
                [
                    figure_html(evaluator_figures.dot_box_plot(ranking, case_values, task_key), "figure-dot-box"),
                    figure_html(evaluator_figures.case_difficulty_plot(case_values, task_key), "figure-difficulty"),
                ],
            )
        )

    groups = method_groups(entries, ranking, method_fields, task_key)
    if groups:
        sections.append(
            _section(
                "methods",
                "Methods",
                "Entries grouped by their answers to the method description, with the number of entries in "
                "each group, their mean overall rank and their aggregates of the selected class and metric.",
                [figure_html(method_box_plot(field, task_key), f"figure-method-{field['field']}") for field in groups],
                groups=groups,
            )
        )
    return sections


def _subset_heatmaps(ranking, task_key):
    heatmaps = []
    for tag, values in (ranking.get("subsets") or {}).items():
        reference = next((value for value in IN_DISTRIBUTION_VALUES if value in values), None)
        shifted = next((value for value in OUT_OF_DISTRIBUTION_VALUES if value in values), None)
        if reference is None or shifted is None:
            reference = shifted = None
        figure = evaluator_figures.subset_heatmap(ranking, task_key, tag, reference=reference, shifted=shifted)
        heatmaps.append(figure_html(figure, "figure-subset-" + re.sub(r"[^A-Za-z0-9_-]+", "-", tag)))
    return heatmaps


def _single_task(table, task_key):
    # The figures plot one task, and converting every task to lists of floats
    # would cost 18 times as much on a phase of 9 classes and 2 metrics.
    return dataclasses.replace(
        table,
        values={task_key: table.values[task_key]},
        missing={task_key: table.missing[task_key]},
        larger_is_better={task_key: table.larger_is_better[task_key]},
        missing_policy={task_key: table.missing_policy.get(task_key, "worst")},
    )


def _section(section_id, title, text, figures, groups=None):
    return {"id": section_id, "title": title, "text": text, "figures": figures, "groups": groups or []}
