"""What results mean: the run-record schema, the results store, aggregation and publishers."""
