"""The docs keep up with the code: every setting is documented."""

from pathlib import Path

from flask_pyecharts.config import DEFAULT_CONFIG

ROOT = Path(__file__).resolve().parents[1]


def test_every_config_key_is_in_the_readme():
    readme = (ROOT / "README.md").read_text()
    missing = [key for key in DEFAULT_CONFIG if f"`{key}`" not in readme]
    assert missing == []


def test_readme_starts_with_the_two_setup_commands():
    lines = (ROOT / "README.md").read_text().splitlines()
    commands = [line for line in lines[:6] if line.startswith("bash scripts/setup.sh")]
    assert len(commands) == 2
    ci = (ROOT / ".ci" / "run").read_text()
    test_command = commands[1].split("#")[0].strip()
    assert test_command in ci


def test_the_docs_say_a_refused_chart_answers_404_like_an_unknown_one():
    """Regression: they said 403, which told anyone the name exists."""
    for name in ("README.md", "docs/security.md"):
        text = (ROOT / name).read_text()
        assert "403" not in text, name
        assert "`404`" in text and "exactly like an unknown one" in text, name
