"""One module per benchmark family; each registers its benchmarks with `@benchmarks.base.register`."""
