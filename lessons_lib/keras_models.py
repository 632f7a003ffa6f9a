"""The Keras backend: recurrent forecasters and a training loop that records gradient norms.

Implements the backend contract of ``lessons_lib.backends`` (``NAME``, ``build``, ``fit``,
``predict``, ``evaluate``, ``input_gradient_norms``) with the names, arguments and defaults of
``torch_models``. ``fit`` runs its own ``tf.GradientTape`` step so that ``History.grad_norms``
holds the largest global gradient norm per epoch, as in PyTorch.
"""

from __future__ import annotations

import weakref

import numpy as np

from ._checks import check_int, check_same_length, check_same_shape
from ._tf_quiet import quiet_native_stderr
from .devices import canonical_device, choose_device
from .training import (
    BuiltFor,
    History,
    Step,
    check_dropout,
    check_fit_data,
    check_fit_options,
    check_forget_bias,
    check_output_shapes,
    check_recurrent_args,
    fit_epochs,
    gradient_inputs,
)

with quiet_native_stderr():
    import keras
    import tensorflow as tf

# fit traces one small graph per call; lessons that train many models in a loop would otherwise
# get TensorFlow's "triggered tf.function retracing" warning in their output
tf.get_logger().setLevel("ERROR")

NAME = "keras"
CELLS = {"lstm": keras.layers.LSTM, "gru": keras.layers.GRU, "rnn": keras.layers.SimpleRNN}
OPTIMIZERS = {"adam": keras.optimizers.Adam, "rmsprop": keras.optimizers.RMSprop, "sgd": keras.optimizers.SGD}


def build(
    window: int,
    n_features: int = 1,
    horizon: int = 1,
    *,
    cell: str = "lstm",
    hidden: int | tuple[int, ...] = 32,
    layers: int = 1,
    forget_bias: float | None = None,
    dropout: float = 0.0,
) -> keras.Model:
    """Input (window, n_features) -> recurrent layer(s) -> Dense(horizon), read at the last step.

    ``hidden`` is one width (``layers`` stacked layers of it) or a tuple of widths, one per layer.
    ``forget_bias=None`` keeps Keras's default (``unit_forget_bias``: 1); a number sets the LSTM
    forget gates' bias in every layer. ``dropout`` (a rate in [0, 1)) adds a ``Dropout`` layer
    after every recurrent layer. Not compiled: ``fit`` chooses the optimiser.
    """
    window = check_int(window, "window")
    n_features, widths, horizon, cell = check_recurrent_args(
        n_features, hidden, horizon, layers, cell, CELLS
    )
    value = check_forget_bias(forget_bias, cell)
    dropout = check_dropout(dropout)
    recurrent = [
        CELLS[cell](width, return_sequences=k < len(widths) - 1) for k, width in enumerate(widths)
    ]
    stack = []
    for layer in recurrent:
        stack += [layer, keras.layers.Dropout(dropout)] if dropout > 0 else [layer]
    model = keras.Sequential(
        [keras.Input(shape=(window, n_features)), *stack, keras.layers.Dense(horizon)]
    )
    if value is not None:
        for layer in recurrent:
            bias = layer.cell.bias.numpy()
            units = layer.cell.units
            bias[units : 2 * units] = value  # gates ordered (input, forget, cell, output)
            layer.cell.bias.assign(bias)
    return model


def devices() -> list[str]:
    """The devices TensorFlow sees, in the names of ``lessons_lib.devices``: "cpu", "gpu:0", ..."""
    names = (canonical_device(d.name) for d in tf.config.list_logical_devices())
    return sorted({n for n in names if n is not None}, key=lambda n: (n != "cpu", n))


def resolve_device(device: str | None) -> str:
    """The TensorFlow device ``fit`` trains on, by the rule both backends share (``choose_device``)."""
    name = choose_device(device, devices())
    return "/CPU:0" if name == "cpu" else f"/GPU:{name.split(':')[1]}"


def built_for(model: keras.Model) -> BuiltFor:
    """What ``model`` was built for, read off its input and output shapes (None where any goes)."""
    try:
        shape_in, shape_out = model.input_shape, model.output_shape
    except (AttributeError, ValueError):  # not built yet, or several inputs
        return BuiltFor()
    if not (isinstance(shape_in, tuple) and len(shape_in) == 3):
        return BuiltFor()
    horizon = shape_out[1] if isinstance(shape_out, tuple) and len(shape_out) == 2 else None
    return BuiltFor(shape_in[1], shape_in[2], horizon)


