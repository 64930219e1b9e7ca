"""Units shown to people. A megabyte is 1,000,000 bytes, as file managers and the PDF
inspection report count it, so "50 MB" means the same on every page and in every check."""

MB = 1_000_000
