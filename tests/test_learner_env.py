"""tools.learner_env's reading of pip's download: one file per project, the one pip settled on."""

from pathlib import Path

from tools.learner_env import SAVED, resolved

# What pip 23 printed here while it backtracked on docutils (Sphinx, through fica, admits < 0.23).
PIP_OUTPUT = """\
Collecting docutils (from fica>=0.4.1->otter-grader<8,>=7->forecasting-failures==0.1.0)
  File was already downloaded /w/docutils-0.23.1-py3-none-any.whl
Collecting numpy>=1.26
  Saved /w/numpy-2.3.5-cp311-cp311-manylinux_2_27_x86_64.whl
Collecting python-on-whales
  File was already downloaded /w/python_on_whales-0.79.0.tar.gz
Collecting docutils (from fica>=0.4.1->otter-grader<8,>=7->forecasting-failures==0.1.0)
  File was already downloaded /w/docutils-0.22.4-py3-none-any.whl
"""


def test_a_backtracked_candidate_is_left_out():
    files = resolved(Path(m["path"]) for m in SAVED.finditer(PIP_OUTPUT))
    assert [f.name for f in files] == [
        "numpy-2.3.5-cp311-cp311-manylinux_2_27_x86_64.whl",
        "python_on_whales-0.79.0.tar.gz",
        "docutils-0.22.4-py3-none-any.whl",
    ]