def _first_recurrent(model: keras.Model) -> keras.layers.Layer | None:
    for layer in model.layers:
        if isinstance(layer, keras.layers.RNN):
            return layer
    return None


# Per model: how often it was called for inference, and its traced forward pass once it has one.
_CALLS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_TRACED: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _forward(model: keras.Model):
    """Inference: ``model(x, training=False)``, eager at first, traced from the second call on.

    An eager call of a recurrent model dispatches every step's ops from Python (about 50 ms for
    LSTM(32) over 16 steps, against 2 ms traced), and tracing costs about 0.2 s: a model used once
    stays eager, a model evaluated every epoch or rolled forward step by step is traced once.
    """
    if model not in _TRACED:
        _CALLS[model] = _CALLS.get(model, 0) + 1
        if _CALLS[model] < 2:
            return lambda x: model(x, training=False)
        ref = weakref.ref(model)  # the cache must not keep the model alive
        _TRACED[model] = tf.function(lambda x: ref()(x, training=False), reduce_retracing=True)
    return _TRACED[model]


def fit(
    model: keras.Model,
    X: np.ndarray,
    y: np.ndarray,
    *,
    X_val: np.ndarray | None = None,
    y_val: np.ndarray | None = None,
    epochs: int = 10,
    lr: float = 1e-3,
    optimizer: str = "adam",
    batch_size: int | None = None,
    clip: float | None = None,
    shuffle: bool = True,
    print_every: int | None = None,
    label: str = NAME,
    device: str | None = None,
) -> History:
    """Train with MSE; ``batch_size=None`` means full batch; ``print_every=0`` is silent.

    A fresh optimiser (``optimizer`` at learning rate ``lr``, ``global_clipnorm=clip``) is made
    for each call, as in ``torch_models.fit``; any optimiser given to ``model.compile`` is not
    used. ``History.grad_norms`` records, per epoch, the largest global gradient norm before
    clipping. ``X``, ``y``, ``X_val`` and ``y_val`` are checked against what the model was built
    for, and the output shape against ``y`` and ``y_val``, before the first step. ``device``: None
    is the GPU when there is one, else the CPU; a name ("cpu", "gpu", "/GPU:0") must be present
    (``devices()``).
    """
    _check_model(model)
    epochs = check_fit_options(
        epochs=epochs, batch_size=batch_size, shuffle=shuffle, print_every=print_every, label=label,
        X_val=X_val, y_val=y_val, lr=lr, clip=clip, optimizer=optimizer,
    )
    device = resolve_device(device)
    X_np, y_np, val = check_fit_data(X, y, X_val, y_val, built_for(model))
    check_output_shapes(lambda xb: tuple(model(xb, training=False).shape), X_np, y_np, val)
    kwargs = {"learning_rate": lr} if clip is None else {"learning_rate": lr, "global_clipnorm": clip}
    opt = OPTIMIZERS[optimizer](**kwargs)
    step = _step(model, opt, X_np, y_np)
    rng = np.random.default_rng(int(np.random.randint(0, 2**31 - 1)))  # follows ll.set_seed
    with tf.device(device):
        return fit_epochs(
            step,
            len(X_np),
            epochs=epochs,
            batch_size=batch_size,
            permutation=(lambda: rng.permutation(len(X_np))) if shuffle else None,
            validate=(lambda: evaluate(model, *val)) if val is not None else None,
            print_every=print_every,
            label=label,
        )


