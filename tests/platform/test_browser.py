"""A participant in headless Chromium: log in, upload an archive, watch it succeed, read the Dice.

The site runs on pytest-django's live server and the evaluation on a real
Celery worker process, both against the test database.
"""

import zipfile

import numpy as np
import pytest
import SimpleITK as sitk
from django.core.files.base import ContentFile

from submissions.storage import private_storage
from tests import services
from tests.platform import factories
from tests.worker import live_worker  # noqa: F401 - a pytest fixture

BROWSER_TASK = {
    "name": "browser-test",
    "labels": {"1": "kidney"},
    "classes": {"kidney": {"labels": [1]}},
    "metrics": ["dice"],
}
# Playwright waits up to this long for the evaluation; it guards against a hang.
EVALUATION_TIMEOUT_MS = 300_000


def cube_label_map(start_x, folder):
    """Return .nii.gz bytes of a 10^3 volume with a 4^3 cube of label 1 starting at x = start_x."""
    labels = np.zeros((10, 10, 10), dtype=np.uint8)
    labels[2:6, 2:6, start_x : start_x + 4] = 1
    image = sitk.GetImageFromArray(labels)
    image.SetSpacing((1.0, 1.0, 1.0))
    path = folder / f"cube-{start_x}.nii.gz"
    sitk.WriteImage(image, str(path))
    return path.read_bytes()


@pytest.mark.browser
@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_participant_uploads_and_reads_dice(live_server, live_worker, chromium_path, tmp_path):  # noqa: F811
    from playwright.sync_api import sync_playwright

    # Reference cube at x = 2..5 and prediction at x = 3..6 overlap in 4 * 4 * 3
    # voxels: Dice = 2 * 48 / (64 + 64) = 0.75.
    phase = factories.make_phase(task=dict(BROWSER_TASK), method_fields=["architecture"], show_case_results=True)
    reference_name = private_storage().save(
        f"references/phase-{phase.pk}/case_1/case_1.nii.gz", ContentFile(cube_label_map(2, tmp_path))
    )
    factories.make_reference(phase, "case_1", files=[reference_name])
    user = factories.make_user("browser-user", password="kidney-tumour-42")
    factories.join(user, phase.challenge)

    archive_path = tmp_path / "predictions.zip"
    with zipfile.ZipFile(archive_path, "w") as archive:
        archive.writestr("case_1.nii.gz", cube_label_map(3, tmp_path))

    worker = live_worker()

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path, args=services.CHROMIUM_ARGS)
        try:
            page = browser.new_page()
            script_uploads = []
            page.on(
                "request",
                lambda request: script_uploads.append(request.url)
                if request.method == "POST" and request.headers.get("x-requested-with") == "XMLHttpRequest"
                else None,
            )
            page.goto(f"{live_server.url}/accounts/login/")
            page.fill("input[name=username]", "browser-user")
            page.fill("input[name=password]", "kidney-tumour-42")
            page.click("button[type=submit]")

            page.goto(f"{live_server.url}/challenges/{phase.challenge.slug}/phases/{phase.slug}/")
            page.set_input_files("input[name=files]", str(archive_path))
            page.fill("textarea[name=architecture]", "3D U-Net")
            page.click("#upload-submit")

            page.wait_for_url("**/submissions/*/")
            status = page.locator("#submission-status")
            try:
                page.wait_for_selector('#submission-status[data-status="succeeded"]', timeout=EVALUATION_TIMEOUT_MS)
            except Exception:
                pytest.fail(
                    f"the submission did not succeed; page status {status.get_attribute('data-status')!r}; "
                    f"worker log:\n{worker.log_tail()}"
                )
            dice_text = page.locator('tr[data-class="kidney"][data-metric="dice"] td[data-value]').inner_text()
            case_row = page.locator('tr[data-case="case_1"]').inner_text()
        finally:
            browser.close()

    # The upload went through the page's script, which shows the progress bar.
    assert len(script_uploads) == 1
    assert dice_text == "0.7500"
    assert "0.7500" in case_row
