"""Display labels of metrics, classes and method-description fields, shared by every page."""

METRIC_LABELS = {"dice": "Dice", "nsd": "NSD", "hd95": "HD95 (mm)", "assd": "ASSD (mm)"}


def metric_label(metric):
    """Return the display label of a metric id, or the id itself when it has none."""
    return METRIC_LABELS.get(metric, metric)


def class_label(class_name):
    """Return a class id as words, so ``kidney_and_mass`` reads "kidney and mass"."""
    return str(class_name).replace("_", " ")


def task_label(key):
    """Return the label of a ``class/metric`` task key, such as "kidney and mass Dice"."""
    class_name, metric = key.rsplit("/", 1)
    return f"{class_label(class_name)} {metric_label(metric)}"
