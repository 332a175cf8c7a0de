"""Pictures for the notebooks (matplotlib, imported inside each function). Import the submodule you
need, e.g. ``from faceswap_kit.viz import dataset``."""
