"""pmtui: blameless incident post-mortems in the terminal."""

__version__ = "0.1.0"
