"""Sample data: the deterministic Liangzhu demo and a large synthetic registry for benchmarks."""
