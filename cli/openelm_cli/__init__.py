"""The `openelm` command line: parses arguments and prints; the `openelm`
library does the work."""
