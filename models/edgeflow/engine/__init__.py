"""Training engine: losses, click simulation, trainer with exact resume."""
