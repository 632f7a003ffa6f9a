import numpy as np
import pytest

from lessons_lib import rolling_forecast


def test_rolling_forecast_feeds_predictions_back():
    # A model that doubles the last value: the roll-out must be geometric.
    out = rolling_forecast(lambda X: 2 * X[:, -1, :], np.array([0.0, 1.0]), steps=4)
    np.testing.assert_allclose(out, [2, 4, 8, 16])


def test_rolling_forecast_sees_its_own_predictions_not_the_truth():
    seen = []

    def model(X):
        seen.append(X[0, :, 0].copy())
        return X[:, -1, :] + 1

    rolling_forecast(model, np.zeros(3), steps=3)
    np.testing.assert_array_equal(seen[-1], [0, 1, 2])


def test_rolling_forecast_rejects_multifeature_windows_and_bad_predict():
    with pytest.raises(ValueError, match="univariate"):
        rolling_forecast(lambda X: X[:, -1, :1], np.zeros((4, 2)), steps=2)
    with pytest.raises(ValueError, match="must return"):
        rolling_forecast(lambda X: np.zeros((2, 1)), np.zeros(4), steps=2)
    with pytest.raises(ValueError, match="NaN|finite"):
        rolling_forecast(lambda X: X[:, -1, :], np.array([0.0, np.nan]), steps=2)
