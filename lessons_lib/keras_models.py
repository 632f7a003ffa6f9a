"""Keras recurrent forecasters and a fit wrapper that reports one compact line per epoch."""

from __future__ import annotations

import time

import numpy as np

from ._checks import check_array, check_choice, check_int, check_seed
from ._tf_quiet import quiet_native_stderr
from .training import (
    EpochPrinter,
    History,
    check_fit_options,
    check_learning_rate,
    check_output_shape,
    check_recurrent_args,
    check_training_data,
)

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
    window = check_int(window, "window")
    n_features, hidden, horizon, _, cell = check_recurrent_args(n_features, hidden, horizon, 1, cell, CELLS)
    check_choice(optimizer, "optimizer", sorted(OPTIMIZERS))
    check_learning_rate(lr)
    model = keras.Sequential(
        [
            keras.Input(shape=(window, n_features)),
            CELLS[cell](hidden),
            keras.layers.Dense(horizon),
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
    _check_model(model)
    epochs = check_fit_options(
        epochs=epochs,
        batch_size=batch_size,
        shuffle=shuffle,
        print_every=print_every,
        label=label,
        X_val=X_val,
        y_val=y_val,
    )
    X_np, y_np = check_training_data(X, y)
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
    _check_model(model)
    batch_size = check_int(batch_size, "batch_size")
    X_np = check_array(X, "X", ndim=3, float32=True, expected="windows (n, window, features)")
    X_np = X_np.astype(np.float32)
    return np.asarray(model.predict(X_np, batch_size=batch_size, verbose=0))


def input_gradient_norms(
    layer: keras.layers.Layer, seq_len: int = 200, batch: int = 16, seed: int = 0
) -> np.ndarray:
    """The Keras twin of ``torch_models.input_gradient_norms``, computed with ``tf.GradientTape``.

    ``layer`` is a recurrent layer returning the last step's output (``return_sequences=False``).
    ``g[k]`` = mean over the batch of ||d sum(h_T) / d x_{T-k}||.
    """
    import tensorflow as tf

    if not isinstance(layer, keras.layers.Layer):
        raise TypeError(
            f"layer must be a Keras recurrent layer such as "
            f"keras.layers.LSTM(32); got {type(layer).__name__}."
        )
    shape = (check_int(batch, "batch"), check_int(seq_len, "seq_len"), 1)
    x = tf.constant(np.random.RandomState(check_seed(seed)).randn(*shape), dtype=tf.float32)
    with tf.GradientTape() as tape:
        tape.watch(x)
        total = tf.reduce_sum(layer(x))
    grad = tape.gradient(total, x).numpy()
    return np.linalg.norm(grad, axis=2).mean(axis=0)[::-1].copy()


def _check_model(model: object) -> None:
    """``model`` must be a Keras model."""
    if not isinstance(model, keras.Model):
        raise TypeError(
            f"model must be a keras.Model such as "
            f"km.recurrent_forecaster(...); got {type(model).__name__}."
        )
