"""Plotly figures of a ranking, shared by the offline report and the leaderboard pages.

Every function takes plain dicts: ``ranking`` is a RANKING.json dict from
``evaluator.ranking.rank_table`` and ``case_values`` is ``ResultTable.to_dict()``
(per-case values per task, ``null`` where missing or undefined). plotly is an
optional dependency of the evaluator, imported here only.
"""

from __future__ import annotations

from typing import Any

import plotly.graph_objects as go
from plotly.subplots import make_subplots

from evaluator.ranking.settings import SCHEMES


def algorithms_by_rank(ranking: dict[str, Any], task: str | None = None) -> list[str]:
    """Return the algorithm names, best first, by the overall rank or one task's rank."""
    entries = ranking["overall"] if task is None else ranking["tasks"][task]
    return sorted(ranking["algorithms"], key=lambda name: (entries[name]["rank"], name))


def dot_box_plot(ranking: dict[str, Any], case_values: dict[str, Any], task: str) -> go.Figure:
    """Plot each algorithm's per-case values of one task as a box with every case as a dot.

    Missing and undefined cells are not drawn; their count is in the hover text.
    """
    figure = go.Figure()
    for name in algorithms_by_rank(ranking, task):
        values = case_values["values"][task][name]
        present_cases = [(case_id, value) for case_id, value in zip(case_values["case_ids"], values) if value is not None]
        absent = len(values) - len(present_cases)
        figure.add_trace(
            go.Box(
                y=[value for _, value in present_cases],
                text=[case_id for case_id, _ in present_cases],
                name=name,
                boxpoints="all",
                jitter=0.4,
                pointpos=0,
                marker={"size": 4, "opacity": 0.6},
                hovertemplate=f"%{{text}}: %{{y}}<extra>{name}, {absent} missing or undefined</extra>",
            )
        )
    direction = "larger is better" if case_values["larger_is_better"][task] else "smaller is better"
    figure.update_layout(
        title=f"{task}: per-case values ({direction})",
        yaxis_title=_metric_name(task),
        showlegend=False,
    )
    return figure


def bootstrap_blob_plot(ranking: dict[str, Any], task: str | None = None) -> go.Figure:
    """Plot how often each algorithm took each rank over the bootstrap samples.

    A blob's area is the share of samples; the black mark is the median rank
    with its 2.5-97.5 % interval. ``task`` None plots the overall ranking.
    """
    entries = ranking["overall"] if task is None else ranking["tasks"][task]
    names = algorithms_by_rank(ranking, task)
    samples = ranking["bootstrap"]["samples"]
    if not samples:
        raise ValueError("the ranking has no bootstrap; rank with --bootstrap N > 0 to plot rank frequencies")

    figure = go.Figure()
    blob_x, blob_y, blob_share = [], [], []
    for name in names:
        for rank, count in enumerate(entries[name]["rank_frequency"], start=1):
            if count:
                blob_x.append(name)
                blob_y.append(rank)
                blob_share.append(count / samples)
    figure.add_trace(
        go.Scatter(
            x=blob_x,
            y=blob_y,
            mode="markers",
            marker={"size": [6 + 40 * share**0.5 for share in blob_share], "opacity": 0.5},
            customdata=blob_share,
            hovertemplate="%{x}: rank %{y} in %{customdata:.1%} of samples<extra></extra>",
            name="rank frequency",
        )
    )
    medians = [entries[name]["median_rank"] for name in names]
    figure.add_trace(
        go.Scatter(
            x=names,
            y=medians,
            mode="markers",
            marker={"color": "black", "symbol": "line-ew-open", "size": 14},
            error_y={
                "type": "data",
                "symmetric": False,
                "array": [entries[name]["rank_interval"][1] - median for name, median in zip(names, medians)],
                "arrayminus": [median - entries[name]["rank_interval"][0] for name, median in zip(names, medians)],
            },
            name="median rank, 95 % interval",
        )
    )
    figure.update_layout(
        title=f"{task or 'overall'}: bootstrap ranks over {samples} samples",
        xaxis_title="algorithm (by full-data rank)",
        yaxis={"title": "rank", "autorange": "reversed", "dtick": 1},
    )
    return figure


def kendall_tau_violin(ranking: dict[str, Any]) -> go.Figure:
    """Plot the distribution of Kendall's tau-b between the full and each bootstrap ranking, per task."""
    taus = ranking["bootstrap"].get("kendall_tau", {})
    if not taus:
        raise ValueError("the ranking has no bootstrap; rank with --bootstrap N > 0 to plot Kendall's tau")

    figure = go.Figure()
    for key, summary in taus.items():
        defined = [value for value in summary["values"] if value is not None]
        figure.add_trace(go.Violin(y=defined, name=key, box_visible=True, meanline_visible=False, points=False))
    figure.update_layout(
        title="Rank stability: Kendall's tau-b of each bootstrap ranking with the full ranking",
        yaxis={"title": "Kendall's tau-b", "range": [-1.05, 1.05]},
        showlegend=False,
    )
    return figure


