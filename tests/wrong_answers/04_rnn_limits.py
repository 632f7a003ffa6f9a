"""Plausible wrong answers to lesson 04's exercises: each must fail its public check with `message`.

Used by tests/test_student_copies.py: "code" replaces the student copy's answer cell of that
question; the lesson's own misconception comes first.
"""

WRONG = {
    "q1": [
        {
            "why": "the lesson's misconception: a gated cell keeps its gradient like the forget-bias-1 LSTM",
            "code": (
                'll.set_seed(1, frameworks=("torch",))\n'
                "g64 = tm.input_gradient_norms(torch.nn.GRU(1, 64, batch_first=True), seq_len=150)\n"
                "gru64_ratio = float(g64[100] / g64[1])\n"
                'gru64_closer_to = "lstm_forget1"\n'
                'print("gru64_ratio:", gru64_ratio, " closer to:", gru64_closer_to)\n'
            ),
            "message": "gru64_closer_to is a valid choice; graded after hand-in",
            "graded_later": True,
        },
        {
            "why": "reuses the lesson's 32-unit, 200-step GRU profile instead of measuring GRU(1, 64)",
            "code": (
                'gru64_ratio = float(profiles["gru"][100] / profiles["gru"][1])\n'
                'gru64_closer_to = "rnn"\n'
                'print("gru64_ratio:", gru64_ratio, " closer to:", gru64_closer_to)\n'
            ),
            "message": "gru64_ratio is not right: it comes from the lesson's 32-unit GRU profile",
        },
        {
            "why": "divides by the gradient at lag 0 (the last input) instead of lag 1",
            "code": (
                'll.set_seed(1, frameworks=("torch",))\n'
                "g64 = tm.input_gradient_norms(torch.nn.GRU(1, 64, batch_first=True), seq_len=150)\n"
                "gru64_ratio = float(g64[100] / g64[0])\n"
                'gru64_closer_to = "rnn"\n'
                'print("gru64_ratio:", gru64_ratio, " closer to:", gru64_closer_to)\n'
            ),
            "message": "gru64_ratio is not right: it divides by the gradient at lag 0",
        },
        {
            "why": "the ratio upside down: lag 1 over lag 100",
            "code": (
                'll.set_seed(1, frameworks=("torch",))\n'
                "g64 = tm.input_gradient_norms(torch.nn.GRU(1, 64, batch_first=True), seq_len=150)\n"
                "gru64_ratio = float(g64[1] / g64[100])\n"
                'gru64_closer_to = "rnn"\n'
                'print("gru64_ratio:", gru64_ratio, " closer to:", gru64_closer_to)\n'
            ),
            "message": "gru64_ratio is not right: it is upside down",
        },
    ],
    "q2": [
        {
            "why": "rounds down: one step short of the fraction",
            "code": (
                "def lags_until(d, fraction):\n"
                "    return int(np.log(fraction) / np.log(d))\n"
                "\n"
                "\n"
                'print("lags_until(0.5, 0.01):", lags_until(0.5, 0.01))\n'
            ),
            "message": "lags_until(0.5, 0.01) is not right: one step short",
        },
        {
            "why": "divides the logarithms the wrong way round",
            "code": (
                "def lags_until(d, fraction):\n"
                "    return int(np.ceil(np.log(d) / np.log(fraction)))\n"
                "\n"
                "\n"
                'print("lags_until(0.5, 0.01):", lags_until(0.5, 0.01))\n'
            ),
            "message": "lags_until(0.5, 0.01) is not right: the logarithms are divided the wrong way round",
        },
        {
            "why": "stops at the last lag still above the fraction (d**k > fraction)",
            "code": (
                "def lags_until(d, fraction):\n"
                "    k = 0\n"
                "    while d ** (k + 1) > fraction:\n"
                "        k += 1\n"
                "    return k\n"
                "\n"
                "\n"
                'print("lags_until(0.5, 0.01):", lags_until(0.5, 0.01))\n'
            ),
            "message": "lags_until(0.5, 0.01) is not right: one step short",
        },
    ],
}
