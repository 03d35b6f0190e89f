"""Reference profiles and window counts, binned exactly as aigovd defines them.

The definition (docs/ARCHITECTURE.md "Drift monitoring: the bins"; the C++
twin is daemon/monitoring/binning.h, and a test holds the two to the same
counts on the same data):

- A value is null when it is None, a float NaN, or pandas' NA/NaT. Read from
  a CSV file, a cell is null when it is empty or one of NULL_TOKENS.
- Numeric feature: the reference's non-null finite values sorted, v[0..n-1].
  The edges are v[floor(q*n/10)] for q = 0..9 (the minimum and the deciles,
  nearest rank below) and the double just above v[n-1] (the maximum), with
  repeats removed. Bins are (-inf, e1), [e1, e2), ..., [ek, +inf): the first
  holds values below the reference minimum, the last those above its
  maximum. A value x falls in bin #{edges <= x}; -inf and +inf fall in the
  first and last bins. A reference with no finite value has the edges [0.0].
  `std` is the population standard deviation of the finite values
  (computed on them divided by their largest magnitude).
- Categorical feature: values as text. The top `max_categories` (default 20)
  reference categories by count, ties by text (UTF-8 byte order), then two
  bins: `other` (reference categories beyond the top) and `unseen`
  (categories the reference never had).

Everything here is pure: no I/O except the CSV reader, no threads.
"""

import csv
import dataclasses
import json
import math
import re
from typing import Dict, Iterable, List, Optional, Sequence

import numpy as np

from aigov_agent._pb.aigov.v1 import monitoring_pb2

DEFAULT_MAX_CATEGORIES = 20
DEFAULT_WINDOW_SECONDS = 3600
# CSV cells read as null (a subset of pandas.read_csv's defaults).
NULL_TOKENS = frozenset(["", "NA", "N/A", "NaN", "nan", "null", "NULL", "None"])
# The numbers a CSV cell may hold for its column to be numeric.
_NUMBER = re.compile(
    r"[+-]?(?:(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?|inf)\Z",
    re.IGNORECASE)


