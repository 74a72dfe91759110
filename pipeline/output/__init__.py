"""Stage 4, output: the tables (pandas), their export (CSV), the run manifest and the output folder's lock."""
