from tests.s3_support import s3_server_url  # noqa: F401  (the shared S3 API server fixture)
