"""Reads Parquet files and Hive-partitioned folders with Apache Spark (pyspark) and prints what it sees as JSON.

Run by edge/parquet/spark-reads-lake15.node.test.ts through the environment tests/servers/spark.ts makes.
Input (the file named by the first argument): a JSON list of jobs, each
  {"file": path}                         spark.read.parquet: each column's Spark type and values, by `id`
  {"pushdown": path, "probes": [n, ...]}  for each column of an ordered type and the nth row's value v:
                                         how many rows `c < v`, `c = v`, `c > v` Spark counts with Parquet
                                         filter pushdown (row groups skipped by their statistics), against
                                         the same comparisons over the rows read whole; each disagreement
                                         is listed
  {"hive": root}                          the folder with Hive partition discovery, partition values as
                                         text (no type inference): id and every partition column
Output: a JSON list on standard output, one answer per job; {"error": text} when Spark refuses it (the
innermost cause Spark names).

Values are printed as tests/read-lake14.py prints them: integers and decimals as text, floats as the hex
of their 8 bytes ("nan" for NaN), binary as hex, dates as days and timestamps as microseconds since the
epoch (Spark computes both, so no value meets Python's datetime range), lists as lists, structs as
objects, maps as [key, value] pairs.
"""

import decimal
import json
import math
import sys

from pyspark.sql import SparkSession
from pyspark.sql import functions as F
from pyspark.sql import types as T

from lake_printed import plain


def printable(col, typ):
    """A column expression whose Python value prints exactly: temporal values as integers Spark computes."""
    if isinstance(typ, T.TimestampType):
        return F.unix_micros(col)
    if isinstance(typ, T.TimestampNTZType):
        return F.unix_micros(col.cast("timestamp"))  # the session's zone is UTC: the same microseconds
    if isinstance(typ, T.DateType):
        return F.unix_date(col)
    return col


def shown(value, typ):
    """A top-level value printed; a decimal with exactly its type's scale (Spark's Python values need not have it)."""
    if value is not None and isinstance(typ, T.DecimalType):
        return format(value.quantize(decimal.Decimal(1).scaleb(-typ.scale), context=decimal.Context(prec=100)), "f")
    return plain(value)


def read_file(spark, path):
    df = spark.read.parquet(path)
    fields = df.schema.fields
    rows = df.select(*[printable(F.col(f"`{f.name}`"), f.dataType).alias(f.name) for f in fields]).collect()
    order = sorted(range(len(rows)), key=lambda r: int(rows[r]["id"]))
    return {
        "types": {f.name: f.dataType.simpleString() for f in fields},
        "columns": {f.name: [shown(rows[r][f.name], f.dataType) for r in order] for f in fields},
    }


ORDERED = (T.ByteType, T.ShortType, T.IntegerType, T.LongType, T.FloatType, T.DoubleType, T.DecimalType, T.StringType, T.BinaryType, T.DateType, T.TimestampType, T.TimestampNTZType)


def literal(value, typ):
    if isinstance(typ, T.TimestampType):
        return F.timestamp_micros(F.lit(value))
    if isinstance(typ, T.TimestampNTZType):
        return F.timestamp_micros(F.lit(value)).cast("timestamp_ntz")
    if isinstance(typ, T.DateType):
        return F.date_from_unix_date(F.lit(value))
    if isinstance(typ, T.BinaryType):
        return F.lit(bytearray(value))
    return F.lit(value).cast(typ)


def holds(a, op, b):
    """`a op b` as Spark compares: NULL is never counted; NaN equals NaN and is above every other number."""
    if a is None:
        return False
    if isinstance(a, float) and math.isnan(a):
        return op == ">" or (op == "=" and math.isnan(b))
    if op == "<":
        return a < b
    return a == b if op == "=" else a > b


def pushdown(spark, path, probes):
    spark.conf.set("spark.sql.parquet.filterPushdown", "true")
    df = spark.read.parquet(path)
    rows = df.select(*[printable(F.col(f"`{f.name}`"), f.dataType).alias(f.name) for f in df.schema.fields]).collect()
    wrong = []
    if not rows:
        return {"pruning": wrong}
    for f in df.schema.fields:
        if not isinstance(f.dataType, ORDERED):
            continue
        values = [r[f.name] for r in rows]
        for n in probes:
            value = values[n % len(values)]
            if value is None or (isinstance(value, float) and (math.isnan(value) or math.isinf(value))):
                continue
            c = F.col(f"`{f.name}`")
            v = literal(value, f.dataType)
            for op, cond in (("<", c < v), ("=", c == v), (">", c > v)):
                pushed = df.filter(cond).count()
                whole = sum(1 for x in values if holds(x, op, value))
                if pushed != whole:
                    wrong.append(f"{f.name} {op} {plain(value)}: {pushed} rows with filter pushdown, {whole} in the rows read whole")
    return {"pruning": wrong}


def read_hive(spark, root):
    df = spark.read.parquet(root)
    rows = df.collect()
    names = [f.name for f in df.schema.fields]
    order = sorted(range(len(rows)), key=lambda r: int(rows[r]["id"]))
    return {"types": {f.name: f.dataType.simpleString() for f in df.schema.fields}, "columns": {name: [plain(rows[r][name]) for r in order] for name in names}}


def main():
    with open(sys.argv[1], encoding="utf-8") as f:
        jobs = json.load(f)
    spark = (
        SparkSession.builder.master("local[1]")
        .config("spark.ui.enabled", "false")
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.sql.sources.partitionColumnTypeInference.enabled", "false")
        .config("spark.driver.memory", "1g")
        .getOrCreate()
    )
    spark.sparkContext.setLogLevel("ERROR")
    answers = []
    for job in jobs:
        try:
            if "file" in job:
                answers.append(read_file(spark, job["file"]))
            elif "pushdown" in job:
                answers.append(pushdown(spark, job["pushdown"], job.get("probes", [0])))
            else:
                answers.append(read_hive(spark, job["hive"]))
        except Exception as error:  # Spark's refusal, named by its innermost cause
            lines = str(error).strip().split("\n")
            causes = [line.strip()[len("Caused by: "):] for line in lines if line.strip().startswith("Caused by: ")]
            named = [line.strip() for line in lines if "Exception: " in line or "Error: " in line]
            answers.append({"error": (causes[-1] if causes else named[0] if named else lines[0])[:600]})
    spark.stop()
    json.dump(answers, sys.stdout)


main()
