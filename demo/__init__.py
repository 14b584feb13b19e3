"""The demo organisation, generated as an ordinary bundle for `manage.py demo`."""
from demo.bundle import write_demo_bundle

__all__ = ["write_demo_bundle"]
