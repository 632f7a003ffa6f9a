"""Real series shipped inside installed packages, so the lessons run offline.

``co2_monthly()`` loads the Mauna Loa CO2 record that statsmodels ships in its wheel. statsmodels
(and pandas) are imported only when it is called: ``import lessons_lib`` stays NumPy-only.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ._checks import check_array, check_int, check_same_length, check_str

CO2_SOURCE = (
    "statsmodels.datasets.co2: weekly atmospheric CO2 (ppmv) from flask samples at Mauna Loa, "
    "1958-03 to 2001-12 (Keeling and Whorf 2004, Scripps Institution of Oceanography; "
    "public domain; shipped inside the statsmodels package, no download)"
)
CO2_FILL = (
    "monthly mean of the weekly values that exist; a month with no weekly value at all "
    "is filled by linear interpolation between the neighbouring monthly means"
)


@dataclass(frozen=True, repr=False)
class RealSeries:
    """A real, regularly spaced series with its provenance.

    ``values`` (float32) and ``dates`` (``datetime64[M]``, one per value) have the same length;
    ``filled`` marks the values that were missing and filled (see ``fill``); ``source`` says
    where the data comes from.
    """

    name: str
    values: np.ndarray
    dates: np.ndarray
    filled: np.ndarray
    units: str
    period: int
    source: str
    fill: str
    raw_missing: int = field(default=0)

    def __post_init__(self) -> None:
        """Values, dates and the filled marks must line up one to one."""
        for name in ("name", "units", "source", "fill"):
            check_str(getattr(self, name), name)
        values = check_array(self.values, "values", ndim=1, float32=True)
        for name in ("dates", "filled"):
            other = np.asarray(getattr(self, name))
            if other.ndim != 1:
                raise ValueError(f"{name} must be 1-D, one per value; got shape {other.shape}.")
            check_same_length(values, other, "values", name)
        if np.asarray(self.dates).dtype.kind != "M":
            raise TypeError(f"dates must be datetime64 values; got dtype {np.asarray(self.dates).dtype}.")
        if np.asarray(self.filled).dtype.kind != "b":
            raise TypeError(
                f"filled must hold booleans (True where filled); got dtype {np.asarray(self.filled).dtype}."
            )
        check_int(self.period, "period", maximum=len(values))
        check_int(self.raw_missing, "raw_missing", minimum=0)

    def __len__(self) -> int:
        return len(self.values)

    @property
    def n_filled(self) -> int:
        """How many values were filled."""
        return int(self.filled.sum())

    def __repr__(self) -> str:
        return (
            f"RealSeries({self.name!r}: {len(self)} values, {self.dates[0]} to {self.dates[-1]}, "
            f"{self.units}, period {self.period};\n  source: {self.source};\n"
            f"  missing: {self.raw_missing} of the raw values; {self.n_filled} value(s) filled: "
            f"{self.fill})"
        )


def co2_monthly() -> RealSeries:
    """Monthly mean CO2 at Mauna Loa, March 1958 to December 2001: 526 values in ppmv.

    Source: ``statsmodels.datasets.co2`` (weekly flask samples, 2284 weeks, 59 of them missing;
    Keeling and Whorf 2004), read from the copy inside the installed statsmodels package, so it
    works offline. Each month is the mean of the weekly values that exist in it. Five months
    have no weekly value at all (1958-06, 1958-10 and 1964-02 to 1964-04); they are filled by
    linear interpolation between the neighbouring monthly means and marked in ``.filled``.
    """
    try:
        from statsmodels.datasets import co2
    except ImportError as err:  # pragma: no cover - statsmodels is a dependency
        raise ImportError(
            "co2_monthly needs statsmodels (it ships the data): pip install statsmodels"
        ) from err
    weekly = co2.load_pandas().data["co2"]
    monthly = weekly.resample("MS").mean()
    missing = monthly.isna().to_numpy()
    values = monthly.interpolate(method="linear").to_numpy(dtype=np.float64)
    dates = monthly.index.to_numpy().astype("datetime64[M]")
    if not np.all(np.isfinite(values)):  # pragma: no cover - the shipped data has none at the ends
        raise ValueError("co2_monthly: the first or last month is missing; cannot interpolate.")
    return RealSeries(
        name="co2_monthly",
        values=values.astype(np.float32),
        dates=dates,
        filled=missing,
        units="ppmv",
        period=12,
        source=CO2_SOURCE,
        fill=CO2_FILL,
        raw_missing=int(weekly.isna().sum()),
    )
