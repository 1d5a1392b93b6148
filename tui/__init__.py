"""oss-cdn: serve an OSS bucket through Alibaba Cloud CDN on your own domain."""

__version__ = "0.1.0"
