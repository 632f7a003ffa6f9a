"""Plausible wrong answers to lesson 05's exercises: each must fail its public check with
``message`` and score below full (tests/test_student_copies.py). The lesson's own misconception
comes first for each question. ``code`` replaces the whole answer cell of the student copy."""

_Q1_FUNCTION = '''
def reference_val_mse(window: int, cell: str = "lstm") -> float:
    """The reference recipe on windows of the given length: its validation MSE."""
    Xw_train, Xw_val, yw_train, yw_val = windows_for(window)
    model = reference_model(window, cell=cell)
    backend.fit(model, Xw_train, yw_train, **RECIPE)
    return ll.mse(backend.predict(model, Xw_val), yw_val)
'''

_Q1_TAIL = '''

val_mse_w8 = reference_val_mse(8)
val_mse_w32 = reference_val_mse(32)
better_window = {better}
print("window 8:", shown(val_mse_w8), "  window 32:", shown(val_mse_w32), "  better:", better_window)
'''

_Q2_TAIL = '''
print(gru_history)
'''

WRONG = {
    "q1": [
        {
            "why": "the comparison reversed: keeps the window with the HIGHER validation MSE",
            "code": _Q1_FUNCTION + _Q1_TAIL.format(better="8 if val_mse_w8 > val_mse_w32 else 32"),
            "message": "the long one and better_window are graded later",
            "graded_later": True,
        },
        {
            "why": "each window split with train_frac=0.8: scored on different validation targets",
            "code": _Q1_FUNCTION.replace(
                "windows_for(window)",
                "ll.time_split(*ll.sliding_windows(series.values, window=window, horizon=1), train_frac=0.8)",
            )
            + _Q1_TAIL.format(better="8 if val_mse_w8 < val_mse_w32 else 32"),
            "message": "is not right: it was scored on a train_frac=0.8 split of its own",
        },
        {
            "why": "no ll.set_seed before building the model: the run cannot be reproduced",
            "code": _Q1_FUNCTION.replace(
                "reference_model(window, cell=cell)", "backend.build(window, hidden=32, cell=cell)"
            )
            + _Q1_TAIL.format(better="8 if val_mse_w8 < val_mse_w32 else 32"),
            "message": "val_mse_w8 (the recipe on windows_for(8), seed 42 just before",
            "unrecognisable": "a model built without the seed starts from weights no check can "
            "recompute, so the check gives the question's general advice (seed 42 just before "
            "building the model)",
        },
    ],
    "q2": [
        {
            "why": "reads the comparison backwards: names the curve that crosses the naive MSE LATER",
            "code": '''
gru = reference_model(cell="gru")
gru_history = backend.fit(gru, X_train, y_train, X_val=X_val, y_val=y_val, **RECIPE)
print(gru_history)
lstm_first = int(np.flatnonzero(np.array(hist.val) < naive_val_mse)[0]) + 1
gru_first = int(np.flatnonzero(np.array(gru_history.val) < naive_val_mse)[0]) + 1
first_below_naive = "lstm" if lstm_first > gru_first else "gru"
print("first below the naive MSE:", first_below_naive)
''',
            "message": "first_below_naive is a valid choice; graded after hand-in",
            "graded_later": True,
        },
        {
            "why": "forgot cell='gru': trains the LSTM again",
            "code": '''
gru = reference_model()
gru_history = backend.fit(gru, X_train, y_train, X_val=X_val, y_val=y_val, **RECIPE)
print(gru_history)
first_below_naive = "same epoch"
print("first below the naive MSE:", first_below_naive)
''',
            "message": "gru_history is the LSTM's history: build the model with cell='gru'",
        },
        {
            "why": "no validation data passed to backend.fit: the history holds no validation loss",
            "code": '''
gru = reference_model(cell="gru")
gru_history = backend.fit(gru, X_train, y_train, **RECIPE)
print(gru_history)
first_below_naive = "gru"
print("first below the naive MSE:", first_below_naive)
''',
            "message": "gru_history should hold 120 epochs of validation loss",
        },
    ],
    "q3": [
        {
            "why": "believes clipping keeps LSTM training stable, without looking at the gradient norms",
            "code": '''
noclip = reference_model()
noclip_history = backend.fit(noclip, X_train, y_train, X_val=X_val, y_val=y_val,
                             **dict(RECIPE, clip=None))
print("largest gradient norm in the clipped run:", shown(max(hist.grad_norms), 3))
clipping_effect = "clipped better"
print("clipping_effect:", clipping_effect)
''',
            "message": "clipping_effect is a valid choice; graded after hand-in",
            "graded_later": True,
        },
        {
            "why": "no ll.set_seed before building the model: a different start, so not the same experiment",
            "code": '''
noclip = backend.build(16, hidden=32)
noclip_history = backend.fit(noclip, X_train, y_train, X_val=X_val, y_val=y_val,
                             **dict(RECIPE, clip=None))
clipping_effect = "unclipped better" if noclip_history.val[-1] < hist.val[-1] else "clipped better"
print("clipping_effect:", clipping_effect)
''',
            "message": "noclip_history.val[:3] (the reference LSTM, seed 42 just before building it",
            "unrecognisable": "a model built without the seed starts from weights no check can "
            "recompute, so the check gives the question's general advice (seed 42)",
        },
        {
            "why": "no validation data passed to backend.fit",
            "code": '''
noclip = reference_model()
noclip_history = backend.fit(noclip, X_train, y_train, **dict(RECIPE, clip=None))
clipping_effect = "identical"
print("clipping_effect:", clipping_effect)
''',
            "message": "noclip_history should hold 120 epochs of validation loss",
        },
    ],
    "q4": [
        {
            "why": "inputs=[0]: the cos feature is built but never reaches the windows",
            "code": '''
t = np.arange(len(series.values))
two_features = np.stack([series.values, np.cos(0.12 * t)], axis=1)
X2, y2 = ll.sliding_windows(two_features, window=16, horizon=1, inputs=[0], target_col=0)
X2_train, X2_val, y2_train, y2_val = ll.time_split(X2, y2, train_frac=0.8)
two_feature_model = reference_model(n_features=1)
backend.fit(two_feature_model, X2_train, y2_train, **RECIPE)
cos_val_mse = ll.mse(backend.predict(two_feature_model, X2_val), y2_val)
''',
            "message": "X2 should have shape (204, 16, 2); yours has shape (204, 16, 1)",
        },
        {
            "why": "sin instead of cos for the second feature",
            "code": '''
t = np.arange(len(series.values))
two_features = np.stack([series.values, np.sin(0.12 * t)], axis=1)
X2, y2 = ll.sliding_windows(two_features, window=16, horizon=1, inputs=[0, 1], target_col=0)
X2_train, X2_val, y2_train, y2_val = ll.time_split(X2, y2, train_frac=0.8)
two_feature_model = reference_model(n_features=2)
backend.fit(two_feature_model, X2_train, y2_train, **RECIPE)
cos_val_mse = ll.mse(backend.predict(two_feature_model, X2_val), y2_val)
''',
            "message": "cos(0.12 t)) is not right: its second column is sin",
        },
        {
            "why": "target_col=1: predicts the noiseless cos column instead of the series",
            "code": '''
t = np.arange(len(series.values))
two_features = np.stack([series.values, np.cos(0.12 * t)], axis=1)
X2, y2 = ll.sliding_windows(two_features, window=16, horizon=1, inputs=[0, 1], target_col=1)
X2_train, X2_val, y2_train, y2_val = ll.time_split(X2, y2, train_frac=0.8)
two_feature_model = reference_model(n_features=2)
backend.fit(two_feature_model, X2_train, y2_train, **RECIPE)
cos_val_mse = ll.mse(backend.predict(two_feature_model, X2_val), y2_val)
''',
            "message": "cos_val_mse should lie between the noise floor",
        },
    ],
    "q5": [
        {
            "why": "the window is never updated: every step predicts from the same last true values",
            "code": '''
def my_rolling_forecast(predict, window, steps):
    current = np.asarray(window, dtype=np.float32).ravel()
    return np.array([float(np.ravel(predict(current[None, :, None]))[0]) for _ in range(steps)])
''',
            "message": "is not right: every step predicts from the same window",
        },
        {
            "why": "drops the newest value instead of the oldest (the prediction goes in front)",
            "code": '''
def my_rolling_forecast(predict, window, steps):
    current = np.asarray(window, dtype=np.float32).ravel().copy()
    out = []
    for _ in range(steps):
        nxt = float(np.ravel(predict(current[None, :, None]))[0])
        out.append(nxt)
        current = np.append(nxt, current[:-1])
    return np.array(out)
''',
            "message": "is not right: each prediction went in FRONT",
        },
        {
            "why": "returns a column (steps, 1) instead of a 1-D array",
            "code": '''
def my_rolling_forecast(predict, window, steps):
    current = np.asarray(window, dtype=np.float32).ravel().copy()
    out = []
    for _ in range(steps):
        nxt = predict(current[None, :, None])[0]
        out.append(nxt)
        current = np.append(current[1:], nxt)
    return np.array(out)
''',
            "message": "should have shape (4,); yours has shape (4, 1)",
        },
    ],
    "q6": [
        {
            "why": "fits once on all training windows, so each fold's validation block was seen in training",
            "code": '''
ar_folds = ll.rolling_origin_folds(len(X_train), n_folds=3, val_size=20)
model = ll.LinearAR().fit(X_train, y_train)
ar_cv_mse = float(np.mean([ll.mse(model.predict(X_train[f.val]), y_train[f.val]) for f in ar_folds]))
''',
            "message": "has seen every fold's validation block",
        },
        {
            "why": "scores on the validation set instead of the folds",
            "code": '''
ar_folds = ll.rolling_origin_folds(len(X_train), n_folds=3, val_size=20)
ar_cv_mse = float(np.mean([
    ll.mse(ll.LinearAR().fit(X_train[f.train], y_train[f.train]).predict(X_val), y_val) for f in ar_folds
]))
''',
            "message": "that scores on the validation set",
        },
    ],
    "q7": [
        {
            "why": "the scaler is fitted on all windows (data.X): the validation period leaks in",
            "code": '''
train_scaler = ll.Scaler("standard").fit(data.X)
Xs_val = train_scaler.transform(X_val)
''',
            "message": "the scaler saw all windows, validation included",
        },
        {
            "why": "the default min-max scaler instead of a standard one",
            "code": '''
train_scaler = ll.Scaler().fit(X_train)
Xs_val = train_scaler.transform(X_val)
''',
            "message": "that is min-max scaling",
        },
        {
            "why": "the validation windows scaled with their own statistics",
            "code": '''
train_scaler = ll.Scaler("standard").fit(X_train)
Xs_val = ll.Scaler("standard").fit_transform(X_val)
''',
            "message": "scaled with their own statistics",
        },
    ],
}
