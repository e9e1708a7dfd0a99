"""Analysis: pure functions on DataFrames (metrics, roll-up, matching, ranking, summaries); no I/O."""