def significance_map(ranking: dict[str, Any], task: str) -> go.Figure:
    """Plot the adjusted one-sided p-values that the row algorithm is better than the column one."""
    significance = ranking["significance"][task]
    order = algorithms_by_rank(ranking, task)
    index = {name: position for position, name in enumerate(ranking["algorithms"])}
    matrix = significance["p_adjusted"]
    z = [[matrix[index[row]][index[column]] for column in order] for row in order]
    alpha = significance["alpha"]

    figure = go.Figure(
        go.Heatmap(
            z=z,
            x=order,
            y=order,
            zmin=0,
            zmax=1,
            colorscale=[[0.0, "#08306b"], [min(alpha, 1.0), "#6baed6"], [1.0, "#f7fbff"]],
            colorbar={"title": "adjusted p"},
            hovertemplate="%{y} better than %{x}: adjusted p %{z:.4g}<extra></extra>",
        )
    )
    figure.update_layout(
        title=f"{task}: one-sided Wilcoxon tests, {significance['correction']} adjusted (significant if p <= {alpha})",
        xaxis_title="worse candidate",
        yaxis={"title": "better candidate", "autorange": "reversed"},
    )
    return figure


def scheme_line_plot(ranking: dict[str, Any]) -> go.Figure:
    """Plot each algorithm's overall rank under the three ranking schemes."""
    schemes = [scheme for scheme in SCHEMES if scheme in ranking["schemes"]]
    figure = go.Figure()
    for name in algorithms_by_rank(ranking):
        figure.add_trace(
            go.Scatter(
                x=schemes,
                y=[ranking["schemes"][scheme][name] for scheme in schemes],
                mode="lines+markers",
                name=name,
            )
        )
    figure.update_layout(
        title="Overall rank under each ranking scheme",
        yaxis={"title": "rank", "autorange": "reversed", "dtick": 1},
    )
    return figure


def subset_heatmap(
    ranking: dict[str, Any],
    task: str,
    tag: str,
    *,
    reference: str | None = None,
    shifted: str | None = None,
) -> go.Figure:
    """Plot each algorithm's aggregate of one task per value of a subset tag.

    With ``reference`` and ``shifted`` (say ``in`` and ``ood``), a second panel
    shows each algorithm's drop from the reference subset to the shifted one,
    signed so that a positive drop is a loss whatever the metric's direction.
    """
    subsets = ranking["subsets"][tag]
    tag_values = sorted(subsets)
    names = algorithms_by_rank(ranking, task)
    z = [[subsets[value]["aggregates"][task][name] for value in tag_values] for name in names]

    with_drop = reference is not None and shifted is not None
    figure = make_subplots(
        rows=1,
        cols=2 if with_drop else 1,
        shared_yaxes=True,
        column_widths=[0.75, 0.25] if with_drop else [1.0],
        subplot_titles=(f"{ranking['settings']['aggregate']} per {tag}", f"drop {reference} to {shifted}")
        if with_drop
        else None,
    )
    figure.add_trace(
        go.Heatmap(
            z=z,
            x=tag_values,
            y=names,
            colorbar={"title": _metric_name(task)},
            hovertemplate=f"%{{y}}, {tag} %{{x}}: %{{z:.4g}}<extra></extra>",
        ),
        row=1,
        col=1,
    )
    if with_drop:
        larger_is_better = ranking["larger_is_better"][task]
        drops = []
        for name in names:
            before = subsets[reference]["aggregates"][task][name]
            after = subsets[shifted]["aggregates"][task][name]
            if before is None or after is None:
                drops.append(None)
            else:
                drops.append(before - after if larger_is_better else after - before)
        figure.add_trace(
            go.Bar(x=drops, y=names, orientation="h", showlegend=False, hovertemplate="%{y}: drop %{x:.4g}<extra></extra>"),
            row=1,
            col=2,
        )
    figure.update_layout(title=f"{task} per {tag}")
    figure.update_yaxes(autorange="reversed")
    return figure


def case_difficulty_plot(case_values: dict[str, Any], task: str) -> go.Figure:
    """Plot each case's mean value over the algorithms that have one, hardest first."""
    larger_is_better = case_values["larger_is_better"][task]
    per_algorithm = list(case_values["values"][task].values())
    means = []
    for position, case_id in enumerate(case_values["case_ids"]):
        present = [row[position] for row in per_algorithm if row[position] is not None]
        if present:
            means.append((sum(present) / len(present), case_id, case_values["subsets"][position]))
    means.sort(key=lambda item: item[0], reverse=not larger_is_better)

    figure = go.Figure(
        go.Scatter(
            x=[case_id for _, case_id, _ in means],
            y=[mean for mean, _, _ in means],
            text=[f"{case_id} {tags}" for _, case_id, tags in means],
            mode="markers",
            hovertemplate="%{text}: mean %{y:.4g}<extra></extra>",
        )
    )
    figure.update_layout(
        title=f"{task}: case difficulty (mean over algorithms, hardest first)",
        xaxis_title="case, ordered from hardest",
        # Category axis: ids such as "00257" would otherwise be read as numbers and re-sorted.
        xaxis_type="category",
        yaxis_title=f"mean {_metric_name(task)}",
    )
    return figure


def _metric_name(task: str) -> str:
    """Return the metric of a task key ``"<class>/<metric>"``."""
    return task.rsplit("/", 1)[1]
