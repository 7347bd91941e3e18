"""A real S3 endpoint on loopback: moto's server in its own process (no mocking inside this one)."""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

from tests.dossiers.conftest import _fast_settings, people  # noqa: F401 (the dossier tests' fixtures)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def s3_endpoint():
    binary = shutil.which("moto_server") or str(Path(sys.executable).with_name("moto_server"))
    port = _free_port()
    proc = subprocess.Popen([binary, "-H", "127.0.0.1", "-p", str(port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            break
        except OSError:
            if proc.poll() is not None:
                raise RuntimeError("moto_server did not start") from None
            time.sleep(0.2)
    else:
        proc.kill()
        raise RuntimeError("moto_server did not listen in 30 s")
    yield f"http://127.0.0.1:{port}"
    proc.terminate()
    proc.wait(10)


@pytest.fixture
def s3_storage(settings, s3_endpoint):
    """The default storage switched to a fresh bucket on the loopback S3 endpoint."""
    import boto3

    bucket = f"motcua-test-{uuid.uuid4().hex[:12]}"
    options = {
        "bucket_name": bucket, "endpoint_url": s3_endpoint, "access_key": "test", "secret_key": "test",
        "region_name": "us-east-1", "addressing_style": "path", "signature_version": "s3v4",
        "file_overwrite": False, "default_acl": None, "querystring_auth": True, "querystring_expire": 300,
    }
    client = boto3.client("s3", endpoint_url=s3_endpoint, aws_access_key_id="test",
                          aws_secret_access_key="test", region_name="us-east-1")
    client.create_bucket(Bucket=bucket)
    settings.MOTCUA_STORAGE = "s3"
    settings.STORAGES = {**settings.STORAGES, "default": {"BACKEND": "storages.backends.s3.S3Storage",
                                                          "OPTIONS": options}}
    # Django's setting_changed handler drops the cached default storage, so it is now S3.
    from django.core.files.storage import default_storage
    from storages.backends.s3 import S3Storage

    assert isinstance(default_storage, S3Storage)
    yield client, bucket