def numeric_edges(finite_sorted: np.ndarray) -> List[float]:
    """The bin edges of a numeric feature from its sorted finite values."""
    n = len(finite_sorted)
    if n == 0:
        return [0.0]
    candidates = [float(finite_sorted[(q * n) // 10]) for q in range(10)]
    top = float(finite_sorted[n - 1])
    above = math.nextafter(top, math.inf)
    candidates.append(above if math.isfinite(above) else top)
    edges = [candidates[0]]
    for e in candidates[1:]:
        if e > edges[-1]:
            edges.append(e)
    return edges


def _std(finite: np.ndarray) -> float:
    """Population standard deviation, on the values scaled by their largest
    magnitude so that nothing overflows near the largest doubles."""
    scale = float(np.max(np.abs(finite))) if len(finite) else 0.0
    return scale * float(np.std(finite / scale)) if scale > 0 else 0.0


def _is_null(v) -> bool:
    if v is None:
        return True
    if isinstance(v, float):
        return v != v
    try:
        import pandas  # pylint: disable=import-outside-toplevel
        return v is pandas.NA or v is pandas.NaT
    except ImportError:  # pragma: no cover - pandas is optional
        return False


def _as_float_array(values) -> np.ndarray:
    """The values as float64, non-numbers (and None) as NaN."""
    try:
        return np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError):
        out = np.empty(len(values), dtype=np.float64)
        for i, v in enumerate(values):
            try:
                out[i] = np.nan if _is_null(v) else float(v)
            except (TypeError, ValueError):
                out[i] = np.nan
        return out


@dataclasses.dataclass
class NumericFeature:
    """A numeric feature's bins and reference counts."""
    name: str
    edges: List[float]
    counts: List[int]
    null_count: int = 0
    std: float = 0.0
    critical: bool = False
    excluded: bool = False

    @property
    def bins(self) -> int:
        return len(self.edges) + 1

    def count(self, values) -> "tuple[np.ndarray, int]":
        """Counts of `values` in these bins, and how many were null."""
        counts, nulls, _, _ = self.count_checked(values)
        return counts, nulls

    def count_checked(self, values):
        """As count(), and how many values were neither numbers nor null
        (text in a numeric column: left out of the counts and the nulls),
        with the first of them."""
        invalid, example = 0, None
        try:
            x = np.asarray(values, dtype=np.float64)
        except (TypeError, ValueError):
            x = np.empty(len(values), dtype=np.float64)
            bad = np.zeros(len(values), dtype=bool)
            for i, v in enumerate(values):
                try:
                    x[i] = np.nan if _is_null(v) else float(v)
                except (TypeError, ValueError):
                    bad[i] = True
                    if example is None:
                        example = v
            invalid = int(bad.sum())
            if invalid:
                x = x[~bad]
        nulls = np.isnan(x)
        null_count = int(nulls.sum())
        if null_count:
            x = x[~nulls]
        idx = np.searchsorted(np.asarray(self.edges), x, side="right")
        return np.bincount(idx, minlength=self.bins), null_count, invalid, \
            example


@dataclasses.dataclass
class CategoricalFeature:
    """A categorical feature's top categories and reference counts.

    `other_categories` are the reference's categories beyond the top ones.
    They are known when the profile was computed here or loaded from the
    agent's JSON file; a profile read back from aigovd does not carry them,
    and then, when the reference's `other` count is not zero, a value outside
    the top categories is counted as `other` (it cannot be told from an
    unseen one).
    """
    name: str
    categories: List[str]
    counts: List[int]
    null_count: int = 0
    other_categories: Optional[frozenset] = None
    critical: bool = False
    excluded: bool = False
    _index: Dict[str, int] = dataclasses.field(default_factory=dict,
                                               repr=False, compare=False)

    def __post_init__(self):
        self._index = {c: i for i, c in enumerate(self.categories)}

    @property
    def bins(self) -> int:
        return len(self.categories) + 2

    def bin_of(self, text: str) -> int:
        i = self._index.get(text)
        if i is not None:
            return i
        other = len(self.categories)
        if self.other_categories is None:
            return other if self.counts[other] else other + 1
        return other if text in self.other_categories else other + 1

    def count_checked(self, values):
        """As count(); every value of a categorical feature is valid."""
        counts, nulls = self.count(values)
        return counts, nulls, 0, None

    def count(self, values) -> "tuple[np.ndarray, int]":
        counts = np.zeros(self.bins, dtype=np.int64)
        null_count = 0
        index = self._index
        for v in values:
            if _is_null(v):
                null_count += 1
                continue
            text = v if isinstance(v, str) else _text(v)
            i = index.get(text)
            counts[self.bin_of(text) if i is None else i] += 1
        return counts, null_count


def _text(v) -> str:
    if isinstance(v, bytes):
        return v.decode("utf-8", "replace")
    if isinstance(v, (bool, np.bool_)):
        return "true" if v else "false"
    return str(v)


def _numeric_reference(name, values, **flags) -> NumericFeature:
    x = _as_float_array(values)
    nulls = np.isnan(x)
    finite = np.sort(x[np.isfinite(x)])
    edges = numeric_edges(finite)
    feature = NumericFeature(name=name, edges=edges, counts=[],
                             null_count=int(nulls.sum()),
                             std=_std(finite),
                             **flags)
    counts, _ = feature.count(x[~nulls])
    feature.counts = [int(c) for c in counts]
    return feature


def _categorical_reference(name, values, max_categories,
                           **flags) -> CategoricalFeature:
    seen: Dict[str, int] = {}
    nulls = 0
    for v in values:
        if _is_null(v):
            nulls += 1
            continue
        text = v if isinstance(v, str) else _text(v)
        seen[text] = seen.get(text, 0) + 1
    ranked = sorted(seen.items(), key=lambda kv: (-kv[1], kv[0].encode()))
    top = ranked[:max_categories]
    rest = ranked[max_categories:]
    return CategoricalFeature(
        name=name, categories=[c for c, _ in top],
        counts=[n for _, n in top] + [sum(n for _, n in rest), 0],
        null_count=nulls, other_categories=frozenset(c for c, _ in rest),
        **flags)


def _is_numeric_column(values) -> bool:
    if isinstance(values, np.ndarray):
        if values.dtype.kind in "iuf":
            return True
        if values.dtype.kind != "O":
            return False
    for v in values:
        if _is_null(v):
            continue
        if isinstance(v, (bool, np.bool_, str, bytes)):
            return False
        if not isinstance(v, (int, float, np.integer, np.floating)):
            return False
    return True


def columns_of(batch, names: Sequence[str]) -> Dict[str, object]:
    """The columns of `batch` by feature name.

    A batch is a pandas DataFrame, a dict of columns (or of one row's
    values), a list of row dicts, a NumPy structured array, or a 2-D array
    whose columns are `names` in order. Features missing from it are left
    out.
    """
    if hasattr(batch, "columns") and hasattr(batch, "__getitem__") and \
            hasattr(batch, "to_numpy"):
        present = set(batch.columns)
        return {n: batch[n].to_numpy() for n in names if n in present}
    if isinstance(batch, dict):
        out = {}
        for n in names:
            if n in batch:
                v = batch[n]
                out[n] = v if isinstance(v, (list, tuple, np.ndarray)) else [v]
        return out
    if isinstance(batch, np.ndarray):
        if batch.dtype.names:
            return {n: batch[n] for n in names if n in batch.dtype.names}
        arr = batch.reshape(1, -1) if batch.ndim == 1 else batch
        if arr.ndim != 2 or arr.shape[1] != len(names):
            raise ValueError(
                f"a {arr.shape} array needs one column per feature "
                f"({len(names)}: {', '.join(names)})")
        return {n: arr[:, i] for i, n in enumerate(names)}
    if isinstance(batch, (list, tuple)):
        rows = list(batch)
        return {n: [r.get(n) for r in rows] for n in names
                if any(n in r for r in rows)}
    raise TypeError(f"cannot read features from a {type(batch).__name__}")


def batch_rows(batch) -> int:
    """How many rows `batch` holds (1 for a dict of scalars)."""
    if isinstance(batch, dict):
        for v in batch.values():
            return len(v) if isinstance(v, (list, tuple, np.ndarray)) else 1
        return 0
    if isinstance(batch, np.ndarray):
        if batch.dtype.names:
            return len(batch)
        return 1 if batch.ndim == 1 else int(batch.shape[0])
    if hasattr(batch, "shape"):
        return int(batch.shape[0])
    return len(batch)


class ReferenceProfile:
    """The bins every window of a model version is counted in.

    Build it with from_frame (pandas or NumPy data) or from_csv, send it with
    Client.put_reference_profile, count windows with Monitor. Immutable once
    built; safe to share between threads.
    """

    def __init__(self, features: Sequence, window_seconds: int =
                 DEFAULT_WINDOW_SECONDS):
        names = [f.name for f in features]
        if len(set(names)) != len(names):
            raise ValueError("feature names must be unique")
        if not features:
            raise ValueError("a profile needs at least one feature")
        self.features = list(features)
        self.window_seconds = int(window_seconds)
        self.names = names
        self._by_name = {f.name: f for f in self.features}

    def feature(self, name: str):
        return self._by_name[name]

    @classmethod
    def from_frame(cls, data, *, categorical: Iterable[str] = (),
                   exclude: Iterable[str] = (), critical: Iterable[str] = (),
                   features: Optional[Sequence[str]] = None,
                   max_categories: int = DEFAULT_MAX_CATEGORIES,
                   window_seconds: int = DEFAULT_WINDOW_SECONDS
                   ) -> "ReferenceProfile":
        """The profile of a DataFrame, a dict of columns or a structured array.

        Numeric columns are binned on deciles, others as categories;
        `categorical` forces columns to be categories, `exclude` marks
        features counted but never scored, `critical` those whose ALERT puts
        the dataset in ALERT, `features` picks and orders the columns.
        """
        if hasattr(data, "columns"):
            names = list(features or [str(c) for c in data.columns])
        elif isinstance(data, dict):
            names = list(features or data.keys())
        elif isinstance(data, np.ndarray) and data.dtype.names:
            names = list(features or data.dtype.names)
        elif isinstance(data, np.ndarray):
            if not features:
                raise ValueError("a plain array needs features=[names]")
            names = list(features)
        else:
            raise TypeError(f"cannot profile a {type(data).__name__}")
        columns = columns_of(data, names)
        missing = [n for n in names if n not in columns]
        if missing:
            raise ValueError(f"no column {missing[0]!r} in the data")
        categorical, exclude, critical = set(categorical), set(exclude), set(
            critical)
        built = []
        for n in names:
            flags = {"critical": n in critical, "excluded": n in exclude}
            values = columns[n]
            if n not in categorical and _is_numeric_column(values):
                built.append(_numeric_reference(n, values, **flags))
            else:
                built.append(_categorical_reference(n, values, max_categories,
                                                    **flags))
        return cls(built, window_seconds)

    @classmethod
    def from_csv(cls, path, **kwargs) -> "ReferenceProfile":
        """The profile of a CSV file with a header row (see read_csv)."""
        return cls.from_frame(read_csv(path,
                                       categorical=kwargs.get("categorical",
                                                              ())), **kwargs)

    def count(self, batch) -> Dict[str, "tuple[np.ndarray, int]"]:
        """Counts of `batch` in this profile's bins, per feature present."""
        return {n: self._by_name[n].count(v)
                for n, v in columns_of(batch, self.names).items()}

    def to_proto(self, model_id: str, version: str):
        """This profile as an aigov.v1.ReferenceProfile."""
        p = monitoring_pb2.ReferenceProfile(model_id=model_id, version=version)
        p.window.seconds = self.window_seconds
        for f in self.features:
            rf = p.features.add(name=f.name, null_count=f.null_count,
                                critical=f.critical, excluded=f.excluded)
            if isinstance(f, NumericFeature):
                rf.numeric.edges.extend(f.edges)
                rf.numeric.counts.extend(f.counts)
                rf.numeric.std = f.std
            else:
                rf.categorical.categories.extend(f.categories)
                rf.categorical.counts.extend(f.counts)
        return p

    @classmethod
    def from_proto(cls, p) -> "ReferenceProfile":
        built = []
        for rf in p.features:
            flags = {"critical": rf.critical, "excluded": rf.excluded,
                     "null_count": rf.null_count}
            if rf.HasField("numeric"):
                built.append(NumericFeature(rf.name, list(rf.numeric.edges),
                                            list(rf.numeric.counts),
                                            std=rf.numeric.std, **flags))
            else:
                built.append(CategoricalFeature(
                    rf.name, list(rf.categorical.categories),
                    list(rf.categorical.counts), **flags))
        return cls(built, p.window.seconds or DEFAULT_WINDOW_SECONDS)

    def to_dict(self) -> dict:
        """JSON-ready; keeps the `other` categories the proto leaves out."""
        out = []
        for f in self.features:
            d = {"name": f.name, "null_count": f.null_count,
                 "critical": f.critical, "excluded": f.excluded,
                 "counts": [int(c) for c in f.counts]}
            if isinstance(f, NumericFeature):
                d.update(type="numeric", edges=f.edges, std=f.std)
            else:
                d.update(type="categorical", categories=f.categories,
                         other_categories=sorted(f.other_categories or ()))
            out.append(d)
        return {"window_seconds": self.window_seconds, "features": out}

    @classmethod
    def from_dict(cls, d: dict) -> "ReferenceProfile":
        built = []
        for f in d["features"]:
            flags = {"critical": f.get("critical", False),
                     "excluded": f.get("excluded", False),
                     "null_count": f.get("null_count", 0)}
            if f["type"] == "numeric":
                built.append(NumericFeature(f["name"], f["edges"], f["counts"],
                                            std=f.get("std", 0.0), **flags))
            else:
                built.append(CategoricalFeature(
                    f["name"], f["categories"], f["counts"],
                    other_categories=frozenset(f.get("other_categories", ())),
                    **flags))
        return cls(built, d.get("window_seconds", DEFAULT_WINDOW_SECONDS))

    def save(self, path) -> None:
        with open(path, "w", encoding="utf-8") as f:
            json.dump(self.to_dict(), f)

    @classmethod
    def load(cls, path) -> "ReferenceProfile":
        with open(path, encoding="utf-8") as f:
            return cls.from_dict(json.load(f))


def read_csv(path, categorical: Iterable[str] = ()) -> Dict[str, list]:
    """A CSV file with a header row as columns, typed as aigovctl types them.

    A column is numeric when every non-null cell is a decimal number (or
    inf), unless it is named in `categorical`; its cells become floats and
    its nulls None. Other columns keep their text. Raises ValueError naming
    the line of a malformed row.
    """
    forced = set(categorical)
    with open(path, newline="", encoding="utf-8") as f:
        reader = csv.reader(f, strict=True)
        try:
            header = next(reader)
        except StopIteration:
            raise ValueError(f"{path}: empty file, expected a header row")
        if len(set(header)) != len(header):
            twice = next(h for h in header if header.count(h) > 1)
            raise ValueError(f"{path}: column {twice!r} appears twice in "
                             f"the header")
        cols: List[list] = [[] for _ in header]
        for row in reader:
            if not row:
                continue  # a blank line, as aigovctl skips it
            if len(row) != len(header):
                raise ValueError(
                    f"{path}:{reader.line_num}: {len(row)} fields, the header "
                    f"has {len(header)}")
            for i, cell in enumerate(row):
                cols[i].append(None if cell in NULL_TOKENS else cell)
    out = {}
    for name, cells in zip(header, cols):
        numeric = name not in forced and all(
            c is None or _NUMBER.match(c) for c in cells)
        out[name] = [None if c is None else float(c)
                     for c in cells] if numeric else cells
    return out
