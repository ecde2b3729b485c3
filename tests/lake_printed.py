"""Values as the tests that read the lake with other engines print them (edge/parquet/printed-values.node.ts
prints DuckDB's the same way): forms JSON keeps exactly. Shared by tests/read-lake14.py and
tests/read-lake-spark15.py, which import it from their own folder."""

import math
import struct


def plain(value):
    """A Python value of a column (temporal ones already as integers) in its printed form."""
    if value is None:
        return None
    if isinstance(value, bool):
        return value
    if isinstance(value, float):
        # Its bits, so -0.0 and every digit survive (NaN as one word: payloads differ between readers).
        return "nan" if math.isnan(value) else struct.pack(">d", value).hex()
    if isinstance(value, int):
        return str(value)
    if isinstance(value, (bytes, bytearray)):
        return bytes(value).hex()
    if isinstance(value, str):
        return value
    if isinstance(value, list):
        return [plain(v) for v in value]
    if isinstance(value, dict):
        return [[plain(k), plain(v)] for k, v in value.items()]  # a map, as [key, value] pairs
    if hasattr(value, "asDict"):  # a Spark Row: a struct
        return {k: plain(v) for k, v in value.asDict().items()}
    return format(value, "f")  # decimal.Decimal, without an exponent
