"""Run every benchmark and print one table.

Each `bench/bench_<name>.py` has `run() -> list[Figure]`. A figure is
printed beside a baseline measured on the same machine in the same run (the
same operation done the simplest possible way), so figures from different
machines can be compared through their ratios.

    python -m bench                 # everything, SQLite, then PostgreSQL
    python -m bench crypto          # only bench_crypto
    python -m bench --database URL  # on that database

The PostgreSQL figures run in a second process on FACED_BENCH_POSTGRES_URL
(default: a faced_bench database on the local server), when it answers.
"""

import argparse
import dataclasses
import importlib
import json
import os
import pkgutil
import subprocess
import sys
from pathlib import Path

DEFAULT_POSTGRES = "postgres://postgres@127.0.0.1:5432/faced_bench"
# What is worth measuring again on PostgreSQL.
POSTGRES_BENCHMARKS = ["ledger", "cases", "matching"]


def _ensure_postgres_database(url: str) -> bool:
    """Make a fresh, empty benchmark database if the server answers (False
    if it does not), so that every run starts from the same place."""
    import psycopg
    from psycopg import sql

    name = url.rsplit("/", 1)[1]
    admin = url.rsplit("/", 1)[0] + "/postgres"
    try:
        with psycopg.connect(admin, autocommit=True, connect_timeout=3) as db:
            db.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
                    sql.Identifier(name)
                )
            )
            db.execute(
                sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name))
            )
    except psycopg.OperationalError:
        return False
    return True


def _run_modules(wanted: set[str]) -> list:
    import django

    django.setup()
    from django.core.management import call_command
    from django.test.utils import setup_test_environment

    # The test client's host name, and the locmem outbox: benchmarks use
    # the same in-process client as the tests.
    setup_test_environment()

    call_command("migrate", verbosity=0)
    call_command("createcachetable", verbosity=0)
    figures = []
    folder = Path(__file__).parent
    for module_info in sorted(pkgutil.iter_modules([str(folder)])):
        name = module_info.name
        if not name.startswith("bench_"):
            continue
        if wanted and name.removeprefix("bench_") not in wanted:
            continue
        module = importlib.import_module(f"bench.{name}")
        figures.extend(module.run())
    return figures


def _print_table(figures: list) -> None:
    rows = [
        (
            f.name,
            f"{f.value:,.3f} {f.unit}",
            f"{f.baseline_value:,.3f} {f.unit}" if f.baseline_value else "-",
            f.baseline_name,
            f"{f.value / f.baseline_value:.3g}x" if f.baseline_value else "-",
            f.target or "",
        )
        for f in figures
    ]
    header = ("figure", "value", "baseline", "baseline is", "ratio", "target")
    widths = [
        max(len(str(row[i])) for row in [header, *rows])
        for i in range(len(header))
    ]
    for row in [header, tuple("-" * w for w in widths), *rows]:
        print(
            "  ".join(
                str(c).ljust(w) for c, w in zip(row, widths, strict=True)
            )
        )


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench")
    parser.add_argument("names", nargs="*", help="e.g. crypto ledger")
    parser.add_argument("--database", default=None)
    parser.add_argument("--json", action="store_true")
    options = parser.parse_args()

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "faced.settings_test")
    os.environ.setdefault("FACED_LOG_LEVEL", "WARNING")
    if options.database:
        os.environ["FACED_TEST_DATABASE_URL"] = options.database
    else:
        os.environ.pop("FACED_TEST_DATABASE_URL", None)
    figures = _run_modules(set(options.names))

    if options.json:
        print(json.dumps([dataclasses.asdict(f) for f in figures]))
        return

    postgres = os.environ.get("FACED_BENCH_POSTGRES_URL", DEFAULT_POSTGRES)
    wanted = [
        name
        for name in POSTGRES_BENCHMARKS
        if not options.names or name in options.names
    ]
    if not options.database and wanted:
        if _ensure_postgres_database(postgres):
            result = subprocess.run(  # noqa: S603 (our own interpreter)
                [
                    sys.executable,
                    "-m",
                    "bench",
                    "--json",
                    "--database",
                    postgres,
                    *wanted,
                ],
                capture_output=True,
                text=True,
                check=True,
            )
            from bench.figures import Figure

            figures += [
                Figure(**row)
                for row in json.loads(result.stdout.strip().splitlines()[-1])
            ]
        else:
            print(f"(PostgreSQL at {postgres} does not answer: skipped)")
    _print_table(figures)


if __name__ == "__main__":
    main()
