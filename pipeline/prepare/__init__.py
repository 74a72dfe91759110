"""Stage 1, prepare: read each file (any Japanese encoding), clean it (markup, normalisation, PDF repair),
remove repeated blocks and split sentences; every clean character keeps its raw offset."""
