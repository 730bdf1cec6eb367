# Makes test/aishell_cli.py importable, and gives the S3 (MinIO) settings of
# scripts/services/minio.sh to the storage tests.
import os
import sys
import uuid

import pytest

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def _need(names, service):
    missing = [n for n in names if not os.environ.get(n)]
    if missing:
        if os.environ.get("CI") == "true":
            pytest.fail(f"{', '.join(missing)} not set (CI=true): start scripts/services/{service}.sh")
        pytest.skip(f"{', '.join(missing)} not set: run scripts/services/{service}.sh start")


class S3:
    def __init__(self):
        import boto3
        from botocore.config import Config

        self.endpoint = os.environ["AISHELL_TEST_S3_ENDPOINT"]
        self.access_key = os.environ["AISHELL_TEST_S3_ACCESS_KEY"]
        self.secret_key = os.environ["AISHELL_TEST_S3_SECRET_KEY"]
        self.bucket = os.environ["AISHELL_TEST_S3_BUCKET"]
        self.region = os.environ.get("AISHELL_TEST_S3_REGION", "us-east-1")
        self.client = boto3.client(
            "s3", endpoint_url=self.endpoint, aws_access_key_id=self.access_key,
            aws_secret_access_key=self.secret_key, region_name=self.region,
            config=Config(s3={"addressing_style": "path"}))
        # Every test writes under its own prefix.
        self.prefix = f"aishell-pytest/{uuid.uuid4().hex}"

    def put(self, key, data):
        self.client.put_object(Bucket=self.bucket, Key=f"{self.prefix}/{key}", Body=data)
        return f"s3://{self.bucket}/{self.prefix}/{key}"

    def url(self, key, scheme="s3"):
        return f"{scheme}://{self.bucket}/{self.prefix}/{key}"

    def env(self, secret=None):
        """The AWS_* variables aishell reads for s3:// paths in read_parquet/read_csv/read_json."""
        return {"AWS_ENDPOINT_URL": self.endpoint, "AWS_ACCESS_KEY_ID": self.access_key,
                "AWS_SECRET_ACCESS_KEY": secret or self.secret_key, "AWS_REGION": self.region}

    def cleanup(self):
        paginator = self.client.get_paginator("list_objects_v2")
        for page in paginator.paginate(Bucket=self.bucket, Prefix=self.prefix + "/"):
            for obj in page.get("Contents", []):
                self.client.delete_object(Bucket=self.bucket, Key=obj["Key"])


@pytest.fixture
def s3():
    _need(["AISHELL_TEST_S3_ENDPOINT", "AISHELL_TEST_S3_ACCESS_KEY", "AISHELL_TEST_S3_SECRET_KEY",
           "AISHELL_TEST_S3_BUCKET"], "minio")
    store = S3()
    yield store
    store.cleanup()


@pytest.fixture
def iceberg_rest():
    _need(["AISHELL_TEST_ICEBERG_REST_URL", "AISHELL_TEST_ICEBERG_REST_WAREHOUSE"], "iceberg-rest")
    return {"url": os.environ["AISHELL_TEST_ICEBERG_REST_URL"],
            "warehouse": os.environ["AISHELL_TEST_ICEBERG_REST_WAREHOUSE"],
            "on_s3": os.environ.get("AISHELL_TEST_ICEBERG_REST_ON_S3") == "1"}
