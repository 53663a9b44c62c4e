"""faced's configuration: refusals outside the demo, typed values."""

import pytest
from django.core.exceptions import ImproperlyConfigured

from faced.environment import env_bool, env_int, env_list, env_str
from faced.tests.command_line import run_faced


class SecretKeyTests:
    def test_it_refuses_to_start_without_a_secret_key(self, tmp_path):
        """Outside the demo, faced says what to set and does not start."""
        result = run_faced("check", env={"FACED_DATA_DIR": str(tmp_path)})
        assert result.returncode == 2
        assert "FACED_SECRET_KEY" in result.stderr
        assert "Traceback" not in result.stderr

    def test_it_refuses_a_short_secret_key(self, tmp_path):
        result = run_faced(
            "check",
            env={"FACED_DATA_DIR": str(tmp_path), "FACED_SECRET_KEY": "short"},
        )
        assert result.returncode == 2
        assert "at least 50 characters" in result.stderr

    def test_it_reads_the_secret_key_from_a_file(self, tmp_path):
        """FACED_SECRET_KEY_FILE names a file holding the key."""
        key_file = tmp_path / "key"
        key_file.write_text("f" * 64 + "\n")
        result = run_faced(
            "check",
            env={
                "FACED_DATA_DIR": str(tmp_path),
                "FACED_SECRET_KEY_FILE": str(key_file),
            },
        )
        assert result.returncode == 0, result.stderr

    def test_it_makes_a_key_of_its_own_in_the_demo(self, tmp_path):
        result = run_faced(
            "check",
            env={"FACED_DATA_DIR": str(tmp_path), "FACED_DEMO": "true"},
        )
        assert result.returncode == 0, result.stderr
        key_file = tmp_path / "demo-secret-key"
        assert len(key_file.read_text()) >= 50
        assert key_file.stat().st_mode & 0o077 == 0


class LogKeyTests:
    def test_it_refuses_to_start_without_the_log_key(self, tmp_path):
        """Outside `faced ledger init`, faced says how to make the key."""
        result = run_faced(
            "check",
            env={
                "FACED_DATA_DIR": str(tmp_path),
                "FACED_SECRET_KEY": "k" * 60,
                "FACED_LEDGER_KEY_FILE": str(tmp_path / "absent.key"),
            },
        )
        assert result.returncode != 0
        assert "faced ledger init" in result.stderr
        assert "Traceback" not in result.stderr

    def test_init_makes_a_private_key_once(self, tmp_path):
        env = {
            "FACED_DATA_DIR": str(tmp_path),
            "FACED_SECRET_KEY": "k" * 60,
            "FACED_LEDGER_KEY_FILE": str(tmp_path / "ledger.key"),
        }
        made = run_faced("ledger", "init", "--origin", "x.example/l", env=env)
        assert made.returncode == 0, made.stderr
        assert "x.example/l+" in made.stdout
        assert (tmp_path / "ledger.key").stat().st_mode & 0o077 == 0
        again = run_faced("ledger", "init", env=env)
        assert again.returncode != 0
        assert "never replaces a log key" in again.stderr
        assert run_faced("check", env=env).returncode == 0


class EnvironmentTests:
    def test_it_reads_typed_values(self, monkeypatch):
        monkeypatch.setenv("FACED_T_BOOL", "yes")
        monkeypatch.setenv("FACED_T_INT", "42")
        monkeypatch.setenv("FACED_T_LIST", "a, b,,c")
        assert env_bool("FACED_T_BOOL", False) is True
        assert env_int("FACED_T_INT", 1) == 42
        assert env_list("FACED_T_LIST", []) == ["a", "b", "c"]
        assert env_str("FACED_T_MISSING", "default") == "default"

    @pytest.mark.parametrize(
        ("reader", "value", "message"),
        [
            (lambda: env_bool("FACED_T", False), "maybe", "true or false"),
            (lambda: env_int("FACED_T", 1), "ten", "whole number"),
            (lambda: env_int("FACED_T", 1, minimum=1), "0", "at least 1"),
        ],
    )
    def test_it_names_a_bad_value(self, monkeypatch, reader, value, message):
        """A value of the wrong shape stops faced with its name."""
        monkeypatch.setenv("FACED_T", value)
        with pytest.raises(ImproperlyConfigured, match="FACED_T") as error:
            reader()
        assert message in str(error.value)

    def test_it_names_an_unreadable_file(self, monkeypatch, tmp_path):
        monkeypatch.setenv("FACED_T_FILE", str(tmp_path / "absent"))
        with pytest.raises(ImproperlyConfigured, match="FACED_T_FILE"):
            env_str("FACED_T")
