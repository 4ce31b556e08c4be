"""An upload handler that skips request bodies larger than the upload limit."""

from django.core.files.uploadhandler import FileUploadHandler
from django.http import QueryDict
from django.utils.datastructures import MultiValueDict

from submissions.uploads import InvalidUpload, check_request_size


class UploadSizeLimitHandler(FileUploadHandler):
    """Leave an oversized multipart body unparsed, so none of it is written to disk.

    Django parses the body as soon as anything reads ``request.POST``, and the
    CSRF middleware does that before any view runs. Returning empty data here
    ends the parse at once; the view then rejects the request by its
    Content-Length with ``check_request_size``. Because the form's CSRF token
    is in the skipped body, only requests that send the token in the
    X-CSRFToken header (the page's script, or API clients) reach the view.
    """

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        try:
            check_request_size(content_length)
        except InvalidUpload:
            return QueryDict(encoding=encoding), MultiValueDict()
        return None

    def receive_data_chunk(self, raw_data, start):
        return raw_data

    def file_complete(self, file_size):
        return None
