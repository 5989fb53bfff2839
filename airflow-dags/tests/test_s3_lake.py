"""End-to-end: the lake on object storage. An S3-compatible server (moto's server mode) starts on
127.0.0.1; plain spark-submit calls of the shaded jar, with hadoop-aws and the AWS SDK bundle
from jobs/target/s3-jars on the driver's class path and ``driftlake.lake-root = s3a://<bucket>/lake``, run
ingest (training, then production, both read from the bucket's landing folder) -> drift -> train
-> score -> doctor. Checked against what the test wrote and what the bucket holds (boto3): each
table's Delta log and row counts, the model artifact, drift.json and drift.html under
``lake/reports/<run id>/``, nothing on local disk.

The jar and the S3 jars are required (``mvn package`` builds both): when missing, the test FAILS.
"""

from __future__ import annotations

import io
import json
import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from conftest import REPO_ROOT

BUCKET = "driftlake-s3-test"
TRAINING_ROWS = 600
PRODUCTION_ROWS = 400
JOB_TIMEOUT = 600  # seconds, per spark-submit

# Small, quiet JVMs, as in test_e2e_drift_monitoring.py (tables of a few hundred rows; see there
# why these flags).
SPARK_PROPERTIES = """\
spark.driver.defaultJavaOptions=-XX:TieredStopAtLevel=1 -XX:+UseSerialGC -XX:+UnlockDiagnosticVMOptions -XX:-BytecodeVerificationRemote -XX:-BytecodeVerificationLocal -XX:-UsePerfData
spark.sql.adaptive.enabled=false
spark.sql.codegen.wholeStage=false
spark.sql.codegen.factoryMode=NO_CODEGEN
spark.sql.shuffle.partitions=2
spark.default.parallelism=2
spark.databricks.delta.snapshotPartitions=1
spark.ui.enabled=false
spark.log.level=WARN
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def java_opens() -> str:
    """The Java 17 flags Spark needs: the root pom's spark.java.opens (one copy of the list)."""
    pom = (REPO_ROOT / "pom.xml").read_text()
    return re.search(r"<spark.java.opens>(.*?)</spark.java.opens>", pom, re.S).group(1).strip()


@pytest.fixture(scope="module")
def s3(tmp_path_factory):
    """moto's S3 server on a free port (log kept in the test folder), stopped by its PID."""
    logs = tmp_path_factory.mktemp("driftlake-s3-server")
    port = free_port()
    server = Path(sys.executable).parent / "moto_server"
    log = (logs / "moto.log").open("w")
    proc = subprocess.Popen([str(server), "-H", "127.0.0.1", "-p", str(port)],
                            stdout=log, stderr=subprocess.STDOUT)
    endpoint = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(endpoint + "/moto-api/", timeout=2).close()
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"moto_server did not start on {endpoint}; log "
                                f"{logs / 'moto.log'}:\n{(logs / 'moto.log').read_text()[-3000:]}",
                                pytrace=False)
                time.sleep(0.2)
        import boto3

        client = boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1",
                              aws_access_key_id="test", aws_secret_access_key="test")
        client.create_bucket(Bucket=BUCKET)
        yield endpoint, client
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()


