"""tools.ci_times: the time table CI prints at the end of every run, and its growth warnings."""

import json

from tools import ci_times


def _tsv(tmp_path, rows):
    path = tmp_path / "ci-times.tsv"
    path.write_text("".join(f"{name}\t{seconds}\t{status}\n" for name, seconds, status in rows))
    return path


def test_table_json_and_a_warning_for_a_step_that_grew(tmp_path, capsys):
    tsv = _tsv(tmp_path, [("book", 120, 0), ("test", 900, 0), ("robust", 30, 2)])
    ref = tmp_path / "ref.json"
    ref.write_text(json.dumps({"seconds": {"book": 100, "test": 500, "robust": 600}}))
    assert ci_times.main([str(tsv), "--reference", str(ref)]) == 0
    out = capsys.readouterr().out
    assert "book" in out and "2.0" in out  # 120 s is 2.0 minutes
    assert "FAILED (2)" in out and "total" in out and "17.5" in out
    warned = [line for line in out.splitlines() if line.startswith("WARNING")]
    assert len(warned) == 1 and "step test " in warned[0]  # 900 > 1.5 x 500; book 120 < 150
    data = json.loads((tmp_path / "ci-times.json").read_text())
    assert data["total_seconds"] == 1050
    assert [s["name"] for s in data["steps"]] == ["book", "test", "robust"]


def test_the_committed_reference_names_every_step_of_ci():
    ci = (ci_times.ROOT / ".ci" / "run").read_text()
    steps = [line.split()[1] for line in ci.splitlines() if line.startswith("step ")]
    reference = json.loads(ci_times.REFERENCE.read_text())["seconds"]
    assert steps and sorted(steps) == sorted(reference)


def test_no_table_without_times(tmp_path, capsys):
    assert ci_times.main([str(tmp_path / "missing.tsv")]) == 0
    assert "no step times" in capsys.readouterr().err
