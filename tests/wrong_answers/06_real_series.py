"""Plausible wrong answers to lesson 06's exercises: each must fail its public check with
``message`` and score below full (tests/test_student_copies.py). The lesson's own misconception
comes first for each question. ``code`` replaces the whole answer cell of the student copy."""

_Q1 = '''
slope = {slope}
drift_pred = y[origins - 1][:, None] + {step}
drift_mase_h12 = float(mase_by_horizon(drift_pred)[11])
print("drift MASE at h=12:", drift_mase_h12)
'''
_ORIGIN_SLOPE = "((y[origins - 1] - y[0]) / (origins - 1))[:, None]"

_Q3 = '''
cause = {cause!r}
{fix}
print("cause:", cause)
'''
_DIFF_FIX = '''step_pred, _ = train_lstm(Xd_train, yd_train[:, :1], Xd_origin, hidden=16)
fixed_pred = last[:, None] + step_pred'''

WRONG = {
    "q1": [
        {
            "why": "the slope frozen at the end of the training months, not re-estimated at each origin",
            "code": _Q1.format(slope="(y[n_train - 1] - y[0]) / (n_train - 1)",
                               step="slope * np.arange(1, H + 1)"),
            "message": "is not right: its slope stops at the end of the training months",
        },
        {
            "why": "the drift taken from the whole series: it leaks the backtest's faster growth",
            "code": _Q1.format(slope="(y[-1] - y[0]) / (len(y) - 1)",
                               step="slope * np.arange(1, H + 1)"),
            "message": "is not right: its drift comes from the whole series",
        },
        {
            "why": "forgets the factor h: adds one month's change at every horizon",
            "code": _Q1.format(slope=_ORIGIN_SLOPE, step="slope * np.ones(H)"),
            "message": "is not right: every horizon adds one month's change",
        },
        {
            "why": "MASE scaled by the non-seasonal naive error (period=1)",
            "code": _Q1.format(slope=_ORIGIN_SLOPE, step="slope * np.arange(1, H + 1)").replace(
                "float(mase_by_horizon(drift_pred)[11])",
                "ll.mase(drift_pred[:, 11], targets[:, 11], y[:n_train], period=1)",
            ),
            "message": "is not right: it is scaled by the one-month naive error (period=1)",
        },
    ],
    "q2": [
        {
            "why": "counts the misses instead of the hits",
            "code": "coverage95_by_h = np.mean((targets < lo95) | (targets > hi95), axis=0)\n",
            "message": "is not right: it counts the targets OUTSIDE the interval",
        },
        {
            "why": "averages over the horizons (one share per origin)",
            "code": "coverage95_by_h = np.mean((targets >= lo95) & (targets <= hi95), axis=1)\n",
            "message": "coverage95_by_h (one share per horizon) should have shape (12,)",
        },
        {
            "why": "uses the 80% bounds",
            "code": "coverage95_by_h = np.mean((targets >= lo80) & (targets <= hi80), axis=0)\n",
            "message": "is not right: those are the 80% intervals",
        },
    ],
    "q3": [
        {
            "why": "names a symptom (the constant output) instead of its cause",
            "code": _Q3.format(cause="constant_output", fix=_DIFF_FIX),
            "message": "cause is a valid choice, graded later",
            "graded_later": True,
        },
        {
            "why": "right cause, but scaling the levels only: the range problem remains",
            "code": _Q3.format(cause="unscaled_data", fix=(
                "X1, y1 = ll.sliding_windows(y[:n_train], W, 1)\n"
                "fixed_pred, _ = train_lstm(X1, y1, X_origin, hidden=16)")),
            "message": "does not beat the naive forecast's",
        },
        {
            "why": "hands in the naive forecast itself",
            "code": _Q3.format(cause="unscaled_data", fix="fixed_pred = forecasts['naive'][:, :1]"),
            "message": "does not beat the naive forecast's",
        },
    ],
}
