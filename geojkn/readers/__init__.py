"""Readers: the only code that parses user files; each returns clean (Geo)DataFrames or raises DataError."""
