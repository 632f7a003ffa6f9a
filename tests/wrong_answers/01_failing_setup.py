"""Plausible wrong answers to lesson 01's exercises; each must fail its public check with `message`.

Used by the student-copy harness (tests/test_student_copies.py): it puts `code` into the
question's answer cell of the student copy, executes it, and expects `message` in the check's
output and a score below full at grading. The lesson's own misconception comes first.
"""

WRONG = {
    "q1": [
        {
            "why": "forgot the square: the deviations from the mean average to about 0",
            "code": "mean_mse = float(np.mean(y_val - y_fit.mean()))\nprint(\"mean_mse:\", mean_mse)",
            "message": "mean_mse is not right: the deviations average to about zero: did you square them?",
        },
        {
            "why": "took the square root (an RMSE of about 14, not an MSE)",
            "code": (
                "mean_mse = float(np.sqrt(np.mean((y_val - y_fit.mean()) ** 2)))\n"
                "print(\"mean_mse:\", mean_mse)"
            ),
            "message": "q1: mean_mse is not right: that is a root mean squared error",
        },
        {
            "why": "mean absolute error instead of mean squared error",
            "code": "mean_mse = float(np.mean(np.abs(y_val - y_fit.mean())))\nprint(\"mean_mse:\", mean_mse)",
            "message": "q1: mean_mse is not right: that is a mean absolute error",
        },
    ],
    "q2": [
        {
            "why": "the lesson's own mistake: the time index as input (inputs=[0])",
            "code": (
                "X_hist, Y_hist = ll.sliding_windows(data, window=100, horizon=100,"
                " inputs=[0], target_col=1)\n"
                "print(\"X_hist:\", np.shape(X_hist), \" Y_hist:\", np.shape(Y_hist))"
            ),
            "message": "q2: X_hist holds the time index",
        },
        {
            "why": "both columns as input (time index and history)",
            "code": (
                "X_hist, Y_hist = ll.sliding_windows(data, window=100, horizon=100,"
                " inputs=[0, 1], target_col=1)\n"
                "print(\"X_hist:\", np.shape(X_hist), \" Y_hist:\", np.shape(Y_hist))"
            ),
            "message": "q2: X_hist should have shape (3801, 100, 1); yours has shape (3801, 100, 2)",
        },
        {
            "why": "history as input, but the time index as target (target_col=0)",
            "code": (
                "X_hist, Y_hist = ll.sliding_windows(data, window=100, horizon=100,"
                " inputs=[1], target_col=0)\n"
                "print(\"X_hist:\", np.shape(X_hist), \" Y_hist:\", np.shape(Y_hist))"
            ),
            "message": "q2: Y_hist is not right: its targets are the time index",
        },
    ],
}
