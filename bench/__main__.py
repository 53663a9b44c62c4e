"""Run every benchmark and print one table.

Each `bench/bench_<name>.py` has `run() -> list[Figure]`. A figure is
printed beside a baseline measured on the same machine in the same run (the
same operation done the simplest possible way), so figures from different
machines can be compared through their ratios.
"""

import importlib
import os
import pkgutil
import sys
from pathlib import Path

import django


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "faced.settings_test")
    django.setup()
    from django.core.management import call_command
    from django.test.utils import setup_test_environment

    setup_test_environment()
    call_command("migrate", verbosity=0)
    call_command("createcachetable", verbosity=0)

    wanted = set(sys.argv[1:])
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

    rows = [
        (
            f.name,
            f"{f.value:.3f} {f.unit}",
            f"{f.baseline_value:.3f} {f.unit}",
            f.baseline_name,
            f"{f.value / f.baseline_value:.2f}x" if f.baseline_value else "-",
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


if __name__ == "__main__":
    main()
