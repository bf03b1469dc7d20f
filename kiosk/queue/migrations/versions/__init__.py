"""Migration scripts; a package only so that wheels carry them."""
