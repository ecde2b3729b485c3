"""Reads Parquet files and Hive-partitioned folders with pyarrow (and Polars) and prints what they see as JSON.

Run by edge/parquet/other-readers-lake14.node.test.ts through the environment tests/servers/pyarrow.ts makes.
Input (the file named by the first argument, or standard input): a JSON list of jobs, each
  {"file": path, "probes": [n, ...]}      pq.ParquetFile: schema, every row group's statistics, the rows;
                                          with probes, `=, <, >` filters on the nth value of each column
                                          through pyarrow.dataset (which skips row groups by their
                                          statistics) against the same filters in memory
  {"polars": path, "probes": [n, ...]}    polars.read_parquet: the rows; with probes, the same filters
                                          through polars.scan_parquet against them in memory
  {"dataset": root, "types": {...}}       pyarrow.dataset with Hive partitioning, the partition columns of
                                          the Arrow types given (without: inferred): the rows
Output: a JSON list on standard output with one answer per job, {"error": text} when the reader refuses it.

Values are printed exactly, in forms JSON keeps: integers and decimals as text, floats as the hex of
their 8 bytes (so -0.0 and every digit survive; NaN as "nan"), binary and UUIDs as hex, dates as days, times and timestamps as
microseconds since their epoch, lists as lists, structs as objects, maps as [key, value] pairs.
"""

import json
import math
import struct
import sys
import uuid
import traceback

import pyarrow as pa
import pyarrow.dataset as ds
import pyarrow.parquet as pq

from lake_printed import plain


def integers_for(typ):
    """The type to read a temporal column through, so no value meets Python's datetime range; None for others."""
    if pa.types.is_date32(typ):
        return pa.int32()
    if pa.types.is_time32(typ):
        return pa.int32()
    if pa.types.is_time64(typ) or pa.types.is_timestamp(typ) or pa.types.is_date64(typ):
        return pa.int64()
    return None