def batch(first_key: int, rows: int, income_shift: float, seed: int, label: bool) -> bytes:
    """A Parquet batch: key, two numeric features, one categorical, and (training) the label."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.parquet as pq

    rng = np.random.default_rng(seed)
    age = rng.normal(40, 10, rows)
    income = rng.normal(50_000 + income_shift, 8_000, rows)
    columns = {
        "customer_id": pa.array(np.arange(first_key, first_key + rows, dtype=np.int64)),
        "age": pa.array(age),
        "income": pa.array(income),
        "segment": pa.array(rng.choice(["a", "b", "c"], rows).tolist()),
    }
    if label:
        columns["defaulted"] = pa.array((age + rng.normal(0, 5, rows) > 45).astype(np.int32))
    out = io.BytesIO()
    pq.write_table(pa.table(columns), out)
    return out.getvalue()


def delta_log(client, table: str) -> list[dict]:
    """Every action of every commit of ``lake/<table>`` in the bucket, read with boto3."""
    listed = client.list_objects_v2(Bucket=BUCKET, Prefix=f"lake/{table}/_delta_log/")
    actions = []
    for obj in sorted(o["Key"] for o in listed.get("Contents", [])):
        if re.search(r"/\d{20}\.json$", obj):
            body = client.get_object(Bucket=BUCKET, Key=obj)["Body"].read().decode()
            actions += [json.loads(line) for line in body.splitlines() if line.strip()]
    return actions


def versions(client, table: str) -> list[int]:
    listed = client.list_objects_v2(Bucket=BUCKET, Prefix=f"lake/{table}/_delta_log/")
    return sorted(int(m.group(1)) for o in listed.get("Contents", [])
                  if (m := re.search(r"/(\d{20})\.json$", o["Key"])))


def added_rows(client, table: str) -> int:
    """Rows the table's live files hold, from the add actions' stats (no removes here)."""
    actions = delta_log(client, table)
    assert not [a for a in actions if "remove" in a], f"{table}: no commit should remove files"
    return sum(json.loads(a["add"]["stats"])["numRecords"] for a in actions if "add" in a)


def test_lake_on_s3(s3, tmp_path):
    endpoint, client = s3
    jar = REPO_ROOT / "jobs" / "target" / "driftlake-jobs.jar"
    s3_jars = sorted((REPO_ROOT / "jobs" / "target" / "s3-jars").glob("*.jar"))
    if not jar.is_file() or len(s3_jars) != 3:
        pytest.fail(f"need {jar} and the three jars of jobs/target/s3-jars (found {s3_jars}): "
                    "run mvn -pl jobs -am package", pytrace=False)
    names = sorted(p.name.rsplit("-", 1)[0] for p in s3_jars)
    assert names == ["analyticsaccelerator-s3", "bundle", "hadoop-aws"], names

    client.put_object(Bucket=BUCKET, Key="landing/training/part-0.parquet",
                      Body=batch(0, TRAINING_ROWS, 0.0, 1, label=True))
    client.put_object(Bucket=BUCKET, Key="landing/production/part-0.parquet",
                      Body=batch(TRAINING_ROWS, PRODUCTION_ROWS, 40_000.0, 2, label=False))

    config = tmp_path / "s3.conf"
    config.write_text(f'driftlake.lake-root = "s3a://{BUCKET}/lake"\n'
                      "driftlake.train.params.logistic-regression.maxIter = 15\n")
    properties = tmp_path / "spark.properties"
    properties.write_text(SPARK_PROPERTIES)
    s3a = {
        "fs.s3a.endpoint": endpoint,
        "fs.s3a.endpoint.region": "us-east-1",
        "fs.s3a.path.style.access": "true",
        "fs.s3a.connection.ssl.enabled": "false",
        "fs.s3a.access.key": "test",
        "fs.s3a.secret.key": "test",
        "fs.s3a.aws.credentials.provider":
            "org.apache.hadoop.fs.s3a.SimpleAWSCredentialsProvider",
    }
    env = {k: v for k, v in os.environ.items() if k != "DRIFTLAKE_LAKE_ROOT"}
    timings = {}

    def submit(name: str, java_class: str, *args: str) -> str:
        cmd = [str(Path(sys.executable).parent / "spark-submit"), "--master", "local[2]",
               "--properties-file", str(properties),
               "--conf", f"spark.driver.extraJavaOptions={java_opens()}",
               # Local master: the executors live in the driver's JVM, so its class path is
               # enough (--jars would copy the 686 MB SDK bundle into every job's work folder).
               "--conf", "spark.driver.extraClassPath=" + os.pathsep.join(map(str, s3_jars))]
        for key, value in s3a.items():
            cmd += ["--conf", f"spark.hadoop.{key}={value}"]
        cmd += ["--class", f"io.driftlake.jobs.{java_class}", str(jar), "--config", str(config),
                *args]
        started = time.monotonic()
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=JOB_TIMEOUT,
                              cwd=tmp_path, env=env)
        timings[name] = round(time.monotonic() - started, 1)
        (tmp_path / f"{name}.log").write_text(proc.stdout + proc.stderr)
        assert proc.returncode == 0, (f"{name} exit {proc.returncode}\n{' '.join(cmd)}\n"
                                      f"{proc.stdout[-3000:]}\n{proc.stderr[-5000:]}")
        return proc.stdout

    try:
        out = submit("ingest-training", "ingest.IngestJob", "--table", "training",
                     "--input", f"s3a://{BUCKET}/landing/training", "--batch-id", "t0",
                     "--run-id", "s3-ingest-0")
        assert "version 0" in out, out
        out = submit("ingest-production", "ingest.IngestJob", "--table", "production",
                     "--input", f"s3a://{BUCKET}/landing/production", "--batch-id", "p1",
                     "--run-id", "s3-ingest-1")
        assert "version 0" in out, out
        assert versions(client, "training") == [0]
        assert versions(client, "production") == [0]
        assert added_rows(client, "training") == TRAINING_ROWS
        assert added_rows(client, "production") == PRODUCTION_ROWS

        out = submit("drift", "drift.DriftJob", "--reference", "training@0",
                     "--current", "production@0", "--run-id", "s3-drift",
                     "--exit-code", "zero")
        report_key = "lake/reports/s3-drift/drift.json"
        assert f"s3a://{BUCKET}/{report_key}" in out, out
        report = json.loads(client.get_object(Bucket=BUCKET, Key=report_key)["Body"].read())
        assert report["reference"]["rows"] == TRAINING_ROWS
        assert report["current"]["rows"] == PRODUCTION_ROWS
        assert (report["reference"]["version"], report["current"]["version"]) == (0, 0)
        assert "income" in report["drifted_features"], report["drifted_features"]
        html = client.get_object(Bucket=BUCKET, Key="lake/reports/s3-drift/drift.html")
        assert html["Body"].read().decode().startswith("<!DOCTYPE html>")
        assert versions(client, "drift_results") == [0]
        results = [a for a in delta_log(client, "drift_results") if "add" in a]
        assert results, "drift_results holds the run's rows"

        out = submit("train", "train.TrainJob", "--table", "training", "--run-id", "s3-train")
        models = [a["add"] for a in delta_log(client, "models") if "add" in a]
        assert versions(client, "models") == [0] and len(models) == 1
        artifacts = client.list_objects_v2(Bucket=BUCKET, Prefix="lake/model-artifacts/")
        model_ids = {o["Key"].split("/")[2] for o in artifacts.get("Contents", [])}
        assert len(model_ids) == 1, model_ids
        model_id = model_ids.pop()
        assert model_id in out, out

        out = submit("score", "score.ScoreJob", "--model", "run:s3-train",
                     "--table", "production@0", "--run-id", "s3-score")
        assert f"scored {PRODUCTION_ROWS} rows of production@0" in out, out
        assert versions(client, "predictions") == [0]
        assert added_rows(client, "predictions") == PRODUCTION_ROWS

        out = submit("doctor", "doctor.DoctorJob")
        assert out.strip().splitlines()[-1] == f"doctor: nothing left over in s3a://{BUCKET}/lake"
    finally:
        print(f"[s3] job wall times (s): {timings}")
    # Nothing of the lake went to local disk (Path.of("s3a://...") would have made ./s3a:).
    assert not any(p.name.startswith("s3a") for p in tmp_path.rglob("*")), \
        sorted(str(p) for p in tmp_path.rglob("*"))
