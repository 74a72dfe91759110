"""What runs the chain: the runner that wires the stages, worker processes and the parser server."""
