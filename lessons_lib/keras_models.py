"""Keras recurrent forecasters and a fit wrapper that reports one compact line per epoch."""

from __future__ import annotations

import time

import numpy as np

from ._checks import check_int
from ._tf_quiet import quiet_native_stderr
from .training import EpochPrinter, History, check_output_shape, check_training_data

with quiet_native_stderr():
    import keras
    import tensorflow as tf  # noqa: F401  (loaded here so its start-up lines are silenced)

CELLS = {"lstm": keras.layers.LSTM, "gru": keras.layers.GRU, "rnn": keras.layers.SimpleRNN}
OPTIMIZERS = {"adam": keras.optimizers.Adam, "rmsprop": keras.optimizers.RMSprop, "sgd": keras.optimizers.SGD}


def recurrent_forecaster(
    window: int,
    n_features: int = 1,
    hidden: int = 32,
    horizon: int = 1,
    cell: str = "lstm",
    optimizer: str = "adam",
    lr: float = 1e-3,
    **optimizer_kwargs,
) -> keras.Model:
    """Input (window, n_features) -> recurrent layer -> Dense(horizon), compiled with MSE."""
    if cell not in CELLS:
        raise ValueError(f"cell must be one of {sorted(CELLS)}; got {cell!r}.")
    if optimizer not in OPTIMIZERS:
        raise ValueError(f"optimizer must be one of {sorted(OPTIMIZERS)}; got {optimizer!r}.")
    model = keras.Sequential(
        [
            keras.Input(shape=(check_int(window, "window"), check_int(n_features, "n_features"))),
            CELLS[cell](check_int(hidden, "hidden")),
            keras.layers.Dense(check_int(horizon, "horizon")),
        ]
    )
    model.compile(loss="mse", optimizer=OPTIMIZERS[optimizer](learning_rate=lr, **optimizer_kwargs))
    return model


class _Report(keras.callbacks.Callback):
    def __init__(self, history: History, printer: EpochPrinter) -> None:
        super().__init__()
        self.history_, self.printer, self.start = history, printer, time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        logs = logs or {}
        self.history_.train.append(float(logs["loss"]))
        val = logs.get("val_loss")
        if val is not None:
            self.history_.val.append(float(val))
        self.history_.seconds = time.perf_counter() - self.start
        self.printer(epoch + 1, self.history_.train[-1], val, self.history_.seconds)


def fit(
    model: keras.Model,
    X: np.ndarray,
    y: np.ndarray,
    *,
    X_val: np.ndarray | None = None,
    y_val: np.ndarray | None = None,
    epochs: int = 10,
    batch_size: int | None = None,
    shuffle: bool = True,
    print_every: int | None = None,
    label: str = "keras",
) -> History:
    """``model.fit`` with checked inputs, no Keras log, one line per reported epoch.

    ``batch_size=None`` means full batch.
    """
    X_np, y_np = check_training_data(X, y)
    epochs = check_int(epochs, "epochs")
    try:
        out_shape = model.compute_output_shape((2, *X_np.shape[1:]))
    except (NotImplementedError, AttributeError, TypeError):  # subclassed models may not say
        out_shape = model(X_np[:2]).shape
    check_output_shape(tuple(out_shape), y_np[:2].shape, "fit")
    val = None
    if X_val is not None and y_val is not None:
        val = check_training_data(X_val, y_val, "X_val", "y_val")
    history = History()
    model.fit(
        X_np,
        y_np,
        validation_data=val,
        epochs=epochs,
        batch_size=len(X_np) if batch_size is None else check_int(batch_size, "batch_size"),
        shuffle=shuffle,
        verbose=0,
        callbacks=[_Report(history, EpochPrinter(epochs, print_every, label))],
    )
    return history


def predict(model: keras.Model, X: np.ndarray, batch_size: int = 4096) -> np.ndarray:
    """Model output for windows ``X`` as a NumPy array."""
    from ._checks import as_float_array

    X_np = as_float_array(X, "X", ndim=3).astype(np.float32)
    return np.asarray(model.predict(X_np, batch_size=batch_size, verbose=0))


def input_gradient_norms(
    layer: keras.layers.Layer, seq_len: int = 200, batch: int = 16, seed: int = 0
) -> np.ndarray:
    """The Keras twin of ``torch_models.input_gradient_norms``, computed with ``tf.GradientTape``.

    ``layer`` is a recurrent layer returning the last step's output (``return_sequences=False``).
    ``g[k]`` = mean over the batch of ||d sum(h_T) / d x_{T-k}||.
    """
    import tensorflow as tf

    shape = (check_int(batch, "batch"), check_int(seq_len, "seq_len"), 1)
    x = tf.constant(np.random.RandomState(seed).randn(*shape), dtype=tf.float32)
    with tf.GradientTape() as tape:
        tape.watch(x)
        total = tf.reduce_sum(layer(x))
    grad = tape.gradient(total, x).numpy()
    return np.linalg.norm(grad, axis=2).mean(axis=0)[::-1].copy()
