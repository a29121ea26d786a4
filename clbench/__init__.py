"""clbench: a benchmark suite for continual learning under loss of plasticity (the CLI entrance)."""

__version__ = "0.1.0"
