"""faced: structures that protect and believe survivors of sexual violence."""
