"""Filling aigov.v1 messages from Python values, and event ids.

`fill(message, values)` sets fields from a dict the way `aigovctl apply`
reads YAML documents: snake_case field names, enums by full or short name
(`"prod"` for ENVIRONMENT_PROD), times as datetime, Unix seconds or RFC 3339
text, nested messages as dicts, model and dataset references as "ID@VERSION"
or (id, version). Raises ValueError naming the field path.
"""

import datetime
import hashlib
from typing import Any

from google.protobuf import descriptor as _descriptor
from google.protobuf import timestamp_pb2, duration_pb2

_FD = _descriptor.FieldDescriptor


def to_timestamp(value: Any, path: str = "time") -> timestamp_pb2.Timestamp:
    """A Timestamp from a datetime, Unix seconds or RFC 3339 text."""
    ts = timestamp_pb2.Timestamp()
    if isinstance(value, timestamp_pb2.Timestamp):
        ts.CopyFrom(value)
    elif isinstance(value, datetime.datetime):
        if value.tzinfo is None:
            raise ValueError(f"{path}: a datetime needs a time zone "
                             f"(e.g. datetime.timezone.utc)")
        ts.FromDatetime(value.astimezone(datetime.timezone.utc))
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        seconds = int(value // 1)
        ts.seconds, ts.nanos = seconds, int(round((value - seconds) * 1e9))
        if ts.nanos >= 1_000_000_000:
            ts.seconds, ts.nanos = ts.seconds + 1, 0
    elif isinstance(value, str):
        try:
            ts.FromJsonString(value)
        except ValueError as e:
            raise ValueError(f"{path}: expected an RFC 3339 time, got "
                             f"{value!r}") from e
    else:
        raise ValueError(f"{path}: expected a time, got "
                         f"{type(value).__name__}")
    return ts


def _enum_number(field, value, path):
    if isinstance(value, int) and not isinstance(value, bool):
        if field.enum_type.values_by_number.get(value) is None:
            raise ValueError(f"{path}: {value} is not a {field.enum_type.name}")
        return value
    if not isinstance(value, str):
        raise ValueError(f"{path}: expected a {field.enum_type.name} name")
    names = field.enum_type.values_by_name
    if value in names:
        return names[value].number
    # The short form: ENVIRONMENT_PROD as "prod" or "PROD".
    prefix = names[field.enum_type.values[0].name].name
    prefix = prefix[:prefix.rfind("_UNSPECIFIED") + 1] if \
        prefix.endswith("_UNSPECIFIED") else ""
    full = prefix + value.upper().replace("-", "_").replace(" ", "_")
    if full in names:
        return names[full].number
    short = ", ".join(v.name[len(prefix):].lower()
                      for v in field.enum_type.values if v.number)
    raise ValueError(f"{path}: unknown {field.enum_type.name} {value!r} "
                     f"(one of {short})")


def _split_ref(value, path):
    if isinstance(value, str):
        at = value.rfind("@")
        if at <= 0 or at == len(value) - 1:
            raise ValueError(f"{path}: expected ID@VERSION, got {value!r}")
        return value[:at], value[at + 1:]
    if isinstance(value, (tuple, list)) and len(value) == 2:
        return str(value[0]), str(value[1])
    return None


def _set_message(target, field, value, path):
    name = field.message_type.full_name
    if name == "google.protobuf.Timestamp":
        target.CopyFrom(to_timestamp(value, path))
    elif name == "google.protobuf.Duration":
        if isinstance(value, datetime.timedelta):
            value = value.total_seconds()
        if not isinstance(value, (int, float)):
            raise ValueError(f"{path}: expected seconds or a timedelta")
        d = duration_pb2.Duration()
        d.seconds = int(value)
        d.nanos = int(round((value - int(value)) * 1e9))
        target.CopyFrom(d)
    elif isinstance(value, dict):
        fill(target, value, path)
    elif hasattr(value, "DESCRIPTOR"):
        target.CopyFrom(value)
    else:
        ref = _split_ref(value, path)
        fields = field.message_type.fields_by_name
        if ref and ("model_id" in fields or "dataset_id" in fields):
            setattr(target, "model_id" if "model_id" in fields else
                    "dataset_id", ref[0])
            target.version = ref[1]
        else:
            raise ValueError(f"{path}: expected a {field.message_type.name}")


def _scalar(field, value, path):
    if field.type == _FD.TYPE_ENUM:
        return _enum_number(field, value, path)
    if field.type == _FD.TYPE_STRING:
        if not isinstance(value, str):
            raise ValueError(f"{path}: expected text, got "
                             f"{type(value).__name__}")
        return value
    if field.type == _FD.TYPE_BOOL:
        if not isinstance(value, bool):
            raise ValueError(f"{path}: expected true or false")
        return value
    if field.type in (_FD.TYPE_DOUBLE, _FD.TYPE_FLOAT):
        return float(value)
    if field.type == _FD.TYPE_BYTES:
        return value
    if isinstance(value, bool) or not isinstance(value, int):
        try:
            if float(value) != int(value):
                raise ValueError
            value = int(value)
        except (TypeError, ValueError):
            raise ValueError(f"{path}: expected a whole number") from None
    return value


def fill(message, values: dict, path: str = ""):
    """Sets `message`'s fields from `values`; returns the message."""
    fields = message.DESCRIPTOR.fields_by_name
    for key, value in values.items():
        here = f"{path}.{key}" if path else key
        field = fields.get(key)
        if field is None:
            raise ValueError(f"{here}: no such field in "
                             f"{message.DESCRIPTOR.name}")
        if value is None:
            continue
        if field.message_type and field.message_type.GetOptions().map_entry:
            target = getattr(message, key)
            for k, v in dict(value).items():
                target[k] = v
        elif field.label == _FD.LABEL_REPEATED:
            target = getattr(message, key)
            if isinstance(value, (str, bytes, dict)):
                value = [value]
            for i, item in enumerate(value):
                item_path = f"{here}[{i}]"
                if field.message_type:
                    _set_message(target.add(), field, item, item_path)
                else:
                    target.append(_scalar(field, item, item_path))
        elif field.message_type:
            _set_message(getattr(message, key), field, value, here)
        else:
            setattr(message, key, _scalar(field, value, here))
    return message


def derive_event_id(kind: str, message) -> str:
    """The id `aigovctl apply` derives for a document without one: the same
    record yields the same id, so writing it again writes nothing."""
    data = kind.encode() + b"\n" + message.SerializeToString(
        deterministic=True)
    return "sha256-" + hashlib.sha256(data).hexdigest()


def sha256_of(source) -> str:
    """SHA-256 (hex) of bytes, of a file by path, or of a pandas DataFrame
    (its CSV form without the index, so the same rows hash the same)."""
    h = hashlib.sha256()
    if isinstance(source, (bytes, bytearray, memoryview)):
        h.update(source)
    elif hasattr(source, "to_csv"):
        h.update(source.to_csv(index=False).encode())
    elif hasattr(source, "tobytes"):
        h.update(source.tobytes())
    else:
        with open(source, "rb") as f:
            for chunk in iter(lambda: f.read(1 << 20), b""):
                h.update(chunk)
    return h.hexdigest()
