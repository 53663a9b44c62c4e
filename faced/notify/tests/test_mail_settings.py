"""Which mail backend faced picks, from its settings."""

import json

from faced.tests.command_line import run_faced

SHOW = (
    "import json; from django.conf import settings as s; print(json.dumps("
    "[s.EMAIL_BACKEND, str(getattr(s, 'EMAIL_FILE_PATH', '')), s.EMAIL_HOST,"
    " s.EMAIL_PORT, s.EMAIL_HOST_PASSWORD, s.EMAIL_USE_TLS, s.EMAIL_USE_SSL,"
    " s.DEFAULT_FROM_EMAIL, s.PUBLIC_URL]))"
)


def mail_settings(tmp_path, **env: str) -> list:
    result = run_faced(
        "shell",
        "-c",
        SHOW,
        env={"FACED_DATA_DIR": str(tmp_path), **env},
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


class MailSettingsTests:
    def test_without_a_mail_server_it_drops_mail(self, tmp_path):
        """Outside the demo, no mail server means no mail, and never the
        console backend, which would print addresses into the logs."""
        backend, *_rest = mail_settings(tmp_path, FACED_SECRET_KEY="k" * 60)
        assert backend == "faced.notify.backends.MailNotConfiguredBackend"

    def test_the_demo_writes_mail_to_files(self, tmp_path):
        backend, path, *_rest = mail_settings(tmp_path, FACED_DEMO="true")
        assert backend == "django.core.mail.backends.filebased.EmailBackend"
        assert path == str(tmp_path / "mail")

    def test_it_uses_the_mail_server_it_is_given(self, tmp_path):
        secret = tmp_path / "smtp_password"
        secret.write_text("s3cret\n")
        values = mail_settings(
            tmp_path,
            FACED_SECRET_KEY="k" * 60,
            FACED_SMTP_HOST="mail.example.org",
            FACED_SMTP_PASSWORD_FILE=str(secret),
            FACED_MAIL_FROM="Notices <n@example.org>",
            FACED_PUBLIC_URL="https://faced.example.org/",
        )
        assert values == [
            "django.core.mail.backends.smtp.EmailBackend",
            "",
            "mail.example.org",
            587,
            "s3cret",
            True,
            False,
            "Notices <n@example.org>",
            "https://faced.example.org",
        ]

    def test_port_465_speaks_tls_from_the_start(self, tmp_path):
        values = mail_settings(
            tmp_path,
            FACED_SECRET_KEY="k" * 60,
            FACED_SMTP_HOST="mail.example.org",
            FACED_SMTP_PORT="465",
        )
        assert values[5:7] == [False, True]

    def test_it_refuses_a_public_url_without_a_scheme(self, tmp_path):
        result = run_faced(
            "check",
            env={
                "FACED_DATA_DIR": str(tmp_path),
                "FACED_SECRET_KEY": "k" * 60,
                "FACED_PUBLIC_URL": "faced.example.org",
            },
        )
        assert result.returncode != 0
        assert "FACED_PUBLIC_URL" in result.stderr
        assert "Traceback" not in result.stderr
