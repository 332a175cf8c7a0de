"""Notebook widgets (ipywidgets), imported from their own modules so ``import faceswap_kit``
never needs ipywidgets: ``from faceswap_kit.widgets.dataset_browser import DatasetBrowser``."""
