"""The engine and the screening as Spark jobs, for a province's registry on a cluster (docs/scale.md).

    spark-submit --master yarn --archives fangpin-env.tar.gz#env \\
        --conf spark.pyspark.python=./env/bin/python src/fangpin/spark_job.py \\
        evaluate --policy sn2022-67 --as-of 2025-06-30 --input hdfs:///fangpin/2025/sheets --output hdfs:///fangpin/2025/entitlements
    spark-submit … src/fangpin/spark_job.py \\
        screen --today 2025-07-01 --rows hdfs:///fangpin/feeds/2025-06 --persons hdfs:///fangpin/2025/persons \\
        --output hdfs:///fangpin/2025/warnings

to-parquet (local, no Spark): a county's exchange file (`fangpin export --user <county bureau> pinglu.json`: full ID
numbers), checked by the importer's rules like `fangpin evaluate --input`, added to the folder layout below as one
Parquet part per sheet; refused rows are listed and left out, as evaluate does.
    python src/fangpin/spark_job.py to-parquet pinglu.json --output /shared/fangpin/2025/sheets
evaluate: --input is that folder, one Parquet dataset per exchange sheet (households/, members/, employments/, …);
the result rows (the columns of `fangpin evaluate`'s output, with the Chinese explanation) go to --output as Parquet.
screen: --rows holds the department rows (monitoring.spark_screening.ROWS_SCHEMA), --persons the registry persons
(PERSONS_SCHEMA); warnings go to --output.
Nothing is translated for Spark: each partition runs the same Polars code as `fangpin evaluate` and the screening job
(fangpin.policies.spark, fangpin.monitoring.spark_screening). No database: inputs and outputs are files on shared
storage.
"""
from __future__ import annotations

import argparse
import datetime as dt
import os
import sys


def _settings() -> None:
    # the engine reads the exchange format's vocabulary (Django choices); no database is opened
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fangpin.settings")
    import django

    django.setup()


def to_parquet(a) -> int:
    from pathlib import Path

    from fangpin.policies import tables

    try:
        inputs = tables.read(Path(a.file))
    except ValueError as e:
        sys.exit(str(e))
    for u in inputs.problems:
        print(f"无法评估，未写出：{Path(a.file).name} 工作表“{u.sheet}”第{u.row}行（{u.key}）：{u.reason}", file=sys.stderr)
    for name, frame in tables.frames_from(inputs).items():
        folder = Path(a.output) / name
        folder.mkdir(parents=True, exist_ok=True)
        frame.write_parquet(folder / f"{Path(a.file).stem}.parquet")
    print(f"已写出到 {a.output}：{len(inputs.households):,} 户，{len(inputs.members):,} 人")
    return 0


def evaluate(spark, a) -> int:
    from fangpin.policies import catalog, spark as on_spark, tables

    docs = catalog.load_catalog()
    if a.policy not in docs:
        sys.exit(f"政策目录中没有“{a.policy}”：可选 {'、'.join(sorted(docs))}")
    sheets = {}
    for name in tables.INPUT_SCHEMAS:
        path = f"{a.input.rstrip('/')}/{name}"
        try:
            sheets[name] = spark.read.parquet(path)
        except Exception:  # noqa: BLE001 - a sheet the province does not have (no start-ups, say) is simply absent
            continue
    result = on_spark.evaluate(spark, docs[a.policy], sheets, as_of=a.as_of, partitions=a.partitions)
    result.write.mode("overwrite").parquet(a.output)
    return 0


def screen(spark, a) -> int:
    from fangpin.monitoring import spark_screening

    rows, persons = spark.read.parquet(a.rows), spark.read.parquet(a.persons)
    warnings, identities = spark_screening.screen(spark, rows, persons, today=a.today, partitions=a.partitions)
    warnings.write.mode("overwrite").parquet(a.output)
    if a.identities:
        identities.write.mode("overwrite").parquet(a.identities)
    return 0


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="spark_job.py", description="防贫系统的 Spark 作业：政策计算、部门数据比对")
    sub = ap.add_subparsers(dest="command", required=True)
    tp = sub.add_parser("to-parquet", help="把交换格式文件（JSON 或 Excel）转为各表 Parquet（本机运行，不用 Spark）")
    tp.add_argument("file")
    tp.add_argument("--output", required=True)
    ev = sub.add_parser("evaluate", help="按政策文件计算应享待遇")
    ev.add_argument("--policy", required=True)
    ev.add_argument("--as-of", required=True, type=dt.date.fromisoformat)
    ev.add_argument("--input", required=True, help="各表 Parquet 所在目录（households/、members/ …）")
    ev.add_argument("--output", required=True)
    sc = sub.add_parser("screen", help="部门数据比对，生成预警")
    sc.add_argument("--today", required=True, type=dt.date.fromisoformat)
    sc.add_argument("--rows", required=True, help="部门数据行（Parquet）")
    sc.add_argument("--persons", required=True, help="户籍人员（Parquet）")
    sc.add_argument("--output", required=True)
    sc.add_argument("--identities", help="比对结果（逐行匹配情况）输出位置，可不填")
    for p in (ev, sc):
        p.add_argument("--partitions", type=int, default=200,
                       help="分区数：每个分区在一个执行器上用 Polars 计算，约每分区 5 万人")
    a = ap.parse_args(argv)
    _settings()
    if a.command == "to-parquet":
        return to_parquet(a)
    from pyspark.sql import SparkSession

    spark = SparkSession.builder.appName(f"fangpin-{a.command}").getOrCreate()
    try:
        return {"evaluate": evaluate, "screen": screen}[a.command](spark, a)
    finally:
        spark.stop()


if __name__ == "__main__":
    sys.exit(main())
