"""Template filters that show class and metric ids with their display labels."""

from django import template

from challenges import labels

register = template.Library()

register.filter("class_label", labels.class_label)
register.filter("metric_label", labels.metric_label)
register.filter("task_label", labels.task_label)
