"""Plausible wrong answers to lesson 02's exercises; each must fail its public check with `message`.

Used by the student-copy harness (tests/test_student_copies.py): it puts `code` into the
question's answer cell of the student copy, executes it, and expects `message` in the check's
output and a score below full at grading. The lesson's own misconception comes first.
"""

WRONG = {
    "q1": [
        {
            "why": "the lesson's own misconception: the scaler fitted on all windows, validation included",
            "code": (
                "trend_scaler = ll.Scaler(\"minmax\").fit(X_tr)\n"
                "why_same = \"a\"\n"
                "print(\"trend_scaler:\", trend_scaler, \" why_same:\", why_same)"
            ),
            "message": "q1: trend_scaler was fitted on all windows, validation included",
        },
        {
            "why": "reused the plain sine's scaler instead of fitting one on the trended series",
            "code": (
                "trend_scaler = scaler\n"
                "why_same = \"a\"\n"
                "print(\"trend_scaler:\", trend_scaler, \" why_same:\", why_same)"
            ),
            "message": "q1: trend_scaler's (offset, scale) is not right: it is the plain sine's scaler",
        },
        {
            "why": "fitted on the training targets, which reach 100 steps further into the future",
            "code": (
                "trend_scaler = ll.Scaler(\"minmax\").fit(yt_train)\n"
                "why_same = \"a\"\n"
                "print(\"trend_scaler:\", trend_scaler, \" why_same:\", why_same)"
            ),
            "message": "trend_scaler's (offset, scale) is not right: it was fitted on the training targets",
        },
    ],
    "q2": [
        {
            "why": "left the predictions in scaled units",
            "code": "keras_units = keras_pred\nprint(\"keras_units:\", np.shape(keras_units))",
            "message": "q2: keras_units is not in the units of y",
        },
        {
            "why": "called transform a second time instead of inverse_transform",
            "code": (
                "keras_units = scaler.transform(keras_pred)\n"
                "print(\"keras_units:\", np.shape(keras_units))"
            ),
            "message": "q2: keras_units is not in the units of y",
        },
        {
            "why": "mapped back the PyTorch model's predictions, not the Keras model's",
            "code": (
                "keras_units = scaler.inverse_transform(tm.predict(torch_model, Xs_val))\n"
                "print(\"keras_units:\", np.shape(keras_units))"
            ),
            "message": "q2: keras_units is not right: those are the PyTorch model's predictions",
        },
    ],
}
