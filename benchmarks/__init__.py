"""What methods are tested on: data, streams, models, training loops, diagnostics, runner and executors."""