def column(array):
    """A list of printed values of an Arrow array of any type."""
    if isinstance(array, pa.ChunkedArray):
        return [v for chunk in array.chunks for v in column(chunk)]
    typ = array.type
    if isinstance(typ, pa.BaseExtensionType):
        return column(array.storage)
    as_int = integers_for(typ)
    if as_int is not None:
        # Polars reads TIME as nanoseconds: printed as microseconds like the others.
        per = 1000 if pa.types.is_time64(typ) and typ.unit == "ns" else 1
        return [None if v is None else str(v // per) for v in array.view(as_int).to_pylist()]
    if pa.types.is_map(typ):
        keys = column(array.keys)
        items = column(array.items)
        out = []
        offsets = array.offsets.to_pylist()
        valid = array.is_valid().to_pylist()
        for i in range(len(array)):
            out.append([[keys[j], items[j]] for j in range(offsets[i], offsets[i + 1])] if valid[i] else None)
        return out
    if pa.types.is_list(typ) or pa.types.is_large_list(typ) or pa.types.is_fixed_size_list(typ):
        values = column(array.flatten() if pa.types.is_fixed_size_list(typ) else array.values)
        valid = array.is_valid().to_pylist()
        out = []
        if pa.types.is_fixed_size_list(typ):
            n = typ.list_size
            for i in range(len(array)):
                out.append(values[i * n : (i + 1) * n] if valid[i] else None)
            return out
        # Offsets index the whole child array (`values` ignores a slice's offset; `offsets` follows it).
        offsets = array.offsets.to_pylist()
        for i in range(len(array)):
            out.append(values[offsets[i] : offsets[i + 1]] if valid[i] else None)
        return out
    if pa.types.is_struct(typ):
        fields = [(typ.field(k).name, column(array.field(k))) for k in range(typ.num_fields)]
        valid = array.is_valid().to_pylist()
        return [{name: values[i] for name, values in fields} if valid[i] else None for i in range(len(array))]
    return [plain(v) for v in array.to_pylist()]


def describe(typ):
    """A type as text, nested types by their parts only (pyarrow's own text names a map's entries after the column)."""
    if pa.types.is_map(typ):
        return f"map<{describe(typ.key_type)}, {describe(typ.item_type)}>"
    if pa.types.is_list(typ) or pa.types.is_large_list(typ) or pa.types.is_fixed_size_list(typ):
        return f"list<{describe(typ.value_type)}>"
    if pa.types.is_struct(typ):
        return "struct<" + ", ".join(f"{typ.field(k).name}: {describe(typ.field(k).type)}" for k in range(typ.num_fields)) + ">"
    return str(typ)


def table_rows(table):
    table = table.combine_chunks()
    columns = {name: column(table.column(name)) for name in table.column_names}
    return {
        "types": {field.name: describe(field.type) for field in table.schema},
        "columns": columns,
    }


ORDERED = (pa.types.is_integer, pa.types.is_floating, pa.types.is_decimal, pa.types.is_string, pa.types.is_binary,
           pa.types.is_date, pa.types.is_time, pa.types.is_timestamp, pa.types.is_boolean)


def pruning(path, table, probes):
    """Filters the Arrow scanner checks against row group statistics: the rows must be those the same filter keeps in memory."""
    import pyarrow.compute as pc

    dataset = ds.dataset(path, format="parquet")
    wrong = []
    for name in table.column_names:
        typ = table.schema.field(name).type
        if name == "id" or not any(test(typ) for test in ORDERED):
            continue
        values = table.column(name).drop_null()
        if len(values) == 0:
            continue
        for p in probes:
            value = values[p % len(values)]
            for op, expr in (("=", pc.field(name) == value), ("<", pc.field(name) < value), (">", pc.field(name) > value)):
                scanned = sorted(dataset.to_table(filter=expr, columns=["id"]).column("id").to_pylist())
                kept = sorted(table.filter(expr).column("id").to_pylist())
                if scanned != kept:
                    wrong.append(f"{name} {op} its non-null value #{p % len(values)}: scanned ids {scanned[:8]} ({len(scanned)}), in memory {kept[:8]} ({len(kept)})")
    return wrong


def statistic(value):
    if isinstance(value, uuid.UUID):
        return value.hex
    return plain(value)


def read_file(path, probes):
    f = pq.ParquetFile(path)
    md = f.metadata
    groups = []
    for g in range(md.num_row_groups):
        group = md.row_group(g)
        stats = {}
        for c in range(group.num_columns):
            chunk = group.column(c)
            s = chunk.statistics
            entry = {"set": s is not None}
            if s is not None:
                entry["nulls"] = s.null_count if s.has_null_count else None
                entry["minmax"] = s.has_min_max
                if s.has_min_max:
                    # As their raw bytes (the text form of a min/max depends on the type's Python value).
                    entry["min"] = s.min_raw.hex() if isinstance(s.min_raw, bytes) else plain(s.min_raw)
                    entry["max"] = s.max_raw.hex() if isinstance(s.max_raw, bytes) else plain(s.max_raw)
                    if f.schema.column(c).logical_type.type in ("DATE", "TIME", "TIMESTAMP"):
                        # Days or microseconds, as the values are printed (Python's datetime holds only years 1..9999).
                        entry["min_py"], entry["max_py"] = str(s.min_raw), str(s.max_raw)
                    else:
                        entry["min_py"], entry["max_py"] = statistic(s.min), statistic(s.max)
            stats[chunk.path_in_schema] = entry
        groups.append({"rows": group.num_rows, "stats": stats})
    table = f.read()
    answer = table_rows(table)
    answer["groups"] = groups
    if probes:
        answer["pruning"] = pruning(path, table, probes)
    answer["schema"] = str(f.schema)
    answer["created_by"] = md.created_by
    return answer


def read_polars(path, probes):
    import polars as pl

    frame = pl.read_parquet(path)
    answer = table_rows(frame.to_arrow())
    if probes:
        answer["pruning"] = polars_pruning(pl, path, frame, probes)
    return answer


def polars_pruning(pl, path, frame, probes):
    """`=, <, >` filters through scan_parquet (which skips row groups by their statistics) against the same filters in memory."""
    wrong = []
    for name, dtype in frame.schema.items():
        if name == "id" or not (dtype.is_integer() or dtype.is_float() or dtype.is_decimal() or dtype == pl.String or dtype == pl.Boolean):
            continue
        values = frame.get_column(name).drop_nulls()
        if len(values) == 0:
            continue
        for p in probes:
            value = values[p % len(values)]
            literal = pl.lit(value, dtype=dtype)
            for op, expr in (("=", pl.col(name) == literal), ("<", pl.col(name) < literal), (">", pl.col(name) > literal)):
                scanned = sorted(pl.scan_parquet(path).filter(expr).select("id").collect().get_column("id").to_list())
                kept = sorted(frame.filter(expr).get_column("id").to_list())
                if scanned != kept:
                    wrong.append(f"{name} {op} its non-null value #{p % len(values)}: scanned ids {scanned[:8]} ({len(scanned)}), in memory {kept[:8]} ({len(kept)})")
    return wrong


def arrow_type(text):
    if text == "timestamp[us, tz=UTC]":
        return pa.timestamp("us", tz="UTC")
    if text == "timestamp[us]":
        return pa.timestamp("us")
    return pa.type_for_alias(text)


def read_dataset(root, types):
    partitioning = "hive" if types is None else ds.partitioning(pa.schema([(name, arrow_type(t)) for name, t in types.items()]), flavor="hive")
    dataset = ds.dataset(root, format="parquet", partitioning=partitioning)
    table = dataset.to_table()
    answer = table_rows(table)
    answer["files"] = sorted(fragment.path for fragment in dataset.get_fragments())
    return answer


def main():
    with open(sys.argv[1]) if len(sys.argv) > 1 else sys.stdin as source:
        jobs = json.load(source)
    answers = []
    for job in jobs:
        try:
            if "file" in job:
                answers.append(read_file(job["file"], job.get("probes", [])))
            elif "polars" in job:
                answers.append(read_polars(job["polars"], job.get("probes", [])))
            else:
                answers.append(read_dataset(job["dataset"], job.get("types")))
        except BaseException as error:  # Polars panics as a BaseException
            answers.append({"error": f"{type(error).__name__}: {error}", "trace": traceback.format_exc()[-2000:]})
    json.dump(answers, sys.stdout)


main()
