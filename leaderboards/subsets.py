"""The subsets a leaderboard is computed for: all cases, each hospital and each split."""

ALL_CASES = "all"

# Subset tags that get a leaderboard of their own, in selector order.
SUBSET_TAGS = ("hospital", "split")

SPLIT_LABELS = {
    "in": "In-distribution",
    "id": "In-distribution",
    "ood": "Out-of-distribution",
}


def subset_key(tag, value):
    """Return the key of a subset, e.g. ``"hospital:A"``."""
    return f"{tag}:{value}"


def parse_subset_key(key):
    """Return the tag filter a subset key stands for: None for all cases, else ``{tag: value}``."""
    if key == ALL_CASES:
        return None
    tag, _, value = key.partition(":")
    return {tag: value}


def subset_label(key):
    """Return the words that name a subset in the selector and page titles."""
    if key == ALL_CASES:
        return "All cases"
    tag, _, value = key.partition(":")
    if tag == "hospital":
        return f"Hospital {value}"
    if tag == "split":
        return SPLIT_LABELS.get(value, f"Split {value}")
    return f"{tag} {value}"


def subset_keys(subsets):
    """Return the keys of every subset present in the cases' tags, "all" first.

    `subsets` contains one dict of tags per case. Values are sorted within a tag,
    and a tag whose cases all share one value still gets its subset, so the
    selector lists every hospital of the reference set.
    """
    keys = [ALL_CASES]
    for tag in SUBSET_TAGS:
        values = sorted({str(tags[tag]) for tags in subsets if tags.get(tag) not in (None, "")})
        keys.extend(subset_key(tag, value) for value in values)
    return keys
