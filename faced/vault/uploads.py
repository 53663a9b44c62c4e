"""Files are encrypted as they arrive, never stored or held whole in
plaintext.

Django's default upload handlers keep small uploads in memory and write
larger ones to a temporary file in the clear before any view runs. For
survivors' files that would leave plaintext on the server's disk, so the
attachment view replaces them with this handler: each chunk is encrypted
as it is received, under a fresh item key, and the upload stops counting
(and keeps nothing) past the size limit.
"""

import tempfile
import uuid
from pathlib import Path

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.core.files.uploadhandler import FileUploadHandler, StopUpload

from faced.crypto.envelope import new_content_key
from faced.crypto.stream import EncryptingWriter, TooLarge


class EncryptedUpload(UploadedFile):
    """An uploaded file, already encrypted into a scratch file."""

    def __init__(self, *, scratch, name, size, item_key, attachment_id):
        super().__init__(file=scratch, name=name, size=size)
        self.item_key = item_key
        self.attachment_id = attachment_id
        self.scratch_path = Path(scratch.name)


class EncryptingUploadHandler(FileUploadHandler):
    def __init__(self, request, *, folder: Path, purpose):
        super().__init__(request)
        self.folder = folder
        # PURPOSE(attachment_id) gives the associated data of the stream.
        self.purpose = purpose
        self.too_large = False
        self.scratch = None

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        self.attachment_id = uuid.uuid4()
        self.item_key = new_content_key()
        self.scratch = tempfile.NamedTemporaryFile(  # noqa: SIM115
            dir=self.folder, prefix="upload-", delete=False
        )
        self.writer = EncryptingWriter(
            self.item_key,
            self.scratch,
            max_bytes=settings.ATTACHMENT_MAX_BYTES,
            associated_data=self.purpose(self.attachment_id),
        )

    def receive_data_chunk(self, raw_data, start):
        try:
            self.writer.write(raw_data)
        except TooLarge:
            self.too_large = True
            self.discard()
            # Read and drop the rest, so that the person gets a page that
            # says why, rather than a broken connection.
            raise StopUpload(connection_reset=False) from None
        return None

    def file_complete(self, file_size):
        size = self.writer.close()
        self.scratch.flush()
        self.scratch.seek(0)
        return EncryptedUpload(
            scratch=self.scratch,
            name=self.file_name,
            size=size,
            item_key=self.item_key,
            attachment_id=self.attachment_id,
        )

    def upload_interrupted(self):
        self.discard()

    def discard(self):
        if self.scratch is not None:
            self.scratch.close()
            Path(self.scratch.name).unlink(missing_ok=True)
            self.scratch = None
