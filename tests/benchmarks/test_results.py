"""Every committed benchmark result says when, where and how it was
measured, and every result file the READMEs cite is there (issue 18)."""

import datetime
import json
import pathlib
import re

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
RESULTS = ROOT / "benchmarks" / "results"
READMES = [ROOT / "README.md", ROOT / "benchmarks" / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
CITED = re.compile(r"(?:benchmarks/)?results/([\w.-]+\.json)")  # results/NAME.json, benchmarks/results/NAME.json


def cited_results():
    """(readme, line number, NAME.json) for every result file the READMEs name."""
    return [
        (readme.relative_to(ROOT).as_posix(), number, name)
        for readme in READMES
        for number, line in enumerate(readme.read_text().splitlines(), 1)
        for name in CITED.findall(line)
    ]


@pytest.mark.parametrize("path", sorted(RESULTS.glob("*.json")), ids=lambda path: path.name)
def test_every_result_has_its_date_machine_and_command(path):
    report = json.loads(path.read_text())
    missing = [key for key in ("date", "machine", "command") if not report.get(key)]
    assert not missing, f"{path.name} has no {missing}"
    date = datetime.datetime.fromisoformat(report["date"])
    assert date.tzinfo is not None, f"{path.name}: date {report['date']!r} has no time zone"
    assert report["command"].startswith("python -m benchmarks."), f"{path.name}: {report['command']!r}"


def test_every_result_the_readmes_cite_exists():
    cited = cited_results()
    assert len({name for _, _, name in cited}) >= 10  # the pattern still finds the citations
    missing = [f"{readme}:{number}: {name}" for readme, number, name in cited if not (RESULTS / name).is_file()]
    assert not missing, "cited but not in benchmarks/results/:\n" + "\n".join(missing)


def test_reports_name_their_command_without_the_workers_internals():
    from benchmarks import harness

    argv = ["--device", "cpu", "--worker", "timm/eager", "--rows", "keras_zoo/jax", "timm/eager", "--worker=x"]
    assert harness.command_line("benchmarks.convnext", argv) == (
        "python -m benchmarks.convnext --device cpu --rows keras_zoo/jax timm/eager")
    assert harness.command_line("benchmarks.transformer", ["--json", "out dir/t.json"]) == (
        "python -m benchmarks.transformer --json 'out dir/t.json'")  # shell-quoted
    assert harness.iso_utc(0) == "1970-01-01T00:00:00+00:00"
