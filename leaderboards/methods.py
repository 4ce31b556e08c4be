"""Method meta-analysis: leaderboard results grouped by the answers of the method description."""

import statistics

import plotly.graph_objects as go

from challenges.labels import metric_label, task_label
from challenges.models import METHOD_FIELD_LABELS

NO_ANSWER = "(no answer)"


def answer_text(value):
    """Return a method-description answer as the text that names its group."""
    if value is None or value == "" or value == []:
        return NO_ANSWER
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (list, tuple)):
        return ", ".join(str(item) for item in value)
    return str(value).strip() or NO_ANSWER


def method_groups(entries, ranking, method_fields, task_key):
    """Group the ranked entries by each method field's answer.

    Returns ``[{field, groups: [{answer, count, algorithms, mean_rank, aggregates}]}]``
    where `aggregates` are the entries' aggregates of `task_key` and `mean_rank`
    the mean overall rank of the group. Groups are ordered by mean rank, best first.
    """
    methods = {entry["algorithm"]: entry.get("method") or {} for entry in entries}
    ranked = [name for name in ranking["algorithms"] if name in methods]

    result = []
    for field in method_fields:
        grouped = {}
        for name in ranked:
            grouped.setdefault(answer_text(methods[name].get(field)), []).append(name)

        groups = []
        for answer, names in grouped.items():
            aggregates = [ranking["tasks"][task_key][name]["aggregate"] for name in names]
            groups.append(
                {
                    "answer": answer,
                    "count": len(names),
                    "algorithms": names,
                    "mean_rank": statistics.fmean(ranking["overall"][name]["rank"] for name in names),
                    "aggregates": aggregates,
                }
            )
        groups.sort(key=lambda group: (group["mean_rank"], group["answer"]))
        label = METHOD_FIELD_LABELS.get(field, field.replace("_", " ").capitalize())
        result.append({"field": field, "label": label, "groups": groups})
    return result


def method_box_plot(field_groups, task_key):
    """Plot the entries' aggregates of one task per answer of one method field, with the group sizes."""
    figure = go.Figure()
    for group in field_groups["groups"]:
        defined = [value for value in group["aggregates"] if value is not None]
        figure.add_trace(
            go.Box(
                y=defined,
                text=[name for name, value in zip(group["algorithms"], group["aggregates"]) if value is not None],
                name=f"{group['answer']} (n={group['count']})",
                boxpoints="all",
                pointpos=0,
                jitter=0.3,
                hovertemplate="%{text}: %{y:.4g}<extra></extra>",
            )
        )
    figure.update_layout(
        title=f"{task_label(task_key)} by {field_groups['label'].lower()}",
        yaxis_title=metric_label(task_key.rsplit("/", 1)[1]),
        showlegend=False,
    )
    return figure
