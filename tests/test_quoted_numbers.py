"""tools.quoted_numbers: every number the markdown quotes is printed, recorded or written in code."""

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from tools.quoted_numbers import RECORDED_KEY, check_notebook, quoted_numbers


def _nb(markdown: str, printed: str = "", code: str = "pass", recorded=None):
    cell = new_code_cell(code)
    if printed:
        cell.outputs = [new_output("stream", name="stdout", text=printed)]
    nb = new_notebook(cells=[cell, new_markdown_cell(markdown)])
    if recorded is not None:
        nb.metadata[RECORDED_KEY] = recorded
    return nb


def _unbacked(*args, **kwargs) -> list[str]:
    return [u.number for u in check_notebook(_nb(*args, **kwargs))]


def test_printed_number_backs_the_text():
    assert _unbacked("The loss ends at 1.89.", printed="val loss 1.8937\n") == []


def test_unbacked_number_is_reported_with_its_sentence():
    found = check_notebook(_nb("First sentence. The loss ends at 1.89 here. Next one.", printed="loss 2.5\n"))
    assert [(u.cell, u.number) for u in found] == [(1, "1.89")]
    assert found[0].sentence == "The loss ends at 1.89 here."


def test_precision_is_honoured():
    assert _unbacked("It is 0.00165.", printed="0.001653") == []
    assert _unbacked("It is 0.00165.", printed="0.0017") == ["0.00165"]  # the text claims more digits
    assert _unbacked("It is 0.0017.", printed="0.001653") == []
    assert _unbacked("It is 318 times.", printed="318.4") == []
    assert _unbacked("It is 318 times.", printed="250") == ["318"]


def test_percent_matches_a_fraction_or_a_percentage():
    assert _unbacked("About 86% of runs.", printed="share 0.861") == []
    assert _unbacked("About 86% of runs.", printed="share 86.1%") == []
    assert _unbacked("About 86% of runs.", printed="share 0.80") == ["86%"]
    assert _unbacked("A share of 0.86.", printed="86%") == []


def test_scientific_forms():
    text = "Ratios 2.0e-06, 1e-6, 10^6, 10^{-8}, 10⁶ and 1.3 × 10^-8."
    assert [q.value for q in quoted_numbers(text)] == [2e-06, 1e-06, 1e6, 1e-08, 1e6, 1.3e-08]
    printed = "2.0e-06 9.6e-07 1.2e+06 1e-8 1000000 1.3e-08"
    assert _unbacked(text, printed=printed) == []
    assert _unbacked("It grows 1e6-fold.", printed="3.0e+04") == ["1e6"]


def test_multipliers_and_small_integers():
    quotes = quoted_numbers("0.96× the floor, 2× faster, 3 runs, 5 windows")
    assert [q.text for q in quotes] == ["0.96×", "2×"]


def test_code_literals_and_recorded_values_back_the_text():
    assert _unbacked("We train for 30 epochs at 0.01.", code="fit(epochs=30, lr=1e-2)") == []
    record = "ll.record('ratio', r)"
    assert _unbacked("The ratio is 0.15.", code=record, recorded={"ratio": 0.1512}) == []
    assert _unbacked("The ratio is 0.15.", code=record, recorded={"ratio": [0.3, 0.4]}) == ["0.15"]
    assert _unbacked("The ratio is 0.15.", recorded={"ratio": 0.1512}) == ["0.15"]  # no cell records it


def _printing(text: str):
    cell = new_code_cell("pass")
    cell.outputs = [new_output("stream", name="stdout", text=text)]
    return cell


def test_a_number_is_backed_only_by_its_own_section():
    """Lesson 04's stale prose (review M9): 0.83 is printed, but in another section; 0.48 nowhere."""
    nb = new_notebook(cells=[
        new_markdown_cell("## The same measurement in Keras"),
        _printing("decay per step: keras lstm 0.83\n"),
        new_markdown_cell("## Memory, tested directly\nSee below."),
        _printing("lag 20   rnn 0.77   lstm 0.36\n"),
        new_markdown_cell("A forget gate near 0.48; the plain RNN scores 0.83 here, the LSTM 0.36."),
        new_markdown_cell("### A subsection\nIts own number 0.77 is not printed under it."),
    ])
    assert [(u.cell, u.number) for u in check_notebook(nb)] == [(4, "0.48"), (4, "0.83"), (5, "0.77")]


def test_a_heading_inside_a_cell_splits_it():
    nb = new_notebook(cells=[
        _printing("1.25\n"),
        new_markdown_cell("Before: 1.25.\n\n## Next part\nAfter: 1.25 again."),
        _printing("3.5\n"),
    ])
    assert [u.sentence for u in check_notebook(nb)] == ["After: 1.25 again."]


def test_code_literals_are_settings_that_hold_lesson_wide_and_a_2x2_is_a_design():
    nb = new_notebook(cells=[
        new_code_cell("fit(window=16)"),
        new_markdown_cell("## Later\nWindows of 16 values, a 2×2 ablation."),
    ])
    assert check_notebook(nb) == []


def test_cited_numbers_and_ignored_forms():
    text = (
        "# Lesson 42 heading 123\n"
        "1. LSTMs (Hochreiter and Schmidhuber, 1997) and 2015. <!-- cited: 1997, 2015 -->\n"
        "See [lesson 03](https://example.org/page/12345), q1, 00_start_here, float32, cell 19,\n"
        "Python 3.11, about 40 minutes, ~30 s.\n"
    )
    assert quoted_numbers(text) == []
    assert [q.text for q in quoted_numbers("In 1997 and 2015.")] == ["1997", "2015"]


def test_error_output_does_not_back_and_raw_cells_are_skipped():
    cell = new_code_cell("pass")
    cell.outputs = [new_output("error", ename="AssertionError", evalue="1.89", traceback=["1.89"])]
    nb = new_notebook(cells=[cell, new_markdown_cell("It is 1.89."), nbformat.v4.new_raw_cell("99.5")])
    assert [u.number for u in check_notebook(nb)] == ["1.89"]
