"""Optional payment apps, installed by configuration (the demo gateway, `sandbox`)."""
