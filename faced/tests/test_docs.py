"""The documentation keeps up with the code."""

from pathlib import Path

from django.core.management import get_commands

from faced.environment import NAMES_READ

ROOT = Path(__file__).resolve().parents[2]


def read(name: str) -> str:
    return (ROOT / name).read_text(encoding="utf-8")


class DocsTests:
    def test_it_documents_every_setting(self):
        """Every setting faced reads is in .env.example and explained in
        docs/configuration.md."""
        assert len(NAMES_READ) > 10
        example = read(".env.example")
        guide = read("docs/configuration.md")
        for name in NAMES_READ:
            assert name in example, f"{name} is missing from .env.example"
            assert f"`{name}`" in guide, f"{name} is not in configuration.md"

    def test_it_documents_every_command(self):
        """Every command faced adds to Django's is in the operator's guide."""
        ours = sorted(
            name
            for name, app in get_commands().items()
            if app == "faced" or app.startswith("faced.")
        )
        assert {"createorg", "grant", "revoke", "serve", "totp"} <= set(ours)
        guide = read("docs/operators.md")
        for name in ours:
            assert f"`faced {name}" in guide, f"faced {name} is undocumented"

    def test_the_readme_starts_with_the_two_commands(self):
        readme = read("README.md")
        first_block = readme.split("```")[1]
        assert "make demo" in first_block
        assert "make test" in first_block
        assert readme.index("make demo") < readme.index("## Configuration")

    def test_it_links_every_guide_from_the_readme(self):
        readme = read("README.md")
        for guide in sorted((ROOT / "docs").glob("*.md")):
            assert f"docs/{guide.name}" in readme, guide.name
