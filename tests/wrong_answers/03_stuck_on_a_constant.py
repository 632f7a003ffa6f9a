"""Plausible wrong answers to lesson 03's exercises: each must fail its public check with the message given.

Each "code" is the full source that replaces the question's answer cell in the student copy
(tests/test_student_copies.py fills it in, executes the copy, checks and grades).
"""

_Q1_REPORT = "their_report = ll.diagnose(their_losses, their_pred, their_targets, inputs=their_inputs)\n"
_Q1_PRINTS = 'print(their_report)\nprint("first fix:", first_fix)\n'

WRONG = {
    "q1": [
        {
            "why": "runs diagnose without inputs=, so the uninformative input goes unseen (cause 1)",
            "code": "their_report = ll.diagnose(their_losses, their_pred, their_targets)\n"
            'first_fix = "a"\n' + _Q1_PRINTS,
            "message": "their_report was made without inputs=",
        },
        {
            "why": "picks scaling first because diagnose lists unscaled_data (but the constant is the mean)",
            "code": _Q1_REPORT + 'first_fix = "b"\n' + _Q1_PRINTS,
            "message": "first_fix is a valid choice; graded after hand-in",
            "graded_later": True,
        },
        {
            "why": "reads a flat loss as a model that needs more capacity",
            "code": _Q1_REPORT + 'first_fix = "c"\n' + _Q1_PRINTS,
            "message": "first_fix is a valid choice; graded after hand-in",
            "graded_later": True,
        },
        {
            "why": "leaves the losses out, so flat_loss is never checked",
            "code": "their_report = ll.diagnose(pred=their_pred, target=their_targets,"
            " inputs=their_inputs)\n"
            'first_fix = "a"\n' + _Q1_PRINTS,
            "message": "their_report was made without the losses",
        },
    ],
    "q2": [
        {
            "why": "feeds batch-first windows to the time-first RNN (cause 4's bug): a row per step",
            "code": "def fixed_forward(model, X):\n"
            "    out, _ = model.rnn(X)\n"
            "    return model.linear(out[-1])\n",
            "message": "should have shape (7, 1); yours has shape (20, 1)",
        },
        {
            "why": "reshapes instead of transposing: the right shape, scrambled values",
            "code": "def fixed_forward(model, X):\n"
            "    out, _ = model.rnn(X.reshape(X.shape[1], X.shape[0], 1))\n"
            "    return model.linear(out[-1])\n",
            "message": "is not right: a reshape scrambles the windows",
        },
        {
            "why": "reads the first time step instead of the last",
            "code": "def fixed_forward(model, X):\n"
            "    out, _ = model.rnn(X.transpose(0, 1))\n"
            "    return model.linear(out[0])\n",
            "message": "is not right: it reads the FIRST step",
        },
    ],
}
