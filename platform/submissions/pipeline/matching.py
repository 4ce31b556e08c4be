"""Matching the unpacked prediction files to the phase's reference cases."""

from pathlib import Path

from evaluator.evaluate import find_prediction_files


def prediction_root(folder):
    """Return the folder that contains the predictions of an unpacked upload.

    Many participants archive a folder rather than its files, so an upload
    whose only entry is one folder is read from inside that folder.
    """
    folder = Path(folder)
    entries = [entry for entry in folder.iterdir() if not entry.name.startswith(".")]
    if len(entries) == 1 and entries[0].is_dir() and not entries[0].is_symlink():
        return entries[0]
    return folder


def build_case_plan(folder, reference_case_ids):
    """Return what the case tasks need: the file of each case and the problems found.

    The plan is stored as JSON on the submission: ``folder`` (the name of the
    working folder), ``case_ids`` (every reference case, each scored),
    ``files`` (case id to the prediction's path inside ``folder``), ``names``
    (case id to the name shown in messages), ``duplicates`` (case id to the
    names of its several files; that case is rejected) and ``problems``
    (files that match no case, as {case_id: None, code, message}).
    """
    folder = Path(folder)
    root = prediction_root(folder)
    index = find_prediction_files(root)
    reference_ids = set(reference_case_ids)

    files = {}
    names = {}
    for case_id, path in index.files.items():
        if case_id in reference_ids:
            files[case_id] = path.relative_to(folder).as_posix()
            names[case_id] = path.relative_to(root).as_posix()
    duplicates = {
        case_id: [path.relative_to(root).as_posix() for path in paths]
        for case_id, paths in index.duplicates.items()
        if case_id in reference_ids
    }

    problems = []
    for path in index.unsupported:
        for problem in index.problems[path.name]:
            problems.append({"case_id": None, "code": problem["code"], "message": problem["message"]})
    for case_id in sorted((set(index.files) | set(index.duplicates)) - reference_ids):
        problems.append(
            {
                "case_id": None,
                "code": "unknown_case",
                "message": f"Case {case_id}: this phase has no such case, so its file was not scored; "
                "check the file name against the case ids.",
            }
        )

    return {
        "folder": folder.name,
        "case_ids": sorted(reference_ids),
        "files": files,
        "names": names,
        "duplicates": duplicates,
        "problems": problems,
    }