def _step(model: keras.Model, opt: keras.optimizers.Optimizer, X_np: np.ndarray, y_np: np.ndarray) -> Step:
    """One MSE step on the rows ``idx`` of ``(X_np, y_np)``; returns the loss and the norm before clipping."""
    weights = model.trainable_variables
    # One trace per fit: the batch dimension is left open, so the last, smaller batch reuses it.
    signature = [
        tf.TensorSpec((None, *X_np.shape[1:]), tf.float32),
        tf.TensorSpec((None, *y_np.shape[1:]), tf.float32),
    ]

    @tf.function(input_signature=signature)
    def traced(xb, yb):
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean(tf.square(model(xb, training=True) - yb))
        grads = tape.gradient(loss, weights)
        norm = tf.linalg.global_norm(grads)
        opt.apply_gradients(zip(grads, weights, strict=True))
        return loss, norm

    def step(idx: np.ndarray) -> tuple[float, float]:
        loss, norm = traced(tf.constant(X_np[idx]), tf.constant(y_np[idx]))
        return float(loss), float(norm)

    return step


def predict(model: keras.Model, X: np.ndarray, batch_size: int = 4096) -> np.ndarray:
    """Model output for windows ``X`` (of the window and features the model was built for) as a
    NumPy array (inference mode)."""
    _check_model(model)
    batch_size = check_int(batch_size, "batch_size")
    X_np = built_for(model).windows(X)
    forward = _forward(model)
    parts = [np.asarray(forward(X_np[i : i + batch_size])) for i in range(0, len(X_np), batch_size)]
    return np.concatenate(parts)


def evaluate(model: keras.Model, X: np.ndarray, y: np.ndarray) -> float:
    """MSE of the model on ``(X, y)``, both checked against what the model was built for."""
    _check_model(model)
    X_np, y_np = built_for(model).windows(X), built_for(model).targets(y)
    check_same_length(X_np, y_np, "X", "y")
    pred = predict(model, X_np)
    check_same_shape(pred.shape, y_np.shape, "the model output", "y", "evaluate")
    return float(np.mean((pred - y_np) ** 2))


def count_params(model: keras.Model) -> int:
    """The number of trainable weights."""
    _check_model(model)
    return int(sum(int(np.prod(w.shape)) for w in model.trainable_weights))


def hidden_states(model: keras.Model, X: np.ndarray) -> np.ndarray:
    """The first recurrent layer's output at the last step, ``(n, width)``, in inference mode."""
    _check_model(model)
    layer = _first_recurrent(model)
    if layer is None:
        raise TypeError("model has no recurrent layer; pass a model from km.build.")
    X_np = built_for(model).windows(X)
    out = np.asarray(keras.Model(model.inputs[0], layer.output)(X_np, training=False))
    return out[:, -1] if out.ndim == 3 else out


def input_gradient_norms(
    model: keras.Model | keras.layers.Layer,
    seq_len: int = 200,
    batch: int = 16,
    seed: int = 0,
    inputs: np.ndarray | None = None,
) -> np.ndarray:
    """The Keras twin of ``torch_models.input_gradient_norms``, computed with ``tf.GradientTape``.

    ``model`` is a model from ``build`` (its first recurrent layer is measured) or a recurrent
    layer. ``g[k]`` = mean over the batch of ||d sum(h_T) / d x_{T-k}||, on the same random
    inputs as the PyTorch backend (``training.gradient_inputs``) unless ``inputs`` is given: any
    number of steps (the profile runs over lags, whatever the model's window), with the model's
    features per step.
    """
    layer = _first_recurrent(model) if isinstance(model, keras.Model) else model
    if not isinstance(layer, keras.layers.RNN):
        raise TypeError(
            f"model must be a model from build (or a Keras recurrent layer such as "
            f"keras.layers.LSTM(32)); got {type(model).__name__}."
        )
    kernel = getattr(layer.cell, "kernel", None) if layer.built else None
    if kernel is not None:
        n_features = int(kernel.shape[0])
    else:  # an unbuilt layer takes what it is given
        n_features = None
    x = tf.constant(gradient_inputs(seed, batch, seq_len, n_features, inputs))
    with tf.GradientTape() as tape:
        tape.watch(x)
        out = layer(x, training=False)
        last = out[:, -1] if len(out.shape) == 3 else out
        total = tf.reduce_sum(last)
    grad = tape.gradient(total, x).numpy()
    return np.linalg.norm(grad, axis=2).mean(axis=0)[::-1].copy()


def _check_model(model: object) -> None:
    """``model`` must be a Keras model."""
    if not isinstance(model, keras.Model):
        raise TypeError(
            f"model must be a keras.Model such as "
            f"km.build(window=24); got {type(model).__name__}."
        )
