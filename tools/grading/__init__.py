"""Course grading tools (not the learner's ``lessons_lib``): ``python -m tools.grading ...``.

- ``course``: student copies and autograders (``build``), the course kernel (``kernel``),
  ``status``/``refresh`` of the learner's copies, and the learner's self-check ``score``
  (otter run, no sandbox: the learner's own notebooks).
- ``sandboxed``: ``grade``, the instructor's grading of untrusted submissions, one bubblewrap
  sandbox per submission (``sandbox``, ``inside``), answers out as data (``answers``, ``dataenc``),
  checks against trusted values in a separate process (``checker``); then the class report
  (``report``: build/grades.html).
"""

from tools.grading.course import *  # noqa: F403
from tools.grading.course import (  # noqa: F401 - private helpers the tests use
    _first_failure,
    _hidden_test_names,
)
