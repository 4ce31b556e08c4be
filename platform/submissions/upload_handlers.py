"""An upload handler that skips prediction uploads larger than the upload limit."""

from django.core.files.uploadhandler import FileUploadHandler
from django.http import QueryDict
from django.utils.datastructures import MultiValueDict

from submissions.uploads import InvalidUpload, check_request_size

# The views that receive participants' predictions.
PREDICTION_UPLOAD_URL_NAMES = {"phase-detail", "api-submission-create"}


class UploadSizeLimitHandler(FileUploadHandler):
    """Leave an oversized multipart body unparsed, so none of it is written to disk.

    Django parses the body as soon as anything reads ``request.POST``, and the
    CSRF middleware does that before any view runs. Returning empty data here
    ends the parse at once; the view then rejects the request by its
    Content-Length with ``check_request_size``. The form's CSRF token is in
    the skipped body, so only requests that send the token in the X-CSRFToken
    header (the page's script, or API clients) reach the view.

    NOTE: an oversized upload posted without JavaScript gets Django's CSRF
    failure page (403) instead of the size message.
    """

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        # URLs are resolved before the CSRF middleware reads the body, so the
        # limit can apply to participants' uploads only, not to the admin's
        # reference uploads.
        match = getattr(self.request, "resolver_match", None)
        if match is None or match.url_name not in PREDICTION_UPLOAD_URL_NAMES:
            return None
        try:
            check_request_size(content_length)
        except InvalidUpload:
            return QueryDict(encoding=encoding), MultiValueDict()
        return None

    def receive_data_chunk(self, raw_data, start):
        return raw_data

    def file_complete(self, file_size):
        return None
