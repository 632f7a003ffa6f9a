"""Course grading with otter-grader (not the learner's ``lessons_lib``): ``python -m tools.grading VERB``.

One module per job; no module imports one that imports it back:

- ``results``: what grading writes: the grades CSV (``Row``, ``write_csv``), the run's JSON, the
  autograder index.
- ``copies``: student copies and autograders (``build``), their leak checks, ``status``, ``refresh``.
- ``selfcheck``: the learner's ``score`` of their own copies (``grade``'s pipeline and checker, no sandbox).
- ``bwrap`` (the bubblewrap sandbox, running ``inside``), ``answers`` and
  ``lessons_lib.answer_data`` (answers out
  as data), ``checker`` (the trusted checks, a process per lesson) and ``checker_client`` (its
  client): the pieces of ``grade``, the instructor's grading of untrusted submissions.
- ``report``: the class report (build/grades.html).
- ``__main__``: the command line, wiring only.
"""
